// "Install the keyden command": a tiny launcher that runs the CLI bundled in the app with the
// app's own Node (ELECTRON_RUN_AS_NODE; that is why the RunAsNode fuse stays on — docs/desktop.md).
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface LauncherPlan {
  path: string;
  content: string;
  mode: number;
}

export function launcherPlan(options: { platform: NodeJS.Platform; execPath: string; resourcesPath: string; env: NodeJS.ProcessEnv }): LauncherPlan {
  const cli = join(options.resourcesPath, 'app.asar', 'bin', 'keyden.cjs');
  if (options.platform === 'win32') {
    const dir = join(options.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'Keyden', 'bin');
    return { path: join(dir, 'keyden.cmd'), content: `@echo off\r\nset ELECTRON_RUN_AS_NODE=1\r\n"${options.execPath}" "${cli}" %*\r\n`, mode: 0o755 };
  }
  const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
  return {
    path: join(homedir(), '.local', 'bin', 'keyden'),
    content: `#!/bin/sh\n# Installed by the Keyden app: runs its bundled CLI.\nELECTRON_RUN_AS_NODE=1 exec ${quote(options.execPath)} ${quote(cli)} "$@"\n`,
    mode: 0o755,
  };
}

export async function installLauncher(plan: LauncherPlan): Promise<{ path: string }> {
  await mkdir(join(plan.path, '..'), { recursive: true });
  await writeFile(plan.path, plan.content, { mode: plan.mode });
  await chmod(plan.path, plan.mode);
  return { path: plan.path };
}

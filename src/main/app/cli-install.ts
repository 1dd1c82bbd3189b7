// "Install the keyden command": a tiny launcher that runs the CLI bundled in the app (unpacked
// from app.asar) with the system's Node.js. The app's own runtime cannot run it: its RunAsNode
// fuse is off (DESIGN §4 "The shell"; docs/desktop.md), so nobody can use the signed app binary
// as a general-purpose Node interpreter.
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface LauncherPlan {
  path: string;
  content: string;
  mode: number;
}

/** What the launcher says when no Node.js is on PATH. */
export const NEEDS_NODE = 'keyden: the keyden command needs Node.js 20.11 or later on PATH (https://nodejs.org); or install the packed CLI: npm i -g keyden-cli-<version>.tgz';

export function launcherPlan(options: { platform: NodeJS.Platform; resourcesPath: string; env: NodeJS.ProcessEnv }): LauncherPlan {
  const cli = join(options.resourcesPath, 'app.asar.unpacked', 'bin', 'keyden.cjs');
  if (options.platform === 'win32') {
    const dir = join(options.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'Keyden', 'bin');
    return {
      path: join(dir, 'keyden.cmd'),
      content: `@echo off\r\nwhere node >nul 2>nul || (echo ${NEEDS_NODE} 1>&2 & exit /b 1)\r\nnode "${cli}" %*\r\n`,
      mode: 0o755,
    };
  }
  const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
  return {
    path: join(homedir(), '.local', 'bin', 'keyden'),
    content: `#!/bin/sh\n# Installed by the Keyden app: runs its bundled CLI with Node.js.\ncommand -v node >/dev/null 2>&1 || { echo ${quote(NEEDS_NODE)} >&2; exit 1; }\nexec node ${quote(cli)} "$@"\n`,
    mode: 0o755,
  };
}

export async function installLauncher(plan: LauncherPlan): Promise<{ path: string }> {
  await mkdir(join(plan.path, '..'), { recursive: true });
  // Written beside it and renamed over it: a symlink there (`npm link` makes one when npm's prefix
  // is ~/.local) is replaced, never written through into the file it points to.
  const fresh = `${plan.path}.${process.pid}.tmp`;
  try {
    await rm(fresh, { force: true }); // left by a crash of a process that had this pid
    await writeFile(fresh, plan.content, { mode: plan.mode, flag: 'wx' });
    await chmod(fresh, plan.mode);
    await rename(fresh, plan.path);
  } catch (e) {
    await rm(fresh, { force: true });
    throw e;
  }
  return { path: plan.path };
}

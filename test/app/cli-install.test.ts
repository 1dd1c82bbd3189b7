// "Install the keyden command": the launcher runs the CLI entry the package really ships.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { launcherPlan } from '../../src/main/app/cli-install.js';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { bin: { keyden: string } };

describe('launcherPlan', () => {
  it('runs the package bin inside app.asar with the app’s own Node on Linux and macOS', () => {
    const plan = launcherPlan({ platform: 'linux', execPath: '/opt/Keyden/keyden', resourcesPath: '/opt/Keyden/resources', env: {} });
    const cli = path.join('/opt/Keyden/resources', 'app.asar', pkg.bin.keyden);
    expect(plan.content).toContain(`ELECTRON_RUN_AS_NODE=1 exec '/opt/Keyden/keyden' '${cli}' "$@"`);
    expect(fs.existsSync(pkg.bin.keyden)).toBe(true);
    expect(plan.mode).toBe(0o755);
  });

  it('writes a keyden.cmd that runs the same bin on Windows', () => {
    const plan = launcherPlan({ platform: 'win32', execPath: 'C:\\Keyden\\Keyden.exe', resourcesPath: 'C:\\Keyden\\resources', env: { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' } });
    expect(plan.path.endsWith('keyden.cmd')).toBe(true);
    expect(plan.content).toContain('set ELECTRON_RUN_AS_NODE=1');
    expect(plan.content).toContain(path.join('C:\\Keyden\\resources', 'app.asar', pkg.bin.keyden));
  });
});

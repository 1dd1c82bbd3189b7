// "Install the keyden command": the launcher runs the CLI entry the package really ships, unpacked
// from app.asar, with the system's Node.js — never the app binary as Node (its RunAsNode fuse is off).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installLauncher, launcherPlan, NEEDS_NODE } from '../../src/main/app/cli-install.js';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { bin: { keyden: string } };

describe('launcherPlan', () => {
  it('runs the package bin, unpacked from app.asar, with the system Node on Linux and macOS', () => {
    const plan = launcherPlan({ platform: 'linux', resourcesPath: '/opt/Keyden/resources', env: {} });
    const cli = path.join('/opt/Keyden/resources', 'app.asar.unpacked', pkg.bin.keyden);
    expect(plan.content).toContain(`exec node '${cli}' "$@"`);
    expect(plan.content).not.toContain('ELECTRON_RUN_AS_NODE');
    expect(fs.existsSync(pkg.bin.keyden)).toBe(true);
    expect(plan.mode).toBe(0o755);
  });

  it('writes a keyden.cmd that runs the same bin with node on Windows', () => {
    const plan = launcherPlan({ platform: 'win32', resourcesPath: 'C:\\Keyden\\resources', env: { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' } });
    expect(plan.path.endsWith('keyden.cmd')).toBe(true);
    expect(plan.content).not.toContain('ELECTRON_RUN_AS_NODE');
    expect(plan.content).toContain(`node "${path.join('C:\\Keyden\\resources', 'app.asar.unpacked', pkg.bin.keyden)}" %*`);
  });

  it('runs the CLI when it is installed, and says in one line what it needs when no node is on PATH', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyden-launcher-'));
    try {
      // A stand-in "resources" folder whose unpacked bin is this checkout's.
      const resources = path.join(dir, 'resources');
      fs.mkdirSync(path.join(resources, 'app.asar.unpacked'), { recursive: true });
      fs.symlinkSync(path.resolve('bin'), path.join(resources, 'app.asar.unpacked', 'bin'));
      fs.symlinkSync(path.resolve('build'), path.join(resources, 'app.asar.unpacked', 'build'));
      fs.symlinkSync(path.resolve('node_modules'), path.join(resources, 'app.asar.unpacked', 'node_modules'));
      fs.copyFileSync('package.json', path.join(resources, 'app.asar.unpacked', 'package.json'));
      const plan = launcherPlan({ platform: 'linux', resourcesPath: resources, env: {} });
      const launcher = path.join(dir, 'keyden');
      fs.writeFileSync(launcher, plan.content, { mode: plan.mode });
      const withNode = spawnSync('/bin/sh', [launcher, '--version'], { env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` }, encoding: 'utf8' });
      expect(withNode.status).toBe(0);
      expect(withNode.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
      const withoutNode = spawnSync('/bin/sh', [launcher, '--version'], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
      expect(withoutNode.status).toBe(1);
      expect(withoutNode.stderr).toBe(`${NEEDS_NODE}\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('installLauncher', () => {
  it('replaces a symlink at the launcher path (npm link puts one there) instead of writing through it into its target', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keyden-home-'));
    try {
      const target = path.join(home, 'checkout', 'bin', 'keyden.cjs');
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, '#!/usr/bin/env node\n// the real CLI\n', { mode: 0o644 });
      const launcher = path.join(home, '.local', 'bin', 'keyden');
      fs.mkdirSync(path.dirname(launcher), { recursive: true });
      fs.symlinkSync(target, launcher);
      const plan = { ...launcherPlan({ platform: 'linux', resourcesPath: '/opt/Keyden/resources', env: {} }), path: launcher };
      await installLauncher(plan);
      expect(fs.readFileSync(target, 'utf8')).toBe('#!/usr/bin/env node\n// the real CLI\n');
      expect(fs.statSync(target).mode & 0o777).toBe(0o644);
      expect(fs.lstatSync(launcher).isSymbolicLink()).toBe(false);
      expect(fs.readFileSync(launcher, 'utf8')).toBe(plan.content);
      expect(fs.statSync(launcher).mode & 0o777).toBe(0o755);
      expect(fs.readdirSync(path.dirname(launcher))).toEqual(['keyden']);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

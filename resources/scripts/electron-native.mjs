#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into out/native/better_sqlite3.node, from a copy of
// the package, so the Node build in node_modules (used by the tests and the CLI) is never
// touched. The Electron main process loads it through better-sqlite3's `nativeBinding` option.
// Needs internet (Electron headers or a prebuilt binary): run by `dev`, `dist`, `test:electron`
// only — never by `npm ci` or `npm test` (TOOLCHAIN.md).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');
const outDir = join(root, 'out', 'native');
const target = join(outDir, 'better_sqlite3.node');
const stamp = join(outDir, 'electron-version.txt');
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;

if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === electronVersion) {
  console.log(`better-sqlite3 for Electron ${electronVersion} is already built: ${target}`);
  process.exit(0);
}

const source = dirname(require.resolve('better-sqlite3/package.json'));
const work = join(outDir, 'better-sqlite3');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
cpSync(source, work, { recursive: true, filter: (p) => !p.startsWith(join(source, 'build')) });

const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: work, stdio: 'inherit', shell: process.platform === 'win32' });
try {
  // A prebuilt Electron binary when one exists for this version and platform…
  run(bin('prebuild-install'), ['--runtime', 'electron', '--target', electronVersion, '--arch', process.arch]);
} catch {
  // …else compile against Electron's headers.
  run(bin('node-gyp'), ['rebuild', '--release', `--target=${electronVersion}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers', '--runtime=electron']);
}
copyFileSync(join(work, 'build', 'Release', 'better_sqlite3.node'), target);
execFileSync(process.execPath, ['-e', `require('node:fs').writeFileSync(${JSON.stringify(stamp)}, ${JSON.stringify(electronVersion)})`]);
rmSync(work, { recursive: true, force: true });
console.log(`Built better-sqlite3 for Electron ${electronVersion}: ${target}`);

// `npm run pack:cli`: keyden-cli-<version>.tgz in the repository root — the `keyden` CLI and the
// headless owner (`keyden serve`) with their runtime dependencies only (DESIGN §5). No Electron,
// Vite, React, Playwright or renderer: the package is the bin, the tsc build of src/cli,
// src/main (without the app shell) and src/shared, and the root's `dependencies`.
//
//   node resources/scripts/pack-cli.mjs [--no-build] [--out DIR]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const outIndex = argv.indexOf('--out');
const OUT = path.resolve(outIndex >= 0 ? argv[outIndex + 1] : ROOT);

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
  return r.stdout;
}

if (!argv.includes('--no-build')) run('npm', ['run', '-s', 'build:node'], ROOT);
for (const f of ['build/cli/run.js', 'build/cli/fast.cjs', 'build/cli/strength.cjs', 'build/main/core/index.js']) {
  if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run npm run build:node`);
}

// Runtime dependencies of the desktop app alone: the CLI and `keyden serve` never load them.
const APP_ONLY = ['electron-updater'];

const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
fs.mkdirSync(path.join(ROOT, 'out'), { recursive: true });
const stage = fs.mkdtempSync(path.join(ROOT, 'out', '.pack-cli-'));
try {
  // Only the Node build: build/main/app (the Electron shell) is not compiled by tsconfig.node.json.
  fs.cpSync(path.join(ROOT, 'build'), path.join(stage, 'build'), {
    recursive: true,
    // Only what today's sources compile to: tsc never deletes the output of a removed file.
    filter: (src) => {
      const rel = path.relative(path.join(ROOT, 'build'), src);
      if (rel === '' || fs.statSync(src).isDirectory()) return !rel.startsWith(path.join('main', 'app'));
      // The two bundles stand in for their ESM builds: strength.js imports devDependencies.
      if (rel === path.join('cli', 'strength.js')) return false;
      const source = rel.endsWith('.cjs') ? rel.replace(/\.cjs$/, '.ts') : rel.replace(/\.js$/, '.ts');
      return rel.endsWith('.js') || rel.endsWith('.cjs') ? fs.existsSync(path.join(ROOT, 'src', source)) : false;
    },
  });
  fs.mkdirSync(path.join(stage, 'bin'));
  fs.copyFileSync(path.join(ROOT, 'bin/keyden.cjs'), path.join(stage, 'bin/keyden.cjs'));
  fs.chmodSync(path.join(stage, 'bin/keyden.cjs'), 0o755);
  fs.copyFileSync(path.join(ROOT, 'docs/cli.md'), path.join(stage, 'README.md'));

  const pkg = {
    name: 'keyden-cli',
    version: root.version,
    description: 'The keyden CLI and headless vault owner (keyden serve), without the desktop app.',
    license: root.license,
    type: 'module',
    bin: { keyden: 'bin/keyden.cjs' },
    files: ['bin', 'build', 'npm-shrinkwrap.json'],
    engines: { node: root.engines.node },
    // better-sqlite3 compiles on install where no prebuilt binary downloads; @node-rs/argon2
    // brings its binary in a per-platform optional dependency (keep optional dependencies on).
    dependencies: Object.fromEntries(Object.entries(root.dependencies).filter(([name]) => !APP_ONLY.includes(name))),
    allowScripts: { 'better-sqlite3': true },
  };
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  // The exact versions the repository's lockfile tests, pruned to the runtime tree and shipped as
  // npm-shrinkwrap.json (the one lockfile npm honours inside a published package).
  fs.copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(stage, 'package-lock.json'));
  run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], stage);
  fs.renameSync(path.join(stage, 'package-lock.json'), path.join(stage, 'npm-shrinkwrap.json'));

  fs.mkdirSync(OUT, { recursive: true });
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', OUT], stage));
  const file = path.join(OUT, packed.filename);
  process.stdout.write(`${path.relative(process.cwd(), file) || file} (${packed.entryCount} files, ${Math.round(packed.size / 1024)} KiB packed, ${Math.round(packed.unpackedSize / 1024)} KiB unpacked)\n`);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}

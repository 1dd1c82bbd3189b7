// `npm run pack:cli` → keyden-cli-<version>.tgz, installed with `npm i -g --prefix <tmp>` as a user
// would, and the installed `keyden` (found on PATH, run outside the repository) driven against a
// real `keyden serve` on 127.0.0.1.
//
// Speed: by default the install runs from npm's cache with `--ignore-scripts` and then puts the
// repository's own better_sqlite3.node (built by `npm ci` for this very Node) into the installed
// tree, instead of compiling better-sqlite3 again (~1.5 min here). What that skips is only
// better-sqlite3's own install script, which every `npm ci` of the repository runs anyway; the
// package's contents, its dependency tree (pinned by its npm-shrinkwrap.json), the bin link and
// every command are real. KEYDEN_PACK_FULL_INSTALL=1 runs the install with its scripts instead.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, ensureBuilt, ROOT, tempDir, type RunResult } from './helpers.js';

const FULL_INSTALL = process.env.KEYDEN_PACK_FULL_INSTALL === '1';
const PASSWORD = 'correct horse battery staple';
const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let tmp = '';
let prefix = '';
let home = '';
let installed = '';

function sh(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, npm_config_loglevel: 'error' }, stdio: ['pipe', 'pipe', 'pipe'] });
  return collect(child, { timeoutMs });
}

/** The installed `keyden`, found on PATH as a user's shell finds it, in a clean environment. */
function keyden(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  const env = {
    PATH: [path.join(prefix, 'bin'), path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter),
    HOME: home,
    KEYDEN_HOME: home,
    LANG: 'C.UTF-8',
    ...options.env,
  };
  const child = spawn('keyden', args, { cwd: home, env, stdio: ['pipe', 'pipe', 'pipe'] });
  return collect(child, { input: options.input, timeoutMs: 30_000 });
}

beforeAll(async () => {
  ensureBuilt();
  tmp = tempDir('keyden-pack-');
  prefix = path.join(tmp, 'prefix');
  home = path.join(tmp, 'home');
  fs.mkdirSync(home, { mode: 0o700 });
  const packed = await sh(process.execPath, [path.join(ROOT, 'resources/scripts/pack-cli.mjs'), '--no-build', '--out', tmp], ROOT, 120_000);
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = path.join(tmp, `keyden-cli-${version}.tgz`);
  expect(fs.existsSync(tarball)).toBe(true);
  // As docs/cli.md says to install it (the flag approves better-sqlite3's build on npm ≥ 11.16).
  const scripts = FULL_INSTALL ? ['--allow-scripts=better-sqlite3'] : ['--ignore-scripts'];
  const install = await sh('npm', ['i', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', ...scripts, tarball], tmp, FULL_INSTALL ? 600_000 : 240_000);
  expect(install.code, install.stderr).toBe(0);
  installed = path.join(prefix, 'lib', 'node_modules', 'keyden-cli');
  if (!FULL_INSTALL) {
    const binding = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    fs.mkdirSync(path.dirname(path.join(installed, binding)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, binding), path.join(installed, binding));
  }
}, 660_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the packed CLI (npm run pack:cli)', () => {
  it('installs the CLI and the headless owner with runtime dependencies only', () => {
    const deps = fs.readdirSync(path.join(installed, 'node_modules'));
    // electron-updater is a runtime dependency of the app alone; zxcvbn-ts is bundled into build/cli/strength.cjs.
    for (const dev of ['electron', 'electron-vite', 'electron-builder', 'electron-updater', 'vite', 'react', 'react-dom', '@playwright', 'playwright', 'typescript', 'vitest', 'rolldown', 'radix-ui', '@zxcvbn-ts']) {
      expect(deps, dev).not.toContain(dev);
    }
    expect(deps).toEqual(expect.arrayContaining(['better-sqlite3', 'fastify', 'commander', 'zod', 'dotenv', '@noble', '@node-rs']));
    // The native Argon2id and its binary for this platform, from its optional dependency.
    expect(fs.readdirSync(path.join(installed, 'node_modules', '@node-rs')).some((d) => d.startsWith('argon2-'))).toBe(true);
    expect(fs.readdirSync(installed).sort()).toEqual(['README.md', 'bin', 'build', 'node_modules', 'npm-shrinkwrap.json', 'package.json']);
    expect(fs.existsSync(path.join(installed, 'build', 'main', 'app'))).toBe(false);
    expect(fs.existsSync(path.join(installed, 'build', 'cli', 'strength.cjs'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'build', 'cli', 'strength.js'))).toBe(false);
    expect(fs.existsSync(path.join(prefix, 'bin', 'keyden'))).toBe(true);
  });

  it('inits, serves, creates a token, imports, gets, exports and runs outside the repository', { timeout: 120_000 }, async () => {
    expect((await keyden(['--version'])).stdout.trim()).toContain(version);
    const init = await keyden(['init', '--password-stdin'], { input: `${PASSWORD}\n` });
    expect(init.code, init.stderr).toBe(0);

    const owner = spawn('keyden', ['serve', '--port', '0', '--password-stdin'], {
      cwd: home,
      env: { PATH: [path.join(prefix, 'bin'), path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter), HOME: home, KEYDEN_HOME: home, LANG: 'C.UTF-8' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const ownerDone = collect(owner, { input: `${PASSWORD}\n`, timeoutMs: 110_000 });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let seen = '';
        owner.stdout?.on('data', (c: Buffer) => {
          seen += c.toString();
          const m = /^Keyden API listening on (http:\/\/127\.0\.0\.1:\d+)\n/m.exec(seen);
          if (m?.[1]) resolve(m[1]);
        });
        ownerDone.then((r) => reject(new Error(`keyden serve exited (${r.code}): ${r.stderr}`)), reject);
      });

      const token = await keyden(['token', 'create', '--name', 'packed', '--scopes', 'categories:read,categories:write,entries:read,entries:write,entries:reveal', '--password-stdin'], { input: `${PASSWORD}\n` });
      expect(token.code, token.stderr).toBe(0);
      const env = { KEYDEN_URL: url, KEYDEN_TOKEN: token.stdout.trim() };

      fs.writeFileSync(path.join(home, 'web.env'), 'OPENAI_API_KEY=sk-packed-1234\nSTRIPE_KEY="sk live"\n');
      const imported = await keyden(['import', 'web.env', '--project', 'Web', '--env', 'production'], { env });
      expect(imported).toMatchObject({ code: 0, stdout: 'Imported 2, updated 0, skipped 0, failed 0\n' });
      expect(await keyden(['get', 'OPENAI_API_KEY', '--project', 'Web', '--env', 'production'], { env })).toMatchObject({ code: 0, stdout: 'sk-packed-1234\n' });
      const exported = await keyden(['export', '--project', 'Web', '--env', 'production', '--format', 'dotenv'], { env });
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toContain('OPENAI_API_KEY=sk-packed-1234');
      expect(exported.stdout).toContain('STRIPE_KEY=');
      const ran = await keyden(['run', '--project', 'Web', '--env', 'production', '--', 'node', '-e', 'process.stdout.write(process.env.STRIPE_KEY)'], { env });
      expect(ran).toMatchObject({ code: 0, stdout: 'sk live' });
    } finally {
      owner.kill('SIGTERM');
      await ownerDone;
    }
  });
});

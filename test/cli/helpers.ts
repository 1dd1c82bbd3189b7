// Test harness for the CLI: a real `keyden serve` on 127.0.0.1 (port 0) in a temp KEYDEN_HOME,
// and the real `keyden` bin spawned against it. No mocks of the API.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, openKeydenCore } from '../../src/main/core/index.js';
import type { Scope } from '../../src/shared/model.js';
import { tempDir as makeTempDir } from '../helpers/temp-dirs.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/keyden.cjs');
/** The same CLI, with the core's test-only cheap KDF set in code. */
export const CHEAP_BIN = path.join(ROOT, 'test/cli/fixtures/keyden-cheap-kdf.mjs');
export const CHEAP_KDF = { m: 8, t: 1 };
export const PASSWORD = 'correct horse battery staple';
export const ALL_SCOPES: Scope[] = ['categories:read', 'categories:write', 'entries:read', 'entries:write', 'entries:reveal', 'audit:read', 'vault:lock'];

/** What `npm run build:node` makes that the bin loads: the ESM CLI and the bundled `keyden get`. */
const BUILT = ['build/cli/run.js', 'build/cli/fast.cjs'].map((p) => path.join(ROOT, p));

/** Builds src → build/ once if any source is newer than the CLI's build (a lock keeps workers apart). */
export function ensureBuilt(): void {
  const newest = newestSource();
  const fresh = (): boolean => BUILT.every((p) => fs.existsSync(p) && fs.statSync(p).mtimeMs >= newest);
  if (fresh()) return;
  const lock = path.join(ROOT, 'build/.cli-test-build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('timed out waiting for another test worker to build');
      spawnSync('sleep', ['0.2']);
      if (fresh()) return;
    }
  }
  try {
    // The two steps of `npm run build:node`. Type errors elsewhere do not stop tsc from emitting,
    // so the bundle is made whatever tsc's exit code; a missing CLI build does fail below.
    const run = (script: string, args: string[]): void => {
      spawnSync(process.execPath, [path.join(ROOT, script), ...args], { cwd: ROOT, stdio: 'ignore', timeout: 60_000 });
    };
    run('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.node.json']);
    run('node_modules/rolldown/bin/cli.mjs', ['-c', 'rolldown.cli.config.js']);
    const now = new Date();
    for (const p of BUILT) fs.utimesSync(p, now, now);
  } finally {
    fs.rmdirSync(lock);
  }
}

function newestSource(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) {
        if (d.name !== 'app') walk(p);
      } else if (d.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const dir of ['src/cli', 'src/main', 'src/shared']) walk(path.join(ROOT, dir));
  return newest;
}

/** A temporary folder, removed after the test file (helpers/temp-dirs.ts). */
export function tempDir(prefix = 'keyden-cli-'): string {
  return makeTempDir(prefix);
}

export interface SeedResult {
  vaultPath: string;
  tokens: Record<string, string>;
  ids: Record<string, string>;
}

export interface Seed {
  categories?: { name: string; envVarName?: string; fields?: string[] }[];
  entries?: { key: string; category: string; name: string; environment?: string; value: string | Record<string, string>; envVarName?: string }[];
  tokens?: { key: string; scopes: Scope[]; projects?: string[]; environments?: string[] }[];
}

/** Creates a cheap-KDF vault in-process through the core and fills it. */
export async function seedVault(home: string, seed: Seed): Promise<SeedResult> {
  const vaultPath = path.join(home, 'vault.db');
  const core = openKeydenCore({ vaultPath, role: 'admin', unsafeTestKdf: CHEAP_KDF });
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  try {
    await core.vault.create(CLI, PASSWORD);
    const categoryIds = new Map<string, string>();
    for (const c of seed.categories ?? []) {
      const made = c.fields
        ? core.categories.create(CLI, { name: c.name, keyType: 'group', fields: c.fields })
        : core.categories.create(CLI, { name: c.name, keyType: 'simple', envVarName: c.envVarName ?? c.name.toUpperCase() });
      categoryIds.set(c.name, made.id);
    }
    for (const e of seed.entries ?? []) {
      const made = core.entries.create(CLI, {
        categoryId: categoryIds.get(e.category) ?? '',
        name: e.name,
        environment: e.environment ?? 'development',
        value: e.value,
        ...(e.envVarName ? { envVarName: e.envVarName } : {}),
      });
      ids[e.key] = made.id;
    }
    for (const t of seed.tokens ?? []) {
      tokens[t.key] = core.tokens.create(CLI, {
        name: t.key,
        scopes: t.scopes,
        projects: t.projects ?? null,
        environments: t.environments ?? null,
      }).secret;
    }
  } finally {
    core.close();
  }
  return { vaultPath, tokens, ids };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  cwd?: string;
  timeoutMs?: number;
  bin?: string;
}

/** Spawns the real `keyden` with a clean environment (HOME and KEYDEN_HOME in the temp folder). */
export function keyden(home: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const child = spawnKeyden(home, args, options);
  return collect(child, options);
}

export function spawnKeyden(home: string, args: string[], options: RunOptions = {}): ChildProcess {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KEYDEN_HOME: home, LANG: 'C.UTF-8' };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, [options.bin ?? BIN, ...args], { cwd: options.cwd ?? home, env, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}

/** Runs keyden with its stdout closed before it writes (a reader that went away): its exit code and stderr. */
export async function keydenWithoutReader(home: string, args: string[], options: RunOptions = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawnKeyden(home, args, options);
  child.stdout?.destroy();
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin?.end();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stderr };
}

// Whatever a failed test left running dies with the test worker.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function collect(child: ChildProcess, options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keyden did not finish within ${options.timeoutMs ?? 20_000} ms: ${Buffer.concat(err).toString()}`));
    }, options.timeoutMs ?? 20_000);
    timer.unref();
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin?.on('error', () => undefined); // the command may exit before reading its input
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

export interface Serving {
  url: string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<RunResult>;
}

/** Starts `keyden serve --port 0` (by default with the cheap-KDF harness) and waits for its line. */
export function serve(home: string, args: string[] = [], options: RunOptions & { password?: string | null } = {}): Promise<Serving> {
  const password = options.password === undefined ? PASSWORD : options.password;
  const child = spawnKeyden(home, ['serve', '--port', '0', ...(password === null ? [] : ['--password-stdin']), ...args], { bin: CHEAP_BIN, ...options });
  // The server's whole life (until stop) is bounded by the test's own timeout, not this one.
  const result = collect(child, { ...options, input: password === null ? undefined : `${password}\n`, timeoutMs: 600_000 });
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keyden serve did not start: ${seen}`));
    }, options.timeoutMs ?? 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      seen += c.toString();
      const m = /^Keyden API listening on (http:\/\/127\.0\.0\.1:\d+)\n/m.exec(seen);
      if (m?.[1]) {
        clearTimeout(timer);
        const url = m[1];
        resolve({
          url,
          child,
          stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return result;
          },
        });
      }
    });
    result.then(
      (r) => {
        clearTimeout(timer);
        reject(new Error(`keyden serve exited (${r.code}): ${r.stderr}`));
      },
      (e: unknown) => reject(e as Error),
    );
  });
}

/** No failure may print a stack trace. */
export function hasStackTrace(stderr: string): boolean {
  return /\n\s+at .+[:(]/.test(stderr) || /^\s+at /m.test(stderr);
}

/** Temporary Keyden homes for one test file: `make` one; `removeAll` once the file is done (its afterAll). */
export function scratchHomes(): { make: () => string; removeAll: () => void } {
  const homes: string[] = [];
  return {
    make: () => {
      const home = tempDir();
      homes.push(home);
      return home;
    },
    removeAll: () => {
      for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
    },
  };
}

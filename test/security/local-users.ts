// Real local users (an attacker and a victim) for the cross-user attacks of other-users.test.ts.
// Root only (useradd / runuser, as the CI machine runs); each file makes its own users and removes them.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, collect, type RunResult } from '../cli/helpers.js';

export interface User {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export function createUser(name: string): User {
  spawnSync('userdel', ['-r', name], { stdio: 'ignore' });
  const r = spawnSync('useradd', ['-m', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`useradd ${name}: ${r.stderr}`);
  const uid = Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
  return { name, uid, gid, home: `/home/${name}` };
}

export function removeUser(user: User | undefined): void {
  if (!user) return;
  spawnSync('userdel', ['-r', user.name], { stdio: 'ignore' });
}

/** Runs the real `keyden` bin as `user`, with a clean environment. */
export function keydenAs(user: User, args: string[], options: { env?: Record<string, string>; input?: string; cwd?: string; bin?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: user.home, LANG: 'C.UTF-8', ...options.env };
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const child = spawn('runuser', ['-u', user.name, '--', 'env', '-i', ...envArgs, process.execPath, options.bin ?? BIN, ...args], {
    cwd: options.cwd ?? '/',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return collect(child, { input: options.input, timeoutMs: options.timeoutMs ?? 30_000 });
}

/** Runs a shell command as `user`; throws on failure. */
export function shAs(user: User, script: string): string {
  const r = spawnSync('runuser', ['-u', user.name, '--', 'bash', '-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`as ${user.name}: ${script}: ${r.stderr}`);
  return r.stdout;
}

/** A folder anyone can read (for scripts another user runs). */
export function sharedScriptDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyden-r4-scripts-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** The next pid the kernel will hand out (root can read it). */
export function lastPid(): number {
  return Number(fs.readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8').trim());
}

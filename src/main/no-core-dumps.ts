// The owner holds the master password, the vault key and revealed values in its heap: a core dump
// of it would write them to disk (systemd-coredump keeps cores). KeePassXC calls
// setrlimit(RLIMIT_CORE, 0) and prctl(PR_SET_DUMPABLE, 0); Node has neither and Keyden ships no
// native addon, so on Linux the owner has util-linux's `prlimit` lower its own core limit to 0:0
// (soft and hard, so nothing in the process can raise it again), and it checks /proc/self/limits.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** What the owner needs of the system, a port so that tests need not spawn. */
export interface CoreDumpSystem {
  readonly platform: NodeJS.Platform;
  readonly pid: number;
  /** Runs a program without a shell; `error` is set when it could not be started or timed out. */
  run(file: string, args: readonly string[]): { status: number | null; error?: Error; stderr: string };
  readText(path: string): string;
  writeText(path: string, text: string): void;
}

/** Where prlimit lives on Debian, Ubuntu, Fedora, Arch and NixOS; PATH itself is not trusted. */
const SYSTEM_PATH = '/usr/bin:/bin:/usr/sbin:/sbin:/run/current-system/sw/bin';

export const nodeCoreDumpSystem: CoreDumpSystem = {
  platform: process.platform,
  pid: process.pid,
  run: (file, args) => {
    const r = spawnSync(file, args, { env: { PATH: SYSTEM_PATH, LC_ALL: 'C' }, timeout: 2_000, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    return { status: r.status, stderr: r.stderr ?? '', ...(r.error ? { error: r.error } : {}) };
  },
  readText: (path) => readFileSync(path, 'utf8'),
  writeText: (path, text) => writeFileSync(path, text),
};

/** The arguments that set this process's core limit (soft:hard) to 0. */
export function prlimitArgs(pid: number): string[] {
  return [`--pid=${pid}`, '--core=0:0'];
}

/** Whether /proc/<pid>/limits says the core limit is 0, soft and hard. */
export function coreLimitIsZero(limits: string): boolean {
  return /^Max core file size\s+0\s+0\s/m.test(limits);
}

/**
 * Turns off core dumps of this process where it can (Linux). Returns null when done or nothing
 * is to be done (macOS: no core unless the user raised the limit; Windows: WER is not stopped),
 * else one sentence saying why not. Never throws: the owner starts either way.
 */
export function disableCoreDumps(system: CoreDumpSystem = nodeCoreDumpSystem): string | null {
  if (system.platform !== 'linux') return null;
  // Also keep the heap (anonymous memory) out of any core a pipe handler still takes: the process may write its own filter.
  try {
    system.writeText('/proc/self/coredump_filter', '0');
  } catch {
    // Not fatal: the limit below is what stops a core file.
  }
  const r = system.run('prlimit', prlimitArgs(system.pid));
  let limits: string | null = null;
  try {
    limits = system.readText('/proc/self/limits');
  } catch {
    // Without /proc the limit cannot be checked: prlimit's exit status decides.
  }
  if (limits !== null && coreLimitIsZero(limits)) return null;
  if (r.error) return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'prlimit (util-linux) was not found' : `prlimit failed: ${r.error.message}`;
  if (r.status !== 0) return `prlimit failed: ${r.stderr.trim().split('\n')[0] || `exit ${String(r.status)}`}`;
  return limits === null ? null : 'prlimit ran but the core limit is still not 0';
}

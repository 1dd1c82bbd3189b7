// The owner holds the master password, the vault key and revealed values in its heap: a core dump
// of it would write them to disk (systemd-coredump keeps cores). KeePassXC calls
// setrlimit(RLIMIT_CORE, 0) and prctl(PR_SET_DUMPABLE, 0); Node has neither and Keyden ships no
// native addon, so on Linux the owner has util-linux's `prlimit` lower its own core limit to 0:0
// (soft and hard, so nothing in the process can raise it again), and it checks /proc/self/limits.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** What the owner needs of the system, a port so that tests need not spawn. */
export interface CoreDumpSystem {
  readonly platform: NodeJS.Platform;
  readonly pid: number;
  /** Runs a program without a shell; `error` is set when it could not be started or timed out. */
  run(file: string, args: readonly string[]): { status: number | null; error?: Error; stderr: string };
  readText(path: string): string;
  writeText(path: string, text: string): void;
  /** The ids of the processes /proc lists. */
  processIds(): number[];
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
  processIds: () => readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name)).map(Number),
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

/** The parent pid in a /proc/<pid>/stat line: the field after the state, past the command's last ')'. */
export function parentPidOf(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
}

/** Every process below `root` (children, their children…), as /proc shows them now. */
export function descendantsOf(root: number, system: CoreDumpSystem): number[] {
  const children = new Map<number, number[]>();
  for (const pid of system.processIds()) {
    let ppid: number | null = null;
    try {
      ppid = parentPidOf(system.readText(`/proc/${pid}/stat`));
    } catch {
      continue; // it ended meanwhile
    }
    if (ppid === null) continue;
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Sets the core limit of every process below `root` to 0 (Linux). For the desktop app: Chromium
 * starts its zygotes (which fork every renderer) and may start other helpers before Keyden's code
 * runs, so they missed the limit `disableCoreDumps` set on the main process; what they start
 * later inherits theirs. A renderer holds the password field and revealed values. Returns the
 * pids whose limit could not be set (a process that ended meanwhile is not one).
 */
export function disableCoreDumpsBelow(root: number, system: CoreDumpSystem = nodeCoreDumpSystem): number[] {
  if (system.platform !== 'linux') return [];
  const failed: number[] = [];
  for (const pid of descendantsOf(root, system)) {
    const r = system.run('prlimit', prlimitArgs(pid));
    if (r.status === 0) continue;
    let limits: string;
    try {
      limits = system.readText(`/proc/${pid}/limits`);
    } catch {
      continue; // gone
    }
    if (!coreLimitIsZero(limits)) failed.push(pid);
  }
  return failed;
}

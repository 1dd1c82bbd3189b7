// The owner's exclusive `<vault>.lock` (DESIGN §3): one process holds the vault open and unlocked.
// "The same vault" is the same file, however it is named (issue 14, item 1): the lock is taken on
// the real path (symlinks resolved) and on the file's device and inode (hard links), the latter in
// a per-user folder of the temp directory that every name of the file leads to.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeydenError } from '../../shared/errors.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Locks this process holds, so a second owner inside the same process is refused too. */
const held = new Set<string>();

export interface OwnerLock {
  release(): void;
}

/** The vault's path with every symlink resolved (the folder's, if the file does not exist yet). */
export function realVaultPath(vaultPath: string): string {
  try {
    return fs.realpathSync(vaultPath);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(vaultPath)), path.basename(vaultPath));
    } catch {
      return path.resolve(vaultPath);
    }
  }
}

/** The per-user folder of inode locks, or null if it is not safely ours (then only the path lock holds). */
function inodeLockDir(): string | null {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  const dir = path.join(os.tmpdir(), `keyden-locks-${uid ?? os.userInfo().username}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') return null;
  }
  try {
    const stat = fs.lstatSync(dir);
    // Another user's folder (or a symlink planted there) is not trusted with our locks.
    if (!stat.isDirectory() || (uid !== null && stat.uid !== uid)) return null;
    return dir;
  } catch {
    return null;
  }
}

/** Takes the owner lock of the vault file: on its real path, and on its device and inode. */
export function acquireOwnerLock(vaultPath: string): OwnerLock {
  const real = realVaultPath(vaultPath);
  const lockPaths = [`${real}.lock`];
  let stat: fs.Stats | null = null;
  try {
    stat = fs.statSync(real);
  } catch {
    // No file yet (a vault being created): its path is all there is to lock.
  }
  const dir = stat ? inodeLockDir() : null;
  if (stat && dir) lockPaths.push(path.join(dir, `${stat.dev}-${stat.ino}.lock`));
  const taken: OwnerLock[] = [];
  try {
    for (const lockPath of lockPaths) taken.push(acquireLockFile(lockPath));
  } catch (e) {
    for (const lock of taken) lock.release();
    throw e;
  }
  if (dir) sweepStaleLocks(dir);
  return {
    release() {
      for (const lock of taken) lock.release();
    },
  };
}

/**
 * Removes the inode locks in `dir` whose process is gone: an owner killed (kill -9, a crash)
 * leaves its lock there, and its vault file may be gone too, so no later owner of that file
 * would ever take it over. At most 512 a time; each is removed only if it is still the file read.
 */
function sweepStaleLocks(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names.slice(0, 512)) {
    if (!/^\d+-\d+\.lock$/.test(name)) continue;
    const lockPath = path.join(dir, name);
    const seen = inspectLock(lockPath);
    if (seen.kind !== 'file') continue;
    const pid = lockPid(seen.content);
    // This process's own pid is never swept: another thread of it (a worker) may hold that lock.
    if (pid !== null && (pid === process.pid || isAlive(pid))) continue;
    removeStaleLock(lockPath, seen);
  }
}

/** What is at a lock's path: nothing, a regular file (its first bytes and its stat), or something else. */
export type SeenLock = { kind: 'gone' } | { kind: 'file'; content: string; stat: fs.Stats } | { kind: 'other'; stat: fs.Stats };

// Never follow a symlink or wait on a FIFO planted at a lock's name (POSIX; 0 where they do not exist).
const SAFE_READ = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/** Looks at `lockPath` without following a symlink or blocking on a FIFO. */
export function inspectLock(lockPath: string): SeenLock {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(lockPath);
  } catch {
    return { kind: 'gone' };
  }
  if (!stat.isFile()) return { kind: 'other', stat };
  let fd: number;
  try {
    fd = fs.openSync(lockPath, SAFE_READ);
  } catch {
    return { kind: 'gone' }; // replaced or removed since: look again
  }
  try {
    const opened = fs.fstatSync(fd);
    if (!opened.isFile()) return { kind: 'other', stat: opened };
    const buffer = Buffer.alloc(32);
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return { kind: 'file', content: buffer.subarray(0, n).toString('utf8'), stat: opened };
  } finally {
    fs.closeSync(fd);
  }
}

/** The pid a lock file names, or null (empty, garbage). */
function lockPid(content: string): number | null {
  const pid = Number.parseInt(content.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

const sameFile = (a: fs.Stats, b: fs.Stats): boolean => a.dev === b.dev && a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.size === b.size;

/** A takeover lock older than this was left by a process that died in the microseconds it holds one. */
const TAKEOVER_STALE_MS = 10_000;

/**
 * Removes the stale lock `seen` at `lockPath`, if it is still there. Removers take turns under
 * `<lock>.takeover` (placed whole, like any lock), and under it the lock is removed only if it is
 * still the very file judged stale (device, inode, mtime, size and content): a lock another
 * process placed meanwhile is never touched. (Moving the lock aside first, as before, could move
 * a live one and fail to put it back: two holders.) Returns without removing anything when
 * another process is taking over: the caller looks again.
 */
export function removeStaleLock(lockPath: string, seen: Exclude<SeenLock, { kind: 'gone' }>): void {
  const takeover = `${lockPath}.takeover`;
  if (!placeLockFile(takeover)) {
    const other = inspectLock(takeover);
    if (other.kind !== 'gone' && Date.now() - other.stat.mtimeMs > TAKEOVER_STALE_MS) {
      // Left by a crash: removed only if it is still that file.
      const again = inspectLock(takeover);
      if (again.kind !== 'gone' && sameFile(again.stat, other.stat)) fs.rmSync(takeover, { force: true });
    }
    return;
  }
  try {
    const now = inspectLock(lockPath);
    const unchanged = now.kind === seen.kind && sameFile(now.stat, seen.stat) && (now.kind !== 'file' || (seen.kind === 'file' && now.content === seen.content));
    if (unchanged) fs.rmSync(lockPath, { force: true });
  } finally {
    removeIfMine(takeover);
  }
}

/** Removes the lock at `lockPath` if it names this process (another may have taken it over since). */
function removeIfMine(lockPath: string): void {
  const mine = inspectLock(lockPath);
  if (mine.kind === 'file' && lockPid(mine.content) === process.pid) fs.rmSync(lockPath, { force: true });
}

/**
 * Takes `lockPath`: a file holding this process's pid. It is put in place whole (written to a
 * file of its own, then hard-linked to the lock's name, which fails if the name is taken), so
 * another process never reads it half-written and takes an empty file for a stale lock.
 * `staleAfterMs`: a lock older than this is stale whoever holds it (for locks held a few
 * milliseconds: a pid reused after a crash must not keep them forever).
 */
function acquireLockFile(lockPath: string, options: { staleAfterMs?: number } = {}): OwnerLock {
  if (held.has(lockPath)) throw new KeydenError('CONFLICT', 'the vault is already open in this Keyden process', { pid: process.pid });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (placeLockFile(lockPath)) {
      held.add(lockPath);
      sweepHalfPlaced(lockPath);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          held.delete(lockPath);
          removeIfMine(lockPath);
        },
      };
    }
    const seen = inspectLock(lockPath);
    if (seen.kind === 'gone') continue; // released meanwhile: try again
    if (seen.stat.isDirectory()) {
      throw new KeydenError('CONFLICT', `${lockPath} is a folder, not a Keyden lock file; remove it if no Keyden process is running`);
    }
    if (seen.kind === 'file') {
      const pid = lockPid(seen.content);
      const old = options.staleAfterMs !== undefined && Date.now() - seen.stat.mtimeMs > options.staleAfterMs;
      if (pid !== null && pid !== process.pid && isAlive(pid) && !old) {
        throw new KeydenError('CONFLICT', `the vault is already open in another Keyden process (pid ${pid}); close it first`, { pid });
      }
    }
    // A stale lock (its process is gone, our own leftover, too old for its kind) or something that
    // is no lock file (a symlink, a FIFO): take it over.
    removeStaleLock(lockPath, seen);
  }
  throw new KeydenError('CONFLICT', 'could not take the vault lock; another Keyden process keeps taking it');
}

/** Whether link(2) failed with this code because the file system has no hard links (FAT, some network shares). */
export const noHardLinks = (code: string | undefined): boolean => code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP';

/** Puts a lock file holding this pid at `lockPath`; false when the name is taken. */
function placeLockFile(lockPath: string): boolean {
  const own = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(own, String(process.pid), { mode: 0o600, flag: 'wx' });
  let linked: boolean | null;
  try {
    fs.linkSync(own, lockPath);
    linked = true;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EEXIST') linked = false;
    else if (noHardLinks(code)) linked = null;
    else throw e;
  } finally {
    fs.rmSync(own, { force: true });
  }
  if (linked !== null) return linked;
  // A file system without hard links (FAT, some network shares): created in place, as exclusive,
  // with the short window in which another process could read it empty.
  try {
    const fd = fs.openSync(lockPath, 'wx', 0o600);
    fs.writeSync(fd, String(process.pid));
    fs.closeSync(fd);
    return true;
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
    return false;
  }
}

/** Where a lock is first written (placeLockFile): `<lock>.<pid>.<12 hex>.tmp`, or the same for its takeover lock. */
const HALF_PLACED = /^(?:\.takeover)?\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the files that processes killed while placing `lockPath` (or its takeover lock) left
 * beside it: each lives for microseconds, between its write and its removal, so one whose process
 * is gone, or older than TAKEOVER_STALE_MS (its pid since reused), is litter. Run by each holder.
 */
function sweepHalfPlaced(lockPath: string): void {
  const dir = path.dirname(lockPath);
  const base = path.basename(lockPath);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const found = name.startsWith(base) ? HALF_PLACED.exec(name.slice(base.length)) : null;
    if (!found) continue;
    const file = path.join(dir, name);
    try {
      const pid = Number(found[1]);
      const old = Date.now() - fs.lstatSync(file).mtimeMs > TAKEOVER_STALE_MS;
      if (old || (pid !== process.pid && !isAlive(pid))) fs.rmSync(file, { force: true });
    } catch {
      // Gone meanwhile, or not ours to remove: the lock is held all the same.
    }
  }
}

/** Blocks this thread for `ms` (a lock held by another process for a few milliseconds). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A short lock (withLockFile) older than this is stale, whatever pid it names. */
const SHORT_LOCK_STALE_MS = 2_000;

/**
 * Runs `fn` holding the lock file `lockPath`, waiting up to `waitMs` while another process holds
 * it: for the short read-change-write of a file several Keyden processes share (known-vaults.json).
 * Such a lock is held for milliseconds, so one older than 2 s is taken over even if its pid is alive
 * (a pid reused after a kill -9 would otherwise keep it, and every record after it, forever).
 */
export function withLockFile<T>(lockPath: string, fn: () => T, waitMs = 3_000): T {
  const deadline = Date.now() + waitMs;
  let lock: OwnerLock;
  for (;;) {
    try {
      lock = acquireLockFile(lockPath, { staleAfterMs: SHORT_LOCK_STALE_MS });
      break;
    } catch (e) {
      if (!(e instanceof KeydenError && e.code === 'CONFLICT') || Date.now() > deadline) throw e;
      sleepSync(1 + Math.random() * 2);
    }
  }
  try {
    return fn();
  } finally {
    lock.release();
  }
}

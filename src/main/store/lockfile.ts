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
 * would ever take it over. At most 512 a time; each is removed only if it still holds what was read.
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
    let content: string;
    try {
      content = fs.readFileSync(lockPath, 'utf8');
    } catch {
      continue;
    }
    const pid = Number.parseInt(content.trim(), 10);
    // This process's own pid is never swept: another thread of it (a worker) may hold that lock.
    if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || isAlive(pid))) continue;
    removeIfStill(lockPath, content);
  }
}

/**
 * Takes `lockPath`: a file holding this process's pid. It is put in place whole (written to a
 * file of its own, then hard-linked to the lock's name, which fails if the name is taken), so
 * another process never reads it half-written and takes an empty file for a stale lock.
 */
function acquireLockFile(lockPath: string): OwnerLock {
  if (held.has(lockPath)) throw new KeydenError('CONFLICT', 'the vault is already open in this Keyden process', { pid: process.pid });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (placeLockFile(lockPath)) {
      held.add(lockPath);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          held.delete(lockPath);
          try {
            if (fs.readFileSync(lockPath, 'utf8').trim() === String(process.pid)) fs.unlinkSync(lockPath);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    }
    let content: string;
    try {
      content = fs.readFileSync(lockPath, 'utf8');
    } catch {
      continue; // released meanwhile: try again
    }
    const pid = Number.parseInt(content.trim(), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new KeydenError('CONFLICT', `the vault is already open in another Keyden process (pid ${pid}); close it first`, { pid });
    }
    // A stale lock (its process is gone, or it is our own leftover): take it over.
    removeIfStill(lockPath, content);
  }
  throw new KeydenError('CONFLICT', 'could not take the vault lock; another Keyden process keeps taking it');
}

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
    else if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') linked = null;
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

/**
 * Removes the stale lock at `lockPath` if it still holds `content`. It is first moved aside (one
 * process wins the move): a lock another process placed since, after removing the same stale
 * one, is put back instead of removed.
 */
function removeIfStill(lockPath: string, content: string): void {
  const aside = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}.stale`;
  try {
    fs.renameSync(lockPath, aside);
  } catch {
    return; // already moved or removed by another process
  }
  try {
    if (fs.readFileSync(aside, 'utf8') !== content) fs.linkSync(aside, lockPath);
  } catch {
    // The name was taken again meanwhile: that lock stands.
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/** Blocks this thread for `ms` (a lock held by another process for a few milliseconds). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `fn` holding the lock file `lockPath`, waiting up to `waitMs` while another process holds
 * it: for the short read-change-write of a file several Keyden processes share (known-vaults.json).
 */
export function withLockFile<T>(lockPath: string, fn: () => T, waitMs = 5_000): T {
  const deadline = Date.now() + waitMs;
  let lock: OwnerLock;
  for (;;) {
    try {
      lock = acquireLockFile(lockPath);
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

// The owner's exclusive `<vault>.lock` (DESIGN §3): one process holds the vault open and unlocked.
import fs from 'node:fs';
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

export function acquireOwnerLock(vaultPath: string): OwnerLock {
  const lockPath = `${vaultPath}.lock`;
  if (held.has(lockPath)) throw new KeydenError('CONFLICT', 'the vault is already open in this Keyden process', { pid: process.pid });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
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
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8').trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new KeydenError('CONFLICT', `the vault is already open in another Keyden process (pid ${pid}); close it first`, { pid });
      }
      // A stale lock (its process is gone, or it is our own leftover): take it over.
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new KeydenError('CONFLICT', 'could not take the vault lock; another Keyden process keeps taking it');
}

// The lock files of store/lockfile.ts: the owner's `<vault>.lock`, and the short lock that keeps
// Keyden processes from overwriting one another's known-vaults.json.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import os from 'node:os';
import { acquireOwnerLock, inspectLock, removeStaleLock, withLockFile } from '../../src/main/store/lockfile.js';
import { tempDir } from '../helpers/core.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  while (dirs.length) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});

function folder(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}

describe('withLockFile', () => {
  it('runs the job holding the lock, then removes it and leaves no other file', () => {
    const dir = folder();
    const lock = path.join(dir, 'known-vaults.json.lock');
    const seen = withLockFile(lock, () => fs.readFileSync(lock, 'utf8'));
    expect(seen).toBe(String(process.pid));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('takes over a lock whose process is gone, and one left empty', () => {
    const dir = folder();
    const lock = path.join(dir, 'known-vaults.json.lock');
    for (const left of ['999999', '']) {
      fs.writeFileSync(lock, left);
      expect(withLockFile(lock, () => 'ran')).toBe('ran');
      expect(fs.readdirSync(dir)).toEqual([]);
    }
  });

  it('waits for a live process that holds the lock, and gives up with CONFLICT after the wait, leaving its lock in place', async () => {
    const dir = folder();
    const lock = path.join(dir, 'known-vaults.json.lock');
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(lock, String(holder.pid));
      const started = Date.now();
      expect(() => withLockFile(lock, () => 'ran', 200)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(fs.readFileSync(lock, 'utf8')).toBe(String(holder.pid));
      expect(fs.readdirSync(dir)).toEqual(['known-vaults.json.lock']);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('runs the job once the holder lets go within the wait', async () => {
    const dir = folder();
    const lock = path.join(dir, 'known-vaults.json.lock');
    // Another process holds the lock for ~150 ms, then removes it (as a release does).
    const holder = spawn(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(lock)}, String(process.pid)); setTimeout(() => require('fs').unlinkSync(${JSON.stringify(lock)}), 150)`], { stdio: 'ignore' });
    try {
      const deadline = Date.now() + 5_000;
      while (!fs.existsSync(lock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(withLockFile(lock, () => 'ran', 5_000)).toBe('ran');
      expect(fs.existsSync(lock)).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a short lock older than 2 s even when the pid it names is alive (a pid reused after a kill -9)', () => {
    const dir = folder();
    const lock = path.join(dir, 'known-vaults.json.lock');
    fs.writeFileSync(lock, String(process.ppid));
    const old = new Date(Date.now() - 5_000);
    fs.utimesSync(lock, old, old);
    const started = Date.now();
    expect(withLockFile(lock, () => 'ran', 1_000)).toBe('ran');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('takes over a dangling symlink or a FIFO planted at the lock\'s name without following or opening it, and refuses a folder with a clear message', () => {
    const dir = folder();
    const lock = path.join(dir, 'known-vaults.json.lock');
    const target = path.join(dir, 'target');
    fs.symlinkSync(target, lock);
    expect(withLockFile(lock, () => 'ran', 1_000)).toBe('ran');
    expect(fs.existsSync(target)).toBe(false);
    expect(spawnSync('mkfifo', [lock]).status).toBe(0);
    expect(withLockFile(lock, () => 'ran', 1_000)).toBe('ran');
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.mkdirSync(lock);
    expect(() => withLockFile(lock, () => 'ran', 100)).toThrow(/is a folder, not a Keyden lock file/);
  });

  it('never removes a lock another process placed after the stale one was read (two holders)', () => {
    const dir = folder();
    const lock = path.join(dir, 'known-vaults.json.lock');
    fs.writeFileSync(lock, '999999');
    const stale = inspectLock(lock);
    expect(stale.kind).toBe('file');
    // Meanwhile another process took it over and holds it now.
    fs.rmSync(lock);
    fs.writeFileSync(lock, String(process.ppid));
    removeStaleLock(lock, stale as Exclude<typeof stale, { kind: 'gone' }>);
    expect(fs.readFileSync(lock, 'utf8')).toBe(String(process.ppid));
    expect(fs.readdirSync(dir)).toEqual(['known-vaults.json.lock']);
  });

  it('clears a takeover lock left by a process that died holding it, then takes the lock', () => {
    const dir = folder();
    const lock = path.join(dir, 'known-vaults.json.lock');
    fs.writeFileSync(lock, '999999');
    fs.writeFileSync(`${lock}.takeover`, '999998');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${lock}.takeover`, old, old);
    expect(withLockFile(lock, () => 'ran', 1_000)).toBe('ran');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('still locks on a file system without hard links (FAT, some network shares), creating the lock in place', () => {
    const dir = folder();
    const lock = path.join(dir, 'vault.db.lock');
    const link = vi.spyOn(fs, 'linkSync').mockImplementation(() => {
      throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
    });
    expect(withLockFile(lock, () => fs.readFileSync(lock, 'utf8'))).toBe(String(process.pid));
    expect(link).toHaveBeenCalled();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('the owner lock', () => {
  it('removes the half-placed lock files that processes killed while placing a lock left beside it, and keeps a live one\'s and anything else', () => {
    const dir = folder();
    const vault = path.join(dir, 'vault.db');
    fs.writeFileSync(vault, '');
    const name = (pid: number, hex: string, takeover = false): string => path.join(dir, `vault.db.lock${takeover ? '.takeover' : ''}.${pid}.${hex}.tmp`);
    const gone = [name(999999, '0123456789ab'), name(999998, 'aaaaaaaaaaaa', true)];
    // A live process holds its own for microseconds: one a minute old was left by a process whose pid now belongs to another.
    const old = name(process.ppid, 'bbbbbbbbbbbb');
    const live = name(process.ppid, 'cccccccccccc');
    const others = [path.join(dir, 'vault.db.999999.0123456789ab.tmp'), path.join(dir, 'notes.tmp'), path.join(dir, 'vault.db.lock.999999.tmp')];
    for (const file of [...gone, old, live, ...others]) fs.writeFileSync(file, 'x');
    const minuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(old, minuteAgo, minuteAgo);
    const lock = acquireOwnerLock(vault);
    lock.release();
    expect(fs.readdirSync(dir).sort()).toEqual(['vault.db', ...[live, ...others].map((f) => path.basename(f))].sort());
  });

  it('removes one left beside the short lock of known-vaults.json too', () => {
    const dir = folder();
    const lock = path.join(dir, 'known-vaults.json.lock');
    fs.writeFileSync(`${lock}.999999.0123456789ab.tmp`, '999999');
    expect(withLockFile(lock, () => 'ran')).toBe('ran');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('sweeps the inode locks left by owners that are gone (a kill -9), and keeps those of live processes', () => {
    const dir = folder();
    const vault = path.join(dir, 'vault.db');
    fs.writeFileSync(vault, '');
    const inodeLocks = path.join(os.tmpdir(), `keyden-locks-${process.getuid!()}`);
    fs.mkdirSync(inodeLocks, { recursive: true, mode: 0o700 });
    // Names no real file has (device 0): one left by a process that is gone, one held by a live one.
    const stale = path.join(inodeLocks, `0-${process.pid}1.lock`);
    const live = path.join(inodeLocks, `0-${process.pid}2.lock`);
    fs.writeFileSync(stale, '999999');
    fs.writeFileSync(live, String(process.ppid));
    try {
      const lock = acquireOwnerLock(vault);
      lock.release();
      expect(fs.existsSync(stale)).toBe(false);
      expect(fs.readFileSync(live, 'utf8')).toBe(String(process.ppid));
    } finally {
      fs.rmSync(stale, { force: true });
      fs.rmSync(live, { force: true });
    }
  });
});

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP, CLI, openKeydenCore } from '../../src/main/core/index.js';
import { SCHEMA_VERSION } from '../../src/main/store/migrations.js';

/** One turn of the event loop, as between two batches of requests. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
import { createTestVault, PASSWORD, TEST_KDF, tempDir, type TestVault } from '../helpers/core.js';
import { remacVault } from '../helpers/remac.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function vaultWithEntries(): Promise<TestVault & { ids: string[]; categoryId: string }> {
  const v = await createTestVault();
  cleanups.push(() => v.close());
  const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
  const ids = ['Blog', 'Shop', 'Docs'].map((name) => v.core.entries.create(APP, { categoryId: c.id, name, value: `sk-${name}` }).id);
  return { ...v, ids, categoryId: c.id };
}

function reopen(vaultPath: string) {
  const core = openKeydenCore({ vaultPath, unsafeTestKdf: TEST_KDF });
  cleanups.push(() => core.close());
  return core;
}

function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('unlocking', () => {
  it('refuses a wrong password with INVALID_PASSWORD and records the failure', async () => {
    const v = await vaultWithEntries();
    v.core.vault.lock(APP);
    await expect(v.core.vault.unlock(APP, 'wrong password!')).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
    expect(v.core.vault.status().locked).toBe(true);
    await v.core.vault.unlock(APP, PASSWORD);
    const failed = v.core.audit.list({ action: 'vault.unlock' }).items.find((e) => !e.ok);
    expect(failed).toBeDefined();
  });

  it('stays locked, keeping the failures it recorded while locked, when its audit rows cannot be written', async () => {
    const v = await vaultWithEntries();
    v.core.vault.lock(APP);
    await expect(v.core.vault.unlock(APP, 'wrong password!')).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
    // Another writer holds the file past the owner's busy timeout (5 s): the unlock's audit rows cannot go in.
    const other = new Database(v.vaultPath);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expect(v.core.vault.unlock(APP, PASSWORD)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      expect(v.core.vault.status().locked).toBe(true);
      expect(() => v.core.entries.list(APP)).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }));
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await v.core.vault.unlock(APP, PASSWORD);
    const unlocks = v.core.audit.list({ action: 'vault.unlock' }).items;
    expect(unlocks.filter((e) => !e.ok)).toHaveLength(1);
  }, 20_000);

  it('brings back every entry after a lock and an unlock', async () => {
    const v = await vaultWithEntries();
    v.core.close();
    const core = reopen(v.vaultPath);
    await core.vault.unlock(APP, PASSWORD);
    expect(core.entries.list(APP).total).toBe(3);
    expect((await core.entries.reveal(APP, v.ids[1]!)).value).toBe('sk-Shop');
  });

  it('forgets overviews and keys when locked', async () => {
    const v = await vaultWithEntries();
    v.core.vault.lock(APP);
    expect(() => v.core.entries.list(APP)).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }));
    expect(() => v.core.categories.list()).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }));
  });

  it('upgrades a vault with weaker Argon2 parameters to the defaults when unlocked normally', async () => {
    const v = await vaultWithEntries();
    v.core.close();
    const core = openKeydenCore({ vaultPath: v.vaultPath });
    cleanups.push(() => core.close());
    await core.vault.unlock(APP, PASSWORD);
    const db = new Database(v.vaultPath, { readonly: true });
    const kdf = JSON.parse((db.prepare("SELECT value FROM meta WHERE key='kdf'").get() as { value: string }).value);
    db.close();
    expect(kdf).toMatchObject({ alg: 'argon2id', version: 19, m: 65536, t: 3, p: 1 });
    core.vault.lock(APP);
    await core.vault.unlock(APP, PASSWORD);
    expect(core.entries.list(APP).total).toBe(3);
  });
});

describe('changing the master password', () => {
  it('re-wraps the vault key so only the new password opens it, and keeps every value', async () => {
    const v = await vaultWithEntries();
    await v.core.vault.changePassword(APP, PASSWORD, 'a brand new password');
    v.core.vault.lock(APP);
    await expect(v.core.vault.unlock(APP, PASSWORD)).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
    await v.core.vault.unlock(APP, 'a brand new password');
    expect((await v.core.entries.reveal(APP, v.ids[0]!)).value).toBe('sk-Blog');
  });

  it('refuses to change it when the current password is wrong', async () => {
    const v = await vaultWithEntries();
    await expect(v.core.vault.changePassword(APP, 'not the password', 'another password')).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
  });
});

describe('tampering (format 2: every row authenticated)', () => {
  /** Unlocks a fresh owner on the edited file; the error it refuses with, and whether the file stayed byte-identical. */
  async function refusedUnlock(vaultPath: string): Promise<{ error: unknown; unchanged: boolean }> {
    const before = sha(vaultPath);
    const core = reopen(vaultPath);
    const error = await core.vault.unlock(APP, PASSWORD).then(() => null, (e: unknown) => e);
    expect(core.vault.status().locked).toBe(true);
    core.close();
    return { error, unchanged: sha(vaultPath) === before };
  }

  /** Puts each entry's sealed overview and secret into the other's row. */
  function swapBlobs(db: Database.Database, first: string, second: string): void {
    const get = db.prepare('SELECT overview, secret FROM entries WHERE id = ?');
    const a = get.get(first) as { overview: Buffer; secret: Buffer };
    const b = get.get(second) as { overview: Buffer; secret: Buffer };
    const put = db.prepare('UPDATE entries SET overview = ?, secret = ? WHERE id = ?');
    put.run(b.overview, b.secret, first);
    put.run(a.overview, a.secret, second);
  }

  function edit(vaultPath: string, sql: (db: Database.Database) => void): void {
    const db = new Database(vaultPath);
    sql(db);
    db.close();
  }

  it('refuses to open a vault in which one byte of one entry\'s secret was flipped, naming the table, and leaves the file byte-identical', async () => {
    const v = await vaultWithEntries();
    v.core.close();
    edit(v.vaultPath, (db) => {
      const row = db.prepare('SELECT secret FROM entries WHERE id = ?').get(v.ids[0]) as { secret: Buffer };
      row.secret[40] = row.secret[40]! ^ 0x01;
      db.prepare('UPDATE entries SET secret = ? WHERE id = ?').run(row.secret, v.ids[0]);
    });
    const { error, unchanged } = await refusedUnlock(v.vaultPath);
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('1 row of entries fails its mac') });
    expect((error as Error).message).not.toContain('\n');
    expect(unchanged).toBe(true);
  });

  it('refuses a vault whose two entries had their blobs swapped', async () => {
    const v = await vaultWithEntries();
    v.core.close();
    edit(v.vaultPath, (db) => swapBlobs(db, v.ids[0]!, v.ids[1]!));
    const { error, unchanged } = await refusedUnlock(v.vaultPath);
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('2 rows of entries fail their mac') });
    expect(unchanged).toBe(true);
  });

  it('refuses a vault in which an entry was moved to another category by editing the file', async () => {
    const v = await vaultWithEntries();
    const other = v.core.categories.create(APP, { name: 'Other', keyType: 'simple', envVarName: 'OTHER' });
    v.core.close();
    edit(v.vaultPath, (db) => db.prepare('UPDATE entries SET category_id = ? WHERE id = ?').run(other.id, v.ids[0]));
    expect((await refusedUnlock(v.vaultPath)).error).toMatchObject({ code: 'VAULT_TAMPERED' });
  });

  it('still leaves out swapped blobs when someone with the key recomputed every mac: the AAD binds each blob to its row', async () => {
    const v = await vaultWithEntries();
    v.core.close();
    edit(v.vaultPath, (db) => swapBlobs(db, v.ids[0]!, v.ids[1]!));
    await remacVault(v.vaultPath, PASSWORD);
    const core = reopen(v.vaultPath);
    await core.vault.unlock(APP, PASSWORD);
    expect(core.entries.list(APP).items.map((e) => e.id)).toEqual([v.ids[2]]);
    expect(() => core.entries.get(APP, v.ids[0]!)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    await expect(core.entries.reveal(APP, v.ids[1]!)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await core.entries.reveal(APP, v.ids[2]!)).value).toBe('sk-Docs');
  });
});

describe('opening files that are not healthy vaults', () => {
  async function expectRefused(file: string, pattern: RegExp) {
    const before = sha(file);
    let error: unknown;
    try {
      openKeydenCore({ vaultPath: file, role: 'admin' }).vault.status();
      const core = openKeydenCore({ vaultPath: file, role: 'admin' });
      await core.vault.unlock(CLI, PASSWORD);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'VAULT_INVALID' });
    const message = (error as Error).message;
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
    expect(sha(file)).toBe(before);
  }

  it('refuses a file that is not SQLite and leaves it byte-identical', async () => {
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'notes.db');
    fs.writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    await expectRefused(file, /not a Keyden vault/);
  });

  it('refuses an SQLite database of another application', async () => {
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1);');
    db.close();
    await expectRefused(file, /not a Keyden vault/);
  });

  it('refuses a truncated vault', async () => {
    const v = await vaultWithEntries();
    v.core.close();
    const db = new Database(v.vaultPath);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    db.close();
    const size = fs.statSync(v.vaultPath).size;
    fs.truncateSync(v.vaultPath, Math.floor(size / 2));
    await expectRefused(v.vaultPath, /damaged|truncated|not a Keyden vault/);
  });

  it('refuses a vault written by a newer schema, naming both versions', async () => {
    const v = await vaultWithEntries();
    v.core.close();
    const db = new Database(v.vaultPath);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await expectRefused(v.vaultPath, /newer Keyden/);
  });
});

describe('the vault file', () => {
  it('is created with mode 0600 and its application id', async () => {
    const v = await vaultWithEntries();
    expect(fs.statSync(v.vaultPath).mode & 0o777).toBe(0o600);
    for (const side of ['-wal', '-shm']) {
      if (fs.existsSync(v.vaultPath + side)) expect(fs.statSync(v.vaultPath + side).mode & 0o077).toBe(0);
    }
    const db = new Database(v.vaultPath, { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(0x4b444e31);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('is refused to a second owner while the first holds it', async () => {
    const v = await vaultWithEntries();
    expect(() => openKeydenCore({ vaultPath: v.vaultPath })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('is taken over from an owner whose process is gone', async () => {
    const v = await vaultWithEntries();
    v.core.close();
    fs.writeFileSync(`${v.vaultPath}.lock`, '999999');
    const core = reopen(v.vaultPath);
    await core.vault.unlock(APP, PASSWORD);
    expect(core.entries.list(APP).total).toBe(3);
  });

  it('shows the owner tokens that an admin created or revoked beside it, from the next turn on', async () => {
    const v = await vaultWithEntries();
    const admin = openKeydenCore({ vaultPath: v.vaultPath, role: 'admin', unsafeTestKdf: TEST_KDF });
    cleanups.push(() => admin.close());
    await admin.vault.unlock(CLI, PASSWORD);
    const created = admin.tokens.create(CLI, { name: 'script', scopes: ['entries:read'] });
    expect(v.core.tokens.authenticate(created.secret)).toBeNull();
    v.core.refresh();
    expect(v.core.tokens.authenticate(created.secret)).toMatchObject({ name: 'script' });
    admin.tokens.revoke(CLI, created.token.id);
    await nextTurn();
    v.core.refresh();
    expect(v.core.tokens.authenticate(created.secret)).toBeNull();
  });

  it('checks for changes from elsewhere once per turn of the event loop (the requests of one turn share a check)', async () => {
    const v = await vaultWithEntries();
    const admin = openKeydenCore({ vaultPath: v.vaultPath, role: 'admin', unsafeTestKdf: TEST_KDF });
    cleanups.push(() => admin.close());
    await admin.vault.unlock(CLI, PASSWORD);
    await nextTurn();
    v.core.refresh();
    const created = admin.tokens.create(CLI, { name: 'same turn', scopes: ['entries:read'] });
    v.core.refresh();
    expect(v.core.tokens.authenticate(created.secret)).toBeNull();
    await nextTurn();
    v.core.refresh();
    expect(v.core.tokens.authenticate(created.secret)).toMatchObject({ name: 'same turn' });
  });
});

describe('a lock asked for during an unlock', () => {
  it('wins: the unlock ends with VAULT_LOCKED, the vault stays locked, and the next unlock opens it', async () => {
    const v = await vaultWithEntries();
    v.core.vault.lock(APP);
    const unlocking = v.core.vault.unlock(APP, PASSWORD);
    expect(v.core.vault.unlockPending()).toBe(true);
    v.core.vault.lock(APP);
    await expect(unlocking).rejects.toMatchObject({ code: 'VAULT_LOCKED', message: expect.stringContaining('locked while it was being unlocked') });
    expect(v.core.vault.status().locked).toBe(true);
    expect(v.core.vault.unlockPending()).toBe(false);
    await v.core.vault.unlock(APP, PASSWORD);
    expect(v.core.entries.list(APP).total).toBe(3);
  });
});

describe('backups', () => {
  it('writes a private copy that opens with the same password and holds every entry', async () => {
    const v = await vaultWithEntries();
    const backupPath = path.join(v.dir, 'backup.db');
    await v.core.vault.backup(APP, backupPath);
    expect(fs.statSync(backupPath).mode & 0o777).toBe(0o600);
    const copy = reopen(backupPath);
    await copy.vault.unlock(APP, PASSWORD);
    expect((await copy.entries.reveal(APP, v.ids[2]!)).value).toBe('sk-Docs');
    expect(v.core.audit.list({ action: 'vault.backup' }).items).toHaveLength(1);
  });

  it('never replaces a file, or a dangling symlink, that is at the destination when the copy is placed, unless told to (the app, after its dialog asked)', async () => {
    const v = await vaultWithEntries();
    const taken = path.join(v.dir, 'taken.db');
    fs.writeFileSync(taken, 'mine');
    await expect(v.core.vault.backup(APP, taken)).rejects.toMatchObject({ code: 'CONFLICT', details: { destination: 'exists' } });
    expect(fs.readFileSync(taken, 'utf8')).toBe('mine');
    const link = path.join(v.dir, 'link.db');
    fs.symlinkSync(path.join(v.dir, 'nowhere'), link);
    await expect(v.core.vault.backup(APP, link)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(path.join(v.dir, 'nowhere'))).toBe(false);
    // No partial copy is left beside them.
    expect(fs.readdirSync(v.dir).filter((f) => f.includes('partial'))).toEqual([]);
    await v.core.vault.backup(APP, taken, { replace: true });
    expect(fs.readFileSync(taken).subarray(0, 15).toString()).toBe('SQLite format 3');
  });

  it('places the copy without replacing anything on a file system without hard links too (an exclusive copy)', async () => {
    const v = await vaultWithEntries();
    const link = vi.spyOn(fs, 'linkSync').mockImplementation(() => {
      throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
    });
    try {
      const taken = path.join(v.dir, 'taken.db');
      fs.writeFileSync(taken, 'mine');
      await expect(v.core.vault.backup(APP, taken)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(fs.readFileSync(taken, 'utf8')).toBe('mine');
      const fresh = path.join(v.dir, 'fresh.db');
      await v.core.vault.backup(APP, fresh);
      expect(link).toHaveBeenCalled();
      expect(fs.statSync(fresh).mode & 0o777).toBe(0o600);
      await reopen(fresh).vault.unlock(APP, PASSWORD);
    } finally {
      link.mockRestore();
    }
  });

  it('refuses to write the backup over the vault itself', async () => {
    const v = await vaultWithEntries();
    await expect(v.core.vault.backup(APP, v.vaultPath)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(v.core.entries.list(APP).total).toBe(3);
  });
});

describe('versions', () => {
  it('keeps the last 20 previous values, numbered on without reuse', async () => {
    const v = await vaultWithEntries();
    const id = v.ids[0]!;
    for (let i = 1; i <= 25; i++) v.core.entries.update(APP, id, { value: `sk-${i}` });
    const versions = v.core.entries.versions(APP, id);
    expect(versions).toHaveLength(20);
    expect(versions[0]!.version).toBe(25);
    expect(versions.at(-1)!.version).toBe(6);
    expect((await v.core.entries.revealVersion(APP, id, 25)).value).toBe('sk-24');
  });

  it('makes no version when the same value is saved again', async () => {
    const v = await vaultWithEntries();
    v.core.entries.update(APP, v.ids[0]!, { value: 'sk-Blog', notes: 'same value' });
    expect(v.core.entries.versions(APP, v.ids[0]!)).toHaveLength(0);
  });

  it('restores a previous value and keeps the replaced one as a new version', async () => {
    const v = await vaultWithEntries();
    const id = v.ids[0]!;
    v.core.entries.update(APP, id, { value: 'sk-second' });
    v.core.entries.restoreVersion(APP, id, 1);
    expect((await v.core.entries.reveal(APP, id)).value).toBe('sk-Blog');
    expect(v.core.entries.versions(APP, id).map((x) => x.version)).toEqual([2, 1]);
    expect((await v.core.entries.revealVersion(APP, id, 2)).value).toBe('sk-second');
  });
});

describe('settings', () => {
  it('keeps a valid change and refuses an out-of-range one with VALIDATION_FAILED, changing nothing', async () => {
    const v = await vaultWithEntries();
    expect(v.core.vault.updateSettings(APP, { autoLockMinutes: 5 }).autoLockMinutes).toBe(5);
    expect(() => v.core.vault.updateSettings(APP, { clipboardSeconds: 0 })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(v.core.vault.settings()).toMatchObject({ autoLockMinutes: 5, clipboardSeconds: 30 });
  });
});

describe('one entry per category, project and environment, across processes (issue 14 item 1)', () => {
  async function besideOwner() {
    const v = await vaultWithEntries();
    const other = openKeydenCore({ vaultPath: v.vaultPath, role: 'admin', unsafeTestKdf: TEST_KDF });
    cleanups.push(() => other.close());
    await other.vault.unlock(CLI, PASSWORD);
    return { v, other };
  }

  it('refuses a create that another process already made, checked at commit', async () => {
    const { v, other } = await besideOwner();
    other.entries.create(CLI, { categoryId: v.categoryId, name: 'DupTest', value: 'sk-from-elsewhere' });
    expect(() => v.core.entries.create(APP, { categoryId: v.categoryId, name: 'duptest', value: 'sk-here' })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    // The owner now sees the other process's entry, and exactly one of them exists.
    const found = v.core.entries.list(APP, { project: 'DupTest' }).items;
    expect(found).toHaveLength(1);
    expect((await v.core.entries.reveal(APP, found[0]!.id)).value).toBe('sk-from-elsewhere');
  });

  it('refuses a rename onto an entry another process made, and an update of one it deleted', async () => {
    const { v, other } = await besideOwner();
    other.entries.create(CLI, { categoryId: v.categoryId, name: 'Taken', value: 'sk-taken' });
    expect(() => v.core.entries.update(APP, v.ids[0]!, { name: 'Taken' })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    other.entries.remove(CLI, v.ids[1]!);
    expect(() => v.core.entries.update(APP, v.ids[1]!, { value: 'sk-new' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(v.core.entries.list(APP, {}).items.map((e) => e.name).sort()).toEqual(['Blog', 'Docs', 'Taken']);
  });
});

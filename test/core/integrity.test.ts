// Format 2 (DESIGN §3 "Integrity"): every row authenticated, deletions and rollbacks detected.
// Each attack edits the vault file with plain SQLite, as anyone with write access to it could.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { APP, CLI, openKeydenCore, type OwnedCore } from '../../src/main/core/index.js';
import { currentRows, readSealedRows } from '../../src/main/services/rekey.js';
import { hashToken } from '../../src/main/services/tokens.js';
import { TABLES_OF_SCHEMA } from '../../src/main/store/db.js';
import { IntegrityWriter } from '../../src/main/store/integrity.js';
import { SCHEMA_DDL } from '../../src/main/store/schema.js';
import { copyFormat1Fixture, copyVault, createTestVault, FORMAT_1_FIXTURE, PASSWORD, putBackTables, TEST_KDF, tempDir, type TestVault } from '../helpers/core.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const sha = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A trigger an attacker plants in the file: it puts back every token the owner revokes. */
const KEEP_TOKENS = 'CREATE TRIGGER keep_tokens AFTER UPDATE OF revoked_at ON tokens WHEN NEW.revoked_at IS NOT NULL BEGIN UPDATE tokens SET revoked_at = NULL WHERE id = NEW.id; END';

interface Seeded extends TestVault {
  entryIds: string[];
  live: { id: string; secret: string };
  revoked: { id: string; secret: string };
  knownVaults: string;
}

async function seeded(): Promise<Seeded> {
  const v = await createTestVault();
  cleanups.push(() => v.close());
  const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
  const entryIds = ['Blog', 'Shop', 'Docs'].map((name) => v.core.entries.create(APP, { categoryId: c.id, name, value: `sk-${name}` }).id);
  v.core.entries.update(APP, entryIds[0]!, { value: 'sk-Blog-2' });
  const live = v.core.tokens.create(APP, { name: 'ci', scopes: ['entries:read', 'entries:reveal'] });
  const revoked = v.core.tokens.create(APP, { name: 'old laptop', scopes: ['entries:read', 'entries:reveal'] });
  v.core.tokens.revoke(APP, revoked.token.id);
  return { ...v, entryIds, live: { id: live.token.id, secret: live.secret }, revoked: { id: revoked.token.id, secret: revoked.secret }, knownVaults: path.join(v.dir, 'known-vaults.json') };
}

function owner(v: { vaultPath: string; knownVaults: string }, knownVaultsPath = v.knownVaults): OwnedCore {
  const core = openKeydenCore({ vaultPath: v.vaultPath, unsafeTestKdf: TEST_KDF, knownVaultsPath });
  cleanups.push(() => core.close());
  return core;
}

/** A core opened the way the admin CLI commands open the file (beside any owner), closed after the test. */
function adminCore(v: { vaultPath: string; knownVaults: string }): OwnedCore {
  const core = openKeydenCore({ vaultPath: v.vaultPath, role: 'admin', unsafeTestKdf: TEST_KDF, knownVaultsPath: v.knownVaults });
  cleanups.push(() => core.close());
  return core;
}

function edit(vaultPath: string, change: (db: Database.Database) => void): void {
  const db = new Database(vaultPath);
  change(db);
  db.close();
}

/** Opens a fresh owner on the file: the error its unlock gave (or null), and whether the file stayed byte-identical. */
async function tryUnlock(v: Seeded, options: { acceptRollback?: boolean } = {}): Promise<{ error: unknown; unchanged: boolean; core: OwnedCore }> {
  const before = sha(v.vaultPath);
  const core = owner(v);
  const error = await core.vault.unlock(APP, PASSWORD, options).then(() => null, (e: unknown) => e);
  if (error) core.close(); // a refused owner lets go of the file at once
  const unchanged = sha(v.vaultPath) === before;
  return { error, unchanged, core };
}

/** A seeded vault, closed, edited with plain SQLite, then unlocked by a fresh owner: what tryUnlock says. */
async function unlockAfterEdit(change: (db: Database.Database, v: Seeded) => void): Promise<Seeded & Awaited<ReturnType<typeof tryUnlock>>> {
  const v = await seeded();
  v.core.close();
  edit(v.vaultPath, (db) => change(db, v));
  return { ...v, ...(await tryUnlock(v)) };
}

describe('keeping every row authenticated', () => {
  it('keeps the digest and every mac right through creates, updates, versions past 20, deletes with cascades, tokens, settings and reveals', async () => {
    const v = await seeded();
    const core = v.core;
    const group = core.categories.create(APP, { name: 'AWS', keyType: 'group', fields: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] });
    const g = core.entries.create(APP, { categoryId: group.id, name: 'Blog', value: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' } });
    for (let i = 0; i < 23; i++) core.entries.update(APP, v.entryIds[1]!, { value: `sk-Shop-${i}` }); // prunes versions
    core.entries.remove(APP, v.entryIds[0]!); // cascades its versions
    core.categories.remove(APP, group.id, { cascade: true });
    core.vault.updateSettings(APP, { clipboardSeconds: 45 });
    await Promise.all([core.entries.reveal(APP, v.entryIds[1]!), core.entries.reveal(APP, v.entryIds[2]!)]);
    core.projects.importEnv(APP, 'Imported', 'staging', 'OPENAI_API_KEY=sk-imported\nNEW_THING=1\n', 'upsert');
    expect(g.id).toBeTruthy();
    const report = await core.vault.verify(PASSWORD);
    expect(report).toMatchObject({ format: 2, recordOk: true, digestOk: true, failing: [], problem: null });
    core.close();
    const again = await tryUnlock(v);
    expect(again.error).toBeNull();
  });

  it('keeps one digest when an admin command writes between two writes of the running owner', async () => {
    const v = await seeded();
    v.core.vault.updateSettings(APP, { clipboardSeconds: 40 });
    const admin = openKeydenCore({ vaultPath: v.vaultPath, role: 'admin', unsafeTestKdf: TEST_KDF, knownVaultsPath: v.knownVaults });
    await admin.vault.unlock(CLI, PASSWORD);
    admin.tokens.create(CLI, { name: 'beside', scopes: ['entries:read'] });
    admin.close();
    v.core.vault.updateSettings(APP, { clipboardSeconds: 50 }); // must start from the admin's record
    expect(await v.core.vault.verify(PASSWORD)).toMatchObject({ recordOk: true, digestOk: true, failing: [] });
    v.core.close();
    expect((await tryUnlock(v)).error).toBeNull();
  });

  it('keeps one digest when an admin command commits right after a commit of the running owner, before the owner has noted it', async () => {
    const v = await seeded();
    const admin = adminCore(v);
    await admin.vault.unlock(CLI, PASSWORD);
    // Another process can commit at any moment after the owner's COMMIT returns: make it happen
    // at the worst one, before the owner records which integrity record is now the file's.
    const writer = (v.core.vault as unknown as { integrity: { committed(): void } }).integrity;
    const committed = writer.committed.bind(writer);
    let besides = 0;
    writer.committed = () => {
      if (besides++ === 0) admin.tokens.create(CLI, { name: 'beside', scopes: ['entries:read'] });
      committed();
    };
    v.core.vault.updateSettings(APP, { clipboardSeconds: 40 });
    v.core.vault.updateSettings(APP, { clipboardSeconds: 50 }); // must start from the admin's record
    expect(besides).toBe(2);
    expect(await v.core.vault.verify(PASSWORD)).toMatchObject({ recordOk: true, digestOk: true, failing: [] });
    v.core.close();
    expect((await tryUnlock(v)).error).toBeNull();
  });

  it('refuses a write made outside VaultContext.write, so no code path can leave the digest behind', async () => {
    const v = await seeded();
    const db = (v.core.vault as unknown as { db: () => Database.Database }).db();
    expect(() => db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(new Date().toISOString(), v.live.id)).toThrow(/outside VaultContext.write/);
  });
});

describe('attacks on the file (issue 10, item 1)', () => {
  it('refuses a token minted by overwriting a hash: the vault does not open and stays byte-identical', async () => {
    const v = await seeded();
    v.core.close();
    const forged = `kdn_${'A'.repeat(43)}`;
    edit(v.vaultPath, (db) => db.prepare('UPDATE tokens SET hash = ?, revoked_at = NULL, expires_at = NULL WHERE id = ?').run(hashToken(forged), v.revoked.id));
    const { error, unchanged, core } = await tryUnlock(v);
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('1 row of tokens fails its mac') });
    expect(unchanged).toBe(true);
    expect(core.tokens.authenticate(forged)).toBeNull();
  });

  it('refuses a revoked token brought back by clearing revoked_at', async () => {
    const v = await seeded();
    v.core.close();
    edit(v.vaultPath, (db) => db.prepare('UPDATE tokens SET revoked_at = NULL WHERE id = ?').run(v.revoked.id));
    const { error, unchanged } = await tryUnlock(v);
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED' });
    expect(unchanged).toBe(true);
  });

  it('detects a deleted entry ("a row was deleted or rolled back")', async () => {
    const { error, unchanged } = await unlockAfterEdit((db, v) => db.prepare('DELETE FROM entries WHERE id = ?').run(v.entryIds[2]));
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('a row was deleted or rolled back') });
    expect(unchanged).toBe(true);
  });

  it('detects a deleted audit row, which is checked only through the digest at unlock', async () => {
    const { error } = await unlockAfterEdit((db) => db.prepare("DELETE FROM audit WHERE action = 'token.revoke'").run());
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('deleted or rolled back') });
  });

  it('refuses a row whose mac is stored as TEXT instead of a BLOB (an entry, a token): VAULT_TAMPERED, not a crash, and the file unchanged', async () => {
    for (const table of ['entries', 'tokens'] as const) {
      // Same 32 bytes, another storage class: no mac to SQLite's eyes (nor to the digest's).
      const { error, unchanged } = await unlockAfterEdit((db, v) => db.prepare(`UPDATE ${table} SET mac = CAST(mac AS TEXT) WHERE id = ?`).run(table === 'entries' ? v.entryIds[1] : v.live.id));
      expect(error, table).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining(`1 row of ${table} fails its mac`) });
      expect(unchanged, table).toBe(true);
    }
  });

  it('refuses a vault with a REAL written into a column that holds none (a token\'s overview): VAULT_TAMPERED, not an internal error, the file unchanged, and verify names the row', async () => {
    const v = await unlockAfterEdit((db, v) => db.prepare('UPDATE tokens SET overview = 1.5 WHERE id = ?').run(v.live.id));
    expect(v.error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('1 row of tokens fails its mac') });
    expect(v.unchanged).toBe(true);
    expect(await owner(v).vault.verify(PASSWORD)).toMatchObject({ failing: [{ table: 'tokens', count: 1, ids: [v.live.id] }] });
  });

  it('refuses the history of an entry whose version was made a REAL (VAULT_TAMPERED, not an internal error), and verify lists it', async () => {
    const v = await seeded();
    edit(v.vaultPath, (db) => db.prepare('UPDATE entry_versions SET version = 1.5 WHERE entry_id = ?').run(v.entryIds[0]));
    expect(() => v.core.entries.versions(APP, v.entryIds[0]!)).toThrow(expect.objectContaining({ code: 'VAULT_TAMPERED', message: expect.stringContaining('1 row of entry_versions fails its mac') }));
    expect(await v.core.vault.verify(PASSWORD)).toMatchObject({ failing: [{ table: 'entry_versions', count: 1, ids: [`${v.entryIds[0]}/1.5`] }] });
  });

  it('refuses, before running Argon2, a kdf row edited to more passes than Keyden ever sets: VAULT_INVALID, the file unchanged', async () => {
    const { error, unchanged } = await unlockAfterEdit((db) => {
      const kdf = JSON.parse(db.prepare("SELECT value FROM meta WHERE key = 'kdf'").pluck().get() as string) as { t: number };
      db.prepare("UPDATE meta SET value = ? WHERE key = 'kdf'").run(JSON.stringify({ ...kdf, t: 65 }));
    });
    expect(error).toMatchObject({ code: 'VAULT_INVALID', message: expect.stringContaining('KDF parameters this version does not support') });
    expect(unchanged).toBe(true);
  });

  it('detects one row put back to an older copy of itself, mac and all', async () => {
    const v = await seeded();
    const columns = 'category_id, overview, secret, created_at, updated_at, trashed_at, mac';
    const db = new Database(v.vaultPath, { readonly: true });
    const old = db.prepare(`SELECT ${columns} FROM entries WHERE id = ?`).get(v.entryIds[1]) as Record<string, unknown>;
    db.close();
    v.core.entries.update(APP, v.entryIds[1]!, { value: 'sk-Shop-rotated' });
    v.core.close();
    edit(v.vaultPath, (w) =>
      w.prepare(`UPDATE entries SET category_id = @category_id, overview = @overview, secret = @secret, created_at = @created_at, updated_at = @updated_at, trashed_at = @trashed_at, mac = @mac WHERE id = @id`).run({ ...old, id: v.entryIds[1] }),
    );
    const { error, unchanged } = await tryUnlock(v);
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('deleted or rolled back') });
    expect(unchanged).toBe(true);
  });

  it('detects an edited setting (the API switched on, another port): meta rows count in the digest', async () => {
    const v = await seeded();
    v.core.close();
    edit(v.vaultPath, (db) => db.prepare("UPDATE meta SET value = ? WHERE key = 'settings'").run(JSON.stringify({ autoLockMinutes: 10, clipboardSeconds: 30, apiEnabled: true, apiPort: 8080 })));
    expect((await tryUnlock(v)).error).toMatchObject({ code: 'VAULT_TAMPERED' });
  });

  it('detects an edited list of the tokens that may unlock (a token id added so it may try passwords): meta rows count in the digest', async () => {
    const v = await seeded();
    v.core.close();
    edit(v.vaultPath, (db) => db.prepare("UPDATE meta SET value = ? WHERE key = 'unlock_tokens'").run(JSON.stringify(['00000000-0000-4000-8000-000000000000'])));
    expect((await tryUnlock(v)).error).toMatchObject({ code: 'VAULT_TAMPERED' });
  });

  it('says a vault with a table dropped from the file is incomplete (VAULT_INVALID, naming it), not an SQLite error, and leaves it as it is', async () => {
    for (const table of ['tokens', 'audit']) {
      const v = await seeded();
      v.core.close();
      edit(v.vaultPath, (db) => db.exec(`DROP TABLE ${table}`));
      const before = sha(v.vaultPath);
      const core = owner(v);
      expect(core.vault.status().exists, table).toBe(true);
      const error = await Promise.resolve()
        .then(() => core.vault.unlock(APP, PASSWORD))
        .then(() => null, (e: unknown) => e);
      expect(error, table).toMatchObject({ code: 'VAULT_INVALID', message: expect.stringContaining(`no table ${table}`) });
      expect(sha(v.vaultPath), table).toBe(before);
    }
  });

  it('knows every table the migrations create (TABLES_OF_SCHEMA, the check above)', async () => {
    const v = await seeded();
    const db = new Database(v.vaultPath, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    db.close();
    expect(tables).toEqual(TABLES_OF_SCHEMA.flat().toSorted());
  });

  it('says a key row cut short in the file is damaged (VAULT_INVALID), not that the password is wrong', async () => {
    const { error, unchanged } = await unlockAfterEdit((db) => db.prepare("UPDATE meta SET value = substr(value, 1, 40) WHERE key = 'wrapped_key'").run());
    expect(error).toMatchObject({ code: 'VAULT_INVALID', message: expect.stringContaining('damaged key row') });
    expect(unchanged).toBe(true);
  });

  it('reads a settings row damaged in the file as the defaults while locked (no crash), and the unlock then refuses the file', async () => {
    const v = await seeded();
    v.core.close();
    edit(v.vaultPath, (db) => db.prepare("UPDATE meta SET value = '{not json' WHERE key = 'settings'").run());
    const core = owner(v);
    expect(core.vault.settings().autoLockMinutes).toBe(10);
    await expect(core.vault.unlock(APP, PASSWORD)).rejects.toMatchObject({ code: 'VAULT_TAMPERED' });
  });

  it('checks a format 2 file as format 2 whatever its format row says: a token rolled back (mac and all) with the row edited to say 1 is refused, on a machine that never saw the vault, and verify reports it', async () => {
    const v = await createTestVault();
    cleanups.push(() => v.close());
    const t = v.core.tokens.create(APP, { name: 'ci', scopes: ['entries:read'] });
    const read = new Database(v.vaultPath, { readonly: true });
    const unrevoked = read.prepare('SELECT revoked_at, mac FROM tokens WHERE id = ?').get(t.token.id) as { revoked_at: null; mac: Buffer };
    read.close();
    v.core.tokens.revoke(APP, t.token.id);
    v.core.close();
    edit(v.vaultPath, (db) => {
      db.prepare("UPDATE meta SET value = 'keyden-vault/1' WHERE key = 'format'").run();
      db.prepare('UPDATE tokens SET revoked_at = ?, mac = ? WHERE id = ?').run(unrevoked.revoked_at, unrevoked.mac, t.token.id);
    });
    const elsewhere = path.join(tempDir(), 'known-vaults.json');
    cleanups.push(() => fs.rmSync(path.dirname(elsewhere), { recursive: true, force: true }));
    const before = sha(v.vaultPath);
    const core = owner({ vaultPath: v.vaultPath, knownVaults: elsewhere });
    await expect(core.vault.unlock(APP, PASSWORD)).rejects.toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('a row was deleted or rolled back') });
    expect(core.tokens.authenticate(t.secret)).toBeNull();
    expect(await core.vault.verify(PASSWORD)).toMatchObject({ format: 2, digestOk: false });
    core.close();
    expect(sha(v.vaultPath)).toBe(before);
  });

  it('refuses an integrity record that someone without the key rewrote', async () => {
    const v = await seeded();
    v.core.close();
    edit(v.vaultPath, (db) => {
      const r = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'integrity'").get() as { value: string }).value) as { generation: number };
      db.prepare("UPDATE meta SET value = ? WHERE key = 'integrity'").run(JSON.stringify({ ...r, generation: r.generation + 100 }));
    });
    expect((await tryUnlock(v)).error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('integrity record') });
  });

  it('refuses a vault with a trigger planted in the file (one that undoes every token revocation): VAULT_TAMPERED naming it, and the file unchanged', async () => {
    const { error, unchanged } = await unlockAfterEdit((db) => db.exec(KEEP_TOKENS));
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('a trigger "keep_tokens" Keyden never makes') });
    expect(unchanged).toBe(true);
  });

  it('refuses a planted view or index, and a table redefined in place (audit rows made to cascade away with their entry)', async () => {
    const plants: [string, string][] = [
      ['CREATE VIEW every_token AS SELECT * FROM tokens', 'a view "every_token" Keyden never makes'],
      ['CREATE INDEX audit_by_actor ON audit(actor)', 'an index "audit_by_actor" Keyden never makes'],
      [
        "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, 'target_id TEXT,', 'target_id TEXT REFERENCES entries(id) ON DELETE CASCADE,') WHERE name = 'audit'; PRAGMA writable_schema = OFF;",
        'the table "audit" redefined',
      ],
    ];
    for (const [plant, named] of plants) {
      // unsafeMode lifts better-sqlite3's defensive mode, as the sqlite3 shell has none.
      const { error, unchanged } = await unlockAfterEdit((db) => db.unsafeMode(true).exec(plant));
      expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining(named) });
      expect(unchanged).toBe(true);
    }
  });

  it('stops a running owner at its next write when a trigger is planted beside it: the revocation the trigger would undo is refused, and the owner locks', async () => {
    const v = await seeded();
    edit(v.vaultPath, (db) => db.exec(KEEP_TOKENS));
    expect(() => v.core.tokens.revoke(APP, v.live.id)).toThrow(expect.objectContaining({ code: 'VAULT_TAMPERED' }));
    expect(v.core.vault.status().locked).toBe(true);
  });

  it("lets no object stored in the file call Keyden's SQL functions: only this connection's own SQL and its TEMP triggers can", () => {
    const db = new Database(':memory:');
    cleanups.push(() => db.close());
    new IntegrityWriter(db, () => new Uint8Array(32));
    db.exec('CREATE TABLE t (a TEXT); CREATE TABLE u (m BLOB)');
    const calls = ["keyden_row_mac('tokens', NEW.a)", "keyden_expected_mac('tokens', NEW.a)", "keyden_meta_mac('settings', NEW.a)", "keyden_xor('audit', NEW.a)"];
    for (const call of calls) {
      expect(() => {
        db.exec(`DROP TRIGGER IF EXISTS planted; CREATE TRIGGER planted AFTER INSERT ON t BEGIN INSERT INTO u VALUES (${call}); END`);
        db.prepare("INSERT INTO t VALUES ('x')").run();
      }).toThrow(/unsafe use of keyden_/);
    }
    db.exec('DROP TRIGGER planted');
    db.exec("CREATE TEMP TRIGGER own AFTER INSERT ON main.t BEGIN INSERT INTO main.u VALUES (keyden_row_mac('tokens', NEW.a)); END");
    db.prepare("INSERT INTO t VALUES ('x')").run();
    expect(db.prepare('SELECT length(m) FROM u').pluck().all()).toEqual([32]);
  });

  it('never serves a project record whose overview was put back beside a running owner without its mac: the read fails out loud', async () => {
    const v = await seeded();
    v.core.projectOperations.patch(APP, 'Blog', { description: 'staging is on fly.io' });
    const read = new Database(v.vaultPath, { readonly: true });
    const older = read.prepare('SELECT id, overview FROM projects').get() as { id: string; overview: Buffer };
    read.close();
    v.core.projectOperations.patch(APP, 'Blog', { description: 'staging moved to render.com' });
    // A write of the owner's own after which nothing has read the project records yet: the next read loads them from the file.
    v.core.entries.update(APP, v.entryIds[1]!, { value: 'sk-Shop-2' });
    // The same row id, so the older overview still opens under its AAD: only the row's mac tells.
    edit(v.vaultPath, (db) => db.prepare('UPDATE projects SET overview = ? WHERE id = ?').run(older.overview, older.id));
    v.core.refresh();
    expect(() => v.core.projects.list(APP)).toThrow(expect.objectContaining({ code: 'VAULT_TAMPERED', message: expect.stringContaining('1 row of projects') }));
  });

  it('ignores a token row edited beside a running owner: a forged hash is never accepted', async () => {
    const v = await seeded();
    const forged = `kdn_${'B'.repeat(43)}`;
    expect(v.core.tokens.authenticate(v.live.secret)).not.toBeNull();
    edit(v.vaultPath, (db) => db.prepare('UPDATE tokens SET hash = ? WHERE id = ?').run(hashToken(forged), v.live.id));
    v.core.refresh();
    expect(v.core.tokens.authenticate(forged)).toBeNull();
  });

  it('never reveals a secret rolled back beside a running owner (an older sealed value put in the current row): the row reads as absent, and the next write stops the owner', async () => {
    const v = await createTestVault();
    cleanups.push(() => v.close());
    const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
    const blog = v.core.entries.create(APP, { categoryId: c.id, name: 'Blog', value: 'sk-old' });
    const shop = v.core.entries.create(APP, { categoryId: c.id, name: 'Shop', value: 'sk-shop' });
    const read = new Database(v.vaultPath, { readonly: true });
    const oldSecret = (read.prepare('SELECT secret FROM entries WHERE id = ?').get(blog.id) as { secret: Buffer }).secret;
    read.close();
    v.core.entries.update(APP, blog.id, { value: 'sk-new' });
    // The same row id and category, so the old blob still opens under its AAD: only the row's mac tells.
    edit(v.vaultPath, (db) => db.prepare('UPDATE entries SET secret = ? WHERE id = ?').run(oldSecret, blog.id));
    v.core.refresh();
    await expect(v.core.entries.reveal(APP, blog.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A reveal of an untouched row writes its audit row, whose write loads the file again and finds the edit.
    await expect(v.core.entries.reveal(APP, shop.id)).rejects.toMatchObject({ code: 'VAULT_TAMPERED' });
    expect(v.core.vault.status().locked).toBe(true);
  });

  it('refuses a token whose mac was rewritten as TEXT beside a running owner, without failing the refresh that reads it', async () => {
    const v = await seeded();
    expect(v.core.tokens.authenticate(v.live.secret)).not.toBeNull();
    edit(v.vaultPath, (db) => db.prepare('UPDATE tokens SET mac = CAST(mac AS TEXT) WHERE id = ?').run(v.live.id));
    expect(() => v.core.refresh()).not.toThrow();
    expect(v.core.tokens.authenticate(v.live.secret)).toBeNull();
  });

  it('refuses the audit log, out loud, when a row of it was edited (its mac rewritten as TEXT), instead of listing the others without it', async () => {
    const v = await seeded();
    expect(v.core.audit.list().items.map((e) => e.action)).toContain('token.revoke');
    edit(v.vaultPath, (db) => db.prepare("UPDATE audit SET mac = CAST(mac AS TEXT) WHERE action = 'token.revoke'").run());
    expect(() => v.core.audit.list()).toThrow(expect.objectContaining({ code: 'VAULT_TAMPERED', message: expect.stringContaining('1 row of audit fails its mac') }));
    // A page that does not reach the edited row still lists.
    expect(v.core.audit.list({ action: 'entry.create' }).items.length).toBeGreaterThan(0);
  });

  it("refuses a version whose row was edited when it is revealed, instead of answering that it does not exist", async () => {
    const v = await seeded();
    edit(v.vaultPath, (db) => db.prepare("UPDATE entry_versions SET created_at = '2020-01-01T00:00:00.000Z' WHERE entry_id = ?").run(v.entryIds[0]));
    await expect(v.core.entries.revealVersion(APP, v.entryIds[0]!, 1)).rejects.toMatchObject({ code: 'VAULT_TAMPERED' });
  });
});

describe('whole-file rollback', () => {
  it('asks before opening a copy from before a key rotation: the rotated-away key keeps the new generation as its mark on this machine', async () => {
    const v = await seeded();
    v.core.close();
    const older = path.join(v.dir, 'before-rotation.db');
    fs.copyFileSync(v.vaultPath, older);
    const admin = adminCore(v);
    await admin.vault.rotateKey(CLI, PASSWORD);
    admin.close();
    fs.copyFileSync(older, v.vaultPath);
    const { error } = await tryUnlock(v);
    expect(error).toMatchObject({ code: 'VAULT_ROLLED_BACK', message: expect.stringContaining('older than the one last opened on this machine') });
    const { error: accepted, core } = await tryUnlock(v, { acceptRollback: true });
    expect(accepted).toBeNull();
    core.close();
    // Accepted once, the copy opens from then on.
    const { error: again } = await tryUnlock(v);
    expect(again).toBeNull();
  });

  it('locks an owner whose file is put back to an older copy through SQLite while it runs, and the next unlock asks first', async () => {
    const v = await seeded();
    const older = await copyVault(v.vaultPath, path.join(v.dir, 'snapshot.db'));
    v.core.entries.update(APP, v.entryIds[1]!, { value: 'sk-Shop-2' });
    v.core.tokens.revoke(APP, v.live.id);
    putBackTables(v.vaultPath, older);
    v.core.refresh();
    expect(v.core.vault.status().locked).toBe(true);
    expect(v.core.tokens.authenticate(v.live.secret)).toBeNull();
    v.core.close();
    const { error } = await tryUnlock(v);
    expect(error).toMatchObject({ code: 'VAULT_ROLLED_BACK' });
  });

  it('refuses a write on top of an older copy put back beside the owner, without writing', async () => {
    const v = await seeded();
    const older = await copyVault(v.vaultPath, path.join(v.dir, 'snapshot.db'));
    v.core.tokens.revoke(APP, v.live.id);
    putBackTables(v.vaultPath, older);
    const before = sha(v.vaultPath);
    const error = await Promise.resolve()
      .then(() => v.core.entries.update(APP, v.entryIds[2]!, { value: 'sk-Docs-2' }))
      .then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'VAULT_ROLLED_BACK', message: expect.stringContaining('older copy while it was open') });
    expect(v.core.vault.status().locked).toBe(true);
    expect(sha(v.vaultPath)).toBe(before);
  });

  it('answers VAULT_ROLLED_BACK for an older copy, opens it once the user accepts, audits that, and then opens normally', async () => {
    const v = await seeded();
    v.core.close();
    const older = path.join(v.dir, 'older.db');
    fs.copyFileSync(v.vaultPath, older);
    const a = owner(v);
    await a.vault.unlock(APP, PASSWORD);
    a.entries.update(APP, v.entryIds[2]!, { value: 'sk-Docs-new' });
    a.close();
    fs.copyFileSync(older, v.vaultPath);
    for (const side of ['-wal', '-shm']) fs.rmSync(`${v.vaultPath}${side}`, { force: true });

    const { error, unchanged } = await tryUnlock(v);
    expect(error).toMatchObject({ code: 'VAULT_ROLLED_BACK', details: { known: expect.any(Number), found: expect.any(Number) } });
    const { known, found } = (error as { details: { known: number; found: number } }).details;
    expect(found).toBeLessThan(known);
    expect(unchanged).toBe(true);

    const accepted = await tryUnlock(v, { acceptRollback: true });
    expect(accepted.error).toBeNull();
    expect((await accepted.core.entries.reveal(APP, v.entryIds[2]!)).value).toBe('sk-Docs');
    expect(accepted.core.audit.list({ action: 'vault.rollback_accepted' }).items[0]?.detail).toEqual({ known, found });
    accepted.core.close();
    expect((await tryUnlock(v)).error).toBeNull();
  });

  it('answers VAULT_ROLLED_BACK for a vault this machine knows in format 2 made to look like format 1 (so that its upgrade would mac a revived token), and upgrades it only once the user accepts', async () => {
    const v = await seeded();
    v.core.close();
    // Everything a format 1 file has, down to the schema's text; the revoked token brought back.
    const v1 = new Database(':memory:');
    v1.exec(SCHEMA_DDL[0]!);
    const schema = v1.prepare('SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL').all() as { name: string; sql: string }[];
    v1.close();
    edit(v.vaultPath, (db) => {
      db.unsafeMode(true); // lifts better-sqlite3's defensive mode, as the sqlite3 shell has none
      db.exec('DROP TABLE projects');
      // Every meta row format 1 does not have goes too (the upgrade refuses a file with one).
      db.prepare("DELETE FROM meta WHERE key IN ('integrity', 'unlock_tokens')").run();
      db.prepare("UPDATE meta SET value = 'keyden-vault/1' WHERE key = 'format'").run();
      db.prepare('UPDATE tokens SET revoked_at = NULL WHERE id = ?').run(v.revoked.id);
      db.exec('PRAGMA writable_schema = ON');
      for (const o of schema) db.prepare('UPDATE sqlite_master SET sql = ? WHERE name = ?').run(o.sql, o.name);
      db.pragma(`schema_version = ${(db.pragma('schema_version', { simple: true }) as number) + 1}`);
      db.exec('PRAGMA writable_schema = OFF');
      db.pragma('user_version = 1');
    });
    const { error, unchanged } = await tryUnlock(v);
    expect(error).toMatchObject({ code: 'VAULT_ROLLED_BACK', message: expect.stringContaining('a format 1 file'), details: { known: expect.any(Number), found: 0 } });
    expect(unchanged).toBe(true);
    const checking = owner(v);
    expect(await checking.vault.verify(PASSWORD)).toMatchObject({ format: 1, problem: expect.stringContaining('a format 1 file of a vault this machine has seen in format 2') });
    checking.close();
    const accepted = await tryUnlock(v, { acceptRollback: true });
    expect(accepted.error).toBeNull();
    expect(accepted.core.audit.list({ action: 'vault.rollback_accepted' }).items).toHaveLength(1);
  });

  it('opens a vault copied to another machine (no record there) and records its generation', async () => {
    const v = await seeded();
    v.core.close();
    const elsewhere = path.join(tempDir(), 'known-vaults.json');
    cleanups.push(() => fs.rmSync(path.dirname(elsewhere), { recursive: true, force: true }));
    const core = owner(v, elsewhere);
    await core.vault.unlock(APP, PASSWORD);
    const recorded = JSON.parse(fs.readFileSync(elsewhere, 'utf8')) as Record<string, { generation: number }>;
    expect(Object.values(recorded)[0]?.generation).toBeGreaterThan(0);
    expect(fs.statSync(elsewhere).mode & 0o777).toBe(0o600);
  });

  it('ignores a known-vaults entry whose mac someone forged lower, and keeps the real one', async () => {
    const v = await seeded();
    v.core.close();
    const recorded = JSON.parse(fs.readFileSync(v.knownVaults, 'utf8')) as Record<string, { generation: number; mac: string }>;
    const [vaultId] = Object.keys(recorded);
    fs.writeFileSync(v.knownVaults, JSON.stringify({ [vaultId!]: { generation: 1, mac: '00'.repeat(32) } }));
    const core = owner(v);
    await core.vault.unlock(APP, PASSWORD);
    core.close();
    const after = JSON.parse(fs.readFileSync(v.knownVaults, 'utf8')) as Record<string, { generation: number }>;
    expect(after[vaultId!]!.generation).toBeGreaterThan(1);
  });
});

describe('the format 1 → 2 migration', () => {
  const expected = JSON.parse(fs.readFileSync(path.join(FORMAT_1_FIXTURE, 'expected.json'), 'utf8')) as {
    password: string;
    categories: { openai: string; aws: string };
    entries: { blog: { id: string; value: string; versions: string[] }; shop: { id: string; value: Record<string, string> } };
    tokens: { live: { id: string; secret: string }; revoked: { id: string; secret: string } };
  };

  /** The fixture copied, in the shape this file's owner() and adminCore() take. */
  function copyFixture(): { vaultPath: string; knownVaults: string } {
    const { vaultPath, knownVaultsPath } = copyFormat1Fixture();
    return { vaultPath, knownVaults: knownVaultsPath };
  }

  it('refuses, without upgrading it, a format 1 vault with a trigger planted in it, before the owner opened it or between its opening and the unlock', async () => {
    for (const when of ['before open', 'after open'] as const) {
      const f = copyFixture();
      if (when === 'before open') edit(f.vaultPath, (db) => db.exec(KEEP_TOKENS));
      const core = owner(f);
      if (when === 'after open') {
        core.vault.settings(); // the owner has the file open (its checks passed)
        edit(f.vaultPath, (db) => db.exec(KEEP_TOKENS));
      }
      const before = sha(f.vaultPath);
      await expect(core.vault.unlock(CLI, expected.password)).rejects.toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('a trigger "keep_tokens" Keyden never makes') });
      core.close();
      // Planted beside the open owner, the edit sits in the WAL until the close checkpoints it:
      // there the file's bytes move, but it is still the format 1 vault it was.
      if (when === 'before open') expect(sha(f.vaultPath)).toBe(before);
      const read = new Database(f.vaultPath, { readonly: true });
      expect(read.pragma('user_version', { simple: true })).toBe(1);
      expect(read.prepare("SELECT value FROM meta WHERE key = 'format'").pluck().get()).toBe('keyden-vault/1');
      read.close();
    }
  });

  it('refuses to upgrade a format 1 vault with a REAL planted in a row (VAULT_INVALID, not an internal error), and leaves it as it is', async () => {
    const f = copyFixture();
    edit(f.vaultPath, (db) => db.prepare('UPDATE tokens SET overview = 1.5 WHERE id = ?').run(expected.tokens.live.id));
    const before = sha(f.vaultPath);
    const core = owner(f);
    await expect(core.vault.unlock(CLI, expected.password)).rejects.toMatchObject({ code: 'VAULT_INVALID', message: expect.stringContaining('it was not upgraded') });
    core.close();
    expect(sha(f.vaultPath)).toBe(before);
  });

  /** The fixture edited with plain SQLite (foreign keys off, as in the sqlite3 shell), then unlocked: the error, and whether the file stayed byte-identical and format 1. */
  async function unlockEditedFixture(change: (db: Database.Database) => void): Promise<{ error: unknown; unchanged: boolean; stillFormat1: boolean }> {
    const f = copyFixture();
    edit(f.vaultPath, (db) => {
      db.pragma('foreign_keys = OFF');
      change(db);
    });
    const before = sha(f.vaultPath);
    const core = owner(f);
    const error = await core.vault.unlock(CLI, expected.password).then(() => null, (e: unknown) => e);
    core.close();
    const read = new Database(f.vaultPath, { readonly: true });
    const stillFormat1 = read.pragma('user_version', { simple: true }) === 1 && read.prepare("SELECT value FROM meta WHERE key = 'format'").pluck().get() === 'keyden-vault/1';
    read.close();
    return { error, unchanged: sha(f.vaultPath) === before, stillFormat1 };
  }

  it('refuses to upgrade a format 1 vault holding a blob that does not open, instead of giving it a mac, and leaves the file byte-identical', async () => {
    const r = await unlockEditedFixture((db) => db.prepare("UPDATE categories SET overview = x'00' WHERE id = ?").run(expected.categories.openai));
    expect(r.error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringMatching(/1 sealed categories\.overview value does not open.*it was not upgraded to format 2 and nothing in it was changed/) });
    expect(r.unchanged).toBe(true);
    expect(r.stillFormat1).toBe(true);
  });

  it('refuses to upgrade a format 1 vault whose entries name a category that is not there, and leaves the file byte-identical', async () => {
    const { categories } = expected;
    for (const change of [
      (db: Database.Database) => db.prepare('UPDATE categories SET id = 12 WHERE id = ?').run(categories.openai),
      // Every blob still opens here: only the foreign key check sees it.
      (db: Database.Database) => db.prepare('DELETE FROM categories WHERE id = ?').run(categories.aws),
    ]) {
      const r = await unlockEditedFixture(change);
      expect(r.error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('1 row of entries names a categories row that is not there') });
      expect(r.unchanged).toBe(true);
      expect(r.stillFormat1).toBe(true);
    }
  });

  it('refuses to upgrade a format 1 vault with a meta row format 1 never has (a stray integrity record, an unknown key), and leaves the file byte-identical', async () => {
    for (const [key, value] of [
      ['integrity', JSON.stringify({ generation: 1, digest: '00'.repeat(32), mac: '00'.repeat(32) })],
      ['planted', 'anything'],
    ] as const) {
      const r = await unlockEditedFixture((db) => db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(key, value));
      expect(r.error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining(`its meta table holds a row no format 1 vault has ("${key}")`) });
      expect(r.unchanged).toBe(true);
      expect(r.stillFormat1).toBe(true);
    }
  });

  it('has keyden verify name what a format 1 vault holds that its upgrade would refuse, without writing to it', async () => {
    const f = copyFixture();
    edit(f.vaultPath, (db) => db.prepare("UPDATE categories SET overview = x'00' WHERE id = ?").run(expected.categories.openai));
    const before = sha(f.vaultPath);
    const core = owner(f);
    expect(await core.vault.verify(expected.password)).toMatchObject({ format: 1, problem: expect.stringContaining('1 sealed categories.overview value does not open') });
    core.close();
    expect(sha(f.vaultPath)).toBe(before);
  });

  it('upgrades a vault made by Keyden 0.1 at its first unlock, with every value, version, token and audit row', async () => {
    const f = copyFixture();
    const core = owner(f);
    expect(core.vault.status().locked).toBe(true);
    const read = (sql: string): unknown => {
      const db = new Database(f.vaultPath, { readonly: true });
      try {
        return db.prepare(sql).pluck().get();
      } finally {
        db.close();
      }
    };
    expect(read("SELECT value FROM meta WHERE key = 'format'")).toBe('keyden-vault/1'); // opening alone changes nothing
    await core.vault.unlock(CLI, expected.password);
    expect(read("SELECT value FROM meta WHERE key = 'format'")).toBe('keyden-vault/2');
    expect(read('PRAGMA user_version')).toBe(2);
    expect((await core.entries.reveal(CLI, expected.entries.blog.id)).value).toBe(expected.entries.blog.value);
    expect((await core.entries.reveal(CLI, expected.entries.shop.id)).value).toEqual(expected.entries.shop.value);
    expect((await core.entries.revealVersion(CLI, expected.entries.blog.id, 1)).value).toBe(expected.entries.blog.versions[0]);
    expect(core.tokens.authenticate(expected.tokens.live.secret)?.id).toBe(expected.tokens.live.id);
    expect(core.tokens.authenticate(expected.tokens.revoked.secret)).toBeNull();
    expect(core.audit.list({ action: 'entry.reveal' }).total).toBeGreaterThan(0);
    expect(await core.vault.verify(expected.password)).toMatchObject({ format: 2, recordOk: true, digestOk: true, failing: [] });
    core.close();
    const again = owner(f);
    await again.vault.unlock(CLI, expected.password);
    expect(again.entries.list(CLI).total).toBe(2);
  });

  it('leaves a format 1 vault untouched by a wrong password', async () => {
    const f = copyFixture();
    const before = sha(f.vaultPath);
    const core = owner(f);
    await expect(core.vault.unlock(CLI, 'not the password')).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
    core.close();
    expect(sha(f.vaultPath)).toBe(before);
  });
});

describe('rotating the vault key and raising the KDF cost', () => {
  it('re-seals every blob under a new key, keeps every value, and makes the old key useless', async () => {
    const v = await seeded();
    const blobs = (): Map<string, string> => {
      const db = new Database(v.vaultPath, { readonly: true });
      const out = new Map<string, string>();
      for (const [table, cols] of [
        ['categories', 'id, overview'],
        ['entries', 'id, overview || secret'],
        ['entry_versions', "entry_id || '/' || version, secret"],
        ['tokens', 'id, overview'],
        ['audit', 'id, detail'],
        ['projects', 'id, overview'],
      ] as const) {
        for (const r of db.prepare(`SELECT ${cols} FROM ${table}`).raw().all() as [string, Buffer | null][]) {
          if (r[1]) out.set(`${table}/${r[0]}`, Buffer.from(r[1]).toString('hex'));
        }
      }
      const wrapped = db.prepare("SELECT value FROM meta WHERE key = 'wrapped_key'").pluck().get() as string;
      db.close();
      out.set('wrapped_key', wrapped);
      return out;
    };
    v.core.projectOperations.setTemplate(APP, 'Blog', { variables: ['OPENAI_API_KEY'] });
    const before = blobs();
    expect([...before.keys()].some((k) => k.startsWith('projects/'))).toBe(true);
    const { resealed } = await v.core.vault.rotateKey(CLI, PASSWORD);
    const after = blobs();
    expect(resealed).toBeGreaterThan(10);
    for (const [k, hex] of before) if (after.has(k)) expect(after.get(k), k).not.toBe(hex);
    expect((await v.core.entries.reveal(APP, v.entryIds[1]!)).value).toBe('sk-Shop');
    expect(v.core.audit.list({ action: 'vault.rotate' }).total).toBe(1);
    // Writes after the rotation keep every mac and the digest (the rotation idled the triggers).
    v.core.entries.update(APP, v.entryIds[2]!, { value: 'sk-Docs-2' });
    v.core.entries.update(APP, v.entryIds[2]!, { value: 'sk-Docs' });
    expect(await v.core.vault.verify(PASSWORD)).toMatchObject({ recordOk: true, digestOk: true, failing: [] });
    v.core.close();
    const again = owner(v);
    await again.vault.unlock(APP, PASSWORD);
    expect((await again.entries.reveal(APP, v.entryIds[0]!)).value).toBe('sk-Blog-2');
    expect((await again.entries.revealVersion(APP, v.entryIds[0]!, 1)).value).toBe('sk-Blog');
    expect(again.projectOperations.validate(APP, 'Blog', 'development').required).toEqual(['OPENAI_API_KEY']);
  });

  it('locks an owner running beside the rotation: it cannot use the old key any more', async () => {
    const v = await seeded();
    const admin = adminCore(v);
    await admin.vault.unlock(CLI, PASSWORD);
    await admin.vault.rotateKey(CLI, PASSWORD);
    admin.close();
    v.core.refresh();
    expect(v.core.vault.status().locked).toBe(true);
    await v.core.vault.unlock(APP, PASSWORD);
    expect((await v.core.entries.reveal(APP, v.entryIds[2]!)).value).toBe('sk-Docs');
  });

  it('locks an owner whose key was rotated beside it at its next call, with an error that says so (not "modified outside Keyden", not "not found"), and it unlocks again with the same password', async () => {
    const calls: [string, (core: OwnedCore, v: Seeded) => unknown][] = [
      ['a new entry', (core, v) => core.entries.create(APP, { categoryId: core.entries.get(APP, v.entryIds[0]!).categoryId, name: 'Later', value: 'sk-later' })],
      ['a new value', (core, v) => core.entries.update(APP, v.entryIds[1]!, { value: 'sk-Shop-2' })],
      ['a reveal', (core, v) => core.entries.reveal(APP, v.entryIds[1]!)],
      ['a history', (core, v) => core.entries.versions(APP, v.entryIds[0]!)],
      ['an old value', (core, v) => core.entries.revealVersion(APP, v.entryIds[0]!, 1)],
      ['the audit log', (core) => core.audit.list({})],
    ];
    for (const [what, call] of calls) {
      const v = await seeded();
      const admin = adminCore(v);
      await admin.vault.rotateKey(CLI, PASSWORD);
      admin.close();
      // No refresh first: the call itself meets rows mac'd under the new key.
      const error = await Promise.resolve()
        .then(() => call(v.core, v))
        .then(() => null, (e: unknown) => e);
      expect(error, what).toMatchObject({ code: 'VAULT_LOCKED', message: expect.stringContaining('its key was changed by another Keyden process') });
      expect(v.core.vault.status().locked, what).toBe(true);
      await v.core.vault.unlock(APP, PASSWORD);
      expect((await v.core.entries.reveal(APP, v.entryIds[1]!)).value, what).toBe('sk-Shop');
    }
  });

  it('tells an edit from a rotation beside a running owner: an integrity record deleted from the file locks it as edited (VAULT_TAMPERED at a write, locked at the next look)', async () => {
    const v = await seeded();
    edit(v.vaultPath, (db) => db.prepare("DELETE FROM meta WHERE key = 'integrity'").run());
    const categoryId = v.core.entries.get(APP, v.entryIds[0]!).categoryId;
    const error = await Promise.resolve()
      .then(() => v.core.entries.create(APP, { categoryId, name: 'Later', value: 'sk-later' }))
      .then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('integrity record is missing') });
    expect(v.core.vault.status().locked).toBe(true);
    const w = await seeded();
    edit(w.vaultPath, (db) => db.prepare("DELETE FROM meta WHERE key = 'integrity'").run());
    w.core.refresh();
    expect(w.core.vault.status().locked).toBe(true);
  });

  it('never blesses a row edited beside a running owner: a rotation after the edit is refused and the file keeps its key', async () => {
    const v = await seeded();
    const forged = 'kdn_forged_while_the_owner_runs';
    const wrappedKey = (): string => {
      const db = new Database(v.vaultPath, { readonly: true });
      const value = db.prepare("SELECT value FROM meta WHERE key = 'wrapped_key'").pluck().get() as string;
      db.close();
      return value;
    };
    // The owner is unlocked; someone with write access to the file revives the revoked token with a hash of their own.
    edit(v.vaultPath, (db) => db.prepare('UPDATE tokens SET hash = ?, revoked_at = NULL WHERE id = ?').run(hashToken(forged), v.revoked.id));
    const before = wrappedKey();
    await expect(v.core.vault.rotateKey(CLI, PASSWORD)).rejects.toMatchObject({ code: 'VAULT_TAMPERED' });
    expect(wrappedKey()).toBe(before);
    // The edit still shows at the next unlock: it was not re-mac'd under any key.
    v.core.close();
    const { error } = await tryUnlock(v);
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED' });
  });

  it('refuses a rotation after a row was deleted beside a running owner (the digest no longer adds up)', async () => {
    const v = await seeded();
    edit(v.vaultPath, (db) => db.prepare("DELETE FROM audit WHERE action = 'token.revoke'").run());
    const edited = sha(v.vaultPath);
    await expect(v.core.vault.rotateKey(CLI, PASSWORD)).rejects.toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('deleted or rolled back') });
    expect(v.core.vault.status().locked).toBe(true);
    expect(sha(v.vaultPath)).toBe(edited);
  });

  it('never blesses an audit or history row edited while the vault was closed (the unlock checks those only when they are read)', async () => {
    for (const change of [
      (db: Database.Database) => db.prepare("UPDATE audit SET actor = 'cli' WHERE action = 'token.create'").run(),
      (db: Database.Database) => db.prepare("UPDATE entry_versions SET created_at = '2001-01-01T00:00:00.000Z'").run(),
    ]) {
      const v = await seeded();
      v.core.close();
      edit(v.vaultPath, change);
      const edited = sha(v.vaultPath);
      const admin = adminCore(v);
      await admin.vault.unlock(CLI, PASSWORD);
      await expect(admin.vault.rotateKey(CLI, PASSWORD)).rejects.toMatchObject({ code: 'VAULT_TAMPERED' });
      expect(admin.vault.status().locked).toBe(true);
      admin.close();
      expect(sha(v.vaultPath)).toBe(edited);
    }
  });

  it('rotates beside a running owner whose rows are all its own (another connection wrote through Keyden)', async () => {
    const v = await seeded();
    const admin = adminCore(v);
    await admin.vault.unlock(CLI, PASSWORD);
    // The owner keeps writing (audit rows of reveals) after the admin's unlock checked every row.
    await v.core.entries.reveal(APP, v.entryIds[1]!);
    await admin.vault.rotateKey(CLI, PASSWORD);
    admin.close();
    v.core.close();
    const { error, core } = await tryUnlock(v);
    expect(error).toBeNull();
    expect((await core.entries.reveal(APP, v.entryIds[1]!)).value).toBe('sk-Shop');
  });

  it('keeps the sealed rows it read while Argon2 ran only while nothing was written since: another connection\'s commit or its own write makes it read again', async () => {
    const v = await seeded();
    const db = new Database(v.vaultPath);
    cleanups.push(() => db.close());
    const read = readSealedRows(db);
    expect(currentRows(db, read)).toBe(read);
    v.core.entries.update(APP, v.entryIds[1]!, { value: 'sk-Shop-2' }); // another connection commits
    const again = currentRows(db, read);
    expect(again).not.toBe(read);
    expect(currentRows(db, again)).toBe(again);
    db.prepare("UPDATE meta SET value = value WHERE key = 'settings'").run(); // this connection writes
    expect(currentRows(db, again)).not.toBe(again);
  });

  it('loses no write made while the rotation\'s Argon2 runs, on its own connection or on another: every value is the latest and every row checks', async () => {
    // The owner rotates while unlocked and writes on its own connection meanwhile.
    const v = await seeded();
    const rotation = v.core.vault.rotateKey(CLI, PASSWORD);
    v.core.entries.update(APP, v.entryIds[1]!, { value: 'sk-Shop-during' });
    await rotation;
    expect((await v.core.entries.reveal(APP, v.entryIds[1]!)).value).toBe('sk-Shop-during');
    expect(await v.core.vault.verify(PASSWORD)).toMatchObject({ recordOk: true, digestOk: true, failing: [] });
    // A closed vault rotated by the admin CLI while the owner writes beside it.
    const w = await seeded();
    const admin = adminCore(w);
    const closedRotation = admin.vault.rotateKey(CLI, PASSWORD);
    // The rotation has read the rows and waits for Argon2, which answers only on a later turn of the event loop.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    w.core.entries.update(APP, w.entryIds[2]!, { value: 'sk-Docs-during' });
    await closedRotation;
    admin.close();
    w.core.close();
    const { error, core } = await tryUnlock(w);
    expect(error).toBeNull();
    expect((await core.entries.reveal(APP, w.entryIds[2]!)).value).toBe('sk-Docs-during');
    expect(await core.vault.verify(PASSWORD)).toMatchObject({ recordOk: true, digestOk: true, failing: [] });
  });

  it('rotates a closed vault (opened for this job alone) without unlocking it: it stays closed and every value reveals after', async () => {
    const v = await seeded();
    v.core.close();
    const admin = adminCore(v);
    const { resealed } = await admin.vault.rotateKey(CLI, PASSWORD);
    expect(resealed).toBeGreaterThan(10);
    expect(admin.vault.status().locked).toBe(true);
    expect(() => admin.entries.list(CLI)).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' })); // the new key is not kept either
    expect(await admin.vault.verify(PASSWORD)).toMatchObject({ recordOk: true, digestOk: true, failing: [] });
    admin.close();
    const { error, core } = await tryUnlock(v);
    expect(error).toBeNull();
    expect((await core.entries.reveal(APP, v.entryIds[1]!)).value).toBe('sk-Shop');
  });

  it('takes its turn with an unlock of the same vault asked for at the same time, either way round: the vault ends open under the new key', async () => {
    for (const rotationFirst of [true, false]) {
      const v = await seeded();
      v.core.close();
      const admin = adminCore(v);
      const both = rotationFirst ? [admin.vault.rotateKey(CLI, PASSWORD), admin.vault.unlock(CLI, PASSWORD)] : [admin.vault.unlock(CLI, PASSWORD), admin.vault.rotateKey(CLI, PASSWORD)];
      await Promise.all(both);
      expect(admin.vault.status().locked, `rotation first: ${rotationFirst}`).toBe(false);
      // Rows written now get macs under the key the file holds.
      admin.entries.update(CLI, v.entryIds[2]!, { value: 'sk-Docs-2' });
      expect(await admin.vault.verify(PASSWORD)).toMatchObject({ recordOk: true, digestOk: true, failing: [] });
      expect(admin.audit.list({ action: 'vault.rotate' }).total).toBe(1);
      admin.close();
      const { error, core } = await tryUnlock(v);
      expect(error).toBeNull();
      expect((await core.entries.reveal(APP, v.entryIds[2]!)).value).toBe('sk-Docs-2');
      core.close();
    }
  });

  it('refuses to rotate a closed vault with a wrong password, or one edited while closed, and changes nothing', async () => {
    const v = await seeded();
    v.core.close();
    const admin = adminCore(v);
    const before = sha(v.vaultPath);
    await expect(admin.vault.rotateKey(CLI, 'wrong password!')).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
    expect(admin.vault.status().locked).toBe(true);
    admin.close();
    expect(sha(v.vaultPath)).toBe(before);
    // Every kind of row the rotation re-macs, and the digest, are checked before anything is written.
    const edits: [string, (db: Database.Database) => void, RegExp][] = [
      ['a revived token', (db) => db.prepare('UPDATE tokens SET revoked_at = NULL WHERE id = ?').run(v.revoked.id), /1 row of tokens fails its mac/],
      ['an entry moved to another time', (db) => db.prepare("UPDATE entries SET updated_at = '2001-01-01T00:00:00.000Z' WHERE id = ?").run(v.entryIds[1]), /1 row of entries fails its mac/],
      ['an old value put back', (db) => db.prepare('UPDATE entry_versions SET created_at = created_at || \' \'').run(), /rows? of entry_versions fails? (its|their) mac/],
      ['a deleted audit row', (db) => db.prepare("DELETE FROM audit WHERE action = 'token.revoke'").run(), /deleted or rolled back/],
      ['an audit row whose mac is TEXT of the same bytes', (db) => db.prepare("UPDATE audit SET mac = CAST(mac AS TEXT) WHERE action = 'token.revoke'").run(), /deleted or rolled back|1 row of audit fails its mac/],
    ];
    for (const [what, change, message] of edits) {
      const copy = path.join(v.dir, `edited-${edits.findIndex((e) => e[0] === what)}.db`);
      fs.copyFileSync(v.vaultPath, copy);
      edit(copy, change);
      const edited = sha(copy);
      const again = adminCore({ vaultPath: copy, knownVaults: v.knownVaults });
      await expect(again.vault.rotateKey(CLI, PASSWORD), what).rejects.toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringMatching(message) });
      expect(again.vault.status().locked, what).toBe(true);
      again.close();
      expect(sha(copy), what).toBe(edited);
    }
  });

  it('refuses to rotate a closed vault older than the one this machine last opened (a restored copy), and changes nothing', async () => {
    const v = await seeded();
    const older = path.join(v.dir, 'older.db');
    v.core.close(); // records its generation
    fs.copyFileSync(v.vaultPath, older);
    const core = owner(v);
    await core.vault.unlock(APP, PASSWORD);
    core.entries.create(APP, { categoryId: core.categories.list()[0]!.id, name: 'Later', value: 'sk-later' });
    core.close(); // records the newer generation
    fs.copyFileSync(older, v.vaultPath);
    const restored = sha(v.vaultPath);
    const admin = adminCore(v);
    await expect(admin.vault.rotateKey(CLI, PASSWORD)).rejects.toMatchObject({ code: 'VAULT_ROLLED_BACK' });
    expect(admin.vault.status().locked).toBe(true);
    admin.close();
    expect(sha(v.vaultPath)).toBe(restored);
  });

  it('rotates a vault whose unlock first raises its Argon2 parameters to the defaults (the key is wrapped under the new salt)', { timeout: 30_000 }, async () => {
    const v = await seeded();
    v.core.close();
    // Without the test-only KDF option the unlock upgrades this vault (made with cheap parameters).
    const real = openKeydenCore({ vaultPath: v.vaultPath, role: 'admin', knownVaultsPath: v.knownVaults });
    cleanups.push(() => real.close());
    await real.vault.rotateKey(CLI, PASSWORD);
    expect(real.vault.kdfParams()).toMatchObject({ m: 65536, t: 3 });
    real.close();
    const reopened = openKeydenCore({ vaultPath: v.vaultPath, role: 'admin', knownVaultsPath: v.knownVaults });
    cleanups.push(() => reopened.close());
    await reopened.vault.unlock(CLI, PASSWORD);
    expect((await reopened.entries.reveal(CLI, v.entryIds[2]!)).value).toBe('sk-Docs');
  });

  it('refuses a rotation with a wrong password and changes nothing', async () => {
    const v = await seeded();
    const wrappedKey = (): string => {
      const db = new Database(v.vaultPath, { readonly: true });
      const value = db.prepare("SELECT value FROM meta WHERE key = 'wrapped_key'").pluck().get() as string;
      db.close();
      return value;
    };
    const before = wrappedKey();
    await expect(v.core.vault.rotateKey(CLI, 'wrong password!')).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
    expect(wrappedKey()).toBe(before);
    expect((await v.core.entries.reveal(APP, v.entryIds[1]!)).value).toBe('sk-Shop');
    expect(v.core.audit.list({ action: 'vault.passwd' }).items[0]).toMatchObject({ ok: false });
  });

  it('raises the Argon2 parameters on request and refuses to go below the floor', async () => {
    const v = await seeded();
    await v.core.vault.changePassword(CLI, PASSWORD, PASSWORD, { kdf: { m: TEST_KDF.m * 2, t: TEST_KDF.t + 1 } });
    expect(v.core.vault.kdfParams()).toEqual({ m: TEST_KDF.m * 2, t: TEST_KDF.t + 1, p: 1 });
    await expect(v.core.vault.changePassword(CLI, PASSWORD, PASSWORD, { kdf: { m: TEST_KDF.m / 2, t: TEST_KDF.t } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    v.core.vault.lock(APP);
    await v.core.vault.unlock(APP, PASSWORD);
    expect(v.core.vault.kdfParams().m).toBe(TEST_KDF.m * 2);
  });
});

// Someone who can write the vault file (no key) and holds an older copy of a row — a revoked
// token from a backup — tries to make the file fit its integrity digest again. With a digest that
// is the XOR of the stored macs, all three ways below worked (an attack review found them; each
// test failed on that code): the macs are readable in the file, so an XOR of them can be
// balanced. The digest is now the XOR of keyed terms of the macs, all of which must differ
// (docs/vault-format.md §9).
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { APP, openKeydenCore } from '../../src/main/core/index.js';
import type { VaultContext } from '../../src/main/services/context.js';
import { createTestVault, PASSWORD, TEST_KDF, type TestVault, unlockEdited } from '../helpers/core.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

interface Seeded extends TestVault {
  entryIds: string[];
  /** A token, its secret, and its row as it was before it was revoked (an older copy of the file holds it). */
  revoked: { id: string; secret: string; before: Record<string, unknown> };
}

async function seeded(entries = 2): Promise<Seeded> {
  const v = await createTestVault();
  cleanups.push(() => v.close());
  const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
  // One transaction (one fsync) for many entries, each with its audit row.
  const entryIds = (v.core.vault as unknown as VaultContext).write(() =>
    Array.from({ length: entries }, (_, i) => v.core.entries.create(APP, { categoryId: c.id, name: `Project ${i}`, value: `sk-${i}` }).id),
  );
  const t = v.core.tokens.create(APP, { name: 'old laptop', scopes: ['entries:read', 'entries:reveal'] });
  const db = new Database(v.vaultPath, { readonly: true });
  const before = db.prepare('SELECT * FROM tokens WHERE id = ?').get(t.token.id) as Record<string, unknown>;
  db.close();
  v.core.tokens.revoke(APP, t.token.id);
  expect(v.core.tokens.authenticate(t.secret)).toBeNull();
  v.core.close();
  return { ...v, entryIds, revoked: { id: t.token.id, secret: t.secret, before } };
}

/** Puts the token's pre-revocation row back in place of the revoked one; returns both rows' macs. */
function reviveToken(db: Database.Database, v: Seeded): { now: Buffer; old: Buffer } {
  const now = db.prepare('SELECT mac FROM tokens WHERE id = ?').pluck().get(v.revoked.id) as Buffer;
  db.prepare('DELETE FROM tokens WHERE id = ?').run(v.revoked.id);
  const cols = Object.keys(v.revoked.before);
  db.prepare(`INSERT INTO tokens (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(v.revoked.before);
  return { now, old: v.revoked.before.mac as Buffer };
}

/** A fresh owner unlocks the edited file (unlockEdited), closed after the test. */
const unlock = (v: { vaultPath: string; dir: string }, options: { keepOpen?: boolean } = {}) => unlockEdited(v, (core) => cleanups.push(() => core.close()), options);

const big = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex')}`);
const topBit = (x: bigint): number => x.toString(2).length - 1;

/** Indices of a subset of `vectors` whose XOR is `target` (Gaussian elimination over GF(2)), or null. */
function subsetWithXor(vectors: Uint8Array[], target: Uint8Array): number[] | null {
  const pivots = new Map<number, { v: bigint; combo: bigint }>();
  vectors.forEach((vector, i) => {
    let v = big(vector);
    let combo = 1n << BigInt(i);
    while (v !== 0n) {
      const pivot = pivots.get(topBit(v));
      if (!pivot) {
        pivots.set(topBit(v), { v, combo });
        return;
      }
      v ^= pivot.v;
      combo ^= pivot.combo;
    }
  });
  let t = big(target);
  let combo = 0n;
  while (t !== 0n) {
    const pivot = pivots.get(topBit(t));
    if (!pivot) return null;
    t ^= pivot.v;
    combo ^= pivot.combo;
  }
  return vectors.map((_, i) => i).filter((i) => ((combo >> BigInt(i)) & 1n) === 1n);
}

describe("balancing the digest to bring back a revoked token's older row", () => {
  it('refuses a file that parks the two changed macs in junk history rows, which an unlock does not check one by one', async () => {
    const v = await seeded();
    const db = new Database(v.vaultPath);
    const { now, old } = reviveToken(db, v);
    const park = db.prepare("INSERT INTO entry_versions (entry_id, version, secret, created_at, mac) VALUES (?, ?, x'00', '2026-01-01T00:00:00.000Z', ?)");
    park.run(v.entryIds[0], 9001, now);
    park.run(v.entryIds[0], 9002, old);
    db.close();
    const { error, unchanged } = await unlock(v);
    // The copy of the old token row's mac would cancel the row's own term.
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('two rows carry the same mac') });
    expect(unchanged).toBe(true);
  });

  it('refuses a file from which the audit rows whose macs XOR to the change were deleted (chosen by linear algebra over the readable macs)', async () => {
    // Any 257 macs hold a subset with a chosen XOR: a vault a few weeks old has that many audit rows.
    const v = await seeded(300);
    const db = new Database(v.vaultPath);
    const { now, old } = reviveToken(db, v);
    const audit = db.prepare('SELECT id, mac FROM audit').all() as { id: number; mac: Buffer }[];
    const change = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) change[i] = now[i]! ^ old[i]!;
    const subset = subsetWithXor(
      audit.map((r) => r.mac),
      change,
    );
    expect(subset).not.toBeNull(); // the attack is always available against an XOR of stored macs
    const remove = db.prepare('DELETE FROM audit WHERE id = ?');
    for (const i of subset!) remove.run(audit[i]!.id);
    db.close();
    const { error, unchanged, core } = await unlock(v);
    // Secure: the edit is seen; the token stays revoked.
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('a row was deleted or rolled back') });
    expect(unchanged).toBe(true);
    expect(core.tokens.authenticate(v.revoked.secret)).toBeNull();
  });

  it('refuses a purged entry put back twice, once with its id as TEXT and once as a BLOB (one canon, one mac, cancelling out)', async () => {
    const v = await createTestVault();
    cleanups.push(() => v.close());
    const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
    const [, shop] = ['Blog', 'Shop'].map((name) => v.core.entries.create(APP, { categoryId: c.id, name, value: `sk-${name}` }).id);
    const db0 = new Database(v.vaultPath, { readonly: true });
    const old = db0.prepare('SELECT * FROM entries WHERE id = ?').get(shop) as Record<string, unknown>;
    db0.close();
    v.core.entries.remove(APP, shop!);
    v.core.trash.purge(APP, shop!);
    v.core.close();
    const db = new Database(v.vaultPath);
    const cols = Object.keys(old);
    const insert = (idExpr: string) => db.prepare(`INSERT INTO entries (${cols.join(', ')}) VALUES (${cols.map((col) => (col === 'id' ? idExpr : `@${col}`)).join(', ')})`).run(old);
    insert('@id');
    insert('CAST(@id AS BLOB)');
    db.close();
    const { error, unchanged } = await unlock(v);
    // Either check sees it: the BLOB id is not stored as declared, and the two rows carry one mac.
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringMatching(/1 row of entries fails its mac|two rows carry the same mac/) });
    expect(unchanged).toBe(true);
  });

  it("refuses a file from which an entry was deleted, its mac parked in a junk history row of another, live entry (the term is bound to the mac's table)", async () => {
    const v = await seeded();
    const db = new Database(v.vaultPath);
    db.pragma('foreign_keys = OFF');
    const gone = db.prepare('SELECT mac FROM entries WHERE id = ?').pluck().get(v.entryIds[1]) as Buffer;
    db.prepare('DELETE FROM entries WHERE id = ?').run(v.entryIds[1]);
    db.prepare("INSERT INTO entry_versions (entry_id, version, secret, created_at, mac) VALUES (?, 9001, x'00', '2026-01-01T00:00:00.000Z', ?)").run(v.entryIds[0], gone);
    db.close();
    const { error, unchanged } = await unlock(v);
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('a row was deleted or rolled back') });
    expect(unchanged).toBe(true);
  });

  it('refuses a file with only the one changed mac parked in a junk history row (the digest needs its term, which cannot be made without the key)', async () => {
    const v = await seeded();
    const db = new Database(v.vaultPath);
    const { now } = reviveToken(db, v);
    db.prepare("INSERT INTO entry_versions (entry_id, version, secret, created_at, mac) VALUES (?, 9001, x'00', '2026-01-01T00:00:00.000Z', ?)").run(v.entryIds[0], now);
    db.close();
    const { error, unchanged } = await unlock(v);
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('a row was deleted or rolled back') });
    expect(unchanged).toBe(true);
  });
});

describe('a value retyped in the file (same bytes, another SQLite storage class: the same canon)', () => {
  it("makes an audit row whose action became a BLOB fail its check, so verify names it instead of a filter silently missing it", async () => {
    const v = await seeded();
    const db = new Database(v.vaultPath);
    const id = db.prepare("SELECT id FROM audit WHERE action = 'token.revoke'").pluck().get() as number;
    db.prepare('UPDATE audit SET action = CAST(action AS BLOB) WHERE id = ?').run(id);
    db.close();
    const { error, core } = await unlock(v);
    expect(error).toBeNull(); // audit rows are checked when read, and by verify
    expect(await core.vault.verify(PASSWORD)).toMatchObject({ failing: [{ table: 'audit', count: 1, ids: [String(id)] }], problem: '1 row of audit fails its mac' });
    // A filter by that action still finds the row, and refuses the page out loud.
    expect(() => core.audit.list({ action: 'token.revoke' })).toThrow(expect.objectContaining({ code: 'VAULT_TAMPERED' }));
  });

  it("refuses an entry's history when one of its versions had its entry_id made a BLOB, instead of showing the history without it", async () => {
    const v = await createTestVault();
    cleanups.push(() => v.close());
    const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
    const id = v.core.entries.create(APP, { categoryId: c.id, name: 'Blog', value: 'sk-1' }).id;
    v.core.entries.update(APP, id, { value: 'sk-2' });
    v.core.entries.update(APP, id, { value: 'sk-3' });
    expect(v.core.entries.versions(APP, id)).toHaveLength(2);
    const db = new Database(v.vaultPath);
    db.pragma('foreign_keys = OFF');
    db.prepare('UPDATE entry_versions SET entry_id = CAST(entry_id AS BLOB) WHERE version = 1').run();
    db.close();
    expect(() => v.core.entries.versions(APP, id)).toThrow(expect.objectContaining({ code: 'VAULT_TAMPERED' }));
  });

  it("refuses at unlock a settings row whose key was made a BLOB (its computed mac unchanged, Keyden's reads no longer find it), and verify fails", async () => {
    const v = await seeded();
    const db = new Database(v.vaultPath);
    db.prepare("UPDATE meta SET key = CAST(key AS BLOB) WHERE key = 'settings'").run();
    db.close();
    const { error, unchanged } = await unlock(v);
    expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('1 row of meta fails its mac') });
    expect(unchanged).toBe(true);
    const again = openKeydenCore({ vaultPath: v.vaultPath, unsafeTestKdf: TEST_KDF, knownVaultsPath: path.join(v.dir, 'known-vaults.json') });
    cleanups.push(() => again.close());
    expect((await again.vault.verify(PASSWORD)).problem).not.toBeNull();
  });

  it('refuses at unlock an entry whose id was made a BLOB, and a token whose revoked_at was made a BLOB', async () => {
    for (const edit of [
      (db: Database.Database, v: Seeded) => db.prepare('UPDATE entries SET id = CAST(id AS BLOB) WHERE id = ?').run(v.entryIds[0]),
      (db: Database.Database, v: Seeded) => db.prepare('UPDATE tokens SET revoked_at = CAST(revoked_at AS BLOB) WHERE id = ?').run(v.revoked.id),
    ]) {
      const v = await seeded();
      const db = new Database(v.vaultPath);
      db.pragma('foreign_keys = OFF');
      edit(db, v);
      db.close();
      const { error, unchanged } = await unlock(v);
      expect(error).toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringMatching(/1 row of (entries|tokens) fails its mac/) });
      expect(unchanged).toBe(true);
    }
  });
});

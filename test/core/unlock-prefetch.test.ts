// Unlock reads the sealed overviews while Argon2 runs in its worker; rows that another
// connection changed in the meantime (PRAGMA data_version) are read again, never served stale.
import path from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { APP, CLI, openKeydenCore } from '../../src/main/core/index.js';
import { createTestVault, PASSWORD, TEST_KDF, type TestVault } from '../helpers/core.js';

let v: TestVault | undefined;
afterEach(() => v?.close());

describe('unlock with overviews read during the KDF', () => {
  it('shows every entry, including one another connection added while the KDF ran', async () => {
    v = await createTestVault();
    const category = v.core.categories.create(CLI, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
    for (let i = 0; i < 3; i++) v.core.entries.create(CLI, { categoryId: category.id, name: `Project ${i}`, value: `sk-${i}` });
    v.core.vault.lock(CLI);

    const admin = openKeydenCore({ vaultPath: v.vaultPath, role: 'admin', unsafeTestKdf: TEST_KDF });
    try {
      await admin.vault.unlock(CLI, PASSWORD);
      const unlocking = v.core.vault.unlock(APP, PASSWORD);
      await tick(); // the owner has read the rows and now waits for its KDF worker
      const added = admin.entries.create(CLI, { categoryId: category.id, name: 'Added Meanwhile', value: 'sk-new' });
      await unlocking;
      const names = v.core.entries.list(APP).items.map((e) => e.name).sort();
      expect(names).toEqual(['Added Meanwhile', 'Project 0', 'Project 1', 'Project 2']);
      expect((await v.core.entries.reveal(APP, added.id)).value).toBe('sk-new');
    } finally {
      admin.close();
    }
  });

  it('unlocks after a wrong password and after a lock, with the same entries', async () => {
    v = await createTestVault();
    const category = v.core.categories.create(CLI, { name: 'Stripe', keyType: 'simple', envVarName: 'STRIPE_KEY' });
    v.core.entries.create(CLI, { categoryId: category.id, name: 'Shop', value: 'sk-shop' });
    v.core.vault.lock(CLI);
    await expect(v.core.vault.unlock(APP, 'not the password')).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
    await v.core.vault.unlock(APP, PASSWORD);
    expect(v.core.entries.list(APP).items.map((e) => e.name)).toEqual(['Shop']);
  });

  it('reads a large vault a page of rows at a time: every entry is listed and a row edited on the last page still fails its mac', async () => {
    v = await createTestVault();
    const lines = Array.from({ length: 1201 }, (_, i) => `VAR_${String(i).padStart(4, '0')}=value-${i}`).join('\n');
    v.core.projects.importEnv(CLI, 'Paged', 'development', lines, 'upsert');
    v.core.vault.lock(CLI);
    await v.core.vault.unlock(APP, PASSWORD);
    const listed = v.core.entries.list(APP, { project: 'Paged', limit: 10_000 });
    expect(listed.total).toBe(1201);
    expect(new Set(listed.items.map((e) => e.id)).size).toBe(1201);
    const last = listed.items.find((e) => e.envVarName === 'VAR_1200')!;
    expect((await v.core.entries.reveal(APP, last.id)).value).toBe('value-1200');
    v.core.close();
    // The 1 201st row (past two full pages) put back to another row's secret: its mac no longer matches.
    const db = new Database(v.vaultPath);
    const rowids = db.prepare('SELECT rowid FROM entries ORDER BY rowid').pluck().all() as number[];
    db.prepare('UPDATE entries SET secret = (SELECT secret FROM entries WHERE rowid = ?) WHERE rowid = ?').run(rowids[0], rowids.at(-1));
    db.close();
    const again = openKeydenCore({ vaultPath: v.vaultPath, unsafeTestKdf: TEST_KDF, knownVaultsPath: path.join(v.dir, 'known-vaults.json') });
    try {
      await expect(again.vault.unlock(APP, PASSWORD)).rejects.toMatchObject({ code: 'VAULT_TAMPERED', message: expect.stringContaining('1 row of entries') });
    } finally {
      again.close();
    }
  });
});

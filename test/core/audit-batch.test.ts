// Group commit (DESIGN §3): reveals that arrive together share one transaction; each batch's
// rows after the first go in with their sealed detail in one INSERT (the id SQLite would give).
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { APP, CLI, openKeydenCore } from '../../src/main/core/index.js';
import { createTestVault, PASSWORD, TEST_KDF, type TestVault } from '../helpers/core.js';

let v: TestVault | undefined;
afterEach(() => v?.close());

async function withEntries(n: number): Promise<{ vault: TestVault; ids: string[] }> {
  const vault = await createTestVault();
  const category = vault.core.categories.create(CLI, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(vault.core.entries.create(CLI, { categoryId: category.id, name: `Project ${i}`, value: `sk-${i}` }).id);
  return { vault, ids };
}

describe('group-committed audit rows', () => {
  it('records every reveal of a batch, in order, with consecutive ids and readable details', async () => {
    const { vault, ids } = await withEntries(40);
    v = vault;
    const before = v.core.audit.list().items[0]!.id;
    const revealed = await Promise.all(ids.map((id) => v!.core.entries.reveal(APP, id)));
    expect(revealed.map((r) => r.value)).toEqual(ids.map((_, i) => `sk-${i}`));
    const rows = v.core.audit.list({ action: 'entry.reveal' }).items.reverse();
    expect(rows).toHaveLength(40);
    expect(rows.map((r) => r.id)).toEqual(ids.map((_, i) => before + 1 + i));
    expect(rows.map((r) => r.targetId)).toEqual(ids);
    expect(rows.map((r) => r.detail)).toMatchObject(ids.map((_, i) => ({ name: `Project ${i}`, environment: 'development' })));
  });

  it('stays right when another connection writes audit rows between batches', async () => {
    const { vault, ids } = await withEntries(10);
    v = vault;
    const admin = openKeydenCore({ vaultPath: v.vaultPath, role: 'admin', unsafeTestKdf: TEST_KDF });
    try {
      await admin.vault.unlock(CLI, PASSWORD);
      await Promise.all(ids.slice(0, 5).map((id) => v!.core.entries.reveal(APP, id)));
      admin.tokens.create(CLI, { name: 'beside', scopes: ['entries:read'], projects: null, environments: null });
      await Promise.all(ids.slice(5).map((id) => v!.core.entries.reveal(APP, id)));
    } finally {
      admin.close();
    }
    const rows = v.core.audit.list().items;
    expect(rows.filter((r) => r.action === 'entry.reveal').map((r) => r.detail?.name).sort()).toEqual(ids.map((_, i) => `Project ${i}`).sort());
    expect(rows.find((r) => r.action === 'token.create')?.detail).toMatchObject({ name: 'beside' });
    // Every sealed detail opens under its own row id (none is null).
    const db = new Database(path.join(v.dir, 'vault.db'), { readonly: true });
    const withDetail = db.prepare("SELECT count(*) AS n FROM audit WHERE action = 'entry.reveal' AND detail IS NOT NULL").get() as { n: number };
    db.close();
    expect(withDetail.n).toBe(10);
    expect(rows.filter((r) => r.action === 'entry.reveal').every((r) => r.detail !== null)).toBe(true);
  });
});

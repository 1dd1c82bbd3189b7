// The owner keeps the sealed secrets it has read (ciphertext, opened at every reveal): a reveal
// never serves a value that changed since, whether the owner or another connection changed it.
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { APP, CLI } from '../../src/main/core/index.js';
import { createTestVault, PASSWORD, type TestVault } from '../helpers/core.js';

let v: TestVault | undefined;
afterEach(() => v?.close());

async function vaultWithTwo() {
  v = await createTestVault();
  const category = v.core.categories.create(CLI, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
  const blog = v.core.entries.create(CLI, { categoryId: category.id, name: 'Blog', value: 'sk-blog-1' });
  const shop = v.core.entries.create(CLI, { categoryId: category.id, name: 'Shop', value: 'sk-shop-1' });
  return { core: v.core, vaultPath: v.vaultPath, blog, shop, category };
}

describe('reveals of a value read before', () => {
  it('return the new value after an update, and the old one from its version', async () => {
    const { core, blog } = await vaultWithTwo();
    expect((await core.entries.reveal(APP, blog.id)).value).toBe('sk-blog-1');
    core.entries.update(APP, blog.id, { value: 'sk-blog-2' });
    expect((await core.entries.reveal(APP, blog.id)).value).toBe('sk-blog-2');
    expect((await core.entries.revealVersion(APP, blog.id, 1)).value).toBe('sk-blog-1');
  });

  it('fail with NOT_FOUND once the entry is deleted', async () => {
    const { core, blog } = await vaultWithTwo();
    await core.entries.reveal(APP, blog.id);
    core.entries.remove(APP, blog.id);
    await expect(core.entries.reveal(APP, blog.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('see a secret another connection changed, from the next turn on, and lock at the next write', async () => {
    const { core, vaultPath, blog, shop } = await vaultWithTwo();
    expect((await core.entries.reveal(APP, blog.id)).value).toBe('sk-blog-1');
    // Another connection puts Shop's sealed secret into Blog's row: its AAD names Shop, so it
    // must fail to open, not serve the value kept from before.
    const db = new Database(vaultPath);
    try {
      db.prepare('UPDATE entries SET secret = (SELECT secret FROM entries WHERE id = ?) WHERE id = ?').run(shop.id, blog.id);
    } finally {
      db.close();
    }
    await nextTurn();
    core.refresh();
    await expect(core.entries.reveal(APP, blog.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The next write (the audit row of a reveal) checks every row another connection may have
    // changed (issue 14 item 1): it finds the edit, and the owner locks rather than go on.
    await expect(core.entries.reveal(APP, shop.id)).rejects.toMatchObject({ code: 'VAULT_TAMPERED' });
    expect(core.vault.status().locked).toBe(true);
  });

  it('read the file again after a lock and an unlock', async () => {
    const { core, blog } = await vaultWithTwo();
    await core.entries.reveal(APP, blog.id);
    core.vault.lock(APP);
    await expect(core.entries.reveal(APP, blog.id)).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    await core.vault.unlock(APP, PASSWORD);
    expect((await core.entries.reveal(APP, blog.id)).value).toBe('sk-blog-1');
  });
});

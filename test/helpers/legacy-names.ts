// A vault an earlier Keyden wrote: it let invisible and text-direction characters into names. The
// test sets such a name in the file itself (the core of today refuses it), re-sealed and re-maced
// as that Keyden would have written it, so the vault unlocks as an ordinary one.
import Database from 'better-sqlite3';
import { blobAad, deriveSubkeys, open, seal } from '../../src/main/crypto/aead.js';
import { remacVault, vaultKeyOf } from './remac.js';

/** Sets the `name` in the overview of every `entries` row named `from` (or the `categories`/`tokens` row with that name). */
export async function renameInFile(vaultPath: string, password: string, table: 'entries' | 'categories' | 'tokens', from: string, to: string): Promise<void> {
  const db = new Database(vaultPath);
  try {
    const { vaultKey } = await vaultKeyOf(db, password);
    const { overview: key } = deriveSubkeys(vaultKey);
    const rows = db.prepare(`SELECT * FROM ${table}`).all() as { id: string; category_id?: string; overview: Uint8Array }[];
    for (const row of rows) {
      const aad = blobAad(table, 'overview', table === 'entries' ? `${row.id}/${row.category_id}` : row.id);
      const overview = open(key, aad, new Uint8Array(row.overview)) as { name: string };
      if (overview.name !== from) continue;
      db.prepare(`UPDATE ${table} SET overview = ? WHERE id = ?`).run(seal(key, aad, { ...overview, name: to }), row.id);
    }
  } finally {
    db.close();
  }
  await remacVault(vaultPath, password);
}

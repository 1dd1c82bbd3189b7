// What the format 1 → 2 upgrade checks before it macs anything (docs/vault-format.md, "Migration
// from format 1"). Format 1 authenticates only its blobs, and the upgrade's macs vouch for every
// row as the key holder's: so the file must first be one Keyden 0.1 could have written — every
// blob opens under the vault's key, no foreign key dangles, and meta holds only format 1's rows.
import { blobAad, opens, type Subkeys } from '../crypto/aead.js';
import { SEALED_TABLES, sealedRowId } from './sealed-tables.js';
import type { Db } from './statements.js';

/** The meta rows a format 1 vault has (Keyden 0.1 writes these at creation and no other). */
export const FORMAT_1_META_KEYS: readonly string[] = ['format', 'vault_id', 'kdf', 'wrapped_key', 'settings'];

/** What a format 1 vault may not hold, in one phrase; null when it may be upgraded. */
export function format1Problem(db: Db, keys: Pick<Subkeys, 'overview' | 'secret'>): string | null {
  return metaProblem(db) ?? foreignKeyProblem(db) ?? blobProblem(db, keys);
}

function metaProblem(db: Db): string | null {
  const keys = db.prepare('SELECT key FROM main.meta').pluck().all() as unknown[];
  const stray = keys.filter((k) => typeof k !== 'string' || !FORMAT_1_META_KEYS.includes(k));
  if (stray.length > 0) {
    const names = stray.slice(0, 3).map((k) => JSON.stringify(String(k).slice(0, 40)));
    return `its meta table holds ${stray.length === 1 ? 'a row' : `${stray.length} rows`} no format 1 vault has (${names.join(', ')}${stray.length > 3 ? ', …' : ''})`;
  }
  const format = db.prepare("SELECT value FROM main.meta WHERE key = 'format'").pluck().get();
  if (format !== 'keyden-vault/1') return 'its format row does not say format 1';
  return null;
}

function foreignKeyProblem(db: Db): string | null {
  const dangling = db.pragma('main.foreign_key_check') as { table: string; parent: string }[];
  if (dangling.length === 0) return null;
  const counts = new Map<string, number>();
  for (const d of dangling) counts.set(`${d.table}\0${d.parent}`, (counts.get(`${d.table}\0${d.parent}`) ?? 0) + 1);
  const parts = [...counts].map(([k, n]) => {
    const [table, parent] = k.split('\0') as [string, string];
    return `${n} ${n === 1 ? 'row' : 'rows'} of ${table} ${n === 1 ? 'names' : 'name'} a ${parent} row that is not there`;
  });
  return parts.join(', ');
}

function blobProblem(db: Db, keys: Pick<Subkeys, 'overview' | 'secret'>): string | null {
  const present = new Set(db.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  const parts: string[] = [];
  for (const t of SEALED_TABLES) {
    if (!present.has(t.table)) continue; // projects: format 2 makes it
    const columns = [...t.rowId, ...t.sealed.map((c) => c.name)];
    const idAt = t.rowId.map((_, i) => i);
    const rows = db.prepare(`SELECT ${columns.join(', ')} FROM main.${t.table}`).raw(true).iterate() as IterableIterator<unknown[]>;
    const failed = t.sealed.map(() => 0);
    for (const row of rows) {
      const rowId = sealedRowId(row, idAt);
      t.sealed.forEach((c, k) => {
        const blob = row[t.rowId.length + k];
        if (blob === null) return; // only audit.detail may be NULL (the schema says so)
        // A REAL has no canon: the upgrade refuses it as VAULT_INVALID (docs/vault-format.md), as before this check.
        if (typeof blob === 'number' && !Number.isInteger(blob)) return;
        if (!(blob instanceof Uint8Array) || !opens(keys[c.subkey], blobAad(t.table, c.name, rowId), blob)) failed[k]!++;
      });
    }
    t.sealed.forEach((c, k) => {
      const n = failed[k]!;
      if (n > 0) parts.push(`${n} sealed ${t.table}.${c.name} ${n === 1 ? 'value does' : 'values do'} not open under its key`);
    });
  }
  return parts.length > 0 ? parts.join(', ') : null;
}

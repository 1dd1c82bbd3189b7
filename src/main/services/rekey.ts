// Key rotation (DESIGN §3, `keyden passwd --rotate-key`): every sealed blob opened with the old
// subkeys and sealed again, with a fresh nonce, under the new ones — inside the caller's transaction.
import { KeydenError } from '../../shared/errors.js';
import { blobAad, open, seal, type Subkeys } from '../crypto/aead.js';
import type { Db } from '../store/db.js';

interface SealedColumn {
  table: string;
  /** SELECT of the row's key columns (as `k1`, `k2`) and its blob (as `blob`). */
  select: string;
  update: string;
  column: string;
  subkey: 'overview' | 'secret';
  rowId: (row: { k1: string | number; k2?: string | number }) => string;
}

const one = (row: { k1: string | number }): string => String(row.k1);
const two = (row: { k1: string | number; k2?: string | number }): string => `${row.k1}/${row.k2}`;

/** Every sealed column of format 2, with the AAD row id rule of DESIGN §3. */
const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'categories', column: 'overview', subkey: 'overview', select: 'SELECT id AS k1, overview AS blob FROM categories', update: 'UPDATE categories SET overview = ? WHERE id = ?', rowId: one },
  { table: 'entries', column: 'overview', subkey: 'overview', select: 'SELECT id AS k1, category_id AS k2, overview AS blob FROM entries', update: 'UPDATE entries SET overview = ? WHERE id = ?', rowId: two },
  { table: 'entries', column: 'secret', subkey: 'secret', select: 'SELECT id AS k1, category_id AS k2, secret AS blob FROM entries', update: 'UPDATE entries SET secret = ? WHERE id = ?', rowId: two },
  {
    table: 'entry_versions',
    column: 'secret',
    subkey: 'secret',
    select: 'SELECT entry_id AS k1, version AS k2, secret AS blob FROM entry_versions',
    update: 'UPDATE entry_versions SET secret = ? WHERE entry_id = ? AND version = ?',
    rowId: two,
  },
  { table: 'tokens', column: 'overview', subkey: 'overview', select: 'SELECT id AS k1, overview AS blob FROM tokens', update: 'UPDATE tokens SET overview = ? WHERE id = ?', rowId: one },
  { table: 'audit', column: 'detail', subkey: 'overview', select: 'SELECT id AS k1, detail AS blob FROM audit WHERE detail IS NOT NULL', update: 'UPDATE audit SET detail = ? WHERE id = ?', rowId: one },
  { table: 'projects', column: 'overview', subkey: 'overview', select: 'SELECT id AS k1, overview AS blob FROM projects', update: 'UPDATE projects SET overview = ? WHERE id = ?', rowId: one },
];

/**
 * Re-seals every blob from `from` to `to`. A blob that does not open under the old key stops
 * the rotation (nothing is written: the caller's transaction rolls back), so no value is lost.
 */
export function resealEveryRow(db: Db, from: Subkeys, to: Subkeys): number {
  let count = 0;
  for (const c of SEALED_COLUMNS) {
    const rows = db.prepare(c.select).all() as { k1: string | number; k2?: string | number; blob: Uint8Array }[];
    const update = db.prepare(c.update);
    let failed = 0;
    for (const row of rows) {
      const aad = blobAad(c.table, c.column, c.rowId(row));
      const plain = open(from[c.subkey], aad, row.blob);
      if (plain === null) {
        failed++;
        continue;
      }
      const keys = row.k2 === undefined || c.table !== 'entry_versions' ? [row.k1] : [row.k1, row.k2];
      update.run(seal(to[c.subkey], aad, plain), ...keys);
      count++;
    }
    if (failed > 0) {
      throw new KeydenError('VAULT_TAMPERED', `${failed} sealed ${c.table}.${c.column} ${failed === 1 ? 'value does' : 'values do'} not open; the key was not rotated and nothing was changed`, {
        table: c.table,
        column: c.column,
        count: failed,
      });
    }
  }
  return count;
}

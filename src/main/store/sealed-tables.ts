// Where the sealed blobs of a vault are (DESIGN §3): every table with one, its sealed columns with
// the subkey of each, and the columns of the row id its AAD names. The one description for code
// that opens every blob of the file: key rotation (services/rekey.ts) and the format 1 upgrade's
// check (store/format-1-check.ts).
import { MAC_TABLES, type MacTable } from './integrity.js';

export interface SealedTable {
  table: MacTable;
  /** The columns of the AAD's row id (DESIGN §3): `id`, `id/category_id` or `entry_id/version`. */
  rowId: readonly string[];
  /** The sealed columns, each with the subkey it is sealed under (a NULL one stays NULL). */
  sealed: readonly { name: string; subkey: 'overview' | 'secret' }[];
}

/** Every table with a mac, its sealed columns and the AAD row id rule of DESIGN §3. */
export const SEALED_TABLES: readonly SealedTable[] = [
  { table: 'categories', rowId: ['id'], sealed: [{ name: 'overview', subkey: 'overview' }] },
  {
    table: 'entries',
    rowId: ['id', 'category_id'],
    sealed: [
      { name: 'overview', subkey: 'overview' },
      { name: 'secret', subkey: 'secret' },
    ],
  },
  { table: 'entry_versions', rowId: ['entry_id', 'version'], sealed: [{ name: 'secret', subkey: 'secret' }] },
  { table: 'tokens', rowId: ['id'], sealed: [{ name: 'overview', subkey: 'overview' }] },
  { table: 'audit', rowId: ['id'], sealed: [{ name: 'detail', subkey: 'overview' }] },
  { table: 'projects', rowId: ['id'], sealed: [{ name: 'overview', subkey: 'overview' }] },
];
if (SEALED_TABLES.length !== MAC_TABLES.length || SEALED_TABLES.some((t, i) => t.table !== MAC_TABLES[i])) {
  throw new Error('sealed-tables: every table with a mac needs its entry here');
}

/** The row id of a row's AAD, from its values in `columns` order (`values[idAt[k]]` are the id's columns). */
export const sealedRowId = (values: readonly unknown[], idAt: readonly number[]): string => idAt.map((i) => values[i]).join('/');

// Key rotation (DESIGN §3, `keyden passwd --rotate-key`): every sealed blob opened with the old
// subkeys and sealed again, with a fresh nonce, under the new ones, and every row's mac made under
// the new K_mac — inside the caller's transaction (IntegrityWriter.rebuild).
import { KeydenError } from '../../shared/errors.js';
import { blobAad, reseal, type Subkeys } from '../crypto/aead.js';
import { dataVersion, statement, type Db } from '../store/db.js';
import { macColumns, macMatches, rowMac, tampered, type MacTable } from '../store/integrity.js';
import { SEALED_TABLES, sealedRowId } from '../store/sealed-tables.js';

/**
 * Every sealed table's rows as the rotation reads them (`[rowid, mac, ...columns]`, in
 * SEALED_TABLES order), with the state of the file and of this connection they were read in.
 */
export interface SealedRows {
  /** `PRAGMA data_version` (moves when another connection commits) and `total_changes()` (this connection's writes). */
  readonly at: string;
  readonly tables: readonly { columns: string[]; rows: unknown[][] }[];
}

const stateOf = (db: Db): string => `${dataVersion(db)}/${statement(db, 'SELECT total_changes()').pluck().get() as number}`;

/**
 * Reads every sealed table in one read transaction. It needs no key, so a rotation reads while
 * Argon2 runs (as an unlock reads its snapshot) and, inside its write transaction, keeps what it
 * read only when nothing was written since (`currentRows`).
 */
export function readSealedRows(db: Db): SealedRows {
  return db.transaction(() => ({
    at: stateOf(db),
    tables: SEALED_TABLES.map((t) => {
      const columns = macColumns(db, t.table);
      return { columns, rows: db.prepare(`SELECT rowid, mac, ${columns.join(', ')} FROM main.${t.table}`).raw(true).all() as unknown[][] };
    }),
  }))();
}

/** `read` when no connection has written since it was read, else the rows read now. Call inside the rotation's transaction. */
export const currentRows = (db: Db, read: SealedRows | null): SealedRows => (read && read.at === stateOf(db) ? read : readSealedRows(db));

/**
 * Re-seals every blob from `from` to `to` and gives every row its mac under `to.mac`: one UPDATE
 * a row, by rowid, from `sealed` (the tables as they are in this transaction: `currentRows`).
 * Every row of a table `check` names first has its stored mac checked under `from.mac`: a
 * rotation must never make an edited row authentic. A row that fails, or a blob that does not
 * open under the old key, stops the rotation (nothing is written: the caller's transaction rolls
 * back), so no value is lost and no edit is blessed.
 * Returns the number of blobs re-sealed and the tables whose macs are all set.
 */
export function resealEveryRow(db: Db, sealed: SealedRows, from: Subkeys, to: Subkeys, check: (table: MacTable) => boolean): { count: number; macsSet: ReadonlySet<MacTable> } {
  let count = 0;
  for (const [i, t] of SEALED_TABLES.entries()) {
    const { columns, rows } = sealed.tables[i]!;
    const idAt = t.rowId.map((c) => columns.indexOf(c));
    const sealedAt = t.sealed.map((c) => columns.indexOf(c.name));
    const checkRows = check(t.table);
    const update = db.prepare(`UPDATE main.${t.table} SET ${t.sealed.map((c) => `${c.name} = ?`).join(', ')}, mac = ? WHERE rowid = ?`);
    const failed = new Map<string, number>();
    let badMacs = 0;
    for (const row of rows) {
      const rowid = row[0];
      const values = row.slice(2);
      if (checkRows && !macMatches(from.mac, t.table, values, row[1])) {
        badMacs++;
        continue;
      }
      const rowId = sealedRowId(values, idAt);
      let ok = true;
      t.sealed.forEach((c, k) => {
        const blob = values[sealedAt[k]!] as Uint8Array | null;
        if (blob === null) return;
        const next = reseal(from[c.subkey], to[c.subkey], blobAad(t.table, c.name, rowId), blob);
        if (next) {
          values[sealedAt[k]!] = next;
          count++;
        } else {
          ok = false;
          failed.set(c.name, (failed.get(c.name) ?? 0) + 1);
        }
      });
      if (!ok) continue;
      update.run(...sealedAt.map((i) => values[i]), rowMac(to.mac, t.table, values), rowid);
    }
    if (badMacs > 0) {
      throw tampered(
        `${badMacs} ${badMacs === 1 ? 'row' : 'rows'} of ${t.table} ${badMacs === 1 ? 'fails its' : 'fail their'} mac; the key was not rotated and nothing was changed (run \`keyden verify\` for details, or restore a backup)`,
        { failing: { [t.table]: badMacs } },
      );
    }
    for (const [column, n] of failed) {
      throw new KeydenError('VAULT_TAMPERED', `${n} sealed ${t.table}.${column} ${n === 1 ? 'value does' : 'values do'} not open; the key was not rotated and nothing was changed`, {
        table: t.table,
        column,
        count: n,
      });
    }
  }
  return { count, macsSet: new Set(SEALED_TABLES.map((t) => t.table)) };
}

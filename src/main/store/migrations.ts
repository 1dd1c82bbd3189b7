// One function per schema version, applied in order inside one transaction (DESIGN §3).
import type { Database } from 'better-sqlite3';
import { format1Problem } from './format-1-check.js';
import { integrityMac, computeDigest, macColumns, macEveryRow, MAC_TABLES, storedAsDeclaredSql, tampered, writeIntegrity } from './integrity.js';
import { SCHEMA_DDL } from './schema.js';

/** What a keyed migration needs to mac the rows it changes. */
export interface MigrationKey {
  /** K_mac (the SQL function keyden_row_mac of this connection uses the same key). */
  mac: Uint8Array;
  /** K_ov and K_sec: every blob must open before the upgrade vouches for its row. */
  overview: Uint8Array;
  secret: Uint8Array;
  vaultId: string;
}

export interface Migration {
  /**
   * A keyed migration macs existing rows, so it runs at the first unlock (with the key), not at
   * open. On a new, empty vault it runs at creation with `key` null.
   */
  keyed: boolean;
  up(db: Database, key: MigrationKey | null): void;
}

export const MIGRATIONS: readonly Migration[] = [
  // 1: the vault format of DESIGN §3.
  { keyed: false, up: (db) => {
    db.exec(SCHEMA_DDL[0]!);
  } },
  // 2: format 2 (DESIGN §3 "Integrity", §9 "Storage"): a mac on every row, projects, the trash.
  { keyed: true, up: (db, key) => {
    if (key) {
      // Format 1 authenticates only its blobs, and the macs below vouch for every row: a file
      // Keyden 0.1 could not have written (a blob that does not open, a dangling foreign key, a
      // stray meta row) is refused before anything is written, not blessed.
      const problem = format1Problem(db, key);
      if (problem) throw tampered(`${problem}; it was not upgraded to format 2 and nothing in it was changed (restore a backup)`, { format1: problem });
    }
    db.exec(SCHEMA_DDL[1]!);
    if (!key) return; // a new vault: no rows yet; its creation writes the integrity record
    db.prepare("UPDATE meta SET value = 'keyden-vault/2' WHERE key = 'format'").run();
    macEveryRow(db);
    // A value retyped in the file (a TEXT id made a BLOB: the same canon) would be mac'd here and fail every unlock after this one.
    const retyped = MAC_TABLES.filter((t) => db.prepare(`SELECT 1 FROM main.${t} WHERE NOT ${storedAsDeclaredSql(t, macColumns(db, t))} LIMIT 1`).get());
    if (retyped.length > 0) throw tampered(`a value of ${retyped.join(', ')} is stored in another SQLite type than its column declares; it was not upgraded to format 2 and nothing in it was changed (restore a backup)`);
    const computed = computeDigest(db, key.mac);
    // Two rows of a format 1 file with equal macs are two copies of one row (a file edited to
    // hold a row twice, one id as TEXT and one as a BLOB): no digest may vouch for it.
    if (!computed) throw tampered('two of its rows are copies of one row; it was not upgraded and nothing in it was changed (restore a backup)');
    const digest = computed.toString('hex');
    writeIntegrity(db, { generation: 1, digest, mac: integrityMac(key.mac, key.vaultId, 1, digest) });
  } },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

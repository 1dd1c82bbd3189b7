// One function per schema version, applied in order inside one transaction (DESIGN §3).
import type { Database } from 'better-sqlite3';
import { integrityMac, computeDigest, macEveryRow, writeIntegrity } from './integrity.js';

/** What a keyed migration needs to mac the rows it changes. */
export interface MigrationKey {
  /** K_mac (the SQL function keyden_row_mac of this connection uses the same key). */
  mac: Uint8Array;
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
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE categories (
        id TEXT PRIMARY KEY,
        overview BLOB NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE entries (
        id TEXT PRIMARY KEY,
        category_id TEXT NOT NULL REFERENCES categories(id),
        overview BLOB NOT NULL,
        secret BLOB NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX entries_by_category ON entries(category_id);
      CREATE TABLE entry_versions (
        entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        secret BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (entry_id, version)
      );
      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        overview BLOB NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        expires_at TEXT,
        revoked_at TEXT
      );
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target_id TEXT,
        ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
        detail BLOB
      );
    `);
  } },
  // 2: format 2 (DESIGN §3 "Integrity", §9 "Storage"): a mac on every row, projects, the trash.
  { keyed: true, up: (db, key) => {
    db.exec(`
      ALTER TABLE categories ADD COLUMN mac BLOB NOT NULL DEFAULT x'';
      ALTER TABLE entries ADD COLUMN trashed_at TEXT;
      ALTER TABLE entries ADD COLUMN mac BLOB NOT NULL DEFAULT x'';
      ALTER TABLE entry_versions ADD COLUMN mac BLOB NOT NULL DEFAULT x'';
      ALTER TABLE tokens ADD COLUMN mac BLOB NOT NULL DEFAULT x'';
      ALTER TABLE audit ADD COLUMN mac BLOB NOT NULL DEFAULT x'';
      CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        overview BLOB NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        mac BLOB NOT NULL DEFAULT x''
      );
    `);
    if (!key) return; // a new vault: no rows yet; its creation writes the integrity record
    db.prepare("UPDATE meta SET value = 'keyden-vault/2' WHERE key = 'format'").run();
    macEveryRow(db);
    const digest = computeDigest(db, key.mac).toString('hex');
    writeIntegrity(db, { generation: 1, digest, mac: integrityMac(key.mac, key.vaultId, 1, digest) });
  } },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

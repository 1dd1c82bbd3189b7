// Opening a vault file (DESIGN §3): read-only checks first, so a foreign or damaged file stays
// byte-identical; then the PRAGMAs, the migrations and private file modes.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { KeydenError } from '../../shared/errors.js';
import { MIGRATIONS, SCHEMA_VERSION, type MigrationKey } from './migrations.js';
import { assertSchema, NoCanonError } from './integrity.js';
import { useSchemaBinding } from './schema.js';

export { dataVersion, statement, type Db } from './statements.js';
import type { Db } from './statements.js';

export const APPLICATION_ID = 0x4b444e31; // "KDN1"

export interface OpenOptions {
  /** Where better-sqlite3's native module lives (the Electron build loads its own). */
  nativeBinding?: string;
}

function invalid(file: string, why: string): KeydenError {
  return new KeydenError('VAULT_INVALID', `${file} ${why}`, { path: file });
}

/** Checks, read-only, that the file is a healthy Keyden vault this version can open. */
function checkExisting(file: string, options: OpenOptions): void {
  useSchemaBinding(options.nativeBinding);
  const size = fs.statSync(file).size;
  if (size === 0) throw invalid(file, 'is empty, not a Keyden vault');
  let probe: Db | undefined;
  try {
    probe = new Database(file, { readonly: true, fileMustExist: true, nativeBinding: options.nativeBinding });
    const appId = probe.pragma('application_id', { simple: true }) as number;
    if (appId !== APPLICATION_ID) throw invalid(file, 'is an SQLite database but not a Keyden vault');
    const version = probe.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw invalid(file, `was written by a newer Keyden (vault schema ${version}, this version knows up to ${SCHEMA_VERSION}); update Keyden to open it`);
    }
    if (version < 1) throw invalid(file, 'is not a complete Keyden vault (no schema)');
    // A table dropped from the file would otherwise surface as an SQLite error at the first read.
    const present = new Set(probe.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const missing = TABLES_OF_SCHEMA.slice(0, version).flat().filter((t) => !present.has(t));
    if (missing.length > 0) throw invalid(file, `is not a complete Keyden vault (no table ${missing.join(', ')}); restore it from a backup`);
    const check = probe.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw invalid(file, 'is damaged (SQLite integrity check failed); restore it from a backup');
    // Nothing stored in the file (a trigger, a view, a changed definition) may run in our transactions.
    assertSchema(probe);
  } catch (e) {
    if (e instanceof KeydenError) throw e;
    const code = (e as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB') throw invalid(file, 'is not a Keyden vault (not an SQLite database)');
    if (code === 'SQLITE_CORRUPT') throw invalid(file, 'is damaged or truncated; restore it from a backup');
    if (code === 'SQLITE_CANTOPEN' || code === 'EACCES') throw invalid(file, 'cannot be opened (check its permissions)');
    throw invalid(file, `cannot be read as a Keyden vault (${code || 'unknown error'})`);
  } finally {
    probe?.close();
  }
}

/** The tables each schema version adds (migrations.ts), in order. */
export const TABLES_OF_SCHEMA: readonly (readonly string[])[] = [['meta', 'categories', 'entries', 'entry_versions', 'tokens', 'audit'], ['projects']];

function applyPragmas(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 5000');
}

export const schemaVersion = (db: Db): number => db.pragma('user_version', { simple: true }) as number;

/**
 * Applies the migrations from the file's version on, in one transaction. Without a key it stops
 * before the first keyed one (those run at unlock: `migrateWithKey`), unless `fresh` (a new,
 * empty vault, where a keyed migration has no row to mac).
 */
function migrate(db: Db, key: MigrationKey | null, fresh = false, before?: () => void): boolean {
  const target = (from: number): number => {
    let to = from;
    while (to < SCHEMA_VERSION && (key || fresh || !MIGRATIONS[to]!.keyed)) to++;
    return to;
  };
  const seen = schemaVersion(db);
  if (target(seen) === seen) return false;
  return db.transaction(() => {
    // Read again under the write lock: another process may have upgraded the file since.
    const from = schemaVersion(db);
    const to = target(from);
    if (to === from) return false;
    // Under the write lock: the file is still exactly what Keyden made at `from`.
    assertSchema(db);
    before?.();
    for (let v = from; v < to; v++) MIGRATIONS[v]!.up(db, key);
    db.pragma(`user_version = ${to}`);
    return true;
  }).immediate();
}

/**
 * Runs the migrations that need the vault's key (the first unlock of an older format); false when
 * another process had already run them. `before` runs first, inside the migration's transaction
 * (a throw there leaves the file as it was).
 */
export function migrateWithKey(db: Db, key: MigrationKey, before?: () => void): boolean {
  try {
    return migrate(db, key, false, before);
  } catch (e) {
    // Only an edit of the file puts such a value in a row; the migration's transaction rolled back.
    if (e instanceof NoCanonError) throw invalid(db.name, `has a row of ${e.table} holding a value no Keyden vault holds (a REAL); it was not upgraded and nothing in it was changed; restore it from a backup`);
    throw e;
  }
}

export const needsKeyedMigration = (db: Db): boolean => schemaVersion(db) < SCHEMA_VERSION;

/** Keeps the vault and SQLite's side files private to the user. */
export function restrictModes(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      fs.chmodSync(f, 0o600);
    } catch {
      // A side file that does not exist yet is created by SQLite with the vault's own mode.
    }
  }
}

/** Opens an existing vault after checking it. Throws VAULT_INVALID with one clear line. */
export function openVaultDb(file: string, options: OpenOptions = {}): Db {
  if (!fs.existsSync(file)) throw new KeydenError('NOT_FOUND', `no vault at ${file}; create one with "keyden init"`, { path: file });
  checkExisting(file, options);
  const db = new Database(file, { fileMustExist: true, nativeBinding: options.nativeBinding });
  try {
    applyPragmas(db);
    migrate(db, null);
  } catch (e) {
    db.close();
    throw e;
  }
  restrictModes(file);
  return db;
}

/** Creates a new, empty vault file (mode 0600; a folder it creates gets 0700) with the schema. */
export function createVaultDb(file: string, options: OpenOptions = {}): Db {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // 'wx' refuses to replace an existing file: creating never overwrites a vault.
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') {
      throw new KeydenError('CONFLICT', `a file already exists at ${file}; refusing to overwrite it`, { path: file });
    }
    throw e;
  }
  useSchemaBinding(options.nativeBinding);
  const db = new Database(file, { nativeBinding: options.nativeBinding });
  try {
    db.pragma(`application_id = ${APPLICATION_ID}`);
    applyPragmas(db);
    migrate(db, null, true);
  } catch (e) {
    db.close();
    fs.rmSync(file, { force: true });
    throw e;
  }
  restrictModes(file);
  return db;
}

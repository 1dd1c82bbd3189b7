// The schema Keyden makes (DESIGN §3), and the check that a vault file has exactly it.
//
// A trigger, a view or a changed definition planted in the file needs no key, and SQLite would
// run it inside the owner's own transactions: a trigger that clears `revoked_at` whenever the
// owner revokes a token, or deletes each `entry.reveal` audit row as it is written, is then given
// a valid mac and folded into the digest by the owner's integrity triggers. So whatever opens the
// file, an unlock, and every write that follows another connection's commit, first compare
// `sqlite_master` with the objects the migrations create: anything else refuses the file.
import Database from 'better-sqlite3';
import { statement, type Db } from './statements.js';

/** The DDL of each schema version, in order: the unkeyed part of each migration (migrations.ts). */
export const SCHEMA_DDL: readonly string[] = [
  // 1: the vault format of DESIGN §3.
  `
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
    `,
  // 2: format 2 (DESIGN §3 "Integrity", §9 "Storage"): a mac on every row, projects, the trash.
  `
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
    `,
];

/** One row of `sqlite_master` (its `rootpage`, a storage detail, left out). */
export interface SchemaObject {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

/** The main schema's objects as SQLite keeps them, by name. */
export function readSchema(db: Db): SchemaObject[] {
  return statement(db, 'SELECT type, name, tbl_name, sql FROM main.sqlite_master ORDER BY name').all() as SchemaObject[];
}

/** The objects of each schema version (index = version), made once by running SCHEMA_DDL in memory. */
let expected: SchemaObject[][] | null = null;
let binding: string | undefined;

/** Which better-sqlite3 native module the in-memory reference schema is made with (Electron's own); call before the first check. */
export function useSchemaBinding(nativeBinding: string | undefined): void {
  if (nativeBinding !== undefined) binding = nativeBinding;
}

function expectedObjects(version: number): SchemaObject[] | undefined {
  if (!expected) {
    const made: SchemaObject[][] = [[]];
    const mem = new Database(':memory:', binding ? { nativeBinding: binding } : {});
    try {
      for (const ddl of SCHEMA_DDL) {
        mem.exec(ddl);
        made.push(readSchema(mem));
      }
    } finally {
      mem.close();
    }
    expected = made;
  }
  return expected[version];
}

/** SQLite's own statistics tables (ANALYZE): they only steer query plans, so one found in a vault is no threat. */
const isStatTable = (o: SchemaObject): boolean => o.type === 'table' && /^sqlite_stat[1-4]$/.test(o.name);

/** A name from the file, for a one-line message: quoted, cut short, with no control characters. */
function shown(name: string): string {
  // eslint-disable-next-line no-control-regex -- the point is to remove control characters
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return JSON.stringify(clean.length > 60 ? `${clean.slice(0, 60)}…` : clean);
}

/**
 * What differs between `actual` and the schema Keyden makes at `version`, one phrase each (none:
 * exactly Keyden's): objects Keyden never makes (a trigger, a view, an index, a table), definitions
 * changed in place (`PRAGMA writable_schema`), and objects missing.
 */
export function schemaProblems(actual: readonly SchemaObject[], version: number): string[] {
  const want = expectedObjects(version);
  if (!want) return [`schema version ${version}, which Keyden never makes`];
  const byName = new Map(want.map((o) => [o.name, o]));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const o of actual) {
    seen.add(o.name);
    const w = byName.get(o.name);
    if (!w) {
      if (!isStatTable(o)) problems.push(`${/^[aeiou]/.test(o.type) ? 'an' : 'a'} ${o.type} ${shown(o.name)} Keyden never makes`);
    } else if (w.type !== o.type || w.tbl_name !== o.tbl_name || w.sql !== o.sql) {
      problems.push(`the ${w.type} ${shown(o.name)} redefined`);
    }
  }
  for (const w of want) if (!seen.has(w.name)) problems.push(`the ${w.type} ${shown(w.name)} missing`);
  return problems;
}

/** `problems` as one clause: the first three, and how many more. */
export function describeSchemaProblems(problems: readonly string[]): string {
  const head = problems.slice(0, 3).join(', ');
  return `its schema was changed (${problems.length > 3 ? `${head} and ${problems.length - 3} more` : head})`;
}

// What an unlock reads and checks (DESIGN §3 "Integrity", §8). One consistent snapshot of the
// rows it loads and of every stored mac is read while the KDF runs (rows, and the canon of each
// entry, need no key); once the keys are known, every loaded row's mac, the digest and the
// integrity record are checked against it before anything is used.
import { dataVersion, statement, type Db } from '../store/db.js';
import { readSchema, schemaProblems, type SchemaObject } from '../store/schema.js';
import { hexRowCanonInto, storedAsDeclaredSql, hexRowCanonSize, recordChecks, schemaTampered, MAC_BYTES, MacsByTable, macMatches, metaMac, readIntegrity, storedMacs, tampered, type HexRows, type IntegrityRecord, type MacTable } from '../store/integrity.js';
import type { RowMacs } from '../crypto/open-many.js';
import { blobAad } from '../crypto/aead.js';
import { entryRowId } from './context.js';

/**
 * The tables whose every row an unlock checks (DESIGN §3: the rows it loads); the others
 * (versions, audit rows) are checked when they are read, and only their stored macs go into the
 * digest at unlock.
 */
export const CHECKED_AT_UNLOCK = ['categories', 'entries', 'tokens', 'projects'] as const satisfies readonly MacTable[];

/** A table's rows as arrays, in table column order (`mac` included where the table has it). */
export interface TableRows {
  columns: string[];
  rows: unknown[][];
  /** Index of `mac` in each row, or -1 (a format 1 vault). */
  macAt: number;
}

export interface UnlockSnapshot {
  dataVersion: number;
  /** `PRAGMA user_version` and the main schema's objects: nothing but Keyden's may be in the file. */
  schemaVersion: number;
  schema: SchemaObject[];
  integrity: IntegrityRecord | null;
  meta: { key: string; value: string }[];
  categories: TableRows;
  /** Every entry row, its `secret` set to null once its canon was made (the rest as stored). */
  entries: TableRows;
  tokens: TableRows;
  projects: TableRows | null;
  /** The stored macs of the rows checked only when read (versions, audit), 32 bytes each, by table. */
  otherMacs: { entry_versions: Buffer; audit: Buffer };
  /**
   * Rows checked only when read that no read would ever reach: versions of no entry, audit rows
   * whose id is not a positive safe integer (only an edit of the file makes them).
   */
  unreachable: { entry_versions: number; audit: number };
  /** Each entry's canon and stored mac (format 2 only). */
  entryMacs: RowMacs | null;
  /** Each entry overview's AAD and sealed blob, in row order: made while the KDF runs. */
  entryOverviews: { aads: Uint8Array[]; blobs: Uint8Array[] };
}

/** A table's columns in table order (`mac` included where the table has it). */
const columnsOf = (db: Db, table: string): string[] => (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);

function readTable(db: Db, table: string): TableRows {
  const columns = columnsOf(db, table);
  const rows = db.prepare(`SELECT ${columns.join(', ')} FROM main.${table}`).raw(true).all() as unknown[][];
  return { columns, rows, macAt: columns.indexOf('mac') };
}

const hasTable = (db: Db, table: string): boolean =>
  db.prepare("SELECT count(*) FROM main.sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) === 1;

/** Values of a row without its mac: what canon() covers. */
const macless = (t: TableRows, row: unknown[]): unknown[] => (t.macAt < 0 ? row : row.filter((_, i) => i !== t.macAt));

function overviewsOf(e: TableRows): UnlockSnapshot['entryOverviews'] {
  const [id, category, overview] = ['id', 'category_id', 'overview'].map((n) => e.columns.indexOf(n)) as [number, number, number];
  return {
    aads: e.rows.map((r) => blobAad('entries', 'overview', entryRowId(r[id] as string, r[category] as string))),
    blobs: e.rows.map((r) => r[overview] as Uint8Array),
  };
}

/** Rows of entries read at a time (readEntries). */
const ENTRY_PAGE = 500;

/**
 * The entries, in rowid order, a page at a time. Their BLOB columns are read as hex text and
 * decoded into one buffer a page, with each row's canon (format 2): each row then holds views
 * of its overview and mac there, and no Buffer of its own (HexRows says why). Each row's sealed
 * secret is dropped (set to null): only its canon needs it. Call inside the snapshot's read transaction.
 */
function readEntries(db: Db): { entries: TableRows; canons: Buffer[] } {
  const info = db.pragma('table_info(entries)') as { name: string; type: string }[];
  const columns = info.map((c) => c.name);
  const macAt = columns.indexOf('mac');
  const secretAt = columns.indexOf('secret');
  const layout: HexRows = { table: 'entries', hex: info.map((c) => /^blob$/i.test(c.type)), macAt };
  // A mac stored as anything but a BLOB is no mac (as in the digest, storedMacs): read as NULL.
  const select = info.map(({ name }, i) =>
    i === macAt ? `CASE WHEN typeof(mac) = 'blob' THEN hex(mac) END` : layout.hex[i] ? `CASE WHEN ${name} IS NOT NULL THEN hex(${name}) END` : name,
  );
  const entries: TableRows = { columns, rows: [], macAt };
  // Whether each value is stored as its column declares (storedAsDeclared): the hex() above hides a BLOB's class.
  const declared = storedAsDeclaredSql('entries', columns.filter((c) => c !== 'mac'));
  const page = db.prepare(`SELECT ${select.join(', ')}, ${declared}, CAST(rowid AS TEXT) FROM main.entries WHERE rowid > ? ORDER BY rowid LIMIT ${ENTRY_PAGE}`).raw(true);
  const canons: Buffer[] = [];
  // Every rowid (an edit of the file may make one 0, negative, or above 2^53), read exactly.
  for (let after: bigint | number = -Infinity; ; ) {
    const rows = page.all(after) as unknown[][];
    if (rows.length === 0) break;
    let size = 0;
    const asDeclared: boolean[] = [];
    for (const row of rows) {
      after = BigInt(row.pop() as string);
      asDeclared.push(row.pop() === 1);
      size += hexRowCanonSize(layout, row) + (macAt >= 0 && typeof row[macAt] === 'string' ? (row[macAt] as string).length >>> 1 : 0);
    }
    const buffer = Buffer.allocUnsafeSlow(size);
    let at = 0;
    for (const [i, row] of rows.entries()) {
      const start = at;
      at = hexRowCanonInto(buffer, at, layout, row);
      if (macAt >= 0) {
        canons.push(buffer.subarray(start, at));
        const mac = row[macAt];
        if (typeof mac === 'string') {
          const n = buffer.write(mac, at, 'hex');
          // A row not stored as declared carries no mac: it fails its check like an edited one.
          row[macAt] = asDeclared[i] ? buffer.subarray(at, at + n) : null;
          at += n;
        }
      }
      if (secretAt >= 0) row[secretAt] = null;
      entries.rows.push(row);
    }
  }
  return { entries, canons };
}

/** Reads, in one read transaction (one snapshot), everything an unlock checks and loads. */
export function readSnapshot(db: Db): UnlockSnapshot {
  return db.transaction(() => {
    const { entries, canons } = readEntries(db);
    const macs = (table: MacTable): Buffer => (entries.macAt < 0 ? Buffer.alloc(0) : storedMacs(db, table));
    return {
      dataVersion: dataVersion(db),
      schemaVersion: statement(db, 'PRAGMA user_version').pluck().get() as number,
      schema: readSchema(db),
      integrity: readIntegrity(db),
      meta: db.prepare('SELECT key, value FROM main.meta').all() as { key: string; value: string }[],
      categories: readTable(db, 'categories'),
      entries,
      tokens: readTable(db, 'tokens'),
      projects: hasTable(db, 'projects') ? readTable(db, 'projects') : null,
      otherMacs: { entry_versions: macs('entry_versions'), audit: macs('audit') },
      unreachable: {
        entry_versions: db.prepare('SELECT count(*) FROM main.entry_versions v WHERE NOT EXISTS (SELECT 1 FROM main.entries e WHERE e.id = v.entry_id)').pluck().get() as number,
        audit: db.prepare(`SELECT count(*) FROM main.audit WHERE typeof(id) <> 'integer' OR id < 1 OR id > ${Number.MAX_SAFE_INTEGER}`).pluck().get() as number,
      },
      entryMacs:
        entries.macAt < 0
          ? null
          : { canons, macs: entries.rows.map((r) => r[entries.macAt] as Uint8Array | null) },
      entryOverviews: overviewsOf(entries),
    };
  }).deferred();
}

/**
 * Refuses (VAULT_TAMPERED, one line) a snapshot whose integrity record, loaded rows or digest do
 * not check under `macKey`; `badEntries` are the entries whose mac already failed (checked with
 * their overviews). Returns the generation.
 */
export function checkSnapshot(s: UnlockSnapshot, macKey: Uint8Array, vaultId: string, badEntries: number): { generation: number } {
  const problems = schemaProblems(s.schema, s.schemaVersion);
  if (problems.length > 0) throw schemaTampered(problems);
  const record = s.integrity;
  const fail = (what: string, details: Record<string, unknown> = {}): never => {
    throw tampered(`${what}; it was not opened and nothing in it was changed (run \`keyden verify\` for details, or restore a backup)`, details);
  };
  if (!record) fail('its integrity record is missing or damaged');
  if (!recordChecks(record!, macKey, vaultId)) fail("its integrity record does not match this vault's key");
  const failing: Record<string, number> = {};
  if (badEntries > 0) failing.entries = badEntries;
  // A meta row's key or value retyped as a BLOB of the same bytes keeps its computed mac, but
  // `WHERE key = 'settings'` no longer finds it (the settings would fall back to the defaults).
  const metaNotText = s.meta.filter((m: { key: unknown; value: unknown }) => typeof m.key !== 'string' || typeof m.value !== 'string').length;
  if (metaNotText > 0) failing.meta = metaNotText;
  // A history row of no entry, or an audit row no page reaches, is one nobody would ever read and
  // check: such rows are refused here (a deleted row's mac was once parked in one).
  for (const table of ['entry_versions', 'audit'] as const) if (s.unreachable[table] > 0) failing[table] = s.unreachable[table];
  // Every mac that goes into the digest, by table: the stored ones (only a 32-byte BLOB is one, as
  // storedMacs counts them; a row without one fails its check) and the meta rows' computed ones.
  const macs = new MacsByTable();
  for (const table of CHECKED_AT_UNLOCK) {
    const t = s[table];
    if (!t) continue;
    for (const row of t.rows) {
      const stored = row[t.macAt];
      if (stored instanceof Uint8Array && stored.length === MAC_BYTES) macs.add(table, stored);
      if (table === 'entries') continue; // checked with the overviews
      if (!macMatches(macKey, table, macless(t, row), stored)) failing[table] = (failing[table] ?? 0) + 1;
    }
  }
  macs.add('entry_versions', s.otherMacs.entry_versions);
  macs.add('audit', s.otherMacs.audit);
  for (const m of s.meta) if (m.key !== 'integrity') macs.add('meta', metaMac(macKey, m.key, m.value));
  const parts = Object.entries(failing).map(([table, n]) => `${n} ${n === 1 ? 'row' : 'rows'} of ${table}`);
  if (parts.length > 0) {
    const one = parts.length === 1 && Object.values(failing)[0] === 1;
    fail(`${parts.join(', ')} ${one ? 'fails its' : 'fail their'} mac`, { failing, digest: 'not checked' });
  }
  const digest = macs.digest(macKey);
  // Two equal macs would cancel out of the digest: a row copied (a file edited to hold one twice).
  if (!digest) fail('two rows carry the same mac (a row was copied)', { failing: {}, digest: 'equal macs' });
  if (digest!.toString('hex') !== record!.digest) fail('a row was deleted or rolled back', { failing: {}, digest: 'mismatch' });
  return { generation: record!.generation };
}

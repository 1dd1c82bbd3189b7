// Format 2 integrity (DESIGN §3 "Integrity"): every row of the sealed tables carries
// `mac = HMAC-SHA256(K_mac, canon(row))`, the meta rows are covered by computed macs, and
// `meta.integrity` holds the XOR of them all (`digest`), a `generation` and their own mac.
//
// The macs are kept by SQLite itself on this connection: temporary triggers call functions
// registered here, so every INSERT, UPDATE and DELETE (foreign-key cascades too) keeps its row's
// mac and the pending change of the digest, whatever code ran it. A write outside
// `IntegrityWriter.run` throws, so no code path can leave the digest behind.
import { createCipheriv, createHmac, timingSafeEqual, type Cipher } from 'node:crypto';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { KeydenError } from '../../shared/errors.js';
import { describeSchemaProblems, readSchema, schemaProblems } from './schema.js';
import { dataVersion, statement, type Db } from './statements.js';

/** The tables whose rows carry a `mac` column, in the order the digest is documented. */
export const MAC_TABLES = ['categories', 'entries', 'entry_versions', 'tokens', 'audit', 'projects'] as const;
export type MacTable = (typeof MAC_TABLES)[number];

export const MAC_BYTES = 32;
const NULL_LENGTH = 0xffffffff;

export interface IntegrityRecord {
  generation: number;
  /** 64 lowercase hex chars: the XOR of every row's mac and every meta row's computed mac. */
  digest: string;
  /** 64 lowercase hex chars: HMAC-SHA256(K_mac, "keyden/2/integrity/" + vault_id + "/" + generation + "/" + digest). */
  mac: string;
}

/**
 * `canon(row)` = utf8(table) ‖ 0x00, then per column (table order, `mac` excluded): a 4-byte
 * big-endian length and the bytes (TEXT as UTF-8, INTEGER as decimal text, BLOB as is), NULL
 * as the length 0xFFFFFFFF and no bytes.
 */
export const canon = (table: string, values: readonly unknown[]): Buffer => canonOf(table, values, true);

/**
 * The canon in one buffer (sized first: an unlock builds 10 000 of these). `strict` (a write): a
 * value no column of the vault holds throws. Otherwise (checking a row read from the file) such
 * a value (a REAL, which only an edit of the file can put there) goes in as its text, so the row
 * fails its mac (no writer made one over it) and is reported as edited.
 */
function canonOf(table: string, values: readonly unknown[], strict: boolean): Buffer {
  const out = Buffer.allocUnsafe(canonSize(table, values, null, -1, strict));
  canonWrite(out, 0, table, values, null, -1, null, strict);
  return out;
}

/**
 * A row as an unlock reads it: every column in table order, the mac at `macAt`, and where
 * `hex[i]` is set, a BLOB as SQLite's hex() gives it (or NULL). Its canon is written into a
 * buffer shared by many rows, each hex value replaced in the row by a view of its bytes there:
 * 10 000 entries read so make no Buffer per blob (one malloc each, which fragmented the heap of
 * a long-running owner that unlocks again and again).
 */
export interface HexRows {
  table: MacTable;
  hex: readonly boolean[];
  macAt: number;
}

/** The size of the canon of `row` (read as `layout` says). */
export const hexRowCanonSize = (layout: HexRows, row: readonly unknown[]): number => canonSize(layout.table, row, layout.hex, layout.macAt, false);

/** Writes the canon of `row` into `out` at `at`; returns where it ends. Hex values become views of their bytes in `out`. */
export const hexRowCanonInto = (out: Buffer, at: number, layout: HexRows, row: unknown[]): number => canonWrite(out, at, layout.table, row, layout.hex, layout.macAt, row, false);

/**
 * A value as it goes into a canon: its text (UTF-8, or hex to decode), its bytes, or null.
 * `strict` (a write): a value no column holds throws; else (a check) it goes in as its text.
 */
function canonPart(table: string, v: unknown, strict: boolean): string | Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array || typeof v === 'string') return v;
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)) || (!strict && typeof v === 'number')) return String(v);
  throw new NoCanonError(table);
}

/** A row holds a value no column of the vault holds (a REAL): it has no canon to write a mac over. */
export class NoCanonError extends Error {
  constructor(readonly table: string) {
    super(`canon: a value of ${table} that no column type of the vault holds`);
  }
}

/** The canon's size; `skip`: an index left out (the mac), or -1. */
function canonSize(table: string, values: readonly unknown[], hex: readonly boolean[] | null, skip: number, strict: boolean): number {
  let size = Buffer.byteLength(table, 'utf8') + 1;
  for (let i = 0; i < values.length; i++) {
    if (i === skip) continue;
    const part = canonPart(table, values[i], strict);
    if (part === null) size += 4;
    else if (typeof part !== 'string') size += 4 + part.length;
    else size += 4 + (hex?.[i] ? part.length >>> 1 : Buffer.byteLength(part, 'utf8'));
  }
  return size;
}

/** Writes the canon; each hex value's bytes, as a view of `out`, go into `views` at its index. */
function canonWrite(out: Buffer, at: number, table: string, values: readonly unknown[], hex: readonly boolean[] | null, skip: number, views: unknown[] | null, strict: boolean): number {
  at += out.write(table, at, 'utf8');
  out[at++] = 0;
  for (let i = 0; i < values.length; i++) {
    if (i === skip) continue;
    const part = canonPart(table, values[i], strict);
    if (part === null) {
      out.writeUInt32BE(NULL_LENGTH, at);
      at += 4;
    } else if (typeof part === 'string') {
      const asHex = hex?.[i] === true;
      const n = out.write(part, at + 4, asHex ? 'hex' : 'utf8');
      out.writeUInt32BE(n, at);
      if (asHex && views) views[i] = out.subarray(at + 4, at + 4 + n);
      at += 4 + n;
    } else {
      out.writeUInt32BE(part.length, at);
      out.set(part, at + 4);
      at += 4 + part.length;
    }
  }
  return at;
}

/** Whether `stored`, as SQLite returned it, is the mac `computed`: only a BLOB can be (a TEXT of the same bytes is not). */
export const sameMac = (computed: Buffer, stored: unknown): boolean => stored instanceof Uint8Array && computed.equals(stored);

type StorageClass = 'text' | 'integer' | 'blob';

/**
 * Each mac'd table's columns in canon order (mac left out): the SQLite storage class Keyden's
 * schema declares and its writers store, and whether the column may be NULL. canon() writes a
 * TEXT and a BLOB of the same bytes (and an INTEGER and its decimal TEXT) alike, so a value
 * retyped in the file keeps its row's mac: an audit row's `action` made a BLOB no longer matches
 * a filter, and one row put back twice (its id once as TEXT, once as a BLOB) gets past the
 * primary key. A row read from the file whose values are not stored as declared fails its check.
 */
const COLUMN_CLASSES: Record<MacTable, readonly (readonly [StorageClass, boolean])[]> = {
  categories: [['text', false], ['blob', false], ['text', false], ['text', false]],
  entries: [['text', false], ['text', false], ['blob', false], ['blob', false], ['text', false], ['text', false], ['text', true]],
  entry_versions: [['text', false], ['integer', false], ['blob', false], ['text', false]],
  tokens: [['text', false], ['text', false], ['blob', false], ['text', false], ['text', true], ['text', true], ['text', true]],
  audit: [['integer', false], ['text', false], ['text', false], ['text', false], ['text', true], ['integer', false], ['blob', true]],
  projects: [['text', false], ['blob', false], ['text', false], ['text', false]],
};

const isMacTable = (table: string): table is MacTable => Object.hasOwn(COLUMN_CLASSES, table);

const storedAs = (v: unknown, cls: StorageClass): boolean =>
  cls === 'text' ? typeof v === 'string' : cls === 'blob' ? v instanceof Uint8Array : typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));

/** Whether a row read from the file (its values but the mac, in canon order, as better-sqlite3 returns them) holds each value as its column declares. */
export function storedAsDeclared(table: string, values: readonly unknown[]): boolean {
  if (!isMacTable(table)) return true;
  const classes = COLUMN_CLASSES[table];
  if (values.length !== classes.length) return false;
  return classes.every(([cls, nullable], i) => (values[i] === null ? nullable : storedAs(values[i], cls)));
}

/** An SQL expression, 1 when a row of `table` (its `columns`, mac left out, in canon order) holds each value as its column declares. */
export function storedAsDeclaredSql(table: MacTable, columns: readonly string[]): string {
  const classes = COLUMN_CLASSES[table];
  if (columns.length !== classes.length) return '0';
  return `(${classes.map(([cls, nullable], i) => `typeof(${columns[i]}) IN ('${cls}'${nullable ? ", 'null'" : ''})`).join(' AND ')})`;
}

/** No stored mac equals this (every one is 32 bytes): what a row not stored as declared "must carry". */
const NO_MAC = Buffer.alloc(0);

/** The mac a row read from the file must carry (its canon as canonOf checks it): compare it with sameMac. */
export const expectedMac = (key: Uint8Array, table: string, values: readonly unknown[]): Buffer =>
  storedAsDeclared(table, values) ? createHmac('sha256', key).update(canonOf(table, values, false)).digest() : NO_MAC;

/** Whether a row read from the file (its columns but the mac, in table order) carries its mac `stored` under `key`. */
export const macMatches = (key: Uint8Array, table: string, values: readonly unknown[], stored: unknown): boolean => sameMac(expectedMac(key, table, values), stored);

export function rowMac(key: Uint8Array, table: string, values: readonly unknown[]): Buffer {
  return createHmac('sha256', key).update(canon(table, values)).digest();
}

/** A meta row's mac: over table `meta` with its columns `key`, `value`. */
export const metaMac = (key: Uint8Array, metaKey: string, value: string): Buffer => rowMac(key, 'meta', [metaKey, value]);

export function integrityMac(key: Uint8Array, vaultId: string, generation: number, digestHex: string): string {
  return createHmac('sha256', key).update(`keyden/2/integrity/${vaultId}/${generation}/${digestHex}`, 'utf8').digest('hex');
}

/** Whether an integrity record's mac checks under `key` (K_mac) for this vault. */
export const recordChecks = (record: IntegrityRecord, key: Uint8Array, vaultId: string): boolean =>
  sameHex(record.mac, integrityMac(key, vaultId, record.generation, record.digest));

export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === MAC_BYTES && y.length === MAC_BYTES && timingSafeEqual(x, y);
}

/** The columns of `table` that its mac covers, in table order. */
export function macColumns(db: Db, table: string): string[] {
  const info = db.pragma(`table_info(${table})`) as { name: string }[];
  return info.map((c) => c.name).filter((n) => n !== 'mac');
}

const macChecks = new WeakMap<Db, Map<string, string>>();

/**
 * An SQL expression, true when the row's stored mac is the one recomputed under the current key
 * (e.g. `SELECT secret, <expr> AS authentic FROM entries WHERE id = ?`).
 */
export function macCheckSql(db: Db, table: MacTable): string {
  let cache = macChecks.get(db);
  if (!cache) macChecks.set(db, (cache = new Map()));
  let sql = cache.get(table);
  if (!sql) cache.set(table, (sql = `(mac IS keyden_expected_mac('${table}', ${macColumns(db, table).join(', ')}))`));
  return sql;
}

const inserts = new WeakMap<Db, Map<string, { sql: string; columns: string[] }>>();
const writers = new WeakMap<Db, IntegrityWriter>();

/** The INSERT insertRow runs on `table`, and the columns it binds (table order, `mac` last). */
function insertOf(db: Db, table: MacTable): { sql: string; columns: string[] } {
  let cache = inserts.get(db);
  if (!cache) inserts.set(db, (cache = new Map()));
  let insert = cache.get(table);
  if (!insert) {
    const columns = macColumns(db, table);
    insert = { columns, sql: `INSERT INTO main.${table} (${columns.join(', ')}, mac) VALUES (${columns.map(() => '?').join(', ')}, ?)` };
    cache.set(table, insert);
  }
  return insert;
}

function writerOf(db: Db): IntegrityWriter {
  const writer = writers.get(db);
  if (!writer) throw new Error('insertRow: no integrity writer on this connection');
  return writer;
}

/**
 * Inserts one row with its mac, computed here under the connection's current key from the very
 * values bound, and folds it into the transaction's digest: one statement, no trigger work (the
 * hot path of audit rows and imports). Columns left out of `row` are NULL. Inside
 * VaultContext.write, like every write.
 */
export function insertRow(db: Db, table: MacTable, row: Record<string, unknown>): void {
  const writer = writerOf(db);
  const insert = insertOf(db, table);
  const values = insert.columns.map((c) => (Object.hasOwn(row, c) ? row[c] : null));
  const mac = writer.macForInsert(table, values);
  statement(db, insert.sql).run(...values, mac);
  writer.inserted(table, mac);
}

/** The columns insertRowWithMac takes, in the order it takes them (the table's, `mac` left out). */
export const insertColumns = (db: Db, table: MacTable): readonly string[] => insertOf(db, table).columns;

/**
 * insertRow for a row whose mac was computed elsewhere (the audit helper thread) under the key
 * this connection writes with: `values` in insertColumns order, `mac` = rowMac(K_mac, table, values).
 */
export function insertRowWithMac(db: Db, table: MacTable, values: readonly unknown[], mac: Uint8Array): void {
  const writer = writerOf(db);
  writer.assertWriting();
  const insert = insertOf(db, table);
  if (mac.length !== MAC_BYTES || values.length !== insert.columns.length) throw new Error('insertRowWithMac: a row and a mac of the wrong shape');
  statement(db, insert.sql).run(...values, mac);
  writer.inserted(table, mac);
}

export function hasMacColumns(db: Db): boolean {
  return (db.pragma('table_info(entries)') as { name: string }[]).some((c) => c.name === 'mac');
}

export function readIntegrity(db: Db): IntegrityRecord | null {
  const row = statement(db, "SELECT value FROM main.meta WHERE key = 'integrity'").get() as { value: string } | undefined;
  if (!row) return null;
  try {
    const r = JSON.parse(row.value) as Partial<IntegrityRecord>;
    if (Number.isSafeInteger(r.generation) && typeof r.digest === 'string' && /^[0-9a-f]{64}$/.test(r.digest) && typeof r.mac === 'string' && /^[0-9a-f]{64}$/.test(r.mac)) {
      return { generation: r.generation!, digest: r.digest, mac: r.mac };
    }
  } catch {
    // Malformed: reported as absent, which fails verification.
  }
  return null;
}

export function writeIntegrity(db: Db, record: IntegrityRecord): void {
  statement(db, "INSERT INTO main.meta (key, value) VALUES ('integrity', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
    JSON.stringify({ generation: record.generation, digest: record.digest, mac: record.mac }),
  );
}

/**
 * Every stored mac of `table` that is one (a 32-byte BLOB), end to end. One string from SQLite
 * instead of a Buffer a row: 100 000 audit rows read in a few ms.
 */
export function storedMacs(db: Db, table: MacTable): Buffer {
  const hex = db.prepare(`SELECT group_concat(hex(mac), '') FROM main.${table} WHERE typeof(mac) = 'blob' AND length(mac) = ${MAC_BYTES}`).pluck().get() as string | null;
  return Buffer.from(hex ?? '', 'hex');
}

/**
 * The digest's terms (docs/vault-format.md §9). The digest is not the XOR of the stored macs
 * themselves: anyone can read those in the file, and an XOR of known values can be balanced —
 * among a few hundred macs some subset XORs to any chosen value, so whoever holds an older copy
 * of a row could delete rows chosen by linear algebra to make a rolled-back token row fit the
 * digest. Each mac goes in as a term only the key's holder can compute, bound to the table that
 * holds it (a mac moved from a deleted row into a row of another table, one an unlock does not
 * check, no longer makes the same term):
 *   (K_d1 ‖ K_d2) = HKDF-SHA256(K_mac, empty salt, "keyden/2/digest", 64)
 *   term(t, m)    = CBC-MAC(K_d1, B(t) ‖ m) ‖ CBC-MAC(K_d2, B(t) ‖ m),  B(t) = utf8(t) zero-padded to 16 bytes
 *   CBC-MAC(K, x) = the last block of AES-256-CBC(K, IV = 0, x), x three blocks long
 * (CBC-MAC over a fixed three blocks is a PRF; AES takes one native call for a table's macs.)
 * Equal macs would cancel, so a vault whose stored macs are not all different is refused.
 */
class DigestTerms {
  private readonly ciphers: [Cipher, Cipher];
  /** AES(K_d, B(t)) per key half and table: the first block of every CBC-MAC of that table. */
  private readonly heads = new Map<string, [Uint32Array, Uint32Array]>();

  constructor(macKey: Uint8Array) {
    const k = hkdf(sha256, macKey, new Uint8Array(0), Buffer.from('keyden/2/digest', 'utf8'), 64);
    const make = (key: Uint8Array): Cipher => {
      const c = createCipheriv('aes-256-ecb', key, null);
      c.setAutoPadding(false);
      return c;
    };
    this.ciphers = [make(k.subarray(0, 32)), make(k.subarray(32))];
    k.fill(0);
  }

  private head(table: string): [Uint32Array, Uint32Array] {
    let h = this.heads.get(table);
    if (!h) {
      const block = Buffer.alloc(16);
      if (block.write(table, 'utf8') !== Buffer.byteLength(table, 'utf8')) throw new Error(`digest: the table name ${table} is longer than a block`);
      h = [words(this.ciphers[0].update(block)), words(this.ciphers[1].update(block))];
      this.heads.set(table, h);
    }
    return h;
  }

  /** XORs the term of every 32-byte mac of `macs` (end to end), each held by `table`, into `acc`. */
  xorInto(acc: Buffer, table: string, macs: Uint8Array): void {
    const n = macs.length >>> 5;
    if (n === 0) return;
    const whole = words(macs.subarray(0, n * MAC_BYTES));
    const heads = this.head(table);
    const x = new Uint32Array(n * 4);
    const sum = new Uint32Array(8);
    for (let half = 0; half < 2; half++) {
      const cipher = this.ciphers[half]!;
      const h = heads[half]!;
      // The second block of each CBC-MAC: AES(B(t)) ⊕ m[0..16].
      for (let i = 0, at = 0; i < n * 4; i += 4, at += 8) {
        x[i] = h[0]! ^ whole[at]!;
        x[i + 1] = h[1]! ^ whole[at + 1]!;
        x[i + 2] = h[2]! ^ whole[at + 2]!;
        x[i + 3] = h[3]! ^ whole[at + 3]!;
      }
      const first = words(cipher.update(new Uint8Array(x.buffer)));
      // The third: AES of that ⊕ m[16..32].
      for (let i = 0, at = 0; i < n * 4; i += 4, at += 8) {
        x[i] = first[i]! ^ whole[at + 4]!;
        x[i + 1] = first[i + 1]! ^ whole[at + 5]!;
        x[i + 2] = first[i + 2]! ^ whole[at + 6]!;
        x[i + 3] = first[i + 3]! ^ whole[at + 7]!;
      }
      const second = words(cipher.update(new Uint8Array(x.buffer)));
      const out = half * 4;
      for (let at = 0; at < second.length; at += 4) {
        sum[out]! ^= second[at]!;
        sum[out + 1]! ^= second[at + 1]!;
        sum[out + 2]! ^= second[at + 2]!;
        sum[out + 3]! ^= second[at + 3]!;
      }
    }
    const bytes = new Uint8Array(sum.buffer);
    for (let i = 0; i < MAC_BYTES; i++) acc[i]! ^= bytes[i]!;
  }
}

/** `bytes` as 32-bit words (XOR is byte order-blind), copied first where it does not start on a 4-byte boundary. */
function words(bytes: Uint8Array): Uint32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Uint8Array.from(bytes);
  return new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length >>> 2);
}

const digestTerms = new WeakMap<Uint8Array, DigestTerms>();

function termsFor(macKey: Uint8Array): DigestTerms {
  let terms = digestTerms.get(macKey);
  if (!terms) digestTerms.set(macKey, (terms = new DigestTerms(macKey)));
  return terms;
}

/**
 * Macs gathered by the table that holds them (a term is bound to its table): what a write
 * transaction changed, or every mac of a vault (its digest).
 */
export class MacsByTable {
  private readonly lists = new Map<MacTable | 'meta', Uint8Array[]>();

  /** `macs`: one 32-byte mac, or several end to end. */
  add(table: MacTable | 'meta', macs: Uint8Array): void {
    const list = this.lists.get(table);
    if (list) list.push(macs);
    else this.lists.set(table, [macs]);
  }

  /** XORs the term of every mac added into `acc`, under `macKey`. */
  xorTermsInto(acc: Buffer, macKey: Uint8Array): void {
    const terms = termsFor(macKey);
    for (const [table, list] of this.lists) terms.xorInto(acc, table, Buffer.concat(list));
  }

  /** The digest of the macs added: null when two are equal (their terms would cancel: a row copied). */
  digest(macKey: Uint8Array): Buffer | null {
    if (hasEqualMacs(Buffer.concat([...this.lists.values()].flat()))) return null;
    const acc = Buffer.alloc(MAC_BYTES);
    this.xorTermsInto(acc, macKey);
    return acc;
  }
}

/** Drops the digest's ciphers made for `macKey` (the vault locks; its key bytes are zeroed next). */
export function forgetDigestKey(macKey: Uint8Array): void {
  digestTerms.delete(macKey);
}

/** Whether two of the 32-byte macs of `macs` (end to end) are equal: their terms would cancel out of the digest. */
function hasEqualMacs(macs: Uint8Array): boolean {
  const n = macs.length >>> 5;
  const view = new DataView(macs.buffer, macs.byteOffset, macs.byteLength);
  // Each mac's first 52 bits as an exact double: a numeric sort, no BigInt a mac.
  const prefixes = new Float64Array(n);
  for (let i = 0; i < n; i++) prefixes[i] = view.getUint32(i * MAC_BYTES) * 0x100000 + (view.getUint32(i * MAC_BYTES + 4) >>> 12);
  prefixes.sort();
  let prefixTwice = false;
  for (let i = 1; i < n && !prefixTwice; i++) prefixTwice = prefixes[i] === prefixes[i - 1];
  if (!prefixTwice) return false;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const mac = Buffer.from(macs.buffer, macs.byteOffset + i * MAC_BYTES, MAC_BYTES).toString('latin1');
    if (seen.has(mac)) return true;
    seen.add(mac);
  }
  return false;
}

/**
 * What `digest` must be: the XOR of the terms of every stored row mac and every meta row's
 * computed mac; null when two stored macs are equal or a meta row is not TEXT (no digest vouches
 * for such a file).
 */
export function computeDigest(db: Db, key: Uint8Array): Buffer | null {
  const macs = new MacsByTable();
  for (const table of MAC_TABLES) macs.add(table, storedMacs(db, table));
  for (const m of db.prepare("SELECT key, value FROM main.meta WHERE key <> 'integrity'").iterate() as IterableIterator<{ key: unknown; value: unknown }>) {
    // meta holds TEXT only: a key retyped as a BLOB keeps its mac but hides the row from Keyden's reads.
    if (typeof m.key !== 'string' || typeof m.value !== 'string') return null;
    macs.add('meta', metaMac(key, m.key, m.value));
  }
  return macs.digest(key);
}

/** Sets every row's mac from scratch (the format 1 → 2 migration, a key rotation). */
export function macEveryRow(db: Db, except: ReadonlySet<MacTable> = new Set()): void {
  for (const table of MAC_TABLES) {
    if (except.has(table)) continue;
    const cols = macColumns(db, table);
    db.prepare(`UPDATE main.${table} SET mac = keyden_row_mac('${table}', ${cols.join(', ')})`).run();
  }
}

/** How a row is named in a report: its id (a version as entry_id/version). */
const ROW_NAME: Record<MacTable, string> = {
  categories: 'id',
  entries: 'id',
  entry_versions: "entry_id || '/' || version",
  tokens: 'id',
  audit: 'id',
  projects: 'id',
};

/** Rows whose stored mac differs from the recomputed one, by table, with up to `sample` of their ids. */
export function failingRowIds(db: Db, tables: readonly MacTable[], sample = 10): { table: MacTable; count: number; ids: string[] }[] {
  const out: { table: MacTable; count: number; ids: string[] }[] = [];
  for (const table of tables) {
    const cols = macColumns(db, table);
    const ids = db
      .prepare(`SELECT ${ROW_NAME[table]} FROM main.${table} WHERE mac IS NOT keyden_expected_mac('${table}', ${cols.join(', ')})`)
      .pluck()
      .all() as (string | number)[];
    if (ids.length > 0) out.push({ table, count: ids.length, ids: ids.slice(0, sample).map(String) });
  }
  return out;
}

/** SQL that drops the temporary triggers IntegrityWriter.install creates on `table`. */
const dropTriggers = (table: MacTable): string =>
  ['insert', 'update', 'mac', 'delete'].map((kind) => `DROP TRIGGER IF EXISTS temp.keyden_${table}_${kind};`).join('\n');

/** An integrity record this connection wrote: under which key, and its data_version then. */
interface KeyedRecord {
  record: IntegrityRecord;
  key: Uint8Array;
  dataVersion: number;
}

/**
 * Owns the integrity bookkeeping of one connection: the SQL functions, the temporary triggers
 * and the digest delta of the write transaction under way.
 */
export class IntegrityWriter {
  /** The macs removed and added by the transaction under way, by table (their terms go into the digest at its end); null outside one. */
  private delta: MacsByTable | null = null;
  private touched = false;
  private triggersFor = -1;
  /** While set (a rebuild: every mac is set explicitly, the rows' triggers are dropped), meta's triggers fold nothing into a delta. */
  private paused = false;
  /** The record the transaction under way wrote, and the last one known committed by this connection. */
  private written: KeyedRecord | null = null;
  private last: KeyedRecord | null = null;

  constructor(
    private readonly db: Db,
    /** K_mac while the vault is unlocked, else null. */
    private readonly key: () => Uint8Array | null,
  ) {
    writers.set(db, this);
    // directOnly: only this connection's own SQL and TEMP triggers may call them, never an object
    // stored in the file (a planted trigger could otherwise mac rows of its choosing).
    db.function('keyden_row_mac', { varargs: true, deterministic: true, directOnly: true }, (table: unknown, ...values: unknown[]) => rowMac(this.requireKey(), String(table), values));
    // For checks (a row read from the file), never for writes: see expectedMac.
    db.function('keyden_expected_mac', { varargs: true, deterministic: true, directOnly: true }, (table: unknown, ...values: unknown[]) => expectedMac(this.requireKey(), String(table), values));
    db.function('keyden_meta_mac', { deterministic: true, directOnly: true }, (k: unknown, v: unknown) => metaMac(this.requireKey(), String(k), String(v)));
    db.function('keyden_xor', { deterministic: false, directOnly: true }, (table: unknown, mac: unknown) => {
      if (this.paused) return null;
      if (!this.delta) throw new Error('a vault write outside VaultContext.write (its integrity would not be kept)');
      if (mac instanceof Uint8Array && mac.length === MAC_BYTES) this.delta.add(String(table) as MacTable | 'meta', mac);
      this.touched = true;
      return null;
    });
  }

  /** The mac of a row about to be inserted by insertRow (which supplies it: the trigger then stays idle). */
  macForInsert(table: MacTable, values: readonly unknown[]): Buffer {
    this.assertWriting();
    return rowMac(this.requireKey(), table, values);
  }

  /** Throws outside VaultContext.write: a row inserted there would leave the digest behind. */
  assertWriting(): void {
    if (!this.delta && !this.paused) throw new Error('a vault write outside VaultContext.write (its integrity would not be kept)');
  }

  /** Folds the mac of a row insertRow has just inserted into the transaction's digest. */
  inserted(table: MacTable, mac: Uint8Array): void {
    if (this.paused || !this.delta) return;
    this.delta.add(table, mac);
    this.touched = true;
  }

  private requireKey(): Uint8Array {
    const k = this.key();
    if (!k) throw new Error('the vault is locked: no row can be written or checked');
    return k;
  }

  /** Creates the temporary triggers for the schema as it is now (after migrations). */
  install(): void {
    // A cached statement: db.pragma() prepares one on every call, and every write runs this.
    const version = statement(this.db, 'PRAGMA user_version').pluck().get() as number;
    if (this.triggersFor === version || !hasMacColumns(this.db)) return;
    for (const table of MAC_TABLES) {
      const cols = macColumns(this.db, table);
      const newMac = `keyden_row_mac('${table}', ${cols.map((c) => `NEW.${c}`).join(', ')})`;
      this.db.exec(`
        ${dropTriggers(table)}
        CREATE TEMP TRIGGER keyden_${table}_insert AFTER INSERT ON main.${table} WHEN length(NEW.mac) <> ${MAC_BYTES} BEGIN
          UPDATE main.${table} SET mac = ${newMac} WHERE rowid = NEW.rowid;
        END;
        CREATE TEMP TRIGGER keyden_${table}_update AFTER UPDATE OF ${cols.join(', ')} ON main.${table} BEGIN
          UPDATE main.${table} SET mac = ${newMac} WHERE rowid = NEW.rowid;
        END;
        CREATE TEMP TRIGGER keyden_${table}_mac AFTER UPDATE OF mac ON main.${table} BEGIN
          SELECT keyden_xor('${table}', OLD.mac), keyden_xor('${table}', NEW.mac);
        END;
        CREATE TEMP TRIGGER keyden_${table}_delete AFTER DELETE ON main.${table} BEGIN
          SELECT keyden_xor('${table}', OLD.mac);
        END;
      `);
    }
    this.db.exec(`
      DROP TRIGGER IF EXISTS temp.keyden_meta_insert;
      DROP TRIGGER IF EXISTS temp.keyden_meta_update;
      DROP TRIGGER IF EXISTS temp.keyden_meta_delete;
      CREATE TEMP TRIGGER keyden_meta_insert AFTER INSERT ON main.meta WHEN NEW.key <> 'integrity' BEGIN
        SELECT keyden_xor('meta', keyden_meta_mac(NEW.key, NEW.value));
      END;
      CREATE TEMP TRIGGER keyden_meta_update AFTER UPDATE ON main.meta WHEN NEW.key <> 'integrity' OR OLD.key <> 'integrity' BEGIN
        SELECT keyden_xor('meta', keyden_meta_mac(OLD.key, OLD.value)) WHERE OLD.key <> 'integrity';
        SELECT keyden_xor('meta', keyden_meta_mac(NEW.key, NEW.value)) WHERE NEW.key <> 'integrity';
      END;
      CREATE TEMP TRIGGER keyden_meta_delete AFTER DELETE ON main.meta WHEN OLD.key <> 'integrity' BEGIN
        SELECT keyden_xor('meta', keyden_meta_mac(OLD.key, OLD.value));
      END;
    `);
    this.triggersFor = version;
  }

  get active(): boolean {
    return this.delta !== null;
  }

  /**
   * Runs `fn` inside the caller's (immediate) transaction and then folds its changes into
   * `meta.integrity`: old digest XOR delta, generation + 1, a new mac. Nested calls join the outer one.
   */
  run<T>(vaultId: string, fn: () => T, options: { init?: boolean; dataVersion?: number } = {}): T {
    if (this.delta) return fn();
    this.install();
    const key = this.requireKey();
    // Read under the write lock, so it is also the connection's data_version once this commits
    // (its own commits never move it); the caller may pass the one it read in this transaction.
    const version = options.dataVersion ?? dataVersion(this.db);
    const current = this.currentRecord(key, vaultId, version);
    if (!current && !options.init) throw tampered('the vault has no integrity record');
    this.delta = new MacsByTable();
    this.touched = false;
    try {
      const result = fn();
      if (this.touched || !current) {
        const digest = Buffer.from(current?.digest ?? '00'.repeat(MAC_BYTES), 'hex');
        // Out and in alike: XOR removes a term as it adds one. One AES pass for the whole transaction.
        this.delta.xorTermsInto(digest, key);
        const generation = (current?.generation ?? 0) + 1;
        const hex = digest.toString('hex');
        const record = { generation, digest: hex, mac: integrityMac(key, vaultId, generation, hex) };
        writeIntegrity(this.db, record);
        this.written = { record, key, dataVersion: version };
      }
      return result;
    } finally {
      this.delta = null;
    }
  }

  /**
   * The record the transaction under way starts from, checked under `key`. When no other
   * connection has committed since this one's last commit (`PRAGMA data_version` unmoved, and
   * the write lock is held), it is the record this connection wrote: no read, no check.
   */
  private currentRecord(key: Uint8Array, vaultId: string, version: number): IntegrityRecord | null {
    const last = this.last;
    if (last && last.dataVersion === version && last.key === key) return last.record;
    // Someone else has committed (or this is the first write): under the write lock, nothing
    // stored in the file may run inside this transaction.
    assertSchema(this.db, 'nothing was written');
    const current = readIntegrity(this.db);
    if (current && !recordChecks(current, key, vaultId)) {
      throw tampered("the vault's integrity record does not match its key");
    }
    return current;
  }

  /** The generation of the last record this connection committed, if it still knows it. */
  get lastGeneration(): number | null {
    return this.last?.record.generation ?? null;
  }

  /** Call once the transaction that ran `run` has committed: its record is now the file's. */
  committed(): void {
    if (this.written) this.last = this.written;
    this.written = null;
  }

  /** Call when a transaction rolled back, or the record was rewritten another way (a rebuild). */
  forget(): void {
    this.written = null;
    this.last = null;
  }

  /**
   * Runs `fn` without the rows' triggers, then sets every mac and the digest from scratch under the
   * current key (a key rotation). Inside the caller's transaction.
   * `fn` may return the tables whose every row it has given its mac already (a rotation does, in
   * the same UPDATE as the re-sealed blobs); the others are mac'd here.
   */
  rebuild(vaultId: string, generation: number, fn: () => ReadonlySet<MacTable> | void): void {
    assertSchema(this.db, 'nothing was written');
    this.forget();
    this.paused = true;
    // The rows' triggers are dropped for the rebuild (every mac is set explicitly; two trigger
    // runs a row cost a rotation of 30 000 rows ~100 ms). The next write's run() creates them
    // again, whether this transaction commits or rolls back.
    this.triggersFor = -1;
    for (const table of MAC_TABLES) this.db.exec(dropTriggers(table));
    try {
      const done = fn();
      macEveryRow(this.db, done ?? undefined);
    } finally {
      this.paused = false;
    }
    const key = this.requireKey();
    const digest = computeDigest(this.db, key);
    // Every mac was just made from a row, and rows differ in their primary keys: equal macs here are a bug.
    if (!digest) throw new Error('two rows were given the same mac');
    const hex = digest.toString('hex');
    writeIntegrity(this.db, { generation, digest: hex, mac: integrityMac(key, vaultId, generation, hex) });
  }
}

/**
 * Rows of `table` (versions, audit: checked when read, not at unlock) whose mac failed as they
 * were read: refused out loud, never left out in silence (leaving them out let an edit of the
 * file hide an audit row while keeping its mac in the digest).
 */
export const rowsTampered = (table: MacTable, count: number): KeydenError =>
  tampered(`${count} ${count === 1 ? 'row' : 'rows'} of ${table} ${count === 1 ? 'fails its' : 'fail their'} mac; run \`keyden verify\` for details, or restore a backup`, { failing: { [table]: count } });

export function tampered(message: string, details: Record<string, unknown> = {}): KeydenError {
  return new KeydenError('VAULT_TAMPERED', `the vault was modified outside Keyden: ${message}`, details);
}

/** The one line a schema that is not Keyden's is refused with; `outcome` says what did not happen. */
export const schemaTampered = (problems: readonly string[], outcome = 'it was not opened and nothing in it was changed'): KeydenError =>
  tampered(`${describeSchemaProblems(problems)}; ${outcome} (restore a backup)`, { schema: problems });

/** Refuses (VAULT_TAMPERED) a file whose schema is not exactly the one Keyden makes at its version. */
export function assertSchema(db: Db, outcome?: string): void {
  const version = statement(db, 'PRAGMA user_version').pluck().get() as number;
  const problems = schemaProblems(readSchema(db), version);
  if (problems.length > 0) throw schemaTampered(problems, outcome);
}

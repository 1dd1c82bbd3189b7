// A second reader of the vault format, written from docs/vault-format.md rather than from the
// code: libsodium (Argon2id, XChaCha20-Poly1305), node:crypto (HKDF, SHA-256) and plain SQL.
// It checks that the document's worked example is right, and that the files the real core
// writes follow the document column by column.
import { createCipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sodiumModule from 'libsodium-wrappers-sumo';
import type * as SodiumApi from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, openKeydenCore, type OwnedCore } from '../src/main/core/index.js';
import { deriveKek } from '../src/main/crypto/kdf.js';
import { PASSWORD, TEST_KDF, tempDir } from './helpers/core.js';
import { remacVault } from './helpers/remac.js';

// The package's default export carries every function once `ready` resolves; its typings only
// declare a few of them, so the namespace's declarations describe it instead.
const sodium = sodiumModule as unknown as typeof SodiumApi;

const ROOT = path.resolve(import.meta.dirname, '..');
const DOC = path.join(ROOT, 'docs', 'vault-format.md');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'vault-format', 'example.db');
const FIXTURE_2 = path.join(ROOT, 'test', 'fixtures', 'vault-format', 'example-2.db');

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const fromBase64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// ---- The reader, from the document -------------------------------------------------------

interface KdfRow {
  alg: string;
  version: number;
  m: number;
  t: number;
  p: number;
  salt: string;
}

/** KEK = Argon2id(utf8(NFC(password)), salt, t, m KiB, p = 1, 32 bytes, v = 0x13). */
function kekOf(password: string, kdf: KdfRow): Uint8Array {
  expect(kdf.alg).toBe('argon2id');
  expect(kdf.version).toBe(19);
  expect(kdf.p).toBe(1);
  return sodium.crypto_pwhash(32, utf8.encode(password.normalize('NFC')), fromBase64(kdf.salt), kdf.t, kdf.m * 1024, sodium.crypto_pwhash_ALG_ARGON2ID13);
}

/** VK from `wrapped_key` = base64(nonce(24) ‖ ciphertext+tag(48)), AAD keyden/1/vault-key/<vault_id>. */
function unwrap(kek: Uint8Array, wrappedBase64: string, vaultId: string): Uint8Array {
  const wrapped = fromBase64(wrappedBase64);
  expect(wrapped.length).toBe(72);
  return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, wrapped.subarray(24), utf8.encode(`keyden/1/vault-key/${vaultId}`), wrapped.subarray(0, 24), kek);
}

/** HKDF-SHA256(ikm = VK, salt = empty, info, 32). */
function subkey(vk: Uint8Array, info: 'keyden/1/overview' | 'keyden/1/secret'): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', vk, new Uint8Array(0), info, 32));
}

interface Keys {
  ov: Uint8Array;
  sec: Uint8Array;
}

function keysOf(vk: Uint8Array): Keys {
  return { ov: subkey(vk, 'keyden/1/overview'), sec: subkey(vk, 'keyden/1/secret') };
}

/** keyden/1/<table>/<column>/<rowId>: entries use id/category_id, entry_versions entry_id/version. */
function aad(table: 'categories' | 'entries' | 'entry_versions' | 'tokens' | 'audit', column: 'overview' | 'secret' | 'detail', rowId: string): string {
  return `keyden/1/${table}/${column}/${rowId}`;
}

/** Opens `0x01 ‖ nonce(24) ‖ ciphertext+tag`; throws when the blob does not open. */
function openBlob(key: Uint8Array, blob: Uint8Array, aadText: string): unknown {
  if (blob.length < 1 + 24 + 16) throw new Error('blob too short');
  if (blob[0] !== 0x01) throw new Error(`unknown blob version ${blob[0]}`);
  const plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, blob.subarray(25), utf8.encode(aadText), blob.subarray(1, 25), key);
  return JSON.parse(utf8Strict.decode(plain));
}

function opens(key: Uint8Array, blob: Uint8Array, aadText: string): boolean {
  try {
    openBlob(key, blob, aadText);
    return true;
  } catch {
    return false;
  }
}

function asObject(value: unknown): Record<string, unknown> {
  expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

/** The object's keys, sorted: compared with a documented shape. */
function keysIn(value: unknown): string[] {
  return Object.keys(asObject(value)).sort();
}

const sorted = (keys: string[]): string[] => [...keys].sort();

const CATEGORY_KEYS = sorted(['name', 'keyType', 'envVarName', 'fields', 'icon']);
const ENTRY_KEYS = sorted(['name', 'environment', 'notes', 'envVarName', 'expiresAt']);
const SECRET_KEYS = ['value'];
const TOKEN_KEYS = sorted(['name', 'scopes', 'projects', 'environments']);
const KDF_KEYS = ['alg', 'version', 'm', 't', 'p', 'salt'];

/** The audit detail shapes of the document's table (alternatives where it names two). */
const AUDIT_DETAIL: Record<string, string[][] | null> = {
  'vault.create': null,
  'vault.unlock': null,
  'vault.lock': null,
  'vault.passwd': null,
  'vault.backup': null,
  'category.create': [['name']],
  'category.update': [['name']],
  'category.delete': [['name']],
  'entry.create': [['name', 'environment']],
  'entry.copy': [['name', 'environment', 'version']],
  'entry.reveal': [['name', 'environment', 'version']],
  'entry.restore': [['name', 'environment', 'version']],
  'entry.update': [['name', 'environment', 'valueChanged']],
  'entry.delete': [['name', 'environment', 'category']],
  'token.create': [['name', 'scopes']],
  'token.revoke': [['name']],
  'project.export': [['project', 'environment', 'format']],
  'project.import': [['project', 'environment', 'summary']],
  'api.denied': [['route', 'reason', 'scope', 'count', 'since']],
};

// ---- The rows, read with plain SQL --------------------------------------------------------

interface CategoryRow {
  id: string;
  overview: Uint8Array;
  created_at: string;
  updated_at: string;
}
interface EntryRow extends CategoryRow {
  category_id: string;
  secret: Uint8Array;
}
interface VersionRow {
  entry_id: string;
  version: number;
  secret: Uint8Array;
  created_at: string;
}
interface TokenRow {
  id: string;
  hash: string;
  overview: Uint8Array;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}
interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target_id: string | null;
  ok: number;
  detail: Uint8Array | null;
}

interface Rows {
  meta: Map<string, string>;
  categories: CategoryRow[];
  entries: EntryRow[];
  versions: VersionRow[];
  tokens: TokenRow[];
  audit: AuditRow[];
  applicationId: number;
  userVersion: number;
  journalMode: string;
}

function readRows(file: string): Rows {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    return {
      meta,
      categories: db.prepare('SELECT id, overview, created_at, updated_at FROM categories').all() as CategoryRow[],
      entries: db.prepare('SELECT id, category_id, overview, secret, created_at, updated_at FROM entries').all() as EntryRow[],
      versions: db.prepare('SELECT entry_id, version, secret, created_at FROM entry_versions ORDER BY entry_id, version').all() as VersionRow[],
      tokens: db.prepare('SELECT id, hash, overview, created_at, last_used_at, expires_at, revoked_at FROM tokens').all() as TokenRow[],
      audit: db.prepare('SELECT id, at, actor, action, target_id, ok, detail FROM audit ORDER BY id').all() as AuditRow[],
      applicationId: db.pragma('application_id', { simple: true }) as number,
      userVersion: db.pragma('user_version', { simple: true }) as number,
      journalMode: db.pragma('journal_mode', { simple: true }) as string,
    };
  } finally {
    db.close();
  }
}

function metaValue(rows: Rows, key: string): string {
  const v = rows.meta.get(key);
  if (v === undefined) throw new Error(`meta has no ${key} row`);
  return v;
}

function keysFromMeta(rows: Rows, password: string): { kek: Uint8Array; vk: Uint8Array; keys: Keys } {
  const kdf = JSON.parse(metaValue(rows, 'kdf')) as KdfRow;
  const kek = kekOf(password, kdf);
  const vk = unwrap(kek, metaValue(rows, 'wrapped_key'), metaValue(rows, 'vault_id'));
  return { kek, vk, keys: keysOf(vk) };
}

// ---- Format 2, from §9 of the document ------------------------------------------------------

const MAC_TABLES = ['categories', 'entries', 'entry_versions', 'tokens', 'audit', 'projects'] as const;

/** K_mac = HKDF-SHA256(ikm = VK, salt = empty, info = "keyden/2/mac", 32). */
const macKeyOf = (vk: Uint8Array): Uint8Array => new Uint8Array(hkdfSync('sha256', vk, new Uint8Array(0), 'keyden/2/mac', 32));

/** §9: K_d1 ‖ K_d2 = HKDF-SHA256(K_mac, empty salt, "keyden/2/digest", 64). */
const digestKeysOf = (kMac: Uint8Array): Uint8Array => new Uint8Array(hkdfSync('sha256', kMac, new Uint8Array(0), 'keyden/2/digest', 64));

/** CBC-MAC of three blocks: the last block of their AES-256-CBC encryption under a zero IV, without padding. */
function cbcMac(key: Uint8Array, x: Uint8Array): Buffer {
  const c = createCipheriv('aes-256-cbc', key, Buffer.alloc(16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(x), c.final()]).subarray(32, 48);
}

/** §9: the term of mac m held by table t, CBC-MAC(K_d1, B(t) ‖ m) ‖ CBC-MAC(K_d2, B(t) ‖ m), B(t) = utf8(t) zero-padded to 16 bytes. */
function termOf(kD: Uint8Array, table: string, m: Uint8Array): Buffer {
  const block = Buffer.alloc(16);
  block.write(table, 'utf8');
  const x = Buffer.concat([block, m]);
  return Buffer.concat([cbcMac(kD.subarray(0, 32), x), cbcMac(kD.subarray(32, 64), x)]);
}

/** utf8(table) ‖ 0x00 ‖ per column: 4-byte BE length ‖ bytes (TEXT UTF-8, INTEGER decimal, BLOB as is; NULL = 0xFFFFFFFF). */
function canonOf(table: string, values: unknown[]): Buffer {
  const parts: Buffer[] = [Buffer.from(table, 'utf8'), Buffer.from([0])];
  for (const value of values) {
    const length = Buffer.alloc(4);
    if (value === null) {
      length.writeUInt32BE(0xffffffff);
      parts.push(length);
      continue;
    }
    const bytes = value instanceof Uint8Array ? Buffer.from(value) : typeof value === 'number' ? Buffer.from(String(value), 'utf8') : Buffer.from(value as string, 'utf8');
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

const hmac = (key: Uint8Array, data: Uint8Array | string): Buffer => createHmac('sha256', key).update(data).digest();

/** Every row of a mac'd table with its columns in table order (mac last, apart). */
function macRows(db: Database.Database, table: string): { columns: string[]; values: unknown[]; mac: Buffer }[] {
  const columns = (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name).filter((n) => n !== 'mac');
  return (db.prepare(`SELECT ${columns.join(', ')}, mac FROM ${table}`).raw().all() as unknown[][]).map((r) => ({ columns, values: r.slice(0, -1), mac: r[r.length - 1] as Buffer }));
}

/** Checks a format 2 file against §9 alone: every row's mac, the digest and the record. */
function checkFormat2(file: string, vk: Uint8Array): { generation: number; terms: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const kMac = macKeyOf(vk);
    const kD = digestKeysOf(kMac);
    const digest = Buffer.alloc(32);
    let terms = 0;
    const seen = new Set<string>();
    const xor = (table: string, m: Uint8Array): void => {
      const term = termOf(kD, table, m);
      for (let i = 0; i < 32; i++) digest[i]! ^= term[i]!;
      expect(seen.has(hex(m)), 'every mac differs from every other').toBe(false);
      seen.add(hex(m));
      terms++;
    };
    for (const table of MAC_TABLES) {
      for (const row of macRows(db, table)) {
        expect(hex(row.mac), `${table} ${String(row.values[0])}`).toBe(hex(hmac(kMac, canonOf(table, row.values))));
        xor(table, row.mac);
      }
    }
    const meta = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
    for (const m of meta) if (m.key !== 'integrity') xor('meta', hmac(kMac, canonOf('meta', [m.key, m.value])));
    const record = JSON.parse(meta.find((m) => m.key === 'integrity')!.value) as { generation: number; digest: string; mac: string };
    expect(Object.keys(record)).toEqual(['generation', 'digest', 'mac']);
    expect(record.digest).toBe(hex(digest));
    const vaultId = meta.find((m) => m.key === 'vault_id')!.value;
    expect(record.mac).toBe(hex(hmac(kMac, `keyden/2/integrity/${vaultId}/${record.generation}/${record.digest}`)));
    return { generation: record.generation, terms };
  } finally {
    db.close();
  }
}

// ---- The worked example, parsed out of the document ---------------------------------------

function exampleValues(name = 'vault-format-example'): Map<string, string> {
  const doc = fs.readFileSync(DOC, 'utf8');
  const block = new RegExp(`<!-- ${name}:begin -->\\s*\`\`\`text\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`).exec(doc);
  if (!block?.[1]) throw new Error('docs/vault-format.md has no worked-example block');
  const values = new Map<string, string>();
  for (const line of block[1].split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf(' = ');
    if (at < 0) throw new Error(`unreadable example line: ${line}`);
    values.set(line.slice(0, at), line.slice(at + 3));
  }
  return values;
}

beforeAll(async () => {
  await sodium.ready;
});

describe('the worked example of docs/vault-format.md', () => {
  const ex = exampleValues();
  const v = (name: string): string => {
    const value = ex.get(name);
    if (value === undefined) throw new Error(`the example has no "${name}"`);
    return value;
  };

  it('uses the cheap test-only KDF parameters that libsodium still accepts', () => {
    const kdf = JSON.parse(v('meta.kdf')) as KdfRow;
    expect(Object.keys(kdf)).toEqual(KDF_KEYS);
    expect(kdf.m * 1024).toBeGreaterThanOrEqual(sodium.crypto_pwhash_MEMLIMIT_MIN);
    expect(kdf.t).toBeGreaterThanOrEqual(sodium.crypto_pwhash_OPSLIMIT_MIN);
    expect(hex(fromBase64(kdf.salt))).toBe(v('salt_hex'));
    expect(hex(utf8.encode(v('password').normalize('NFC')))).toBe(v('password.utf8_hex'));
  });

  it('gives the documented KEK when libsodium runs Argon2id on the documented password and salt', () => {
    expect(hex(kekOf(v('password'), JSON.parse(v('meta.kdf')) as KdfRow))).toBe(v('KEK'));
  });

  it('unwraps the documented VK from wrapped_key and derives the documented K_ov and K_sec from it', () => {
    const wrapped = fromBase64(v('meta.wrapped_key'));
    expect(hex(wrapped.subarray(0, 24))).toBe(v('wrapped_key.nonce_hex'));
    expect(hex(wrapped.subarray(24))).toBe(v('wrapped_key.ciphertext_hex'));
    expect(v('wrapped_key.aad')).toBe(`keyden/1/vault-key/${v('meta.vault_id')}`);
    const vk = unwrap(fromHex(v('KEK')), v('meta.wrapped_key'), v('meta.vault_id'));
    expect(hex(vk)).toBe(v('VK'));
    const keys = keysOf(vk);
    expect(hex(keys.ov)).toBe(v('K_ov'));
    expect(hex(keys.sec)).toBe(v('K_sec'));
  });

  it('opens every documented blob with the AAD its row ids give, to exactly the documented JSON', () => {
    const ov = fromHex(v('K_ov'));
    const sec = fromHex(v('K_sec'));
    const entryRow = `${v('entry.id')}/${v('entry.category_id')}`;
    const blobs: [string, Uint8Array, string][] = [
      ['category.overview', ov, aad('categories', 'overview', v('category.id'))],
      ['entry.overview', ov, aad('entries', 'overview', entryRow)],
      ['entry.secret', sec, aad('entries', 'secret', entryRow)],
      ['entry_version.secret', sec, aad('entry_versions', 'secret', `${v('entry_version.entry_id')}/${v('entry_version.version')}`)],
      ['token.overview', ov, aad('tokens', 'overview', v('token.id'))],
      ['audit.detail', ov, aad('audit', 'detail', v('audit.id'))],
    ];
    for (const [name, key, rule] of blobs) {
      expect(v(`${name}.aad`), name).toBe(rule);
      const opened = openBlob(key, fromHex(v(`${name}.blob_hex`)), rule);
      expect(JSON.stringify(opened), name).toBe(v(`${name}.plaintext`));
    }
    expect(keysIn(JSON.parse(v('category.overview.plaintext')))).toEqual(CATEGORY_KEYS);
    expect(keysIn(JSON.parse(v('entry.overview.plaintext')))).toEqual(ENTRY_KEYS);
    expect(keysIn(JSON.parse(v('entry.secret.plaintext')))).toEqual(SECRET_KEYS);
    expect(keysIn(JSON.parse(v('token.overview.plaintext')))).toEqual(TOKEN_KEYS);
  });

  it('documents the token hash as the lowercase hex SHA-256 of the whole token string', () => {
    expect(createHash('sha256').update(v('token.string'), 'utf8').digest('hex')).toBe(v('token.hash'));
  });

  it('is exactly what the committed example vault holds', () => {
    // Read a copy: even a read-only connection to a WAL vault leaves -wal/-shm files beside it.
    const dir = tempDir('keyden-format-');
    const copy = path.join(dir, 'example.db');
    fs.copyFileSync(FIXTURE, copy);
    const rows = readRows(copy);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(rows.applicationId).toBe(0x4b444e31);
    expect(rows.userVersion).toBe(1);
    for (const key of ['format', 'vault_id', 'kdf', 'wrapped_key']) expect(metaValue(rows, key), key).toBe(v(`meta.${key}`));
    const category = rows.categories.find((r) => r.id === v('category.id'));
    const entry = rows.entries.find((r) => r.id === v('entry.id'));
    const version = rows.versions.find((r) => r.entry_id === v('entry_version.entry_id') && r.version === Number(v('entry_version.version')));
    const token = rows.tokens.find((r) => r.id === v('token.id'));
    const audit = rows.audit.find((r) => r.id === Number(v('audit.id')));
    expect(category && entry && version && token && audit?.detail).toBeTruthy();
    expect(hex(category!.overview)).toBe(v('category.overview.blob_hex'));
    expect(entry!.category_id).toBe(v('entry.category_id'));
    expect(hex(entry!.overview)).toBe(v('entry.overview.blob_hex'));
    expect(hex(entry!.secret)).toBe(v('entry.secret.blob_hex'));
    expect(hex(version!.secret)).toBe(v('entry_version.secret.blob_hex'));
    expect(token!.hash).toBe(v('token.hash'));
    expect(hex(token!.overview)).toBe(v('token.overview.blob_hex'));
    expect(audit!.action).toBe(v('audit.action'));
    expect(hex(audit!.detail!)).toBe(v('audit.detail.blob_hex'));
  });

  it('unlocks in the real core with the documented password and reveals the documented values', async () => {
    const dir = tempDir('keyden-format-');
    const copy = path.join(dir, 'example.db');
    fs.copyFileSync(FIXTURE, copy);
    const core = openKeydenCore({ vaultPath: copy, unsafeTestKdf: TEST_KDF });
    try {
      await core.vault.unlock(CLI, v('password'));
      const revealed = await core.entries.reveal(CLI, v('entry.id'));
      expect(JSON.stringify({ value: revealed.value })).toBe(v('entry.secret.plaintext'));
      const old = await core.entries.revealVersion(CLI, v('entry.id'), Number(v('entry_version.version')));
      expect(JSON.stringify({ value: old.value })).toBe(v('entry_version.secret.plaintext'));
      expect(core.categories.get(v('category.id')).name).toBe((JSON.parse(v('category.overview.plaintext')) as { name: string }).name);
    } finally {
      core.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the format 2 worked example of docs/vault-format.md', () => {
  const ex = exampleValues('vault-format-example-2');
  const v1 = exampleValues();
  const v = (name: string): string => {
    const value = ex.get(name);
    if (value === undefined) throw new Error(`the format 2 example has no "${name}"`);
    return value;
  };
  const copy = (): string => {
    const dir = tempDir('keyden-format-');
    const file = path.join(dir, 'example-2.db');
    fs.copyFileSync(FIXTURE_2, file);
    return file;
  };

  it('derives the documented K_mac from the documented VK', () => {
    expect(hex(macKeyOf(fromHex(v1.get('VK')!)))).toBe(v('K_mac'));
  });

  it("derives the documented digest keys from K_mac and makes the documented term of the category's mac", () => {
    const kD = digestKeysOf(fromHex(v('K_mac')));
    expect(hex(kD)).toBe(v('K_digest'));
    expect(hex(termOf(kD, 'categories', fromHex(v('category.mac'))))).toBe(v('category.term'));
  });

  it('builds each documented canon from its row by the rule of §9 and macs it to the documented value, as stored', () => {
    const file = copy();
    const db = new Database(file, { readonly: true });
    const kMac = fromHex(v('K_mac'));
    const find = (table: string, label: string, match: (values: unknown[]) => boolean): void => {
      const rows = macRows(db, table);
      expect(rows[0]?.columns.join(','), label).toBe(v(`${label}.columns`));
      const row = rows.find((r) => match(r.values));
      expect(row, label).toBeDefined();
      const canon = canonOf(table, row!.values);
      expect(hex(canon), label).toBe(v(`${label}.canon_hex`));
      expect(hex(hmac(kMac, canon)), label).toBe(v(`${label}.mac`));
      expect(hex(row!.mac), label).toBe(v(`${label}.mac`));
    };
    find('categories', 'category', (r) => r[0] === v1.get('category.id'));
    find('entries', 'entry', (r) => r[0] === v1.get('entry.id'));
    find('entry_versions', 'entry_version', (r) => r[0] === v1.get('entry.id') && r[1] === 1);
    find('tokens', 'token', (r) => r[0] === v1.get('token.id'));
    find('audit', 'audit', (r) => r[0] === Number(v1.get('audit.id')));
    const settings = db.prepare("SELECT value FROM meta WHERE key = 'settings'").pluck().get() as string;
    expect(settings).toBe(v('meta.settings'));
    expect(hex(canonOf('meta', ['settings', settings]))).toBe(v('meta.settings.canon_hex'));
    expect(hex(hmac(kMac, canonOf('meta', ['settings', settings])))).toBe(v('meta.settings.mac'));
    db.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('has the documented digest, integrity record and record mac, recomputed over every row', () => {
    const file = copy();
    const { generation, terms } = checkFormat2(file, fromHex(v1.get('VK')!));
    expect(terms).toBe(Number(v('digest.terms')));
    const record = JSON.parse(v('meta.integrity')) as { generation: number; digest: string; mac: string };
    expect(generation).toBe(record.generation);
    expect(v('integrity.mac_input')).toBe(`keyden/2/integrity/${v1.get('meta.vault_id')}/${record.generation}/${record.digest}`);
    expect(hex(hmac(fromHex(v('K_mac')), v('integrity.mac_input')))).toBe(v('integrity.mac'));
    expect(record.mac).toBe(v('integrity.mac'));
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT value FROM meta WHERE key = 'integrity'").pluck().get()).toBe(v('meta.integrity'));
    expect(db.prepare("SELECT value FROM meta WHERE key = 'format'").pluck().get()).toBe('keyden-vault/2');
    db.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('keeps the blobs of format 1 byte for byte', () => {
    const file = copy();
    const rows = readRows(file);
    expect(hex(rows.entries[0]!.secret)).toBe(v1.get('entry.secret.blob_hex'));
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});

describe('a vault written by the real core, read back with the document alone', () => {
  let parent = '';
  let vaultDir = '';
  let vaultPath = '';
  let core: OwnedCore | null = null;
  let tokenString = '';
  let rows: Rows;
  const modes = new Map<string, number>();
  const ids = { simple: '', group: '', entry: '', groupEntry: '' };
  const GROUP_FIELDS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

  beforeAll(async () => {
    parent = tempDir('keyden-format-');
    vaultDir = path.join(parent, 'made-by-keyden');
    vaultPath = path.join(vaultDir, 'vault.db');
    core = openKeydenCore({ vaultPath, unsafeTestKdf: TEST_KDF });
    await core.vault.create(CLI, PASSWORD);
    ids.simple = core.categories.create(CLI, { name: 'Stripe', keyType: 'simple', envVarName: 'STRIPE_SECRET_KEY' }).id;
    ids.group = core.categories.create(CLI, { name: 'AWS', keyType: 'group', fields: GROUP_FIELDS, icon: 'aws' }).id;
    ids.entry = core.entries.create(CLI, { categoryId: ids.simple, name: 'shop-api', environment: 'staging', value: 'sk_test_first-value' }).id;
    core.entries.update(CLI, ids.entry, { value: 'sk_test_second-value', notes: 'rotated' });
    ids.groupEntry = core.entries.create(CLI, {
      categoryId: ids.group,
      name: 'shop-api',
      environment: 'production',
      value: { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-secret', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' },
      expiresAt: '2030-01-01T00:00:00.000Z',
    }).id;
    tokenString = core.tokens.create(CLI, { name: 'deploy bot', scopes: ['entries:read', 'entries:reveal'], environments: ['production'] }).secret;
    await core.entries.reveal(CLI, ids.groupEntry);
    await core.entries.revealVersion(CLI, ids.entry, 1);
    for (const f of [vaultPath, `${vaultPath}-wal`, `${vaultPath}-shm`, vaultDir]) {
      if (fs.existsSync(f)) modes.set(f, fs.statSync(f).mode & 0o777);
    }
    core.close();
    core = null;
    rows = readRows(vaultPath);
  });

  afterAll(() => {
    core?.close();
    if (parent) fs.rmSync(parent, { recursive: true, force: true });
  });

  it('marks the file as a Keyden vault with application_id 0x4B444E31, user_version 2 and a WAL journal', () => {
    expect(rows.applicationId).toBe(0x4b444e31);
    expect(rows.userVersion).toBe(2);
    expect(rows.journalMode).toBe('wal');
  });

  it('writes the meta rows of the document: format, a 32-hex vault_id, the kdf JSON, a 72-byte wrapped_key, settings and unlock_tokens', () => {
    expect([...rows.meta.keys()].sort()).toEqual(['format', 'integrity', 'kdf', 'settings', 'unlock_tokens', 'vault_id', 'wrapped_key']);
    const unlockers = JSON.parse(metaValue(rows, 'unlock_tokens')) as unknown[];
    expect(unlockers.every((id) => typeof id === 'string')).toBe(true);
    expect(unlockers).toEqual([...unlockers].sort());
    expect(metaValue(rows, 'format')).toBe('keyden-vault/2');
    expect(metaValue(rows, 'vault_id')).toMatch(/^[0-9a-f]{32}$/);
    const kdf = JSON.parse(metaValue(rows, 'kdf')) as KdfRow;
    expect(Object.keys(kdf)).toEqual(KDF_KEYS);
    expect(kdf).toMatchObject({ alg: 'argon2id', version: 19, m: TEST_KDF.m, t: TEST_KDF.t, p: 1 });
    expect(kdf.salt).toMatch(STANDARD_BASE64);
    expect(fromBase64(kdf.salt).length).toBe(16);
    expect(metaValue(rows, 'wrapped_key')).toMatch(STANDARD_BASE64);
    expect(fromBase64(metaValue(rows, 'wrapped_key')).length).toBe(72);
    expect(keysIn(JSON.parse(metaValue(rows, 'settings')))).toEqual(sorted(['autoLockMinutes', 'clipboardSeconds', 'apiEnabled', 'apiPort', 'hideWhileRevealed', 'lockOnMinimize', 'checkForUpdates']));
  });

  it('keeps the vault file and its WAL side files at 0600 and the folder it made at 0700', () => {
    expect(modes.get(vaultPath)).toBe(0o600);
    for (const side of [`${vaultPath}-wal`, `${vaultPath}-shm`]) {
      if (modes.has(side)) expect(modes.get(side), side).toBe(0o600);
    }
    expect(modes.get(vaultDir)).toBe(0o700);
  });

  it('macs every row and keeps the digest and the integrity record exactly as §9 says, after many writes', () => {
    const { vk } = keysFromMeta(rows, PASSWORD);
    const { generation, terms } = checkFormat2(vaultPath, vk);
    expect(generation).toBeGreaterThan(5);
    expect(terms).toBeGreaterThan(10);
  });

  it('wraps a key that libsodium unwraps with the same KEK the core itself derives', async () => {
    const { kek, vk } = keysFromMeta(rows, PASSWORD);
    const kdf = JSON.parse(metaValue(rows, 'kdf')) as { alg: 'argon2id'; version: 19; m: number; t: number; p: number; salt: string };
    expect(hex(await deriveKek(PASSWORD, kdf))).toBe(hex(kek));
    expect(vk.length).toBe(32);
  });

  it('refuses a wrong password at the wrapped_key tag', () => {
    const kdf = JSON.parse(metaValue(rows, 'kdf')) as KdfRow;
    expect(() => unwrap(kekOf(`${PASSWORD}!`, kdf), metaValue(rows, 'wrapped_key'), metaValue(rows, 'vault_id'))).toThrow();
  });

  it('opens every category overview with K_ov to exactly the documented keys', () => {
    const { keys } = keysFromMeta(rows, PASSWORD);
    expect(rows.categories.map((r) => r.id).sort()).toEqual([ids.simple, ids.group].sort());
    for (const r of rows.categories) {
      const ov = asObject(openBlob(keys.ov, r.overview, aad('categories', 'overview', r.id)));
      expect(keysIn(ov)).toEqual(CATEGORY_KEYS);
      if (ov.keyType === 'simple') {
        expect(ov).toEqual({ name: 'Stripe', keyType: 'simple', envVarName: 'STRIPE_SECRET_KEY', fields: [], icon: null });
      } else {
        expect(ov).toEqual({ name: 'AWS', keyType: 'group', envVarName: null, fields: GROUP_FIELDS, icon: 'aws' });
      }
    }
  });

  it('opens every entry overview with K_ov and every entry secret with K_sec under id/category_id', () => {
    const { keys } = keysFromMeta(rows, PASSWORD);
    expect(rows.entries).toHaveLength(2);
    for (const r of rows.entries) {
      const rowId = `${r.id}/${r.category_id}`;
      const ov = asObject(openBlob(keys.ov, r.overview, aad('entries', 'overview', rowId)));
      const secret = asObject(openBlob(keys.sec, r.secret, aad('entries', 'secret', rowId)));
      expect(keysIn(ov)).toEqual(ENTRY_KEYS);
      expect(keysIn(secret)).toEqual(SECRET_KEYS);
      if (r.id === ids.entry) {
        expect(r.category_id).toBe(ids.simple);
        expect(ov).toEqual({ name: 'shop-api', environment: 'staging', notes: 'rotated', envVarName: null, expiresAt: null });
        expect(secret).toEqual({ value: 'sk_test_second-value' });
      } else {
        expect(r.category_id).toBe(ids.group);
        expect(ov).toEqual({ name: 'shop-api', environment: 'production', notes: null, envVarName: null, expiresAt: '2030-01-01T00:00:00.000Z' });
        // A group value: field → string, in the category's field order.
        expect(JSON.stringify(secret)).toBe(JSON.stringify({ value: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-secret' } }));
      }
      // The overview and the secret of a row are not interchangeable: each opens only with its own key.
      expect(opens(keys.sec, r.overview, aad('entries', 'overview', rowId))).toBe(false);
      expect(opens(keys.ov, r.secret, aad('entries', 'secret', rowId))).toBe(false);
    }
  });

  it('keeps only the previous value as version 1, sealed with K_sec under entry_id/version', () => {
    const { keys } = keysFromMeta(rows, PASSWORD);
    expect(rows.versions.map((r) => [r.entry_id, r.version])).toEqual([[ids.entry, 1]]);
    const r = rows.versions[0]!;
    const secret = openBlob(keys.sec, r.secret, aad('entry_versions', 'secret', `${r.entry_id}/${r.version}`));
    expect(keysIn(secret)).toEqual(SECRET_KEYS);
    expect(secret).toEqual({ value: 'sk_test_first-value' });
  });

  it('stores a token as the SHA-256 of its string beside an overview of exactly the documented keys', () => {
    const { keys } = keysFromMeta(rows, PASSWORD);
    expect(rows.tokens).toHaveLength(1);
    const r = rows.tokens[0]!;
    expect(tokenString).toMatch(/^kdn_[A-Za-z0-9_-]{43}$/);
    expect(r.hash).toBe(createHash('sha256').update(tokenString, 'utf8').digest('hex'));
    expect([r.last_used_at, r.expires_at, r.revoked_at]).toEqual([null, null, null]);
    const ov = openBlob(keys.ov, r.overview, aad('tokens', 'overview', r.id));
    expect(keysIn(ov)).toEqual(TOKEN_KEYS);
    expect(ov).toEqual({ name: 'deploy bot', scopes: ['entries:read', 'entries:reveal'], projects: null, environments: ['production'] });
  });

  it('seals each audit detail with K_ov under keyden/1/audit/detail/<id> in a documented shape', () => {
    const { keys } = keysFromMeta(rows, PASSWORD);
    const actions = rows.audit.map((r) => r.action);
    expect(actions).toEqual(['vault.create', 'category.create', 'category.create', 'entry.create', 'entry.update', 'entry.create', 'token.create', 'entry.reveal', 'entry.reveal', 'vault.lock']);
    for (const r of rows.audit) {
      expect(r.actor).toBe(r.action === 'vault.lock' ? 'app' : 'cli');
      expect(r.ok).toBe(1);
      const shapes = AUDIT_DETAIL[r.action];
      expect(shapes, r.action).toBeDefined();
      if (shapes === null) {
        expect(r.detail, r.action).toBeNull();
        expect(r.target_id, r.action).toBeNull();
        continue;
      }
      expect(r.detail, r.action).not.toBeNull();
      const detail = openBlob(keys.ov, r.detail!, aad('audit', 'detail', String(r.id)));
      expect(shapes!.map(sorted), r.action).toContainEqual(keysIn(detail));
    }
    const update = rows.audit.find((r) => r.action === 'entry.update')!;
    expect(openBlob(keys.ov, update.detail!, aad('audit', 'detail', String(update.id)))).toEqual({ name: 'shop-api', environment: 'staging', valueChanged: true });
  });

  it('uses UUID v4 ids and ISO-8601 UTC times with milliseconds in its plaintext columns', () => {
    const times: (string | null)[] = [];
    for (const r of rows.categories) {
      expect(r.id).toMatch(UUID_V4);
      times.push(r.created_at, r.updated_at);
    }
    for (const r of rows.entries) {
      expect(r.id).toMatch(UUID_V4);
      expect(r.category_id).toMatch(UUID_V4);
      times.push(r.created_at, r.updated_at);
    }
    for (const r of rows.versions) times.push(r.created_at);
    for (const r of rows.tokens) {
      expect(r.id).toMatch(UUID_V4);
      times.push(r.created_at);
    }
    for (const r of rows.audit) {
      expect(Number.isInteger(r.id)).toBe(true);
      if (r.target_id !== null) expect(r.target_id).toMatch(UUID_V4);
      times.push(r.at);
    }
    for (const t of times) expect(t).toMatch(ISO_MS);
  });

  it('never writes a name or a value in plaintext anywhere in the file', () => {
    const bytes = Buffer.concat([vaultPath, `${vaultPath}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    for (const text of ['Stripe', 'AWS_SECRET_ACCESS_KEY', 'shop-api', 'staging', 'rotated', 'sk_test_first-value', 'sk_test_second-value', 'AKIAEXAMPLE', 'deploy bot', tokenString]) {
      expect(bytes.includes(Buffer.from(text, 'utf8')), text).toBe(false);
    }
  });

  it('fails to open a blob swapped into another row, or an entry moved to another category', () => {
    const { keys } = keysFromMeta(rows, PASSWORD);
    const [a, b] = rows.entries as [EntryRow, EntryRow];
    expect(opens(keys.sec, a.secret, aad('entries', 'secret', `${b.id}/${b.category_id}`))).toBe(false);
    expect(opens(keys.ov, b.overview, aad('entries', 'overview', `${a.id}/${a.category_id}`))).toBe(false);
    const other = a.category_id === ids.simple ? ids.group : ids.simple;
    expect(opens(keys.ov, a.overview, aad('entries', 'overview', `${a.id}/${other}`))).toBe(false);
    expect(opens(keys.sec, a.secret, aad('entries', 'secret', `${a.id}/${other}`))).toBe(false);
    const [c, d] = rows.categories as [CategoryRow, CategoryRow];
    expect(opens(keys.ov, c.overview, aad('categories', 'overview', d.id))).toBe(false);
    const v1 = rows.versions[0]!;
    expect(opens(keys.sec, v1.secret, aad('entry_versions', 'secret', `${v1.entry_id}/2`))).toBe(false);
    const detailed = rows.audit.filter((r) => r.detail !== null);
    expect(opens(keys.ov, detailed[0]!.detail!, aad('audit', 'detail', String(detailed[1]!.id)))).toBe(false);
  });

  it('makes the real core refuse two entry secrets swapped in the file, even after their macs were recomputed', async () => {
    const dir = tempDir('keyden-format-');
    const copy = path.join(dir, 'swapped.db');
    fs.copyFileSync(vaultPath, copy);
    const db = new Database(copy);
    const [a, b] = rows.entries as [EntryRow, EntryRow];
    db.prepare('UPDATE entries SET secret = ? WHERE id = ?').run(b.secret, a.id);
    db.prepare('UPDATE entries SET secret = ? WHERE id = ?').run(a.secret, b.id);
    db.close();
    const swapped = readRows(copy);
    const { keys } = keysFromMeta(swapped, PASSWORD);
    for (const r of swapped.entries) expect(opens(keys.sec, r.secret, aad('entries', 'secret', `${r.id}/${r.category_id}`))).toBe(false);
    const tampered = openKeydenCore({ vaultPath: copy, unsafeTestKdf: TEST_KDF });
    await expect(tampered.vault.unlock(CLI, PASSWORD)).rejects.toMatchObject({ code: 'VAULT_TAMPERED' });
    tampered.close();
    // With the macs recomputed (as only a holder of the key could), the AAD still refuses both.
    await remacVault(copy, PASSWORD);
    const other = openKeydenCore({ vaultPath: copy, unsafeTestKdf: TEST_KDF });
    try {
      await other.vault.unlock(CLI, PASSWORD);
      await expect(other.entries.reveal(CLI, a.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(other.entries.reveal(CLI, b.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      other.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

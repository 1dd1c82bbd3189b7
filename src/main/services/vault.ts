// Creating, unlocking, locking and re-keying the vault (DESIGN §3).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_SETTINGS, Settings as SettingsSchema, type Category, type Settings } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import { blobAadText, deriveSubkeys, randomKey, unwrapVaultKey, wipe, wrapVaultKey } from '../crypto/aead.js';
import { HELPER_MIN_BLOBS, startOpening, type Opening } from '../crypto/open-helper.js';
import { DEFAULT_KDF, deriveKek, isBelowDefault, newKdfParams, type KdfParams } from '../crypto/kdf.js';
import { createVaultDb, dataVersion, openVaultDb, restrictModes, type Db, type OpenOptions } from '../store/db.js';
import type { Caller, VaultService, VaultStatus } from '../core/types.js';
import { AuditLog } from './audit.js';
import {
  entryRowId,
  locked,
  nowIso,
  openOverview,
  Overviews,
  type EntryRecord,
  type Keys,
  type VaultContext,
} from './context.js';
import { loadTokens } from './tokens.js';
import { parseInput } from './validate.js';

export const VAULT_FORMAT = 'keyden-vault/1';

export interface KdfCost {
  m: number;
  t: number;
}

export interface VaultOptions extends OpenOptions {
  path: string;
  /**
   * Cheaper Argon2 parameters for tests and benchmarks only: a code option, never a flag,
   * environment variable or setting. While set, vaults are not upgraded to the defaults.
   */
  unsafeTestKdf?: KdfCost;
}

interface Meta {
  vaultId: string;
  kdf: KdfParams;
  wrappedKey: Uint8Array;
}

export class Vault implements VaultService, VaultContext {
  readonly overviews = new Overviews();
  readonly audit: AuditLog;
  private handle: Db | null = null;
  private unlockedKeys: Keys | null = null;
  private unlocking: Promise<void> | null = null;
  private dataVersion = 0;
  private checkedThisTurn = false;
  /** The open file's vault_id (it never changes): status() runs on every API request. */
  private vaultId: string | null = null;
  private readonly lockListeners = new Set<(locked: boolean) => void>();

  constructor(private readonly options: VaultOptions) {
    this.audit = new AuditLog(() => this.db(), () => this.unlockedKeys);
  }

  readonly db = (): Db => {
    if (this.handle) return this.handle;
    this.handle = openVaultDb(this.options.path, this.options);
    this.dataVersion = dataVersion(this.handle);
    return this.handle;
  };

  keys(): Keys {
    if (!this.unlockedKeys) throw locked();
    return this.unlockedKeys;
  }

  isUnlocked(): boolean {
    return this.unlockedKeys !== null;
  }

  now(): string {
    return nowIso();
  }

  write<T>(fn: () => T): T {
    return this.db().transaction(fn).immediate();
  }

  status(): VaultStatus {
    const exists = this.handle !== null || fileExists(this.options.path);
    let vaultId: string | null = this.handle ? this.vaultId : null;
    if (exists && vaultId === null) {
      try {
        vaultId = this.readMeta().vaultId;
      } catch {
        vaultId = null;
      }
    }
    return { exists, locked: !this.isUnlocked(), path: this.options.path, vaultId };
  }

  async create(caller: Caller, password: string): Promise<void> {
    checkNewPassword(password);
    const params = newKdfParams(this.options.unsafeTestKdf ?? DEFAULT_KDF);
    const kek = await deriveKek(password, params);
    const vaultKey = randomKey();
    const vaultId = randomBytes(16).toString('hex');
    const wrapped = wrapVaultKey(kek, vaultKey, vaultId);
    wipe(kek);
    const db = createVaultDb(this.options.path, this.options);
    this.handle = db;
    this.unlockedKeys = { vaultKey, ...deriveSubkeys(vaultKey) };
    this.write(() => {
      const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      put.run('format', VAULT_FORMAT);
      put.run('vault_id', vaultId);
      put.run('kdf', JSON.stringify(params));
      put.run('wrapped_key', Buffer.from(wrapped).toString('base64'));
      put.run('settings', JSON.stringify(DEFAULT_SETTINGS));
      this.audit.write({ actor: caller.actor, action: 'vault.create', targetId: null, ok: true });
    });
    restrictModes(this.options.path);
    this.overviews.clear();
    this.dataVersion = dataVersion(db);
    this.notify(false);
  }

  unlock(caller: Caller, password: string, _options: { acceptRollback?: boolean } = {}): Promise<void> {
    // Two unlocks at once share nothing but the file: let the second wait for the first.
    const run = (this.unlocking ?? Promise.resolve()).then(() => this.doUnlock(caller, password));
    this.unlocking = run.catch(() => undefined);
    return run;
  }

  private async doUnlock(caller: Caller, password: string): Promise<void> {
    const meta = this.readMeta();
    const derivation = deriveKek(password, meta.kdf);
    // While Argon2 runs in its worker, read the sealed overviews (~20 ms for 10 000 entries), so
    // that only their decryption follows the KDF. loadOverviews reads them again if another
    // connection committed in the meantime; any error here shows up there instead.
    let prefetched: OverviewRows | null = null;
    let opening: Opening | null = null;
    if (!this.unlockedKeys) {
      try {
        prefetched = this.readOverviewRows();
        opening = startHelper(prefetched);
      } catch {
        prefetched = null;
      }
    }
    try {
      await this.finishUnlock(caller, password, meta, derivation, prefetched, opening);
    } finally {
      opening?.cancel();
    }
  }

  private async finishUnlock(caller: Caller, password: string, meta: Meta, derivation: Promise<Uint8Array>, prefetched: OverviewRows | null, opening: Opening | null): Promise<void> {
    const kek = await derivation;
    const vaultKey = unwrapVaultKey(kek, meta.wrappedKey, meta.vaultId);
    if (!vaultKey) {
      wipe(kek);
      this.write(() => this.audit.write({ actor: caller.actor, action: 'vault.unlock', targetId: null, ok: false }));
      throw new KeydenError('INVALID_PASSWORD', 'wrong master password');
    }
    wipe(kek);
    if (this.unlockedKeys) {
      // Already open: the password was checked; nothing else to do.
      wipe(vaultKey);
      return;
    }
    if (isBelowDefault(meta.kdf) && !this.options.unsafeTestKdf) await this.rewrap(password, vaultKey, meta.vaultId);
    const keys: Keys = { vaultKey, ...deriveSubkeys(vaultKey) };
    await this.loadOverviews(keys, prefetched, opening);
    this.unlockedKeys = keys;
    this.write(() => this.audit.write({ actor: caller.actor, action: 'vault.unlock', targetId: null, ok: true }));
    this.notify(false);
  }

  lock(caller: Caller): void {
    if (!this.unlockedKeys) return;
    this.audit.flush();
    this.write(() => this.audit.write({ actor: caller.actor, action: 'vault.lock', targetId: null, ok: true }));
    const keys = this.unlockedKeys;
    this.unlockedKeys = null;
    wipe(keys.vaultKey, keys.overview, keys.secret);
    this.overviews.clear();
    this.notify(true);
  }

  async changePassword(caller: Caller, current: string, next: string): Promise<void> {
    checkNewPassword(next);
    const meta = this.readMeta();
    const kek = await deriveKek(current, meta.kdf);
    const vaultKey = unwrapVaultKey(kek, meta.wrappedKey, meta.vaultId);
    wipe(kek);
    if (!vaultKey) {
      this.write(() => this.audit.write({ actor: caller.actor, action: 'vault.passwd', targetId: null, ok: false }));
      throw new KeydenError('INVALID_PASSWORD', 'the current master password is wrong');
    }
    await this.rewrap(next, vaultKey, meta.vaultId, { actor: caller.actor });
    wipe(vaultKey);
  }

  /** Wraps the vault key under a new salt and the current default parameters. */
  private async rewrap(password: string, vaultKey: Uint8Array, vaultId: string, audit?: { actor: string }): Promise<void> {
    const params = newKdfParams(this.options.unsafeTestKdf ?? DEFAULT_KDF);
    const kek = await deriveKek(password, params);
    const wrapped = wrapVaultKey(kek, vaultKey, vaultId);
    wipe(kek);
    const db = this.db();
    this.write(() => {
      const put = db.prepare('UPDATE meta SET value = ? WHERE key = ?');
      put.run(JSON.stringify(params), 'kdf');
      put.run(Buffer.from(wrapped).toString('base64'), 'wrapped_key');
      if (audit) this.audit.write({ actor: audit.actor, action: 'vault.passwd', targetId: null, ok: true });
    });
  }

  async backup(caller: Caller, destination: string): Promise<void> {
    this.keys();
    const target = path.resolve(destination);
    if (target === path.resolve(this.options.path) || target.startsWith(`${path.resolve(this.options.path)}-`)) {
      throw new KeydenError('VALIDATION_FAILED', 'a backup cannot replace the vault itself', { destination: 'is the vault file' });
    }
    const tmp = `${target}.${process.pid}.partial`;
    try {
      // Made private before SQLite writes a page into it.
      fs.closeSync(fs.openSync(tmp, 'wx', 0o600));
      await this.db().backup(tmp);
      fs.chmodSync(tmp, 0o600);
      fs.renameSync(tmp, target);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    this.write(() => this.audit.write({ actor: caller.actor, action: 'vault.backup', targetId: null, ok: true }));
  }

  settings(): Settings {
    const row = this.db().prepare("SELECT value FROM meta WHERE key = 'settings'").get() as { value: string } | undefined;
    const parsed = SettingsSchema.partial().safeParse(row ? JSON.parse(row.value) : {});
    return { ...DEFAULT_SETTINGS, ...(parsed.success ? parsed.data : {}) };
  }

  updateSettings(_caller: Caller, patch: Partial<Settings>): Settings {
    const next = parseInput(SettingsSchema, { ...this.settings(), ...patch });
    this.db().prepare("INSERT INTO meta (key, value) VALUES ('settings', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(JSON.stringify(next));
    return next;
  }

  onLockChange(listener: (locked: boolean) => void): () => void {
    this.lockListeners.add(listener);
    return () => this.lockListeners.delete(listener);
  }

  /**
   * Admin commands write beside the owner (tokens created or revoked): reload what they may
   * have changed before serving the next request. `data_version` moves only on others' commits.
   */
  refreshIfChangedElsewhere(): void {
    if (!this.handle || !this.unlockedKeys || this.checkedThisTurn) return;
    // Once per turn of the event loop: the requests read from the sockets in one turn are
    // served under one check (it was ~7 % of a reveal's CPU at 32 clients, once per request).
    this.checkedThisTurn = true;
    setImmediate(() => {
      this.checkedThisTurn = false;
    });
    const v = dataVersion(this.handle);
    if (v === this.dataVersion) return;
    this.dataVersion = v;
    this.overviews.forgetSealedSecrets();
    const tokens = loadTokens(this.handle, this.unlockedKeys);
    this.overviews.tokens.clear();
    this.overviews.tokensByHash.clear();
    for (const t of tokens) this.overviews.putToken(t);
  }

  close(caller: Caller = { actor: 'app', projects: null, environments: null }): void {
    if (this.unlockedKeys) this.lock(caller);
    this.audit.flush();
    this.handle?.close();
    this.handle = null;
    this.vaultId = null;
  }

  private readMeta(): Meta {
    const rows = this.db().prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
    const meta = new Map(rows.map((r) => [r.key, r.value]));
    const format = meta.get('format');
    if (format !== VAULT_FORMAT) throw new KeydenError('VAULT_INVALID', `${this.options.path} has an unknown vault format (${format ?? 'none'})`);
    const vaultId = meta.get('vault_id');
    const kdfText = meta.get('kdf');
    const wrapped = meta.get('wrapped_key');
    if (!vaultId || !kdfText || !wrapped) throw new KeydenError('VAULT_INVALID', `${this.options.path} is missing its key rows; restore it from a backup`);
    let kdf: KdfParams;
    try {
      kdf = JSON.parse(kdfText) as KdfParams;
    } catch {
      throw new KeydenError('VAULT_INVALID', `${this.options.path} has a damaged kdf row`);
    }
    if (kdf.alg !== 'argon2id' || kdf.version !== 19 || !(kdf.m >= 8) || !(kdf.t >= 1) || kdf.p !== 1 || typeof kdf.salt !== 'string') {
      throw new KeydenError('VAULT_INVALID', `${this.options.path} names KDF parameters this version does not support`);
    }
    this.vaultId = vaultId;
    return { vaultId, kdf, wrappedKey: new Uint8Array(Buffer.from(wrapped, 'base64')) };
  }

  /**
   * The sealed overviews of categories and entries, as stored, and the data_version they were
   * read at. Rows come as arrays (better-sqlite3's raw mode): 10 000 entries read in about half
   * the time objects take.
   */
  private readOverviewRows(): OverviewRows {
    const db = this.db();
    return {
      dataVersion: dataVersion(db),
      categories: db.prepare('SELECT id, overview, created_at, updated_at FROM categories').raw(true).all() as CategoryRow[],
      entries: db.prepare('SELECT id, category_id, overview, created_at, updated_at FROM entries').raw(true).all() as EntryRow[],
    };
  }

  /**
   * Decrypts every overview into memory; a row that fails to open is left out and counted. For
   * a large vault whose rows were read during the KDF, a helper thread opens entries too.
   */
  private async loadOverviews(keys: Keys, prefetched: OverviewRows | null = null, opening: Opening | null = null): Promise<void> {
    const db = this.db();
    // Rows read before the KDF finished are used only if no other connection has committed since.
    const fresh = prefetched !== null && prefetched.dataVersion === dataVersion(db);
    const rows = fresh ? prefetched : this.readOverviewRows();
    const o = this.overviews;
    o.clear();
    for (const [id, overview, createdAt, updatedAt] of rows.categories) {
      const ov = openOverview(keys, 'categories', id, overview) as Omit<Category, 'id' | 'createdAt' | 'updatedAt'> | null;
      if (!ov) {
        o.unreadable++;
        continue;
      }
      o.categories.set(id, { id, ...ov, createdAt, updatedAt });
    }
    // With a helper thread both threads open the entries; without, this one opens each in turn.
    const opened = fresh && opening ? await opening.open(keys.overview) : null;
    rows.entries.forEach(([id, categoryId, overview, createdAt, updatedAt], i) => {
      const ov = (opened ? opened[i] : openOverview(keys, 'entries', entryRowId(id, categoryId), overview)) as Omit<EntryRecord, 'id' | 'categoryId' | 'createdAt' | 'updatedAt'> | null;
      if (!ov || !o.categories.has(categoryId)) {
        o.unreadable++;
        return;
      }
      o.entries.set(id, { id, categoryId, ...ov, createdAt, updatedAt });
    });
    for (const t of loadTokens(db, keys)) o.putToken(t);
    o.generation++;
  }

  private notify(isLocked: boolean): void {
    for (const l of this.lockListeners) {
      try {
        l(isLocked);
      } catch {
        // A listener's failure must not stop the lock.
      }
    }
  }
}

/** id, overview, created_at, updated_at */
type CategoryRow = [string, Uint8Array, string, string];
/** id, category_id, overview, created_at, updated_at */
type EntryRow = [string, string, Uint8Array, string, string];

/** For a large vault, a helper thread that will open the entries' overviews with this one (crypto/open-helper.ts). */
function startHelper(rows: OverviewRows): Opening | null {
  if (rows.entries.length < HELPER_MIN_BLOBS) return null;
  return startOpening(
    rows.entries.map(([id, categoryId]) => blobAadText('entries', 'overview', entryRowId(id, categoryId))),
    rows.entries.map((row) => row[2]),
  );
}

interface OverviewRows {
  dataVersion: number;
  categories: CategoryRow[];
  entries: EntryRow[];
}

function fileExists(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function checkNewPassword(password: string): void {
  if (password.length < 8) throw new KeydenError('VALIDATION_FAILED', 'the master password must have at least 8 characters', { password: 'at least 8 characters' });
  if (password.length > 1024) throw new KeydenError('VALIDATION_FAILED', 'the master password is too long', { password: 'at most 1024 characters' });
}


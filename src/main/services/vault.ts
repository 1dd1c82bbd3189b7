// Creating, unlocking, locking and re-keying the vault (DESIGN §3).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_SETTINGS, Settings as SettingsSchema, type Category, type Settings } from '../../shared/model.js';
import { isKeydenError, KeydenError } from '../../shared/errors.js';
import { deriveSubkeys, randomKey, unwrapVaultKey, wipe, wrapVaultKey, WRAPPED_KEY_BYTES } from '../crypto/aead.js';
import { openAll, type Opened } from '../crypto/open-many.js';
import { DEFAULT_KDF, deriveKek, isBelowDefault, newKdfParams, type KdfParams } from '../crypto/kdf.js';
import { format1Problem } from '../store/format-1-check.js';
import { createVaultDb, dataVersion, migrateWithKey, needsKeyedMigration, openVaultDb, restrictModes, type Db, type OpenOptions } from '../store/db.js';
import { computeDigest, forgetDigestKey, IntegrityWriter, readIntegrity, recordChecks, tampered } from '../store/integrity.js';
import { KnownVaults } from '../store/known-vaults.js';
import { noHardLinks } from '../store/lockfile.js';
import { keydenHome } from '../home.js';
import { describeFailure, inspectIntegrity, type VerifyReport } from './verify.js';
import { CHECKED_AT_UNLOCK, checkSnapshot, readSnapshot, type UnlockSnapshot } from './unlock-snapshot.js';
import { currentRows, readSealedRows, resealEveryRow, type SealedRows } from './rekey.js';
import type { Caller, VaultService, VaultStatus } from '../core/types.js';
import { AuditLog, HELPER_MIN_BATCH } from './audit.js';
import { auditHelper, type BatchHelper } from '../crypto/audit-helper.js';
import {
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

export const VAULT_FORMAT = 'keyden-vault/2';
/** The formats this version opens: 1 is upgraded to 2 at its first unlock. */
const FORMATS: Record<string, 1 | 2> = { 'keyden-vault/1': 1, 'keyden-vault/2': 2 };

/** The most `keyden passwd --kdf-memory` / `--kdf-passes` may ask for. */
export const KDF_LIMITS = { maxMemoryKiB: 4 * 1024 * 1024, maxPasses: 64 } as const;

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
  /** Where this machine records the generations it has seen (default `<home>/known-vaults.json`). */
  knownVaultsPath?: string;
  /**
   * `admin`: a CLI command that opens the file for one job beside any owner (token create,
   * passwd, backup). Its opening and closing are not audited as `vault.unlock` / `vault.lock` (which
   * would read as if someone locked the vault); the job's own row (token.create…) says what it did.
   */
  session?: 'owner' | 'admin';
  /**
   * The group commit's crypto on a second thread for batches of `minBatch` rows or more (default
   * HELPER_MIN_BATCH; tests set 1 to use it always, and may give a helper that runs in process),
   * or `false` for none. Only an owner has one, and only where the compiled module runs (audit-helper.ts).
   */
  auditHelper?: { minBatch?: number; helper?: BatchHelper } | false;
}

export interface UnlockOptions {
  /** The user confirmed that the vault was restored from an older copy (VAULT_ROLLED_BACK). */
  acceptRollback?: boolean;
}

/** Where an unlock leaves a copy of its KEK for the job that asked (kekFor), or null. */
interface KeptKek {
  kek: Uint8Array | null;
  /** The meta the KEK was derived from (its key rows are what a rotation may replace). */
  meta?: Meta;
}

function dropKek(kept: KeptKek | undefined): void {
  if (!kept) return;
  wipe(kept.kek);
  kept.kek = null;
}

interface Meta {
  format: 1 | 2;
  vaultId: string;
  kdf: KdfParams;
  wrappedKey: Uint8Array;
  /** The `kdf` and `wrapped_key` rows as stored: a password change or key rotation beside an unlock changes them. */
  keyRows: string;
}

/** The key rows of `meta` as one string, for comparing what an unlock derived from with what the file holds now. */
const keyRowsOf = (rows: readonly { key: unknown; value: unknown }[]): string =>
  ['kdf', 'wrapped_key'].map((k) => String(rows.find((r) => r.key === k)?.value ?? '')).join('\n');

/** How many times an unlock or a check (verify) starts again when the file moves on beside it (a rotation, a password change, a commit). */
const UNLOCK_ATTEMPTS = 3;

/**
 * The file moved on under an unlock or a check: another process replaced the key rows it derived
 * from, or committed (and recorded a higher generation) after its snapshot was read. It starts again.
 */
class UnlockAgain extends Error {}

/** Runs `job` again while it ends in UnlockAgain, at most UNLOCK_ATTEMPTS times; `what` names it in the error after that. */
async function untilSettled<T>(what: string, job: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await job();
    } catch (e) {
      if (!(e instanceof UnlockAgain)) throw e;
      if (attempt === UNLOCK_ATTEMPTS) {
        throw new KeydenError('VAULT_LOCKED', `the vault kept changing during ${what} (another Keyden process is changing its password or key, or writing); try again when it is done`);
      }
    }
  }
}

/** `what` (a rotation, a password change) was made from key rows another process has replaced since. */
const keyRowsChanged = (what: string): KeydenError =>
  new KeydenError('CONFLICT', `the master password or the vault key was changed by another Keyden process while ${what} waited for Argon2; nothing was changed: run it again (with the new password if it was changed)`);

export class Vault implements VaultService, VaultContext {
  readonly overviews = new Overviews();
  readonly audit: AuditLog;
  private handle: Db | null = null;
  private integrity: IntegrityWriter | null = null;
  private unlockedKeys: Keys | null = null;
  /** The keys of an unlock under way: checking and migrating rows needs K_mac before the vault counts as unlocked. */
  private pendingKeys: Keys | null = null;
  private readonly knownVaults: KnownVaults;
  private knownTimer: NodeJS.Timeout | null = null;
  private lastUnlock: number | null = null;
  /** The highest generation this owner has seen the file at since its unlock (a lower one later is an older copy put back). */
  private seenGeneration = -1;
  /** data_version when the unlock checked every row; another connection's commit moves it. */
  private checkedAtDataVersion: number | null = null;
  private unlocking: Promise<void> | null = null;
  /** Locks asked for so far, and the unlocks not yet ended: an unlock during which a lock was asked for ends locked. */
  private lockRequests = 0;
  private unlocksPending = 0;
  /** takeLockNotice's message: set when the turn's look at the file locked the vault, cleared once told or at the next unlock. */
  private lockNotice: string | null = null;
  private dataVersion = 0;
  /** data_version when the overviews in memory were loaded from the file (see catchUp). */
  private overviewsAt: number | null = null;
  /** Set while a write runs whose start reloaded rows another connection had committed. */
  private caughtUp = false;
  private checkedThisTurn = false;
  /** The open file's vault_id (it never changes): status() runs on every API request. */
  private vaultId: string | null = null;
  private readonly lockListeners = new Set<(locked: boolean) => void>();
  private readonly unlockTasks: ((caller: Caller) => void)[] = [];

  constructor(private readonly options: VaultOptions) {
    const helper = options.auditHelper === false || options.session === 'admin' ? null : (options.auditHelper?.helper ?? auditHelper());
    this.audit = new AuditLog(() => this.db(), () => this.unlockedKeys, (fn) => this.write(fn), {
      helper,
      minBatch: (options.auditHelper || undefined)?.minBatch ?? HELPER_MIN_BATCH,
    });
    this.knownVaults = new KnownVaults(options.knownVaultsPath ?? path.join(keydenHome(), 'known-vaults.json'));
  }

  readonly db = (): Db => {
    if (this.handle) return this.handle;
    return this.adopt(openVaultDb(this.options.path, this.options));
  };

  private adopt(db: Db): Db {
    this.handle = db;
    this.integrity = new IntegrityWriter(db, () => (this.unlockedKeys ?? this.pendingKeys)?.mac ?? null);
    this.dataVersion = dataVersion(db);
    return db;
  }

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
    const db = this.db();
    const integrity = this.integrity!;
    if (integrity.active) return fn(); // a nested write joins the transaction under way
    if (!this.unlockedKeys && !this.pendingKeys) throw locked();
    const vaultId = this.vaultId ?? this.readMeta().vaultId;
    let result: T;
    try {
      result = db.transaction(() => {
        // One read of data_version under the write lock serves the catch-up and the integrity record.
        const version = dataVersion(db);
        this.catchUp(db, version);
        return integrity.run(vaultId, fn, { dataVersion: version });
      }).immediate();
    } catch (e) {
      integrity.forget();
      // The file was changed under this owner (a trigger planted beside it): as at catchUp,
      // nothing more is written or served until an unlock, which refuses the file.
      if (isKeydenError(e) && e.code === 'VAULT_TAMPERED') this.forgetKeys();
      throw e;
    } finally {
      this.caughtUp = false;
    }
    integrity.committed();
    this.scheduleKnownRecord();
    return result;
  }

  /**
   * At the start of every write, under its write lock: when another connection has committed
   * since the overviews were loaded, they are loaded again (every row checked, as at unlock), so
   * the write's rules (one entry per category, project and environment: DESIGN §2) hold against
   * rows another process wrote, not only against this process's memory (issue 14 item 1).
   * Services re-check their rule inside the write when `caughtUpInThisWrite()` says this happened.
   * A row that fails its check locks the owner (VAULT_TAMPERED).
   */
  private catchUp(db: Db, now: number): void {
    this.caughtUp = false;
    const keys = this.unlockedKeys;
    if (!keys || !this.vaultId || this.overviewsAt === null) return;
    if (now === this.overviewsAt) return;
    // A record that no longer checks under this key: the key was rotated beside this owner. It
    // cannot check the rows; the next unlock does, under the key the file then holds.
    const keyChanged = this.keyChangedBeside();
    if (keyChanged) throw keyChanged;
    const snapshot = readSnapshot(db);
    const opened = openEntries(snapshot, keys);
    try {
      const { generation } = checkSnapshot(snapshot, keys.mac, this.vaultId, opened.badMacs.length);
      const rolledBack = this.rolledBackBeside(generation);
      if (rolledBack) throw rolledBack;
    } catch (e) {
      // The file was edited beside this owner: nothing more is written or served under it until
      // an unlock, which refuses the file as it would at any unlock (DESIGN §3).
      this.forgetKeys();
      throw e;
    }
    this.loadOverviews(keys, snapshot, opened.values);
    this.overviewsAt = now;
    this.checkedAtDataVersion = now;
    // The tokens were just loaded too: the next request's refresh need not load them again.
    this.dataVersion = now;
    this.caughtUp = true;
  }

  /** True inside a write that found (and loaded) rows another connection committed. */
  caughtUpInThisWrite(): boolean {
    return this.caughtUp;
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
    const db = this.adopt(createVaultDb(this.options.path, this.options));
    const keys: Keys = { vaultKey, ...deriveSubkeys(vaultKey) };
    this.unlockedKeys = keys;
    this.vaultId = vaultId;
    const integrity = this.integrity!;
    db.transaction(() => integrity.run(vaultId, () => {
      const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      put.run('format', VAULT_FORMAT);
      put.run('vault_id', vaultId);
      put.run('kdf', JSON.stringify(params));
      put.run('wrapped_key', Buffer.from(wrapped).toString('base64'));
      put.run('settings', JSON.stringify(DEFAULT_SETTINGS));
      this.audit.write({ actor: caller.actor, action: 'vault.create', targetId: null, ok: true });
    }, { init: true })).immediate();
    integrity.committed();
    restrictModes(this.options.path);
    this.recordKnown();
    this.overviews.clear();
    this.dataVersion = dataVersion(db);
    this.overviewsAt = this.dataVersion;
    this.notify(false);
  }

  unlock(caller: Caller, password: string, options: UnlockOptions = {}): Promise<void> {
    return this.queueUnlock(caller, password, options);
  }

  /** Whether an unlock has been asked for and has not ended: a lock asked for now stops it (lock). */
  unlockPending(): boolean {
    return this.unlocksPending > 0;
  }

  /** `kept`: receives a copy of the KEK when the unlock opened the vault with it (for passwd: one Argon2 run). */
  private async queueUnlock(caller: Caller, password: string, options: UnlockOptions, kept?: KeptKek): Promise<void> {
    const locksBefore = this.lockRequests;
    this.unlocksPending++;
    try {
      // Two unlocks at once share nothing but the file: let the second wait for the first.
      await this.inUnlockQueue(() => this.doUnlock(caller, password, options, kept));
    } finally {
      this.unlocksPending--;
    }
    // A lock asked for while this unlock waited or derived its key (sleep, screen lock, the
    // shortcut, POST /api/lock) wins: the vault does not stay open behind it. Nothing is served
    // between the two (no turn of the event loop passes).
    if (this.lockRequests !== locksBefore) {
      this.lock(caller);
      dropKek(kept);
      throw new KeydenError('VAULT_LOCKED', 'the vault was locked while it was being unlocked (sleep, the screen locking or a lock request); unlock it again');
    }
  }

  /** Runs `job` once the unlocks (and closed-vault rotations) asked for before it have ended. */
  private inUnlockQueue<T>(job: () => Promise<T>): Promise<T> {
    const run = (this.unlocking ?? Promise.resolve()).then(job);
    this.unlocking = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async doUnlock(caller: Caller, password: string, options: UnlockOptions, kept?: KeptKek): Promise<void> {
    const started = performance.now();
    // A rotation or password change committed by another process while this unlock's Argon2 ran
    // leaves it holding the old key rows: it starts again on the new ones, a few times at most.
    await untilSettled('the unlock', () => this.unlockOnce(caller, password, options, kept));
    this.lastUnlock = Math.round(performance.now() - started);
  }

  private async unlockOnce(caller: Caller, password: string, options: UnlockOptions, kept?: KeptKek): Promise<void> {
    const meta = this.readMeta();
    const derivation = deriveKek(password, meta.kdf);
    // While Argon2 runs, read one snapshot of every row the unlock checks and loads (and build
    // the entries' canons), so that only the keyed work follows the KDF. It is read again if
    // another connection commits in the meantime; any error here shows up there instead.
    let snapshot: UnlockSnapshot | null = null;
    if (!this.unlockedKeys) {
      try {
        snapshot = readSnapshot(this.db());
      } catch {
        snapshot = null;
      }
    }
    await this.finishUnlock(caller, password, meta, derivation, snapshot, options, kept);
  }

  private async finishUnlock(
    caller: Caller,
    password: string,
    meta: Meta,
    derivation: Promise<Uint8Array>,
    prefetched: UnlockSnapshot | null,
    options: UnlockOptions,
    kept?: KeptKek,
  ): Promise<void> {
    const kek = await derivation;
    const vaultKey = unwrapVaultKey(kek, meta.wrappedKey, meta.vaultId);
    if (kept && vaultKey && !this.unlockedKeys) {
      kept.kek = Uint8Array.from(kek);
      kept.meta = meta;
    }
    wipe(kek);
    if (!vaultKey) {
      // The password may be the one another process has just set: try again with its key rows.
      if (this.keyRowsNow() !== meta.keyRows) throw new UnlockAgain();
      // No row can be written without the vault key: the failure is recorded at the next unlock.
      this.audit.defer({ actor: caller.actor, action: 'vault.unlock', targetId: null, ok: false });
      throw new KeydenError('INVALID_PASSWORD', 'wrong master password');
    }
    if (this.unlockedKeys) {
      // Already open: the password was checked; nothing else to do.
      wipe(vaultKey);
      return;
    }
    const keys: Keys = { vaultKey, ...deriveSubkeys(vaultKey) };
    let rollback: { known: number; found: number } | null = null;
    this.pendingKeys = keys;
    try {
      const db = this.db();
      let snapshot = prefetched;
      let migrate = false;
      if (meta.format === 1) {
        // Format 1 has no macs to check: it is upgraded in one transaction, which first checks
        // what it can (every blob opens, no foreign key dangles, meta holds only format 1's rows)
        // and then macs every row. But this machine has seen this vault in format 2: the file is an older copy, or one
        // made to look like format 1 so that the upgrade would mac whatever was edited in it
        // (a revived token). Like any older copy, it opens only once the user accepts it. That
        // is asked inside the upgrade's transaction: when another process upgraded the file
        // since this unlock began (and recorded its generation), it is format 2 and checked as such.
        migrate = migrateWithKey(db, { mac: keys.mac, overview: keys.overview, secret: keys.secret, vaultId: meta.vaultId }, () => {
          rollback = this.checkRollback(keys, meta.vaultId, 0, options);
        });
        this.dataVersion = dataVersion(db);
      }
      if (migrate || !snapshot || snapshot.dataVersion !== dataVersion(db)) {
        snapshot = readSnapshot(db);
      }
      // The rows must be checked under the key they were written with: key rows replaced since
      // they were read before the KDF mean another process changed the password or the key.
      if (keyRowsOf(snapshot.meta) !== meta.keyRows) throw new UnlockAgain();
      // Overviews are opened (and entries' macs checked) first; nothing is used before the checks pass.
      const opened = openEntries(snapshot, keys);
      if (!migrate) {
        const { generation } = checkSnapshot(snapshot, keys.mac, meta.vaultId, opened.badMacs.length);
        try {
          rollback = this.checkRollback(keys, meta.vaultId, generation, options);
        } catch (e) {
          // Another process committed after the snapshot was read, and recorded its higher
          // generation: the snapshot is behind the file, not the file behind this machine.
          if (isKeydenError(e) && e.code === 'VAULT_ROLLED_BACK' && dataVersion(db) !== snapshot.dataVersion) throw new UnlockAgain();
          throw e;
        }
      }
      this.integrity!.install();
      if (isBelowDefault(meta.kdf) && !this.options.unsafeTestKdf) {
        await this.rewrap(password, vaultKey, meta.vaultId, meta.keyRows);
        // Re-wrapped under a new salt: the KEK of this unlock no longer opens it.
        dropKek(kept);
      }
      this.loadOverviews(keys, snapshot, opened.values);
      this.overviewsAt = snapshot.dataVersion;
      this.unlockedKeys = keys;
      this.lockNotice = null;
      // The snapshot was checked (or, after a migration, mac'd) as of this data_version.
      this.checkedAtDataVersion = snapshot.dataVersion === dataVersion(db) ? snapshot.dataVersion : null;
    } catch (e) {
      wipe(keys.vaultKey, keys.overview, keys.secret, keys.mac);
      dropKek(kept);
      throw e;
    } finally {
      this.pendingKeys = null;
    }
    try {
      this.write(() => {
        this.audit.writeDeferred();
        if (rollback) this.audit.write({ actor: caller.actor, action: 'vault.rollback_accepted', targetId: null, ok: true, detail: rollback });
        if (this.options.session !== 'admin') this.audit.write({ actor: caller.actor, action: 'vault.unlock', targetId: null, ok: true });
      });
    } catch (e) {
      // An unlock is done only once its audit rows are on disk. When they cannot be written (a
      // full disk, another writer holding the file past the busy timeout), the keys go again and
      // the unlock fails as a whole; the rows kept while locked wait for the next one.
      this.forgetKeys();
      throw e;
    }
    this.audit.deferredWritten();
    this.recordKnown({ force: rollback !== null });
    for (const task of this.unlockTasks) {
      try {
        task(caller);
      } catch {
        // Housekeeping (the trash's 30-day purge) must never stop an unlock; it runs again next time.
      }
    }
    this.notify(false);
  }

  /** Work to do after every unlock, as the one who unlocked (the trash's 30-day purge). */
  afterUnlock(task: (caller: Caller) => void): void {
    this.unlockTasks.push(task);
  }

  /** Whole-file rollback (DESIGN §3): an older generation than this machine has seen opens only once the user accepts it. */
  private checkRollback(keys: Keys, vaultId: string, found: number, options: UnlockOptions): { known: number; found: number } | null {
    const known = this.knownVaults.known(keys.mac, vaultId);
    if (known === null || found >= known) return null;
    if (!options.acceptRollback) {
      const what = found === 0 ? 'a format 1 file' : `generation ${found}`;
      throw new KeydenError(
        'VAULT_ROLLED_BACK',
        `this vault is older than the one last opened on this machine (${what}, this machine has seen generation ${known}); if you restored it from a backup, unlock again accepting the rollback`,
        { known, found },
      );
    }
    return { known, found };
  }

  /** Records the current generation in known-vaults.json (never lowers it unless `force`). */
  private recordKnown(options: { force?: boolean } = {}): void {
    const keys = this.unlockedKeys;
    if (!keys || !this.handle || !this.vaultId) return;
    const record = readIntegrity(this.handle);
    // A record this key does not check (the key was rotated beside this owner) is not vouched for.
    if (!record || !recordChecks(record, keys.mac, this.vaultId)) return;
    this.seenGeneration = Math.max(this.seenGeneration, record.generation);
    try {
      this.knownVaults.record(keys.mac, this.vaultId, record.generation, options);
    } catch {
      // A home folder that cannot be written must not stop the vault; rollback detection then
      // knows the last generation it could record.
    }
  }

  /** After writes, the new generation is recorded within a couple of seconds (and at every lock). */
  private scheduleKnownRecord(): void {
    if (this.knownTimer) return;
    this.knownTimer = setTimeout(() => {
      this.knownTimer = null;
      this.recordKnown();
    }, 2000);
    this.knownTimer.unref();
  }

  lock(caller: Caller): void {
    this.lockRequests++;
    if (!this.unlockedKeys) return;
    try {
      this.audit.flush();
      if (this.options.session !== 'admin') this.write(() => this.audit.write({ actor: caller.actor, action: 'vault.lock', targetId: null, ok: true }));
      this.recordKnown();
    } catch {
      // Locking never fails: a row that cannot be written (a file edited beside the owner) does
      // not keep the keys in memory; the next unlock says what is wrong with the file.
    }
    this.forgetKeys();
  }

  /** Drops the keys and everything decrypted with them. */
  private forgetKeys(): void {
    const keys = this.unlockedKeys;
    if (!keys) return;
    this.unlockedKeys = null;
    this.overviewsAt = null;
    this.seenGeneration = -1;
    if (this.knownTimer) clearTimeout(this.knownTimer);
    this.knownTimer = null;
    forgetDigestKey(keys.mac);
    wipe(keys.vaultKey, keys.overview, keys.secret, keys.mac);
    this.overviews.clear();
    this.notify(true);
  }

  async changePassword(caller: Caller, current: string, next: string, options: { kdf?: KdfCost } = {}): Promise<void> {
    if (next !== current) checkNewPassword(next);
    const { meta, kek } = await this.kekFor(caller, current);
    wipe(kek);
    const keys = this.keys();
    await this.rewrap(next, keys.vaultKey, meta.vaultId, meta.keyRows, { actor: caller.actor, kdf: options.kdf });
  }

  /**
   * Makes a new vault key and re-seals every blob and mac under it in one transaction (DESIGN §3
   * `keyden passwd --rotate-key`); the password stays. An owner running beside notices that its
   * key no longer matches and locks (it cannot know the new key without the password).
   */
  async rotateKey(caller: Caller, current: string): Promise<{ resealed: number }> {
    if (!this.unlockedKeys) {
      // A closed vault is not unlocked for this (its overviews are not needed): the rotation checks
      // every row and the digest itself, and the vault stays closed. It takes its turn among the
      // unlocks, so that no unlock reads the file's wrapped key while it changes.
      const done = await this.inUnlockQueue(() => this.rotateClosed(caller, current));
      if (done) return done;
    }
    // The new key is wrapped under the same KEK (the password, its salt and parameters stay).
    const derivation = this.kekFor(caller, current);
    const read = this.unlockedKeys ? this.readWhileDeriving() : null;
    const { meta, kek } = await derivation;
    let old: Keys;
    try {
      old = this.keys();
    } catch (e) {
      wipe(kek);
      throw e;
    }
    return this.rotate(caller, meta, kek, old, false, read);
  }

  /** The sealed rows, read while Argon2 runs (rotate uses them if nothing was written meanwhile); null if the read fails (it is done again then). */
  private readWhileDeriving(): SealedRows | null {
    try {
      return readSealedRows(this.db());
    } catch {
      return null;
    }
  }

  /** The rotation of a closed vault; null when it was unlocked meanwhile, or when only an unlock can prepare the file. */
  private async rotateClosed(caller: Caller, current: string): Promise<{ resealed: number } | null> {
    if (this.unlockedKeys) return null;
    const prepared = await this.keysForRotation(caller, current);
    return prepared && this.rotate(caller, prepared.meta, prepared.kek, prepared.keys, true, prepared.read);
  }

  /**
   * Re-seals every blob and mac under a new vault key wrapped under `kek` (wiped here), in one
   * transaction. `closed`: the vault was not unlocked (every row and the digest are checked
   * here, and it stays closed). `read`: the sealed rows read while the KDF ran, if any.
   */
  private rotate(caller: Caller, meta: Meta, kek: Uint8Array, old: Keys, closed: boolean, read: SealedRows | null): { resealed: number } {
    const vaultKey = randomKey();
    const next: Keys = { vaultKey, ...deriveSubkeys(vaultKey) };
    const wrapped = Buffer.from(wrapVaultKey(kek, vaultKey, meta.vaultId)).toString('base64');
    wipe(kek);
    this.audit.flush();
    const db = this.db();
    const integrity = this.integrity!;
    let resealed = 0;
    let generation = 0;
    try {
      db.transaction(() => {
        // The new wrapped key is made from the KEK of the kdf row read before Argon2 ran: if another
        // process changed the password (or the key) since, writing it would leave a vault that
        // opens with neither password.
        if (this.keyRowsNow() !== meta.keyRows) throw keyRowsChanged('this rotation');
        // Checked under the old key, inside the transaction: nobody else's write is folded in unseen.
        const current = readIntegrity(db);
        if (!current || !recordChecks(current, old.mac, meta.vaultId)) {
          throw new KeydenError('VAULT_TAMPERED', "the vault's integrity record does not match its key; the key was not rotated");
        }
        // The rotation gives every row a new mac, so it must bless no row it has not checked. The
        // unlock checked the digest and the rows it loads; once another connection has committed,
        // the digest and every row are checked again, and versions and audit rows always are.
        const checked = !closed && this.rowsAsChecked();
        if (!checked && computeDigest(db, old.mac)?.toString('hex') !== current.digest) {
          throw tampered('a row was deleted or rolled back; the key was not rotated and nothing was changed (run `keyden verify` for details, or restore a backup)');
        }
        // A closed vault was not unlocked: its generation is checked here, as an unlock checks it.
        if (closed) this.checkRollback(old, meta.vaultId, current.generation, {});
        const sealed = currentRows(db, read);
        this.unlockedKeys = next; // from here on, rows are sealed and mac'd under the new key
        generation = current.generation + 1;
        integrity.rebuild(meta.vaultId, generation, () => {
          const done = resealEveryRow(db, sealed, old, next, (table) => !checked || !(CHECKED_AT_UNLOCK as readonly string[]).includes(table));
          resealed = done.count;
          db.prepare("UPDATE meta SET value = ? WHERE key = 'wrapped_key'").run(wrapped);
          // insertRow gives this row its mac under the new key (the one in force from above).
          this.audit.write({ actor: caller.actor, action: 'vault.rotate', targetId: null, ok: true, detail: { resealed } });
          return done.macsSet;
        });
      }).immediate();
    } catch (e) {
      wipe(next.vaultKey, next.overview, next.secret, next.mac);
      if (closed) {
        this.unlockedKeys = null;
        wipe(old.vaultKey, old.overview, old.secret, old.mac);
        throw e;
      }
      this.unlockedKeys = old;
      // As at a write (catchUp): a file edited beside this owner stops it until the next unlock.
      if (isKeydenError(e) && e.code === 'VAULT_TAMPERED') this.forgetKeys();
      // A key rotated beside this owner locks it, as at any other call.
      throw (isKeydenError(e) && e.code === 'CONFLICT' && this.keyChangedBeside()) || e;
    }
    // A copy from before the rotation opens with the old key: that key keeps the new generation
    // as its mark here, so the copy is found older (DESIGN §3), not taken for a new machine's.
    try {
      this.knownVaults.retire(old.mac, meta.vaultId, generation);
    } catch {
      // An unwritable home: rollback detection then knows what it could record.
    }
    forgetDigestKey(old.mac);
    wipe(old.vaultKey, old.overview, old.secret, old.mac);
    this.overviews.forgetSealedSecrets();
    this.overviews.generation++;
    this.recordKnown();
    if (closed) this.forgetKeys();
    return { resealed };
  }

  /**
   * For rotating a closed vault: its meta, the KEK and the keys, once the password is checked.
   * The integrity record, every row, the digest and the generation this machine has seen are
   * checked by the rotation itself, in its transaction. Nothing is decrypted into memory and the
   * vault stays closed (an unlock would open 10 000 overviews nobody reads).
   * Null when only an unlock can prepare the file: format 1 (migrated at unlock), or Argon2
   * parameters below the defaults (raised at unlock).
   */
  private async keysForRotation(caller: Caller, password: string): Promise<{ meta: Meta; kek: Uint8Array; keys: Keys; read: SealedRows | null } | null> {
    const meta = this.readMeta();
    if (meta.format === 1 || (isBelowDefault(meta.kdf) && !this.options.unsafeTestKdf)) return null;
    const derivation = deriveKek(password, meta.kdf);
    const read = this.readWhileDeriving();
    const kek = await derivation;
    const vaultKey = unwrapVaultKey(kek, meta.wrappedKey, meta.vaultId);
    if (!vaultKey) {
      wipe(kek);
      if (this.keyRowsNow() !== meta.keyRows) throw keyRowsChanged('this rotation');
      // No row can be written without the vault key: as for an unlock, the failure is recorded at this process's next unlock.
      this.audit.defer({ actor: caller.actor, action: 'vault.passwd', targetId: null, ok: false });
      throw new KeydenError('INVALID_PASSWORD', 'the current master password is wrong');
    }
    return { meta, kek, keys: { vaultKey, ...deriveSubkeys(vaultKey) }, read };
  }

  /**
   * `keyden verify`: checks every row of every table, the digest, the integrity record and the
   * generation this machine knows. Writes nothing (not even an audit row), whatever it finds. It
   * reads one snapshot of the file, under the key rows it derived from: another process's commit
   * in the middle of its reads, or a password change or key rotation during its Argon2 run, makes
   * it start again (at most three times), never report a mix as an edit.
   */
  verify(password: string): Promise<VerifyReport> {
    return untilSettled('the check', () => this.verifyOnce(password));
  }

  /** One check; UnlockAgain when the file moved on under it. */
  private async verifyOnce(password: string): Promise<VerifyReport> {
    const meta = this.readMeta();
    const kek = await deriveKek(password, meta.kdf);
    const vaultKey = unwrapVaultKey(kek, meta.wrappedKey, meta.vaultId);
    wipe(kek);
    if (!vaultKey) {
      if (this.keyRowsNow() !== meta.keyRows) throw new UnlockAgain();
      throw new KeydenError('INVALID_PASSWORD', 'wrong master password');
    }
    const keys: Keys = { vaultKey, ...deriveSubkeys(vaultKey) };
    const previous = this.pendingKeys;
    this.pendingKeys = this.unlockedKeys ? null : keys; // the SQL mac function needs a key
    let report: VerifyReport;
    // The data_version of a snapshot found older than this machine has seen: another process may
    // have committed (and recorded its generation) right after it, which is no rollback.
    let olderAt: number | null = null;
    try {
      // One read transaction: every read below sees the same commit of the file.
      report = this.db()
        .transaction((): VerifyReport => {
          // Key rows replaced, or a format 1 file upgraded, since the meta was read: check again.
          if (this.keyRowsNow() !== meta.keyRows || needsKeyedMigration(this.db()) !== (meta.format === 1)) throw new UnlockAgain();
          const known = this.knownVaults.known(keys.mac, meta.vaultId);
          if (meta.format === 1) {
            // As at unlock: a format 1 file of a vault this machine has seen in format 2 is an older copy, or a stripped-down one.
            // Else what its upgrade checks first (store/format-1-check.ts), read here without writing.
            const unfit = known === null ? format1Problem(this.db(), keys) : null;
            const problem =
              known !== null
                ? `it is a format 1 file of a vault this machine has seen in format 2 (generation ${known}): an older copy, or one made to look like format 1`
                : unfit === null
                  ? null
                  : `${unfit}; its first unlock will refuse to upgrade it to format 2`;
            return { format: 1, vaultId: meta.vaultId, generation: null, known, recordOk: false, failing: [], digestOk: false, problem };
          }
          const inspected = inspectIntegrity(this.db(), (this.unlockedKeys ?? keys).mac, meta.vaultId);
          const rolledBack = inspected.generation !== null && known !== null && inspected.generation < known;
          if (rolledBack) olderAt = dataVersion(this.db());
          const problem = describeFailure(inspected) ?? (rolledBack ? `it is older than the one last opened on this machine (generation ${inspected.generation}, seen ${known})` : null);
          return { format: 2, vaultId: meta.vaultId, known, ...inspected, problem };
        })
        .deferred();
    } finally {
      this.pendingKeys = previous;
      wipe(keys.vaultKey, keys.overview, keys.secret, keys.mac);
    }
    if (olderAt !== null && dataVersion(this.db()) !== olderAt) throw new UnlockAgain();
    // An owner whose own key was rotated beside it cannot check the file: it locks, and says so.
    if (!report.recordOk && report.format === 2) {
      const keyChanged = this.keyChangedBeside();
      if (keyChanged) throw keyChanged;
    }
    return report;
  }

  /**
   * The vault's meta and the KEK the password gives (the caller wipes it), or INVALID_PASSWORD.
   * A locked vault is unlocked with the password (which checks it, and every row), and that
   * unlock's KEK is used: one Argon2 run, not two (\`keyden passwd\` opens the file for this alone).
   */
  private async kekFor(caller: Caller, password: string): Promise<{ meta: Meta; kek: Uint8Array }> {
    if (!this.unlockedKeys) {
      const kept: KeptKek = { kek: null };
      await this.queueUnlock(caller, password, {}, kept);
      if (kept.kek && kept.meta) return { meta: kept.meta, kek: kept.kek };
    }
    return this.checkPassword(caller, password);
  }

  /** The current password checked against the wrapped key (a failure is audited): the meta and its KEK (the caller wipes it). */
  private async checkPassword(caller: Caller, password: string): Promise<{ meta: Meta; kek: Uint8Array }> {
    const meta = this.readMeta();
    const kek = await deriveKek(password, meta.kdf);
    const vaultKey = unwrapVaultKey(kek, meta.wrappedKey, meta.vaultId);
    wipe(vaultKey);
    if (!vaultKey) {
      wipe(kek);
      if (this.keyRowsNow() !== meta.keyRows) throw keyRowsChanged('this change');
      this.write(() => this.audit.write({ actor: caller.actor, action: 'vault.passwd', targetId: null, ok: false }));
      throw new KeydenError('INVALID_PASSWORD', 'the current master password is wrong');
    }
    return { meta, kek };
  }

  /**
   * Wraps the vault key under a new salt and the default parameters (or higher ones asked for).
   * `was`: the key rows the password was checked against; if another process has replaced them
   * since (its own password change), nothing is written: the password stays the one that process's
   * user was told, not silently replaced (an unlock then starts again; `passwd` is refused).
   */
  private async rewrap(password: string, vaultKey: Uint8Array, vaultId: string, was: string, audit?: { actor: string; kdf?: KdfCost }): Promise<void> {
    const params = newKdfParams(this.kdfCost(audit?.kdf));
    const kek = await deriveKek(password, params);
    const wrapped = wrapVaultKey(kek, vaultKey, vaultId);
    wipe(kek);
    const db = this.db();
    this.write(() => {
      if (this.keyRowsNow() !== was) throw audit ? keyRowsChanged('this change') : new UnlockAgain();
      const put = db.prepare('UPDATE meta SET value = ? WHERE key = ?');
      put.run(JSON.stringify(params), 'kdf');
      put.run(Buffer.from(wrapped).toString('base64'), 'wrapped_key');
      if (audit) this.audit.write({ actor: audit.actor, action: 'vault.passwd', targetId: null, ok: true, detail: { kdf: { m: params.m, t: params.t, p: params.p } } });
    });
  }

  /** The KDF cost to use: asked for (never below the defaults, within KDF_LIMITS), else the defaults. */
  private kdfCost(asked?: KdfCost): KdfCost {
    if (!asked) return this.options.unsafeTestKdf ?? DEFAULT_KDF;
    const floor = this.options.unsafeTestKdf ?? DEFAULT_KDF;
    if (!within(asked.m, floor.m, KDF_LIMITS.maxMemoryKiB)) {
      throw new KeydenError('VALIDATION_FAILED', `the KDF memory must be between ${floor.m / 1024} and ${KDF_LIMITS.maxMemoryKiB / 1024} MiB`, { kdfMemory: 'out of range' });
    }
    if (!within(asked.t, floor.t, KDF_LIMITS.maxPasses)) {
      throw new KeydenError('VALIDATION_FAILED', `the KDF passes must be between ${floor.t} and ${KDF_LIMITS.maxPasses}`, { kdfPasses: 'out of range' });
    }
    return { m: asked.m, t: asked.t };
  }

  keyChangedBeside(record = this.handle && readIntegrity(this.handle)): KeydenError | null {
    const keys = this.unlockedKeys;
    if (!this.handle || !keys) return null;
    // No record at all is an edit, which the caller's own checks report as one.
    if (!this.vaultId || !record || recordChecks(record, keys.mac, this.vaultId)) return null;
    // The key was rotated beside this owner (`keyden passwd --rotate-key`), or the file was
    // replaced: nothing more is served or written under the old key. No audit row: it could not
    // be mac'd.
    this.forgetKeys();
    if (this.options.session === 'admin') {
      // A one-off command (token create|revoke, passwd) opened the file for itself: it is simply run again.
      return new KeydenError('VAULT_LOCKED', "the vault's key was changed by another Keyden process (keyden passwd --rotate-key) while this command ran, or the file was replaced; nothing was changed: run it again");
    }
    return new KeydenError(
      'VAULT_LOCKED',
      'the vault was locked: its key was changed by another Keyden process (keyden passwd --rotate-key), or the file was replaced; unlock it again with the master password',
    );
  }

  /** Why the vault was locked between requests (the key changed, an older copy put back), once; then null. */
  takeLockNotice(): string | null {
    const notice = this.lockNotice;
    this.lockNotice = null;
    return notice;
  }

  /**
   * Locks when the file's generation (its record already checked under this owner's key) is below
   * one this owner has seen: its own last commit, another process's commit it saw, or what this
   * machine recorded in known-vaults.json. That is an older copy put back while the vault was
   * open (with SQLite, beside the owner). The higher generation is recorded first, so the next
   * unlock asks before opening the copy. Returns the error to throw, else null.
   */
  private rolledBackBeside(generation: number): KeydenError | null {
    const keys = this.unlockedKeys;
    if (!keys || !this.vaultId) return null;
    const seen = Math.max(this.seenGeneration, this.integrity?.lastGeneration ?? -1, this.knownVaults.known(keys.mac, this.vaultId) ?? -1);
    if (generation >= seen) {
      this.seenGeneration = generation;
      return null;
    }
    try {
      this.knownVaults.record(keys.mac, this.vaultId, seen);
    } catch {
      // An unwritable home: the lock below still stops this owner.
    }
    this.forgetKeys();
    return new KeydenError(
      'VAULT_ROLLED_BACK',
      `the vault file was replaced by an older copy while it was open (generation ${generation}, this owner had seen ${seen}); it was locked: unlock again, and accept the rollback only if you restored that copy yourself`,
      { known: seen, found: generation },
    );
  }

  rowsAsChecked(): boolean {
    return this.handle !== null && this.checkedAtDataVersion !== null && dataVersion(this.handle) === this.checkedAtDataVersion;
  }

  lastUnlockMs(): number | null {
    return this.lastUnlock;
  }

  /** The KDF parameters in force (m in KiB), for the app's settings and `keyden status`. */
  kdfParams(): { m: number; t: number; p: number } {
    const { kdf } = this.readMeta();
    return { m: kdf.m, t: kdf.t, p: kdf.p };
  }

  /**
   * A consistent copy of the file at `destination` (0600). Without `replace` nothing there is
   * replaced, not even a file made while the copy was written, or a dangling symlink: the copy is
   * placed by a hard link (or an exclusive copy where there are none), which fails if the name is taken.
   */
  async backup(caller: Caller, destination: string, options: { replace?: boolean } = {}): Promise<void> {
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
      if (options.replace) fs.renameSync(tmp, target);
      else placeNew(tmp, target);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    this.write(() => this.audit.write({ actor: caller.actor, action: 'vault.backup', targetId: null, ok: true }));
  }

  settings(): Settings {
    const row = this.db().prepare("SELECT value FROM meta WHERE key = 'settings'").get() as { value: unknown } | undefined;
    // Read while locked too (the app's timers, serve's port), before any mac can be checked: a
    // row that is not a settings object (an edit of the file) reads as the defaults, and the
    // next unlock refuses the file (the row is in the digest).
    let stored: unknown = {};
    try {
      if (typeof row?.value === 'string') stored = JSON.parse(row.value);
    } catch {
      // Not JSON: the defaults.
    }
    const parsed = SettingsSchema.partial().safeParse(stored);
    return { ...DEFAULT_SETTINGS, ...(parsed.success ? parsed.data : {}) };
  }

  updateSettings(_caller: Caller, patch: Partial<Settings>): Settings {
    const next = parseInput(SettingsSchema, { ...this.settings(), ...patch });
    this.write(() => this.db().prepare("INSERT INTO meta (key, value) VALUES ('settings', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(JSON.stringify(next)));
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
    const db = this.handle;
    if (dataVersion(db) === this.dataVersion) return;
    // One snapshot: the integrity record and the token rows of the same commit. (Read apart, a
    // rotation committed between them dropped every token, and this turn's requests got 401.)
    const keys = this.unlockedKeys;
    const vaultId = this.vaultId;
    const read = db
      .transaction(() => {
        const record = readIntegrity(db);
        const checks = record !== null && vaultId !== null && recordChecks(record, keys.mac, vaultId);
        return { version: dataVersion(db), record, tokens: checks ? loadTokens(db, keys) : null };
      })
      .deferred();
    this.dataVersion = read.version;
    this.overviews.forgetSealedSecrets();
    // A file without its integrity record was edited: nothing more is served until an unlock,
    // which refuses it.
    const record = read.record;
    if (!record) {
      this.forgetKeys();
      return;
    }
    // Found between requests: the next request that finds the vault locked is told why (takeLockNotice).
    const locked = this.keyChangedBeside(record) ?? this.rolledBackBeside(record.generation);
    if (locked) {
      this.lockNotice = locked.message;
      return;
    }
    const tokens = read.tokens ?? [];
    this.overviews.tokens.clear();
    this.overviews.tokensByHash.clear();
    for (const t of tokens) this.overviews.putToken(t);
  }

  close(caller: Caller = { actor: 'app', projects: null, environments: null }): void {
    if (this.unlockedKeys) this.lock(caller);
    this.audit.flush();
    this.audit.stopHelper();
    if (this.knownTimer) clearTimeout(this.knownTimer);
    this.knownTimer = null;
    this.handle?.close();
    this.handle = null;
    this.vaultId = null;
  }

  private readMeta(): Meta {
    const rows = this.db().prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
    const meta = new Map(rows.map((r) => [r.key, r.value]));
    const formatText = meta.get('format');
    const named = formatText !== undefined && Object.hasOwn(FORMATS, formatText) ? FORMATS[formatText]! : null;
    if (named === null) throw new KeydenError('VAULT_INVALID', `${this.options.path} has an unknown vault format (${formatText ?? 'none'})`);
    // The file's schema says which format it is, never the row: a format 2 file whose row was
    // edited to say 1 would otherwise skip every check at unlock (and its upgrade would mac the
    // edits). Its row, covered by the digest like every meta row, then fails the check.
    const format = needsKeyedMigration(this.db()) ? 1 : 2;
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
    // Checked before Argon2 runs them (the row's mac can only be checked after): a file edit must
    // not make an unlock allocate terabytes or run for days.
    if (kdf.alg !== 'argon2id' || kdf.version !== 19 || !within(kdf.m, 8, KDF_LIMITS.maxMemoryKiB) || !within(kdf.t, 1, KDF_LIMITS.maxPasses) || kdf.p !== 1 || typeof kdf.salt !== 'string') {
      throw new KeydenError(
        'VAULT_INVALID',
        `${this.options.path} names KDF parameters this version does not support (Argon2id v19, p = 1, up to ${KDF_LIMITS.maxMemoryKiB / 1024} MiB and ${KDF_LIMITS.maxPasses} passes)`,
      );
    }
    const wrappedKey = new Uint8Array(Buffer.from(wrapped, 'base64'));
    // A key row of the wrong size is damage, not a wrong password (which it would otherwise read as).
    if (wrappedKey.length !== WRAPPED_KEY_BYTES) throw new KeydenError('VAULT_INVALID', `${this.options.path} has a damaged key row; restore it from a backup`);
    this.vaultId = vaultId;
    return { format, vaultId, kdf, wrappedKey, keyRows: keyRowsOf(rows) };
  }

  /** The key rows as the file holds them now. */
  private keyRowsNow(): string {
    return keyRowsOf(this.db().prepare("SELECT key, value FROM meta WHERE key IN ('kdf', 'wrapped_key')").all() as { key: string; value: string }[]);
  }

  /** Decrypts every overview into memory from the checked snapshot; a row that fails to open is left out and counted. */
  private loadOverviews(keys: Keys, snapshot: UnlockSnapshot, entryValues: unknown[]): void {
    const o = this.overviews;
    o.clear();
    const c = snapshot.categories;
    const [cId, cOv, cCreated, cUpdated] = ['id', 'overview', 'created_at', 'updated_at'].map((n) => c.columns.indexOf(n)) as [number, number, number, number];
    for (const row of c.rows) {
      const id = row[cId] as string;
      const ov = openOverview(keys, 'categories', id, row[cOv] as Uint8Array) as Omit<Category, 'id' | 'createdAt' | 'updatedAt'> | null;
      if (!ov) {
        o.unreadable++;
        continue;
      }
      // A deleted category stays only while trashed entries need it (DESIGN §9 "Trash").
      if ((ov as { deletedAt?: string }).deletedAt) continue;
      o.categories.set(id, { id, ...ov, createdAt: row[cCreated] as string, updatedAt: row[cUpdated] as string });
    }
    const e = snapshot.entries;
    const [eId, eCategory, eCreated, eUpdated, eTrashed] = ['id', 'category_id', 'created_at', 'updated_at', 'trashed_at'].map((n) => e.columns.indexOf(n)) as [number, number, number, number, number];
    e.rows.forEach((row, i) => {
      if (row[eTrashed] !== null) return; // trashed entries are in no list (DESIGN §9 "Trash")
      const id = row[eId] as string;
      const categoryId = row[eCategory] as string;
      const ov = entryValues[i] as Omit<EntryRecord, 'id' | 'categoryId' | 'createdAt' | 'updatedAt'> | null;
      if (!ov || !o.categories.has(categoryId)) {
        o.unreadable++;
        return;
      }
      o.entries.set(id, { id, categoryId, ...ov, createdAt: row[eCreated] as string, updatedAt: row[eUpdated] as string });
    });
    for (const t of loadTokens(this.db(), keys)) o.putToken(t);
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

/** Opens (and checks) every entry. */
function openEntries(s: UnlockSnapshot, keys: Keys): Opened {
  return openAll(s.entryOverviews.aads, s.entryOverviews.blobs, s.entryMacs, keys.overview, keys.mac);
}

/** Puts the file `from` at `to` only if nothing is there (a dangling symlink counts): CONFLICT otherwise. */
function placeNew(from: string, to: string): void {
  const taken = (): KeydenError => new KeydenError('CONFLICT', `${to} already exists; nothing was replaced`, { destination: 'exists' });
  try {
    fs.linkSync(from, to);
    return;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EEXIST') throw taken();
    if (!noHardLinks(code)) throw e;
  }
  // No hard links here: an exclusive copy (O_CREAT | O_EXCL).
  try {
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') throw taken();
    throw e;
  }
}

/** Whether `n` is an integer in [min, max]. */
const within = (n: unknown, min: number, max: number): boolean => Number.isSafeInteger(n) && (n as number) >= min && (n as number) <= max;

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


// What every service shares: the open vault file, the keys while unlocked, and the in-memory
// overviews (DESIGN §3: list and search never touch SQLite or K_sec).
import { randomUUID } from 'node:crypto';
import type { Category, Token } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import { blobAad, open, seal, type Subkeys } from '../crypto/aead.js';
import type { Db } from '../store/db.js';
import type { AuditLog } from './audit.js';

export interface EntryRecord {
  id: string;
  categoryId: string;
  name: string;
  environment: string;
  notes: string | null;
  envVarName: string | null;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TokenRecord extends Token {
  hash: string;
  /** The last-use time written to the file; in memory it is kept exact. */
  persistedLastUsedAt: string | null;
}

export interface Keys extends Subkeys {
  vaultKey: Uint8Array;
}

export interface SealedSecret {
  category_id: string;
  secret: Uint8Array;
}

export class Overviews {
  readonly categories = new Map<string, Category>();
  readonly entries = new Map<string, EntryRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly tokensByHash = new Map<string, TokenRecord>();
  /** Rows whose overview failed to open: left out of every list. */
  unreadable = 0;
  /** The projects table's opened overviews, kept by services/project-records.ts until the next change or lock. */
  projectRecords: { generation: number; byName: Map<string, unknown> } | null = null;
  /** Bumped on every change, so derived views (sorted lists, search text) know to rebuild. */
  generation = 0;

  /**
   * Entries' sealed secrets (ciphertext as stored, opened with K_sec at every reveal), kept once
   * read so that a repeated reveal costs no SQLite read. They are valid for one `generation`:
   * every change of the owner's bumps it, and a change from another connection drops them.
   */
  private readonly sealed = new Map<string, SealedSecret>();
  private sealedGeneration = -1;
  /** Entries by project name (`lower`), for one `generation`: an export asked every entry's name several times. */
  private byProject: { generation: number; entries: Map<string, EntryRecord[]> } | null = null;

  /** The entries of the project whose `lower` name is `key`, in `entries` order. */
  entriesOfProject(key: string): readonly EntryRecord[] {
    if (this.byProject?.generation !== this.generation) {
      const index = new Map<string, EntryRecord[]>();
      for (const e of this.entries.values()) {
        const name = projectKey(e);
        const list = index.get(name);
        if (list) list.push(e);
        else index.set(name, [e]);
      }
      this.byProject = { generation: this.generation, entries: index };
    }
    return this.byProject.entries.get(key) ?? [];
  }

  sealedSecret(id: string): SealedSecret | undefined {
    if (this.sealedGeneration !== this.generation) {
      this.sealed.clear();
      this.sealedGeneration = this.generation;
    }
    return this.sealed.get(id);
  }

  keepSealedSecret(id: string, row: SealedSecret): void {
    if (this.sealedGeneration === this.generation) this.sealed.set(id, row);
  }

  forgetSealedSecrets(): void {
    this.sealed.clear();
  }

  clear(): void {
    this.sealed.clear();
    this.categories.clear();
    this.entries.clear();
    this.tokens.clear();
    this.tokensByHash.clear();
    this.projectRecords = null;
    this.byProject = null;
    this.unreadable = 0;
    this.generation++;
  }

  putToken(t: TokenRecord): void {
    const old = this.tokens.get(t.id);
    if (old) this.tokensByHash.delete(old.hash);
    this.tokens.set(t.id, t);
    this.tokensByHash.set(t.hash, t);
  }
}

export interface VaultContext {
  readonly db: () => Db;
  readonly overviews: Overviews;
  readonly audit: AuditLog;
  keys(): Keys;
  isUnlocked(): boolean;
  now(): string;
  /**
   * Runs `fn` as one write transaction (BEGIN IMMEDIATE). Every write to the vault goes through
   * here: format 2 keeps each changed row's mac and `meta.integrity` in the same transaction.
   */
  write<T>(fn: () => T): T;
  /** Inside a write: true when its start loaded rows another connection had committed (re-check rules then). */
  caughtUpInThisWrite(): boolean;
  /**
   * Whether the rows in the file are still the ones the unlock checked (plus this owner's own
   * writes): true until another connection commits. While true, a read need not check its mac.
   */
  rowsAsChecked(): boolean;
  /**
   * When `meta.integrity` no longer checks under this owner's key (the key was rotated beside it,
   * or the file replaced): locks, and returns the VAULT_LOCKED error to throw instead
   * of reading a row whose mac failed as edited or absent. Null while the key still matches.
   */
  keyChangedBeside(): KeydenError | null;
}

export const newId = (): string => randomUUID();
export const nowIso = (): string => new Date().toISOString();

export function locked(): KeydenError {
  return new KeydenError('VAULT_LOCKED', 'the vault is locked; unlock it first');
}

export function sealOverview(keys: Keys, table: string, rowId: string, value: unknown): Uint8Array {
  return seal(keys.overview, blobAad(table, 'overview', rowId), value);
}

export function openOverview(keys: Keys, table: string, rowId: string, blob: Uint8Array): unknown {
  return open(keys.overview, blobAad(table, 'overview', rowId), blob);
}

/** The AAD row id of an entry binds it to its category, so a moved row fails to open. */
export const entryRowId = (id: string, categoryId: string): string => `${id}/${categoryId}`;
export const versionRowId = (entryId: string, version: number): string => `${entryId}/${version}`;

export function notFound(what: string, details: Record<string, unknown> = {}): KeydenError {
  return new KeydenError('NOT_FOUND', `${what} not found`, details);
}

/** Names compare trimmed, in NFC and case-insensitively (issue 14 item 13). */
export const lower = (s: string): string => s.trim().normalize('NFC').toLowerCase();

const projectKeys = new WeakMap<object, { name: string; key: string }>();

/**
 * `lower(e.name)`, the key an entry's project is compared by, computed once per record and name
 * (lists, limits and duplicate checks ask it of every entry of a 10 000-entry vault).
 */
export function projectKey(e: { readonly name: string }): string {
  const known = projectKeys.get(e);
  if (known?.name === e.name) return known.key;
  const key = lower(e.name);
  projectKeys.set(e, { name: e.name, key });
  return key;
}

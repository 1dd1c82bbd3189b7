// The shape of the Electron-free core: what the API routes, the IPC handlers and the admin CLI call.
import type {
  AuditEvent,
  AuditQuery,
  CallerToken,
  Category,
  CategoryInput,
  CategoryUpdate,
  Entry,
  EntryInput,
  EntryQuery,
  EntryUpdate,
  EntryWithCategory,
  ExportFormat,
  ImportFormat,
  ImportMode,
  ImportSummary,
  LoginRequest,
  LoginRequestInput,
  CopyInput,
  CopySummary,
  Project,
  ProjectDeleted,
  ProjectPatch,
  ProjectQuery,
  TemplateInput,
  TrashItem,
  Validation,
  Revealed,
  RevealedVersion,
  Settings,
  Token,
  TokenInput,
  VersionInfo,
} from '../../shared/model.js';

import type { VerifyReport } from '../services/verify.js';

/** Who is calling and what they may see. The app and the admin CLI see everything. */
export interface Caller {
  actor: 'app' | 'cli' | `token:${string}`;
  /** Limit to these projects (case-insensitive), or null for all. */
  projects: string[] | null;
  /** Limit to these environments, or null for all. */
  environments: string[] | null;
  /** False for a token without entries:reveal: nothing may tell it whether a value it sent equals the stored one. */
  canReveal?: boolean;
  /** False for a token that may not write categories (no categories:write, or limited: DESIGN §4). */
  canWriteCategories?: boolean;
}

export const APP: Caller = { actor: 'app', projects: null, environments: null };
export const CLI: Caller = { actor: 'cli', projects: null, environments: null };

export interface VaultStatus {
  exists: boolean;
  locked: boolean;
  path: string;
  vaultId: string | null;
}

export interface VaultService {
  status(): VaultStatus;
  /** Creates a new vault file and leaves it unlocked. */
  create(caller: Caller, password: string): Promise<void>;
  /**
   * Throws INVALID_PASSWORD on a wrong password (audited at the next unlock), VAULT_TAMPERED when
   * a row, the digest or the integrity record fails (nothing is written), VAULT_ROLLED_BACK for an
   * older generation than this machine has seen unless `acceptRollback`.
   */
  unlock(caller: Caller, password: string, options?: { acceptRollback?: boolean }): Promise<void>;
  lock(caller: Caller): void;
  /** Needs the vault unlocked. `kdf`: raise the Argon2 cost (m in KiB, never below the defaults). */
  changePassword(caller: Caller, current: string, next: string, options?: { kdf?: { m: number; t: number } }): Promise<void>;
  /** A new vault key: every blob re-sealed and every mac recomputed in one transaction. Needs the vault unlocked. */
  rotateKey(caller: Caller, current: string): Promise<{ resealed: number }>;
  /** Checks every row, the digest and the known generation; writes nothing. */
  verify(password: string): Promise<VerifyReport>;
  /** The Argon2id parameters in force (m in KiB). */
  kdfParams(): { m: number; t: number; p: number };
  /** How long the last successful unlock of this process took (KDF included), or null. */
  lastUnlockMs(): number | null;
  /** Whether an unlock has been asked for and has not ended (a lock asked for meanwhile stops it). */
  unlockPending(): boolean;
  /** Why the vault was locked between requests (its key changed beside this owner, an older copy put back), once; then null. */
  takeLockNotice(): string | null;
  settings(): Settings;
  updateSettings(caller: Caller, patch: Partial<Settings>): Settings;
  /** Notified after every lock (including auto-lock), e.g. to wipe the renderer. */
  onLockChange(listener: (locked: boolean) => void): () => void;
  /**
   * Writes a consistent copy of the vault file (SQLite's online backup) to `destination`, mode
   * 0600: still encrypted under the same master password. Audited as `vault.backup`.
   */
  backup(caller: Caller, destination: string, options?: { replace?: boolean }): Promise<void>;
}

export interface CategoryService {
  list(): Category[];
  get(id: string): Category;
  create(caller: Caller, input: CategoryInput): Category;
  /** Removing a group field that entries use needs `force` (CONFLICT otherwise). */
  update(caller: Caller, id: string, input: CategoryUpdate, options?: { force?: boolean }): Category;
  /** Refuses (CONFLICT) when entries use it, unless cascade. */
  remove(caller: Caller, id: string, options?: { cascade?: boolean }): void;
}

export interface EntryList {
  items: EntryWithCategory[];
  total: number;
}

export interface EntryService {
  list(caller: Caller, query?: EntryQuery): EntryList;
  get(caller: Caller, id: string): EntryWithCategory;
  create(caller: Caller, input: EntryInput): Entry;
  update(caller: Caller, id: string, input: EntryUpdate): Entry;
  remove(caller: Caller, id: string): void;
  /** Decrypts the value; resolves once the audit row is committed. */
  reveal(caller: Caller, id: string, action?: 'entry.reveal' | 'entry.copy'): Promise<Revealed>;
  versions(caller: Caller, id: string): VersionInfo[];
  /** Deletes one previous value, or all; returns how many went. */
  purgeVersions(caller: Caller, id: string, version?: number): number;
  revealVersion(caller: Caller, id: string, version: number, action?: 'entry.reveal' | 'entry.copy'): Promise<RevealedVersion>;
  restoreVersion(caller: Caller, id: string, version: number): Entry;
}

export interface ProjectVariable {
  name: string;
  entryId: string;
  categoryName: string;
  field: string | null;
  /** Inherited from the project's `*` entries (the environment has none of its own). */
  shared: boolean;
}

export interface ProjectConflict {
  name: string;
  entries: { entryId: string; categoryName: string }[];
}

export interface ProjectService {
  list(caller: Caller): Project[];
  search(caller: Caller, query?: ProjectQuery): { items: Project[]; total: number };
  /** The variables a project's .env would hold, with conflicts, without decrypting any value. */
  variables(caller: Caller, project: string, environment: string): { variables: ProjectVariable[]; conflicts: ProjectConflict[] };
  exportEnv(caller: Caller, project: string, environment: string, format: ExportFormat): Promise<string>;
  importEnv(caller: Caller, project: string, environment: string, content: string, mode: ImportMode, format?: ImportFormat): ImportSummary;
}

export interface ProjectOperationsService {
  patch(caller: Caller, project: string, input: ProjectPatch): Project;
  remove(caller: Caller, project: string): ProjectDeleted;
  renameEnvironment(caller: Caller, project: string, environment: string, input: { name: string }): Project;
  removeEnvironment(caller: Caller, project: string, environment: string): ProjectDeleted;
  copy(caller: Caller, project: string, input: CopyInput): CopySummary;
  setTemplate(caller: Caller, project: string, input: TemplateInput): Project;
  validate(caller: Caller, project: string, environment: string): Validation;
}

export interface TrashService {
  list(caller: Caller): TrashItem[];
  restore(caller: Caller, id: string, options?: { replace?: boolean }): Entry;
  purge(caller: Caller, id: string): void;
  purgeAll(caller: Caller): number;
  /** Purges items trashed more than 30 days ago; the owner calls it when the vault unlocks. */
  purgeExpiredTrash(caller: Caller): number;
}

export interface CreatedToken {
  token: Token;
  /** The `kdn_…` string: shown once, never stored. */
  secret: string;
}

export interface TokenService {
  list(): Token[];
  create(caller: Caller, input: TokenInput): CreatedToken;
  revoke(caller: Caller, id: string): void;
  /** The valid, unexpired, unrevoked token for this secret, or null. Records last use. Needs the vault unlocked. */
  authenticate(secret: string): CallerToken | null;
  /** Whether this is a live token, from plaintext columns only (works while locked). */
  identify(secret: string): { id: string; expiresAt: string | null } | null;
  /** For a token this vault issued that is revoked or expired, when (plaintext columns); else null. */
  whyRefused(secret: string): { revokedAt: string | null; expiredAt: string | null } | null;
  /** While locked: whether this token holds vault:lock (meta.unlock_tokens), or null when the vault has no list yet. */
  holdsVaultLockWhileLocked(id: string): boolean | null;
}

export interface AuditService {
  /** The log; for a caller limited to projects/environments, only events about entries it can see. */
  list(query?: AuditQuery, caller?: Caller): { items: AuditEvent[]; total: number };
}

export interface ApprovalService {
  /** Whether someone (the desktop app) can approve requests. */
  readonly hasApprover: boolean;
  request(input: LoginRequestInput): { id: string; secret: string; code: string };
  /** Resolves with the token once approved, REQUEST_DENIED, NOT_FOUND, or null if still pending after timeoutMs. */
  wait(id: string, secret: string, timeoutMs: number): Promise<{ token: string } | null>;
  pending(): LoginRequest[];
  approve(caller: Caller, id: string, options?: { expiresAt?: string | null }): void;
  deny(id: string): void;
  onRequest(listener: (request: LoginRequest) => void): () => void;
}

export interface KeydenCore {
  readonly version: string;
  readonly vault: VaultService;
  readonly categories: CategoryService;
  readonly entries: EntryService;
  readonly projects: ProjectService;
  readonly projectOperations: ProjectOperationsService;
  readonly trash: TrashService;
  readonly tokens: TokenService;
  readonly audit: AuditService;
  readonly approvals: ApprovalService;
  /** Locks (audited as `caller`, the app by default) and closes the vault file, and releases the owner lock. */
  close(caller?: Caller): void;
}

// The typed IPC contract: one map channel → zod input schema → output type, used by the main
// process (validation before any handler runs), the preload (shape) and the renderer (types).
import { z } from 'zod';
import type { ErrorCode, ErrorDetails } from './errors.js';
import {
  AuditQuery,
  CategoryInput,
  CategoryUpdate,
  CopyInput,
  EntryEnvironment,
  Environment,
  EntryInput,
  EntryQuery,
  EntryUpdate,
  ExportFormat,
  ImportMode,
  IsoTime,
  StoredName,
  ProjectPatch,
  Settings,
  TemplateInput,
  TokenInput,
  type AuditEvent,
  type CopySummary,
  type ProjectDeleted,
  type TrashItem,
  type Validation,
  type Category,
  type Entry,
  type EntryWithCategory,
  type ImportSummary,
  type LoginRequest,
  type Project,
  type Revealed,
  type RevealedVersion,
  type Token,
  type VersionInfo,
} from './model.js';
import type { BridgeEvent, BridgeNamespace, BRIDGE_API, Channel } from './ipc-channels.js';

export * from './ipc-channels.js';

/** Output types only exist at compile time; the marker carries them through the map. */
declare const OUTPUT: unique symbol;
interface Spec<I extends z.ZodType, O> {
  input: I;
  readonly [OUTPUT]?: O;
}
function spec<O>() {
  return <I extends z.ZodType>(input: I): Spec<I, O> => ({ input });
}

const NoInput = z.undefined();
const Id = z.object({ id: z.uuid() }).strict();
const ProjectEnv = z.object({ project: StoredName, environment: Environment }).strict();
/** An environment or `*`, the project's shared variables ("All environments"). */
const ProjectLevel = z.object({ project: StoredName, environment: EntryEnvironment }).strict();
export const MASTER_PASSWORD_MIN = 8;
const MasterPassword = z.string().min(MASTER_PASSWORD_MIN, `must be at least ${MASTER_PASSWORD_MIN} characters`).max(1024);

export interface AppInfo {
  version: string;
  platform: string;
  /** How long a revealed value stays visible (30 s; shortened only by tests). */
  revealSeconds: number;
  /** Whether "Install the keyden command" can be offered (packaged app only). */
  canInstallCli: boolean;
}
export interface VaultStatusView {
  exists: boolean;
  locked: boolean;
  path: string;
}
export interface ApiStatus {
  running: boolean;
  url: string | null;
  error: string | null;
}
/** What the updater knows (src/main/app/updates.ts). */
export interface UpdateStatus {
  /** `unsupported`: not a packaged build (development, tests): updates never run. */
  state: 'unsupported' | 'idle' | 'checking' | 'none' | 'available' | 'downloading' | 'ready' | 'error';
  /** The version found, when one is available. */
  version: string | null;
  /** Whether this platform installs from inside the app (macOS, Windows: the OS verifies the signature). */
  installs: boolean;
  releasesUrl: string;
  message: string | null;
  checkedAt: string | null;
}

export interface SettingsView {
  settings: Settings;
  updates: UpdateStatus;
  api: ApiStatus;
  /** The vault's Argon2id cost (m in KiB) and how long its last unlock took in this app, or null before one. */
  unlock: { kdf: { m: number; t: number; p: number }; lastUnlockMs: number | null } | null;
}
export interface CopyResult {
  clearsInSeconds: number;
}
/** A project's .env copied or exported: `shellActive` names the variables a shell sourcing it would run or expand (never their values). */
export interface EnvCopyResult extends CopyResult {
  shellActive: string[];
}
export interface EnvExportResult {
  path: string;
  shellActive: string[];
}
export interface ProjectVariablesView {
  variables: { name: string; entryId: string; categoryName: string; field: string | null; shared: boolean }[];
  conflicts: { name: string; entries: { entryId: string; categoryName: string }[] }[];
}

export const ipcContract = {
  'app.info': spec<AppInfo>()(NoInput),
  /** The user did something: postpones auto-lock. */
  'app.activity': spec<void>()(NoInput),
  'app.installCli': spec<{ path: string }>()(NoInput),

  'vault.status': spec<VaultStatusView>()(NoInput),
  'vault.create': spec<void>()(z.object({ password: MasterPassword }).strict()),
  'vault.unlock': spec<void>()(z.object({ password: z.string().min(1).max(1024), acceptRollback: z.boolean().optional() }).strict()),
  'vault.lock': spec<void>()(NoInput),
  'vault.changePassword': spec<void>()(z.object({ current: z.string().min(1).max(1024), next: MasterPassword }).strict()),
  /** Asks where to save (main's dialog) and writes a consistent copy of the vault; null when cancelled. */
  'vault.backup': spec<{ path: string } | null>()(NoInput),

  'settings.get': spec<SettingsView>()(NoInput),
  'settings.update': spec<SettingsView>()(Settings.partial().strict()),
  'updates.check': spec<UpdateStatus>()(NoInput),
  'updates.download': spec<UpdateStatus>()(NoInput),
  'updates.install': spec<UpdateStatus>()(NoInput),

  'categories.list': spec<Category[]>()(NoInput),
  'categories.create': spec<Category>()(CategoryInput),
  'categories.update': spec<Category>()(z.object({ id: z.uuid(), patch: CategoryUpdate, force: z.boolean().optional() }).strict()),
  'categories.remove': spec<void>()(z.object({ id: z.uuid(), cascade: z.boolean().optional() }).strict()),

  'entries.list': spec<{ items: EntryWithCategory[]; total: number }>()(EntryQuery.strict()),
  'entries.get': spec<EntryWithCategory>()(Id),
  'entries.create': spec<Entry>()(EntryInput),
  'entries.update': spec<Entry>()(z.object({ id: z.uuid(), patch: EntryUpdate }).strict()),
  'entries.remove': spec<void>()(Id),
  'entries.reveal': spec<Revealed>()(Id),
  /** Decrypts and writes the clipboard in main; the renderer never receives the value. */
  'entries.copy': spec<CopyResult>()(z.object({ id: z.uuid(), field: z.string().max(128).optional() }).strict()),
  'entries.versions': spec<VersionInfo[]>()(Id),
  'entries.revealVersion': spec<RevealedVersion>()(z.object({ id: z.uuid(), version: z.number().int().min(1) }).strict()),
  /** An earlier value to the clipboard through the same guard as entries.copy (a group: FIELD=value lines). */
  'entries.copyVersion': spec<CopyResult>()(z.object({ id: z.uuid(), version: z.number().int().min(1) }).strict()),
  'entries.restoreVersion': spec<Entry>()(z.object({ id: z.uuid(), version: z.number().int().min(1) }).strict()),

  'projects.list': spec<Project[]>()(NoInput),
  'projects.variables': spec<ProjectVariablesView>()(ProjectLevel),
  'projects.copyEnv': spec<EnvCopyResult>()(ProjectEnv),
  /** Asks for a file in a save dialog (main), writes it 0600; null when cancelled. */
  'projects.exportEnv': spec<EnvExportResult | null>()(ProjectEnv.extend({ format: ExportFormat.optional() }).strict()),
  /** Asks for a file in an open dialog (main) and imports it; null when cancelled. */
  'projects.importEnv': spec<ImportSummary | null>()(ProjectLevel.extend({ mode: ImportMode }).strict()),
  'projects.patch': spec<Project>()(z.object({ project: StoredName, patch: ProjectPatch }).strict()),
  'projects.remove': spec<ProjectDeleted>()(z.object({ project: StoredName }).strict()),
  'projects.renameEnvironment': spec<Project>()(ProjectEnv.extend({ name: Environment }).strict()),
  'projects.removeEnvironment': spec<ProjectDeleted>()(ProjectEnv),
  'projects.copy': spec<CopySummary>()(z.object({ project: StoredName, input: CopyInput }).strict()),
  'projects.setTemplate': spec<Project>()(z.object({ project: StoredName, template: TemplateInput }).strict()),
  'projects.validate': spec<Validation>()(ProjectEnv),

  'trash.list': spec<TrashItem[]>()(NoInput),
  'trash.restore': spec<Entry>()(z.object({ id: z.uuid(), replace: z.boolean().optional() }).strict()),
  'trash.purge': spec<void>()(Id),

  'tokens.list': spec<Token[]>()(NoInput),
  'tokens.create': spec<{ token: Token; secret: string }>()(TokenInput),
  /** The page closed the dialog that showed a new token's secret (screen-capture protection may end). */
  'tokens.secretClosed': spec<void>()(NoInput),
  'tokens.revoke': spec<void>()(Id),
  /** Copies a just-created token (shown once) through main's clipboard guard, so it is cleared too. */
  'tokens.copySecret': spec<CopyResult>()(z.object({ secret: z.string().regex(/^kdn_[A-Za-z0-9_-]{43}$/, 'must be a Keyden token') }).strict()),

  'audit.list': spec<{ items: AuditEvent[]; total: number }>()(AuditQuery.strict()),

  'approvals.pending': spec<LoginRequest[]>()(NoInput),
  'approvals.approve': spec<void>()(z.object({ id: z.string().min(1).max(128), expiresAt: IsoTime.nullable().optional() }).strict()),
  'approvals.deny': spec<void>()(z.object({ id: z.string().min(1).max(128) }).strict()),
} satisfies Record<Channel, Spec<z.ZodType, unknown>>;

// The contract and the zod-free channel list must name exactly the same channels.
type ContractChannel = keyof typeof ipcContract;
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const CONTRACT_MATCHES_CHANNELS: Exact<ContractChannel, Channel> = true;

export type InputOf<C extends Channel> = z.input<(typeof ipcContract)[C]['input']>;
export type ParsedInputOf<C extends Channel> = z.output<(typeof ipcContract)[C]['input']>;
export type OutputOf<C extends Channel> = (typeof ipcContract)[C] extends Spec<z.ZodType, infer O> ? O : never;

export type IpcErrorCode = ErrorCode | 'UNKNOWN_CHANNEL' | 'FORBIDDEN_SENDER';
export interface IpcError {
  code: IpcErrorCode;
  message: string;
  details: ErrorDetails;
}
/** Every call resolves with an envelope; errors cross processes as plain data recognised by `code`. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export interface EventPayloads {
  'vault.lockChanged': { locked: boolean };
  'approvals.requested': LoginRequest;
  'clipboard.cleared': Record<string, never>;
  'updates.changed': UpdateStatus;
}
export type EventListener<E extends BridgeEvent> = (payload: EventPayloads[E]) => void;

type MethodName<N extends BridgeNamespace> = (typeof BRIDGE_API)[N][number];
type BridgeMethod<C extends Channel> =
  InputOf<C> extends undefined ? () => Promise<IpcResult<OutputOf<C>>> : (input: InputOf<C>) => Promise<IpcResult<OutputOf<C>>>;

/** `window.keyden`: the object the preload exposes (and the test transport imitates). */
export type KeydenBridge = {
  [N in BridgeNamespace]: { [M in MethodName<N>]: BridgeMethod<`${N}.${M}` & Channel> };
} & {
  events: { on<E extends BridgeEvent>(event: E, listener: EventListener<E>): () => void };
};

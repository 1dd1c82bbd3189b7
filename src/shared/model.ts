// The data model of DESIGN §2 as zod schemas: the single source for the API's validation,
// the IPC contract, the renderer's forms and the OpenAPI document.
import { z } from 'zod';
// Installs the plain-language error map (issue 14 item 10) wherever the model is loaded.
import './plain-errors.js';
import { describeHidden, firstHidden } from './names.js';

export const ENV_VAR_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ENVIRONMENT_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const STANDARD_ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export const MAX_SIMPLE_VALUE_BYTES = 64 * 1024;
export const VERSIONS_KEPT = 20;

export const SCOPES = [
  'categories:read',
  'categories:write',
  'entries:read',
  'entries:write',
  'entries:reveal',
  'audit:read',
  'vault:lock',
] as const;
export type Scope = (typeof SCOPES)[number];

export const AUDIT_ACTIONS = [
  'vault.unlock',
  'vault.lock',
  'vault.create',
  'vault.passwd',
  'vault.backup',
  'entry.reveal',
  'entry.copy',
  'entry.create',
  'entry.update',
  'entry.delete',
  'entry.restore',
  'entry.trash',
  'entry.purge',
  'version.purge',
  'category.create',
  'category.update',
  'category.delete',
  'project.export',
  'project.import',
  'project.rename',
  'project.delete',
  'project.copy',
  'environment.rename',
  'environment.delete',
  'template.update',
  'token.create',
  'token.revoke',
  'api.denied',
  'vault.rotate',
  'vault.rollback_accepted',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Project (entry) and category names: trimmed and in Unicode NFC everywhere (API, CLI, app), so
 * `"  spaced  "` and `spaced`, or `Blög` typed as NFC or NFD, are one name (issue 14 item 13).
 */
const trimmedName = z.string().trim().normalize('NFC').min(1, 'must not be empty').max(128, 'must be at most 128 characters');

/**
 * A name as a vault may already hold it, to address or send back unchanged: older versions let
 * invisible and text-direction characters in, and such a project must stay renameable (no lockout).
 */
export const StoredName = trimmedName
  .superRefine((s, ctx) => {
    // Control characters (C0, DEL, C1) and line separators were refused in every name from the start.
    const hidden = firstHidden(s, ['control', 'surrogate']);
    if (hidden) ctx.addIssue({ code: 'custom', message: describeHidden(hidden) });
  })
  .refine((s) => !s.includes('/'), 'must not contain "/"')
  .refine((s) => s.trim().length > 0, 'must not be blank');

/** What a name is of, for the message that refuses one. */
export type NameKind = 'project' | 'category' | 'token';

/**
 * A name the user chooses now (create, rename): a StoredName without the characters that can make
 * it look like another (names.ts: U+202E, U+200B, U+2066…, a newline); visible Unicode stays.
 */
export const newName = (kind: NameKind) =>
  trimmedName
    .superRefine((s, ctx) => {
      const hidden = firstHidden(s);
      if (hidden) ctx.addIssue({ code: 'custom', message: `${describeHidden(hidden)}, which a ${kind} name may not hold` });
    })
    .refine((s) => !s.includes('/'), 'must not contain "/"')
    .refine((s) => s.trim().length > 0, 'must not be blank');

export const ProjectName = newName('project');
export const CategoryName = newName('category');
export const TokenName = newName('token');

export const EnvVarName = z
  .string()
  .max(128, 'must be at most 128 characters')
  .regex(ENV_VAR_PATTERN, 'must match ^[A-Za-z_][A-Za-z0-9_]*$');

/** One rule everywhere (API, CLI, app): an environment is trimmed and lowercased, then must be a slug. */
export const Environment = z
  .string()
  .trim()
  .toLowerCase()
  .regex(ENVIRONMENT_PATTERN, 'must be a lowercase slug matching ^[a-z][a-z0-9-]{0,31}$');

/** `*`: the project's shared variables, part of every environment's .env (DESIGN §9). */
export const SHARED_ENVIRONMENT = '*';
export const EntryEnvironment = z.union([Environment, z.literal(SHARED_ENVIRONMENT)]);

export const IsoTime = z.iso.datetime({ offset: false, precision: 3 });

export const KeyType = z.enum(['simple', 'group']);
export type KeyType = z.infer<typeof KeyType>;

export const Icon = z.string().max(64).regex(/^[a-z0-9-]*$/, 'must be an icon slug').nullable();

export const Category = z.object({
  id: z.uuid(),
  name: z.string(),
  keyType: KeyType,
  envVarName: z.string().nullable(),
  fields: z.array(z.string()),
  icon: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Category = z.infer<typeof Category>;

const GroupFields = z
  .array(EnvVarName)
  .min(1, 'must have at least one field')
  .max(64, 'must have at most 64 fields')
  .refine((f) => new Set(f).size === f.length, 'must not name a field twice');

export const CategoryInput = z
  .object({
    name: CategoryName,
    keyType: KeyType.default('simple'),
    envVarName: EnvVarName.nullable().optional(),
    fields: GroupFields.optional(),
    icon: Icon.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.keyType === 'simple') {
      if (!c.envVarName) ctx.addIssue({ code: 'custom', path: ['envVarName'], message: 'is required for a simple category' });
      if (c.fields && c.fields.length > 0) ctx.addIssue({ code: 'custom', path: ['fields'], message: 'is not allowed on a simple category' });
    } else {
      if (!c.fields) ctx.addIssue({ code: 'custom', path: ['fields'], message: 'is required for a group category' });
      if (c.envVarName) ctx.addIssue({ code: 'custom', path: ['envVarName'], message: 'is not allowed on a group category' });
    }
  });
export type CategoryInput = z.input<typeof CategoryInput>;

export const CategoryUpdate = z
  .object({
    name: StoredName.optional(),
    envVarName: EnvVarName.nullable().optional(),
    fields: GroupFields.optional(),
    icon: Icon.optional(),
  })
  .strict();
export type CategoryUpdate = z.input<typeof CategoryUpdate>;

export const SimpleValue = z
  .string()
  // UTF-16 units never outnumber UTF-8 bytes, so maxLength states the limit in the OpenAPI schema.
  .max(MAX_SIMPLE_VALUE_BYTES, 'must be at most 64 KiB')
  .describe('A simple value: at most 64 KiB (65 536 bytes) of UTF-8.')
  .refine((s) => utf8.encode(s).length <= MAX_SIMPLE_VALUE_BYTES, 'must be at most 64 KiB');
const utf8 = new TextEncoder();
/** A group value: field → string. The API also accepts it as a JSON string (seed contract). */
export const GroupValue = z.record(z.string(), z.string());
export const EntryValue = z.union([SimpleValue, GroupValue]);
export type EntryValue = string | Record<string, string>;

export const Entry = z.object({
  id: z.uuid(),
  categoryId: z.uuid(),
  name: z.string(),
  environment: z.string(),
  notes: z.string().nullable(),
  envVarName: z.string().nullable(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Entry = z.infer<typeof Entry>;

export const EntryWithCategory = Entry.extend({
  category: z.object({
    name: z.string(),
    keyType: KeyType,
    envVarName: z.string().nullable(),
    icon: z.string().nullable(),
  }),
});
export type EntryWithCategory = z.infer<typeof EntryWithCategory>;

const Notes = z.string().max(16 * 1024, 'must be at most 16 KiB').nullable();

export const EntryInput = z
  .object({
    categoryId: z.uuid(),
    name: ProjectName,
    value: EntryValue,
    environment: EntryEnvironment.default('development'),
    notes: Notes.optional(),
    envVarName: EnvVarName.nullable().optional(),
    expiresAt: IsoTime.nullable().optional(),
  })
  .strict();
export type EntryInput = z.input<typeof EntryInput>;

export const EntryUpdate = z
  .object({
    categoryId: z.uuid().optional(),
    name: StoredName.optional(),
    value: EntryValue.optional(),
    environment: EntryEnvironment.optional(),
    notes: Notes.optional(),
    envVarName: EnvVarName.nullable().optional(),
    expiresAt: IsoTime.nullable().optional(),
  })
  .strict();
export type EntryUpdate = z.input<typeof EntryUpdate>;

export const EntryQuery = z.object({
  categoryId: z.uuid().optional(),
  /** A category's name, case-insensitive. */
  category: z.string().trim().normalize('NFC').optional(),
  project: z.string().trim().normalize('NFC').optional(),
  /** Lowercased, as every environment is (`PROD` finds `prod`). */
  environment: z.string().trim().toLowerCase().optional(),
  /** The variable an entry writes (its override, its category's envVarName, or a group field). */
  variable: z.string().optional(),
  q: z.string().optional(),
  limit: z.coerce.number().int().min(0).max(10_000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});
export type EntryQuery = z.infer<typeof EntryQuery>;

export const Revealed = z.object({
  id: z.uuid(),
  name: z.string(),
  environment: z.string(),
  value: z.union([z.string(), z.record(z.string(), z.string())]),
});
export type Revealed = z.infer<typeof Revealed>;

/**
 * A previous value: `replacedAt` is when a newer value replaced it (issue 14 item 21). `createdAt`
 * is the same instant under its older name (when the version row was made), kept for clients.
 */
export const VersionInfo = z.object({ version: z.number().int(), replacedAt: z.string(), createdAt: z.string() });
export type VersionInfo = z.infer<typeof VersionInfo>;

export const RevealedVersion = z.object({
  version: z.number().int(),
  value: z.union([z.string(), z.record(z.string(), z.string())]),
});
export type RevealedVersion = z.infer<typeof RevealedVersion>;

export const Project = z.object({
  name: z.string(),
  description: z.string().nullable(),
  /** Environment → its own entries (`*`: the shared ones); a listed environment without entries counts 0. */
  environments: z.record(z.string(), z.number().int()),
  entryCount: z.number().int(),
  /** The variables every environment must have (DESIGN §9 "Templates"). */
  template: z.array(z.string()),
});
export type Project = z.infer<typeof Project>;

export const ProjectQuery = z.object({
  q: z.string().optional(),
  limit: z.coerce.number().int().min(0).max(10_000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});
export type ProjectQuery = z.infer<typeof ProjectQuery>;

export const ProjectPatch = z
  .object({
    name: StoredName.optional(),
    description: z.string().max(4096, 'must be at most 4 KiB').nullable().optional(),
    environments: z.array(Environment).max(64).refine((e) => new Set(e).size === e.length, 'must not name an environment twice').optional(),
  })
  .strict();
export type ProjectPatch = z.input<typeof ProjectPatch>;

export const EnvironmentPatch = z.object({ name: Environment }).strict();
export type EnvironmentPatch = z.input<typeof EnvironmentPatch>;

export const CopyInput = z
  .object({
    from: Environment,
    to: Environment,
    variables: z.array(EnvVarName).min(1).optional(),
    overwrite: z.boolean().default(false),
    dryRun: z.boolean().default(false),
  })
  .strict();
export type CopyInput = z.input<typeof CopyInput>;

export const CopySummary = z.object({
  from: z.string(),
  to: z.string(),
  dryRun: z.boolean(),
  added: z.array(z.string()),
  changed: z.array(z.string()),
  unchanged: z.array(z.string()),
  skipped: z.array(z.string()),
});
export type CopySummary = z.infer<typeof CopySummary>;

export const TemplateInput = z
  .object({ variables: z.array(EnvVarName).max(1000).refine((v) => new Set(v).size === v.length, 'must not name a variable twice') })
  .strict();
export type TemplateInput = z.input<typeof TemplateInput>;

export const Validation = z.object({
  project: z.string(),
  environment: z.string(),
  required: z.array(z.string()),
  present: z.array(z.string()),
  missing: z.array(z.string()),
  /** Variables of the environment's .env whose value is empty (e.g. a group field added later). */
  empty: z.array(z.string()),
});
export type Validation = z.infer<typeof Validation>;

export const ProjectDeleted = z.object({ project: z.string(), trashed: z.number().int() });
export type ProjectDeleted = z.infer<typeof ProjectDeleted>;

export const TrashItem = z.object({
  id: z.uuid(),
  categoryId: z.string(),
  categoryName: z.string().nullable(),
  name: z.string(),
  environment: z.string(),
  envVarName: z.string().nullable(),
  trashedAt: z.string(),
  purgeAt: z.string(),
});
export type TrashItem = z.infer<typeof TrashItem>;

/** An export with format=json: variable → value. */
export const EnvJson = z.record(z.string(), z.string());

export const ExportFormat = z.enum(['dotenv', 'json', 'shell']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const ImportMode = z.enum(['upsert', 'skip']);
export type ImportMode = z.infer<typeof ImportMode>;

export const ImportFormat = z.enum(['dotenv', 'json', 'shell']);
export type ImportFormat = z.infer<typeof ImportFormat>;

export const ImportSummary = z.object({
  imported: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int(),
  failed: z.array(z.object({ key: z.string(), line: z.number().int(), reason: z.string() })),
  /** What the parser dropped or read differently than it looks (never a value). */
  warnings: z.array(z.string()),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

export const Token = z.object({
  id: z.uuid(),
  name: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  projects: z.array(z.string()).nullable(),
  environments: z.array(z.string()).nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type Token = z.infer<typeof Token>;

/** DESIGN §4 "Hardening": categories are shared by every project, so a limited token cannot write them. */
const limitedTokenScopes = (t: { scopes: readonly string[]; projects?: readonly string[] | null; environments?: readonly string[] | null }, ctx: z.RefinementCtx): void => {
  if ((t.projects || t.environments) && t.scopes.includes('categories:write')) {
    ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'cannot include categories:write on a token limited to projects or environments (categories are shared by every project)' });
  }
};

/** The most projects (or environments) one token's limits, or one login request's, may name. */
export const MAX_LIMITS = 256;

export const TokenInput = z
  .object({
    name: TokenName,
    scopes: z.array(z.enum(SCOPES)).min(1, 'must name at least one scope'),
    projects: z.array(ProjectName).min(1).max(MAX_LIMITS, `must name at most ${MAX_LIMITS}`).nullable().optional(),
    environments: z.array(EntryEnvironment).min(1).max(MAX_LIMITS, `must name at most ${MAX_LIMITS}`).nullable().optional(),
    expiresAt: IsoTime.nullable().optional(),
  })
  .strict()
  .superRefine(limitedTokenScopes);
export type TokenInput = z.input<typeof TokenInput>;

export const CallerToken = Token.pick({ id: true, name: true, scopes: true, projects: true, environments: true, expiresAt: true });
export type CallerToken = z.infer<typeof CallerToken>;

export const AuditEvent = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  /** A token actor's name (shown once unlocked; null for app and cli, or another token of a limited caller's). */
  actorName: z.string().nullable(),
  action: z.enum(AUDIT_ACTIONS),
  targetId: z.string().nullable(),
  targetName: z.string().nullable(),
  ok: z.boolean(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(0).max(10_000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  /** Events at or after / before this ISO time. */
  from: z.iso.datetime({ offset: true, local: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true, local: true }).or(z.iso.date()).optional(),
  /** `app`, `cli` or `token:<id>`. */
  actor: z.string().optional(),
  /** The target's id. */
  target: z.string().optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const Settings = z.object({
  autoLockMinutes: z.number().int().min(1).max(24 * 60),
  clipboardSeconds: z.number().int().min(5).max(600),
  apiEnabled: z.boolean().nullable(),
  apiPort: z.number().int().min(0).max(65535),
  /** Exclude the window from screen capture and sharing while a value is shown (DESIGN §4 "The shell"). */
  hideWhileRevealed: z.boolean(),
  /** Lock when the window is minimized (off by default). */
  lockOnMinimize: z.boolean(),
  /** Check for signed updates (off by default; nothing installs without the user's click). */
  checkForUpdates: z.boolean(),
});
export type Settings = z.infer<typeof Settings>;
export const DEFAULT_SETTINGS: Settings = { autoLockMinutes: 10, clipboardSeconds: 30, apiEnabled: null, apiPort: 17321, hideWhileRevealed: true, lockOnMinimize: false, checkForUpdates: false };

export const LoginRequestInput = z
  .object({
    // Shown in the approval dialog and then the token's name: a TokenName, and from a caller not
    // yet trusted not even the emoji joiner (no Unicode Cf at all) that a user's own names may hold.
    clientName: TokenName.refine((s) => !/\p{Cf}/u.test(s), 'must not contain invisible or text-direction characters'),
    scopes: z.array(z.enum(SCOPES)).min(1),
    projects: z.array(ProjectName).min(1).max(MAX_LIMITS, `must name at most ${MAX_LIMITS}`).nullable().optional(),
    environments: z.array(EntryEnvironment).min(1).max(MAX_LIMITS, `must name at most ${MAX_LIMITS}`).nullable().optional(),
  })
  .strict()
  .superRefine(limitedTokenScopes);
export type LoginRequestInput = z.input<typeof LoginRequestInput>;

export const LoginRequest = z.object({
  id: z.string(),
  clientName: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  projects: z.array(z.string()).nullable(),
  environments: z.array(z.string()).nullable(),
  code: z.string(),
  createdAt: z.string(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

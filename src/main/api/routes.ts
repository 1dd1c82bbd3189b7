// The local API's routes as data (DESIGN §4): scope, schemas and a handler that calls the
// services. Nothing here knows HTTP; server.ts adapts it, openapi.ts documents it.
import { z } from 'zod';
import {
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
  EntryEnvironment,
  EnvJson,
  Environment,
  ExportFormat,
  ImportFormat,
  ImportMode,
  ImportSummary,
  LoginRequestInput,
  Project,
  ProjectQuery,
  Revealed,
  RevealedVersion,
  VersionInfo,
  type Scope,
} from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import type { Caller, KeydenCore } from '../core/types.js';
import { parseInput } from '../services/validate.js';
import { projectRoutes } from './routes-projects.js';

export type BodyKind = 'json' | 'text';

export interface RouteRequest {
  core: KeydenCore;
  caller: Caller;
  /** The calling token (from its plaintext columns); null on routes whose scope is 'none'. */
  token: { id: string; expiresAt: string | null } | null;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  /** Which kind of body arrived: JSON or text/plain. */
  bodyKind: BodyKind | null;
}

export interface RouteResult {
  status?: number;
  /** Serialized as JSON unless `text` is given. */
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI-style path, e.g. /api/entries/{id}. */
  path: string;
  summary: string;
  /** 'none' skips authentication; 'token' needs any valid token. */
  scope: Scope | 'none' | 'token';
  /** Served to a token matched by its hash alone while the vault is locked (unlock, auth/token). */
  whileLocked?: boolean;
  query?: z.ZodObject;
  /** The path parameters' schema: a malformed id is 400, not 404. */
  params?: z.ZodObject;
  /** The JSON body schema; `bodyKinds` says which content types the route takes. */
  body?: z.ZodType;
  bodyKinds?: BodyKind[];
  response: { status: number; schema?: z.ZodType; contentType?: string; description: string; /** Another JSON form of the answer (format=json). */ jsonAlternative?: z.ZodType };
  handle(req: RouteRequest): RouteResult | Promise<RouteResult>;
}

const noContent: RouteResult = { status: 204 };
/** Answers that carry a secret are never kept by a cache. */
const NO_STORE = { 'cache-control': 'no-store' };
const int = (s: string | undefined): number => Number(s);
const IdParams = z.object({ id: z.uuid('must be an id (a UUID)') });
const VersionParams = IdParams.extend({ version: z.string().regex(/^[1-9][0-9]{0,8}$/, 'must be a version number (1, 2, …)') });

const CascadeQuery = z.object({ cascade: z.enum(['true', 'false']).optional() });
const ForceQuery = z.object({ force: z.enum(['true', 'false']).optional() });
const EnvQuery = z.object({ environment: Environment.optional(), format: ExportFormat.optional() });
const ImportQuery = z.object({ environment: EntryEnvironment.optional(), mode: ImportMode.optional(), format: ImportFormat.optional() });
const VersionsPurged = z.object({ purged: z.number().int() });
const ImportBody = z.object({ content: z.string() }).strict();
const UnlockBody = z.object({ password: z.string().min(1), acceptRollback: z.boolean().optional() }).strict();
const WaitQuery = z.object({ secret: z.string(), timeout: z.coerce.number().min(0).max(30).optional() });
const ProofQuery = z.object({ nonce: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters') });
const ProofAnswer = z.object({ mac: z.string() });
const Health = z.object({ status: z.literal('ok'), locked: z.boolean(), version: z.string(), approver: z.boolean() });
const LoginRequestCreated = z.object({ id: z.string(), secret: z.string(), code: z.string() });
const ApprovedToken = z.object({ token: z.string() });
const LockedCallerToken = CallerToken.extend({
  id: z.string().nullable(),
  name: z.string().nullable(),
  scopes: CallerToken.shape.scopes.nullable(),
  expiresAt: z.string().nullable(),
  locked: z.boolean(),
}).describe('While the vault is locked, the answer says only that: every other field is null.');

export function routes(): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      summary: 'Whether the owner is up, and locked',
      scope: 'none',
      response: { status: 200, schema: Health, description: 'status' },
      handle: ({ core }) => ({ json: { status: 'ok', locked: core.vault.status().locked, version: core.version, approver: core.approvals.hasApprover } }),
    },
    {
      method: 'GET',
      path: '/api/openapi.json',
      summary: 'This document',
      scope: 'none',
      response: { status: 200, description: 'OpenAPI 3.1 document' },
      // Filled in by the server, which holds the generated document.
      handle: () => ({ json: null }),
    },
    {
      method: 'GET',
      path: '/api/auth/proof',
      summary: "Proves this listener is the owner that wrote api.json: HMAC-SHA256 of the nonce under api.json's `proof` key",
      scope: 'none',
      query: ProofQuery,
      response: { status: 200, schema: ProofAnswer, description: '`mac`: HMAC-SHA256(proof bytes, nonce bytes), hex' },
      // Filled in by the server, which holds the proof key of this start.
      handle: () => ({ json: null }),
    },
    {
      method: 'GET',
      path: '/api/auth/token',
      summary: 'The calling token',
      scope: 'token',
      whileLocked: true,
      response: { status: 200, schema: LockedCallerToken, description: 'the token (no secret)' },
      handle: ({ core, token }) => {
        const t = core.vault.status().locked ? null : core.tokens.list().find((x) => x.id === token?.id);
        // A token matched by its hash alone learns only that the vault is locked (DESIGN §4).
        if (!t) return { json: { id: null, name: null, scopes: null, projects: null, environments: null, expiresAt: null, locked: true } };
        return { json: { id: t.id, name: t.name, scopes: t.scopes, projects: t.projects, environments: t.environments, expiresAt: t.expiresAt, locked: false } };
      },
    },
    {
      method: 'GET',
      path: '/api/categories',
      summary: 'List categories',
      scope: 'categories:read',
      response: { status: 200, schema: z.array(Category), description: 'every category' },
      handle: ({ core }) => ({ json: core.categories.list() }),
    },
    {
      method: 'POST',
      path: '/api/categories',
      summary: 'Create a category',
      scope: 'categories:write',
      body: CategoryInput,
      response: { status: 201, schema: Category, description: 'the new category' },
      handle: ({ core, caller, body }) => ({ status: 201, json: core.categories.create(caller, body as CategoryInput) }),
    },
    {
      method: 'GET',
      path: '/api/categories/{id}',
      params: IdParams,
      summary: 'Get a category',
      scope: 'categories:read',
      response: { status: 200, schema: Category, description: 'the category' },
      handle: ({ core, params }) => ({ json: core.categories.get(params.id!) }),
    },
    {
      method: 'PUT',
      path: '/api/categories/{id}',
      params: IdParams,
      summary: "Update a category (removing a group field that entries use: 409 unless force=true)",
      scope: 'categories:write',
      query: ForceQuery,
      body: CategoryUpdate,
      response: { status: 200, schema: Category, description: 'the updated category' },
      handle: ({ core, caller, params, query, body }) => ({ json: core.categories.update(caller, params.id!, body as CategoryUpdate, { force: query.force === 'true' }) }),
    },
    {
      method: 'DELETE',
      path: '/api/categories/{id}',
      params: IdParams,
      summary: 'Delete a category (409 while it has entries, unless cascade=true)',
      scope: 'categories:write',
      query: CascadeQuery,
      response: { status: 204, description: 'deleted' },
      handle: ({ core, caller, params, query }) => {
        core.categories.remove(caller, params.id!, { cascade: query.cascade === 'true' });
        return noContent;
      },
    },
    {
      method: 'GET',
      path: '/api/entries',
      summary: 'List entries (never a value); X-Total-Count gives the number of matches',
      scope: 'entries:read',
      query: EntryQuery,
      response: { status: 200, schema: z.array(EntryWithCategory), description: 'matching entries' },
      handle: ({ core, caller, query }) => {
        const { items, total } = core.entries.list(caller, query as EntryQuery);
        return { json: items, headers: { 'x-total-count': String(total) } };
      },
    },
    {
      method: 'POST',
      path: '/api/entries',
      summary: 'Create an entry',
      scope: 'entries:write',
      body: EntryInput,
      response: { status: 201, schema: Entry, description: 'the new entry' },
      handle: ({ core, caller, body }) => ({ status: 201, json: core.entries.create(caller, body as EntryInput) }),
    },
    {
      method: 'GET',
      path: '/api/entries/{id}',
      params: IdParams,
      summary: 'Get an entry (no value)',
      scope: 'entries:read',
      response: { status: 200, schema: EntryWithCategory, description: 'the entry' },
      handle: ({ core, caller, params }) => ({ json: core.entries.get(caller, params.id!) }),
    },
    {
      method: 'PUT',
      path: '/api/entries/{id}',
      params: IdParams,
      summary: 'Update an entry; a new value keeps the old one as a version',
      scope: 'entries:write',
      body: EntryUpdate,
      response: { status: 200, schema: Entry, description: 'the updated entry' },
      handle: ({ core, caller, params, body }) => ({ json: core.entries.update(caller, params.id!, body as EntryUpdate) }),
    },
    {
      method: 'DELETE',
      path: '/api/entries/{id}',
      params: IdParams,
      summary: 'Move an entry (with its versions) to the trash for 30 days',
      scope: 'entries:write',
      response: { status: 204, description: 'deleted' },
      handle: ({ core, caller, params }) => {
        core.entries.remove(caller, params.id!);
        return noContent;
      },
    },
    {
      method: 'POST',
      path: '/api/entries/{id}/reveal',
      params: IdParams,
      summary: "Reveal an entry's value (audited)",
      scope: 'entries:reveal',
      response: { status: 200, schema: Revealed, description: 'the value (a group: an object of its fields)' },
      handle: async ({ core, caller, params }) => ({ json: await core.entries.reveal(caller, params.id!), headers: NO_STORE }),
    },
    {
      method: 'GET',
      path: '/api/entries/{id}/versions',
      params: IdParams,
      summary: "An entry's previous values, newest first",
      scope: 'entries:read',
      response: { status: 200, schema: z.array(VersionInfo), description: 'versions' },
      handle: ({ core, caller, params }) => ({ json: core.entries.versions(caller, params.id!) }),
    },
    {
      method: 'DELETE',
      path: '/api/entries/{id}/versions',
      params: IdParams,
      summary: "Delete all of an entry's previous values",
      scope: 'entries:write',
      response: { status: 200, schema: VersionsPurged, description: 'how many versions were deleted' },
      handle: ({ core, caller, params }) => ({ json: { purged: core.entries.purgeVersions(caller, params.id!) } }),
    },
    {
      method: 'DELETE',
      path: '/api/entries/{id}/versions/{version}',
      params: VersionParams,
      summary: 'Delete one previous value',
      scope: 'entries:write',
      response: { status: 204, description: 'deleted' },
      handle: ({ core, caller, params }) => {
        core.entries.purgeVersions(caller, params.id!, int(params.version));
        return noContent;
      },
    },
    {
      method: 'POST',
      path: '/api/entries/{id}/versions/{version}/reveal',
      params: VersionParams,
      summary: 'Reveal a previous value (audited)',
      scope: 'entries:reveal',
      response: { status: 200, schema: RevealedVersion, description: 'the value of that version' },
      handle: async ({ core, caller, params }) => ({ json: await core.entries.revealVersion(caller, params.id!, int(params.version)), headers: NO_STORE }),
    },
    {
      method: 'POST',
      path: '/api/entries/{id}/versions/{version}/restore',
      params: VersionParams,
      summary: 'Make a previous value current again (the current one becomes a version)',
      scope: 'entries:write',
      response: { status: 200, schema: Entry, description: 'the entry' },
      handle: ({ core, caller, params }) => ({ json: core.entries.restoreVersion(caller, params.id!, int(params.version)) }),
    },
    {
      method: 'GET',
      path: '/api/projects',
      summary: 'Projects with their description, environments, entry count and template; q searches names and descriptions; X-Total-Count gives the number of matches',
      scope: 'entries:read',
      query: ProjectQuery,
      response: { status: 200, schema: z.array(Project), description: 'projects' },
      handle: ({ core, caller, query }) => {
        const { items, total } = core.projects.search(caller, query as ProjectQuery);
        return { json: items, headers: { 'x-total-count': String(total) } };
      },
    },
    ...projectRoutes(),
    {
      method: 'GET',
      path: '/api/projects/{name}/env',
      summary: "A project's variables for one environment: .env text (default), JSON or shell (audited)",
      scope: 'entries:reveal',
      query: EnvQuery,
      response: { status: 200, contentType: 'text/plain; charset=utf-8', jsonAlternative: EnvJson, description: '.env text, a JSON object (format=json), or export lines' },
      handle: async ({ core, caller, params, query }) => {
        const format = (query.format as ExportFormat | undefined) ?? 'dotenv';
        const text = await core.projects.exportEnv(caller, params.name!, (query.environment as string | undefined) ?? 'development', format);
        return { text, contentType: format === 'json' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8', headers: NO_STORE };
      },
    },
    {
      method: 'POST',
      path: '/api/projects/{name}/import',
      summary: 'Import a .env text, a JSON object or keyden\'s shell export into a project environment (text/plain, or JSON {content}); format is told by ?format, else by the content',
      scope: 'entries:write',
      query: ImportQuery,
      body: ImportBody,
      bodyKinds: ['text', 'json'],
      response: { status: 200, schema: ImportSummary, description: 'what was imported, updated, skipped or failed' },
      handle: ({ core, caller, params, query, body, bodyKind }) => {
        const content = bodyKind === 'text' ? String(body ?? '') : parseInput(ImportBody, body).content;
        const summary = core.projects.importEnv(
          caller,
          params.name!,
          (query.environment as string | undefined) ?? 'development',
          content,
          (query.mode as ImportMode | undefined) ?? 'upsert',
          query.format as ImportFormat | undefined,
        );
        return { json: summary };
      },
    },
    {
      method: 'GET',
      path: '/api/audit',
      summary: 'The audit log, newest first',
      scope: 'audit:read',
      query: AuditQuery,
      response: { status: 200, schema: z.array(AuditEvent), description: 'events' },
      handle: ({ core, caller, query }) => {
        const { items, total } = core.audit.list(query as AuditQuery, caller);
        return { json: items, headers: { 'x-total-count': String(total) } };
      },
    },
    {
      method: 'POST',
      path: '/api/lock',
      summary: 'Lock the vault',
      scope: 'vault:lock',
      response: { status: 204, description: 'locked' },
      handle: ({ core, caller }) => {
        core.vault.lock(caller);
        return noContent;
      },
    },
    {
      method: 'POST',
      path: '/api/unlock',
      summary: 'Unlock the vault with the master password: 409 if already unlocked; one attempt at a time, at most 10 wrong passwords a minute (then 429)',
      scope: 'vault:lock',
      whileLocked: true,
      body: UnlockBody,
      response: { status: 204, description: 'unlocked' },
      // The server admits attempts one at a time and counts them; see server.ts and throttle.ts.
      handle: async ({ core, caller, token, body }) => {
        const { password, acceptRollback } = parseInput(UnlockBody, body);
        await core.vault.unlock(caller, password, { acceptRollback });
        // A locked owner cannot read a token's sealed scopes before the unlock: check them now,
        // and lock again if this token may not unlock.
        const scopes = core.tokens.list().find((t) => t.id === token?.id)?.scopes ?? [];
        if (!scopes.includes('vault:lock')) {
          core.vault.lock(caller);
          throw new KeydenError('SCOPE_REQUIRED', 'this token lacks the vault:lock scope', { scope: 'vault:lock' });
        }
        return noContent;
      },
    },
    {
      method: 'POST',
      path: '/api/auth/requests',
      summary: 'Ask the user for a token (keyden login); at most 5 a minute',
      scope: 'none',
      body: LoginRequestInput,
      response: { status: 201, schema: LoginRequestCreated, description: 'the request; show `code` to the user' },
      handle: ({ core, body }) => {
        if (!core.approvals.hasApprover) {
          throw new KeydenError('REQUEST_DENIED', 'this Keyden has no desktop app to approve logins; create a token with "keyden token create"', { approver: false });
        }
        return { status: 201, json: core.approvals.request(body as LoginRequestInput) };
      },
    },
    {
      method: 'GET',
      path: '/api/auth/requests/{id}/wait',
      summary: 'Long-poll (up to 30 s) for the token of an approved request: 200 once, 202 still pending, 403 denied, 404 unknown',
      scope: 'none',
      query: WaitQuery,
      response: { status: 200, schema: ApprovedToken, description: 'the token, handed out once' },
      handle: async ({ core, params, query }) => {
        const result = await core.approvals.wait(params.id!, query.secret as string, ((query.timeout as number | undefined) ?? 30) * 1000);
        return result ? { json: result } : { status: 202, json: { status: 'pending' } };
      },
    },
  ];
}

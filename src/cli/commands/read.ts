// Commands that read: status, list, get, categories, audit.
import { ApiClient } from '../client.js';
import { ApiError, CliError, EXIT } from '../errors.js';
import { formatTable, shortTime, writeErrLines, writeJson, writeLines, writeOut } from '../output.js';
import type { GetOptions } from '../fast-get.js';
import { formatRef, listFor, parseRef, pickRef } from '../ref.js';
import type { AuditEvent, CallerToken, Category, EntryWithCategory, Health, Revealed } from '../types.js';

type Nullable<T> = { [K in keyof T]: T[K] | null };

export async function status(opts: { json?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const health = await api.json<Health>('GET', '/healthz', { anonymous: true });
  // While the vault is locked the owner answers with name, scopes, projects and environments null.
  let token: Nullable<CallerToken> | null = null;
  let tokenProblem: string | null = null;
  let exitCode: number = EXIT.OK;
  if (!api.token) {
    tokenProblem = 'none (run `keyden login`, or set KEYDEN_TOKEN)';
    exitCode = EXIT.UNAUTHORIZED;
  } else {
    try {
      token = await api.json<Nullable<CallerToken>>('GET', '/api/auth/token');
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      tokenProblem = `refused (${e.message})`;
      exitCode = e.exitCode;
    }
  }
  if (tokenProblem) writeErrLines(`keyden: token ${tokenProblem}`);
  if (opts.json) {
    writeJson({
      url: api.url,
      urlSource: api.urlSource,
      version: health.version,
      locked: health.locked,
      approver: health.approver,
      token,
      tokenSource: api.tokenSource,
      tokenError: tokenProblem,
    });
    return exitCode;
  }
  const lines = [
    `Owner:     ${api.url} (Keyden ${health.version}, from ${api.urlSource})`,
    `Vault:     ${health.locked ? 'locked (run `keyden unlock`)' : 'unlocked'}`,
  ];
  if (token && token.name === null) {
    // A locked owner cannot decrypt the token's name and scopes, only confirm it is valid.
    lines.push('Token:     valid (name and scopes shown once the vault is unlocked)');
  } else if (token) {
    lines.push(
      `Token:     ${token.name} (from ${api.tokenSource === 'KEYDEN_TOKEN' ? 'KEYDEN_TOKEN' : 'credentials'})`,
      `Scopes:    ${token.scopes?.join(', ') ?? '-'}`,
      `Projects:  ${token.projects?.join(', ') ?? 'all'}`,
      `Envs:      ${token.environments?.join(', ') ?? 'all'}`,
      `Expires:   ${token.expiresAt ? shortTime(token.expiresAt) : 'never'}`,
    );
  } else {
    lines.push(`Token:     ${tokenProblem ?? 'none'}`);
  }
  writeLines(...lines);
  return exitCode;
}

function variableOf(e: EntryWithCategory): string {
  if (e.envVarName) return e.envVarName;
  if (e.category.envVarName) return e.category.envVarName;
  return e.category.keyType === 'group' ? '(group)' : '-';
}

export async function list(opts: { project?: string; env?: string; category?: string; json?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const query = { project: opts.project, environment: opts.env?.toLowerCase() };
  let entries = await api.json<EntryWithCategory[]>('GET', '/api/entries', { query });
  if (opts.category) {
    const wanted = opts.category.toLowerCase();
    entries = entries.filter((e) => e.category.name.toLowerCase() === wanted || e.categoryId === wanted);
  }
  entries.sort((a, b) => formatRef(a).localeCompare(formatRef(b)));
  if (opts.json) {
    writeJson(entries);
    return EXIT.OK;
  }
  const rows = entries.map((e) => [formatRef(e), variableOf(e), shortTime(e.updatedAt), e.expiresAt ? shortTime(e.expiresAt) : '-', e.id]);
  writeOut(formatTable(['REF', 'VARIABLE', 'UPDATED', 'EXPIRES', 'ID'], rows));
  return EXIT.OK;
}

export async function get(refText: string, opts: GetOptions): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const ref = parseRef(refText, opts);
  // An id needs no lookup: reveal directly (one request); any other ref one filtered list.
  const id = ref.kind === 'id' ? ref.id : pickRef(refText, ref, await listFor(api, ref)).id;
  const revealed =
    opts.version === undefined
      ? await api.json<Revealed>('POST', `/api/entries/${id}/reveal`)
      : { ...(await api.json<Pick<Revealed, 'value'>>('POST', `/api/entries/${id}/versions/${opts.version}/reveal`)), id };
  const end = opts.newline ? '\n' : '';
  const value = revealed.value;
  if (opts.field !== undefined) {
    if (typeof value === 'string') throw new CliError(`${refText} is a simple entry: it has no fields (drop --field)`, EXIT.USAGE);
    const field = pickField(value, opts.field, refText);
    if (opts.json) writeJson({ [field]: value[field] });
    else writeOut(`${value[field]}${end}`);
    return EXIT.OK;
  }
  if (opts.json) {
    writeJson(revealed);
    return EXIT.OK;
  }
  if (typeof value !== 'string') {
    throw new CliError(`${refText} is a group entry: use --field with one of ${Object.keys(value).join(', ')} (or --json for all)`, EXIT.USAGE);
  }
  writeOut(`${value}${end}`);
  return EXIT.OK;
}

/** The field named exactly, else the one that matches case-insensitively. */
function pickField(value: Record<string, string>, name: string, refText: string): string {
  if (Object.hasOwn(value, name)) return name;
  const matches = Object.keys(value).filter((k) => k.toLowerCase() === name.toLowerCase());
  if (matches.length === 1 && matches[0]) return matches[0];
  throw new CliError(`${refText} has no field ${name}: its fields are ${Object.keys(value).join(', ')}`, EXIT.NOT_FOUND);
}

export async function categories(opts: { json?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const list = await api.json<Category[]>('GET', '/api/categories');
  list.sort((a, b) => a.name.localeCompare(b.name));
  if (opts.json) {
    writeJson(list);
    return EXIT.OK;
  }
  const rows = list.map((c) => [c.name, c.keyType, c.keyType === 'group' ? c.fields.join(', ') : (c.envVarName ?? '-'), c.id]);
  writeOut(formatTable(['NAME', 'TYPE', 'VARIABLES', 'ID'], rows));
  return EXIT.OK;
}

export interface AuditOptions {
  limit: string;
  offset?: string;
  action?: string;
  from?: string;
  to?: string;
  actor?: string;
  target?: string;
  json?: boolean;
}

export async function audit(opts: AuditOptions): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const events = await api.json<AuditEvent[]>('GET', '/api/audit', {
    query: { limit: opts.limit, offset: opts.offset, action: opts.action, from: opts.from, to: opts.to, actor: opts.actor, target: opts.target },
  });
  if (opts.json) {
    writeJson(events);
    return EXIT.OK;
  }
  const rows = events.map((e) => [
    e.at.replace('T', ' ').slice(0, 19),
    describeActor(e),
    e.action,
    e.ok ? 'ok' : 'FAILED',
    describeTarget(e),
  ]);
  writeOut(formatTable(['AT', 'ACTOR', 'ACTION', 'RESULT', 'TARGET'], rows));
  return EXIT.OK;
}

/** `token "ci-deploy"` for a token the owner knows; the CLI that opened the file says so. */
function describeActor(e: AuditEvent): string {
  if (e.actorName !== null && e.actorName !== undefined) return `token "${e.actorName}"`;
  if (e.actor === 'cli') return 'cli (opened the file)';
  return e.actor;
}

function describeTarget(e: AuditEvent): string {
  const detail = e.detail ?? {};
  if (e.action === 'api.denied') {
    // Which call was refused and why, with how many such calls the row stands for.
    const route = typeof detail.route === 'string' ? detail.route : 'a call';
    const reason = detail.reason === 'scope' && typeof detail.scope === 'string' ? `lacks ${detail.scope}` : typeof detail.reason === 'string' ? detail.reason : 'refused';
    const count = typeof detail.count === 'number' && detail.count > 1 ? ` ×${detail.count}` : '';
    return `${route}: ${reason}${count}`;
  }
  const project = typeof detail.project === 'string' ? detail.project : null;
  const environment = typeof detail.environment === 'string' ? detail.environment : null;
  if (project) return environment ? `${project}/${environment}` : project;
  return e.targetName ?? e.targetId ?? '-';
}


// The session with the owner: lock, unlock, login (the approval flow of DESIGN §4), logout.
import { unlinkSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { ApiClient } from '../client.js';
import { ApiError, CliError, EXIT } from '../errors.js';
import { writeErrLines, writeLines, writeOut } from '../output.js';
import { readPassword } from '../stdin.js';
import { credentialsPath, ensureHome, keydenHome, writePrivateFile } from '../../main/home.js';
import type { CallerToken, Health } from '../types.js';
import { SCOPES, type Scope } from '../../shared/model.js';

export async function lock(): Promise<number> {
  const api = ApiClient.fromEnvironment();
  await api.request('POST', '/api/lock');
  writeOut('Vault locked\n');
  return EXIT.OK;
}

export async function unlock(opts: { passwordStdin?: boolean; acceptRollback?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  api.requireToken(); // before asking for the password
  // Asked first without a password: a token the owner refuses (unknown, or without vault:lock) is
  // told so before anyone types one. The owner checks the token before the body, which it then
  // refuses as incomplete (400) without counting an attempt.
  try {
    await api.request('POST', '/api/unlock', { json: {} });
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'VALIDATION_FAILED')) throw e;
  }
  const password = await readPassword(opts.passwordStdin);
  try {
    await api.request('POST', '/api/unlock', { json: { password, ...(opts.acceptRollback ? { acceptRollback: true } : {}) }, timeoutMs: 120_000 });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'INVALID_PASSWORD') throw new CliError('wrong master password', EXIT.UNAUTHORIZED);
    if (e instanceof ApiError && e.code === 'VAULT_ROLLED_BACK') {
      throw new CliError(`${e.message.replace(/; if you restored.*$/, '')}; if you restored it from a backup, run \`keyden unlock --accept-rollback\``, EXIT.CONFLICT);
    }
    throw e;
  }
  writeOut('Vault unlocked\n');
  return EXIT.OK;
}

const WAIT_TIMEOUT_MS = 40_000;

export async function login(opts: { scopes: string; project?: string[]; env?: string[]; name?: string }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const health = await api.json<Health>('GET', '/healthz', { anonymous: true });
  if (!health.approver) {
    throw new CliError(
      `no desktop app at ${api.url} can approve a login (a headless owner): create a token there with \`keyden token create\` and set KEYDEN_TOKEN`,
      EXIT.ERROR,
    );
  }
  const scopes = parseScopes(opts.scopes);
  const clientName = opts.name ?? `keyden CLI (${safeUser()}@${hostname()})`;
  const request = await api.json<{ id: string; secret: string; code: string }>('POST', '/api/auth/requests', {
    anonymous: true,
    json: {
      clientName,
      scopes,
      ...(opts.project?.length ? { projects: opts.project } : {}),
      ...(opts.env?.length ? { environments: opts.env.map((e) => e.toLowerCase()) } : {}),
    },
  });
  writeErrLines(`Approve this request in Keyden: code ${request.code} (${clientName}; ${scopes.join(', ')})`, 'Waiting…');
  let token: string | null = null;
  while (token === null) {
    const response = await api.request('GET', `/api/auth/requests/${encodeURIComponent(request.id)}/wait`, {
      anonymous: true,
      query: { secret: request.secret },
      timeoutMs: WAIT_TIMEOUT_MS,
      accept: [202],
    }).catch((e: unknown) => {
      if (e instanceof ApiError && e.code === 'REQUEST_DENIED') throw new CliError('the login request was denied in Keyden', EXIT.UNAUTHORIZED);
      if (e instanceof ApiError && e.status === 404) throw new CliError('the login request expired before it was approved: run `keyden login` again', EXIT.ERROR);
      throw e;
    });
    if (response.status === 200) {
      const body = JSON.parse(response.body.toString('utf8')) as { token?: unknown };
      if (typeof body.token !== 'string') throw new CliError('the API approved the login but sent no token', EXIT.ERROR);
      token = body.token;
    }
  }
  const verified = api.withToken(token, 'credentials');
  const info = await verified.json<CallerToken>('GET', '/api/auth/token');
  const home = keydenHome();
  ensureHome(home);
  writePrivateFile(credentialsPath(home), `${JSON.stringify({ url: api.url, token, id: info.id, name: info.name })}\n`);
  writeLines(`Logged in as ${info.name} (${info.scopes.join(', ')}); token stored in ${credentialsPath(keydenHome())}`);
  if (process.env.KEYDEN_TOKEN) process.stderr.write('keyden: note: KEYDEN_TOKEN is set and takes precedence over the stored token\n');
  return EXIT.OK;
}

export function logout(): Promise<number> {
  try {
    unlinkSync(credentialsPath(keydenHome()));
    writeOut('Stored token removed\n');
  } catch {
    writeOut('No stored token\n');
  }
  return Promise.resolve(EXIT.OK);
}

/**
 * `--scopes`: a comma-separated list of scopes, or `all`. An unknown scope is named with the
 * valid ones, before anything is asked for or sent (issue 14 item 10).
 */
export function parseScopes(text: string): Scope[] {
  const asked = splitList(text);
  if (asked.length === 1 && asked[0]!.toLowerCase() === 'all') return [...SCOPES];
  const unknown = asked.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new CliError(`unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: use all, or some of ${SCOPES.join(', ')}`, EXIT.USAGE);
  }
  if (asked.length === 0) throw new CliError(`--scopes is empty: use all, or some of ${SCOPES.join(', ')}`, EXIT.USAGE);
  return asked as Scope[];
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'user';
  }
}

// GET /api/audit: which actions are recorded, newest first, filters — and that no secret value or
// token string reaches an audit row (through the API or in the raw SQLite file) or server output.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, PASSWORD, startTestApi, type TestApi } from '../helpers/core.js';
import { CLI } from '../../src/main/core/index.js';
import type { AuditAction, AuditEvent, Category, Entry } from '../../src/shared/model.js';
import { createCategory, createEntry, expectError, unique } from './fixtures.js';

let api: TestApi;
let category: Category;
let entry: Entry;
let scopedTokenId: string;
let fullTokenId: string;
const output: string[] = [];

const SECRETS = ['sk-audit-FIRST-7c1f', 'sk-audit-SECOND-9a2e', 'sk-audit-GROUP-4d0b', 'sk-audit-IMPORTED-5e3a'];
const PROJECT = 'Audited Project';
const WRONG_PASSWORD = 'wrong-password-3f9c';
const BOGUS_TOKEN = `kdn_${'Z'.repeat(20)}bogus${'Q'.repeat(18)}`;
const tokens: string[] = [];

/** Every audit row through the API, newest first. */
async function events(query = ''): Promise<AuditEvent[]> {
  const res = await call(api, 'GET', `/api/audit${query}`);
  expect(res.status, res.text).toBe(200);
  return res.json as AuditEvent[];
}

beforeAll(async () => {
  const capture = (chunk: string | Uint8Array): boolean => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  try {
    api = await startTestApi();
    tokens.push(api.token, BOGUS_TOKEN);
    fullTokenId = ((await call(api, 'GET', '/api/auth/token')).json as { id: string }).id;
    category = await createCategory(api, { name: unique('Audited Service '), envVarName: 'AUDITED_KEY' });
    await call(api, 'PUT', `/api/categories/${category.id}`, { body: { icon: 'key' } });
    entry = await createEntry(api, { categoryId: category.id, name: PROJECT, value: SECRETS[0]! });
    await call(api, 'PUT', `/api/entries/${entry.id}`, { body: { value: SECRETS[1]! } });
    await call(api, 'POST', `/api/entries/${entry.id}/reveal`);
    await call(api, 'POST', `/api/entries/${entry.id}/versions/1/reveal`);
    await call(api, 'POST', `/api/entries/${entry.id}/versions/1/restore`);
    const group = await createCategory(api, { keyType: 'group', fields: ['AUD_ID', 'AUD_SECRET'] });
    await createEntry(api, { categoryId: group.id, name: PROJECT, value: { AUD_ID: 'id', AUD_SECRET: SECRETS[2]! } });
    await call(api, 'GET', `/api/projects/${encodeURIComponent(PROJECT)}/env?format=shell`);
    await call(api, 'POST', `/api/projects/${encodeURIComponent(PROJECT)}/import`, { text: `AUDIT_IMPORTED_VAR=${SECRETS[3]!}\n` });
    // Refused calls: no token (not recorded), a bogus one, a missing scope.
    await call(api, 'GET', '/api/entries', { token: null });
    await call(api, 'GET', '/api/entries', { token: BOGUS_TOKEN });
    const scoped = api.tokenWith(['categories:read']);
    tokens.push(scoped);
    scopedTokenId = ((await call(api, 'GET', '/api/auth/token', { token: scoped })).json as { id: string }).id;
    await call(api, 'POST', `/api/entries/${entry.id}/reveal`, { token: scoped });
    // Tokens made and revoked by the admin CLI.
    const made = api.core.tokens.create(CLI, { name: 'audited cli token', scopes: ['audit:read'] });
    tokens.push(made.secret);
    api.core.tokens.revoke(CLI, made.token.id);
    // Lock, a wrong password, the right one.
    await call(api, 'POST', '/api/lock');
    await call(api, 'POST', '/api/unlock', { body: { password: WRONG_PASSWORD } });
    await call(api, 'POST', '/api/unlock', { body: { password: PASSWORD } });
    const throwaway = await createEntry(api, { categoryId: category.id, name: unique('Deleted '), value: 'sk-audit-DELETED' });
    await call(api, 'DELETE', `/api/entries/${throwaway.id}`);
    const doomed = await createCategory(api, { name: unique('Doomed ') });
    await call(api, 'DELETE', `/api/categories/${doomed.id}`);
  } finally {
    vi.restoreAllMocks();
  }
});
afterAll(async () => {
  await api.stop();
});

describe('GET /api/audit', () => {
  it('records every audited action of the session, newest first', async () => {
    const actions = (await events()).map((e) => e.action).reverse();
    const expected: AuditAction[] = [
      'vault.create',
      'token.create',
      'category.create',
      'category.update',
      'entry.create',
      'entry.update',
      'entry.reveal',
      'entry.reveal',
      'entry.restore',
      'category.create',
      'entry.create',
      'project.export',
      'category.create',
      'entry.create',
      'project.import',
      // api.denied rows are coalesced a minute at a time: written when the minute ends or the log is read.
      'token.create',
      'token.create',
      'token.revoke',
      'vault.lock',
      'vault.unlock',
      'vault.unlock',
      'entry.create',
      'entry.trash',
      'category.create',
      'category.delete',
    ];
    // In this order, oldest first (other rows may sit between them).
    let at = 0;
    for (const action of expected) {
      const found = actions.indexOf(action, at);
      expect(found, `${action} after position ${at} in ${actions.join(', ')}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });

  it('orders events newest first', async () => {
    const list = await events();
    for (let i = 1; i < list.length; i++) {
      expect(list[i - 1]!.id).toBeGreaterThan(list[i]!.id);
      expect(list[i - 1]!.at >= list[i]!.at).toBe(true);
    }
  });

  it('names the actor: the calling token, or cli for the admin commands', async () => {
    const reveal = (await events('?action=entry.reveal'))[0]!;
    expect(reveal.actor).toBe(`token:${fullTokenId}`);
    expect(reveal.targetId).toBe(entry.id);
    const created = await events('?action=token.create');
    expect(created.some((e) => e.actor === 'cli')).toBe(true);
  });

  it("names a token actor by the token's name, and gives a limited token no other token's name", async () => {
    const reveal = (await events('?action=entry.reveal'))[0]!;
    expect(reveal.actorName).toBe(`test ${['categories:read', 'categories:write', 'entries:read', 'entries:write', 'entries:reveal', 'audit:read', 'vault:lock'].join(' ')}`);
    expect((await events('?action=vault.create'))[0]).toMatchObject({ actor: 'cli', actorName: null });
    const limited = api.tokenWith(['audit:read', 'entries:reveal'], { projects: [PROJECT] });
    tokens.push(limited);
    await call(api, 'POST', `/api/entries/${entry.id}/reveal`, { token: limited });
    const seen = (await call(api, 'GET', '/api/audit?action=entry.reveal', { token: limited })).json as AuditEvent[];
    expect(seen[0]).toMatchObject({ actorName: 'test audit:read entries:reveal' });
    const others = seen.filter((e) => e.actor !== seen[0]!.actor);
    expect(others.length).toBeGreaterThan(0);
    for (const e of others) expect(e.actorName).toBeNull();
  });

  it('records refused calls as api.denied with ok false, naming the missing scope', async () => {
    const denied = await events('?action=api.denied');
    // The bogus token and the missing scope; a request with no Authorization header is not recorded.
    expect(denied.length).toBeGreaterThanOrEqual(2);
    for (const e of denied) expect(e.ok).toBe(false);
    const scope = denied.find((e) => e.actor === `token:${scopedTokenId}`);
    expect(scope?.detail).toMatchObject({ scope: 'entries:reveal', count: 1 });
  });

  it('records a failed unlock with ok false and the next one with ok true', async () => {
    const unlocks = await events('?action=vault.unlock');
    expect(unlocks.slice(0, 2).map((e) => e.ok)).toEqual([true, false]);
  });

  it('records an export with its project, environment and format', async () => {
    const [exported] = await events('?action=project.export');
    expect(exported!.detail).toMatchObject({ project: PROJECT, environment: 'development', format: 'shell' });
  });

  it('resolves target names at read time, so a rename shows on older events', async () => {
    const name = unique('Renamed Audited ');
    await call(api, 'PUT', `/api/categories/${category.id}`, { body: { name } });
    const created = (await events('?action=category.create')).find((e) => e.targetId === category.id)!;
    expect(created.targetName).toBe(name);
    const entryCreated = (await events('?action=entry.create')).find((e) => e.targetId === entry.id)!;
    expect(entryCreated.targetName).toBe(`${name}/${PROJECT}/development`);
  });

  it('filters by action and pages with limit and offset, X-Total-Count counting all matches', async () => {
    const all = await events('?action=entry.create');
    expect(all.every((e) => e.action === 'entry.create')).toBe(true);
    const res = await call(api, 'GET', '/api/audit?action=entry.create&limit=2&offset=1');
    expect(res.json).toEqual(all.slice(1, 3));
    expect(res.headers.get('x-total-count')).toBe(String(all.length));
  });

  it('answers 400 to an unknown action or a limit over 10 000', async () => {
    expect(Object.keys(expectError(await call(api, 'GET', '/api/audit?action=entry.steal'), 400, 'VALIDATION_FAILED').details)).toContain('action');
    expect(Object.keys(expectError(await call(api, 'GET', '/api/audit?limit=10001'), 400, 'VALIDATION_FAILED').details)).toContain('limit');
  });

  it('needs the audit:read scope', async () => {
    const res = await call(api, 'GET', '/api/audit', { token: api.tokenWith(['entries:read', 'entries:reveal', 'categories:read']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('audit:read');
  });

  it('answers 423 while the vault is locked', async () => {
    const own = await startTestApi();
    try {
      await call(own, 'POST', '/api/lock');
      expectError(await call(own, 'GET', '/api/audit'), 423, 'VAULT_LOCKED');
    } finally {
      await own.stop();
    }
  });
});

describe('no secret in the audit', () => {
  const forbidden = (): string[] => [...SECRETS, 'sk-audit-DELETED', WRONG_PASSWORD, PASSWORD, ...tokens, ...tokens.map((t) => t.slice(4))];

  it('holds no secret value, password or token string in any event the API returns', async () => {
    const text = (await call(api, 'GET', '/api/audit')).text;
    for (const secret of forbidden()) expect(text, secret).not.toContain(secret);
  });

  it('holds none in any raw SQLite audit row, nor anywhere in the vault file', async () => {
    const db = new Database(api.vaultPath, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT id, at, actor, action, target_id, ok, detail FROM audit').all() as Record<string, unknown>[];
      expect(rows.length).toBeGreaterThan(20);
      const raw = rows
        .map((r) => Object.values(r).map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') + Buffer.from(v).toString('utf8') : String(v))).join('|'))
        .join('\n');
      for (const secret of forbidden()) expect(raw, secret).not.toContain(secret);
      // Details are sealed: not even the project name shows in plaintext.
      expect(raw).not.toContain(PROJECT);
    } finally {
      db.close();
    }
    for (const file of [api.vaultPath, `${api.vaultPath}-wal`]) {
      if (!fs.existsSync(file)) continue;
      const bytes = fs.readFileSync(file).toString('latin1');
      for (const secret of forbidden()) expect(bytes.includes(secret), `${secret} in ${file}`).toBe(false);
    }
  });

  it('wrote no secret value or token string to server output', () => {
    const text = output.join('');
    for (const secret of forbidden()) expect(text, secret).not.toContain(secret);
  });
});

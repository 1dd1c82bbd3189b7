// Bearer tokens: 401, the failed-authentication throttle (429), the lock (423), scopes (403),
// and tokens limited to projects and environments (404 as if absent).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import dotenv from 'dotenv';
import { call, PASSWORD, startTestApi, TEST_KDF, type TestApi } from '../helpers/core.js';
import { CLI, openKeydenCore } from '../../src/main/core/index.js';
import { routes } from '../../src/main/api/routes.js';
import { SCOPES, type Entry, type EntryWithCategory, type Project, type Scope } from '../../src/shared/model.js';
import { createCategory, createEntry, expectError, MISSING_ID } from './fixtures.js';

let api: TestApi;

// A fresh server per test: the throttle counts failures per server.
beforeEach(async () => {
  api = await startTestApi();
});
afterEach(async () => {
  vi.useRealTimers();
  await api.stop();
});

const BAD_TOKEN = `kdn_${'A'.repeat(43)}`;

async function tokenId(secret: string): Promise<string> {
  const res = await call(api, 'GET', '/api/auth/token', { token: secret });
  expect(res.status, res.text).toBe(200);
  return (res.json as { id: string }).id;
}

async function failAuthentications(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await call(api, 'GET', '/api/categories', { token: BAD_TOKEN });
    expect(res.status, `failure ${i + 1}`).toBe(401);
  }
}

function expectNoCors(res: { headers: Headers }): void {
  expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
}

describe('authentication', () => {
  it.each([
    ['no Authorization header', null],
    ['a malformed token', 'not-a-token'],
    ['a well-formed but unknown token', BAD_TOKEN],
    ['a token one character short', `kdn_${'A'.repeat(42)}`],
  ])('answers 401 UNAUTHORIZED with WWW-Authenticate: Bearer to %s', async (_what, token) => {
    const res = await call(api, 'GET', '/api/categories', { token });
    expectError(res, 401, 'UNAUTHORIZED');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expectNoCors(res);
    if (token) expect(res.text).not.toContain(token);
  });

  it('answers 401 to a valid token sent with another scheme', async () => {
    const res = await call(api, 'GET', '/api/categories', { token: null, headers: { authorization: `Basic ${api.token}` } });
    expectError(res, 401, 'UNAUTHORIZED');
  });

  it('answers 401 to a revoked token saying when it was revoked, also while the vault is locked', async () => {
    const secret = api.tokenWith(['categories:read']);
    expect((await call(api, 'GET', '/api/categories', { token: secret })).status).toBe(200);
    const id = await tokenId(secret);
    api.core.tokens.revoke(CLI, id);
    const revokedAt = api.core.tokens.list().find((t) => t.id === id)!.revokedAt!;
    const refused = expectError(await call(api, 'GET', '/api/categories', { token: secret }), 401, 'UNAUTHORIZED');
    expect(refused.error).toBe(`this token was revoked at ${revokedAt}`);
    expect(refused.details).toEqual({ revokedAt });
    await call(api, 'POST', '/api/lock');
    expect(expectError(await call(api, 'POST', '/api/unlock', { token: secret, body: { password: PASSWORD } }), 401, 'UNAUTHORIZED').details).toEqual({ revokedAt });
    expectError(await call(api, 'GET', '/api/auth/token', { token: secret }), 401, 'UNAUTHORIZED');
  });

  it('answers 401 to a token once it has expired', async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const { secret } = api.core.tokens.create(CLI, { name: 'short-lived', scopes: ['categories:read'], expiresAt });
    expect((await call(api, 'GET', '/api/categories', { token: secret })).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 3600_000 });
    const refused = expectError(await call(api, 'GET', '/api/categories', { token: secret }), 401, 'UNAUTHORIZED');
    expect(refused.error).toBe(`this token expired at ${expiresAt}`);
    expect(refused.details).toEqual({ expiredAt: expiresAt });
    // A string the owner never issued gets no such detail.
    expect(expectError(await call(api, 'GET', '/api/categories', { token: BAD_TOKEN }), 401, 'UNAUTHORIZED').details).toEqual({});
    expect((await call(api, 'GET', '/api/categories')).status).toBe(200);
  });

  it('serves a token created by an admin command beside the running owner, and refuses it once revoked there', async () => {
    const admin = openKeydenCore({ vaultPath: api.vaultPath, role: 'admin', unsafeTestKdf: TEST_KDF });
    try {
      await admin.vault.unlock(CLI, PASSWORD);
      const created = admin.tokens.create(CLI, { name: 'from admin', scopes: ['categories:read'] });
      expect((await call(api, 'GET', '/api/categories', { token: created.secret })).status).toBe(200);
      admin.tokens.revoke(CLI, created.token.id);
      expectError(await call(api, 'GET', '/api/categories', { token: created.secret }), 401, 'UNAUTHORIZED');
    } finally {
      admin.close();
    }
  });
});

describe('GET /api/auth/token', () => {
  it('describes the calling token without its secret', async () => {
    const secret = api.tokenWith(['entries:read', 'entries:reveal'], { projects: ['Blog'], environments: ['production'] });
    expect(secret).toMatch(/^kdn_[A-Za-z0-9_-]{43}$/);
    const res = await call(api, 'GET', '/api/auth/token', { token: secret });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      scopes: ['entries:read', 'entries:reveal'],
      projects: ['Blog'],
      environments: ['production'],
      expiresAt: null,
      locked: false,
    });
    expect(res.text).not.toContain(secret);
    expect(res.text).not.toContain(secret.slice(4));
  });

  it('is served while the vault is locked, says only that, and needs a valid token', async () => {
    await call(api, 'POST', '/api/lock');
    const res = await call(api, 'GET', '/api/auth/token');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: null, name: null, scopes: null, projects: null, environments: null, expiresAt: null, locked: true });
    expectError(await call(api, 'GET', '/api/auth/token', { token: BAD_TOKEN }), 401, 'UNAUTHORIZED');
  });
});

describe('the failed-authentication throttle', () => {
  it('answers 429 RATE_LIMITED with Retry-After once 10 authentications failed within a minute', async () => {
    await failAuthentications(10);
    const res = await call(api, 'GET', '/api/categories', { token: BAD_TOKEN });
    expectError(res, 429, 'RATE_LIMITED');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expectNoCors(res);
    // A request with no Authorization header is 401 and counts toward no budget.
    expectError(await call(api, 'GET', '/api/entries', { token: null }), 401, 'UNAUTHORIZED');
  });

  it('still serves a valid token while failing ones are throttled', async () => {
    await failAuthentications(10);
    expect((await call(api, 'GET', '/api/categories', { token: BAD_TOKEN })).status).toBe(429);
    expect((await call(api, 'GET', '/api/categories')).status).toBe(200);
    expect((await call(api, 'GET', '/api/categories', { token: BAD_TOKEN })).status).toBe(429);
    expect((await call(api, 'GET', '/api/auth/token')).status).toBe(200);
  });

  it('refuses every unlock attempt with 429 before trying the password once 10 passwords failed, the right one too', async () => {
    await call(api, 'POST', '/api/lock');
    for (let i = 0; i < 10; i++) expectError(await call(api, 'POST', '/api/unlock', { body: { password: `wrong password ${i}` } }), 401, 'INVALID_PASSWORD');
    const res = await call(api, 'POST', '/api/unlock', { body: { password: PASSWORD } });
    expectError(res, 429, 'RATE_LIMITED');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await call(api, 'GET', '/healthz', { token: null })).json).toMatchObject({ locked: true });
  });

  it('keeps failed tokens and failed passwords in separate budgets', async () => {
    await call(api, 'POST', '/api/lock');
    for (let i = 0; i < 10; i++) expectError(await call(api, 'POST', '/api/unlock', { body: { password: `wrong password ${i}` } }), 401, 'INVALID_PASSWORD');
    expectError(await call(api, 'GET', '/api/categories', { token: BAD_TOKEN }), 401, 'UNAUTHORIZED');
    await failAuthentications(9);
    expectError(await call(api, 'GET', '/api/categories', { token: BAD_TOKEN }), 429, 'RATE_LIMITED');
    expect((await call(api, 'GET', '/healthz', { token: null })).json).toMatchObject({ locked: true });
  });

  it('unlocks with a valid token and the right password while failing tokens are throttled', async () => {
    await call(api, 'POST', '/api/lock');
    await failAuthentications(10);
    expect((await call(api, 'POST', '/api/unlock', { body: { password: PASSWORD } })).status).toBe(204);
  });

  it('lets failing tokens have 401 again and unlocks work once the minute has passed', async () => {
    await api.stop();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    api = await startTestApi();
    await call(api, 'POST', '/api/lock');
    await failAuthentications(10);
    for (let i = 0; i < 10; i++) await call(api, 'POST', '/api/unlock', { body: { password: `wrong password ${i}` } });
    expectError(await call(api, 'POST', '/api/unlock', { body: { password: PASSWORD } }), 429, 'RATE_LIMITED');
    vi.setSystemTime(Date.now() + 61_000);
    expectError(await call(api, 'GET', '/api/categories', { token: BAD_TOKEN }), 401, 'UNAUTHORIZED');
    expect((await call(api, 'POST', '/api/unlock', { body: { password: PASSWORD } })).status).toBe(204);
  });

  it('keeps serving the routes that need no token while failing tokens are throttled', async () => {
    await failAuthentications(10);
    expect((await call(api, 'GET', '/healthz', { token: BAD_TOKEN })).status).toBe(200);
    expect((await call(api, 'GET', '/api/openapi.json', { token: null })).status).toBe(200);
    expectError(await call(api, 'GET', '/api/categories', { token: BAD_TOKEN }), 429, 'RATE_LIMITED');
  });

  it('does not count requests to routes that need no token', async () => {
    for (let i = 0; i < 12; i++) expect((await call(api, 'GET', '/healthz', { token: BAD_TOKEN })).status).toBe(200);
    expectError(await call(api, 'GET', '/api/categories', { token: BAD_TOKEN }), 401, 'UNAUTHORIZED');
  });
});

describe('the lock', () => {
  it('answers 423 VAULT_LOCKED to a valid token on data routes while locked', async () => {
    expect((await call(api, 'POST', '/api/lock')).status).toBe(204);
    const res = await call(api, 'GET', '/api/categories');
    expectError(res, 423, 'VAULT_LOCKED');
    expectNoCors(res);
    expectError(await call(api, 'GET', '/api/audit'), 423, 'VAULT_LOCKED');
  });

  it('serves only /api/unlock and /api/auth/token while locked', async () => {
    expect((await call(api, 'POST', '/api/lock')).status).toBe(204);
    expectError(await call(api, 'POST', '/api/lock'), 423, 'VAULT_LOCKED');
    expect((await call(api, 'GET', '/api/auth/token')).status).toBe(200);
    const unlocked = await call(api, 'POST', '/api/unlock', { body: { password: PASSWORD } });
    expect(unlocked.status, unlocked.text).toBe(204);
    expect(unlocked.text).toBe('');
    expect((await call(api, 'GET', '/api/categories')).status).toBe(200);
    expect((await call(api, 'GET', '/healthz', { token: null })).json).toMatchObject({ locked: false });
  });

  it('POST /api/lock locks the vault for every client and needs the vault:lock scope', async () => {
    expectError(await call(api, 'POST', '/api/lock', { token: null }), 401, 'UNAUTHORIZED');
    expectError(await call(api, 'POST', '/api/lock', { token: api.tokenWith(['audit:read']) }), 403, 'SCOPE_REQUIRED');
    expect((await call(api, 'GET', '/healthz', { token: null })).json).toMatchObject({ locked: false });
    const other = api.tokenWith(['categories:read']);
    expect((await call(api, 'POST', '/api/lock', { token: api.tokenWith(['vault:lock']) })).status).toBe(204);
    expectError(await call(api, 'GET', '/api/categories', { token: other }), 423, 'VAULT_LOCKED');
  });

  it('POST /api/unlock answers 401 INVALID_PASSWORD to a wrong password and stays locked', async () => {
    await call(api, 'POST', '/api/lock');
    expectError(await call(api, 'POST', '/api/unlock', { body: { password: 'not the password' } }), 401, 'INVALID_PASSWORD');
    expectError(await call(api, 'GET', '/api/categories'), 423, 'VAULT_LOCKED');
  });

  it('POST /api/unlock answers 400 to a missing password, 415 to a non-JSON body, 401 without a token', async () => {
    await call(api, 'POST', '/api/lock');
    expect(Object.keys(expectError(await call(api, 'POST', '/api/unlock', { body: {} }), 400, 'VALIDATION_FAILED').details)).toContain('password');
    expectError(await call(api, 'POST', '/api/unlock', { text: PASSWORD }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await call(api, 'POST', '/api/unlock', { token: null, body: { password: PASSWORD } }), 401, 'UNAUTHORIZED');
    expectError(await call(api, 'GET', '/api/categories'), 423, 'VAULT_LOCKED');
  });

  it('POST /api/unlock on an open vault answers 409 CONFLICT without trying the password', async () => {
    expectError(await call(api, 'POST', '/api/unlock', { body: { password: PASSWORD } }), 409, 'CONFLICT');
    expectError(await call(api, 'POST', '/api/unlock', { body: { password: 'not the password' } }), 409, 'CONFLICT');
    expect((await call(api, 'GET', '/api/categories')).status).toBe(200);
  });

  it('POST /api/unlock by a token without vault:lock leaves the vault locked', async () => {
    const weak = api.tokenWith(['entries:read']);
    await call(api, 'POST', '/api/lock');
    expectError(await call(api, 'POST', '/api/unlock', { token: weak, body: { password: PASSWORD } }), 403, 'SCOPE_REQUIRED');
    expect((await call(api, 'GET', '/healthz', { token: null })).json).toMatchObject({ locked: true });
  });
});

describe('scopes', () => {
  const sample = (p: string): string =>
    p.replace('{id}', MISSING_ID).replace('{version}', '1').replace('{name}', 'Some%20Project');
  const scoped = routes().filter((r): r is typeof r & { scope: Scope } => (SCOPES as readonly string[]).includes(r.scope));

  it('covers every scope with at least one route', () => {
    expect(new Set(scoped.map((r) => r.scope))).toEqual(new Set(SCOPES));
  });

  it.each(scoped.map((r) => [`${r.method} ${r.path}`, r] as const))('%s answers 403 SCOPE_REQUIRED naming its scope to a token without it', async (_name, route) => {
    const token = api.tokenWith(SCOPES.filter((s) => s !== route.scope));
    const res = await call(api, route.method, sample(route.path), { token, ...(route.body ? { body: {} } : {}) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe(route.scope);
    expectNoCors(res);
  });

  it.each(scoped.map((r) => [`${r.method} ${r.path}`, r] as const))('%s passes the scope guard for a token with only its scope', async (_name, route) => {
    const res = await call(api, route.method, sample(route.path), { token: api.tokenWith([route.scope]), ...(route.body ? { body: {} } : {}) });
    expect((res.json as { code?: string } | null)?.code).not.toBe('SCOPE_REQUIRED');
    expect(res.status).not.toBe(401);
  });

  it('lets any valid token, whatever its scopes, call /api/auth/token', async () => {
    for (const scope of SCOPES) expect((await call(api, 'GET', '/api/auth/token', { token: api.tokenWith([scope]) })).status).toBe(200);
  });
});

describe('a token limited to projects and environments', () => {
  let blogProd: Entry;
  let blogDev: Entry;
  let shopProd: Entry;
  let limited: string;

  beforeEach(async () => {
    const openai = await createCategory(api, { envVarName: 'OPENAI_API_KEY' });
    const stripe = await createCategory(api, { envVarName: 'STRIPE_KEY' });
    blogProd = await createEntry(api, { categoryId: openai.id, name: 'Blog', environment: 'production', value: 'sk-blog-prod' });
    await createEntry(api, { categoryId: stripe.id, name: 'Blog', environment: 'production', value: 'sk-blog-stripe' });
    blogDev = await createEntry(api, { categoryId: openai.id, name: 'Blog', environment: 'development', value: 'sk-blog-dev-HIDDEN' });
    shopProd = await createEntry(api, { categoryId: openai.id, name: 'Shop', environment: 'production', value: 'sk-shop-prod-HIDDEN' });
    limited = api.tokenWith(['entries:read', 'entries:write', 'entries:reveal'], { projects: ['blog'], environments: ['production'] });
  });

  it('lists only its entries, with X-Total-Count counting only those', async () => {
    const res = await call(api, 'GET', '/api/entries', { token: limited });
    const ids = (res.json as EntryWithCategory[]).map((e) => e.id);
    expect(ids).toHaveLength(2);
    expect(ids).toContain(blogProd.id);
    expect(ids).not.toContain(blogDev.id);
    expect(ids).not.toContain(shopProd.id);
    expect(res.headers.get('x-total-count')).toBe('2');
    const searched = await call(api, 'GET', '/api/entries?q=shop', { token: limited });
    expect(searched.json).toEqual([]);
  });

  it('lists only its projects and environments', async () => {
    const res = await call(api, 'GET', '/api/projects', { token: limited });
    expect(res.json as Project[]).toEqual([{ name: 'Blog', description: null, environments: { production: 2 }, entryCount: 2, template: [] }]);
  });

  it('exports only its own variables, and another project is 404', async () => {
    expect(dotenv.parse((await call(api, 'GET', '/api/projects/Blog/env?environment=production', { token: limited })).text)).toEqual({
      OPENAI_API_KEY: 'sk-blog-prod',
      STRIPE_KEY: 'sk-blog-stripe',
    });
    expectError(await call(api, 'GET', '/api/projects/Shop/env?environment=production', { token: limited }), 404, 'NOT_FOUND');
    const dev = await call(api, 'GET', '/api/projects/Blog/env?environment=development', { token: limited });
    expect(dev.text).not.toContain('HIDDEN');
    expectError(dev, 404, 'NOT_FOUND');
  });

  it('gets 404 for an entry outside its limits on every entry route, and changes nothing', async () => {
    for (const e of [blogDev, shopProd]) {
      expectError(await call(api, 'GET', `/api/entries/${e.id}`, { token: limited }), 404, 'NOT_FOUND');
      expectError(await call(api, 'POST', `/api/entries/${e.id}/reveal`, { token: limited }), 404, 'NOT_FOUND');
      expectError(await call(api, 'GET', `/api/entries/${e.id}/versions`, { token: limited }), 404, 'NOT_FOUND');
      expectError(await call(api, 'POST', `/api/entries/${e.id}/versions/1/reveal`, { token: limited }), 404, 'NOT_FOUND');
      expectError(await call(api, 'POST', `/api/entries/${e.id}/versions/1/restore`, { token: limited }), 404, 'NOT_FOUND');
      expectError(await call(api, 'PUT', `/api/entries/${e.id}`, { token: limited, body: { value: 'overwritten' } }), 404, 'NOT_FOUND');
      expectError(await call(api, 'DELETE', `/api/entries/${e.id}`, { token: limited }), 404, 'NOT_FOUND');
    }
    expect((await call(api, 'POST', `/api/entries/${shopProd.id}/reveal`)).json).toMatchObject({ value: 'sk-shop-prod-HIDDEN' });
    expect((await call(api, 'POST', `/api/entries/${blogDev.id}/reveal`)).json).toMatchObject({ value: 'sk-blog-dev-HIDDEN' });
  });

  it('reads and reveals its own entries', async () => {
    expect((await call(api, 'GET', `/api/entries/${blogProd.id}`, { token: limited })).status).toBe(200);
    expect((await call(api, 'POST', `/api/entries/${blogProd.id}/reveal`, { token: limited })).json).toMatchObject({ value: 'sk-blog-prod' });
  });

  it('is refused with 403 SCOPE_REQUIRED when it creates, moves or imports entries outside its limits', async () => {
    const c = await createCategory(api);
    const created = await call(api, 'POST', '/api/entries', { token: limited, body: { categoryId: c.id, name: 'Shop', environment: 'production', value: 'x' } });
    expectError(created, 403, 'SCOPE_REQUIRED');
    const moved = await call(api, 'PUT', `/api/entries/${blogProd.id}`, { token: limited, body: { name: 'Shop' } });
    expectError(moved, 403, 'SCOPE_REQUIRED');
    const imported = await call(api, 'POST', '/api/projects/Shop/import?environment=production', { token: limited, text: 'LIMITED_IMPORT=x\n' });
    expectError(imported, 403, 'SCOPE_REQUIRED');
    const shop = (await call(api, 'GET', '/api/entries?project=Shop')).json as Entry[];
    expect(shop.map((e) => e.id)).toEqual([shopProd.id]);
    expect((await call(api, 'GET', `/api/entries/${blogProd.id}`)).json).toMatchObject({ name: 'Blog' });
  });

  it('imports into its own project and environment', async () => {
    const res = await call(api, 'POST', '/api/projects/Blog/import?environment=production', { token: limited, text: 'OPENAI_API_KEY=sk-blog-rotated\n' });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ imported: 0, updated: 1, skipped: 0, failed: [], warnings: [] });
    expect((await call(api, 'POST', `/api/entries/${blogProd.id}/reveal`)).json).toMatchObject({ value: 'sk-blog-rotated' });
  });

  it('limited to environments only, sees every project in those environments', async () => {
    const prodOnly = api.tokenWith(['entries:read'], { environments: ['production'] });
    const ids = ((await call(api, 'GET', '/api/entries', { token: prodOnly })).json as Entry[]).map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining([blogProd.id, shopProd.id]));
    expect(ids).not.toContain(blogDev.id);
  });
});

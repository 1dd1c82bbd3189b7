// `keyden login` over the API: a client asks, the user approves (a core call until the desktop
// app exists), the client collects its token once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call, startTestApi, type TestApi } from '../helpers/core.js';
import { APP } from '../../src/main/core/index.js';
import { expectError, MISSING_ID } from './fixtures.js';

let api: TestApi;

// A fresh server per test: login requests are limited to five a minute per server.
beforeEach(async () => {
  api = await startTestApi({ approver: true });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await api.stop();
});

interface Created {
  id: string;
  secret: string;
  code: string;
}

async function ask(body: Record<string, unknown> = { clientName: 'keyden CLI on laptop', scopes: ['entries:read', 'entries:reveal'] }): Promise<Created> {
  const res = await call(api, 'POST', '/api/auth/requests', { token: null, body });
  expect(res.status, res.text).toBe(201);
  return res.json as Created;
}

const waitPath = (r: { id: string; secret: string }, timeout = 0): string =>
  `/api/auth/requests/${encodeURIComponent(r.id)}/wait?secret=${encodeURIComponent(r.secret)}&timeout=${timeout}`;

describe('POST /api/auth/requests', () => {
  it('needs no token and answers with an id, a secret and a code to show the user', async () => {
    const created = await ask();
    expect(created.id).toEqual(expect.any(String));
    expect(created.secret.length).toBeGreaterThanOrEqual(32);
    expect(created.code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  });

  it('puts the client name, scopes, limits and code before the approver', async () => {
    const created = await ask({ clientName: 'deploy script', scopes: ['entries:read'], projects: ['Blog'], environments: ['production'] });
    const pending = api.core.approvals.pending().find((p) => p.id === created.id);
    expect(pending).toMatchObject({ clientName: 'deploy script', scopes: ['entries:read'], projects: ['Blog'], environments: ['production'], code: created.code });
  });

  it.each([
    ['no client name', { scopes: ['entries:read'] }, 'clientName'],
    ['a client name with a control character', { clientName: 'bad\u0007name', scopes: ['entries:read'] }, 'clientName'],
    ['no scopes', { clientName: 'x', scopes: [] }, 'scopes'],
    ['an unknown scope', { clientName: 'x', scopes: ['entries:steal'] }, 'scopes.0'],
    ['an invalid environment', { clientName: 'x', scopes: ['entries:read'], environments: ['Prod Env'] }, 'environments.0'],
  ])('answers 400 VALIDATION_FAILED naming the field for %s', async (_what, body, field) => {
    const res = await call(api, 'POST', '/api/auth/requests', { token: null, body });
    expect(Object.keys(expectError(res, 400, 'VALIDATION_FAILED').details)).toContain(field);
  });

  it('answers 415 to a body that is not JSON', async () => {
    expectError(await call(api, 'POST', '/api/auth/requests', { token: null, text: 'clientName=x' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('takes five requests a minute and answers the sixth 429 RATE_LIMITED with Retry-After', async () => {
    for (let i = 0; i < 5; i++) await ask();
    const res = await call(api, 'POST', '/api/auth/requests', { token: null, body: { clientName: 'sixth', scopes: ['entries:read'] } });
    expectError(res, 429, 'RATE_LIMITED');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(api.core.approvals.pending().map((p) => p.clientName)).not.toContain('sixth');
  });

  it('is refused with 403 REQUEST_DENIED where no desktop app can approve', async () => {
    const headless = await startTestApi({ approver: false });
    try {
      expect((await call(headless, 'GET', '/healthz', { token: null })).json).toMatchObject({ approver: false });
      const res = await call(headless, 'POST', '/api/auth/requests', { token: null, body: { clientName: 'x', scopes: ['entries:read'] } });
      const body = expectError(res, 403, 'REQUEST_DENIED');
      expect(body.error).toMatch(/token create/);
      expect(headless.core.approvals.pending()).toEqual([]);
    } finally {
      await headless.stop();
    }
  });
});

describe('GET /api/auth/requests/{id}/wait', () => {
  it('answers 202 while the request is pending', async () => {
    const created = await ask();
    const res = await call(api, 'GET', waitPath(created), { token: null });
    expect(res.status).toBe(202);
    expect(res.text).not.toContain('kdn_');
  });

  it('hands out the approved token once, with the scopes and limits asked for, expiring in 12 hours', async () => {
    const created = await ask({ clientName: 'approved client', scopes: ['entries:read'], projects: ['Blog'], environments: ['staging'] });
    api.core.approvals.approve(APP, created.id);
    const res = await call(api, 'GET', waitPath(created), { token: null });
    expect(res.status, res.text).toBe(200);
    const { token } = res.json as { token: string };
    expect(token).toMatch(/^kdn_[A-Za-z0-9_-]{43}$/);
    const me = await call(api, 'GET', '/api/auth/token', { token });
    expect(me.status).toBe(200);
    const described = me.json as { name: string; scopes: string[]; projects: string[]; environments: string[]; expiresAt: string };
    expect(described).toMatchObject({ name: 'approved client', scopes: ['entries:read'], projects: ['Blog'], environments: ['staging'] });
    const hours = (Date.parse(described.expiresAt) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
    expectError(await call(api, 'GET', waitPath(created), { token: null }), 404, 'NOT_FOUND');
  });

  it('answers a wait already in progress once the user approves', async () => {
    const created = await ask();
    const approvals = api.core.approvals;
    const original = approvals.wait.bind(approvals);
    const entered = new Promise<void>((resolve) => {
      vi.spyOn(approvals, 'wait').mockImplementation((...args) => {
        resolve();
        return original(...args);
      });
    });
    const waiting = call(api, 'GET', waitPath(created, 20), { token: null });
    // Approve only once the server is waiting on the request.
    await entered;
    expect(approvals.pending().map((p) => p.id)).toContain(created.id);
    approvals.approve(APP, created.id);
    const res = await waiting;
    expect(res.status, res.text).toBe(200);
    expect((res.json as { token: string }).token).toMatch(/^kdn_/);
  });

  it('answers 403 REQUEST_DENIED once the user denies', async () => {
    const created = await ask();
    api.core.approvals.deny(created.id);
    expectError(await call(api, 'GET', waitPath(created), { token: null }), 403, 'REQUEST_DENIED');
  });

  it('answers 404 to a wrong secret, as for an unknown id, without spending the token', async () => {
    const created = await ask();
    api.core.approvals.approve(APP, created.id);
    const wrong = await call(api, 'GET', waitPath({ id: created.id, secret: `${created.secret.slice(0, -2)}xx` }), { token: null });
    expectError(wrong, 404, 'NOT_FOUND');
    expect(wrong.text).not.toContain('kdn_');
    expectError(await call(api, 'GET', waitPath({ id: MISSING_ID, secret: created.secret }), { token: null }), 404, 'NOT_FOUND');
    expect((await call(api, 'GET', waitPath(created), { token: null })).status).toBe(200);
  });

  it('answers 400 to a missing secret or a timeout over 30 seconds', async () => {
    const created = await ask();
    expect(Object.keys(expectError(await call(api, 'GET', `/api/auth/requests/${created.id}/wait`, { token: null }), 400, 'VALIDATION_FAILED').details)).toContain('secret');
    expect(Object.keys(expectError(await call(api, 'GET', waitPath(created, 31), { token: null }), 400, 'VALIDATION_FAILED').details)).toContain('timeout');
  });

  it('forgets a request after five minutes: its wait answers 404', async () => {
    await api.stop();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      api = await startTestApi({ approver: true });
      const created = await ask();
      expect((await call(api, 'GET', waitPath(created), { token: null })).status).toBe(202);
      vi.setSystemTime(Date.now() + 5 * 60_000 + 1000);
      expectError(await call(api, 'GET', waitPath(created), { token: null }), 404, 'NOT_FOUND');
      expect(api.core.approvals.pending()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives a token that is limited to the projects it asked for', async () => {
    const created = await ask({ clientName: 'limited', scopes: ['entries:read'], projects: ['Only This'] });
    api.core.approvals.approve(APP, created.id);
    const { token } = (await call(api, 'GET', waitPath(created), { token: null })).json as { token: string };
    expect((await call(api, 'GET', '/api/projects', { token })).json).toEqual([]);
    expectError(await call(api, 'GET', '/api/categories', { token }), 403, 'SCOPE_REQUIRED');
  });
});

// DESIGN §4's guards, in their order: Host (421), Origin (403), no CORS, size (413), content
// type (415), then the token; plus the error body, UTF-8 bodies and /healthz.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, startTestApi, type TestApi } from '../helpers/core.js';
import { createCategory, createEntry, expectError, MISSING_ID, unique } from './fixtures.js';
import { rawRequest, rawSocket } from './raw-http.js';

let api: TestApi;
let port: number;

beforeAll(async () => {
  api = await startTestApi();
  port = api.server.port;
});
afterAll(async () => {
  await api.stop();
});

const MIB = 1024 * 1024;

function errorOf(raw: { body: string }): { code: string } {
  return JSON.parse(raw.body) as { code: string };
}

describe('the Host guard', () => {
  it('serves 127.0.0.1, localhost and [::1] with the server own port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const res = await rawSocket(port, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(res.status, host).toBe(200);
    }
  });

  it('answers 421 MISDIRECTED to a foreign host name (DNS rebinding)', async () => {
    const res = await rawRequest({ port, method: 'GET', path: '/healthz', headers: { host: `evil.example:${port}` } });
    expect(res.status).toBe(421);
    expect((res.json as { code: string }).code).toBe('MISDIRECTED');
  });

  it('answers 421 to a loopback host with another port or no port', async () => {
    for (const host of [`127.0.0.1:${port + 1}`, '127.0.0.1', 'localhost']) {
      const res = await rawRequest({ port, method: 'GET', path: '/healthz', headers: { host } });
      expect(res.status, host).toBe(421);
    }
  });

  it('answers 421 MISDIRECTED to an empty Host header', async () => {
    const res = await rawSocket(port, 'GET /healthz HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(421);
    expect(errorOf(res).code).toBe('MISDIRECTED');
  });

  it('answers 421 MISDIRECTED to an HTTP/1.1 request without a Host header', async () => {
    const res = await rawSocket(port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(421);
    expect(errorOf(res).code).toBe('MISDIRECTED');
  });

  it('answers 421 to an HTTP/1.0 request without a Host header', async () => {
    const res = await rawSocket(port, 'GET /healthz HTTP/1.0\r\n\r\n');
    expect(res.status).toBe(421);
  });

  it('checks the Host before anything else, even a valid token on a real route', async () => {
    const res = await rawRequest({
      port,
      method: 'GET',
      path: '/api/categories',
      headers: { host: 'evil.example', origin: 'https://evil.example', authorization: `Bearer ${api.token}` },
    });
    expect(res.status).toBe(421);
  });
});

describe('the Origin guard', () => {
  it('refuses any request with an Origin header with 403 ORIGIN_FORBIDDEN', async () => {
    for (const origin of ['https://evil.example', `http://127.0.0.1:${port}`, 'null']) {
      const res = await call(api, 'GET', '/api/categories', { headers: { origin } });
      expect(res.status, origin).toBe(403);
      expectError(res, 403, 'ORIGIN_FORBIDDEN');
    }
  });

  it('refuses an Origin even on routes that need no token', async () => {
    const res = await call(api, 'GET', '/healthz', { token: null, headers: { origin: 'https://evil.example' } });
    expectError(res, 403, 'ORIGIN_FORBIDDEN');
  });

  it('refuses an Origin before the token is checked', async () => {
    const res = await call(api, 'GET', '/api/categories', { token: null, headers: { origin: 'https://evil.example' } });
    expectError(res, 403, 'ORIGIN_FORBIDDEN');
  });
});

describe('CORS', () => {
  it('never sends an Access-Control header, not even to a preflight', async () => {
    const answers = [
      await rawRequest({
        port,
        method: 'OPTIONS',
        path: '/api/categories',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      }),
      await rawRequest({ port, method: 'OPTIONS', path: '/api/entries', headers: { 'access-control-request-method': 'POST' } }),
      await rawRequest({ port, method: 'GET', path: '/healthz' }),
      await rawRequest({ port, method: 'GET', path: '/api/categories', headers: { authorization: `Bearer ${api.token}` } }),
      await rawRequest({ port, method: 'GET', path: '/api/categories' }),
    ];
    for (const res of answers) {
      expect(Object.keys(res.headers).filter((h) => h.toLowerCase().startsWith('access-control-'))).toEqual([]);
    }
  });
});

describe('the body size guard', () => {
  it('answers 413 PAYLOAD_TOO_LARGE to a body over 1 MiB announced by Content-Length', async () => {
    const res = await rawRequest({
      port,
      method: 'POST',
      path: '/api/categories',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
      body: Buffer.alloc(MIB + 1, 0x20),
    });
    expect(res.status).toBe(413);
    expect((res.json as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 413 PAYLOAD_TOO_LARGE to a chunked body that grows over 1 MiB', async () => {
    const res = await rawRequest({
      port,
      method: 'POST',
      path: `/api/projects/${encodeURIComponent(unique('Big'))}/import`,
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${api.token}` },
      body: Buffer.from(`BIG=${'x'.repeat(2 * MIB)}\n`),
      chunked: true,
    });
    expect(res.status).toBe(413);
    expect((res.json as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('takes a body of exactly 1 MiB, with Content-Length or chunked', async () => {
    for (const chunked of [false, true]) {
      const json = `{"name":"${unique('Padded ')}","envVarName":"${unique('PADDED_')}"}`;
      const body = `${json}${' '.repeat(MIB - json.length)}`;
      expect(Buffer.byteLength(body)).toBe(MIB);
      const res = await rawRequest({
        port,
        method: 'POST',
        path: '/api/categories',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
        body,
        chunked,
      });
      expect(res.status, res.text).toBe(201);
    }
  });

  it('answers 413 to a body of 1 MiB and one byte', async () => {
    const res = await rawRequest({
      port,
      method: 'POST',
      path: '/api/categories',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
      body: Buffer.alloc(MIB + 1, 0x20),
      chunked: true,
    });
    expect(res.status).toBe(413);
  });

  it('checks the size before the token', async () => {
    const res = await rawRequest({ port, method: 'POST', path: '/api/categories', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(MIB + 1, 0x20) });
    expect(res.status).toBe(413);
  });
});

describe('the content type guard', () => {
  it('answers 415 UNSUPPORTED_MEDIA_TYPE to a JSON route sent another content type', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      const res = await call(api, 'POST', '/api/categories', { text: '{"name":"X","envVarName":"X"}', headers: { 'content-type': type } });
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('answers 415 to a JSON body without a Content-Type', async () => {
    const res = await rawRequest({
      port,
      method: 'POST',
      path: '/api/categories',
      headers: { authorization: `Bearer ${api.token}` },
      body: '{"name":"No type","envVarName":"NO_TYPE"}',
    });
    expect(res.status).toBe(415);
    expect((res.json as { code: string }).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 415 to an import sent as neither text/plain nor JSON', async () => {
    const res = await call(api, 'POST', `/api/projects/${unique('P')}/import`, { text: 'A=1', headers: { 'content-type': 'application/octet-stream' } });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts application/json with a charset parameter', async () => {
    const res = await call(api, 'POST', '/api/categories', {
      text: JSON.stringify({ name: unique('Charset '), envVarName: 'CHARSET_VAR' }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.status, res.text).toBe(201);
  });

  it('checks the content type before the token', async () => {
    const res = await call(api, 'POST', '/api/categories', { token: null, text: 'x', headers: { 'content-type': 'text/html' } });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('needs no Content-Type on requests without a body (reveal, restore, lock)', async () => {
    const category = await createCategory(api);
    const entry = await createEntry(api, { categoryId: category.id, value: 'first' });
    await call(api, 'PUT', `/api/entries/${entry.id}`, { body: { value: 'second' } });
    const headers = { authorization: `Bearer ${api.token}` };
    const revealed = await rawRequest({ port, method: 'POST', path: `/api/entries/${entry.id}/reveal`, headers });
    expect(revealed.status, revealed.text).toBe(200);
    const restored = await rawRequest({ port, method: 'POST', path: `/api/entries/${entry.id}/versions/1/restore`, headers });
    expect(restored.status, restored.text).toBe(200);
    const versionReveal = await rawRequest({ port, method: 'POST', path: `/api/entries/${entry.id}/versions/1/reveal`, headers });
    expect(versionReveal.status, versionReveal.text).toBe(200);
  });
});

describe('request bodies', () => {
  it('answers 400 to a JSON body that is not valid UTF-8, and stores nothing', async () => {
    const category = await createCategory(api);
    const before = await call(api, 'GET', `/api/entries?categoryId=${category.id}`);
    const json = Buffer.concat([Buffer.from(`{"categoryId":"${category.id}","name":"Bad bytes","value":"a`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const res = await rawRequest({ port, method: 'POST', path: '/api/entries', headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` }, body: json });
    expect(res.status).toBe(400);
    expect((res.json as { code: string }).code).toBe('VALIDATION_FAILED');
    const after = await call(api, 'GET', `/api/entries?categoryId=${category.id}`);
    expect(after.headers.get('x-total-count')).toBe(before.headers.get('x-total-count'));
    expect(after.json).toEqual([]);
  });

  it('answers 400 to an import that is not valid UTF-8, and stores nothing', async () => {
    const project = unique('Bytes');
    const body = Buffer.concat([Buffer.from('GOOD_ONE=fine\nBAD_ONE='), Buffer.from([0xc0, 0xaf]), Buffer.from('\n')]);
    const res = await rawRequest({
      port,
      method: 'POST',
      path: `/api/projects/${encodeURIComponent(project)}/import`,
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${api.token}` },
      body,
    });
    expect(res.status).toBe(400);
    expect((res.json as { code: string }).code).toBe('VALIDATION_FAILED');
    const listed = await call(api, 'GET', `/api/entries?project=${encodeURIComponent(project)}`);
    expect(listed.json).toEqual([]);
    const projects = (await call(api, 'GET', '/api/projects')).json as { name: string }[];
    expect(projects.map((p) => p.name)).not.toContain(project);
  });

  it('answers 400 VALIDATION_FAILED to malformed JSON, without quoting the body', async () => {
    const res = await call(api, 'POST', '/api/categories', { text: '{"name": "sk-quoted-secret', headers: { 'content-type': 'application/json' } });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.text).not.toContain('sk-quoted-secret');
  });

  it('names each invalid field in details', async () => {
    const res = await call(api, 'POST', '/api/categories', { body: { name: '', envVarName: '1BAD', unknown: true } });
    const body = expectError(res, 400, 'VALIDATION_FAILED');
    expect(Object.keys(body.details)).toEqual(expect.arrayContaining(['name', 'envVarName']));
  });
});

describe('errors', () => {
  it('answer with {error, code, details} as application/json; charset=utf-8', async () => {
    const res = await call(api, 'GET', `/api/entries/${MISSING_ID}`);
    expectError(res, 404, 'NOT_FOUND');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Object.keys(res.json as object).sort()).toEqual(['code', 'details', 'error']);
  });

  it('answer 404 NOT_FOUND to an unknown route', async () => {
    const res = await call(api, 'GET', '/api/nothing-here');
    expectError(res, 404, 'NOT_FOUND');
  });

  it('answer 500 INTERNAL to a bug, with no stack, no message and no secret, in the body or on stderr', async () => {
    const written: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
    const bug = vi.spyOn(api.core.categories, 'list').mockImplementation(() => {
      throw new TypeError('cannot read sk-live-BUGSECRET of undefined');
    });
    try {
      const res = await call(api, 'GET', '/api/categories');
      expectError(res, 500, 'INTERNAL');
      expect(res.text).not.toContain('sk-live-BUGSECRET');
      expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
      expect(res.text).not.toContain(api.token);
    } finally {
      bug.mockRestore();
      stderr.mockRestore();
    }
    const output = written.join('');
    expect(output).not.toContain('sk-live-BUGSECRET');
    expect(output).not.toContain(api.token);
    expect(output).not.toMatch(/\n\s+at /);
  });
});

describe('malformed requests', () => {
  it('answer a malformed URL 400 VALIDATION_FAILED in the error shape, without echoing the URL', async () => {
    const res = await rawRequest({ port, method: 'GET', path: '/api/entries/%E0%A4%Asecret-in-url', headers: { authorization: `Bearer ${api.token}` } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'VALIDATION_FAILED', details: {} });
    expect(Object.keys(res.json as object).sort()).toEqual(['code', 'details', 'error']);
    expect(res.text).not.toContain('secret-in-url');
  });

  it('answer an over-long path parameter 400 VALIDATION_FAILED in the error shape', async () => {
    const res = await rawRequest({ port, method: 'GET', path: `/api/projects/${'x'.repeat(5000)}/env`, headers: { authorization: `Bearer ${api.token}` } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object).sort()).toEqual(['code', 'details', 'error']);
    expect((res.json as { code: string }).code).toBe('VALIDATION_FAILED');
  });

  it('still answer 421 to a foreign Host and 403 to an Origin when the URL is malformed', async () => {
    const badHost = await rawRequest({ port, method: 'GET', path: '/api/entries/%E0%A4%A', headers: { host: 'evil.example' } });
    expect(badHost.status).toBe(421);
    expect((badHost.json as { code: string }).code).toBe('MISDIRECTED');
    const origin = await rawRequest({ port, method: 'GET', path: '/api/entries/%E0%A4%A', headers: { origin: 'https://evil.example' } });
    expect(origin.status).toBe(403);
    expect((origin.json as { code: string }).code).toBe('ORIGIN_FORBIDDEN');
  });

  it('that Node cannot parse (two Content-Lengths, Content-Length beside chunked, a folded header, headers over the limit) get the error shape and a code, and the connection closes', async () => {
    const host = `127.0.0.1:${port}`;
    const cases: [string, number, string][] = [
      [`POST /api/categories HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 400, 'VALIDATION_FAILED'],
      [`POST /api/categories HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'VALIDATION_FAILED'],
      [`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-A: a\r\n folded\r\n\r\n`, 400, 'VALIDATION_FAILED'],
      [`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 413, 'PAYLOAD_TOO_LARGE'],
    ];
    for (const [bytes, status, code] of cases) {
      const res = await rawSocket(port, bytes);
      expect(res.status, res.head).toBe(status);
      const body = JSON.parse(res.body) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['code', 'details', 'error']);
      expect(body.code).toBe(code);
      expect(res.head.toLowerCase()).toContain('connection: close');
    }
  });

  it('take a small chunked JSON body', async () => {
    const res = await rawRequest({
      port,
      method: 'POST',
      path: '/api/categories',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
      body: JSON.stringify({ name: unique('Chunked '), envVarName: 'CHUNKED_VAR' }),
      chunked: true,
    });
    expect(res.status, res.text).toBe(201);
  });
});

describe('GET /healthz', () => {
  it('needs no token and reports status, locked, the package version and whether an approver exists', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    const res = await call(api, 'GET', '/healthz', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.json).toEqual({ status: 'ok', locked: false, version: pkg.version, approver: false });
  });

  it('is served while the vault is locked, and says so', async () => {
    const own = await startTestApi({ approver: true });
    try {
      expect((await call(own, 'POST', '/api/lock')).status).toBe(204);
      const res = await call(own, 'GET', '/healthz', { token: null });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ status: 'ok', locked: true, approver: true });
    } finally {
      await own.stop();
    }
  });
});

describe('the guard order after the body guards', () => {
  it('answers 401 before 423: a missing token on a locked vault is UNAUTHORIZED', async () => {
    const own = await startTestApi();
    try {
      await call(own, 'POST', '/api/lock');
      expectError(await call(own, 'GET', '/api/categories', { token: null }), 401, 'UNAUTHORIZED');
    } finally {
      await own.stop();
    }
  });

  it('answers 423 before 403: a token lacking the scope on a locked vault gets VAULT_LOCKED', async () => {
    const own = await startTestApi();
    try {
      const weak = own.tokenWith(['audit:read']);
      await call(own, 'POST', '/api/lock');
      expectError(await call(own, 'GET', '/api/categories', { token: weak }), 423, 'VAULT_LOCKED');
    } finally {
      await own.stop();
    }
  });

  it('answers 403 SCOPE_REQUIRED before 404: a missing scope wins over an entry outside the token', async () => {
    const limited = api.tokenWith(['entries:read'], { projects: ['Nowhere'] });
    const category = await createCategory(api);
    const entry = await createEntry(api, { categoryId: category.id });
    expectError(await call(api, 'POST', `/api/entries/${entry.id}/reveal`, { token: limited }), 403, 'SCOPE_REQUIRED');
  });
});

describe('implicit routes', () => {
  it('answers HEAD with 405 instead of running an audited export without a body', async () => {
    const api = await startTestApi();
    try {
      const c = await createCategory(api);
      await createEntry(api, { categoryId: c.id, name: 'Blog', value: 'sk-head' });
      expect((await call(api, 'GET', '/api/projects/Blog/env')).status).toBe(200);
      const exportsBefore = api.core.audit.list({ action: 'project.export' }).total;
      const res = await call(api, 'HEAD', '/api/projects/Blog/env');
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
      expect(api.core.audit.list({ action: 'project.export' }).total).toBe(exportsBefore);
    } finally {
      await api.stop();
    }
  });

  it('accepts the bearer scheme in any letter case', async () => {
    const api = await startTestApi();
    try {
      const res = await call(api, 'GET', '/api/categories', { token: null, headers: { authorization: `bearer ${api.token}` } });
      expect(res.status).toBe(200);
    } finally {
      await api.stop();
    }
  });
});

describe('methods and caching (issue 14, item 19)', () => {
  it('answers a known path with a wrong method 405 METHOD_NOT_ALLOWED with Allow', async () => {
    const api = await startTestApi();
    try {
      const res = await call(api, 'PATCH', `/api/entries/${MISSING_ID}`, { body: {} });
      expectError(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers.get('allow')).toBe('GET, PUT, DELETE');
      expectError(await call(api, 'DELETE', '/api/projects'), 405, 'METHOD_NOT_ALLOWED');
      expectError(await call(api, 'GET', '/api/no-such-route'), 404, 'NOT_FOUND');
    } finally {
      await api.stop();
    }
  });

  it('marks reveals and exports Cache-Control: no-store', async () => {
    const api = await startTestApi();
    try {
      const c = await createCategory(api);
      const e = await createEntry(api, { categoryId: c.id, name: 'Cached', value: 'sk-no-store' });
      await call(api, 'PUT', `/api/entries/${e.id}`, { body: { value: 'sk-no-store-2' } });
      expect((await call(api, 'POST', `/api/entries/${e.id}/reveal`)).headers.get('cache-control')).toBe('no-store');
      expect((await call(api, 'POST', `/api/entries/${e.id}/versions/1/reveal`)).headers.get('cache-control')).toBe('no-store');
      expect((await call(api, 'GET', '/api/projects/Cached/env')).headers.get('cache-control')).toBe('no-store');
    } finally {
      await api.stop();
    }
  });
});

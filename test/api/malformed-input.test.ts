// Every route against malformed input, enumerated from the OpenAPI document: wrong JSON types in
// each body field, missing and unknown fields, odd strings and numbers, bodies of the wrong kind,
// and malformed path and query parameters. None may answer 500 or hang, every refusal is a JSON
// error with a code, no answer (but a reveal's) carries a stored value, and the values stay as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../src/shared/errors.js';
import { call, PASSWORD, startTestApi, type TestApi } from '../helpers/core.js';
import { rawRequest, type RawResponse } from './raw-http.js';
import { createCategory, createEntry, MISSING_ID, reveal } from './fixtures.js';

interface Parameter {
  name: string;
  in: 'path' | 'query';
}
type Schema = { $ref?: string; properties?: Record<string, Schema>; type?: string | string[] };
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const MARKS = { simple: 'MARK-simple-secret-7f3a9c', group: 'MARK-group-pass-91c2e8' };

/** Wrong values for a field of any type: each is of some other type, or a string no field takes whole. */
const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  '',
  '1e309',
  'NaN',
  '\u0000',
  '\uD800',
  'a\u202Eb',
  'x'.repeat(100_000),
  [],
  Array.from({ length: 10_000 }, () => 'v'),
  {},
  { __proto__: null, constructor: { prototype: { polluted: true } } },
  JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
];

/** Raw bodies that are not the object a route takes. */
const ODD_BODIES: { text: string; type: string }[] = [
  { text: '[]', type: 'application/json' },
  { text: '"text"', type: 'application/json' },
  { text: '1', type: 'application/json' },
  { text: 'null', type: 'application/json' },
  { text: '{', type: 'application/json' },
  { text: '{"a":1,"a":2}', type: 'application/json' },
  { text: '{"__proto__":{"polluted":true}}', type: 'application/json' },
  { text: 'name=x&value=y', type: 'application/x-www-form-urlencoded' },
  { text: '{}', type: 'text/html' },
];

const ODD_PATH_VALUES = ['not-a-uuid', '..', '%2e%2e', '%00', '%2F', '%FF', '%E0%A4%A', 'x'.repeat(3_000), '-1', '1.5', '1e309', '99999999999999999999', '%E2%80%AE'];
const ODD_QUERY_VALUES = ['', '-1', '1.5', '1e309', 'NaN', '99999999999999999999', 'PROD ENV', '*', '%00', '%FF', 'x'.repeat(3_000), 'true'];

let api: TestApi;
let doc: Document;
/** What a path parameter is on each route, so that a body reaches its validation. */
let real: Record<string, string>;
const answers: { route: string; res: RawResponse }[] = [];

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  return doc.components.schemas[schema.$ref.split('/').at(-1)!] ?? {};
}

/** The path with its parameters filled in: real values, except the one under test. */
function fill(path: string, odd?: { name: string; value: string }): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => (odd?.name === name ? odd.value : encodeURIComponent(realParam(path, name))));
}

function realParam(path: string, name: string): string {
  if (name === 'id') return path.startsWith('/api/categories') ? real.categoryId! : path.startsWith('/api/entries') ? real.entryId! : real.missingId!;
  if (name === 'name') return 'Fuzz';
  if (name === 'environment') return 'development';
  if (name === 'version') return '1';
  return 'x';
}

/** Routes that end what the rest needs (lock, unlock) or destroy the seed when they succeed. */
const LAST = new Set(['POST /api/lock', 'POST /api/unlock']);
const destroys = (method: string) => method === 'DELETE';

/**
 * Sends the path as written (node:http, not fetch, which would resolve `..` and `%2e%2e` away)
 * with the token, and a body: `body` as JSON, or `text` under its own content type.
 */
async function send(route: string, method: string, path: string, options: { body?: unknown; text?: string | Buffer; type?: string } = {}): Promise<void> {
  const headers: Record<string, string> = { authorization: `Bearer ${api.token}` };
  let body: string | Buffer | undefined;
  if (options.text !== undefined) {
    body = options.text;
    headers['content-type'] = options.type ?? 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await rawRequest({ port: Number(new URL(api.url).port), method, path, headers, ...(body === undefined ? {} : { body }) });
  answers.push({ route, res });
}

beforeAll(async () => {
  api = await startTestApi();
  const simple = await createCategory(api, { envVarName: 'FUZZ_KEY' });
  const group = await createCategory(api, { keyType: 'group', fields: ['USER', 'PASS'] });
  // The marked entries are in a project and categories no route is pointed at: a few odd values
  // are good ones (a value may be any text, a project may be named "1e309"), and what such a
  // request writes to what it addresses is its own business.
  const kept = await createCategory(api, { envVarName: 'KEPT_KEY' });
  const marked = await createEntry(api, { categoryId: kept.id, name: 'Kept', value: MARKS.simple });
  const groupMarked = await createEntry(api, { categoryId: group.id, name: 'Kept', value: { USER: 'fuzz-user', PASS: MARKS.group } });
  const target = await createEntry(api, { categoryId: simple.id, name: 'Fuzz', environment: 'staging', value: 'target' });
  real = { categoryId: simple.id, entryId: target.id, markedId: marked.id, groupMarkedId: groupMarked.id, missingId: MISSING_ID };
  doc = (await call(api, 'GET', '/api/openapi.json')).json as Document;

  const operations = Object.entries(doc.paths)
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op, route: `${method.toUpperCase()} ${path}` })))
    .sort((a, b) => Number(LAST.has(a.route)) - Number(LAST.has(b.route)));

  for (const { path, method, op, route } of operations) {
    const params = op.parameters ?? [];
    // Malformed path parameters, one at a time.
    for (const p of params.filter((x) => x.in === 'path')) {
      for (const value of ODD_PATH_VALUES) await send(route, method, fill(path, { name: p.name, value }), op.requestBody ? { body: {} } : {});
    }
    // Malformed query parameters, one at a time, then repeated and unknown ones.
    if (!destroys(method)) {
      for (const p of params.filter((x) => x.in === 'query')) {
        for (const value of ODD_QUERY_VALUES) await send(route, method, `${fill(path)}?${p.name}=${encodeURIComponent(value)}`, op.requestBody ? { body: {} } : {});
        await send(route, method, `${fill(path)}?${p.name}=1&${p.name}=2`, op.requestBody ? { body: {} } : {});
      }
      await send(route, method, `${fill(path)}?unknown=1`, op.requestBody ? { body: {} } : {});
    }
    const json = op.requestBody?.content['application/json'];
    if (!json || destroys(method)) continue;
    // Each field of the body, wrong; then bodies that are not an object at all.
    const properties = Object.keys(resolve(json.schema).properties ?? {});
    for (const field of properties) {
      for (const value of ODD_VALUES) await send(route, method, fill(path), { text: `{${JSON.stringify(field)}:${JSON.stringify(value) ?? 'null'}}` });
    }
    for (const body of ODD_BODIES) await send(route, method, fill(path), { text: body.text, type: body.type });
    // Not UTF-8.
    await send(route, method, fill(path), { text: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) });
  }
}, 120_000);

afterAll(async () => {
  await api.stop();
});

describe('every route given malformed input', () => {
  it('sent enough of it to mean something: every route, hundreds of requests', () => {
    expect(new Set(answers.map((a) => a.route)).size).toBeGreaterThanOrEqual(Object.values(doc.paths).reduce((n, m) => n + Object.keys(m).length, 0) - 1);
    expect(answers.length).toBeGreaterThan(1_000);
  });

  it('never answers 500 or another 5xx', () => {
    const failed = answers.filter((a) => a.res.status >= 500).map((a) => `${a.route} → ${a.res.status} ${a.res.text.slice(0, 200)}`);
    expect(failed).toEqual([]);
  });

  it('refuses with a JSON error whose code is one of the documented codes', () => {
    const bad = answers
      .filter((a) => a.res.status >= 400)
      .filter((a) => {
        const body = a.res.json as { error?: unknown; code?: unknown } | null;
        return !body || typeof body.error !== 'string' || typeof body.code !== 'string' || !(body.code in ERROR_STATUS) || ERROR_STATUS[body.code as keyof typeof ERROR_STATUS] !== a.res.status;
      })
      .map((a) => `${a.route} → ${a.res.status} ${a.res.text.slice(0, 200)}`);
    expect(bad).toEqual([]);
  });

  it('puts no stored value in any answer but a reveal', () => {
    const leaks = answers
      .filter((a) => !a.route.endsWith('/reveal') && !a.route.endsWith('/env'))
      .filter((a) => a.res.text.includes(MARKS.simple) || a.res.text.includes(MARKS.group))
      .map((a) => `${a.route} → ${a.res.status}`);
    expect(leaks).toEqual([]);
  });

  it('keeps every stored value, and the owner still answers', async () => {
    if (((await call(api, 'GET', '/healthz')).json as { locked: boolean }).locked) {
      expect((await call(api, 'POST', '/api/unlock', { body: { password: PASSWORD } })).status).toBe(204);
    }
    expect(await reveal(api, real.markedId!)).toBe(MARKS.simple);
    expect(await reveal(api, real.groupMarkedId!)).toEqual({ USER: 'fuzz-user', PASS: MARKS.group });
    expect(({}) as Record<string, unknown>).not.toHaveProperty('polluted');
  });

  it('writes no stored value into the audit log', async () => {
    const audit = await call(api, 'GET', '/api/audit?limit=1000');
    expect(audit.status).toBe(200);
    expect(audit.text).not.toContain(MARKS.simple);
    expect(audit.text).not.toContain(MARKS.group);
  });
});

// GET /api/openapi.json: an OpenAPI 3.1 document of every route, generated from the same schemas
// that validate requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, startTestApi, type TestApi } from '../helpers/core.js';
import { routes } from '../../src/main/api/routes.js';
import { AUDIT_ACTIONS, CategoryInput, ENVIRONMENT_PATTERN, EntryInput, EntryQuery, ExportFormat, SCOPES } from '../../src/shared/model.js';
import { MISSING_ID } from './fixtures.js';

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Record<string, unknown>;
}
interface MediaType {
  schema: Record<string, unknown> & { properties?: Record<string, Record<string, unknown>>; required?: string[]; $ref?: string };
}
interface Operation {
  summary: string;
  security: unknown[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, MediaType> };
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, MediaType['schema']>; securitySchemes: Record<string, unknown> };
}

/** DESIGN §4's table, written out independently of the route table. */
const DESIGN_ROUTES = [
  'GET /healthz',
  'GET /api/auth/token',
  'GET /api/auth/proof',
  'GET /api/openapi.json',
  'GET /api/categories',
  'POST /api/categories',
  'GET /api/categories/{}',
  'PUT /api/categories/{}',
  'DELETE /api/categories/{}',
  'GET /api/entries',
  'POST /api/entries',
  'GET /api/entries/{}',
  'PUT /api/entries/{}',
  'DELETE /api/entries/{}',
  'POST /api/entries/{}/reveal',
  'GET /api/entries/{}/versions',
  'POST /api/entries/{}/versions/{}/reveal',
  'POST /api/entries/{}/versions/{}/restore',
  'DELETE /api/entries/{}/versions',
  'DELETE /api/entries/{}/versions/{}',
  'GET /api/projects',
  'PATCH /api/projects/{}',
  'DELETE /api/projects/{}',
  'PATCH /api/projects/{}/environments/{}',
  'DELETE /api/projects/{}/environments/{}',
  'POST /api/projects/{}/copy',
  'PUT /api/projects/{}/template',
  'GET /api/projects/{}/validate',
  'GET /api/projects/{}/env',
  'POST /api/projects/{}/import',
  'GET /api/trash',
  'POST /api/trash/{}/restore',
  'DELETE /api/trash/{}',
  'DELETE /api/trash',
  'GET /api/audit',
  'POST /api/lock',
  'POST /api/unlock',
  'POST /api/auth/requests',
  'GET /api/auth/requests/{}/wait',
];

let api: TestApi;
let doc: Document;

beforeAll(async () => {
  api = await startTestApi();
  const res = await call(api, 'GET', '/api/openapi.json', { token: null });
  expect(res.status).toBe(200);
  doc = res.json as Document;
});
afterAll(async () => {
  await api.stop();
});

const operations = (): { key: string; path: string; method: string; op: Operation }[] =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path.replace(/\{\w+\}/g, '{}')}`, path, method, op })),
  );
const op = (method: string, path: string): Operation => {
  const found = doc.paths[path]?.[method.toLowerCase()];
  expect(found, `${method} ${path}`).toBeDefined();
  return found!;
};
const jsonSchemaOf = (s: z.ZodType): Record<string, unknown> => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

describe('GET /api/openapi.json', () => {
  it('serves an OpenAPI 3.1 document without a token, as JSON', async () => {
    const res = await call(api, 'GET', '/api/openapi.json', { token: null });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.version).toBe(api.core.version);
  });

  it('is served while the vault is locked', async () => {
    const own = await startTestApi();
    try {
      await call(own, 'POST', '/api/lock');
      expect((await call(own, 'GET', '/api/openapi.json', { token: null })).status).toBe(200);
    } finally {
      await own.stop();
    }
  });

  it("lists exactly DESIGN §4's routes, each with its method", () => {
    expect(operations().map((o) => o.key).sort()).toEqual([...DESIGN_ROUTES].sort());
  });

  it('lists every route of the route table with its method and success status', () => {
    const table = routes();
    expect(operations()).toHaveLength(table.length);
    for (const route of table) expect(Object.keys(op(route.method, route.path).responses)).toContain(String(route.response.status));
  });

  it('documents only routes the server really serves', async () => {
    for (const { path, method } of operations()) {
      const url = path.replace('{id}', MISSING_ID).replace('{version}', '1').replace('{name}', 'Nobody');
      const res = await call(api, method.toUpperCase(), url, doc.paths[path]![method]!.requestBody ? { body: {} } : {});
      expect(res.text, `${method} ${path}`).not.toContain('no route');
    }
  });

  it('gives every JSON answer a schema, the JSON form of an export and the new project and trash routes too', () => {
    for (const { key, op: o } of operations()) {
      if (key === 'GET /api/openapi.json') continue;
      for (const [status, response] of Object.entries(o.responses)) {
        const json = response.content?.['application/json'];
        if (json) expect(Object.keys(json.schema).length, `${key} ${status}`).toBeGreaterThan(0);
      }
    }
    const env = op('GET', '/api/projects/{name}/env').responses['200']!.content!;
    expect(env['application/json']!.schema).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
    expect(env['text/plain']).toBeDefined();
    expect(op('POST', '/api/projects/{name}/copy').responses['200']!.content!['application/json']!.schema.required).toEqual(
      expect.arrayContaining(['added', 'changed', 'unchanged', 'skipped']),
    );
    expect(op('GET', '/api/trash').responses['200']!.content!['application/json']!.schema).toMatchObject({ type: 'array' });
    const query = (op('GET', '/api/projects').parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query.sort()).toEqual(['limit', 'offset', 'q']);
  });

  it('declares every path parameter as required', () => {
    for (const { path, op: o } of operations()) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (o.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name)).toEqual(names);
      for (const p of declared) expect(p.required).toBe(true);
    }
  });

  it("derives the list's query parameters from the entry query schema", () => {
    const query = (op('GET', '/api/entries').parameters ?? []).filter((p) => p.in === 'query');
    expect(query.map((p) => p.name).sort()).toEqual(Object.keys(EntryQuery.shape).sort());
    for (const p of query) expect(p.required).toBe(false);
    expect(query.find((p) => p.name === 'limit')!.schema).toMatchObject({ maximum: 10_000 });
  });

  it('derives the export format and audit action enums from their schemas', () => {
    const format = op('GET', '/api/projects/{name}/env').parameters!.find((p) => p.name === 'format')!;
    expect(format.schema.enum).toEqual(ExportFormat.options);
    const environment = op('GET', '/api/projects/{name}/env').parameters!.find((p) => p.name === 'environment')!;
    expect(environment.schema.pattern).toBe(ENVIRONMENT_PATTERN.source);
    const action = op('GET', '/api/audit').parameters!.find((p) => p.name === 'action')!;
    expect(action.schema.enum).toEqual([...AUDIT_ACTIONS]);
  });

  it('marks the wait secret as required', () => {
    const params = op('GET', '/api/auth/requests/{id}/wait').parameters!;
    expect(params.find((p) => p.name === 'secret')).toMatchObject({ in: 'query', required: true });
  });

  it('derives every JSON request body from the schema that validates it', () => {
    const withBody = routes().filter((r) => r.body);
    expect(withBody.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['POST /api/categories', 'PUT /api/categories/{id}', 'POST /api/entries', 'PUT /api/entries/{id}', 'POST /api/unlock', 'POST /api/auth/requests']),
    );
    for (const route of withBody) {
      const body = op(route.method, route.path).requestBody;
      expect(body?.content['application/json']?.schema, `${route.method} ${route.path}`).toEqual(jsonSchemaOf(route.body!));
    }
    const routesWithoutBody = routes().filter((r) => !r.body);
    for (const route of routesWithoutBody) expect(op(route.method, route.path).requestBody).toBeUndefined();
  });

  it('shows the fields of a new category and a new entry, and which are required', () => {
    const category = op('POST', '/api/categories').requestBody!.content['application/json']!.schema;
    expect(Object.keys(category.properties!).sort()).toEqual(Object.keys(CategoryInput.shape).sort());
    expect(category.required).toContain('name');
    const entry = op('POST', '/api/entries').requestBody!.content['application/json']!.schema;
    expect(Object.keys(entry.properties!).sort()).toEqual(Object.keys(EntryInput.shape).sort());
    expect(entry.required).toEqual(expect.arrayContaining(['categoryId', 'name', 'value']));
    expect(entry.required).not.toContain('environment');
  });

  it('states the 64 KiB limit of a simple value in the entry schema', () => {
    const entry = op('POST', '/api/entries').requestBody!.content['application/json']!.schema;
    const text = JSON.stringify(entry.properties!.value);
    expect(text).toContain('"maxLength":65536');
    expect(text).toContain('64 KiB');
  });

  it('lets an import be sent as text/plain or as JSON {content}', () => {
    const content = op('POST', '/api/projects/{name}/import').requestBody!.content;
    expect(Object.keys(content).sort()).toEqual(['application/json', 'text/plain']);
    expect(content['application/json']!.schema.required).toEqual(['content']);
  });

  it('describes errors with the {error, code, details} schema', () => {
    const error = doc.components.schemas.Error!;
    expect(error.required).toEqual(['error', 'code', 'details']);
    const post = op('POST', '/api/categories');
    for (const status of ['400', '401', '403', '409', '413', '415', '421', '423', '429']) {
      expect(post.responses[status]?.content?.['application/json']?.schema.$ref, status).toBe('#/components/schemas/Error');
    }
  });

  it('asks for a bearer token exactly on the routes that need one', () => {
    const table = routes();
    for (const route of table) {
      const security = op(route.method, route.path).security;
      if (route.scope === 'none') expect(security, route.path).toEqual([]);
      else expect(security, route.path).toEqual([{ bearer: [] }]);
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(new Set(table.map((r) => r.scope).filter((s) => s !== 'none' && s !== 'token'))).toEqual(new Set(SCOPES));
  });
});

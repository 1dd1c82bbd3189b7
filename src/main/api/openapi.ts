// The OpenAPI 3.1 document, generated from the same route table and zod schemas that validate requests.
import { z } from 'zod';
import { ERROR_STATUS } from '../../shared/errors.js';
import type { Route } from './routes.js';

type Json = Record<string, unknown>;

const schemaOf = (s: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
};

const ErrorSchema: Json = {
  type: 'object',
  required: ['error', 'code', 'details'],
  properties: {
    error: { type: 'string', description: 'a message for a person' },
    code: { type: 'string', enum: [...new Set(Object.keys(ERROR_STATUS))].filter((c) => c !== 'VAULT_INVALID') },
    details: { type: 'object' },
  },
};

function errorsFor(route: Route): Record<string, Json> {
  const codes = new Set<number>([400, 421, 403]);
  if (route.scope !== 'none') [401, 429].forEach((c) => codes.add(c));
  if (route.scope !== 'none' && !route.whileLocked) codes.add(423);
  if (route.path.includes('{')) codes.add(404);
  if (route.body) [413, 415].forEach((c) => codes.add(c));
  if (route.method !== 'GET' || route.path.endsWith('/env')) codes.add(409);
  if (route.path.endsWith('/env')) codes.add(422);
  const out: Record<string, Json> = {};
  for (const c of [...codes].sort()) out[String(c)] = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return out;
}

export function buildOpenApi(table: Route[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of table) {
    const op: Json = {
      summary: route.summary,
      security: route.scope === 'none' ? [] : [{ bearer: [] }],
      'x-keyden-scope': route.scope,
    };
    const paramSchemas = (route.params?.shape ?? {}) as Record<string, z.ZodType>;
    const parameters: Json[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: paramSchemas[m[1]!] ? schemaOf(paramSchemas[m[1]!]!, 'input') : { type: 'string' },
    }));
    if (route.query) {
      for (const [name, s] of Object.entries(route.query.shape)) {
        parameters.push({ name, in: 'query', required: !(s as z.ZodType).safeParse(undefined).success, schema: schemaOf(s as z.ZodType, 'input') });
      }
    }
    if (parameters.length > 0) op.parameters = parameters;
    if (route.body) {
      const content: Json = {};
      if ((route.bodyKinds ?? ['json']).includes('json')) content['application/json'] = { schema: schemaOf(route.body, 'input') };
      if ((route.bodyKinds ?? []).includes('text')) content['text/plain'] = { schema: { type: 'string' } };
      op.requestBody = { required: true, content };
    }
    const ok: Json = { description: route.response.description };
    if (route.response.schema) ok.content = { 'application/json': { schema: schemaOf(route.response.schema, 'output') } };
    else if (route.response.contentType) ok.content = { [route.response.contentType.split(';')[0]!]: { schema: { type: 'string' } } };
    if (route.response.jsonAlternative) ok.content = { ...(ok.content as Json), 'application/json': { schema: schemaOf(route.response.jsonAlternative, 'output') } };
    op.responses = { [String(route.response.status)]: ok, ...errorsFor(route) };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Keyden local API', version, description: 'Served on 127.0.0.1 by the Keyden desktop app or `keyden serve`.' },
    servers: [{ url: 'http://127.0.0.1:17321' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a kdn_… token (keyden login or keyden token create)' } },
      schemas: { Error: ErrorSchema },
    },
    paths,
  };
}

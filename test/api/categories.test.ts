// /api/categories: list, create, get, update, delete (with and without cascade), and their errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApi, type TestApi } from '../helpers/core.js';
import type { Category } from '../../src/shared/model.js';
import { createCategory, createEntry, expectError, expectJsonType, MISSING_ID, reveal, unique } from './fixtures.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

describe('GET /api/categories', () => {
  it('lists every category with its type, variable names and icon', async () => {
    const simple = await createCategory(api, { name: unique('Listed '), envVarName: 'LISTED_KEY', icon: 'openai' });
    const group = await createCategory(api, { name: unique('Listed group '), keyType: 'group', fields: ['G_ID', 'G_SECRET', 'G_REGION'] });
    const res = await call(api, 'GET', '/api/categories');
    expect(res.status).toBe(200);
    expectJsonType(res);
    const list = res.json as Category[];
    expect(list).toContainEqual(simple);
    expect(list).toContainEqual(group);
    expect(list.find((c) => c.id === group.id)).toMatchObject({ keyType: 'group', envVarName: null, fields: ['G_ID', 'G_SECRET', 'G_REGION'] });
  });

  it('needs the categories:read scope', async () => {
    const res = await call(api, 'GET', '/api/categories', { token: api.tokenWith(['categories:write', 'entries:read']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('categories:read');
  });

  it('needs a token', async () => {
    expectError(await call(api, 'GET', '/api/categories', { token: null }), 401, 'UNAUTHORIZED');
  });
});

describe('POST /api/categories', () => {
  it('creates a simple category and answers 201 with it', async () => {
    const name = unique('OpenAI ');
    const res = await call(api, 'POST', '/api/categories', { body: { name, keyType: 'simple', envVarName: 'OPENAI_API_KEY', icon: 'openai' } });
    expect(res.status).toBe(201);
    const c = res.json as Category;
    expect(c).toMatchObject({ name, keyType: 'simple', envVarName: 'OPENAI_API_KEY', fields: [], icon: 'openai' });
    expect(c.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call(api, 'GET', `/api/categories/${c.id}`)).json).toEqual(c);
  });

  it('creates a group category whose envVarName is null', async () => {
    const res = await call(api, 'POST', '/api/categories', { body: { name: unique('AWS '), keyType: 'group', fields: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ keyType: 'group', envVarName: null, fields: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] });
  });

  it('answers 409 CONFLICT to a name already taken, whatever its case', async () => {
    const name = unique('Stripe ');
    await createCategory(api, { name });
    const res = await call(api, 'POST', '/api/categories', { body: { name: name.toUpperCase(), envVarName: 'STRIPE_KEY' } });
    expectError(res, 409, 'CONFLICT');
  });

  it.each([
    ['a simple category without envVarName', { name: 'No var' }, 'envVarName'],
    ['an env var name that does not match the pattern', { name: 'Bad var', envVarName: '1ABC' }, 'envVarName'],
    ['an env var name with a dash', { name: 'Dash var', envVarName: 'MY-KEY' }, 'envVarName'],
    ['an empty name', { name: '', envVarName: 'EMPTY_NAME' }, 'name'],
    ['a name with "/"', { name: 'a/b', envVarName: 'SLASH' }, 'name'],
    ['a name with a control character', { name: 'tab\there', envVarName: 'CTRL' }, 'name'],
    ['a name of 129 characters', { name: 'x'.repeat(129), envVarName: 'LONG' }, 'name'],
    ['a group without fields', { name: 'Empty group', keyType: 'group' }, 'fields'],
    ['a group with an invalid field', { name: 'Bad field', keyType: 'group', fields: ['OK', 'not ok'] }, 'fields.1'],
    ['a group with an envVarName', { name: 'Group var', keyType: 'group', fields: ['A'], envVarName: 'B' }, 'envVarName'],
    ['a simple category with fields', { name: 'Simple fields', envVarName: 'S', fields: ['A'] }, 'fields'],
    ['an unknown key type', { name: 'Odd type', keyType: 'triple', envVarName: 'T' }, 'keyType'],
    ['an unknown property', { name: 'Extra', envVarName: 'EXTRA', colour: 'red' }, 'colour'],
  ])('answers 400 VALIDATION_FAILED naming the field for %s', async (_what, body, field) => {
    const res = await call(api, 'POST', '/api/categories', { body });
    const err = expectError(res, 400, 'VALIDATION_FAILED');
    expect(Object.keys(err.details)).toContain(field);
  });

  it('accepts a name of exactly 128 characters', async () => {
    const res = await call(api, 'POST', '/api/categories', { body: { name: `${unique('n')}${'x'.repeat(128)}`.slice(0, 128), envVarName: 'MAX_NAME' } });
    expect(res.status, res.text).toBe(201);
  });

  it('needs the categories:write scope', async () => {
    const res = await call(api, 'POST', '/api/categories', { token: api.tokenWith(['categories:read']), body: { name: unique('Nope '), envVarName: 'NOPE' } });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('categories:write');
  });

  it('answers 415 to a body that is not JSON', async () => {
    expectError(await call(api, 'POST', '/api/categories', { text: 'name=x' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('GET /api/categories/{id}', () => {
  it('returns the category', async () => {
    const c = await createCategory(api);
    const res = await call(api, 'GET', `/api/categories/${c.id}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(c);
  });

  it('answers 404 NOT_FOUND to an unknown id', async () => {
    expectError(await call(api, 'GET', `/api/categories/${MISSING_ID}`), 404, 'NOT_FOUND');
  });

  it('answers 400 VALIDATION_FAILED naming the id to a malformed id', async () => {
    expect(Object.keys(expectError(await call(api, 'GET', '/api/categories/not-a-uuid'), 400, 'VALIDATION_FAILED').details)).toContain('id');
  });

  it('needs the categories:read scope', async () => {
    const c = await createCategory(api);
    const res = await call(api, 'GET', `/api/categories/${c.id}`, { token: api.tokenWith(['entries:read']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('categories:read');
  });
});

describe('PUT /api/categories/{id}', () => {
  it('renames a category and changes its variable and icon', async () => {
    const c = await createCategory(api);
    const name = unique('Renamed ');
    const res = await call(api, 'PUT', `/api/categories/${c.id}`, { body: { name, envVarName: 'RENAMED_KEY', icon: 'stripe' } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: c.id, name, envVarName: 'RENAMED_KEY', icon: 'stripe', keyType: 'simple' });
    expect((await call(api, 'GET', `/api/categories/${c.id}`)).json).toMatchObject({ name, envVarName: 'RENAMED_KEY' });
  });

  it('changes the fields of a group that no entry uses', async () => {
    const c = await createCategory(api, { keyType: 'group', fields: ['F_ONE'] });
    const res = await call(api, 'PUT', `/api/categories/${c.id}`, { body: { fields: ['F_ONE', 'F_TWO'] } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ fields: ['F_ONE', 'F_TWO'] });
  });

  it('adds a field to a group that entries use: each entry gets it empty, and validate names it', async () => {
    const c = await createCategory(api, { keyType: 'group', fields: ['U_ONE'] });
    const e = await createEntry(api, { categoryId: c.id, environment: 'production', value: { U_ONE: '1' } });
    const res = await call(api, 'PUT', `/api/categories/${c.id}`, { body: { fields: ['U_ONE', 'U_TWO'] } });
    expect(res.status, res.text).toBe(200);
    expect(await reveal(api, e.id)).toEqual({ U_ONE: '1', U_TWO: '' });
    const env = await call(api, 'GET', `/api/projects/${encodeURIComponent(e.name)}/env?environment=production&format=json`);
    expect(env.json).toEqual({ U_ONE: '1', U_TWO: '' });
    const v = await call(api, 'GET', `/api/projects/${encodeURIComponent(e.name)}/validate?environment=production`);
    expect(v.json).toMatchObject({ empty: ['U_TWO'] });
    // Once set, the entry is whole again.
    expect((await call(api, 'PUT', `/api/entries/${e.id}`, { body: { value: { U_ONE: '1', U_TWO: '2' } } })).status).toBe(200);
    const after = await call(api, 'GET', `/api/projects/${encodeURIComponent(e.name)}/validate?environment=production`);
    expect(after.json).toMatchObject({ empty: [] });
  });

  it('answers 409 CONFLICT naming the field to removing one that entries use, and changes nothing', async () => {
    const c = await createCategory(api, { keyType: 'group', fields: ['R_ONE', 'R_TWO'] });
    const e = await createEntry(api, { categoryId: c.id, value: { R_ONE: '1', R_TWO: '2' } });
    const res = await call(api, 'PUT', `/api/categories/${c.id}`, { body: { fields: ['R_ONE'] } });
    const err = expectError(res, 409, 'CONFLICT');
    expect(err.error).toContain('R_TWO');
    expect(err.details).toMatchObject({ entries: 1, removed: ['R_TWO'] });
    expect((await call(api, 'GET', `/api/categories/${c.id}`)).json).toMatchObject({ fields: ['R_ONE', 'R_TWO'] });
    expect(await reveal(api, e.id)).toEqual({ R_ONE: '1', R_TWO: '2' });
  });

  it("removes a used field with force=true, keeping each entry's old value in its history", async () => {
    const c = await createCategory(api, { keyType: 'group', fields: ['FR_ONE', 'FR_TWO'] });
    const e = await createEntry(api, { categoryId: c.id, value: { FR_ONE: '1', FR_TWO: 'old two' } });
    const res = await call(api, 'PUT', `/api/categories/${c.id}?force=true`, { body: { fields: ['FR_ONE'] } });
    expect(res.status, res.text).toBe(200);
    expect(await reveal(api, e.id)).toEqual({ FR_ONE: '1' });
    const versions = (await call(api, 'GET', `/api/entries/${e.id}/versions`)).json as { version: number }[];
    expect(versions).toHaveLength(1);
    const old = await call(api, 'POST', `/api/entries/${e.id}/versions/${versions[0]!.version}/reveal`);
    expect((old.json as { value: unknown }).value).toEqual({ FR_ONE: '1', FR_TWO: 'old two' });
  });

  it('answers 409 CONFLICT to a rename onto another category name', async () => {
    const a = await createCategory(api);
    const b = await createCategory(api);
    expectError(await call(api, 'PUT', `/api/categories/${b.id}`, { body: { name: a.name.toLowerCase() } }), 409, 'CONFLICT');
  });

  it('keeps a rename that only changes the case', async () => {
    const c = await createCategory(api, { name: unique('case ') });
    const res = await call(api, 'PUT', `/api/categories/${c.id}`, { body: { name: c.name.toUpperCase() } });
    expect(res.status, res.text).toBe(200);
  });

  it('answers 400 VALIDATION_FAILED naming the field', async () => {
    const c = await createCategory(api);
    const res = await call(api, 'PUT', `/api/categories/${c.id}`, { body: { envVarName: 'has space' } });
    expect(Object.keys(expectError(res, 400, 'VALIDATION_FAILED').details)).toContain('envVarName');
    const nulled = await call(api, 'PUT', `/api/categories/${c.id}`, { body: { envVarName: null } });
    expect(Object.keys(expectError(nulled, 400, 'VALIDATION_FAILED').details)).toContain('envVarName');
  });

  it('answers 404 NOT_FOUND to an unknown id', async () => {
    expectError(await call(api, 'PUT', `/api/categories/${MISSING_ID}`, { body: { name: 'Ghost' } }), 404, 'NOT_FOUND');
  });

  it('needs the categories:write scope', async () => {
    const c = await createCategory(api);
    const res = await call(api, 'PUT', `/api/categories/${c.id}`, { token: api.tokenWith(['categories:read']), body: { name: 'No' } });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('categories:write');
  });

  it('answers 415 to a body that is not JSON', async () => {
    const c = await createCategory(api);
    expectError(await call(api, 'PUT', `/api/categories/${c.id}`, { text: 'name=x' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('DELETE /api/categories/{id}', () => {
  it('deletes an unused category with 204 and no body', async () => {
    const c = await createCategory(api);
    const res = await call(api, 'DELETE', `/api/categories/${c.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await call(api, 'GET', `/api/categories/${c.id}`), 404, 'NOT_FOUND');
  });

  it('answers 409 CONFLICT while the category has entries, and keeps both', async () => {
    const c = await createCategory(api);
    const e = await createEntry(api, { categoryId: c.id });
    const res = await call(api, 'DELETE', `/api/categories/${c.id}`);
    expectError(res, 409, 'CONFLICT');
    expect((await call(api, 'GET', `/api/categories/${c.id}`)).status).toBe(200);
    expect((await call(api, 'GET', `/api/entries/${e.id}`)).status).toBe(200);
  });

  it('deletes the category and its entries with ?cascade=true', async () => {
    const c = await createCategory(api);
    const e1 = await createEntry(api, { categoryId: c.id });
    const e2 = await createEntry(api, { categoryId: c.id, environment: 'production' });
    const res = await call(api, 'DELETE', `/api/categories/${c.id}?cascade=true`);
    expect(res.status).toBe(204);
    expectError(await call(api, 'GET', `/api/categories/${c.id}`), 404, 'NOT_FOUND');
    expectError(await call(api, 'GET', `/api/entries/${e1.id}`), 404, 'NOT_FOUND');
    expectError(await call(api, 'POST', `/api/entries/${e2.id}/reveal`), 404, 'NOT_FOUND');
  });

  it('answers 400 to a cascade that is neither true nor false', async () => {
    const c = await createCategory(api);
    expectError(await call(api, 'DELETE', `/api/categories/${c.id}?cascade=yes`), 400, 'VALIDATION_FAILED');
  });

  it('answers 404 NOT_FOUND to an unknown id', async () => {
    expectError(await call(api, 'DELETE', `/api/categories/${MISSING_ID}`), 404, 'NOT_FOUND');
  });

  it('needs the categories:write scope', async () => {
    const c = await createCategory(api);
    const res = await call(api, 'DELETE', `/api/categories/${c.id}`, { token: api.tokenWith(['categories:read', 'entries:write']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('categories:write');
    expect((await call(api, 'GET', `/api/categories/${c.id}`)).status).toBe(200);
  });
});

describe('while the vault is locked', () => {
  it('every category route answers 423 VAULT_LOCKED', async () => {
    const own = await startTestApi();
    try {
      const c = await createCategory(own);
      await call(own, 'POST', '/api/lock');
      expectError(await call(own, 'GET', '/api/categories'), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'POST', '/api/categories', { body: { name: 'Locked', envVarName: 'LOCKED' } }), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'GET', `/api/categories/${c.id}`), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'PUT', `/api/categories/${c.id}`, { body: { name: 'L' } }), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'DELETE', `/api/categories/${c.id}`), 423, 'VAULT_LOCKED');
    } finally {
      await own.stop();
    }
  });
});

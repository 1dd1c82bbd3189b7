// /api/entries: create, list (filters, search, paging), get, update, delete, reveal — and that a
// value never shows outside a reveal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, PASSWORD, startTestApi, type TestApi } from '../helpers/core.js';
import type { Category, Entry, EntryWithCategory } from '../../src/shared/model.js';
import { createCategory, createEntry, expectError, expectJsonType, MISSING_ID, reveal, unique } from './fixtures.js';

let api: TestApi;
let simple: Category;
let group: Category;

beforeAll(async () => {
  api = await startTestApi();
  simple = await createCategory(api, { name: unique('OpenAI '), envVarName: 'OPENAI_API_KEY', icon: 'openai' });
  group = await createCategory(api, { name: unique('AWS '), keyType: 'group', fields: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] });
});
afterAll(async () => {
  await api.stop();
});

const awsValue = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalr/secret', AWS_REGION: 'eu-west-1' };

describe('POST /api/entries', () => {
  it('creates an entry, answers 201 without its value, and defaults to development', async () => {
    const name = unique('Blog ');
    const res = await call(api, 'POST', '/api/entries', { body: { categoryId: simple.id, name, value: 'sk-create-SECRET-1', notes: 'main key' } });
    expect(res.status, res.text).toBe(201);
    expectJsonType(res);
    const e = res.json as Entry;
    expect(e).toMatchObject({ categoryId: simple.id, name, environment: 'development', notes: 'main key', envVarName: null, expiresAt: null });
    expect(res.text).not.toContain('sk-create-SECRET-1');
    expect(await reveal(api, e.id)).toBe('sk-create-SECRET-1');
  });

  it('takes the standard environments and a custom lowercase slug', async () => {
    const name = unique('Envs ');
    for (const environment of ['development', 'staging', 'production', 'qa-2']) {
      const e = await createEntry(api, { categoryId: simple.id, name, environment });
      expect(e.environment).toBe(environment);
    }
  });

  // 'Production' is lowercased, not refused: one rule everywhere (issue 14 item 15, test below).
  it.each(['prod env', '1st', 'a'.repeat(33), '-dash', '', 'Prod_Env'])('answers 400 naming environment for %j', async (environment) => {
    const res = await call(api, 'POST', '/api/entries', { body: { categoryId: simple.id, name: unique('P '), value: 'v', environment } });
    expect(Object.keys(expectError(res, 400, 'VALIDATION_FAILED').details)).toContain('environment');
  });

  it('keeps an empty value, as KEY= is legal in a .env', async () => {
    const e = await createEntry(api, { categoryId: simple.id, value: '' });
    expect(await reveal(api, e.id)).toBe('');
  });

  it('keeps a value of exactly 64 KiB and refuses one byte more with 400', async () => {
    const max = 'k'.repeat(64 * 1024);
    const e = await createEntry(api, { categoryId: simple.id, value: max });
    expect(await reveal(api, e.id)).toBe(max);
    const res = await call(api, 'POST', '/api/entries', { body: { categoryId: simple.id, name: unique('Big '), value: `${max}k` } });
    expect(Object.keys(expectError(res, 400, 'VALIDATION_FAILED').details)).toContain('value');
  });

  it('creates a group entry from an object of its fields', async () => {
    const e = await createEntry(api, { categoryId: group.id, value: awsValue });
    expect(await reveal(api, e.id)).toEqual(awsValue);
  });

  it('accepts a group value given as a JSON string', async () => {
    const e = await createEntry(api, { categoryId: group.id, value: JSON.stringify(awsValue) });
    expect(await reveal(api, e.id)).toEqual(awsValue);
  });

  it('answers 400 naming a group field that is missing', async () => {
    const { AWS_REGION: _r, ...partial } = awsValue;
    const res = await call(api, 'POST', '/api/entries', { body: { categoryId: group.id, name: unique('G '), value: partial } });
    expect(expectError(res, 400, 'VALIDATION_FAILED').details).toHaveProperty(['value.AWS_REGION']);
  });

  it('answers 400 naming a group field that is unknown', async () => {
    const res = await call(api, 'POST', '/api/entries', { body: { categoryId: group.id, name: unique('G '), value: { ...awsValue, AWS_SESSION: 'x' } } });
    expect(expectError(res, 400, 'VALIDATION_FAILED').details).toHaveProperty(['value.AWS_SESSION']);
  });

  it('answers 400 to a group field that is not a string, and to an object for a simple category', async () => {
    const res = await call(api, 'POST', '/api/entries', { body: { categoryId: group.id, name: unique('G '), value: { ...awsValue, AWS_REGION: 7 } } });
    expectError(res, 400, 'VALIDATION_FAILED');
    const obj = await call(api, 'POST', '/api/entries', { body: { categoryId: simple.id, name: unique('S '), value: { a: 'b' } } });
    expect(Object.keys(expectError(obj, 400, 'VALIDATION_FAILED').details)).toContain('value');
  });

  it('answers 409 CONFLICT to a second entry for the same category, project (any case) and environment', async () => {
    const name = unique('Dup ');
    await createEntry(api, { categoryId: simple.id, name, environment: 'staging' });
    const res = await call(api, 'POST', '/api/entries', { body: { categoryId: simple.id, name: name.toUpperCase(), environment: 'staging', value: 'x' } });
    expectError(res, 409, 'CONFLICT');
    const other = await call(api, 'POST', '/api/entries', { body: { categoryId: simple.id, name, environment: 'production', value: 'x' } });
    expect(other.status).toBe(201);
  });

  it('answers 404 NOT_FOUND to an unknown category', async () => {
    const res = await call(api, 'POST', '/api/entries', { body: { categoryId: MISSING_ID, name: unique('P '), value: 'x' } });
    expectError(res, 404, 'NOT_FOUND');
  });

  it.each([
    ['a project name with "/"', { name: 'a/b' }, 'name'],
    ['a project name with a control character', { name: 'line\nbreak' }, 'name'],
    ['a project name of 129 characters', { name: 'p'.repeat(129) }, 'name'],
    ['an empty project name', { name: '' }, 'name'],
    ['an invalid envVarName override', { envVarName: 'NOT OK' }, 'envVarName'],
    ['an expiry that is not an ISO time', { expiresAt: 'tomorrow' }, 'expiresAt'],
    ['a categoryId that is not a uuid', { categoryId: 'abc' }, 'categoryId'],
    ['an unknown property', { secret: 'x' }, 'secret'],
  ])('answers 400 VALIDATION_FAILED naming the field for %s', async (_what, patch, field) => {
    const res = await call(api, 'POST', '/api/entries', { body: { categoryId: simple.id, name: unique('P '), value: 'x', ...patch } });
    expect(Object.keys(expectError(res, 400, 'VALIDATION_FAILED').details)).toContain(field);
  });

  it('answers 400 to a missing value', async () => {
    const res = await call(api, 'POST', '/api/entries', { body: { categoryId: simple.id, name: unique('P ') } });
    expect(Object.keys(expectError(res, 400, 'VALIDATION_FAILED').details)).toContain('value');
  });

  it('never echoes the value in an error body', async () => {
    const value = 'sk-echo-SECRET-4411';
    const bad = await call(api, 'POST', '/api/entries', { body: { categoryId: simple.id, name: unique('P '), value, environment: 'BAD ENV' } });
    expectError(bad, 400, 'VALIDATION_FAILED');
    expect(bad.text).not.toContain(value);
    const name = unique('Echo ');
    await createEntry(api, { categoryId: simple.id, name, value });
    const dup = await call(api, 'POST', '/api/entries', { body: { categoryId: simple.id, name, value } });
    expectError(dup, 409, 'CONFLICT');
    expect(dup.text).not.toContain(value);
    const groupBad = await call(api, 'POST', '/api/entries', { body: { categoryId: group.id, name: unique('G '), value: JSON.stringify({ AWS_REGION: value }) } });
    expectError(groupBad, 400, 'VALIDATION_FAILED');
    expect(groupBad.text).not.toContain(value);
    const notJson = await call(api, 'POST', '/api/entries', { body: { categoryId: group.id, name: unique('G '), value: `{${value}` } });
    expectError(notJson, 400, 'VALIDATION_FAILED');
    expect(notJson.text).not.toContain(value);
  });

  it('needs the entries:write scope', async () => {
    const res = await call(api, 'POST', '/api/entries', { token: api.tokenWith(['entries:read', 'entries:reveal']), body: { categoryId: simple.id, name: unique('P '), value: 'x' } });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:write');
  });

  it('answers 415 to a body that is not JSON', async () => {
    expectError(await call(api, 'POST', '/api/entries', { text: 'value=x' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('GET /api/entries', () => {
  let project: string;
  let cat: Category;
  const made: Entry[] = [];

  beforeAll(async () => {
    project = unique('Listing ');
    cat = await createCategory(api, { name: unique('Searchable Service '), envVarName: 'SEARCHABLE_TOKEN' });
    made.push(await createEntry(api, { categoryId: cat.id, name: project, environment: 'development', value: 'sk-list-SECRET-dev', notes: 'rotates monthly' }));
    made.push(await createEntry(api, { categoryId: cat.id, name: project, environment: 'staging', value: 'sk-list-SECRET-stg' }));
    made.push(await createEntry(api, { categoryId: cat.id, name: project, environment: 'production', value: 'sk-list-SECRET-prd', envVarName: 'OVERRIDE_NAME' }));
  });

  it('lists entries with their category and never a value, with X-Total-Count', async () => {
    const res = await call(api, 'GET', '/api/entries');
    expect(res.status).toBe(200);
    expectJsonType(res);
    expect(res.text).not.toMatch(/sk-list-SECRET|sk-create-SECRET|AKIAEXAMPLE|wJalr/);
    const list = res.json as EntryWithCategory[];
    expect(Number(res.headers.get('x-total-count'))).toBe(list.length);
    const mine = list.find((e) => e.id === made[0]!.id)!;
    expect(mine.category).toEqual({ name: cat.name, keyType: 'simple', envVarName: 'SEARCHABLE_TOKEN', icon: null });
    expect(mine).not.toHaveProperty('value');
  });

  it('filters by category, project (any case) and environment', async () => {
    const byCategory = (await call(api, 'GET', `/api/entries?categoryId=${cat.id}`)).json as EntryWithCategory[];
    expect(byCategory.map((e) => e.id).sort()).toEqual(made.map((e) => e.id).sort());
    const byProject = await call(api, 'GET', `/api/entries?project=${encodeURIComponent(project.toUpperCase())}`);
    expect((byProject.json as Entry[]).map((e) => e.id).sort()).toEqual(made.map((e) => e.id).sort());
    const staging = await call(api, 'GET', `/api/entries?project=${encodeURIComponent(project)}&environment=staging`);
    expect((staging.json as Entry[]).map((e) => e.id)).toEqual([made[1]!.id]);
    expect(staging.headers.get('x-total-count')).toBe('1');
  });

  it('searches category names, project names, env var names and notes, case-insensitively', async () => {
    const ids = async (q: string) => ((await call(api, 'GET', `/api/entries?q=${encodeURIComponent(q)}`)).json as Entry[]).map((e) => e.id);
    expect(await ids(cat.name.toLowerCase())).toEqual(expect.arrayContaining(made.map((e) => e.id)));
    expect(await ids(project.toUpperCase())).toEqual(expect.arrayContaining(made.map((e) => e.id)));
    expect(await ids('searchable_token')).toEqual(expect.arrayContaining([made[0]!.id, made[1]!.id]));
    expect(await ids('override_name')).toEqual([made[2]!.id]);
    expect(await ids('ROTATES month')).toEqual([made[0]!.id]);
  });

  it('finds a group entry by one of its field names', async () => {
    const e = await createEntry(api, { categoryId: group.id, value: awsValue });
    const found = (await call(api, 'GET', '/api/entries?q=aws_secret_access')).json as Entry[];
    expect(found.map((x) => x.id)).toContain(e.id);
  });

  it('never matches a value in a search', async () => {
    const res = await call(api, 'GET', `/api/entries?q=${encodeURIComponent('sk-list-SECRET')}`);
    expect(res.json).toEqual([]);
    expect(res.headers.get('x-total-count')).toBe('0');
  });

  it('pages with limit and offset while X-Total-Count counts every match', async () => {
    const all = (await call(api, 'GET', `/api/entries?categoryId=${cat.id}`)).json as Entry[];
    const page = await call(api, 'GET', `/api/entries?categoryId=${cat.id}&limit=1&offset=1`);
    expect(page.json).toEqual([all[1]]);
    expect(page.headers.get('x-total-count')).toBe('3');
    const none = await call(api, 'GET', `/api/entries?categoryId=${cat.id}&limit=0`);
    expect(none.json).toEqual([]);
    expect(none.headers.get('x-total-count')).toBe('3');
  });

  it('accepts a limit of 10 000 and refuses more with 400', async () => {
    expect((await call(api, 'GET', '/api/entries?limit=10000')).status).toBe(200);
    expect(Object.keys(expectError(await call(api, 'GET', '/api/entries?limit=10001'), 400, 'VALIDATION_FAILED').details)).toContain('limit');
    expectError(await call(api, 'GET', '/api/entries?offset=-1'), 400, 'VALIDATION_FAILED');
    expectError(await call(api, 'GET', '/api/entries?limit=ten'), 400, 'VALIDATION_FAILED');
  });

  it('needs the entries:read scope', async () => {
    const res = await call(api, 'GET', '/api/entries', { token: api.tokenWith(['entries:reveal', 'categories:read']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:read');
  });
});

describe('environment names (issue 14 item 15: one rule everywhere)', () => {
  it('lowercases an environment wherever it is given: a filter for PROD finds the entry stored as Production', async () => {
    const cat = await createCategory(api);
    const project = unique('Cased ');
    const made = await createEntry(api, { categoryId: cat.id, name: project, environment: ' Production ', value: 'v' });
    expect(made.environment).toBe('production');
    const res = await call(api, 'GET', `/api/entries?project=${encodeURIComponent(project)}&environment=PRODUCTION`);
    expect(res.status, res.text).toBe(200);
    expect((res.json as EntryWithCategory[]).map((e) => e.id)).toEqual([made.id]);
    const env = await call(api, 'GET', `/api/projects/${encodeURIComponent(project)}/env?environment=Production&format=json`);
    expect(env.status, env.text).toBe(200);
  });
});

describe('names (issue 14 item 13: trimmed and NFC everywhere)', () => {
  it('stores a project name trimmed and in NFC, so spaces or an NFD spelling make no second project', async () => {
    const cat = await createCategory(api);
    const base = unique('Blög ');
    const nfd = base.normalize('NFD');
    expect(nfd).not.toBe(base);
    const made = await createEntry(api, { categoryId: cat.id, name: `  ${nfd}  `, value: 'v' });
    expect(made.name).toBe(base);
    expectError(await call(api, 'POST', '/api/entries', { body: { categoryId: cat.id, name: base, value: 'w' } }), 409, 'CONFLICT');
    const found = await call(api, 'GET', `/api/entries?project=${encodeURIComponent(` ${nfd}`)}`);
    expect((found.json as EntryWithCategory[]).map((e) => e.id)).toEqual([made.id]);
    const exported = await call(api, 'GET', `/api/projects/${encodeURIComponent(nfd)}/env?format=json`);
    expect(exported.status, exported.text).toBe(200);
  });
});

describe('GET /api/entries/{id}', () => {
  it('returns the entry with its category and no value', async () => {
    const e = await createEntry(api, { categoryId: simple.id, value: 'sk-get-SECRET' });
    const res = await call(api, 'GET', `/api/entries/${e.id}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ...e, category: { name: simple.name, keyType: 'simple', envVarName: 'OPENAI_API_KEY', icon: 'openai' } });
    expect(res.text).not.toContain('sk-get-SECRET');
  });

  it('answers 404 NOT_FOUND to an unknown id', async () => {
    expectError(await call(api, 'GET', `/api/entries/${MISSING_ID}`), 404, 'NOT_FOUND');
  });

  it('needs the entries:read scope', async () => {
    const e = await createEntry(api, { categoryId: simple.id });
    const res = await call(api, 'GET', `/api/entries/${e.id}`, { token: api.tokenWith(['entries:reveal']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:read');
  });
});

describe('PUT /api/entries/{id}', () => {
  it('updates any field alone, keeping the others', async () => {
    const e = await createEntry(api, { categoryId: simple.id, value: 'keep-me', notes: 'old' });
    const res = await call(api, 'PUT', `/api/entries/${e.id}`, { body: { notes: 'new notes', expiresAt: '2030-01-01T00:00:00.000Z', envVarName: 'MY_OPENAI' } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: e.id, name: e.name, environment: e.environment, notes: 'new notes', expiresAt: '2030-01-01T00:00:00.000Z', envVarName: 'MY_OPENAI' });
    expect(res.text).not.toContain('keep-me');
    expect(await reveal(api, e.id)).toBe('keep-me');
  });

  it('changes the value, project and environment', async () => {
    const e = await createEntry(api, { categoryId: simple.id, value: 'before' });
    const name = unique('Moved ');
    const res = await call(api, 'PUT', `/api/entries/${e.id}`, { body: { value: 'after', name, environment: 'production' } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ name, environment: 'production' });
    expect(await reveal(api, e.id)).toBe('after');
  });

  it('moves an entry to another category, keeping its value and versions', async () => {
    const other = await createCategory(api);
    const e = await createEntry(api, { categoryId: simple.id, value: 'old value' });
    await call(api, 'PUT', `/api/entries/${e.id}`, { body: { value: 'moved value' } });
    const res = await call(api, 'PUT', `/api/entries/${e.id}`, { body: { categoryId: other.id } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ categoryId: other.id });
    expect(await reveal(api, e.id)).toBe('moved value');
    expect((await call(api, 'POST', `/api/entries/${e.id}/versions/1/reveal`)).json).toEqual({ version: 1, value: 'old value' });
    expect((await call(api, 'GET', `/api/entries/${e.id}`)).json).toMatchObject({ category: { name: other.name } });
    // Still readable once the overviews are decrypted again from the file.
    expect((await call(api, 'POST', '/api/lock')).status).toBe(204);
    expect((await call(api, 'POST', '/api/unlock', { body: { password: PASSWORD } })).status).toBe(204);
    expect(await reveal(api, e.id)).toBe('moved value');
    expect((await call(api, 'GET', `/api/entries/${e.id}`)).json).toMatchObject({ categoryId: other.id });
  });

  it('answers 400 to moving a simple entry into a group category', async () => {
    const e = await createEntry(api, { categoryId: simple.id, value: 'plain' });
    expectError(await call(api, 'PUT', `/api/entries/${e.id}`, { body: { categoryId: group.id } }), 400, 'VALIDATION_FAILED');
    expect(await reveal(api, e.id)).toBe('plain');
  });

  it('accepts an empty body as a change of nothing', async () => {
    const e = await createEntry(api, { categoryId: simple.id, value: 'same' });
    const res = await call(api, 'PUT', `/api/entries/${e.id}`, { body: {} });
    expect(res.status, res.text).toBe(200);
    expect(await reveal(api, e.id)).toBe('same');
  });

  it('answers 409 CONFLICT when the change would duplicate another entry', async () => {
    const name = unique('Clash ');
    await createEntry(api, { categoryId: simple.id, name, environment: 'staging' });
    const e = await createEntry(api, { categoryId: simple.id, name, environment: 'production' });
    expectError(await call(api, 'PUT', `/api/entries/${e.id}`, { body: { environment: 'staging' } }), 409, 'CONFLICT');
  });

  it('answers 400 naming a group field that is missing, and keeps the old value', async () => {
    const e = await createEntry(api, { categoryId: group.id, value: awsValue });
    const res = await call(api, 'PUT', `/api/entries/${e.id}`, { body: { value: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } } });
    expect(expectError(res, 400, 'VALIDATION_FAILED').details).toHaveProperty(['value.AWS_REGION']);
    expect(await reveal(api, e.id)).toEqual(awsValue);
  });

  it('answers 400 VALIDATION_FAILED naming a bad field', async () => {
    const e = await createEntry(api, { categoryId: simple.id });
    const res = await call(api, 'PUT', `/api/entries/${e.id}`, { body: { environment: 'PROD ENV' } });
    expect(Object.keys(expectError(res, 400, 'VALIDATION_FAILED').details)).toContain('environment');
  });

  it('answers 404 NOT_FOUND to an unknown id', async () => {
    expectError(await call(api, 'PUT', `/api/entries/${MISSING_ID}`, { body: { notes: 'x' } }), 404, 'NOT_FOUND');
  });

  it('needs the entries:write scope', async () => {
    const e = await createEntry(api, { categoryId: simple.id, value: 'untouched' });
    const res = await call(api, 'PUT', `/api/entries/${e.id}`, { token: api.tokenWith(['entries:read', 'entries:reveal']), body: { value: 'changed' } });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:write');
    expect(await reveal(api, e.id)).toBe('untouched');
  });

  it('answers 415 to a body that is not JSON', async () => {
    const e = await createEntry(api, { categoryId: simple.id });
    expectError(await call(api, 'PUT', `/api/entries/${e.id}`, { text: 'value=x' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('DELETE /api/entries/{id}', () => {
  it('deletes the entry with 204, after which it is 404 everywhere', async () => {
    const e = await createEntry(api, { categoryId: simple.id });
    const res = await call(api, 'DELETE', `/api/entries/${e.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await call(api, 'GET', `/api/entries/${e.id}`), 404, 'NOT_FOUND');
    expectError(await call(api, 'POST', `/api/entries/${e.id}/reveal`), 404, 'NOT_FOUND');
    expectError(await call(api, 'GET', `/api/entries/${e.id}/versions`), 404, 'NOT_FOUND');
    expectError(await call(api, 'DELETE', `/api/entries/${e.id}`), 404, 'NOT_FOUND');
    const listed = (await call(api, 'GET', `/api/entries?categoryId=${simple.id}`)).json as Entry[];
    expect(listed.map((x) => x.id)).not.toContain(e.id);
  });

  it('answers 404 NOT_FOUND to an unknown id', async () => {
    expectError(await call(api, 'DELETE', `/api/entries/${MISSING_ID}`), 404, 'NOT_FOUND');
  });

  it('needs the entries:write scope', async () => {
    const e = await createEntry(api, { categoryId: simple.id });
    const res = await call(api, 'DELETE', `/api/entries/${e.id}`, { token: api.tokenWith(['entries:read']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:write');
    expect((await call(api, 'GET', `/api/entries/${e.id}`)).status).toBe(200);
  });
});

describe('POST /api/entries/{id}/reveal', () => {
  it('returns the id, project, environment and value', async () => {
    const e = await createEntry(api, { categoryId: simple.id, environment: 'staging', value: 'sk-reveal-SECRET' });
    const res = await call(api, 'POST', `/api/entries/${e.id}/reveal`);
    expect(res.status).toBe(200);
    expectJsonType(res);
    expect(res.json).toEqual({ id: e.id, name: e.name, environment: 'staging', value: 'sk-reveal-SECRET' });
  });

  it('returns a group value as an object of its fields', async () => {
    const e = await createEntry(api, { categoryId: group.id, value: awsValue });
    const res = await call(api, 'POST', `/api/entries/${e.id}/reveal`);
    expect((res.json as { value: unknown }).value).toEqual(awsValue);
  });

  it('returns unicode, emoji and line breaks exactly', async () => {
    const value = 'ключ 🔑\r\n\tend ';
    const e = await createEntry(api, { categoryId: simple.id, value });
    expect(await reveal(api, e.id)).toBe(value);
  });

  it('answers 404 NOT_FOUND to an unknown id', async () => {
    expectError(await call(api, 'POST', `/api/entries/${MISSING_ID}/reveal`), 404, 'NOT_FOUND');
  });

  it('needs the entries:reveal scope', async () => {
    const e = await createEntry(api, { categoryId: simple.id, value: 'sk-noscope-SECRET' });
    const res = await call(api, 'POST', `/api/entries/${e.id}/reveal`, { token: api.tokenWith(['entries:read', 'entries:write']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:reveal');
    expect(res.text).not.toContain('sk-noscope-SECRET');
  });
});

describe('while the vault is locked', () => {
  it('every entry route answers 423 VAULT_LOCKED', async () => {
    const own = await startTestApi();
    try {
      const c = await createCategory(own);
      const e = await createEntry(own, { categoryId: c.id });
      await call(own, 'POST', '/api/lock');
      expectError(await call(own, 'GET', '/api/entries'), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'POST', '/api/entries', { body: { categoryId: c.id, name: 'L', value: 'x' } }), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'GET', `/api/entries/${e.id}`), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'PUT', `/api/entries/${e.id}`, { body: { value: 'y' } }), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'DELETE', `/api/entries/${e.id}`), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'POST', `/api/entries/${e.id}/reveal`), 423, 'VAULT_LOCKED');
    } finally {
      await own.stop();
    }
  });
});

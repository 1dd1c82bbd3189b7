// An entry's previous values: listed, revealed and restored; the last 20 kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApi, type TestApi } from '../helpers/core.js';
import type { Category, VersionInfo } from '../../src/shared/model.js';
import { createCategory, createEntry, expectError, MISSING_ID, reveal } from './fixtures.js';

let api: TestApi;
let simple: Category;
let group: Category;

beforeAll(async () => {
  api = await startTestApi();
  simple = await createCategory(api);
  group = await createCategory(api, { keyType: 'group', fields: ['V_ID', 'V_SECRET'] });
});
afterAll(async () => {
  await api.stop();
});

async function entryWithHistory(values: string[]): Promise<string> {
  const e = await createEntry(api, { categoryId: simple.id, value: values[0]! });
  for (const value of values.slice(1)) {
    const res = await call(api, 'PUT', `/api/entries/${e.id}`, { body: { value } });
    expect(res.status, res.text).toBe(200);
  }
  return e.id;
}

const versionsOf = async (id: string): Promise<VersionInfo[]> => {
  const res = await call(api, 'GET', `/api/entries/${id}/versions`);
  expect(res.status, res.text).toBe(200);
  return res.json as VersionInfo[];
};

describe('GET /api/entries/{id}/versions', () => {
  it('is empty for a new entry', async () => {
    const e = await createEntry(api, { categoryId: simple.id });
    expect(await versionsOf(e.id)).toEqual([]);
  });

  it('keeps each previous value as a version, newest first, with no value in the list', async () => {
    const id = await entryWithHistory(['sk-v-SECRET-1', 'sk-v-SECRET-2', 'sk-v-SECRET-3']);
    const res = await call(api, 'GET', `/api/entries/${id}/versions`);
    expect(res.text).not.toContain('sk-v-SECRET');
    const list = res.json as VersionInfo[];
    expect(list.map((v) => v.version)).toEqual([2, 1]);
    for (const v of list) expect(Object.keys(v).sort()).toEqual(['createdAt', 'replacedAt', 'version']);
  });

  it('says when each previous value was replaced: version 1 when the second value came, and so on', async () => {
    const id = await entryWithHistory(['first']);
    const before = new Date().toISOString();
    await call(api, 'PUT', `/api/entries/${id}`, { body: { value: 'second' } });
    const after = new Date().toISOString();
    const [v1] = (await call(api, 'GET', `/api/entries/${id}/versions`)).json as VersionInfo[];
    expect(v1!.replacedAt >= before && v1!.replacedAt <= after).toBe(true);
    expect(v1!.createdAt).toBe(v1!.replacedAt);
  });

  it('makes no version when an update leaves the value as it was', async () => {
    const id = await entryWithHistory(['same']);
    await call(api, 'PUT', `/api/entries/${id}`, { body: { value: 'same' } });
    await call(api, 'PUT', `/api/entries/${id}`, { body: { notes: 'only the notes' } });
    expect(await versionsOf(id)).toEqual([]);
  });

  it('keeps only the last 20 previous values', async () => {
    const values = Array.from({ length: 23 }, (_, i) => `value-${i}`);
    const id = await entryWithHistory(values);
    const list = await versionsOf(id);
    expect(list).toHaveLength(20);
    expect(list[0]!.version).toBe(22);
    expect(list[19]!.version).toBe(3);
    const oldest = await call(api, 'POST', `/api/entries/${id}/versions/3/reveal`);
    expect(oldest.json).toEqual({ version: 3, value: 'value-2' });
    expectError(await call(api, 'POST', `/api/entries/${id}/versions/2/reveal`), 404, 'NOT_FOUND');
  });

  it('answers 404 NOT_FOUND to an unknown entry', async () => {
    expectError(await call(api, 'GET', `/api/entries/${MISSING_ID}/versions`), 404, 'NOT_FOUND');
  });

  it('needs the entries:read scope', async () => {
    const id = await entryWithHistory(['a', 'b']);
    const res = await call(api, 'GET', `/api/entries/${id}/versions`, { token: api.tokenWith(['entries:reveal', 'entries:write']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:read');
  });
});

describe('POST /api/entries/{id}/versions/{v}/reveal', () => {
  it('returns the version number and its value', async () => {
    const id = await entryWithHistory(['first', 'second', 'third']);
    expect((await call(api, 'POST', `/api/entries/${id}/versions/1/reveal`)).json).toEqual({ version: 1, value: 'first' });
    expect((await call(api, 'POST', `/api/entries/${id}/versions/2/reveal`)).json).toEqual({ version: 2, value: 'second' });
  });

  it('returns a group version as an object', async () => {
    const e = await createEntry(api, { categoryId: group.id, value: { V_ID: 'id-1', V_SECRET: 's-1' } });
    await call(api, 'PUT', `/api/entries/${e.id}`, { body: { value: { V_ID: 'id-2', V_SECRET: 's-2' } } });
    const res = await call(api, 'POST', `/api/entries/${e.id}/versions/1/reveal`);
    expect(res.json).toEqual({ version: 1, value: { V_ID: 'id-1', V_SECRET: 's-1' } });
  });

  it('answers 404 NOT_FOUND to a version the entry does not have', async () => {
    const id = await entryWithHistory(['a', 'b']);
    expectError(await call(api, 'POST', `/api/entries/${id}/versions/9/reveal`), 404, 'NOT_FOUND');
  });

  it.each(['0', '-1', 'one', '1.5'])('answers 400 VALIDATION_FAILED to the malformed version %s', async (v) => {
    const id = await entryWithHistory(['a', 'b']);
    expect(Object.keys(expectError(await call(api, 'POST', `/api/entries/${id}/versions/${v}/reveal`), 400, 'VALIDATION_FAILED').details)).toContain('version');
  });

  it('answers 404 NOT_FOUND to an unknown entry', async () => {
    expectError(await call(api, 'POST', `/api/entries/${MISSING_ID}/versions/1/reveal`), 404, 'NOT_FOUND');
  });

  it('needs the entries:reveal scope', async () => {
    const id = await entryWithHistory(['sk-old-SECRET', 'new']);
    const res = await call(api, 'POST', `/api/entries/${id}/versions/1/reveal`, { token: api.tokenWith(['entries:read', 'entries:write']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:reveal');
    expect(res.text).not.toContain('sk-old-SECRET');
  });
});

describe('POST /api/entries/{id}/versions/{v}/restore', () => {
  it('makes the version current and keeps the replaced value as the newest version', async () => {
    const id = await entryWithHistory(['one', 'two', 'three']);
    const res = await call(api, 'POST', `/api/entries/${id}/versions/1/restore`);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id });
    expect(res.text).not.toContain('one');
    expect(await reveal(api, id)).toBe('one');
    const list = await versionsOf(id);
    expect(list.map((v) => v.version)).toEqual([3, 2, 1]);
    expect((await call(api, 'POST', `/api/entries/${id}/versions/3/reveal`)).json).toEqual({ version: 3, value: 'three' });
  });

  it('answers 404 NOT_FOUND to an unknown version, and changes nothing', async () => {
    const id = await entryWithHistory(['a', 'b']);
    expectError(await call(api, 'POST', `/api/entries/${id}/versions/7/restore`), 404, 'NOT_FOUND');
    expect(await reveal(api, id)).toBe('b');
    expect((await versionsOf(id)).length).toBe(1);
  });

  it('answers 404 NOT_FOUND to an unknown entry', async () => {
    expectError(await call(api, 'POST', `/api/entries/${MISSING_ID}/versions/1/restore`), 404, 'NOT_FOUND');
  });

  it('needs the entries:write scope', async () => {
    const id = await entryWithHistory(['a', 'b']);
    const res = await call(api, 'POST', `/api/entries/${id}/versions/1/restore`, { token: api.tokenWith(['entries:read', 'entries:reveal']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:write');
    expect(await reveal(api, id)).toBe('b');
  });
});

describe('while the vault is locked', () => {
  it('the version routes answer 423 VAULT_LOCKED', async () => {
    const own = await startTestApi();
    try {
      const c = await createCategory(own);
      const e = await createEntry(own, { categoryId: c.id, value: 'a' });
      await call(own, 'PUT', `/api/entries/${e.id}`, { body: { value: 'b' } });
      await call(own, 'POST', '/api/lock');
      expectError(await call(own, 'GET', `/api/entries/${e.id}/versions`), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'POST', `/api/entries/${e.id}/versions/1/reveal`), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'POST', `/api/entries/${e.id}/versions/1/restore`), 423, 'VAULT_LOCKED');
    } finally {
      await own.stop();
    }
  });
});

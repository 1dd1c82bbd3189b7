// Issue 10, attack 7: Object-prototype names as group fields skipping the required-field check
// and making an export answer 500.
import type { Scope } from '../../src/shared/model.js';
import { describe, expect, it } from 'vitest';
import dotenv from 'dotenv';
import { codeOf, startOwner } from './helpers.js';

const FIELDS = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];
const ALL: Scope[] = ['categories:read', 'categories:write', 'entries:read', 'entries:write', 'entries:reveal'];

describe('prototype names are ordinary field names', () => {
  it('refuses a group value that lacks fields named constructor, toString, __proto__ or hasOwnProperty, naming each', async () => {
    const owner = await startOwner({ tokens: [{ key: 'full', scopes: ALL }] });
    const token = owner.tokens.full!;
    const category = await owner.request('POST', '/api/categories', { token, body: { name: 'Proto', keyType: 'group', fields: [...FIELDS, 'REAL_KEY'] } });
    expect(category.status, category.text).toBe(201);
    const categoryId = (category.json as { id: string }).id;
    const missing = await owner.request('POST', '/api/entries', { token, body: { categoryId, name: 'Shop', value: { REAL_KEY: 'x' } } });
    expect({ status: missing.status, code: codeOf(missing) }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    for (const f of FIELDS) expect(Object.keys((missing.json as { details: Record<string, unknown> }).details)).toContain(`value.${f}`);
    // Nothing was stored, so the export has nothing to answer 500 about.
    for (const format of ['dotenv', 'json', 'shell']) {
      const exported = await owner.request('GET', `/api/projects/Shop/env?format=${format}`, { token });
      expect(exported.status).toBe(404);
    }
  });

  it('names an unknown "__proto__" property by its own key, at the top of a body and inside it', async () => {
    const owner = await startOwner({ tokens: [{ key: 'full', scopes: ALL }] });
    const token = owner.tokens.full!;
    for (const text of ['{"__proto__": 1, "name": "Proto", "keyType": "simple", "envVarName": "PROTO_KEY"}', '{"name": "Proto", "keyType": "group", "fields": ["A"], "icon": null, "extra": {"__proto__": 1}}']) {
      const refused = await owner.request('POST', '/api/categories', { token, raw: text });
      expect({ status: refused.status, code: codeOf(refused) }, refused.text).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
      expect(refused.text).not.toContain('\\u0000');
      expect(refused.text).not.toContain('keyden:');
    }
    const top = await owner.request('POST', '/api/categories', { token, raw: '{"__proto__": 1, "name": "Proto", "keyType": "simple", "envVarName": "PROTO_KEY"}' });
    expect((top.json as { error: string }).error).toContain('__proto__ is not a known field');
  });

  it('stores and exports every prototype-named field exactly, in every format', async () => {
    const owner = await startOwner({ tokens: [{ key: 'full', scopes: ALL }] });
    const token = owner.tokens.full!;
    const category = await owner.request('POST', '/api/categories', { token, body: { name: 'Proto', keyType: 'group', fields: FIELDS } });
    const categoryId = (category.json as { id: string }).id;
    const value = JSON.parse('{"constructor":"c-val","toString":"t-val","__proto__":"p-val","hasOwnProperty":"h-val"}') as Record<string, string>;
    // Sent as JSON text, as a client would: "__proto__" stays an own key.
    const created = await owner.request('POST', '/api/entries', { token, body: { categoryId, name: 'Shop', value: JSON.stringify(value) } });
    expect(created.status, created.text).toBe(201);
    const dotenvText = await owner.request('GET', '/api/projects/Shop/env', { token });
    expect(dotenvText.status, dotenvText.text).toBe(200);
    expect(dotenvText.text).toContain('constructor=c-val');
    expect(dotenvText.text).toContain('__proto__=p-val');
    const parsed = dotenv.parse(dotenvText.text);
    expect(parsed.toString).toBe('t-val');
    const json = await owner.request('GET', '/api/projects/Shop/env?format=json', { token });
    expect(json.status).toBe(200);
    expect(Object.entries(JSON.parse(json.text) as object).sort()).toEqual(Object.entries(value).sort());
    const shell = await owner.request('GET', '/api/projects/Shop/env?format=shell', { token });
    expect(shell.status).toBe(200);
    expect(shell.text).toContain("export hasOwnProperty='h-val'");
  });

  it('keeps a __proto__ field sent inside a JSON object (not only as JSON text) as an ordinary field', async () => {
    const owner = await startOwner({ tokens: [{ key: 'full', scopes: ALL }] });
    const token = owner.tokens.full!;
    const category = await owner.request('POST', '/api/categories', { token, body: { name: 'Proto', keyType: 'group', fields: ['__proto__', 'constructor'] } });
    const categoryId = (category.json as { id: string }).id;
    // The raw JSON text, so that "__proto__" reaches the server as an own key of the value.
    const created = await owner.request('POST', '/api/entries', {
      token,
      raw: `{"categoryId":"${categoryId}","name":"Shop","value":{"__proto__":"p-val","constructor":"c-val"}}`,
    });
    expect(created.status, created.text).toBe(201);
    const json = await owner.request('GET', '/api/projects/Shop/env?format=json', { token });
    expect(json.status).toBe(200);
    expect(Object.entries(JSON.parse(json.text) as object).sort()).toEqual([
      ['__proto__', 'p-val'],
      ['constructor', 'c-val'],
    ]);
  });

  it('answers an environment named constructor without a prototype leak in the project list', async () => {
    const owner = await startOwner({ categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }], tokens: [{ key: 'full', scopes: ALL }] });
    const token = owner.tokens.full!;
    const categoryId = ((await owner.request('GET', '/api/categories', { token })).json as { id: string }[])[0]!.id;
    expect((await owner.request('POST', '/api/entries', { token, body: { categoryId, name: 'Shop', environment: 'constructor', value: 'x' } })).status).toBe(201);
    const projects = await owner.request('GET', '/api/projects', { token });
    expect(projects.json).toEqual([{ name: 'Shop', description: null, environments: { constructor: 1 }, entryCount: 1, template: [] }]);
  });

  it('lists an environment named constructor or tostring that only the project\'s environments list names', async () => {
    const owner = await startOwner({ categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }], tokens: [{ key: 'full', scopes: ALL }] });
    const token = owner.tokens.full!;
    const categoryId = ((await owner.request('GET', '/api/categories', { token })).json as { id: string }[])[0]!.id;
    expect((await owner.request('POST', '/api/entries', { token, body: { categoryId, name: 'Shop', value: 'x' } })).status).toBe(201);
    const patched = await owner.request('PATCH', '/api/projects/Shop', { token, body: { environments: ['constructor', 'tostring', 'staging'] } });
    expect(patched.status, patched.text).toBe(200);
    const projects = await owner.request('GET', '/api/projects', { token });
    const environments = (projects.json as { environments: Record<string, number> }[])[0]!.environments;
    // (Environments are lowercase slugs, so `__proto__` and `toString` cannot be one.)
    expect(Object.entries(environments).sort()).toEqual([
      ['constructor', 0],
      ['development', 1],
      ['staging', 0],
      ['tostring', 0],
    ]);
  });

  it('imports a .env variable named __proto__ like any other, with dotenv\'s reading of its value', async () => {
    const owner = await startOwner({ tokens: [{ key: 'full', scopes: ALL }] });
    const token = owner.tokens.full!;
    const text = 'OK_VAR=1\n__proto__="two words" # a comment\nconstructor=c-val\n';
    const imported = await owner.request('POST', '/api/projects/Shop/import', { token, text });
    expect(imported.status, imported.text).toBe(200);
    expect(imported.json).toMatchObject({ imported: 3, failed: [], warnings: [] });
    const json = await owner.request('GET', '/api/projects/Shop/env?format=json', { token });
    expect(JSON.parse(json.text)).toEqual(JSON.parse('{"OK_VAR":"1","__proto__":"two words","constructor":"c-val"}'));
    // The exported .env reads back the same (the round trip a user does between machines).
    const exported = (await owner.request('GET', '/api/projects/Shop/env', { token })).text;
    const again = await owner.request('POST', '/api/projects/Copy/import', { token, text: exported });
    expect(again.json).toMatchObject({ imported: 3, failed: [] });
    expect(JSON.parse((await owner.request('GET', '/api/projects/Copy/env?format=json', { token })).text)).toEqual(JSON.parse(json.text));
  });
});

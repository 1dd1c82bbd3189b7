// Names with invisible, direction-changing or control characters over HTTP: a new one is 400
// VALIDATION_FAILED naming the field and the character; one an older vault holds is still listed,
// addressed by its URL and renamed.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, openKeydenCore, type OwnedCore } from '../../src/main/core/index.js';
import { startApiServer, type ApiServer } from '../../src/main/api/server.js';
import type { Category, Entry, ImportSummary, Project } from '../../src/shared/model.js';
import { call, createTestVault, PASSWORD, TEST_KDF, type TestVault } from '../helpers/core.js';
import { renameInFile } from '../helpers/legacy-names.js';
import { expectError } from './fixtures.js';

let vault: TestVault;
let core: OwnedCore;
let server: ApiServer;
let api: { url: string; token: string };
let categoryId: string;

beforeAll(async () => {
  vault = await createTestVault();
  categoryId = vault.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' }).id;
  vault.core.entries.create(APP, { categoryId, name: 'Blog', value: 'sk-blog-1234' });
  vault.core.close();
  // As an earlier version could have stored it.
  await renameInFile(vault.vaultPath, PASSWORD, 'entries', 'Blog', 'Blog\u202Egol');
  core = openKeydenCore({ vaultPath: vault.vaultPath, unsafeTestKdf: TEST_KDF, knownVaultsPath: path.join(vault.dir, 'known-vaults.json') });
  await core.vault.unlock(APP, PASSWORD);
  const token = core.tokens.create(APP, { name: 'test', scopes: ['categories:read', 'categories:write', 'entries:read', 'entries:write', 'entries:reveal'] }).secret;
  server = await startApiServer(core, { port: 0 });
  api = { url: server.url, token };
});
afterAll(async () => {
  await server.close();
  vault.close();
});

const RLO = 'an invisible or direction-changing character (U+202E)';

describe('a new name holding such a character', () => {
  it('is 400 VALIDATION_FAILED for a new entry, naming the field and the character', async () => {
    const body = expectError(await call(api, 'POST', '/api/entries', { body: { categoryId, name: 'Shop\u202Epohs', value: 'sk-shop-9999' } }), 400, 'VALIDATION_FAILED');
    expect(body.error).toBe(`name contains ${RLO}, which a project name may not hold`);
    expect(body.details).toEqual({ name: `contains ${RLO}, which a project name may not hold` });
    expect(JSON.stringify(body)).not.toContain('sk-shop');
  });

  it('is 400 VALIDATION_FAILED for a new or renamed category', async () => {
    expectError(await call(api, 'POST', '/api/categories', { body: { name: 'Stripe\u2069', keyType: 'simple', envVarName: 'STRIPE_KEY' } }), 400, 'VALIDATION_FAILED');
    const body = expectError(await call(api, 'PUT', `/api/categories/${categoryId}`, { body: { name: 'Open\nAI' } }), 400, 'VALIDATION_FAILED');
    expect(body.details).toEqual({ name: 'contains a control character or line break (U+000A)' });
    expect(((await call(api, 'GET', '/api/categories')).json as Category[]).map((c) => c.name)).toEqual(['OpenAI']);
  });

  it('is 400 VALIDATION_FAILED as the project of an import', async () => {
    const body = expectError(await call(api, 'POST', `/api/projects/${encodeURIComponent('Shop\u200B')}/import`, { text: 'A=1\n' }), 400, 'VALIDATION_FAILED');
    expect(body.details).toEqual({ project: 'contains an invisible or direction-changing character (U+200B), which a project name may not hold' });
  });
});

describe('a name an older vault holds', () => {
  it('is listed as stored and its entries stay editable with the name sent back', async () => {
    const projects = (await call(api, 'GET', '/api/projects')).json as Project[];
    expect(projects.map((p) => p.name)).toEqual(['Blog\u202Egol']);
    const [entry] = (await call(api, 'GET', '/api/entries')).json as Entry[];
    const res = await call(api, 'PUT', `/api/entries/${entry!.id}`, { body: { name: 'Blog\u202Egol', notes: 'rotated' } });
    expect(res.status, res.text).toBe(200);
  });

  it('is renamed to a clean name through its URL', async () => {
    const res = await call(api, 'PATCH', `/api/projects/${encodeURIComponent('Blog\u202Egol')}`, { body: { name: 'Blog' } });
    expect(res.status, res.text).toBe(200);
    expect(((await call(api, 'GET', '/api/projects')).json as Project[]).map((p) => p.name)).toContain('Blog');
  });
});

describe('a .env import whose keys hold such characters', () => {
  it('reports its hidden keys as failed, escaped, and imports the rest', async () => {
    const res = await call(api, 'POST', `/api/projects/${encodeURIComponent('Fresh')}/import`, { text: 'GOOD=1\nBAD\u202E=secret-x\n' });
    expect(res.status, res.text).toBe(200);
    const summary = res.json as ImportSummary;
    expect({ imported: summary.imported, failed: summary.failed }).toEqual({
      imported: 1,
      failed: [{ key: 'BAD\\u202E', line: 2, reason: `the name contains ${RLO}` }],
    });
  });
});

// DESIGN §9 over real HTTP: shared `*` entries and the overlay, unknown environments, variable
// refs and server-side filters, strict query parameters, the Variables category, and what a
// token limited to environments may see and change.
import fs from 'node:fs';
import dotenv from 'dotenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApi, tempDir, type TestApi } from '../helpers/core.js';
import type { Category, EntryWithCategory, ImportSummary } from '../../src/shared/model.js';
import { createCategory, createEntry, expectError, reveal, sourcedByBash, unique } from './fixtures.js';

let api: TestApi;
let scratch: string;

beforeAll(async () => {
  api = await startTestApi();
  scratch = tempDir('keyden-shared-');
});
afterAll(async () => {
  await api.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const q = encodeURIComponent;

describe('shared * entries', () => {
  it("overlays an environment's own entries on the project's * entries, marking the shared ones by name in the header, and stays exact", async () => {
    const project = unique('Overlay ');
    const log = await createCategory(api, { envVarName: `LOG_${unique('').toUpperCase()}` });
    const dsn = await createCategory(api, { envVarName: `DSN_${unique('').toUpperCase()}` });
    const nasty = `it's "$HOME" # not a comment\nline two ünï`;
    await createEntry(api, { categoryId: log.id, name: project, environment: '*', value: 'info' });
    await createEntry(api, { categoryId: dsn.id, name: project, environment: '*', value: nasty });
    await createEntry(api, { categoryId: log.id, name: project, environment: 'production', value: 'warn' });
    const res = await call(api, 'GET', `/api/projects/${q(project)}/env?environment=production`);
    expect(res.status, res.text).toBe(200);
    const header = res.text.split('\n').filter((l) => l.startsWith('#'));
    expect(header.join('\n')).toContain(`shared by every environment (*): ${dsn.envVarName}`);
    expect(header.join('\n')).not.toContain('info');
    expect(dotenv.parse(res.text)).toEqual({ [log.envVarName!]: 'warn', [dsn.envVarName!]: nasty });
    const shell = await call(api, 'GET', `/api/projects/${q(project)}/env?environment=production&format=shell`);
    expect(sourcedByBash(scratch, shell.text, [log.envVarName!, dsn.envVarName!])).toEqual({ [log.envVarName!]: 'warn', [dsn.envVarName!]: nasty });
    const json = await call(api, 'GET', `/api/projects/${q(project)}/env?environment=production&format=json`);
    expect(json.json).toEqual({ [log.envVarName!]: 'warn', [dsn.envVarName!]: nasty });
  });

  it('answers 404 naming the environments that exist for a misspelled one, and * alone makes no environment', async () => {
    const project = unique('Typo ');
    const c = await createCategory(api);
    await createEntry(api, { categoryId: c.id, name: project, environment: '*', value: 'shared' });
    let body = expectError(await call(api, 'GET', `/api/projects/${q(project)}/env?environment=production`), 404, 'NOT_FOUND');
    expect(body.details).toMatchObject({ environments: [] });
    await createEntry(api, { categoryId: c.id, name: project, environment: 'production', value: 'p' });
    await createEntry(api, { categoryId: c.id, name: project, environment: 'development', value: 'd' });
    body = expectError(await call(api, 'GET', `/api/projects/${q(project)}/env?environment=prodction`), 404, 'NOT_FOUND');
    expect(body.error).toContain('development, production');
    expect(body.details).toMatchObject({ environment: 'prodction', environments: ['development', 'production'] });
    expectError(await call(api, 'GET', `/api/projects/${q(project)}/validate?environment=prodction`), 404, 'NOT_FOUND');
  });

  it('makes an environment exist once the project lists it, with the shared variables as its .env', async () => {
    const project = unique('Listed ');
    const c = await createCategory(api);
    await createEntry(api, { categoryId: c.id, name: project, environment: '*', value: 'shared' });
    const patched = await call(api, 'PATCH', `/api/projects/${q(project)}`, { body: { environments: ['staging'] } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ name: project, environments: { '*': 1, staging: 0 } });
    const json = await call(api, 'GET', `/api/projects/${q(project)}/env?environment=staging&format=json`);
    expect(json.json).toEqual({ [c.envVarName!]: 'shared' });
  });

  it('imports into * as shared entries', async () => {
    const project = unique('Shared import ');
    const name = `SHARED_IMP_${unique('').toUpperCase()}`;
    const res = await call(api, 'POST', `/api/projects/${q(project)}/import?environment=${q('*')}`, { text: `${name}=everywhere\n` });
    expect(res.status, res.text).toBe(200);
    const entries = (await call(api, 'GET', `/api/entries?project=${q(project)}`)).json as EntryWithCategory[];
    expect(entries.map((e) => e.environment)).toEqual(['*']);
  });

  it('refuses * where it makes no sense: as an export environment, a copy source, or an environment to rename', async () => {
    const project = unique('Star ');
    const c = await createCategory(api);
    await createEntry(api, { categoryId: c.id, name: project, environment: 'development', value: 'd' });
    expectError(await call(api, 'GET', `/api/projects/${q(project)}/env?environment=${q('*')}`), 400, 'VALIDATION_FAILED');
    expectError(await call(api, 'POST', `/api/projects/${q(project)}/copy`, { body: { from: '*', to: 'development' } }), 400, 'VALIDATION_FAILED');
    expectError(await call(api, 'PATCH', `/api/projects/${q(project)}/environments/${q('*')}`, { body: { name: 'all' } }), 400, 'VALIDATION_FAILED');
    expectError(await call(api, 'PATCH', `/api/projects/${q(project)}/environments/development`, { body: { name: '*' } }), 400, 'VALIDATION_FAILED');
  });
});

describe('a token limited to environments', () => {
  let project: string;
  let shared: string;
  let prod: string;
  let other: string;
  let category: Category;

  beforeAll(async () => {
    project = unique('Shop ');
    category = await createCategory(api);
    shared = (await createEntry(api, { categoryId: category.id, name: project, environment: '*', value: 's' })).id;
    prod = (await createEntry(api, { categoryId: category.id, name: project, environment: 'production', value: 'p' })).id;
    const blog = await createCategory(api);
    other = (await createEntry(api, { categoryId: blog.id, name: unique('Blog '), environment: 'production', value: 'b' })).id;
  });

  it('sees and exports its projects’ * entries but may not change them unless its limits name *', async () => {
    const token = api.tokenWith(['entries:read', 'entries:write', 'entries:reveal'], { projects: [project], environments: ['production'] });
    const list = (await call(api, 'GET', `/api/entries?project=${q(project)}`, { token })).json as EntryWithCategory[];
    expect(list.map((e) => e.id).sort()).toEqual([shared, prod].sort());
    expect((await call(api, 'GET', `/api/projects/${q(project)}/env?environment=production&format=json`, { token })).json).toEqual({ [category.envVarName!]: 'p' });
    expectError(await call(api, 'PUT', `/api/entries/${shared}`, { token, body: { value: 'changed' } }), 403, 'SCOPE_REQUIRED');
    expectError(await call(api, 'DELETE', `/api/entries/${shared}`, { token }), 403, 'SCOPE_REQUIRED');
    expectError(await call(api, 'DELETE', `/api/entries/${shared}/versions`, { token }), 403, 'SCOPE_REQUIRED');
    expectError(await call(api, 'DELETE', `/api/entries/${other}/versions`, { token }), 404, 'NOT_FOUND');
    expectError(await call(api, 'PATCH', `/api/projects/${q(project)}/environments/production`, { token, body: { name: 'live' } }), 403, 'SCOPE_REQUIRED');
    expectError(await call(api, 'POST', `/api/projects/${q(project)}/copy`, { token, body: { from: 'production', to: 'staging', dryRun: true } }), 403, 'SCOPE_REQUIRED');
    expect(await reveal(api, shared)).toBe('s');
    // A login request may ask for * in its environment limits: it passes validation (this owner has no approver).
    const asked = await call(api, 'POST', '/api/auth/requests', { token: null, body: { clientName: 'star', scopes: ['entries:read'], environments: ['production', '*'] } });
    expectError(asked, 403, 'REQUEST_DENIED');
    const star = api.tokenWith(['entries:read', 'entries:write'], { projects: [project], environments: ['production', '*'] });
    const res = await call(api, 'PUT', `/api/entries/${shared}`, { token: star, body: { value: 's2' } });
    expect(res.status, res.text).toBe(200);
  });

  it('names the environments available to it for one outside its limits', async () => {
    const token = api.tokenWith(['entries:reveal'], { projects: [project], environments: ['production'] });
    const body = expectError(await call(api, 'GET', `/api/projects/${q(project)}/env?environment=staging`, { token }), 404, 'NOT_FOUND');
    expect(body.error).toContain('available to this token: production');
  });

  it('cannot see or touch another project through any project route', async () => {
    const token = api.tokenWith(['entries:read', 'entries:write', 'entries:reveal'], { projects: [project] });
    const blog = (await call(api, 'GET', `/api/entries/${other}`)).json as EntryWithCategory;
    const name = q(blog.name);
    expect(((await call(api, 'GET', '/api/projects', { token })).json as { name: string }[]).map((p) => p.name)).toEqual([project]);
    expectError(await call(api, 'PATCH', `/api/projects/${name}`, { token, body: { description: 'x' } }), 404, 'NOT_FOUND');
    expectError(await call(api, 'DELETE', `/api/projects/${name}`, { token }), 404, 'NOT_FOUND');
    expectError(await call(api, 'DELETE', `/api/projects/${name}/environments/production`, { token }), 404, 'NOT_FOUND');
    expectError(await call(api, 'POST', `/api/projects/${name}/copy`, { token, body: { from: 'production', to: 'staging' } }), 404, 'NOT_FOUND');
    expectError(await call(api, 'PUT', `/api/projects/${name}/template`, { token, body: { variables: ['A'] } }), 404, 'NOT_FOUND');
    expectError(await call(api, 'GET', `/api/projects/${name}/validate?environment=production`, { token }), 404, 'NOT_FOUND');
    expect((await call(api, 'GET', `/api/entries?variable=${q(blog.category.envVarName!)}&project=${name}`, { token })).json).toEqual([]);
    // Its own project, renamed by a project-limited token onto a name outside its limits: refused.
    expectError(await call(api, 'PATCH', `/api/projects/${q(project)}`, { token, body: { name: unique('Elsewhere ') } }), 403, 'SCOPE_REQUIRED');
    // The trash of the other project is invisible too.
    await call(api, 'DELETE', `/api/entries/${other}`);
    expect(((await call(api, 'GET', '/api/trash', { token })).json as { id: string }[]).map((t) => t.id)).not.toContain(other);
    expectError(await call(api, 'POST', `/api/trash/${other}/restore`, { token }), 404, 'NOT_FOUND');
    expectError(await call(api, 'DELETE', `/api/trash/${other}`, { token }), 404, 'NOT_FOUND');
  });
});

describe('variable refs and filters', () => {
  it('filters entries on the owner by project, environment, variable and category name', async () => {
    const project = unique('Filters ');
    const openai = await createCategory(api, { name: unique('OpenAI API '), envVarName: `OPENAI_${unique('').toUpperCase()}` });
    const aws = await createCategory(api, { keyType: 'group', fields: [`AWS_ID_${unique('').toUpperCase()}`, `AWS_SECRET_${unique('').toUpperCase()}`] });
    const a = await createEntry(api, { categoryId: openai.id, name: project, environment: 'production', value: 'p' });
    const b = await createEntry(api, { categoryId: openai.id, name: project, environment: '*', value: 's' });
    const g = await createEntry(api, { categoryId: aws.id, name: project, value: { [aws.fields[0]!]: 'i', [aws.fields[1]!]: 's' } });
    const ids = async (query: string) => ((await call(api, 'GET', `/api/entries?${query}`)).json as EntryWithCategory[]).map((e) => e.id).sort();
    expect(await ids(`project=${q(project)}&variable=${openai.envVarName}`)).toEqual([a.id, b.id].sort());
    expect(await ids(`project=${q(project)}&variable=${openai.envVarName}&environment=production`)).toEqual([a.id]);
    expect(await ids(`project=${q(project)}&variable=${aws.fields[1]}`)).toEqual([g.id]);
    expect(await ids(`project=${q(project)}&category=${q(openai.name.toLowerCase())}`)).toEqual([a.id, b.id].sort());
    expect(await ids(`project=${q(project)}&environment=${q('*')}`)).toEqual([b.id]);
  });

  it('answers 400 naming an unknown query parameter or a repeated one, on every route', async () => {
    let body = expectError(await call(api, 'GET', '/api/entries?tag=prod'), 400, 'VALIDATION_FAILED');
    expect(body.details).toHaveProperty('tag');
    body = expectError(await call(api, 'GET', '/api/entries?project=a&project=b'), 400, 'VALIDATION_FAILED');
    expect(body.details).toMatchObject({ project: 'is given more than once' });
    body = expectError(await call(api, 'GET', '/api/audit?date_from=2026-01-01'), 400, 'VALIDATION_FAILED');
    expect(body.error).toContain('date_from');
    expectError(await call(api, 'GET', '/api/categories?limit=1'), 400, 'VALIDATION_FAILED');
    expectError(await call(api, 'GET', '/api/projects?sort=name'), 400, 'VALIDATION_FAILED');
    expectError(await call(api, 'GET', '/healthz?x=1'), 400, 'VALIDATION_FAILED');
  });
});

describe('the Variables category', () => {
  it('holds imported variables no category claims, one entry each naming its variable, and is not deletable while used', async () => {
    const project = unique('Vars ');
    const a = `NEW_A_${unique('').toUpperCase()}`;
    const b = `NEW_B_${unique('').toUpperCase()}`;
    const before = ((await call(api, 'GET', '/api/categories')).json as Category[]).length;
    const summary = (await call(api, 'POST', `/api/projects/${q(project)}/import`, { text: `${a}=1\n${b}=2\n` })).json as ImportSummary;
    expect(summary).toMatchObject({ imported: 2, failed: [] });
    const categories = (await call(api, 'GET', '/api/categories')).json as Category[];
    expect(categories.length).toBeLessThanOrEqual(before + 1);
    const variables = categories.find((c) => c.name === 'Variables')!;
    expect(variables).toMatchObject({ keyType: 'simple', envVarName: null });
    const res = await call(api, 'GET', `/api/entries?project=${q(project)}&variable=${a}`);
    expect((res.json as EntryWithCategory[]).map((e) => [e.category.name, e.envVarName])).toEqual([['Variables', a]]);
    // An entry of Variables must name its variable.
    expectError(await call(api, 'POST', '/api/entries', { body: { categoryId: variables.id, name: project, value: 'x' } }), 400, 'VALIDATION_FAILED');
    // The same variable twice in one environment is a duplicate; another variable is not.
    expectError(await call(api, 'POST', '/api/entries', { body: { categoryId: variables.id, name: project, value: 'x', envVarName: a } }), 409, 'CONFLICT');
    expectError(await call(api, 'DELETE', `/api/categories/${variables.id}`), 409, 'CONFLICT');
  });
});

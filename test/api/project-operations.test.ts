// DESIGN §9 over real HTTP: the trash, project records and operations (rename, delete,
// environments, copy/promote, templates and validate), history purge, JSON and shell import,
// import warnings and audit filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, PASSWORD, startTestApi, type TestApi } from '../helpers/core.js';
import type { AuditEvent, CopySummary, EntryWithCategory, ImportSummary, Project, TrashItem, Validation, VersionInfo } from '../../src/shared/model.js';
import type { VaultContext } from '../../src/main/services/context.js';
import { createCategory, createEntry, expectError, reveal, unique } from './fixtures.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

const q = encodeURIComponent;
const trash = async (): Promise<TrashItem[]> => (await call(api, 'GET', '/api/trash')).json as TrashItem[];
const listed = async (project: string): Promise<EntryWithCategory[]> => (await call(api, 'GET', `/api/entries?project=${q(project)}`)).json as EntryWithCategory[];

describe('the trash', () => {
  it('takes a deleted entry with its versions out of every list and export, and gives it back', async () => {
    const project = unique('Trashy ');
    const c = await createCategory(api);
    const e = await createEntry(api, { categoryId: c.id, name: project, value: 'one' });
    await call(api, 'PUT', `/api/entries/${e.id}`, { body: { value: 'two' } });
    expect((await call(api, 'DELETE', `/api/entries/${e.id}`)).status).toBe(204);
    expect(await listed(project)).toEqual([]);
    expectError(await call(api, 'GET', `/api/entries/${e.id}`), 404, 'NOT_FOUND');
    const item = (await trash()).find((t) => t.id === e.id)!;
    expect(item).toMatchObject({ name: project, environment: 'development', categoryName: c.name });
    expect(Date.parse(item.purgeAt) - Date.parse(item.trashedAt)).toBe(30 * 24 * 3600 * 1000);
    const res = await call(api, 'POST', `/api/trash/${e.id}/restore`);
    expect(res.status, res.text).toBe(200);
    expect(await reveal(api, e.id)).toBe('two');
    expect(((await call(api, 'GET', `/api/entries/${e.id}/versions`)).json as VersionInfo[]).length).toBe(1);
    expect((await trash()).find((t) => t.id === e.id)).toBeUndefined();
  });

  it('lets a new entry take a trashed one’s place; restoring onto it is 409 naming it unless replace', async () => {
    const project = unique('Replace ');
    const c = await createCategory(api);
    const old = await createEntry(api, { categoryId: c.id, name: project, value: 'old' });
    await call(api, 'DELETE', `/api/entries/${old.id}`);
    const fresh = await createEntry(api, { categoryId: c.id, name: project, value: 'new' });
    const body = expectError(await call(api, 'POST', `/api/trash/${old.id}/restore`), 409, 'CONFLICT');
    expect(body.details).toMatchObject({ id: fresh.id, ref: `${c.name}/${project}/development` });
    const res = await call(api, 'POST', `/api/trash/${old.id}/restore?replace=true`);
    expect(res.status, res.text).toBe(200);
    expect(await reveal(api, old.id)).toBe('old');
    expect((await trash()).map((t) => t.id)).toContain(fresh.id);
  });

  it('restores an item whose category was deleted (with cascade), bringing the category back', async () => {
    const project = unique('Orphan ');
    const c = await createCategory(api);
    const e = await createEntry(api, { categoryId: c.id, name: project, value: 'kept' });
    expect((await call(api, 'DELETE', `/api/categories/${c.id}?cascade=true`)).status).toBe(204);
    expectError(await call(api, 'GET', `/api/categories/${c.id}`), 404, 'NOT_FOUND');
    expect((await trash()).find((t) => t.id === e.id)).toMatchObject({ categoryName: c.name });
    const res = await call(api, 'POST', `/api/trash/${e.id}/restore`);
    expect(res.status, res.text).toBe(200);
    expect((await call(api, 'GET', `/api/categories/${c.id}`)).json).toMatchObject({ name: c.name });
    expect(await reveal(api, e.id)).toBe('kept');
  });

  it('refuses (409) to bring back a deleted category whose name or variable another category took since', async () => {
    const c = await createCategory(api);
    const e = await createEntry(api, { categoryId: c.id });
    await call(api, 'DELETE', `/api/categories/${c.id}?cascade=true`);
    const sameName = await createCategory(api, { name: c.name });
    expect(expectError(await call(api, 'POST', `/api/trash/${e.id}/restore`), 409, 'CONFLICT').details).toMatchObject({ id: sameName.id });
    await call(api, 'PUT', `/api/categories/${sameName.id}`, { body: { name: unique('Other name ') } });
    await call(api, 'PUT', `/api/categories/${sameName.id}`, { body: { envVarName: c.envVarName } });
    expect(expectError(await call(api, 'POST', `/api/trash/${e.id}/restore`), 409, 'CONFLICT').details).toMatchObject({ variable: c.envVarName });
    await call(api, 'DELETE', `/api/trash/${e.id}`);
  });

  it('empties only what a token limited to environments may change, leaving the shared items', async () => {
    const project = unique('Limited bin ');
    const c = await createCategory(api);
    const shared = await createEntry(api, { categoryId: c.id, name: project, environment: '*' });
    const prod = await createEntry(api, { categoryId: c.id, name: project, environment: 'production' });
    await call(api, 'DELETE', `/api/entries/${shared.id}`);
    await call(api, 'DELETE', `/api/entries/${prod.id}`);
    const token = api.tokenWith(['entries:read', 'entries:write'], { projects: [project], environments: ['production'] });
    expect(((await call(api, 'GET', '/api/trash', { token })).json as TrashItem[]).map((t) => t.id).sort()).toEqual([shared.id, prod.id].sort());
    expectError(await call(api, 'POST', `/api/trash/${shared.id}/restore`, { token }), 403, 'SCOPE_REQUIRED');
    expect((await call(api, 'DELETE', '/api/trash', { token })).json).toEqual({ purged: 1 });
    expect((await trash()).map((t) => t.id)).toContain(shared.id);
    await call(api, 'DELETE', `/api/trash/${shared.id}`);
  });

  it('purges one item, or everything, for good; a deleted category goes with its last item', async () => {
    const c = await createCategory(api);
    const a = await createEntry(api, { categoryId: c.id });
    const b = await createEntry(api, { categoryId: c.id });
    await call(api, 'DELETE', `/api/categories/${c.id}?cascade=true`);
    expect((await call(api, 'DELETE', `/api/trash/${a.id}`)).status).toBe(204);
    expectError(await call(api, 'DELETE', `/api/trash/${a.id}`), 404, 'NOT_FOUND');
    const all = await call(api, 'DELETE', '/api/trash');
    expect((all.json as { purged: number }).purged).toBeGreaterThanOrEqual(1);
    expect(await trash()).toEqual([]);
    expectError(await call(api, 'POST', `/api/trash/${b.id}/restore`), 404, 'NOT_FOUND');
    const categories = (api.core.vault as unknown as VaultContext).db().prepare('SELECT count(*) AS n FROM categories WHERE id = ?').get(c.id) as { n: number };
    expect(categories.n).toBe(0);
  });

  it('purges at unlock only what has been in the trash for more than 30 days', async () => {
    const c = await createCategory(api);
    const old = await createEntry(api, { categoryId: c.id });
    const recent = await createEntry(api, { categoryId: c.id });
    await call(api, 'DELETE', `/api/entries/${old.id}`);
    await call(api, 'DELETE', `/api/entries/${recent.id}`);
    const v = api.core.vault as unknown as VaultContext;
    v.write(() => v.db().prepare('UPDATE entries SET trashed_at = ? WHERE id = ?').run(new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString(), old.id));
    // The owner purges when it unlocks, not before.
    expect((await trash()).map((t) => t.id).sort()).toEqual([old.id, recent.id].sort());
    api.core.vault.lock({ actor: 'app', projects: null, environments: null });
    await api.core.vault.unlock({ actor: 'app', projects: null, environments: null }, PASSWORD);
    expect((await trash()).map((t) => t.id)).toEqual([recent.id]);
    expect(api.core.trash.purgeExpiredTrash({ actor: 'app', projects: null, environments: null })).toBe(0);
    await call(api, 'DELETE', '/api/trash');
  });
});

describe('project records and operations', () => {
  it('lists projects with paging, search over names and descriptions, and X-Total-Count', async () => {
    const tag = unique('paging').toLowerCase();
    const c = await createCategory(api);
    for (const n of ['a', 'b', 'c']) await createEntry(api, { categoryId: c.id, name: `${tag} ${n}` });
    await call(api, 'PATCH', `/api/projects/${q(`${tag} c`)}`, { body: { description: 'the shop backend' } });
    const res = await call(api, 'GET', `/api/projects?q=${q(tag)}&limit=2&offset=1`);
    expect(res.headers.get('x-total-count')).toBe('3');
    expect((res.json as Project[]).map((p) => p.name)).toEqual([`${tag} b`, `${tag} c`]);
    expect((res.json as Project[])[1]).toMatchObject({ description: 'the shop backend', template: [] });
    const found = (await call(api, 'GET', `/api/projects?q=${q('SHOP BACKEND')}`)).json as Project[];
    expect(found.map((p) => p.name)).toContain(`${tag} c`);
  });

  it('keeps a project record (description, environments, template) sealed in the file across lock and unlock', async () => {
    const project = unique('Kept ');
    const c = await createCategory(api);
    await createEntry(api, { categoryId: c.id, name: project });
    await call(api, 'PATCH', `/api/projects/${q(project)}`, { body: { description: 'kept', environments: ['qa'] } });
    await call(api, 'PUT', `/api/projects/${q(project)}/template`, { body: { variables: ['KEPT_VAR'] } });
    expect((await call(api, 'POST', '/api/lock')).status).toBe(204);
    expect((await call(api, 'POST', '/api/unlock', { body: { password: PASSWORD } })).status).toBe(204);
    const found = ((await call(api, 'GET', `/api/projects?q=${q(project)}`)).json as Project[])[0];
    expect(found).toMatchObject({ name: project, description: 'kept', environments: { development: 1, qa: 0 }, template: ['KEPT_VAR'] });
    const row = (api.core.vault as unknown as VaultContext).db().prepare('SELECT overview FROM projects').all() as { overview: Uint8Array }[];
    expect(row.some((r) => Buffer.from(r.overview).includes(Buffer.from('kept')))).toBe(false);
  });

  it('renames a project, moving every entry; 409 onto an existing project', async () => {
    const from = unique('Old name ');
    const to = unique('New name ');
    const c = await createCategory(api);
    await createEntry(api, { categoryId: c.id, name: from, environment: 'production', value: 'p' });
    await createEntry(api, { categoryId: c.id, name: from, environment: '*', value: 's' });
    const other = unique('Taken ');
    await createEntry(api, { categoryId: c.id, name: other });
    const body = expectError(await call(api, 'PATCH', `/api/projects/${q(from)}`, { body: { name: other.toUpperCase() } }), 409, 'CONFLICT');
    expect(body.error).toContain(other);
    const res = await call(api, 'PATCH', `/api/projects/${q(from)}`, { body: { name: to } });
    expect(res.status, res.text).toBe(200);
    expect(await listed(from)).toEqual([]);
    expect((await listed(to)).map((e) => e.environment).sort()).toEqual(['*', 'production']);
    // Exports find a project's entries through an index by name: it follows the rename at once.
    expectError(await call(api, 'GET', `/api/projects/${q(from)}/env?environment=production`), 404, 'NOT_FOUND');
    const exported = await call(api, 'GET', `/api/projects/${q(to)}/env?environment=production`);
    expect(exported.status, exported.text).toBe(200);
    expectError(await call(api, 'PATCH', `/api/projects/${q(unique('Nobody '))}`, { body: { name: 'x' } }), 404, 'NOT_FOUND');
  });

  it('deletes a project or one environment into the trash', async () => {
    const project = unique('Doomed ');
    const c = await createCategory(api);
    const d = await createEntry(api, { categoryId: c.id, name: project, environment: 'development' });
    const s = await createEntry(api, { categoryId: c.id, name: project, environment: 'staging' });
    const env = await call(api, 'DELETE', `/api/projects/${q(project)}/environments/staging`);
    expect(env.json).toEqual({ project, trashed: 1 });
    expect((await listed(project)).map((e) => e.id)).toEqual([d.id]);
    const all = await call(api, 'DELETE', `/api/projects/${q(project)}`);
    expect(all.json).toEqual({ project, trashed: 1 });
    expect(await listed(project)).toEqual([]);
    expect((await trash()).map((t) => t.id)).toEqual(expect.arrayContaining([d.id, s.id]));
    expectError(await call(api, 'GET', `/api/projects/${q(project)}/env`), 404, 'NOT_FOUND');
  });

  it('renames an environment, and refuses (409) when an entry would collide', async () => {
    const project = unique('Envs ');
    const c = await createCategory(api);
    const c2 = await createCategory(api);
    await createEntry(api, { categoryId: c.id, name: project, environment: 'stage' });
    await createEntry(api, { categoryId: c2.id, name: project, environment: 'stage' });
    await createEntry(api, { categoryId: c2.id, name: project, environment: 'qa' });
    expectError(await call(api, 'PATCH', `/api/projects/${q(project)}/environments/stage`, { body: { name: 'qa' } }), 409, 'CONFLICT');
    const res = await call(api, 'PATCH', `/api/projects/${q(project)}/environments/stage`, { body: { name: 'staging' } });
    expect(res.status, res.text).toBe(200);
    expect((res.json as Project).environments).toEqual({ staging: 2, qa: 1 });
  });

  it('copies (promotes) chosen variables with a dry run, overwrite, and names only in the answer', async () => {
    const project = unique('Promote ');
    const a = await createCategory(api, { envVarName: `PA_${unique('').toUpperCase()}` });
    const b = await createCategory(api, { envVarName: `PB_${unique('').toUpperCase()}` });
    const cc = await createCategory(api, { envVarName: `PC_${unique('').toUpperCase()}` });
    await createEntry(api, { categoryId: a.id, name: project, environment: 'staging', value: 'a-staging' });
    await createEntry(api, { categoryId: b.id, name: project, environment: 'staging', value: 'b-staging' });
    await createEntry(api, { categoryId: cc.id, name: project, environment: 'staging', value: 'same' });
    const bProd = await createEntry(api, { categoryId: b.id, name: project, environment: 'production', value: 'b-prod' });
    await createEntry(api, { categoryId: cc.id, name: project, environment: 'production', value: 'same' });
    const copy = (body: object) => call(api, 'POST', `/api/projects/${q(project)}/copy`, { body: { from: 'staging', to: 'production', ...body } });
    const dry = (await copy({ dryRun: true })).json as CopySummary;
    expect(dry).toEqual({ from: 'staging', to: 'production', dryRun: true, added: [a.envVarName], changed: [], unchanged: [cc.envVarName], skipped: [b.envVarName] });
    expect(JSON.stringify(dry)).not.toContain('a-staging');
    expect((await listed(project)).filter((e) => e.environment === 'production')).toHaveLength(2);
    const chosen = (await copy({ variables: [b.envVarName], overwrite: true })).json as CopySummary;
    expect(chosen).toMatchObject({ added: [], changed: [b.envVarName], unchanged: [], skipped: [] });
    expect(await reveal(api, bProd.id)).toBe('b-staging');
    const body = expectError(await copy({ variables: ['NOT_THERE'] }), 400, 'VALIDATION_FAILED');
    expect(body.error).toContain('NOT_THERE');
    expectError(await call(api, 'POST', `/api/projects/${q(project)}/copy`, { body: { from: 'staging', to: 'staging' } }), 400, 'VALIDATION_FAILED');
    const audit = (await call(api, 'GET', '/api/audit?action=project.copy&limit=1')).json as AuditEvent[];
    expect(audit[0]!.detail).toMatchObject({ project, from: 'staging', to: 'production', changed: [b.envVarName] });
    expect(JSON.stringify(audit)).not.toContain('b-staging');
  });

  it('reports an unchanged value as changed to a token that may not reveal (no equality oracle)', async () => {
    const project = unique('Oracle ');
    const c = await createCategory(api);
    await createEntry(api, { categoryId: c.id, name: project, environment: 'staging', value: 'same' });
    await createEntry(api, { categoryId: c.id, name: project, environment: 'production', value: 'same' });
    const token = api.tokenWith(['entries:read', 'entries:write']);
    const res = await call(api, 'POST', `/api/projects/${q(project)}/copy`, { token, body: { from: 'staging', to: 'production', dryRun: true } });
    expect(res.json).toMatchObject({ unchanged: [], skipped: [c.envVarName] });
  });

  it('keeps a template and validates an environment against it, with the shared variables counted', async () => {
    const project = unique('Template ');
    const a = await createCategory(api, { envVarName: `TA_${unique('').toUpperCase()}` });
    const b = await createCategory(api, { envVarName: `TB_${unique('').toUpperCase()}` });
    await createEntry(api, { categoryId: a.id, name: project, environment: '*' });
    await createEntry(api, { categoryId: a.id, name: project, environment: 'production' });
    expectError(await call(api, 'PUT', `/api/projects/${q(project)}/template`, { body: { variables: ['NOT-VALID'] } }), 400, 'VALIDATION_FAILED');
    const res = await call(api, 'PUT', `/api/projects/${q(project)}/template`, { body: { variables: [a.envVarName, b.envVarName] } });
    expect(res.status, res.text).toBe(200);
    expect((res.json as Project).template).toEqual([a.envVarName, b.envVarName]);
    const v = (await call(api, 'GET', `/api/projects/${q(project)}/validate?environment=production`)).json as Validation;
    expect(v).toEqual({ project, environment: 'production', required: [a.envVarName, b.envVarName], present: [a.envVarName], missing: [b.envVarName], empty: [] });
  });
});

describe('history and imports', () => {
  it('deletes one previous value or all of them', async () => {
    const c = await createCategory(api);
    const e = await createEntry(api, { categoryId: c.id, value: 'v1' });
    for (const v of ['v2', 'v3', 'v4']) await call(api, 'PUT', `/api/entries/${e.id}`, { body: { value: v } });
    expect((await call(api, 'DELETE', `/api/entries/${e.id}/versions/2`)).status).toBe(204);
    expect(((await call(api, 'GET', `/api/entries/${e.id}/versions`)).json as VersionInfo[]).map((x) => x.version)).toEqual([3, 1]);
    expectError(await call(api, 'DELETE', `/api/entries/${e.id}/versions/2`), 404, 'NOT_FOUND');
    expect((await call(api, 'DELETE', `/api/entries/${e.id}/versions`)).json).toEqual({ purged: 2 });
    expect((await call(api, 'GET', `/api/entries/${e.id}/versions`)).json).toEqual([]);
    expect(await reveal(api, e.id)).toBe('v4');
  });

  it('imports JSON (strings or {value, notes}) and refuses nested objects whole, storing nothing', async () => {
    const project = unique('Json ');
    const a = `JA_${unique('').toUpperCase()}`;
    const b = `JB_${unique('').toUpperCase()}`;
    const ok = await call(api, 'POST', `/api/projects/${q(project)}/import?format=json`, { text: JSON.stringify({ [a]: 'x', [b]: { value: 'y', notes: 'from the wiki' } }) });
    expect(ok.json).toMatchObject({ imported: 2, failed: [] });
    expect((await listed(project)).find((e) => e.envVarName === b)!.notes).toBe('from the wiki');
    const other = unique('Nested ');
    const bad = expectError(await call(api, 'POST', `/api/projects/${q(other)}/import`, { text: JSON.stringify({ [a]: 'x', NESTED: { deep: { x: 1 } } }) }), 400, 'VALIDATION_FAILED');
    expect(bad.error).toContain('NESTED');
    expect(bad.error).toContain('{"value": "…", "notes": "…"}');
    expect(await listed(other)).toEqual([]);
    expectError(await call(api, 'POST', `/api/projects/${q(other)}/import?format=json`, { text: '["a"]' }), 400, 'VALIDATION_FAILED');
  });

  it('imports back exactly what export wrote, in every format (quotes, $, backticks, newlines, CR LF, #, unicode, empty)', async () => {
    const values: Record<string, string> = {
      CRLF: 'line1\r\nline2',
      CR_ONLY: 'cr\ronly\r',
      QUOTES: `it's "quoted"`,
      DOLLAR: '$HOME and ${PATH}',
      BACKTICK: 'run `id` now',
      NEWLINE: 'one\ntwo',
      HASH: 'pass#word # and more',
      UNICODE: 'ünïcødé ✓ 🎉',
      EMPTY: '',
    };
    const source = unique('Roundtrip ');
    for (const [name, value] of Object.entries(values)) {
      const c = await createCategory(api, { envVarName: `${name}_${source.replace(/\W/g, '').toUpperCase()}` });
      await createEntry(api, { categoryId: c.id, name: source, value });
    }
    const expected = (await call(api, 'GET', `/api/projects/${q(source)}/env?format=json`)).json as Record<string, string>;
    for (const format of ['dotenv', 'json', 'shell']) {
      const target = unique(`Back ${format} `);
      const exported = await call(api, 'GET', `/api/projects/${q(source)}/env?format=${format}`);
      expect(exported.status, `${format}: ${exported.text}`).toBe(200);
      const summary = (await call(api, 'POST', `/api/projects/${q(target)}/import`, { text: exported.text })).json as ImportSummary;
      expect(summary.failed, format).toEqual([]);
      expect((await call(api, 'GET', `/api/projects/${q(target)}/env?format=json`)).json, format).toEqual(expected);
    }
  });

  it('imports a shell export whose lines end in CR LF (saved on Windows) with the values as written', async () => {
    const project = unique('Crlf ');
    const text = ["# keyden export", "export CRLF_A='one'", "export CRLF_B='two words'", ''].join('\r\n');
    const summary = (await call(api, 'POST', `/api/projects/${q(project)}/import?format=shell`, { text })).json as ImportSummary;
    expect(summary.failed).toEqual([]);
    expect((await call(api, 'GET', `/api/projects/${q(project)}/env?format=json`)).json).toEqual({ CRLF_A: 'one', CRLF_B: 'two words' });
  });

  it('warns about ignored lines, keys set twice and a # that started a comment', async () => {
    const project = unique('Warn ');
    const text = ['A_W=1', 'not a variable', 'DUP_W=x', 'DUP_W=y', 'DB_W=postgres://u:p%40ss#word@host'].join('\n');
    const summary = (await call(api, 'POST', `/api/projects/${q(project)}/import`, { text })).json as ImportSummary;
    expect(summary.warnings).toEqual([
      'DB_W (line 5): `#` started a comment; quote the value if it belongs to it',
      'ignored line 2 (no `=`)',
      'DUP_W set twice (lines 3, 4): kept the last',
    ]);
    expect(JSON.stringify(summary)).not.toContain('p%40ss');
  });
});

describe('audit filters', () => {
  it('filters by from, to, actor, action and target', async () => {
    const c = await createCategory(api);
    const e = await createEntry(api, { categoryId: c.id });
    const rows = async (query: string) => (await call(api, 'GET', `/api/audit?${query}`)).json as AuditEvent[];
    expect((await rows(`target=${e.id}`)).map((r) => r.action)).toEqual(['entry.create']);
    expect((await rows(`target=${e.id}&from=${q(new Date(Date.now() + 60_000).toISOString())}`))).toEqual([]);
    expect((await rows(`target=${e.id}&to=2000-01-01`))).toEqual([]);
    expect((await rows(`target=${e.id}&to=${new Date().toISOString().slice(0, 10)}`)).length).toBe(1);
    expect((await rows('actor=app&limit=5')).every((r) => r.actor === 'app')).toBe(true);
    expectError(await call(api, 'GET', '/api/audit?from=yesterday'), 400, 'VALIDATION_FAILED');
  });
});

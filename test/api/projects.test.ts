// Projects: the list, export (dotenv / json / shell, exact for nasty values, or 422), conflicts,
// and import with its summary.
import fs from 'node:fs';
import dotenv from 'dotenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApi, tempDir, type TestApi } from '../helpers/core.js';
import type { Category, Entry, EntryWithCategory, ImportSummary, Project } from '../../src/shared/model.js';
import { createCategory, createEntry, expectError, reveal, sourcedByBash, unique } from './fixtures.js';

let api: TestApi;
let scratch: string;

beforeAll(async () => {
  api = await startTestApi();
  scratch = tempDir('keyden-shell-');
});
afterAll(async () => {
  await api.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const envPath = (project: string, query = ''): string => `/api/projects/${encodeURIComponent(project)}/env${query}`;
const importPath = (project: string, query = ''): string => `/api/projects/${encodeURIComponent(project)}/import${query}`;

async function exportText(project: string, query = ''): Promise<string> {
  const res = await call(api, 'GET', envPath(project, query));
  expect(res.status, res.text).toBe(200);
  return res.text;
}

async function exportJson(project: string, environment = 'development'): Promise<Record<string, string>> {
  return JSON.parse(await exportText(project, `?environment=${environment}&format=json`)) as Record<string, string>;
}

async function importText(project: string, text: string, query = ''): Promise<ImportSummary> {
  const res = await call(api, 'POST', importPath(project, query), { text });
  expect(res.status, res.text).toBe(200);
  return res.json as ImportSummary;
}

/** The variables DESIGN §4 and issue 3 name: each must survive every format exactly. */
const NASTY: Record<string, string> = {
  SPACES: 'has spaces in it',
  HASH: 'value # not a comment',
  HASH_FIRST: '#starts-with-hash',
  HASH_GLUED: 'pass#word',
  SINGLE: "it's single",
  DOUBLE: 'say "double"',
  BACKTICK: 'back`tick`',
  ALL_QUOTES: `all three ' " \` together`,
  WRAPPED_DOUBLE: '"fully double quoted"',
  WRAPPED_SINGLE: "'fully single quoted'",
  WRAPPED_BACKTICK: '`fully backticked`',
  BACKSLASHES: 'C:\\path\\to\\file',
  TRAILING_BACKSLASH: 'ends with a backslash\\',
  LITERAL_ESCAPES: 'not a newline: \\n nor \\r nor \\t',
  DOLLAR: '$HOME and ${PATH} and $(whoami) and `id`',
  EQUALS: 'a=b==c=',
  UNICODE: 'ünïcödé — 日本語 — ключ',
  EMOJI: '🔑🚀 keys 👩‍💻',
  LEADING_TRAILING: '   padded both sides   ',
  TAB: 'tab\there',
  PEM: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n',
  CR: 'carriage\rreturn',
  CRLF: 'windows\r\nline',
  EMPTY: '',
  ONLY_SPACE: ' ',
  SHELL_META: "'; rm -rf / # && echo pwned",
  GLOB: '*.txt ~ !bang',
  INJECTION: 'first\nINJECTED_VAR=evil\n# not a comment\nexport ALSO=no',
  LINE_SEPARATORS: 'a\u2028b\u2029c\u0085d',
  NBSP_EDGES: '\u00a0nbsp\u00a0',
  BOM_FIRST: '\ufeffbom',
  ZERO_WIDTH: 'zw\u200bj\u200d',
  LOOKS_LIKE_EXPORT: 'export X=1',
  JSON_LIKE: '{"a": [1, "b"]}',
};

describe('export of nasty values', () => {
  let project: string;

  beforeAll(async () => {
    project = unique('Nasty ');
    const category = await createCategory(api);
    for (const [name, value] of Object.entries(NASTY)) {
      await createEntry(api, { categoryId: (await createCategory(api, { envVarName: name })).id, name: project, value });
    }
    // One more through an entry's own variable name, to cover overrides.
    await createEntry(api, { categoryId: category.id, name: project, value: 'override value', envVarName: 'OVERRIDDEN' });
  });

  it('writes a .env that dotenv.parse reads back exactly', async () => {
    const res = await call(api, 'GET', envPath(project));
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(dotenv.parse(res.text)).toEqual({ ...NASTY, OVERRIDDEN: 'override value' });
  });

  it('writes JSON that parses back exactly', async () => {
    const res = await call(api, 'GET', envPath(project, '?format=json'));
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.text)).toEqual({ ...NASTY, OVERRIDDEN: 'override value' });
  });

  it('writes export lines that bash, sourcing them, sets exactly', async () => {
    const text = await exportText(project, '?format=shell');
    expect(text).toMatch(/^export SPACES=/m);
    const names = [...Object.keys(NASTY), 'OVERRIDDEN'];
    expect(sourcedByBash(scratch, text, names)).toEqual({ ...NASTY, OVERRIDDEN: 'override value' });
  });

  it('starts every text format with a comment header naming project and environment, without a value', async () => {
    for (const format of ['dotenv', 'shell']) {
      const text = await exportText(project, `?format=${format}&environment=development`);
      const header = text.split('\n')[0]!;
      expect(header.startsWith('#')).toBe(true);
      expect(header).toContain(project);
      expect(header).toContain('development');
      expect(header).not.toContain('override value');
    }
  });

  it('exports the same project whatever the case of its name', async () => {
    expect(dotenv.parse(await exportText(project.toUpperCase()))).toMatchObject({ OVERRIDDEN: 'override value' });
  });
});

describe('a .env that other readers read alike', () => {
  // Values a write-only token could plant to run code on a machine that sources the exported .env.
  const planted = (marker: string): Record<string, string> => ({
    SUBSTITUTION: `$(touch ${marker}-1)`,
    BACKTICKS: `\`touch ${marker}-2\``,
    CHAINED: `x; touch ${marker}-3 && echo`,
    BRACES: '${HOME}',
    DOLLAR: '$HOME$PATH',
    TILDE: '~/x:~/y',
    GLOB: '* ? [a]',
    SPACES: 'sk_test 456',
    BACKSLASHES: 'C:\\path\\n',
    MULTI_LINE: 'line one\nline two',
    DOUBLE: 'say "double"',
    HASH: '#not a comment',
    PADDED: '  padded  ',
    PLAIN: 'sk-proj-AbC123_x.y/z+w=',
  });

  it('quotes every value that is not plain so bash, sourcing it, reads it exactly and runs nothing (values without a single quote or trailing backslash)', async () => {
    const marker = `${scratch}/ran`;
    const values = planted(marker);
    const project = unique('Planted ');
    for (const [name, value] of Object.entries(values)) {
      await createEntry(api, { categoryId: (await createCategory(api, { envVarName: `${name}_${project.replace(/\W/g, '_')}` })).id, name: project, value });
    }
    const text = await exportText(project);
    const names = Object.keys(values).map((n) => `${n}_${project.replace(/\W/g, '_')}`);
    const expected = Object.fromEntries(names.map((n, i) => [n, Object.values(values)[i]!]));
    expect(dotenv.parse(text)).toEqual(expected);
    expect(sourcedByBash(scratch, `set -a\n${text}`, names)).toEqual(expected);
    expect(fs.readdirSync(scratch).filter((f) => f.startsWith('ran'))).toEqual([]);
    // Plain values stay bare; the rest are single-quoted, which docker compose does not interpolate either.
    const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
    for (const line of lines) {
      const [, name, rest] = /^(\w+)=([\s\S]*)$/.exec(line) ?? [];
      if (name?.startsWith('PLAIN_')) expect(rest).toBe(values.PLAIN);
      else if (name !== undefined) expect(line, line).toMatch(/^\w+='/);
    }
  });
});

describe('values a format cannot hold exactly', () => {
  // Seeded, so a failure names the same value on every run.
  function* tricky(count: number): Generator<string> {
    const alphabet = ['a', ' ', '#', "'", '"', '`', '\\', '\n', '\r', '$', '=', 'n', 'r', 'é', '🔑', '\t'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < count; i++) {
      let s = '';
      const length = 1 + (next() % 7);
      for (let j = 0; j < length; j++) s += alphabet[next() % alphabet.length];
      yield s;
    }
  }

  it('are refused with 422 UNREPRESENTABLE naming the variable, never written changed (dotenv, shell, json)', { timeout: 120_000 }, async () => {
    const project = unique('Tricky ');
    const values = [...tricky(120), 'cr\r"and quote\'', 'nul\u0000inside'];
    const names = values.map((_, i) => `TRICKY_${i}`);
    const category = await createCategory(api);
    // Each value alone in its own environment, so one refusal does not hide another value.
    for (const [i, value] of values.entries()) {
      await createEntry(api, { categoryId: category.id, name: project, environment: `t-${i}`, value, envVarName: names[i]! });
    }
    let refused = 0;
    const shellScripts: string[] = [];
    const shellExpected: Record<string, string> = {};
    for (const [i, value] of values.entries()) {
      const name = names[i]!;
      for (const format of ['dotenv', 'shell', 'json'] as const) {
        const res = await call(api, 'GET', envPath(project, `?environment=t-${i}&format=${format}`));
        if (res.status === 422) {
          refused++;
          const body = expectError(res, 422, 'UNREPRESENTABLE');
          expect(body.details.variable, JSON.stringify(value)).toBe(name);
          if (value.length > 2) expect(res.text).not.toContain(JSON.stringify(value).slice(1, -1));
          continue;
        }
        expect(res.status, `${format} ${JSON.stringify(value)}: ${res.text}`).toBe(200);
        if (format === 'dotenv') expect(dotenv.parse(res.text), `dotenv changed ${JSON.stringify(value)}`).toEqual({ [name]: value });
        if (format === 'json') expect(JSON.parse(res.text), `json changed ${JSON.stringify(value)}`).toEqual({ [name]: value });
        if (format === 'shell') {
          shellScripts.push(res.text);
          shellExpected[name] = value;
        }
      }
    }
    // One bash run sources every shell export, each setting its own variable.
    expect(sourcedByBash(scratch, shellScripts.join(''), Object.keys(shellExpected))).toEqual(shellExpected);
    // The two hand-picked values cannot be written in every format.
    expect(refused).toBeGreaterThanOrEqual(2);
  });

  it('a CR beside both quote kinds is 422 in dotenv format but exact in json and shell', async () => {
    const project = unique('Unrepresentable ');
    const value = 'line\rwith "double" and \'single\'';
    const category = await createCategory(api, { envVarName: 'HARD_TO_WRITE' });
    await createEntry(api, { categoryId: category.id, name: project, value });
    const res = await call(api, 'GET', envPath(project));
    const body = expectError(res, 422, 'UNREPRESENTABLE');
    expect(body.details.variable).toBe('HARD_TO_WRITE');
    expect(res.text).not.toContain('with \\"double\\"');
    expect((await exportJson(project)).HARD_TO_WRITE).toBe(value);
    expect(sourcedByBash(scratch, await exportText(project, '?format=shell'), ['HARD_TO_WRITE']).HARD_TO_WRITE).toBe(value);
  });

  it('a NUL character is 422 in shell format, naming the variable', async () => {
    const project = unique('Nul ');
    const category = await createCategory(api, { envVarName: 'HAS_NUL' });
    await createEntry(api, { categoryId: category.id, name: project, value: 'a\u0000b' });
    const body = expectError(await call(api, 'GET', envPath(project, '?format=shell')), 422, 'UNREPRESENTABLE');
    expect(body.details.variable).toBe('HAS_NUL');
    expect((await exportJson(project)).HAS_NUL).toBe('a\u0000b');
  });
});

describe('GET /api/projects/{name}/env', () => {
  it('writes one variable per field of a group entry, and only the asked environment', async () => {
    const project = unique('Groups ');
    const aws = await createCategory(api, { keyType: 'group', fields: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] });
    const simple = await createCategory(api, { envVarName: 'STRIPE_SECRET_KEY' });
    await createEntry(api, { categoryId: aws.id, name: project, environment: 'production', value: { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's/e+c', AWS_REGION: 'eu-west-1' } });
    await createEntry(api, { categoryId: simple.id, name: project, environment: 'production', value: 'sk_live_1' });
    await createEntry(api, { categoryId: simple.id, name: project, environment: 'development', value: 'sk_test_1' });
    expect(dotenv.parse(await exportText(project, '?environment=production'))).toEqual({
      AWS_ACCESS_KEY_ID: 'AKIA',
      AWS_SECRET_ACCESS_KEY: 's/e+c',
      AWS_REGION: 'eu-west-1',
      STRIPE_SECRET_KEY: 'sk_live_1',
    });
    expect(dotenv.parse(await exportText(project))).toEqual({ STRIPE_SECRET_KEY: 'sk_test_1' });
  });

  it('answers 409 EXPORT_CONFLICT naming both entries when two would write one variable', async () => {
    const project = unique('Conflict ');
    const first = await createCategory(api, { name: unique('First Service '), envVarName: 'SHARED_API_KEY' });
    const second = await createCategory(api, { name: unique('Second Service '), envVarName: 'SECOND_KEY' });
    await createEntry(api, { categoryId: first.id, name: project, value: 'sk-conflict-SECRET-a' });
    await createEntry(api, { categoryId: second.id, name: project, value: 'sk-conflict-SECRET-b', envVarName: 'SHARED_API_KEY' });
    const res = await call(api, 'GET', envPath(project));
    const body = expectError(res, 409, 'EXPORT_CONFLICT');
    const named = JSON.stringify(body.details) + body.error;
    expect(named).toContain(first.name);
    expect(named).toContain(second.name);
    expect(named).toContain('SHARED_API_KEY');
    expect(res.text).not.toContain('sk-conflict-SECRET');
    for (const format of ['json', 'shell']) expectError(await call(api, 'GET', envPath(project, `?format=${format}`)), 409, 'EXPORT_CONFLICT');
  });

  it('answers 409 EXPORT_CONFLICT when a group field and a simple entry write one variable', async () => {
    const project = unique('Field conflict ');
    const group = await createCategory(api, { keyType: 'group', fields: ['CLASH_ID', 'CLASH_REGION'] });
    const simple = await createCategory(api);
    await createEntry(api, { categoryId: group.id, name: project, value: { CLASH_ID: 'i', CLASH_REGION: 'r1' } });
    await createEntry(api, { categoryId: simple.id, name: project, value: 'r2', envVarName: 'CLASH_REGION' });
    const body = expectError(await call(api, 'GET', envPath(project)), 409, 'EXPORT_CONFLICT');
    expect(JSON.stringify(body.details)).toContain(group.name);
    expect(JSON.stringify(body.details)).toContain(simple.name);
  });

  it('answers 404 NOT_FOUND to an unknown project', async () => {
    expectError(await call(api, 'GET', envPath(unique('No such project '))), 404, 'NOT_FOUND');
  });

  it('answers 400 to an unknown format or an invalid environment', async () => {
    const project = unique('Formats ');
    await createEntry(api, { categoryId: (await createCategory(api)).id, name: project });
    expect(Object.keys(expectError(await call(api, 'GET', envPath(project, '?format=yaml')), 400, 'VALIDATION_FAILED').details)).toContain('format');
    expect(Object.keys(expectError(await call(api, 'GET', envPath(project, '?environment=PROD ENV')), 400, 'VALIDATION_FAILED').details)).toContain('environment');
  });

  it('needs the entries:reveal scope', async () => {
    const project = unique('Scoped export ');
    await createEntry(api, { categoryId: (await createCategory(api)).id, name: project, value: 'sk-export-SECRET' });
    const res = await call(api, 'GET', envPath(project), { token: api.tokenWith(['entries:read', 'entries:write']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:reveal');
    expect(res.text).not.toContain('sk-export-SECRET');
  });
});

describe('GET /api/projects', () => {
  it('lists each project once with its entry count per environment', async () => {
    const project = unique('Counted ');
    const a = await createCategory(api);
    const b = await createCategory(api);
    await createEntry(api, { categoryId: a.id, name: project, environment: 'development' });
    await createEntry(api, { categoryId: b.id, name: project.toUpperCase(), environment: 'development' });
    await createEntry(api, { categoryId: a.id, name: project, environment: 'production' });
    const res = await call(api, 'GET', '/api/projects');
    expect(res.status).toBe(200);
    const list = res.json as Project[];
    const mine = list.filter((p) => p.name.toLowerCase() === project.toLowerCase());
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ environments: { development: 2, production: 1 }, entryCount: 3 });
  });

  it('needs the entries:read scope', async () => {
    const res = await call(api, 'GET', '/api/projects', { token: api.tokenWith(['entries:reveal']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:read');
  });
});

describe('POST /api/projects/{name}/import', () => {
  it('imports a .env sent as text/plain, putting unknown variables in the built-in Variables category (no category per variable)', async () => {
    const project = unique('Imported ');
    const suffix = unique('').toUpperCase();
    const text = [
      '# a comment',
      `export IMP_PLAIN_${suffix}=alpha`,
      '',
      `IMP_QUOTED_${suffix}="two words # kept"`,
      `IMP_MULTI_${suffix}="line one`,
      'line two"',
      `IMP_SINGLE_${suffix}='$NOT_EXPANDED' # trailing comment`,
    ].join('\n');
    const summary = await importText(project, text, '?environment=staging');
    expect(summary).toEqual({ imported: 4, updated: 0, skipped: 0, failed: [], warnings: [] });
    expect(await exportJson(project, 'staging')).toEqual({
      [`IMP_PLAIN_${suffix}`]: 'alpha',
      [`IMP_QUOTED_${suffix}`]: 'two words # kept',
      [`IMP_MULTI_${suffix}`]: 'line one\nline two',
      [`IMP_SINGLE_${suffix}`]: '$NOT_EXPANDED',
    });
    const categories = (await call(api, 'GET', '/api/categories')).json as Category[];
    expect(categories.find((c) => c.name === `IMP_PLAIN_${suffix}`)).toBeUndefined();
    const variables = categories.filter((c) => c.name === 'Variables');
    expect(variables).toMatchObject([{ keyType: 'simple', envVarName: null }]);
    const entries = (await call(api, 'GET', `/api/entries?project=${encodeURIComponent(project)}`)).json as EntryWithCategory[];
    expect(entries.map((e) => [e.category.name, e.envVarName]).sort()).toEqual(['MULTI', 'PLAIN', 'QUOTED', 'SINGLE'].map((n) => ['Variables', `IMP_${n}_${suffix}`]));
    const projects = (await call(api, 'GET', '/api/projects')).json as Project[];
    expect(projects.find((p) => p.name === project)).toMatchObject({ environments: { staging: 4 } });
  });

  it('imports a .env sent as JSON {content}', async () => {
    const project = unique('Json import ');
    const name = `JSON_IMP_${unique('').toUpperCase()}`;
    const res = await call(api, 'POST', importPath(project), { body: { content: `${name}=from-json\n` } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ imported: 1, updated: 0, skipped: 0, failed: [], warnings: [] });
    expect((await exportJson(project))[name]).toBe('from-json');
  });

  it('maps a variable to the category that writes it and counts a group entry field by field', async () => {
    const project = unique('Mapped ');
    const aws = await createCategory(api, { keyType: 'group', fields: ['MAP_AWS_ID', 'MAP_AWS_SECRET', 'MAP_AWS_REGION'] });
    const stripe = await createCategory(api, { envVarName: 'MAP_STRIPE_KEY' });
    const summary = await importText(project, 'MAP_AWS_ID=id\nMAP_AWS_SECRET=secret\nMAP_AWS_REGION=eu-west-1\nMAP_STRIPE_KEY=sk_1\n');
    expect(summary).toEqual({ imported: 4, updated: 0, skipped: 0, failed: [], warnings: [] });
    const entries = (await call(api, 'GET', `/api/entries?project=${encodeURIComponent(project)}`)).json as EntryWithCategory[];
    expect(entries.map((e) => e.categoryId).sort()).toEqual([aws.id, stripe.id].sort());
    const group = entries.find((e) => e.categoryId === aws.id)!;
    expect(await reveal(api, group.id)).toEqual({ MAP_AWS_ID: 'id', MAP_AWS_SECRET: 'secret', MAP_AWS_REGION: 'eu-west-1' });
  });

  it('updates a group entry with the fields the file has and keeps the ones it lacks', async () => {
    const project = unique('Partial ');
    const aws = await createCategory(api, { keyType: 'group', fields: ['PART_ID', 'PART_SECRET', 'PART_REGION'] });
    const e = await createEntry(api, { categoryId: aws.id, name: project, value: { PART_ID: 'id', PART_SECRET: 'secret', PART_REGION: 'eu-west-1' } });
    const summary = await importText(project, 'PART_REGION=us-east-1\n');
    expect(summary).toEqual({ imported: 0, updated: 1, skipped: 0, failed: [], warnings: [] });
    expect(await reveal(api, e.id)).toEqual({ PART_ID: 'id', PART_SECRET: 'secret', PART_REGION: 'us-east-1' });
  });

  it('fails the variables of a new group entry that lacks fields, naming what is missing, and creates nothing', async () => {
    const project = unique('Incomplete ');
    await createCategory(api, { keyType: 'group', fields: ['INC_ID', 'INC_SECRET', 'INC_REGION'] });
    const summary = await importText(project, '# header\nINC_ID=id\n\nINC_SECRET=secret\n');
    expect(summary.imported).toBe(0);
    expect(summary.failed.map((f) => [f.key, f.line])).toEqual([
      ['INC_ID', 2],
      ['INC_SECRET', 4],
    ]);
    for (const f of summary.failed) expect(f.reason).toContain('INC_REGION');
    expect((await call(api, 'GET', `/api/entries?project=${encodeURIComponent(project)}`)).json).toEqual([]);
  });

  it('refuses (409, naming it) a category whose variable another category already writes, so no import can find two claimers', async () => {
    const one = await createCategory(api, { name: unique('Claimer One '), envVarName: `CLAIMED_${unique('').toUpperCase()}` });
    const simple = expectError(await call(api, 'POST', '/api/categories', { body: { name: unique('Claimer Two '), envVarName: one.envVarName } }), 409, 'CONFLICT');
    expect(simple.error).toContain(one.name);
    expect(simple.details).toMatchObject({ variable: one.envVarName, category: one.name });
    const group = expectError(await call(api, 'POST', '/api/categories', { body: { name: unique('Claimer Three '), keyType: 'group', fields: ['OTHER_FIELD', one.envVarName] } }), 409, 'CONFLICT');
    expect(group.error).toContain(one.name);
    const other = await createCategory(api);
    expectError(await call(api, 'PUT', `/api/categories/${other.id}`, { body: { envVarName: one.envVarName } }), 409, 'CONFLICT');
  });

  it('fails an invalid variable name at its 1-based line after comments and multi-line values', async () => {
    const project = unique('Lines ');
    const fresh = `FRESH_${unique('').toUpperCase()}`;
    const text = ['# line 1', `${fresh}="multi`, 'line', 'value"', '', '  # indented comment', 'BAD-NAME=x'].join('\n');
    const summary = await importText(project, text);
    expect(summary.imported).toBe(1);
    expect(summary.failed).toEqual([expect.objectContaining({ key: 'BAD-NAME', line: 7 })]);
  });

  it('counts lines 1-based in a CRLF file', async () => {
    const project = unique('Crlf ');
    const summary = await importText(project, '# one\r\n\r\nBAD-ONE=a\r\nBAD-TWO=b\r\n');
    expect(summary.failed.map((f) => [f.key, f.line])).toEqual([
      ['BAD-ONE', 3],
      ['BAD-TWO', 4],
    ]);
  });

  it('reports the line of the last assignment of a repeated key that fails', async () => {
    const project = unique('Repeated failure ');
    const summary = await importText(project, 'BAD-REPEAT=a\n# two\nBAD-REPEAT=b\n');
    expect(summary.failed).toEqual([expect.objectContaining({ key: 'BAD-REPEAT', line: 3 })]);
  });

  it('keeps the last of a repeated key, as dotenv does, and counts it once', async () => {
    const project = unique('Repeated ');
    const name = `REPEATED_${unique('').toUpperCase()}`;
    const summary = await importText(project, `${name}=first\nOTHER_${name}=x\n${name}=second\n`);
    expect(summary).toEqual({ imported: 2, updated: 0, skipped: 0, failed: [], warnings: [`${name} set twice (lines 1, 3): kept the last`] });
    expect((await exportJson(project))[name]).toBe('second');
  });

  it('in upsert mode updates changed values and skips equal ones', async () => {
    const project = unique('Upsert ');
    const a = await createCategory(api, { envVarName: `UP_A_${unique('').toUpperCase()}` });
    const b = await createCategory(api, { envVarName: `UP_B_${unique('').toUpperCase()}` });
    const ea = await createEntry(api, { categoryId: a.id, name: project, value: 'old' });
    const eb = await createEntry(api, { categoryId: b.id, name: project, value: 'same' });
    const summary = await importText(project, `${a.envVarName}=new\n${b.envVarName}=same\n`, '?mode=upsert');
    expect(summary).toEqual({ imported: 0, updated: 1, skipped: 1, failed: [], warnings: [] });
    expect(await reveal(api, ea.id)).toBe('new');
    expect(await reveal(api, eb.id)).toBe('same');
    expect(((await call(api, 'GET', `/api/entries/${ea.id}/versions`)).json as unknown[]).length).toBe(1);
  });

  it('in skip mode leaves existing entries alone and still imports new variables', async () => {
    const project = unique('Skip ');
    const a = await createCategory(api, { envVarName: `SKIP_A_${unique('').toUpperCase()}` });
    const fresh = `SKIP_NEW_${unique('').toUpperCase()}`;
    const ea = await createEntry(api, { categoryId: a.id, name: project, value: 'original' });
    const summary = await importText(project, `${a.envVarName}=replacement\n${fresh}=added\n`, '?mode=skip');
    expect(summary).toEqual({ imported: 1, updated: 0, skipped: 1, failed: [], warnings: [] });
    expect(await reveal(api, ea.id)).toBe('original');
    expect((await exportJson(project))[fresh]).toBe('added');
  });

  it("matches an entry's own variable name override in the project first", async () => {
    const project = unique('Override ');
    const c = await createCategory(api, { envVarName: 'GENERIC_NAME' });
    const e = await createEntry(api, { categoryId: c.id, name: project, value: 'before', envVarName: 'MY_OWN_NAME' });
    const summary = await importText(project, 'MY_OWN_NAME=after\n');
    expect(summary).toEqual({ imported: 0, updated: 1, skipped: 0, failed: [], warnings: [] });
    expect(await reveal(api, e.id)).toBe('after');
    const categories = (await call(api, 'GET', '/api/categories')).json as Category[];
    expect(categories.map((x) => x.name)).not.toContain('MY_OWN_NAME');
  });

  it('round-trips the nasty values: export, import into another project, export again', async () => {
    const source = unique('Round trip source ');
    const target = unique('Round trip target ');
    for (const [name, value] of Object.entries(NASTY)) {
      const cat = await createCategory(api, { envVarName: `RT_${name}` });
      await createEntry(api, { categoryId: cat.id, name: source, value });
    }
    const text = await exportText(source);
    const summary = await importText(target, text);
    expect(summary).toEqual({ imported: Object.keys(NASTY).length, updated: 0, skipped: 0, failed: [], warnings: [] });
    expect(await exportJson(target)).toEqual(Object.fromEntries(Object.entries(NASTY).map(([k, v]) => [`RT_${k}`, v])));
  });

  it('fails a variable whose name is not a valid env var name, creating no category for it', async () => {
    const project = unique('Odd names ');
    const long = `L${'x'.repeat(128)}`;
    const summary = await importText(project, `MY-DASHED=1\nMY.DOTTED=2\n1LEADING_DIGIT=3\n${long}=4\nFINE_${unique('').toUpperCase()}=5\n`);
    expect(summary.imported).toBe(1);
    expect(summary.failed.map((f) => [f.key, f.line])).toEqual([
      ['MY-DASHED', 1],
      ['MY.DOTTED', 2],
      ['1LEADING_DIGIT', 3],
      [long, 4],
    ]);
    const names = ((await call(api, 'GET', '/api/categories')).json as Category[]).map((c) => c.envVarName);
    for (const bad of ['MY-DASHED', 'MY.DOTTED', '1LEADING_DIGIT', long]) expect(names).not.toContain(bad);
  });

  it('fails a value over 64 KiB, also when it would update an existing entry, and keeps the old value', async () => {
    const project = unique('Oversized ');
    const c = await createCategory(api, { envVarName: `BIG_${unique('').toUpperCase()}` });
    const e = await createEntry(api, { categoryId: c.id, name: project, value: 'small' });
    const fresh = `BIG_NEW_${unique('').toUpperCase()}`;
    const big = 'x'.repeat(64 * 1024 + 1);
    const summary = await importText(project, `${c.envVarName}=${big}\n${fresh}=${big}\n`);
    expect(summary).toMatchObject({ imported: 0, updated: 0 });
    expect(summary.failed.map((f) => f.key)).toEqual([c.envVarName, fresh]);
    expect(await reveal(api, e.id)).toBe('small');
  });

  it("never makes a second entry of a category whose entry in the project writes another variable", async () => {
    const project = unique('Overridden ');
    const c = await createCategory(api, { envVarName: `GENERIC_${unique('').toUpperCase()}` });
    const e = await createEntry(api, { categoryId: c.id, name: project, value: 'mine', envVarName: `CUSTOM_${unique('').toUpperCase()}` });
    const summary = await importText(project, `${c.envVarName}=other\n`);
    expect(summary.imported).toBe(0);
    expect(summary.failed).toEqual([expect.objectContaining({ key: c.envVarName, line: 1 })]);
    const entries = (await call(api, 'GET', `/api/entries?project=${encodeURIComponent(project)}`)).json as Entry[];
    expect(entries.map((x) => x.id)).toEqual([e.id]);
    expect(await reveal(api, e.id)).toBe('mine');
  });

  it('imports an empty .env as nothing to do', async () => {
    const project = unique('Empty ');
    expect(await importText(project, '')).toEqual({ imported: 0, updated: 0, skipped: 0, failed: [], warnings: [] });
    expect(await importText(project, '# only a comment\n\n')).toEqual({ imported: 0, updated: 0, skipped: 0, failed: [], warnings: ['no variables found (expected KEY=VALUE lines)'] });
  });

  it('answers 400 to an invalid project name, environment or mode, and stores nothing', async () => {
    const name = `BAD_${unique('').toUpperCase()}`;
    expectError(await call(api, 'POST', importPath('p'.repeat(129)), { text: `${name}=1` }), 400, 'VALIDATION_FAILED');
    expectError(await call(api, 'POST', importPath('tab\there'), { text: `${name}=1` }), 400, 'VALIDATION_FAILED');
    expectError(await call(api, 'POST', importPath('a/b'), { text: `${name}=1` }), 400, 'VALIDATION_FAILED');
    expectError(await call(api, 'POST', importPath(unique('P '), '?environment=Prod%20Env'), { text: `${name}=1` }), 400, 'VALIDATION_FAILED');
    expectError(await call(api, 'POST', importPath(unique('P '), '?mode=replace'), { text: `${name}=1` }), 400, 'VALIDATION_FAILED');
    const categories = (await call(api, 'GET', '/api/categories')).json as Category[];
    expect(categories.map((c) => c.name)).not.toContain(name);
  });

  it('answers 400 to a JSON body without content or with extra properties', async () => {
    expectError(await call(api, 'POST', importPath(unique('P ')), { body: { text: 'A=1' } }), 400, 'VALIDATION_FAILED');
    expectError(await call(api, 'POST', importPath(unique('P ')), { body: { content: 'A=1', mode: 'skip' } }), 400, 'VALIDATION_FAILED');
  });

  it('answers 415 to a body that is neither text/plain nor JSON', async () => {
    expectError(await call(api, 'POST', importPath(unique('P ')), { text: 'A=1', headers: { 'content-type': 'text/csv' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('needs the entries:write scope', async () => {
    const project = unique('Scoped import ');
    const res = await call(api, 'POST', importPath(project), { text: 'SCOPED_IMPORT=1', token: api.tokenWith(['entries:read', 'entries:reveal']) });
    expect(expectError(res, 403, 'SCOPE_REQUIRED').details.scope).toBe('entries:write');
    expect((await call(api, 'GET', `/api/entries?project=${encodeURIComponent(project)}`)).json).toEqual([]);
  });
});

describe('while the vault is locked', () => {
  it('the project routes answer 423 VAULT_LOCKED', async () => {
    const own = await startTestApi();
    try {
      const c = await createCategory(own);
      const e: Entry = await createEntry(own, { categoryId: c.id });
      await call(own, 'POST', '/api/lock');
      expectError(await call(own, 'GET', '/api/projects'), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'GET', envPath(e.name)), 423, 'VAULT_LOCKED');
      expectError(await call(own, 'POST', importPath(e.name), { text: 'A=1' }), 423, 'VAULT_LOCKED');
    } finally {
      await own.stop();
    }
  });
});

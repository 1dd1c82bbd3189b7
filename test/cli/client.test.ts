// The real `keyden` process against a real `keyden serve` on 127.0.0.1: every client command's
// success path and exit codes (DESIGN §5).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES, ensureBuilt, hasStackTrace, keyden, PASSWORD, seedVault, serve, tempDir, type RunResult, type SeedResult, type Serving } from './helpers.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNb\n-----END PRIVATE KEY-----';

/** Values that break naive .env writers (the core issue's list). */
const NASTY: Record<string, string> = {
  NASTY_SPACES: 'with  two  spaces',
  NASTY_HASH: 'value # not a comment',
  NASTY_QUOTES: `all "three' quote\`kinds`,
  NASTY_BACKSLASH: 'back\\slash and \\n literally',
  NASTY_DOLLAR: '$HOME and ${PATH} stay',
  NASTY_EQUALS: 'a=b==c',
  NASTY_UNICODE: 'café ünïcödé 日本語',
  NASTY_EMOJI: '🔑🚀',
  NASTY_PADDED: '  leading and trailing  ',
  NASTY_PEM: PEM,
  NASTY_EMPTY: '',
};

const GET_VALUES: Record<string, string> = {
  trailing: 'sk-trailing-space ',
  leading: '\nleading-newline',
  unicode: 'ключ-🔑-鍵',
  pem: PEM,
};

let home: string;
let seeded: SeedResult;
let server: Serving;
const outputs: { args: string[]; result: RunResult }[] = [];

async function run(args: string[], options: Parameters<typeof keyden>[2] = {}): Promise<RunResult> {
  const env = { KEYDEN_TOKEN: seeded.tokens.full, ...options.env };
  const result = await keyden(home, args, { ...options, env });
  outputs.push({ args, result });
  return result;
}

beforeAll(async () => {
  ensureBuilt();
  home = tempDir();
  seeded = await seedVault(home, {
    categories: [
      { name: 'OpenAI', envVarName: 'OPENAI_API_KEY' },
      { name: 'Stripe', envVarName: 'STRIPE_SECRET_KEY' },
      { name: 'AWS', fields: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] },
      { name: 'Getter', envVarName: 'GETTER' },
      ...Object.keys(NASTY).map((k) => ({ name: k, envVarName: k })),
    ],
    entries: [
      { key: 'openaiDev', category: 'OpenAI', name: 'Blog Project', environment: 'development', value: 'sk-dev-1234' },
      { key: 'openaiProd', category: 'OpenAI', name: 'Blog Project', environment: 'production', value: 'sk-prod-5678' },
      { key: 'stripe', category: 'Stripe', name: 'Blog Project', environment: 'development', value: 'sk_test_stripe' },
      { key: 'aws', category: 'AWS', name: 'Blog Project', value: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalr/secret', AWS_REGION: 'eu-west-1' } },
      ...Object.entries(GET_VALUES).map(([k, v]) => ({ key: `get-${k}`, category: 'Getter', name: `get-${k}`, value: v })),
      ...Object.entries(NASTY).map(([k, v]) => ({ key: k, category: k, name: 'Nasty', value: v })),
      // No dotenv line reads back as this value (a '#' needs quotes, a final backslash breaks them).
      { key: 'unwritable', category: 'Getter', name: 'Unwritable', value: '# ends in a backslash \\' },
      // Two entries writing OPENAI_API_KEY in one project: an export conflict.
      { key: 'clash1', category: 'OpenAI', name: 'Clash', value: 'a' },
      { key: 'clash2', category: 'Stripe', name: 'Clash', value: 'b', envVarName: 'OPENAI_API_KEY' },
    ],
    tokens: [
      { key: 'full', scopes: ALL_SCOPES },
      { key: 'readOnly', scopes: ['entries:read', 'categories:read'] },
      { key: 'writer', scopes: ['entries:read', 'entries:write', 'entries:reveal'] },
      { key: 'blogOnly', scopes: ['entries:read', 'entries:reveal'], projects: ['Blog Project'], environments: ['development'] },
    ],
  });
  server = await serve(home);
}, 60_000);

afterAll(async () => {
  const stopped = await server?.stop();
  expect(stopped?.code).toBe(0);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('keyden get', () => {
  it('prints each value byte for byte plus one newline, and none with -n', async () => {
    for (const [k, v] of Object.entries(GET_VALUES)) {
      const plain = await run(['get', `Getter/get-${k}`]);
      expect(plain.code).toBe(0);
      expect(plain.stdoutBytes.equals(Buffer.from(`${v}\n`))).toBe(true);
      const bare = await run(['get', '-n', `getter/GET-${k}/development`]);
      expect(bare.stdoutBytes.equals(Buffer.from(v))).toBe(true);
      const noNewline = await run(['get', seeded.ids[`get-${k}`] ?? '', '--no-newline']);
      expect(noNewline.stdoutBytes.equals(Buffer.from(v))).toBe(true);
    }
  });

  it('needs --field for a group entry, naming its fields, and exits 2 without it', async () => {
    const bare = await run(['get', 'AWS/Blog Project']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toBe('keyden: AWS/Blog Project is a group entry: use --field with one of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (or --json for all)\n');
    const field = await run(['get', 'AWS/Blog Project', '--field', 'AWS_SECRET_ACCESS_KEY']);
    expect(field).toMatchObject({ code: 0, stdout: 'wJalr/secret\n' });
    expect((await run(['get', 'AWS/Blog Project', '--field', 'AWS_REGION', '-n'])).stdout).toBe('eu-west-1');
    const all = await run(['get', 'AWS/Blog Project', '--json']);
    expect(JSON.parse(all.stdout)).toMatchObject({ value: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalr/secret', AWS_REGION: 'eu-west-1' } });
  });

  it('exits 3 for an unknown ref or field', async () => {
    const unknown = await run(['get', 'OpenAI/No Such Project']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toBe('keyden: no entry "OpenAI/No Such Project"\n');
    expect((await run(['get', '00000000-0000-4000-8000-000000000000'])).code).toBe(3);
    const field = await run(['get', 'AWS/Blog Project', '--field', 'NOPE']);
    expect(field.code).toBe(3);
    expect(field.stderr).toContain('AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION');
  });

  it('exits 2 on an ambiguous ref, naming the candidates comma-separated on one line', async () => {
    const r = await run(['get', 'openai/blog project']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('keyden: ambiguous ref "openai/blog project": OpenAI/Blog Project/development, OpenAI/Blog Project/production\n');
  });

  it('exits 4 without a token, with an unknown token, and with a token lacking entries:reveal', async () => {
    const none = await run(['get', 'OpenAI/Blog Project/development'], { env: { KEYDEN_TOKEN: undefined } });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('keyden login');
    expect((await run(['get', 'OpenAI/Blog Project/development'], { env: { KEYDEN_TOKEN: 'kdn_not-a-real-token-aaaaaaaaaaaaaaaaaaaaaaaaaaa' } })).code).toBe(4);
    const scope = await run(['get', 'OpenAI/Blog Project/development'], { env: { KEYDEN_TOKEN: seeded.tokens.readOnly } });
    expect(scope.code).toBe(4);
    expect(scope.stderr).toContain('entries:reveal');
  });

  it('treats entries outside a limited token as absent', async () => {
    const env = { KEYDEN_TOKEN: seeded.tokens.blogOnly };
    expect((await run(['get', 'OpenAI/Blog Project/development'], { env })).stdout).toBe('sk-dev-1234\n');
    expect((await run(['get', 'OpenAI/Blog Project/production'], { env })).code).toBe(3);
    expect((await run(['get', seeded.ids.openaiProd ?? ''], { env })).code).toBe(3);
  });

  it('exits 2 on a malformed ref or unknown option', async () => {
    expect((await run(['get', 'just-one-part'])).code).toBe(2);
    const option = await run(['get', '--bogus', 'a/b']);
    expect(option.code).toBe(2);
    expect(option.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe('keyden add, set and rm', () => {
  it('adds an entry from a pipe without its final newline, and a duplicate exits 6', async () => {
    const added = await run(['add', '--category', 'openai', '--project', 'Added', '--env', 'staging'], { input: 'sk-added\n' });
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^Added OpenAI\/Added\/staging \([0-9a-f-]{36}\)\n$/);
    expect((await run(['get', 'OpenAI/Added'])).stdout).toBe('sk-added\n');
    const duplicate = await run(['add', '--category', 'OpenAI', '--project', 'added', '--env', 'staging'], { input: 'other\n' });
    expect(duplicate.code).toBe(6);
    expect((await run(['get', 'OpenAI/Added'])).stdout).toBe('sk-added\n');
  });

  it('adds with a token that lacks categories:read, finding the category through its entries', async () => {
    const env = { KEYDEN_TOKEN: seeded.tokens.writer };
    expect((await run(['add', '--category', 'stripe', '--project', 'Writer'], { env, input: 'sk_writer\n' })).code).toBe(0);
    expect((await run(['get', 'Stripe/Writer'], { env })).stdout).toBe('sk_writer\n');
    const hidden = await run(['add', '--category', 'NASTY_NOWHERE', '--project', 'Writer'], { env, input: 'x' });
    expect(hidden.code).toBe(3);
    expect(hidden.stderr).toContain('categories:read');
  });

  it('exits 3 for an unknown category and 2 for a name the API rejects', async () => {
    const category = await run(['add', '--category', 'Nope', '--project', 'X'], { input: 'v' });
    expect(category.code).toBe(3);
    expect(category.stderr).toContain('OpenAI');
    expect((await run(['add', '--category', 'OpenAI', '--project', 'Bad\u0007Name'], { input: 'v' })).code).toBe(2);
    expect((await run(['add', '--category', 'OpenAI', '--project', 'X', '--env', 'Not A Slug!'], { input: 'v' })).code).toBe(2);
  });

  it('sets values from a pipe byte for byte, dropping exactly one final LF or CR LF', async () => {
    await run(['add', '--category', 'Getter', '--project', 'Settable'], { input: 'first' });
    const cases: [string, string][] = [
      [`${PEM}\n`, PEM],
      ['sk-crlf\r\n', 'sk-crlf'],
      ['two newlines\n\n', 'two newlines\n'],
      [' spaced \n', ' spaced '],
      ['\nleading', '\nleading'],
      ['', ''],
    ];
    for (const [input, stored] of cases) {
      const set = await run(['set', 'Getter/Settable'], { input });
      expect(set).toMatchObject({ code: 0, stdout: 'Updated Getter/Settable/development\n' });
      expect((await run(['get', 'Getter/Settable', '-n'])).stdoutBytes.equals(Buffer.from(stored))).toBe(true);
    }
  });

  it('sets a group entry from a JSON object, and refuses other input with exit 2', async () => {
    await run(['add', '--category', 'AWS', '--project', 'Grouped'], { input: JSON.stringify({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_REGION: 'c' }) });
    const set = await run(['set', 'AWS/Grouped'], { input: `${JSON.stringify({ AWS_ACCESS_KEY_ID: 'A2', AWS_SECRET_ACCESS_KEY: 'B2', AWS_REGION: 'C2' })}\n` });
    expect(set.code).toBe(0);
    expect((await run(['get', 'AWS/Grouped', '--field', 'AWS_ACCESS_KEY_ID'])).stdout).toBe('A2\n');
    const notJson = await run(['set', 'AWS/Grouped'], { input: 'plain' });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION');
    expect((await run(['set', 'AWS/Grouped'], { input: JSON.stringify({ AWS_ACCESS_KEY_ID: 'x' }) })).code).toBe(2);
  });

  it('deletes only after a "y" line, and at once with --yes', async () => {
    await run(['add', '--category', 'OpenAI', '--project', 'Doomed'], { input: 'x' });
    for (const input of ['n\n', '', 'yess\n']) {
      const refused = await run(['rm', 'OpenAI/Doomed'], { input });
      expect(refused.code).toBe(1);
      expect((await run(['get', 'OpenAI/Doomed'])).code).toBe(0);
    }
    const confirmed = await run(['rm', 'OpenAI/Doomed'], { input: 'y\n' });
    expect(confirmed).toMatchObject({ code: 0, stdout: 'Deleted OpenAI/Doomed/development\n' });
    expect((await run(['get', 'OpenAI/Doomed'])).code).toBe(3);
    await run(['add', '--category', 'OpenAI', '--project', 'Doomed'], { input: 'x' });
    expect((await run(['rm', 'OpenAI/Doomed', '--yes'])).code).toBe(0);
    expect((await run(['rm', 'OpenAI/Doomed', '--yes'])).code).toBe(3);
  });

  it('exits 4 when the token may not write', async () => {
    expect((await run(['set', 'OpenAI/Blog Project/development'], { input: 'x', env: { KEYDEN_TOKEN: seeded.tokens.readOnly } })).code).toBe(4);
    expect((await run(['get', 'OpenAI/Blog Project/development'])).stdout).toBe('sk-dev-1234\n');
  });
});

describe('keyden export', () => {
  it('writes dotenv that dotenv.parse reads back exactly, with a header and no secret in it', async () => {
    const r = await run(['export', '--project', 'nasty']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('#')).toBe(true);
    expect(parseDotenv(r.stdout)).toEqual(NASTY);
  });

  it('writes shell lines that bash sources to the exact values', async () => {
    const r = await run(['export', '--project', 'Nasty', '--format', 'shell']);
    expect(r.code).toBe(0);
    const file = path.join(home, 'nasty.sh');
    fs.writeFileSync(file, r.stdout, { mode: 0o600 });
    const names = Object.keys(NASTY);
    const printed = execFileSync('bash', ['-c', `. "$1"; for n in ${names.join(' ')}; do printf '%s\\0' "\${!n}"; done`, 'bash', file], { env: { PATH: process.env.PATH } });
    fs.rmSync(file);
    expect(printed.toString('utf8').split('\0').slice(0, -1)).toEqual(Object.values(NASTY));
  });

  it('prints a JSON object with --format json', async () => {
    const r = await run(['export', '--project', 'Blog Project', '--format', 'json']);
    expect(JSON.parse(r.stdout)).toEqual({
      OPENAI_API_KEY: 'sk-dev-1234',
      STRIPE_SECRET_KEY: 'sk_test_stripe',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalr/secret',
      AWS_REGION: 'eu-west-1',
    });
    expect(parseDotenv((await run(['export', '--project', 'Blog Project', '--env', 'production'])).stdout)).toEqual({ OPENAI_API_KEY: 'sk-prod-5678' });
  });

  it('writes -o FILE with mode 0600 and refuses to overwrite it without --force (exit 1)', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.env');
    const first = await run(['export', '--project', 'Blog Project', '-o', file]);
    expect(first).toMatchObject({ code: 0, stdout: '' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(parseDotenv(fs.readFileSync(file))).toMatchObject({ OPENAI_API_KEY: 'sk-dev-1234' });
    fs.writeFileSync(file, 'KEEP=me\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const refused = await run(['export', '--project', 'Blog Project', '-o', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--force');
    expect(fs.readFileSync(file, 'utf8')).toBe('KEEP=me\n');
    const forced = await run(['export', '--project', 'Blog Project', '--env', 'production', '-o', file, '--force']);
    expect(forced.code).toBe(0);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(parseDotenv(fs.readFileSync(file))).toEqual({ OPENAI_API_KEY: 'sk-prod-5678' });
    expect(fs.readdirSync(dir)).toEqual(['.env']);
    fs.rmSync(dir, { recursive: true });
  });

  it('exits 1 when the format cannot hold a value exactly, naming the variable but not the value', async () => {
    const r = await run(['export', '--project', 'Unwritable']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('GETTER');
    expect(r.stderr).not.toContain('backslash');
    const file = path.join(home, 'unwritable.env');
    expect((await run(['export', '--project', 'Unwritable', '-o', file])).code).toBe(1);
    expect(fs.existsSync(file)).toBe(false);
    expect((await run(['export', '--project', 'Unwritable', '--format', 'shell'])).code).toBe(0);
  });

  it('exits 6 on an export conflict, 3 for an unknown project and 4 without entries:reveal', async () => {
    const clash = await run(['export', '--project', 'Clash']);
    expect(clash.code).toBe(6);
    expect(clash.stdout).toBe('');
    expect((await run(['export', '--project', 'Nobody'])).code).toBe(3);
    expect((await run(['export', '--project', 'Blog Project'], { env: { KEYDEN_TOKEN: seeded.tokens.readOnly } })).code).toBe(4);
    expect((await run(['export', '--project', 'Blog Project', '--format', 'yaml'])).code).toBe(2);
  });
});

describe('keyden run', () => {
  const printEnv = `process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('NASTY_') || k === 'KEYDEN_TOKEN' || k === 'OUTER'))))`;

  it('gives the child the exact variables, without KEYDEN_TOKEN, and leaves no file behind', async () => {
    const cwd = tempDir();
    const before = listTree(home);
    const r = await run(['run', '--project', 'Nasty', '--', process.execPath, '-e', printEnv], { cwd, env: { OUTER: 'kept' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ...NASTY, OUTER: 'kept' });
    expect(fs.readdirSync(cwd)).toEqual([]);
    expect(listTree(home)).toEqual(before);
    fs.rmSync(cwd, { recursive: true });
  });

  it('passes the exit code through', async () => {
    const r = await run(['run', '--project', 'Blog Project', '--', process.execPath, '-e', 'process.exit(7)']);
    expect(r.code).toBe(7);
  });

  it('exits 128+n when the child is killed by signal n', async () => {
    const r = await run(['run', '--project', 'Blog Project', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')"]);
    expect(r.code).toBe(143);
  });

  it('forwards SIGINT and SIGTERM to the child', async () => {
    const script = `process.on('SIGTERM', () => { process.stdout.write('got SIGTERM'); process.exit(42); }); process.stdout.write('ready'); setInterval(() => {}, 1000);`;
    const { spawnKeyden, collect } = await import('./helpers.js');
    for (const [signal, expected] of [['SIGTERM', 42], ['SIGINT', 130]] as const) {
      const child = spawnKeyden(home, ['run', '--project', 'Blog Project', '--', process.execPath, '-e', script], { env: { KEYDEN_TOKEN: seeded.tokens.full } });
      const done = collect(child);
      await new Promise<void>((resolve) => child.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve()));
      child.kill(signal);
      const r = await done;
      expect(r.code).toBe(expected);
      if (signal === 'SIGTERM') expect(r.stdout).toContain('got SIGTERM');
    }
  });

  it('exits 127 for a command that does not exist and 2 without a command', async () => {
    expect((await run(['run', '--project', 'Blog Project', '--', 'no-such-command-xyz'])).code).toBe(127);
    expect((await run(['run', '--project', 'Blog Project'])).code).toBe(2);
  });
});

describe('keyden import', () => {
  it('prints the summary, updates on a second run and skips with --skip-existing', async () => {
    const file = path.join(home, 'import.env');
    fs.writeFileSync(file, '# comment\nIMPORTED_A=one\nexport IMPORTED_B="two words"\nMULTI="line1\nline2"\n');
    const first = await run(['import', file, '--project', 'Imported']);
    expect(first).toMatchObject({ code: 0, stdout: 'Imported 3, updated 0, skipped 0, failed 0\n' });
    expect((await run(['get', 'IMPORTED_B/Imported'])).stdout).toBe('two words\n');
    expect((await run(['get', 'MULTI/Imported'])).stdout).toBe('line1\nline2\n');
    fs.writeFileSync(file, 'IMPORTED_A=uno\n');
    expect((await run(['import', file, '--project', 'Imported', '--skip-existing'])).stdout).toBe('Imported 0, updated 0, skipped 1, failed 0\n');
    expect((await run(['get', 'IMPORTED_A/Imported'])).stdout).toBe('one\n');
    const json = await run(['import', file, '--project', 'Imported', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ imported: 0, updated: 1, skipped: 0, failed: [] });
    expect((await run(['get', 'IMPORTED_A/Imported'])).stdout).toBe('uno\n');
    fs.rmSync(file);
  });

  it('lists failed variables with their line and exits 1', async () => {
    // AWS_REGION alone cannot make a new AWS group entry (it needs every field).
    const r = await run(['import', '-', '--project', 'Partial'], { input: 'OK_VAR=1\n\nAWS_REGION=eu-west-1\n' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Imported 1, updated 0, skipped 0, failed 1\n {2}line 3: AWS_REGION: .+\n$/);
    expect(r.stderr).toBe('keyden: 1 variable not imported\n');
  });

  it('exits 1 for a missing file', async () => {
    const r = await run(['import', path.join(home, 'missing.env'), '--project', 'X']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no such file');
  });
});

describe('keyden list, categories, status and audit', () => {
  it('lists entries as tab-separated lines off a terminal, and as JSON', async () => {
    const r = await run(['list', '--project', 'blog project']);
    expect(r.code).toBe(0);
    const refs = r.stdout.trim().split('\n').map((l) => l.split('\t')[0]);
    expect(refs).toEqual(['AWS/Blog Project/development', 'OpenAI/Blog Project/development', 'OpenAI/Blog Project/production', 'Stripe/Blog Project/development']);
    const json = JSON.parse((await run(['list', '--category', 'openai', '--env', 'production', '--json'])).stdout) as { id: string }[];
    expect(json.map((e) => e.id)).toContain(seeded.ids.openaiProd);
    expect(json.every((e) => !('value' in e))).toBe(true);
  });

  it('ends quietly with 141 when its reader has gone away, as SIGPIPE would', async () => {
    const { spawnKeyden } = await import('./helpers.js');
    const child = spawnKeyden(home, ['list'], { env: { KEYDEN_TOKEN: seeded.tokens.full } });
    child.stdout?.destroy();
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin?.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(141);
    expect(stderr).toBe('');
  });

  it('lists categories with their variables', async () => {
    const r = await run(['categories']);
    expect(r.stdout).toContain('AWS\tgroup\tAWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION\t');
    expect(JSON.parse((await run(['categories', '--json'])).stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' })]));
  });

  it("shows the owner's URL, the lock state and the token's name and scopes", async () => {
    const r = await run(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Owner:     ${server.url} (Keyden `);
    expect(r.stdout).toContain('Vault:     unlocked');
    expect(r.stdout).toContain('Token:     full (from KEYDEN_TOKEN)');
    expect(r.stdout).toContain(`Scopes:    ${ALL_SCOPES.join(', ')}`);
    const json = JSON.parse((await run(['status', '--json'], { env: { KEYDEN_TOKEN: seeded.tokens.blogOnly } })).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ url: server.url, locked: false, approver: false, token: { name: 'blogOnly', projects: ['Blog Project'], environments: ['development'] } });
    const none = await run(['status'], { env: { KEYDEN_TOKEN: undefined } });
    expect(none.code).toBe(4);
    expect(none.stdout).toContain('Token:     none');
  });

  it('shows the audit log newest first', async () => {
    const r = await run(['audit', '--limit', '5', '--json']);
    const events = JSON.parse(r.stdout) as { at: string; action: string }[];
    expect(events).toHaveLength(5);
    expect([...events].sort((a, b) => b.at.localeCompare(a.at))).toEqual(events);
    const reveals = await run(['audit', '--action', 'entry.reveal']);
    expect(reveals.code).toBe(0);
    expect(reveals.stdout).toMatch(/\tentry\.reveal\tok\t/);
    expect((await run(['audit'], { env: { KEYDEN_TOKEN: seeded.tokens.readOnly } })).code).toBe(4);
  });

  it('finds the owner through api.json without KEYDEN_URL, and fails with exit 1 when none runs', async () => {
    expect(JSON.parse(fs.readFileSync(path.join(home, 'api.json'), 'utf8'))).toMatchObject({ url: server.url, version: expect.any(String) as string });
    // A stale api.json (its owner's pid is gone) is ignored: the default port is tried instead.
    const stale = tempDir();
    fs.writeFileSync(path.join(stale, 'api.json'), JSON.stringify({ url: server.url, pid: 2 ** 22 + 12345, version: '0.1.0' }));
    const ignored = await keyden(stale, ['status', '--json'], { env: { KEYDEN_TOKEN: seeded.tokens.full } });
    expect(ignored.stdout + ignored.stderr).toContain('http://127.0.0.1:17321');
    expect(ignored.stdout + ignored.stderr).not.toContain(server.url);
    fs.rmSync(stale, { recursive: true });
    const gone = await run(['get', 'OpenAI/Blog Project/development'], { env: { KEYDEN_URL: 'http://127.0.0.1:9' } });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('keyden: cannot reach the Keyden API at http://127.0.0.1:9: start the desktop app (with its local API on) or `keyden serve`\n');
  });

  it('tells a headless owner to use keyden token create on login, exiting 1', async () => {
    const r = await run(['login']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('keyden token create');
    expect(fs.existsSync(path.join(home, 'credentials'))).toBe(false);
  });
});

describe('every failure', () => {
  it('printed one plain line without a stack trace and no secret on stderr', () => {
    const secrets = ['sk-dev-1234', 'sk-prod-5678', 'sk_test_stripe', 'wJalr/secret', PASSWORD, ...Object.values(GET_VALUES)];
    expect(outputs.length).toBeGreaterThan(50);
    for (const { args, result: o } of outputs) {
      expect(hasStackTrace(o.stderr)).toBe(false);
      // `run` passes its child's exit code through; every other failure says why in one line.
      if (o.code !== 0 && !(args[0] === 'run' && o.code !== 2 && o.code !== 127)) {
        expect(o.stderr.trimEnd().split('\n').filter((l) => l.startsWith('keyden:')), `${args.join(' ')}: ${o.stderr}`).toHaveLength(1);
      }
      for (const s of secrets) expect(o.stderr.includes(s)).toBe(false);
      // Only get, export and run print values; list, status, audit, categories never do.
      if (['list', 'status', 'audit', 'categories'].includes(args[0] ?? '')) {
        for (const s of secrets) expect(o.stdout.includes(s), `${args.join(' ')} printed a secret`).toBe(false);
      }
    }
  });
});

function listTree(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => !p.startsWith('vault.db'))
    .sort();
}

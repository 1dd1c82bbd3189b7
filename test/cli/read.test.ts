// `keyden get`, `list`, `categories`, `status`, `audit` and `login`, the real process against a
// real `keyden serve` on 127.0.0.1 (DESIGN §5).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_SCOPES, keyden, keydenWithoutReader, tempDir } from './helpers.js';
import { expectCleanOutputs, GET_VALUES, useOwner } from './fixture.js';

const owner = useOwner();
const { run } = owner;

describe('keyden get', () => {
  it('prints each value byte for byte plus one newline, and none with -n', async () => {
    for (const [k, v] of Object.entries(GET_VALUES)) {
      const plain = await run(['get', `Getter/get-${k}`]);
      expect(plain.code).toBe(0);
      expect(plain.stdoutBytes.equals(Buffer.from(`${v}\n`))).toBe(true);
      const bare = await run(['get', '-n', `getter/GET-${k}/development`]);
      expect(bare.stdoutBytes.equals(Buffer.from(v))).toBe(true);
      const noNewline = await run(['get', owner.seeded.ids[`get-${k}`] ?? '', '--no-newline']);
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
    const scope = await run(['get', 'OpenAI/Blog Project/development'], { env: { KEYDEN_TOKEN: owner.seeded.tokens.readOnly } });
    expect(scope.code).toBe(4);
    expect(scope.stderr).toContain('entries:reveal');
  });

  it('treats entries outside a limited token as absent', async () => {
    const env = { KEYDEN_TOKEN: owner.seeded.tokens.blogOnly };
    expect((await run(['get', 'OpenAI/Blog Project/development'], { env })).stdout).toBe('sk-dev-1234\n');
    expect((await run(['get', 'OpenAI/Blog Project/production'], { env })).code).toBe(3);
    expect((await run(['get', owner.seeded.ids.openaiProd ?? ''], { env })).code).toBe(3);
  });

  it('exits 2 on a malformed ref or unknown option', async () => {
    expect((await run(['get', 'just-one-part'])).code).toBe(2);
    const option = await run(['get', '--bogus', 'a/b']);
    expect(option.code).toBe(2);
    expect(option.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe('keyden list, categories, status and audit', () => {
  it('lists entries as tab-separated lines off a terminal, and as JSON', async () => {
    const r = await run(['list', '--project', 'blog project']);
    expect(r.code).toBe(0);
    const refs = r.stdout.trim().split('\n').map((l) => l.split('\t')[0]);
    expect(refs).toEqual(['AWS/Blog Project/development', 'OpenAI/Blog Project/development', 'OpenAI/Blog Project/production', 'Stripe/Blog Project/development']);
    const json = JSON.parse((await run(['list', '--category', 'openai', '--env', 'production', '--json'])).stdout) as { id: string }[];
    expect(json.map((e) => e.id)).toContain(owner.seeded.ids.openaiProd);
    expect(json.every((e) => !('value' in e))).toBe(true);
  });

  it('ends quietly with 141 when its reader has gone away, as SIGPIPE would', async () => {
    expect(await keydenWithoutReader(owner.home, ['list'], { env: { KEYDEN_TOKEN: owner.seeded.tokens.full } })).toEqual({ code: 141, stderr: '' });
  });

  it('lists categories with their variables', async () => {
    const r = await run(['categories']);
    expect(r.stdout).toContain('AWS\tgroup\tAWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION\t');
    expect(JSON.parse((await run(['categories', '--json'])).stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' })]));
  });

  it("shows the owner's URL, the lock state and the token's name and scopes", async () => {
    const r = await run(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Owner:     unix:${path.join(owner.home, 'keyden.sock')} (Keyden `);
    expect(r.stdout).toContain(', from socket)');
    expect(r.stdout).toContain('Vault:     unlocked');
    expect(r.stdout).toContain('Token:     full (from KEYDEN_TOKEN)');
    expect(r.stdout).toContain(`Scopes:    ${ALL_SCOPES.join(', ')}`);
    const json = JSON.parse((await run(['status', '--json'], { env: { KEYDEN_TOKEN: owner.seeded.tokens.blogOnly } })).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ url: `unix:${path.join(owner.home, 'keyden.sock')}`, urlSource: 'socket', locked: false, approver: false, token: { name: 'blogOnly', projects: ['Blog Project'], environments: ['development'] } });
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
    expect((await run(['audit'], { env: { KEYDEN_TOKEN: owner.seeded.tokens.readOnly } })).code).toBe(4);
  });

  it('finds the owner through its socket, else api.json (checked by its proof), and fails with exit 1 when none runs', async () => {
    const discovery = JSON.parse(fs.readFileSync(path.join(owner.home, 'api.json'), 'utf8')) as Record<string, unknown>;
    expect(discovery).toMatchObject({ url: owner.server.url, version: expect.any(String) as string, proof: expect.stringMatching(/^[0-9a-f]{64}$/) as string });
    // Without the socket (another home holding only a copy of api.json), api.json's owner is used over TCP.
    const viaTcp = tempDir();
    fs.writeFileSync(path.join(viaTcp, 'api.json'), JSON.stringify(discovery));
    const tcp = await keyden(viaTcp, ['status', '--json'], { env: { KEYDEN_TOKEN: owner.seeded.tokens.full } });
    expect(JSON.parse(tcp.stdout)).toMatchObject({ url: owner.server.url, urlSource: 'api.json', locked: false });
    expect((await keyden(viaTcp, ['get', 'OpenAI/Blog Project/development'], { env: { KEYDEN_TOKEN: owner.seeded.tokens.full, KEYDEN_URL: owner.server.url } })).stdout).toBe('sk-dev-1234\n');
    fs.rmSync(viaTcp, { recursive: true });
    // A stale api.json (its owner's pid is gone) is ignored, and no fixed port is tried instead.
    const stale = tempDir();
    fs.writeFileSync(path.join(stale, 'api.json'), JSON.stringify({ ...discovery, pid: 2 ** 22 + 12345 }));
    const ignored = await keyden(stale, ['status', '--json'], { env: { KEYDEN_TOKEN: owner.seeded.tokens.full } });
    expect(ignored.code).toBe(1);
    expect(ignored.stderr).toBe(`keyden: no Keyden owner is running (no ${path.join(stale, 'keyden.sock')}, no live ${path.join(stale, 'api.json')}): start the desktop app (with its local API on) or \`keyden serve\`\n`);
    fs.rmSync(stale, { recursive: true });
    const gone = await run(['get', 'OpenAI/Blog Project/development'], { env: { KEYDEN_URL: 'http://127.0.0.1:9' } });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('keyden: cannot reach the Keyden API at http://127.0.0.1:9: start the desktop app (with its local API on) or `keyden serve`\n');
  });

  it('tells a headless owner to use keyden token create on login, exiting 1', async () => {
    const r = await run(['login']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('keyden token create');
    expect(fs.existsSync(path.join(owner.home, 'credentials'))).toBe(false);
  });
});

describe('every failure above', () => {
  it('was one plain line without a stack trace, and no secret leaked', () => expectCleanOutputs(owner.outputs));
});

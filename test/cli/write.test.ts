// `keyden add`, `set`, `rm` and `import`, the real process against a real `keyden serve`.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanOutputs, PEM, useOwner } from './fixture.js';

const owner = useOwner();
const { run } = owner;

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
    const env = { KEYDEN_TOKEN: owner.seeded.tokens.writer };
    expect((await run(['add', '--category', 'stripe', '--project', 'Writer'], { env, input: 'sk_writer\n' })).code).toBe(0);
    expect((await run(['get', 'Stripe/Writer'], { env })).stdout).toBe('sk_writer\n');
    const hidden = await run(['add', '--category', 'NASTY_NOWHERE', '--project', 'Writer'], { env, input: 'x' });
    expect(hidden.code).toBe(3);
    expect(hidden.stderr).toContain('categories:read');
  });

  it('notes on stderr, without the value, a key that looks like another service\'s or a live key outside production', async () => {
    const key = 'sk_live_51HabcdefghijKLMNOP';
    const r = await run(['add', '--category', 'OpenAI', '--project', 'Hygiene'], { input: `${key}\n` });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('keyden: note: This looks like a Stripe key, not OpenAI.\nkeyden: note: This is a live Stripe key, but the environment is development.\n');
    const quiet = await run(['add', '--category', 'OpenAI', '--project', 'Hygiene', '--env', 'staging'], { input: 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789\n' });
    expect(quiet.stderr).toBe('');
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
    ];
    for (const [input, stored] of cases) {
      const set = await run(['set', 'Getter/Settable'], { input });
      expect(set).toMatchObject({ code: 0, stdout: 'Updated Getter/Settable/development\n' });
      expect((await run(['get', 'Getter/Settable', '-n'])).stdoutBytes.equals(Buffer.from(stored))).toBe(true);
    }
  });

  it('refuses to set an empty value from an empty stdin unless --allow-empty is given', async () => {
    await run(['add', '--category', 'Getter', '--project', 'Emptied'], { input: 'kept' });
    for (const input of ['', '\n']) {
      const refused = await run(['set', 'Getter/Emptied'], { input });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe('keyden: refusing to set Getter/Emptied/development to an empty value (stdin was empty); pass --allow-empty to mean it\n');
      expect((await run(['get', 'Getter/Emptied', '-n'])).stdout).toBe('kept');
    }
    expect(await run(['set', 'Getter/Emptied', '--allow-empty'], { input: '' })).toMatchObject({ code: 0 });
    expect((await run(['get', 'Getter/Emptied', '-n'])).stdout).toBe('');
  });

  it('adds with --expires, and set --notes / --expires change only those when stdin is empty, or the value too from a pipe', async () => {
    const added = await run(['add', '--category', 'Getter', '--project', 'Dated', '--expires', '2031-05-01', '--json'], { input: 'v1' });
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ expiresAt: '2031-05-01T00:00:00.000Z' });
    const meta = await run(['set', 'Getter/Dated', '--notes', 'team card', '--expires', '90d', '--json'], { input: '' });
    expect(meta.code).toBe(0);
    const after = JSON.parse(meta.stdout) as { notes: string; expiresAt: string };
    expect(after.notes).toBe('team card');
    expect(Date.parse(after.expiresAt) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    expect((await run(['get', 'Getter/Dated', '-n'])).stdout).toBe('v1');
    const both = await run(['set', 'Getter/Dated', '--expires', 'never', '--json'], { input: 'v2\n' });
    expect(JSON.parse(both.stdout)).toMatchObject({ expiresAt: null, notes: 'team card' });
    expect((await run(['get', 'Getter/Dated', '-n'])).stdout).toBe('v2');
    expect((await run(['set', 'Getter/Dated', '--expires', 'yesterday'], { input: '' })).code).toBe(2);
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

  it('moves to the trash only after a "y" line, and at once with --yes', async () => {
    await run(['add', '--category', 'OpenAI', '--project', 'Doomed'], { input: 'x' });
    for (const input of ['n\n', '', 'yes\n', 'yy\n']) {
      const refused = await run(['rm', 'OpenAI/Doomed'], { input });
      expect(refused.code).toBe(1);
      expect((await run(['get', 'OpenAI/Doomed'])).code).toBe(0);
    }
    const confirmed = await run(['rm', 'OpenAI/Doomed'], { input: 'y\n' });
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toMatch(/^Moved OpenAI\/Doomed\/development to the trash \(keyden restore [0-9a-f-]{36}\)\n$/);
    expect((await run(['get', 'OpenAI/Doomed'])).code).toBe(3);
    await run(['add', '--category', 'OpenAI', '--project', 'Doomed'], { input: 'x' });
    expect((await run(['rm', 'OpenAI/Doomed', '--yes'])).code).toBe(0);
    expect((await run(['rm', 'OpenAI/Doomed', '--yes'])).code).toBe(3);
  });

  it('exits 4 when the token may not write', async () => {
    expect((await run(['set', 'OpenAI/Blog Project/development'], { input: 'x', env: { KEYDEN_TOKEN: owner.seeded.tokens.readOnly } })).code).toBe(4);
    expect((await run(['get', 'OpenAI/Blog Project/development'])).stdout).toBe('sk-dev-1234\n');
  });
});

describe('keyden import', () => {
  it('prints the summary, updates on a second run and skips with --skip-existing', async () => {
    const file = path.join(owner.home, 'import.env');
    fs.writeFileSync(file, '# comment\nIMPORTED_A=one\nexport IMPORTED_B="two words"\nMULTI="line1\nline2"\n');
    const first = await run(['import', file, '--project', 'Imported']);
    expect(first).toMatchObject({ code: 0, stdout: 'Imported 3, updated 0, skipped 0, failed 0\n' });
    expect((await run(['get', 'IMPORTED_B', '--project', 'Imported'])).stdout).toBe('two words\n');
    expect((await run(['get', 'MULTI', '--project', 'Imported'])).stdout).toBe('line1\nline2\n');
    fs.writeFileSync(file, 'IMPORTED_A=uno\n');
    expect((await run(['import', file, '--project', 'Imported', '--skip-existing'])).stdout).toBe('Imported 0, updated 0, skipped 1, failed 0\n');
    expect((await run(['get', 'IMPORTED_A', '--project', 'Imported'])).stdout).toBe('one\n');
    const json = await run(['import', file, '--project', 'Imported', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ imported: 0, updated: 1, skipped: 0, failed: [], warnings: [] });
    expect((await run(['get', 'IMPORTED_A', '--project', 'Imported'])).stdout).toBe('uno\n');
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
    const r = await run(['import', path.join(owner.home, 'missing.env'), '--project', 'X']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no such file');
  });
});

describe('every failure above', () => {
  it('was one plain line without a stack trace, and no secret leaked', () => expectCleanOutputs(owner.outputs));
});

// Secret references (DESIGN §8): `keyden run --env-file` and `keyden inject`, the real process
// against a real `keyden serve`.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { expectCleanOutputs, NASTY, PEM, useOwner } from './fixture.js';

const owner = useOwner();
const { run } = owner;
const printEnv = (names: string[]) => `process.stdout.write(JSON.stringify(Object.fromEntries(${JSON.stringify(names)}.map((k) => [k, process.env[k] ?? null]))))`;

describe('keyden run --env-file', () => {
  it('replaces keyden:// references by their exact values and passes literals through', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.env.keyden');
    fs.writeFileSync(
      file,
      [
        '# committed to the repository: references only',
        'OPENAI=keyden://openai/blog project/production',
        'REGION=keyden://AWS/Blog Project/development/aws_region',
        'PEM=keyden://NASTY_PEM/Nasty',
        'PADDED="keyden://NASTY_PADDED/Nasty/development"',
        'PLAIN=not a reference',
        'OPENAI_API_KEY=overrides the project',
        '',
      ].join('\n'),
    );
    const before = fs.readdirSync(dir);
    const r = await run(['run', '--project', 'Blog Project', '--env-file', file, '--', process.execPath, '-e', printEnv(['OPENAI', 'REGION', 'PEM', 'PADDED', 'PLAIN', 'OPENAI_API_KEY', 'STRIPE_SECRET_KEY', 'KEYDEN_TOKEN'])]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      OPENAI: 'sk-prod-5678',
      REGION: 'eu-west-1',
      PEM,
      PADDED: NASTY.NASTY_PADDED,
      PLAIN: 'not a reference',
      OPENAI_API_KEY: 'overrides the project',
      STRIPE_SECRET_KEY: 'sk_test_stripe',
      KEYDEN_TOKEN: null,
    });
    expect(fs.readdirSync(dir)).toEqual(before);
    fs.rmSync(dir, { recursive: true });
  });

  it('reads an env file of 1 MiB of blank lines, a stray line and its variables in one pass (dotenv.parse of the whole file takes hours on it)', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const file = path.join(dir, 'blank.env');
    fs.writeFileSync(file, `${' \n'.repeat(500_000)}not an assignment\nFIRST=one\nSECOND=keyden://openai/blog project/production\n`);
    const r = await run(['run', '--env-file', file, '--', process.execPath, '-e', printEnv(['FIRST', 'SECOND'])], { timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ FIRST: 'one', SECOND: 'sk-prod-5678' });
    fs.rmSync(dir, { recursive: true });
  });

  it('runs nothing when a reference is unknown (3), ambiguous or malformed (2)', async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'ran');
    const child = ['--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`];
    for (const [line, code] of [
      ['A=keyden://OpenAI/Nowhere/production', 3],
      ['A=keyden://OpenAI/Blog Project', 2],
      ['A=keyden://AWS/Blog Project/development', 2],
      ['A=keyden://AWS/Blog Project/development/NOPE', 3],
      ['A=keyden://just-one', 2],
    ] as const) {
      const file = path.join(dir, 'refs.env');
      fs.writeFileSync(file, `${line}\n`);
      const r = await run(['run', '--env-file', file, ...child]);
      expect(r.code, line).toBe(code);
      expect(fs.existsSync(marker)).toBe(false);
    }
    fs.rmSync(dir, { recursive: true });
  });
});

describe('keyden inject', () => {
  it('fills every placeholder of a template with its exact value', async () => {
    const template = 'openai: "{{ keyden://OpenAI/Blog Project/development }}"\nregion: {{keyden://AWS/Blog Project/development/AWS_REGION}}\nunicode: {{ keyden://NASTY_UNICODE/Nasty }}\nliteral: {{ not a ref }}\n';
    const r = await run(['inject', '-i', '-'], { input: template });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`openai: "sk-dev-1234"\nregion: eu-west-1\nunicode: ${NASTY.NASTY_UNICODE}\nliteral: {{ not a ref }}\n`);
  });

  it('writes -o FILE with mode 0600, refuses to overwrite it without --force, and writes nothing on an unknown reference', async () => {
    const dir = tempDir();
    const tpl = path.join(dir, 'config.tpl');
    const out = path.join(dir, 'config');
    fs.writeFileSync(tpl, 'key={{ keyden://Stripe/Blog Project/development }}\n');
    expect((await run(['inject', '-i', tpl, '-o', out])).code).toBe(0);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(out, 'utf8')).toBe('key=sk_test_stripe\n');
    expect((await run(['inject', '-i', tpl, '-o', out])).code).toBe(1);
    fs.writeFileSync(tpl, 'key={{ keyden://Stripe/Nowhere/development }}\n');
    expect((await run(['inject', '-i', tpl, '-o', out, '--force'])).code).toBe(3);
    expect(fs.readFileSync(out, 'utf8')).toBe('key=sk_test_stripe\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['config', 'config.tpl']);
    fs.rmSync(dir, { recursive: true });
  });

  it('exits 4 with a token that may not reveal', async () => {
    expect((await run(['inject', '-i', '-'], { input: '{{ keyden://Stripe/Blog Project/development }}', env: { KEYDEN_TOKEN: owner.seeded.tokens.readOnly } })).code).toBe(4);
  });
});

describe('every failure above', () => {
  it('was one plain line without a stack trace, and no secret leaked', () => expectCleanOutputs(owner.outputs));
});

// `keyden export` and `keyden run`, the real process against a real `keyden serve`.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { BIN, collect, tempDir } from './helpers.js';
import { expectCleanOutputs, NASTY, useOwner } from './fixture.js';

const owner = useOwner();
const { run } = owner;

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
    const file = path.join(owner.home, 'nasty.sh');
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

  it('leaves no part of the file when writing -o FILE fails (a file size limit), and exits 1', async () => {
    const big = await run(['import', '-', '--project', 'Big export'], { input: `BIG_VALUE=${'x'.repeat(40_000)}\n` });
    expect(big.code, big.stderr).toBe(0);
    const dir = tempDir();
    const file = path.join(dir, '.env');
    // `ulimit -f 16`: at most 8 KiB (dash counts 512-byte blocks) or 16 KiB, below the 40 KB export.
    const limited = spawn('sh', ['-c', 'ulimit -f 16; exec "$0" "$@"', process.execPath, BIN, 'export', '--project', 'Big export', '-o', file], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: owner.home, KEYDEN_HOME: owner.home, LANG: 'C.UTF-8', KEYDEN_TOKEN: owner.seeded.tokens.full },
    });
    const r = await collect(limited);
    expect(r.stderr).toContain(`cannot write ${file}`);
    expect(r.code).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });

  it('does not pass KEYDEN_TOKEN to the git it asks whether -o FILE is ignored', async () => {
    const dir = tempDir();
    const bin = tempDir('keyden-fake-git-');
    // A git that records the environment it was given.
    fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\nenv > "${dir}/git-env"\nexit 1\n`, { mode: 0o755 });
    const r = await run(['export', '--project', 'Blog Project', '-o', path.join(dir, '.env')], { env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` } });
    expect(r.code, r.stderr).toBe(0);
    const seen = fs.readFileSync(path.join(dir, 'git-env'), 'utf8');
    expect(seen).toContain(`KEYDEN_HOME=${owner.home}`);
    expect(seen).not.toContain('KEYDEN_TOKEN');
    expect(seen).not.toContain(owner.seeded.tokens.full);
    fs.rmSync(dir, { recursive: true });
    fs.rmSync(bin, { recursive: true });
  });

  it('says, by name only, what an overwrite with --force changed in an existing .env', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, 'OPENAI_API_KEY=sk-old-value\nLEFT_OVER=gone\n');
    const r = await run(['export', '--project', 'Blog Project', '-o', file, '--force']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`keyden: note: ${file}: added AWS_ACCESS_KEY_ID, AWS_REGION, AWS_SECRET_ACCESS_KEY, STRIPE_SECRET_KEY; changed OPENAI_API_KEY; removed LEFT_OVER\n`);
    expect(r.stderr).not.toContain('sk-old-value');
    expect(r.stderr).not.toContain('sk-dev-1234');
    fs.rmSync(dir, { recursive: true });
  });

  it('warns when the file it writes is in a git repository and not ignored, and not once it is', async () => {
    const dir = tempDir();
    execFileSync('git', ['init', '-q', dir]);
    const file = path.join(dir, '.env');
    const unignored = await run(['export', '--project', 'Blog Project', '-o', file]);
    expect(unignored.code).toBe(0);
    expect(unignored.stderr).toContain('is in a git repository and not ignored');
    fs.writeFileSync(path.join(dir, '.gitignore'), '.env\n');
    const ignored = await run(['export', '--project', 'Blog Project', '-o', file, '--force']);
    expect(ignored.stderr).not.toContain('not ignored');
    const outside = tempDir();
    const quiet = await run(['export', '--project', 'Blog Project', '-o', path.join(outside, '.env')]);
    expect(quiet.stderr).not.toContain('git');
    fs.rmSync(dir, { recursive: true });
    fs.rmSync(outside, { recursive: true });
  });

  it("asks git whether the file is ignored without running a command that the folder's .git/config names (core.fsmonitor, say from an unpacked archive)", async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'ran');
    execFileSync('git', ['init', '-q', dir]);
    fs.writeFileSync(path.join(dir, 'f'), 'a');
    execFileSync('git', ['-C', dir, 'add', 'f']);
    execFileSync('git', ['-C', dir, 'config', 'core.fsmonitor', `touch ${marker}; false`]);
    const r = await run(['export', '--project', 'Blog Project', '-o', path.join(dir, '.env')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('is in a git repository and not ignored');
    expect(fs.existsSync(marker)).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });

  it('exits 1 when the format cannot hold a value exactly, naming the variable but not the value', async () => {
    const r = await run(['export', '--project', 'Unwritable']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('GETTER');
    expect(r.stderr).not.toContain('backslash');
    const file = path.join(owner.home, 'unwritable.env');
    expect((await run(['export', '--project', 'Unwritable', '-o', file])).code).toBe(1);
    expect(fs.existsSync(file)).toBe(false);
    expect((await run(['export', '--project', 'Unwritable', '--format', 'shell'])).code).toBe(0);
  });

  it('exits 6 on an export conflict, 3 for an unknown project and 4 without entries:reveal', async () => {
    const clash = await run(['export', '--project', 'Clash']);
    expect(clash.code).toBe(6);
    expect(clash.stdout).toBe('');
    expect((await run(['export', '--project', 'Nobody'])).code).toBe(3);
    expect((await run(['export', '--project', 'Blog Project'], { env: { KEYDEN_TOKEN: owner.seeded.tokens.readOnly } })).code).toBe(4);
    expect((await run(['export', '--project', 'Blog Project', '--format', 'yaml'])).code).toBe(2);
  });
});

describe('keyden run', () => {
  const printEnv = `process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('NASTY_') || k === 'KEYDEN_TOKEN' || k === 'OUTER'))))`;

  it('gives the child the exact variables, without KEYDEN_TOKEN, and leaves no file behind', async () => {
    const cwd = tempDir();
    const before = listTree(owner.home);
    const r = await run(['run', '--project', 'Nasty', '--', process.execPath, '-e', printEnv], { cwd, env: { OUTER: 'kept' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ...NASTY, OUTER: 'kept' });
    expect(fs.readdirSync(cwd)).toEqual([]);
    expect(listTree(owner.home)).toEqual(before);
    fs.rmSync(cwd, { recursive: true });
  });

  it('refuses to run a command when a value holds a NUL byte, naming the variable, without starting it', async () => {
    expect((await run(['add', '--category', 'OpenAI', '--project', 'Nulled'], { input: 'sk-a\0b' })).code).toBe(0);
    const marker = path.join(owner.home, 'nul-started');
    const r = await run(['run', '--project', 'Nulled', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('keyden: the value of OPENAI_API_KEY holds a NUL byte, which an environment variable cannot; nothing was run\n');
    expect(fs.existsSync(marker)).toBe(false);
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
      const child = spawnKeyden(owner.home, ['run', '--project', 'Blog Project', '--', process.execPath, '-e', script], { env: { KEYDEN_TOKEN: owner.seeded.tokens.full } });
      const done = collect(child);
      await new Promise<void>((resolve) => child.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve()));
      child.kill(signal);
      const r = await done;
      expect(r.code).toBe(expected);
      if (signal === 'SIGTERM') expect(r.stdout).toContain('got SIGTERM');
    }
  });

  it('with --masking conceals every injected value in the output, even one written in two parts', async () => {
    const script = [
      "const k = process.env.OPENAI_API_KEY;",
      "process.stdout.write('key=' + k + ' done\\n');",
      "process.stderr.write('err ' + process.env.AWS_SECRET_ACCESS_KEY + '\\n');",
      "process.stdout.write('split=' + k.slice(0, 5));",
      "setTimeout(() => process.stdout.write(k.slice(5) + ' end\\n'), 5);",
    ].join(' ');
    const r = await run(['run', '--masking', '--project', 'Blog Project', '--', process.execPath, '-e', script]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('key=<concealed by keyden> done\nsplit=<concealed by keyden> end\n');
    expect(r.stderr).toBe('err <concealed by keyden>\n');
  });

  it('passes output through untouched when stdout is not a terminal, or with --no-masking', async () => {
    const script = "process.stdout.write(process.env.OPENAI_API_KEY)";
    for (const extra of [[], ['--no-masking']]) {
      const r = await run(['run', ...extra, '--project', 'Blog Project', '--', process.execPath, '-e', script]);
      expect(r.stdout).toBe('sk-dev-1234');
    }
  });

  it('exits 127 for a command that does not exist and 2 without a command', async () => {
    expect((await run(['run', '--project', 'Blog Project', '--', 'no-such-command-xyz'])).code).toBe(127);
    expect((await run(['run', '--project', 'Blog Project'])).code).toBe(2);
  });
});

describe('every failure above', () => {
  it('was one plain line without a stack trace, and no secret leaked', () => expectCleanOutputs(owner.outputs));
});

function listTree(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => !p.startsWith('vault.db'))
    .sort();
}

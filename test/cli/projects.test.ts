// DESIGN §9 from the real `keyden` bin against a real `keyden serve`: variable refs and shared
// variables, unknown environments, the trash, project and environment commands, promote,
// templates, history, categories, JSON and shell imports, audit filters and --help examples.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanOutputs, useOwner } from './fixture.js';
import { CHEAP_BIN, CHEAP_KDF, keyden, PASSWORD, tempDir } from './helpers.js';
import { CLI, openKeydenCore } from '../../src/main/core/index.js';
import { PRESETS } from '../../src/shared/presets.js';

const owner = useOwner();
const { run } = owner;

const oneLine = (stderr: string): void => {
  expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
  expect(stderr).toMatch(/^keyden: /);
};

describe('variable refs and shared variables', () => {
  it('gets, sets and removes by variable name, the environment’s own entry winning over the shared * one', async () => {
    expect((await run(['import', '-', '--project', 'Shared', '--env', '*'], { input: 'LOG_LEVEL=info\n' })).code).toBe(0);
    expect((await run(['import', '-', '--project', 'Shared', '--env', 'development'], { input: 'OTHER=1\n' })).code).toBe(0);
    expect((await run(['get', 'LOG_LEVEL', '--project', 'shared', '--env', 'production'])).stdout).toBe('info\n');
    expect((await run(['import', '-', '--project', 'Shared', '--env', 'production'], { input: 'LOG_LEVEL=warn\n' })).code).toBe(0);
    expect((await run(['get', 'LOG_LEVEL', '--project', 'Shared', '--env', 'production'])).stdout).toBe('warn\n');
    expect((await run(['get', 'LOG_LEVEL', '--project', 'Shared', '--env', 'development'])).stdout).toBe('info\n');
    const ambiguous = await run(['get', 'LOG_LEVEL', '--project', 'Shared']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('Variables/Shared/*, Variables/Shared/production');
    expect((await run(['set', 'LOG_LEVEL', '--project', 'Shared', '--env', 'production'], { input: 'error\n' })).code).toBe(0);
    expect((await run(['get', 'LOG_LEVEL', '--project', 'Shared', '--env', 'production'])).stdout).toBe('error\n');
    expect((await run(['rm', 'LOG_LEVEL', '--project', 'Shared', '--env', 'production', '--yes'])).code).toBe(0);
    expect((await run(['get', 'LOG_LEVEL', '--project', 'Shared', '--env', 'production'])).stdout).toBe('info\n');
    const exported = await run(['export', '--project', 'Shared', '--env', 'development']);
    expect(exported.stdout).toContain('# shared by every environment (*): LOG_LEVEL\n');
    expect(exported.stdout).toContain('LOG_LEVEL=info\nOTHER=1\n');
    const missing = await run(['get', 'NOPE_VAR', '--project', 'Shared']);
    expect(missing.code).toBe(3);
    oneLine(missing.stderr);
    expect((await run(['get', 'OPENAI_API_KEY', '--project', 'Blog Project', '--env', 'production'])).stdout).toBe('sk-prod-5678\n');
    expect((await run(['add', '--category', 'Variables', '--env-var', 'FEATURE_FLAG', '--project', 'Shared', '--env', '*'], { input: 'on\n' })).code).toBe(0);
    expect((await run(['get', 'FEATURE_FLAG', '--project', 'Shared', '--env', 'staging'])).stdout).toBe('on\n');
    expect((await run(['add', '--category', 'Variables', '--project', 'Shared'], { input: 'x' })).code).toBe(2);
    const template = 'level: {{ keyden://Shared/production/LOG_LEVEL }}, key: {{ keyden://Blog Project/production/OPENAI_API_KEY }}, region: {{ keyden://Blog Project/development/AWS_REGION }}\n';
    expect((await run(['inject', '-i', '-'], { input: template })).stdout).toBe('level: info, key: sk-prod-5678, region: eu-west-1\n');
    expect((await run(['get', 'OPENAI_API_KEY', '--env', 'production'])).code).toBe(2);
  });

  it('exits 3 naming the environments that exist for a misspelled --env in export, run and validate', async () => {
    for (const args of [
      ['export', '--project', 'Blog Project', '--env', 'prodction'],
      ['run', '--project', 'Blog Project', '--env', 'prodction', '--', 'true'],
      ['validate', '--project', 'Blog Project', '--env', 'prodction'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(3);
      oneLine(r.stderr);
      expect(r.stderr).toContain('development, production');
      expect(r.stdout).toBe('');
    }
  });

  it('shows a limited token only its project, and the environments available to it', async () => {
    const env = { KEYDEN_TOKEN: owner.seeded.tokens.blogOnly };
    const projects = await run(['projects', '--json'], { env });
    expect((JSON.parse(projects.stdout) as { name: string }[]).map((p) => p.name)).toEqual(['Blog Project']);
    const outside = await run(['export', '--project', 'Blog Project', '--env', 'production'], { env });
    expect(outside.code).toBe(3);
    expect(outside.stderr).toContain('available to this token: development');
    expect((await run(['validate', '--project', 'Shared', '--env', 'development'], { env })).code).toBe(3);
  });
});

describe('the trash and history', () => {
  it('moves rm to the trash, restores it, and purges', async () => {
    expect((await run(['add', '--category', 'Stripe', '--project', 'Bin'], { input: 'sk_bin' })).code).toBe(0);
    expect((await run(['rm', 'Stripe/Bin', '--yes'])).code).toBe(0);
    expect((await run(['get', 'Stripe/Bin'])).code).toBe(3);
    const items = JSON.parse((await run(['trash', '--json'])).stdout) as { id: string; name: string }[];
    const item = items.find((t) => t.name === 'Bin')!;
    expect((await run(['trash'])).stdout).toContain(`Stripe/Bin/development\t\t`);
    expect((await run(['add', '--category', 'Stripe', '--project', 'Bin'], { input: 'sk_new' })).code).toBe(0);
    const clash = await run(['restore', item.id]);
    expect(clash.code).toBe(6);
    expect(clash.stderr).toContain('Stripe/Bin/development');
    expect((await run(['restore', item.id, '--replace'])).code).toBe(0);
    expect((await run(['get', 'Stripe/Bin'])).stdout).toBe('sk_bin\n');
    expect((await run(['purge'])).code).toBe(2);
    expect((await run(['purge', '--all'])).code).toBe(0);
    expect(JSON.parse((await run(['trash', '--json'])).stdout)).toEqual([]);
  });

  it('lists, reads, restores and purges previous values', async () => {
    expect((await run(['add', '--category', 'Stripe', '--project', 'Hist'], { input: 'v1' })).code).toBe(0);
    for (const v of ['v2', 'v3']) expect((await run(['set', 'STRIPE_SECRET_KEY', '--project', 'Hist', '--env', 'development'], { input: v })).code).toBe(0);
    const versions = JSON.parse((await run(['history', 'Stripe/Hist', '--json'])).stdout) as { version: number }[];
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect((await run(['get', 'Stripe/Hist', '--version', '1'])).stdout).toBe('v1\n');
    expect((await run(['restore', 'Stripe/Hist', '--version', '1'])).code).toBe(0);
    expect((await run(['get', 'Stripe/Hist'])).stdout).toBe('v1\n');
    expect((await run(['history', 'Stripe/Hist', '--purge', '--version', '2'])).code).toBe(0);
    expect((await run(['history', 'Stripe/Hist', '--purge'])).stdout).toBe('Deleted 2 previous values of Stripe/Hist/development\n');
    expect((await run(['history', 'Stripe/Hist'])).stdout).toBe('Stripe/Hist/development has no previous values\n');
    expect((await run(['get', 'Stripe/Hist', '--version', '1'])).code).toBe(3);
  });
});

describe('projects, environments, promote and templates', () => {
  it('renames, describes and deletes projects and environments', async () => {
    await run(['import', '-', '--project', 'Renamed', '--env', 'stage'], { input: 'R_ONE=1\nR_TWO=2\n' });
    const taken = await run(['project', 'rename', 'Renamed', 'blog project']);
    expect(taken.code).toBe(6);
    expect(taken.stderr).toContain('Blog Project');
    expect((await run(['project', 'rename', 'Renamed', 'Renamed Two'])).code).toBe(0);
    expect((await run(['env', 'rename', '--project', 'Renamed Two', 'stage', 'staging'])).code).toBe(0);
    expect((await run(['get', 'R_ONE', '--project', 'Renamed Two', '--env', 'staging'])).stdout).toBe('1\n');
    expect((await run(['project', 'describe', 'Renamed Two', '--description', 'a test', '--envs', 'production'])).code).toBe(0);
    const listed = JSON.parse((await run(['projects', '--search', 'renamed', '--json'])).stdout) as unknown[];
    expect(listed).toEqual([{ name: 'Renamed Two', description: 'a test', environments: { staging: 2, production: 0 }, entryCount: 2, template: [] }]);
    expect((await run(['env', 'rm', '--project', 'Renamed Two', 'staging'], { input: 'n\n' })).code).toBe(1);
    expect((await run(['env', 'rm', '--project', 'Renamed Two', 'staging', '--yes'])).stdout).toBe('Moved 2 entries of Renamed Two/staging to the trash (keyden trash)\n');
    expect((await run(['project', 'rm', 'Renamed Two', '--yes'])).code).toBe(0);
    expect((await run(['projects', '--search', 'renamed', '--json'])).stdout).toBe('[]\n');
  });

  it('promotes with a dry run that names variables, never values', async () => {
    await run(['import', '-', '--project', 'Promo', '--env', 'staging'], { input: 'P_A=secret-a\nP_B=secret-b\n' });
    await run(['import', '-', '--project', 'Promo', '--env', 'production'], { input: 'P_B=prod-b\n' });
    const dry = await run(['promote', '--project', 'Promo', '--from', 'staging', '--to', 'production', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe('Would copy Promo staging → production:\n  added: P_A\n  skipped: P_B\n  (skipped: the target has its own value; --overwrite replaces it)\n');
    expect((await run(['get', 'P_A', '--project', 'Promo', '--env', 'production'])).code).toBe(3);
    expect((await run(['promote', '--project', 'Promo', '--from', 'staging', '--to', 'production', '--only', 'P_B', '--overwrite'])).code).toBe(0);
    expect((await run(['get', 'P_B', '--project', 'Promo', '--env', 'production'])).stdout).toBe('secret-b\n');
    const same = await run(['promote', '--project', 'Promo', '--from', 'staging', '--to', 'staging']);
    expect(same.code).toBe(2);
    oneLine(same.stderr);
  });

  it('sets a template and validates environments against it (exit 1 when anything is missing)', async () => {
    await run(['import', '-', '--project', 'Tpl', '--env', 'production'], { input: 'T_ONE=1\n' });
    expect((await run(['template', 'set', 'Tpl', 'T_ONE', 'bad-name'])).code).toBe(2);
    expect((await run(['template', 'set', 'Tpl', 'T_ONE', 'T_TWO'])).stdout).toBe('Tpl requires T_ONE, T_TWO\n');
    const missing = await run(['validate', '--project', 'Tpl', '--env', 'production']);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'keyden: Tpl/production is missing: T_TWO\n' });
    await run(['import', '-', '--project', 'Tpl', '--env', '*'], { input: 'T_TWO=2\n' });
    expect(await run(['validate', '--project', 'Tpl', '--env', 'production'])).toMatchObject({ code: 0, stdout: 'Tpl/production: all 2 required variables are set\n' });
  });
});

describe('categories from the CLI', () => {
  it('adds, renames and removes categories; a claimed variable exits 6 naming its category', async () => {
    expect((await run(['category', 'add', 'OpenAI API', '--env-var', 'OPENAI_API_KEY'])).code).toBe(6);
    expect((await run(['category', 'add', 'OpenAI API', '--env-var', 'OPENAI_API_KEY'])).stderr).toContain('"OpenAI"');
    expect((await run(['category', 'add', 'Mailgun', '--fields', 'MAILGUN_API_KEY,MAILGUN_DOMAIN'])).code).toBe(0);
    expect((await run(['category', 'add', 'Both', '--env-var', 'X', '--fields', 'Y'])).code).toBe(2);
    expect((await run(['category', 'rename', 'mailgun', 'Mailgun EU'])).code).toBe(0);
    await run(['add', '--category', 'Mailgun EU', '--project', 'Mail'], { input: '{"MAILGUN_API_KEY":"k","MAILGUN_DOMAIN":"d"}' });
    expect((await run(['category', 'rm', 'Mailgun EU'])).code).toBe(6);
    expect((await run(['category', 'rm', 'Mailgun EU', '--cascade', '--yes'])).code).toBe(0);
    const trashed = JSON.parse((await run(['trash', '--json'])).stdout) as { name: string; categoryName: string }[];
    expect(trashed.find((t) => t.name === 'Mail')).toMatchObject({ categoryName: 'Mailgun EU' });
  });
});

describe('group fields from the CLI (issue 14 item 18)', () => {
  it('adds a field that entries then hold empty, which validate names; removing a used field needs --force', async () => {
    expect((await run(['category', 'add', 'Supa', '--fields', 'SUPA_URL,SUPA_ANON'])).code).toBe(0);
    expect((await run(['add', '--category', 'Supa', '--project', 'Fields', '--env', 'production'], { input: '{"SUPA_URL":"https://x","SUPA_ANON":"anon"}' })).code).toBe(0);
    const added = await run(['category', 'fields', 'Supa', '--add', 'SUPA_SERVICE']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe('Supa now has SUPA_URL, SUPA_ANON, SUPA_SERVICE (SUPA_SERVICE empty in its entries until set)\n');
    expect((await run(['export', '--project', 'Fields', '--env', 'production', '--format', 'json'])).stdout).toContain('"SUPA_SERVICE": ""');
    const validated = await run(['validate', '--project', 'Fields', '--env', 'production']);
    expect(validated.code).toBe(0);
    expect(validated.stderr).toBe('keyden: Fields/production has empty values: SUPA_SERVICE\n');
    const refused = await run(['category', 'fields', 'Supa', '--remove', 'SUPA_ANON']);
    expect(refused.code).toBe(6);
    oneLine(refused.stderr);
    expect(refused.stderr).toContain('removing SUPA_ANON from "Supa" drops its value from 1 entry; add --force');
    expect((await run(['get', 'Supa/Fields/production', '--field', 'SUPA_ANON'])).stdout).toBe('anon\n');
    expect((await run(['category', 'fields', 'Supa', '--remove', 'SUPA_ANON', '--force'])).code).toBe(0);
    expect((await run(['get', 'Supa/Fields/production', '--version', '1', '--field', 'SUPA_ANON'])).stdout).toBe('anon\n');
    expect((await run(['category', 'fields', 'Supa', '--remove', 'NOPE'])).stderr).toBe('keyden: Supa has no field NOPE (its fields: SUPA_URL, SUPA_SERVICE)\n');
  });

  it("says a group value's missing fields once, in one sentence", async () => {
    expect((await run(['category', 'add', 'Pair', '--fields', 'PAIR_A,PAIR_B,PAIR_C'])).code).toBe(0);
    const r = await run(['add', '--category', 'Pair', '--project', 'Fields'], { input: '{"PAIR_A":"a","PAIR_X":"x"}' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('keyden: a "Pair" value needs each of its fields: missing PAIR_B, PAIR_C; PAIR_X is not one of its fields (PAIR_A, PAIR_B, PAIR_C)\n');
  });
});

describe('init --presets', () => {
  it("creates a vault with the app's preset categories", async () => {
    const home = tempDir();
    try {
      const init = await keyden(home, ['init', '--presets', '--password-stdin'], { bin: CHEAP_BIN, input: `${PASSWORD}\n` });
      expect(init.code, init.stderr).toBe(0);
      expect(init.stdout).toContain(`Created a vault with ${PRESETS.length} preset categories`);
      const core = openKeydenCore({ vaultPath: path.join(home, 'vault.db'), role: 'admin', unsafeTestKdf: CHEAP_KDF });
      try {
        await core.vault.unlock(CLI, PASSWORD);
        expect(core.categories.list().map((c) => c.name).sort()).toEqual(PRESETS.map((p) => p.name).sort());
      } finally {
        core.close();
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('imports', () => {
  it('imports JSON by extension and refuses nested objects (exit 2, nothing stored)', async () => {
    const file = path.join(owner.home, 'vars.json');
    fs.writeFileSync(file, JSON.stringify({ J_ONE: 'x', J_TWO: { value: 'y', notes: 'n' } }));
    expect((await run(['import', file, '--project', 'JsonImp'])).stdout).toBe('Imported 2, updated 0, skipped 0, failed 0\n');
    fs.writeFileSync(file, JSON.stringify({ J_THREE: 'x', J_NESTED: { a: { b: 'c' } } }));
    const nested = await run(['import', file, '--project', 'JsonNested']);
    expect(nested.code).toBe(2);
    oneLine(nested.stderr);
    expect(nested.stderr).toContain('{"VAR": {"value": "…", "notes": "…"}}');
    expect((await run(['list', '--project', 'JsonNested', '--json'])).stdout).toBe('[]\n');
    fs.rmSync(file);
  });

  it('warns about what dotenv drops and exits 1 for a non-empty file without any variable', async () => {
    const r = await run(['import', '-', '--project', 'Warned'], { input: 'GOOD=1\njunk line\nDB=postgres://u:p%40ss#word@h\n' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('keyden: warning: DB (line 3): `#` started a comment; quote the value if it belongs to it\nkeyden: warning: ignored line 2 (no `=`)\n');
    const none = await run(['import', '-', '--project', 'Warned'], { input: 'just some text\n' });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('keyden: no variables found in stdin: ignored line 1 (no `=`)\n');
  });

  it("reads back its own shell export exactly (it's stays it's)", async () => {
    await run(['import', '-', '--project', 'ShellSrc', '--format', 'json'], { input: JSON.stringify({ QUOTE: "it's", MULTI: 'a\nb', DOLLAR: '$x `y`' }) });
    const shell = await run(['export', '--project', 'ShellSrc', '--format', 'shell']);
    expect((await run(['import', '-', '--project', 'ShellDst'], { input: shell.stdout })).code).toBe(0);
    expect((await run(['get', 'QUOTE', '--project', 'ShellDst'])).stdout).toBe("it's\n");
    expect((await run(['export', '--project', 'ShellDst', '--format', 'json'])).stdout).toBe((await run(['export', '--project', 'ShellSrc', '--format', 'json'])).stdout);
  });
});

describe('audit filters and help', () => {
  it('filters the audit log by action, target and time', async () => {
    const events = JSON.parse((await run(['audit', '--action', 'project.copy', '--json'])).stdout) as { action: string }[];
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.action === 'project.copy')).toBe(true);
    expect(JSON.parse((await run(['audit', '--to', '2000-01-01', '--json'])).stdout)).toEqual([]);
    expect((await run(['audit', '--from', 'yesterday'])).code).toBe(2);
  });

  it('shows examples in the help of every new command', async () => {
    for (const args of [['projects'], ['project', 'rename'], ['project', 'describe'], ['project', 'rm'], ['env', 'rename'], ['env', 'rm'], ['promote'], ['template', 'set'], ['validate'], ['trash'], ['restore'], ['purge'], ['history'], ['category', 'add'], ['category', 'rename'], ['category', 'fields'], ['category', 'rm']]) {
      const r = await run([...args, '--help']);
      expect(r.stdout, args.join(' ')).toContain('Examples:\n  $ keyden ');
    }
  });

  it('keeps every error one line without a secret', () => {
    expectCleanOutputs(owner.outputs);
  });
});

// A vault an earlier Keyden wrote with invisible and text-direction characters in its names,
// through the real `keyden` against a real `keyden serve`: tables, audit, JSON and errors show
// those characters escaped (`\u202E`), never raw, and the names can still be renamed.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renameInFile } from '../helpers/legacy-names.js';
import { ALL_SCOPES, ensureBuilt, keyden, PASSWORD, seedVault, serve, tempDir, type RunOptions, type SeedResult, type Serving } from './helpers.js';

const RAW = /[\u202E\u2066\u200B\n]/;
let home = '';
let seeded: SeedResult;
let server: Serving | undefined;

beforeAll(async () => {
  ensureBuilt();
  home = tempDir();
  seeded = await seedVault(home, {
    categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
    entries: [
      { key: 'blog', category: 'OpenAI', name: 'Blog', value: 'sk-blog-1234' },
      { key: 'shop', category: 'OpenAI', name: 'Shop', value: 'sk-shop-5678' },
    ],
    tokens: [{ key: 'full', scopes: ALL_SCOPES }, { key: 'deploy', scopes: ['entries:read'] }],
  });
  await renameInFile(seeded.vaultPath, PASSWORD, 'entries', 'Blog', 'Blog\u202Egol');
  await renameInFile(seeded.vaultPath, PASSWORD, 'categories', 'OpenAI', 'Open\u2066AI');
  await renameInFile(seeded.vaultPath, PASSWORD, 'tokens', 'deploy', 'de\u200Bploy');
  server = await serve(home);
}, 60_000);
afterAll(async () => {
  expect((await server?.stop())?.code).toBe(0);
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

const run = (args: string[], options: RunOptions = {}) => keyden(home, args, { ...options, env: { KEYDEN_TOKEN: seeded.tokens.full, ...options.env } });

describe('names from an older vault in the CLI\'s output', () => {
  it('are escaped in the projects, list and categories tables', async () => {
    const projects = await run(['projects']);
    expect(projects.code, projects.stderr).toBe(0);
    expect(projects.stdout).toContain('Blog\\u202Egol');
    const list = await run(['list']);
    expect(list.stdout).toContain('Open\\u2066AI/Blog\\u202Egol/development');
    const categories = await run(['categories']);
    expect(categories.stdout).toContain('Open\\u2066AI');
    for (const out of [projects.stdout, list.stdout, categories.stdout]) expect(out.replace(/\n/g, '')).not.toMatch(RAW);
  });

  it('are escaped in the audit table, the token\'s name included', async () => {
    expect((await run(['get', 'Open\u2066AI/Blog\u202Egol/development'])).code).toBe(0);
    const audit = await run(['audit', '--limit', '20']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toContain('Open\\u2066AI/Blog\\u202Egol/development');
    expect(audit.stdout).toMatch(/token\.create\tok\tde\\u200Bploy\n/);
    expect(audit.stdout.replace(/\n/g, '')).not.toMatch(RAW);
  });

  it('are written as \\u escapes in --json, which parses back to the stored name', async () => {
    const json = await run(['projects', '--json']);
    expect(json.stdout).toContain('"Blog\\u202Egol"');
    expect(json.stdout.replace(/\n/g, '')).not.toMatch(RAW);
    expect((JSON.parse(json.stdout) as { name: string }[]).map((p) => p.name)).toContain('Blog\u202Egol');
  });

  it('are escaped in an error line', async () => {
    const missing = await run(['get', 'Open\u2066AI/Blog\u202Egol/staging']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^keyden: .*Blog\\u202Egol/);
    expect(missing.stderr.replace(/\n$/, '')).not.toMatch(RAW);
  });

  it('refuses a new name holding such a character, naming the character, and renames the old one to a clean name', async () => {
    const refused = await run(['project', 'rename', 'Shop', 'Shop\u202Epohs']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('keyden: name contains an invisible or direction-changing character (U+202E), which a project name may not hold\n');
    const renamed = await run(['project', 'rename', 'Blog\u202Egol', 'Blog']);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toBe('Renamed Blog\\u202Egol to Blog\n');
    expect((await run(['projects'])).stdout).toMatch(/^Blog\t/m);
  });
});

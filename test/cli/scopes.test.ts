// `--scopes` for people (issue 14 item 10): an unknown scope is named with the valid ones before the
// password is asked for, and `all` means every scope.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/shared/model.js';
import { CHEAP_BIN, ensureBuilt, keyden, PASSWORD, seedVault, tempDir } from './helpers.js';

let home = '';
beforeAll(async () => {
  ensureBuilt();
  home = tempDir();
  await seedVault(home, {});
}, 120_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const cli = (args: string[]) => keyden(home, args, { bin: CHEAP_BIN, input: `${PASSWORD}\n` });

describe('keyden token create --scopes', () => {
  it('names a mistyped scope and lists the valid ones, in one line, exit 2', async () => {
    const r = await cli(['token', 'create', '--name', 'typo', '--scopes', 'entries:read,entries:red', '--password-stdin']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`keyden: unknown scope entries:red: use all, or some of ${SCOPES.join(', ')}\n`);
  });

  it('takes all for every scope', async () => {
    const r = await cli(['token', 'create', '--name', 'everything', '--scopes', 'all', '--password-stdin']);
    expect(r.code).toBe(0);
    const list = await cli(['token', 'list', '--json', '--password-stdin']);
    const made = (JSON.parse(list.stdout) as { name: string; scopes: string[] }[]).find((t) => t.name === 'everything');
    expect([...made!.scopes].sort()).toEqual([...SCOPES].sort());
  });
});

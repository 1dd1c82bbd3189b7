// A Keyden home that cannot hold a vault (issue 14, item 2): under /proc, a file instead of a
// folder, a folder that cannot be written. One line naming the folder and what is wrong, exit 1
// — and no spinning (a recursive mkdir under /proc never returns): each run is bounded below.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, keyden, tempDir } from './helpers.js';

describe('a KEYDEN_HOME that cannot hold a vault', () => {
  beforeAll(() => ensureBuilt());

  const scratch = tempDir();
  const file = path.join(scratch, 'a-file');
  fs.writeFileSync(file, 'not a folder');
  const cases: [string, string, string][] = [
    ['a folder under /proc', '/proc/keyden', 'cannot create /proc/keyden (ENOENT)'],
    ['an unwritable folder', '/proc/self', 'cannot write in it (ENOENT)'],
    ['a file', file, 'it is a file, not a folder'],
    ['a folder under a file', path.join(file, 'keyden'), `${file} is a file, not a folder`],
  ];
  const commands: [string, string[]][] = [
    ['init', ['init', '--password-stdin']],
    ['serve', ['serve', '--port', '0', '--password-stdin']],
    ['token create', ['token', 'create', '--name', 'x', '--scopes', 'entries:read', '--password-stdin']],
    ['passwd', ['passwd', '--password-stdin']],
  ];

  for (const [label, home, problem] of cases) {
    it(`says what is wrong with ${label} in one line and exits 1, for init, serve, token create and passwd`, async () => {
      for (const [name, args] of commands) {
        const r = await keyden(scratch, args, { env: { KEYDEN_HOME: home }, input: 'correct horse battery staple\ncorrect horse battery staple\n', timeoutMs: 10_000 });
        expect([name, r.code, r.stderr]).toEqual([name, 1, `keyden: the folder ${home} cannot hold Keyden's files: ${problem}\n`]);
        expect(r.stdout).toBe('');
      }
    });
  }
});

// Review 2: the CLI reading what it sends to the API without a bound (`keyden import /dev/zero`
// never finished, its memory growing).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyden, tempDir } from '../cli/helpers.js';
import { startOwner } from './helpers.js';

describe('the CLI reads at most what the API takes', () => {
  it('`keyden import /dev/zero` and `keyden inject -i /dev/zero` stop past 1 MiB with one line, and nothing is sent', async () => {
    const owner = await startOwner({ tokens: [{ key: 'rw', scopes: ['entries:read', 'entries:write', 'entries:reveal'] }] });
    const env = { KEYDEN_TOKEN: owner.tokens.rw! };
    const imported = await keyden(owner.home, ['import', '/dev/zero', '--project', 'alpha'], { env, timeoutMs: 15_000 });
    expect(imported.code).toBe(1);
    expect(imported.stderr).toBe('keyden: /dev/zero is larger than 1 MiB, the most the API takes; nothing was sent\n');
    // (`run --env-file` reads its files the same way; through this harness Node itself would parse
    // `--env-file`: docs/cli.md, "Why the bin's shebang is `env -S node --`".)
    const injected = await keyden(owner.home, ['inject', '-i', '/dev/zero'], { env, timeoutMs: 15_000 });
    expect(injected.code).toBe(1);
    expect(injected.stderr).toBe('keyden: /dev/zero is larger than 1 MiB, the most the API takes; nothing was sent\n');
    expect((await owner.request('GET', '/api/projects', { token: owner.tokens.rw })).json).toEqual([]);
  });

  it('still imports from a pipe given as a file (a FIFO, as `<(command)` makes)', async () => {
    const owner = await startOwner({ tokens: [{ key: 'rw', scopes: ['entries:read', 'entries:write'] }] });
    const fifo = path.join(tempDir('keyden-fifo-'), 'vars');
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [fifo]);
    const writer = new Promise<void>((resolve, reject) => fs.writeFile(fifo, 'FROM_A_PIPE=1\n', (e) => (e ? reject(e) : resolve())));
    const r = await keyden(owner.home, ['import', fifo, '--project', 'alpha'], { env: { KEYDEN_TOKEN: owner.tokens.rw! } });
    await writer;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Imported 1');
  });
});

// `keyden run --env-file FILE` through the real bin as a shell runs it (issue 14, item 3): Node
// ≥ 20.6 parses `--env-file` even after the script name, so the bin's shebang must keep Node from
// seeing it — run here through the shebang itself and through a global-style symlink on PATH.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, collect, ensureBuilt, seedVault, serve, tempDir, type RunResult, type Serving } from './helpers.js';

let home = '';
let token = '';
let owner: Serving | null = null;
let globalBin = '';

beforeAll(async () => {
  ensureBuilt();
  home = tempDir();
  const seeded = await seedVault(home, {
    categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
    entries: [{ key: 'openai', category: 'OpenAI', name: 'Blog', value: 'sk-from-the-vault' }],
    tokens: [{ key: 'full', scopes: ['entries:read', 'entries:reveal'] }],
  });
  token = seeded.tokens.full ?? '';
  owner = await serve(home);
  // What `npm i -g` makes: a `keyden` symlink to the package's bin in a folder on PATH.
  globalBin = tempDir('keyden-global-');
  fs.symlinkSync(BIN, path.join(globalBin, 'keyden'));
}, 60_000);

afterAll(async () => {
  await owner?.stop();
});

/** Runs `keyden` as a shell would: the file itself is executed (its shebang), not `node file`. */
function shellRun(command: string, args: string[]): Promise<RunResult> {
  const child = spawn(command, args, {
    cwd: home,
    env: { PATH: `${globalBin}:${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: home, KEYDEN_HOME: home, KEYDEN_TOKEN: token, LANG: 'C.UTF-8' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return collect(child);
}

describe('keyden run --env-file through the bin', () => {
  for (const [how, command] of [
    ['its shebang', () => BIN],
    ['a global symlink on PATH', () => 'keyden'],
  ] as const) {
    it(`reaches keyden through ${how}, as --env-file FILE and --env-file=FILE`, async () => {
      const file = path.join(home, '.env.keyden');
      // The file is for the child: had Node loaded it into keyden's own environment, this
      // KEYDEN_URL would send keyden to a closed port.
      fs.writeFileSync(file, 'GREETING=hello from the file\nOPENAI_API_KEY=keyden://OpenAI/Blog\nKEYDEN_URL=http://127.0.0.1:9\n');
      const show = ['--', 'sh', '-c', 'printf "%s|%s|%s\\n" "$GREETING" "$OPENAI_API_KEY" "$KEYDEN_URL"'];
      for (const args of [['run', '--env-file', file, ...show], ['run', `--env-file=${file}`, ...show]]) {
        const r = await shellRun(command(), args);
        expect([args[1], r.code, r.stderr]).toEqual([args[1], 0, '']);
        expect(r.stdout).toBe('hello from the file|sk-from-the-vault|http://127.0.0.1:9\n');
      }
    });

    it(`says "cannot read missing.env" and exits 1 through ${how}`, async () => {
      for (const option of [['--env-file', 'missing.env'], ['--env-file=missing.env']]) {
        const r = await shellRun(command(), ['run', ...option, '--', 'true']);
        expect([option, r.code, r.stderr]).toEqual([option, 1, 'keyden: cannot read missing.env: no such file\n']);
      }
    });
  }
});

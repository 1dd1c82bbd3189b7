// bin/keyden.cjs: a plain `keyden get` runs from the CommonJS bundle build/cli/fast.cjs, every
// other form through the full ESM CLI (build/cli/run.js), with the same output either way. Each
// path is shown on its own by a copy of the bin in a tree that holds only that half of build/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFast } from '../../src/cli/fast.js';
import { BIN, keydenWithoutReader, ROOT, tempDir } from './helpers.js';
import { GET_VALUES, useOwner } from './fixture.js';

const owner = useOwner();
const { run } = owner;
const NOT_BUILT = 'keyden: the CLI is not built: run `npm run build:node` in the repository\n';

/** A tree with bin/keyden.cjs and only the given files of build/cli (symlinks to the real build). */
function treeWith(files: string[]): string {
  const root = tempDir('keyden-bin-');
  fs.mkdirSync(path.join(root, 'bin'));
  fs.copyFileSync(BIN, path.join(root, 'bin/keyden.cjs'));
  fs.mkdirSync(path.join(root, 'build/cli'), { recursive: true });
  for (const f of files) fs.symlinkSync(path.join(ROOT, 'build/cli', f), path.join(root, 'build/cli', f));
  return root;
}

let bundleOnly = '';
let esmOnly = '';
beforeAll(() => {
  bundleOnly = treeWith(['fast.cjs']);
  esmOnly = treeWith(['run.js']);
});
afterAll(() => {
  for (const root of [bundleOnly, esmOnly]) if (root) fs.rmSync(root, { recursive: true, force: true });
});

const binIn = (root: string): string => path.join(root, 'bin/keyden.cjs');

/** The plain forms of get, answered and refused, by ref and by id. */
function plainGets(): string[][] {
  const id = owner.seeded.ids.openaiDev ?? '';
  return [
    ['get', 'OpenAI/Blog Project/development'],
    ['get', id],
    ['get', '-n', id],
    ['get', '--no-newline', 'getter/GET-pem'],
    ['get', 'OpenAI/Blog Project/production', '--json'],
    ['get', 'AWS/Blog Project', '--field', 'AWS_REGION'],
    ['get', '--field=AWS_SECRET_ACCESS_KEY', '--json', 'AWS/Blog Project'],
    ['get', 'AWS/Blog Project'],
    ['get', 'openai/blog project'],
    ['get', 'OpenAI/No Such Project'],
    ['get', 'just-one-part'],
  ];
}

describe('bin/keyden.cjs', () => {
  it('answers a plain get from the bundle alone: without build/cli/run.js it still prints each value exactly', async () => {
    const bin = binIn(bundleOnly);
    expect((await run(['get', 'OpenAI/Blog Project/development'], { bin })).stdout).toBe('sk-dev-1234\n');
    expect((await run(['get', owner.seeded.ids.openaiProd ?? ''], { bin })).stdout).toBe('sk-prod-5678\n');
    for (const [k, v] of Object.entries(GET_VALUES)) {
      expect((await run(['get', '-n', `Getter/get-${k}`], { bin })).stdoutBytes.equals(Buffer.from(v))).toBe(true);
    }
    expect(await run(['get', 'AWS/Blog Project', '--field', 'AWS_SECRET_ACCESS_KEY'], { bin })).toMatchObject({ code: 0, stdout: 'wJalr/secret\n', stderr: '' });
    expect(JSON.parse((await run(['get', 'AWS/Blog Project', '--json'], { bin })).stdout)).toMatchObject({ value: { AWS_REGION: 'eu-west-1' } });
  });

  it('gives the same exit code, stdout and stderr for every plain get as the full ESM CLI does', async () => {
    for (const args of plainGets()) {
      const fast = await run(args, { bin: binIn(bundleOnly) });
      const full = await run(args, { bin: binIn(esmOnly) });
      expect(fast, args.join(' ')).toEqual(full);
      expect(fast.stderr, args.join(' ')).not.toBe(NOT_BUILT);
    }
  });

  it('hands help, a missing ref, unknown options and other commands to the full CLI', async () => {
    for (const args of [['get', '--help'], ['get'], ['get', '--bogus', 'a/b'], ['get', 'a/b', 'c/d'], ['list']]) {
      expect(await run(args, { bin: binIn(bundleOnly) }), args.join(' ')).toMatchObject({ code: 1, stdout: '', stderr: NOT_BUILT });
    }
  });

  it("prints commander's usual help and usage errors for the forms the bundle leaves alone", async () => {
    const help = await run(['get', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: keyden get \[options\] <ref>\n/);
    expect(await run(['get'])).toMatchObject({ code: 2, stdout: '', stderr: "keyden: missing required argument 'ref'\n" });
    expect(await run(['get', '--bogus', 'a/b'])).toMatchObject({ code: 2, stdout: '', stderr: "keyden: unknown option '--bogus'\n" });
  });

  it('falls back to the full CLI when the bundle was never built', async () => {
    expect(await run(['get', 'OpenAI/Blog Project/development'], { bin: binIn(esmOnly) })).toMatchObject({ code: 0, stdout: 'sk-dev-1234\n', stderr: '' });
  });

  it('ends a plain get quietly with 141 when its reader has gone away, as the full CLI does', async () => {
    const args = ['get', 'OpenAI/Blog Project/development'];
    const env = { KEYDEN_TOKEN: owner.seeded.tokens.full };
    expect(await keydenWithoutReader(owner.home, args, { bin: binIn(bundleOnly), env })).toEqual({ code: 141, stderr: '' });
    expect(await keydenWithoutReader(owner.home, args, { bin: binIn(esmOnly), env })).toEqual({ code: 141, stderr: '' });
  });
});

describe('runFast', () => {
  it('returns false and installs nothing for any form but a plain get', () => {
    const listeners = process.listenerCount('uncaughtException');
    for (const args of [['list'], ['get'], ['get', '--help'], ['get', '-h', 'a/b'], ['get', '--bogus', 'a/b'], ['status', 'a/b'], []]) {
      expect(runFast(['node', 'keyden', ...args]), args.join(' ')).toBe(false);
    }
    expect(process.listenerCount('uncaughtException')).toBe(listeners);
  });
});

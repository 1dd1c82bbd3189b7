// known-vaults.json (DESIGN §3 "Rollback of the whole file") is read, changed and written again by
// every Keyden process that opens a vault: the app, `keyden serve`, each admin command. Processes
// that record at the same moment must not lose one another's entries: a lost entry is a rollback
// this machine no longer detects.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, tempDir } from '../cli/helpers.js';

beforeAll(() => ensureBuilt(), 120_000);

const MODULE = pathToFileURL(path.join(ROOT, 'build/main/store/known-vaults.js')).href;

/** One process: records `count` generations, as `keyden` processes do after an unlock or a write. */
const WRITER = `
import { KnownVaults } from ${JSON.stringify(MODULE)};
const [file, who, count, mode] = process.argv.slice(2);
const kv = new KnownVaults(file);
const key = new Uint8Array(32).fill(7);
for (let n = 1; n <= Number(count); n++) {
  if (mode === 'own') kv.record(key, (who + '-' + String(n).padStart(4, '0')).padEnd(32, '0'), n);
  else if (who !== '0') kv.record(key, 'shared'.padEnd(32, '0'), n);
}
if (mode === 'shared' && who === '0') {
  // Once the others are under way (bounded wait), one record far above theirs.
  const until = Date.now() + 10_000;
  while ((kv.known(key, 'shared'.padEnd(32, '0')) ?? 0) < 20 && Date.now() < until);
  kv.record(key, 'shared'.padEnd(32, '0'), 1000);
}
`;

/** Runs `writers` processes recording at once into a new known-vaults.json: the folder, the file and their exit codes. */
async function runWriters(mode: 'own' | 'shared', writers: number, count: number): Promise<{ dir: string; file: string; codes: number[] }> {
  const dir = tempDir('keyden-known-');
  const script = path.join(dir, 'writer.mjs');
  fs.writeFileSync(script, WRITER);
  const file = path.join(dir, 'known-vaults.json');
  const codes = await Promise.all(
    Array.from({ length: writers }, (_, who) =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [script, file, String(who), String(count), mode], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('exit', (code) => resolve(code ?? -1));
      }),
    ),
  );
  return { dir, file, codes };
}

describe('known-vaults.json written by several processes at once', () => {
  it('keeps every entry that four processes record at the same time', async () => {
    const { dir, file, codes } = await runWriters('own', 4, 60);
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')) as object)).toHaveLength(240);
    expect(fs.readdirSync(dir).sort()).toEqual(['known-vaults.json', 'writer.mjs']); // no lock or temporary file left
  }, 60_000);

  it('never lowers the generation of a vault that several processes record at once', async () => {
    // Three processes record generations 1 to 200; a fourth records 1 000 once, when they are at 20 or so.
    const { file, codes } = await runWriters('shared', 4, 200);
    expect(codes).toEqual([0, 0, 0, 0]);
    const all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { generation: number }>;
    expect(all['shared'.padEnd(32, '0')]!.generation).toBe(1000);
  }, 60_000);
});

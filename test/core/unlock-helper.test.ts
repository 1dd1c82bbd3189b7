// A large vault's overviews are opened on two threads at unlock (crypto/open-helper.ts). The
// helper thread runs the compiled aead.js, so this test unlocks through the built core (as
// `keyden serve` does) and compares it with the sources' core, which opens on one thread only.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APP, CLI, openKeydenCore } from '../../src/main/core/index.js';
import { HELPER_MIN_BLOBS } from '../../src/main/crypto/open-helper.js';
import { ensureBuilt } from '../cli/helpers.js';
import { PASSWORD, TEST_KDF, tempDir } from '../helpers/core.js';
import { remacVault } from '../helpers/remac.js';

type CoreModule = typeof import('../../src/main/core/index.js');
let built: CoreModule;
let builtHelper: typeof import('../../src/main/crypto/open-helper.js');
const dirs: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  built = (await import(pathToFileURL(path.resolve('build/main/core/index.js')).href)) as CoreModule;
  builtHelper = (await import(pathToFileURL(path.resolve('build/main/crypto/open-helper.js')).href)) as typeof builtHelper;
}, 120_000);
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A closed vault of `count` entries over three projects and two environments. */
async function largeVault(count: number): Promise<string> {
  const dir = tempDir();
  dirs.push(dir);
  const vaultPath = path.join(dir, 'vault.db');
  const core = openKeydenCore({ vaultPath, unsafeTestKdf: TEST_KDF });
  await core.vault.create(CLI, PASSWORD);
  const perFile = Math.ceil(count / 6);
  let made = 0;
  for (const project of ['Blog', 'Shop', 'Docs']) {
    for (const environment of ['development', 'production']) {
      const lines = Array.from({ length: Math.min(perFile, count - made) }, (_, i) => `VAR_${project.toUpperCase()}_${i}=sk-${project}-${environment}-${i}`);
      made += lines.length;
      core.projects.importEnv(CLI, project, environment, lines.join('\n'), 'upsert');
    }
  }
  core.close();
  return vaultPath;
}

async function unlockedList(module: CoreModule, vaultPath: string, wrongFirst = false) {
  const core = module.openKeydenCore({ vaultPath, unsafeTestKdf: TEST_KDF });
  try {
    if (wrongFirst) await expect(core.vault.unlock(APP, 'not the password')).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
    await core.vault.unlock(APP, PASSWORD);
    return core.entries.list(APP);
  } finally {
    core.close();
  }
}

describe('unlocking a large vault on two threads', () => {
  it('yields exactly the overviews a one-thread unlock does', async () => {
    const vaultPath = await largeVault(HELPER_MIN_BLOBS + 1200);
    const twoThreads = await unlockedList(built, vaultPath);
    const oneThread = await unlockedList({ openKeydenCore } as CoreModule, vaultPath);
    expect(twoThreads.total).toBe(HELPER_MIN_BLOBS + 1200);
    expect(twoThreads).toEqual(oneThread);
    // The helper thread did open some of them (a cold thread may leave all to this one: a few tries).
    const before = builtHelper.helperChunksOpened();
    for (let i = 0; i < 5 && builtHelper.helperChunksOpened() === before; i++) expect(await unlockedList(built, vaultPath)).toEqual(oneThread);
    expect(builtHelper.helperChunksOpened()).toBeGreaterThan(before);
  });

  it('leaves out, on either thread, every entry whose overview was moved to another row', async () => {
    const vaultPath = await largeVault(HELPER_MIN_BLOBS + 1200);
    const db = new Database(vaultPath);
    const ids = (db.prepare('SELECT id FROM entries ORDER BY rowid').pluck().all() as string[]).filter((_, i) => i % 400 === 7);
    // Each chosen row gets its neighbour's sealed overview: its AAD names the other row.
    for (const id of ids) db.prepare('UPDATE entries SET overview = (SELECT overview FROM entries WHERE rowid = (SELECT rowid + 1 FROM entries WHERE id = ?)) WHERE id = ?').run(id, id);
    db.close();
    // As if by someone holding the key: the macs pass, so only the AAD check is left to catch it.
    await remacVault(vaultPath, PASSWORD);
    const twoThreads = await unlockedList(built, vaultPath);
    expect(twoThreads.total).toBe(HELPER_MIN_BLOBS + 1200 - ids.length);
    expect(twoThreads.items.some((e) => ids.includes(e.id))).toBe(false);
  });

  it('unlocks with every entry after a wrong password dropped the first job', async () => {
    const vaultPath = await largeVault(HELPER_MIN_BLOBS + 10);
    expect((await unlockedList(built, vaultPath, true)).total).toBe(HELPER_MIN_BLOBS + 10);
  });
});

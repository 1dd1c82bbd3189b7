// kill -9 in the middle of the two whole-vault rewrites of format 2: the 1 → 2 migration and a
// key rotation. Each is one transaction: afterwards the file is wholly before or wholly after.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, openKeydenCore } from '../../src/main/core/index.js';
import { CHEAP_BIN, CHEAP_KDF, ensureBuilt, PASSWORD, seedVault, tempDir } from '../cli/helpers.js';
import { copyFormat1Fixture, FORMAT_1_FIXTURE } from '../helpers/core.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});
beforeAll(() => ensureBuilt(), 120_000);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the CLI with `args` and the password on stdin, and kills it (SIGKILL) `delayMs` after its
 * write-ahead log first grows, or when it exits by itself. Resolves with how it ended.
 */
async function killMidWrite(home: string, vaultPath: string, args: string[], delayMs: number): Promise<'killed' | 'finished'> {
  const wal = `${vaultPath}-wal`;
  const walSize = (): number => (fs.existsSync(wal) ? fs.statSync(wal).size : 0);
  const before = walSize();
  const child = spawn(process.execPath, [CHEAP_BIN, ...args], { env: { ...process.env, KEYDEN_HOME: home }, stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin!.end(`${PASSWORD}\n`);
  let exited = false;
  const done = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const deadline = Date.now() + 15_000;
  while (!exited && walSize() <= before && Date.now() < deadline) await sleep(1);
  if (!exited) {
    await sleep(delayMs);
    child.kill('SIGKILL');
  }
  await done;
  return child.signalCode === 'SIGKILL' ? 'killed' : 'finished';
}

function readState(vaultPath: string): { userVersion: number; format: string; hasIntegrity: boolean; wrappedKey: string } {
  const db = new Database(vaultPath, { readonly: true });
  try {
    return {
      userVersion: db.pragma('user_version', { simple: true }) as number,
      format: db.prepare("SELECT value FROM meta WHERE key = 'format'").pluck().get() as string,
      hasIntegrity: db.prepare("SELECT count(*) FROM meta WHERE key = 'integrity'").pluck().get() === 1,
      wrappedKey: db.prepare("SELECT value FROM meta WHERE key = 'wrapped_key'").pluck().get() as string,
    };
  } finally {
    db.close();
  }
}

describe('kill -9 during the format 1 → 2 migration', () => {
  it('leaves format 1 or format 2, never between, and the vault opens with every value', async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(FORMAT_1_FIXTURE, 'expected.json'), 'utf8')) as { password: string; entries: { blog: { id: string; value: string } } };
    expect(expected.password).toBe(PASSWORD);
    const outcomes: string[] = [];
    for (const delayMs of [0, 3, 10, 30]) {
      const { vaultPath } = copyFormat1Fixture();
      const home = path.dirname(vaultPath);
      // 40 000 more audit rows (format 1: no detail needed) make the migration long enough to interrupt.
      const db = new Database(vaultPath);
      db.transaction(() => {
        const add = db.prepare("INSERT INTO audit (at, actor, action, target_id, ok, detail) VALUES ('2026-01-01T00:00:00.000Z', 'cli', 'vault.lock', NULL, 1, NULL)");
        for (let i = 0; i < 40_000; i++) add.run();
      })();
      db.close();

      outcomes.push(await killMidWrite(home, vaultPath, ['serve', '--vault', vaultPath, '--port', '0', '--password-stdin'], delayMs));
      const state = readState(vaultPath);
      expect([
        { userVersion: 1, format: 'keyden-vault/1', hasIntegrity: false },
        { userVersion: 2, format: 'keyden-vault/2', hasIntegrity: true },
      ]).toContainEqual({ userVersion: state.userVersion, format: state.format, hasIntegrity: state.hasIntegrity });

      const core = openKeydenCore({ vaultPath, unsafeTestKdf: CHEAP_KDF, knownVaultsPath: path.join(home, 'known-vaults.json') });
      try {
        await core.vault.unlock(CLI, PASSWORD);
        expect((await core.entries.reveal(CLI, expected.entries.blog.id)).value).toBe(expected.entries.blog.value);
        expect(await core.vault.verify(PASSWORD)).toMatchObject({ format: 2, recordOk: true, digestOk: true, failing: [] });
      } finally {
        core.close();
      }
    }
    // At least one run must really have been cut short, or this test proved nothing.
    expect(outcomes).toContain('killed');
  }, 120_000);
});

describe('kill -9 during keyden passwd --rotate-key', () => {
  it('leaves the old key or the new one, never a mix: every row checks and every value reveals', async () => {
    const outcomes: string[] = [];
    for (const delayMs of [0, 5, 20]) {
      const home = tempDir();
      dirs.push(home);
      const seeded = await seedVault(home, { categories: [{ name: 'Service', envVarName: 'SERVICE_KEY' }] });
      const setup = openKeydenCore({ vaultPath: seeded.vaultPath, role: 'admin', unsafeTestKdf: CHEAP_KDF, knownVaultsPath: path.join(home, 'known-vaults.json') });
      await setup.vault.unlock(CLI, PASSWORD);
      const content = Array.from({ length: 3000 }, (_, i) => `VAR_${i}=value-${i}`).join('\n');
      setup.projects.importEnv(CLI, 'Big', 'development', content, 'upsert');
      const sample = setup.entries.list(CLI).items.slice(0, 20).map((e) => e.id);
      const values = await Promise.all(sample.map(async (id) => (await setup.entries.reveal(CLI, id)).value));
      setup.close();
      const before = readState(seeded.vaultPath).wrappedKey;

      outcomes.push(await killMidWrite(home, seeded.vaultPath, ['passwd', '--rotate-key', '--vault', seeded.vaultPath, '--password-stdin'], delayMs));
      const core = openKeydenCore({ vaultPath: seeded.vaultPath, unsafeTestKdf: CHEAP_KDF, knownVaultsPath: path.join(home, 'known-vaults.json') });
      try {
        await core.vault.unlock(CLI, PASSWORD);
        expect(await core.vault.verify(PASSWORD)).toMatchObject({ recordOk: true, digestOk: true, failing: [] });
        expect(await Promise.all(sample.map(async (id) => (await core.entries.reveal(CLI, id)).value))).toEqual(values);
        expect(core.entries.list(CLI).total).toBe(3000);
        const rotated = readState(seeded.vaultPath).wrappedKey !== before;
        expect(core.audit.list({ action: 'vault.rotate' }).total).toBe(rotated ? 1 : 0);
      } finally {
        core.close();
      }
    }
    expect(outcomes).toContain('killed');
  }, 120_000);
});

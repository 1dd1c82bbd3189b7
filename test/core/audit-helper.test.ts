// The group commit's helper thread (src/main/crypto/audit-helper.ts): under load a batch of
// reveals is opened, sealed and mac'd on a second thread and committed by the owner. Whatever
// happens meanwhile (a write that takes the batch's ids, a lock, a helper that fails or answers
// out of order, a value that does not open), every reveal gets its value or a clear error, every
// row that is written is one the next unlock's checks accept, and ids stay in order.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { rowMac } from '../../src/main/store/integrity.js';
import { blobAad, open } from '../../src/main/crypto/aead.js';
import { afterEach, describe, expect, it } from 'vitest';
import { APP, CLI, openKeydenCore, type OwnedCore } from '../../src/main/core/index.js';
import { AuditHelper, prepareHere, type BatchHelper, type HelperKeys, type HelperResult, type HelperRow } from '../../src/main/crypto/audit-helper.js';
import { PASSWORD, TEST_KDF, tempDir } from '../helpers/core.js';
import { remacVault } from '../helpers/remac.js';
import Database from 'better-sqlite3';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A helper that does the thread's work in process, each batch when the test releases it. */
class HeldHelper implements BatchHelper {
  answered = 0;
  available(): boolean {
    return true;
  }
  readonly held: { rows: HelperRow[]; answer: () => void; fail: () => void }[] = [];
  /** Rewrites a prepared result before it is handed back (a value that does not open…). */
  tamper: ((r: HelperResult) => HelperResult) | null = null;
  run(keys: HelperKeys, rows: HelperRow[]): Promise<HelperResult> {
    const copies = { secret: Uint8Array.from(keys.secret), overview: Uint8Array.from(keys.overview), mac: Uint8Array.from(keys.mac) };
    return new Promise((resolve, reject) => {
      this.held.push({
        rows,
        answer: () => {
          this.answered++;
          const result = prepareHere(copies, rows);
          resolve(this.tamper ? this.tamper(result) : result);
        },
        fail: () => reject(new Error('helper failed')),
      });
    });
  }
  stop(): void {
    for (const h of this.held.splice(0)) h.fail();
  }
}

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

interface Setup {
  dir: string;
  core: OwnedCore;
  ids: string[];
}

let setups: Setup[] = [];
afterEach(() => {
  for (const s of setups) {
    s.core.close();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
  setups = [];
});

async function vaultWith(n: number, auditHelper: Parameters<typeof openKeydenCore>[0]['auditHelper'], make = openKeydenCore): Promise<Setup> {
  const dir = tempDir();
  const core = make({ vaultPath: path.join(dir, 'vault.db'), unsafeTestKdf: TEST_KDF, knownVaultsPath: path.join(dir, 'known-vaults.json'), auditHelper });
  await core.vault.create(CLI, PASSWORD);
  const category = core.categories.create(CLI, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(core.entries.create(CLI, { categoryId: category.id, name: `Project ${i}`, value: `sk-${i}` }).id);
  const setup = { dir, core, ids };
  setups.push(setup);
  return setup;
}

/** Closes the owner and opens the file again: the unlock checks every row's mac and the digest. */
async function reopened(s: Setup): Promise<OwnedCore> {
  s.core.close();
  const core = openKeydenCore({ vaultPath: path.join(s.dir, 'vault.db'), unsafeTestKdf: TEST_KDF, knownVaultsPath: path.join(s.dir, 'known-vaults.json') });
  s.core = core;
  await core.vault.unlock(CLI, PASSWORD);
  return core;
}

const revealRows = (core: OwnedCore) => core.audit.list({ action: 'entry.reveal' }).items.reverse();

describe('the group commit on a helper thread', () => {
  it('reveals each value and writes rows whose macs and digest the next unlock accepts', async () => {
    const helper = new HeldHelper();
    const s = await vaultWith(20, { minBatch: 1, helper });
    const before = s.core.audit.list().items[0]!.id;
    const reveals = Promise.all(s.ids.map((id) => s.core.entries.reveal(APP, id)));
    await turns(3);
    expect(helper.held).toHaveLength(1);
    helper.held[0]!.answer();
    expect((await reveals).map((r) => r.value)).toEqual(s.ids.map((_, i) => `sk-${i}`));
    expect(helper.answered).toBe(1);
    const core = await reopened(s);
    const rows = revealRows(core);
    expect(rows.map((r) => r.id)).toEqual(s.ids.map((_, i) => before + 1 + i));
    expect(rows.map((r) => r.detail)).toMatchObject(s.ids.map((_, i) => ({ name: `Project ${i}`, environment: 'development' })));
  });

  it('commits the batch on the owner thread when a write took its ids while it was away', async () => {
    const helper = new HeldHelper();
    const s = await vaultWith(10, { minBatch: 1, helper });
    const reveals = Promise.all(s.ids.map((id) => s.core.entries.reveal(APP, id)));
    await turns(3);
    // An entry created meanwhile writes its own audit row with the id the batch counted on.
    s.core.entries.create(CLI, { categoryId: s.core.categories.list()[0]!.id, name: 'Meanwhile', value: 'sk-x' });
    helper.held[0]!.answer();
    expect((await reveals).map((r) => r.value)).toEqual(s.ids.map((_, i) => `sk-${i}`));
    const core = await reopened(s);
    const all = core.audit.list().items.reverse();
    const created = all.findIndex((r) => r.action === 'entry.create' && r.detail?.name === 'Meanwhile');
    expect(all.slice(created + 1).filter((r) => r.action === 'entry.reveal').map((r) => r.targetId)).toEqual(s.ids);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
  });

  it('commits a batch still on the helper thread before the lock, so its reveals are answered and recorded first', async () => {
    const helper = new HeldHelper();
    const s = await vaultWith(8, { minBatch: 1, helper });
    const reveals = Promise.all(s.ids.map((id) => s.core.entries.reveal(APP, id)));
    await turns(3);
    expect(helper.held).toHaveLength(1);
    s.core.vault.lock(APP);
    expect((await reveals).map((r) => r.value)).toEqual(s.ids.map((_, i) => `sk-${i}`));
    // The helper's late answer changes nothing.
    helper.held[0]?.answer();
    await turns(2);
    const core = await reopened(s);
    const all = core.audit.list().items.reverse();
    const lockAt = all.findIndex((r) => r.action === 'vault.lock');
    expect(all.slice(0, lockAt).filter((r) => r.action === 'entry.reveal')).toHaveLength(8);
    expect(all.filter((r) => r.action === 'entry.reveal')).toHaveLength(8);
  });

  it('answers VAULT_LOCKED, and writes no row, for reveals on the helper thread when the key is rotated beside the owner', async () => {
    const helper = new HeldHelper();
    const s = await vaultWith(6, { minBatch: 1, helper });
    const reveals = s.ids.map((id) => s.core.entries.reveal(APP, id).then((r) => r.value, (e: { code?: string }) => e.code));
    await turns(3);
    expect(helper.held).toHaveLength(1);
    const admin = openKeydenCore({ vaultPath: path.join(s.dir, 'vault.db'), role: 'admin', unsafeTestKdf: TEST_KDF, knownVaultsPath: path.join(s.dir, 'known-vaults.json') });
    await admin.vault.unlock(CLI, PASSWORD);
    await admin.vault.rotateKey(CLI, PASSWORD);
    admin.close();
    // The owner notices and drops its keys; the batch it had sent out is not committed under the old key.
    s.core.refresh();
    helper.held[0]!.answer();
    expect(await Promise.all(reveals)).toEqual(s.ids.map(() => 'VAULT_LOCKED'));
    const core = await reopened(s);
    expect(revealRows(core)).toHaveLength(0);
  });

  it('commits the batch on the owner thread when the helper fails', async () => {
    const helper = new HeldHelper();
    const s = await vaultWith(6, { minBatch: 1, helper });
    const reveals = Promise.all(s.ids.map((id) => s.core.entries.reveal(APP, id)));
    await turns(3);
    helper.held[0]!.fail();
    expect((await reveals).map((r) => r.value)).toEqual(s.ids.map((_, i) => `sk-${i}`));
    const core = await reopened(s);
    expect(revealRows(core).map((r) => r.targetId)).toEqual(s.ids);
  });

  it('does the batch itself when the helper says a value does not open: its word alone never hides a value', async () => {
    const helper = new HeldHelper();
    const s = await vaultWith(5, { minBatch: 1, helper });
    // As if the second blob did not open on the helper thread (the owner then opens the batch itself).
    helper.tamper = (r) => ({ ...r, opened: r.opened.map((v, i) => (i === 1 ? null : v)) });
    const reveals = s.ids.map((id) => s.core.entries.reveal(APP, id).then((r) => r.value, (e: { code?: string }) => e.code));
    await turns(3);
    helper.held[0]!.answer();
    // The owner's own open succeeds, so all five are revealed: the helper's word alone never hides a value.
    expect(await Promise.all(reveals)).toEqual(s.ids.map((_, i) => `sk-${i}`));
    const core = await reopened(s);
    expect(revealRows(core)).toHaveLength(5);
  });

  it('answers 404 and writes no row for a secret that does not open, on the helper thread or here, and reveals the rest of its batch', async () => {
    const s = await vaultWith(6, false);
    s.core.close();
    // Someone with the key moved one secret into another row and recomputed every mac: only the
    // blob's AAD still tells (test/helpers/remac.ts).
    const db = new Database(path.join(s.dir, 'vault.db'));
    const secretOf = db.prepare('SELECT secret FROM entries WHERE id = ?').pluck();
    db.prepare('UPDATE entries SET secret = ? WHERE id = ?').run(secretOf.get(s.ids[0]!), s.ids[3]!);
    db.close();
    await remacVault(path.join(s.dir, 'vault.db'), PASSWORD);
    for (const helper of [new HeldHelper(), null]) {
      const core = openKeydenCore({ vaultPath: path.join(s.dir, 'vault.db'), unsafeTestKdf: TEST_KDF, knownVaultsPath: path.join(s.dir, 'known-vaults.json'), auditHelper: helper ? { minBatch: 1, helper } : false });
      s.core = core;
      await core.vault.unlock(CLI, PASSWORD);
      const before = core.audit.list({ action: 'entry.reveal' }).total;
      const reveals = s.ids.map((id) => core.entries.reveal(APP, id).then((r) => r.value, (e: { code?: string }) => e.code));
      await turns(3);
      helper?.held[0]!.answer();
      expect(await Promise.all(reveals)).toEqual(['sk-0', 'sk-1', 'sk-2', 'NOT_FOUND', 'sk-4', 'sk-5']);
      const rows = core.audit.list({ action: 'entry.reveal' }).items.slice(0, 5).reverse();
      expect(core.audit.list({ action: 'entry.reveal' }).total).toBe(before + 5);
      expect(rows.map((r) => r.targetId)).toEqual(s.ids.filter((_, i) => i !== 3));
      core.close();
    }
    s.core = await reopened(s);
  });

  it('commits two batches in the order they left, whichever the helper answers first', async () => {
    const helper = new HeldHelper();
    const s = await vaultWith(12, { minBatch: 1, helper });
    const first = Promise.all(s.ids.slice(0, 6).map((id) => s.core.entries.reveal(APP, id)));
    await turns(3);
    const second = Promise.all(s.ids.slice(6).map((id) => s.core.entries.reveal(APP, id)));
    await turns(3);
    expect(helper.held).toHaveLength(2);
    helper.held[1]!.answer();
    await turns(2);
    helper.held[0]!.answer();
    await Promise.all([first, second]);
    const core = await reopened(s);
    expect(revealRows(core).map((r) => r.targetId)).toEqual(s.ids);
  });

  it('does small batches on the owner thread without the helper', async () => {
    const helper = new HeldHelper();
    const s = await vaultWith(3, { minBatch: 8, helper });
    const revealed = await Promise.all(s.ids.map((id) => s.core.entries.reveal(APP, id)));
    expect(revealed.map((r) => r.value)).toEqual(['sk-0', 'sk-1', 'sk-2']);
    expect(helper.held).toHaveLength(0);
  });

  it('runs on a real thread in the built core once it has started, and its rows pass the next unlock', async () => {
    const built = (await import(path.join(ROOT, 'build/main/core/index.js'))) as typeof import('../../src/main/core/index.js');
    const s = await vaultWith(40, { minBatch: 1 }, built.openKeydenCore);
    const batches = (): number => (s.core.vault as unknown as { audit: { helperBatches: number } }).audit.helperBatches;
    // The first batch starts the thread and is done by the owner: no reveal waits for a thread to boot.
    const first = await Promise.all(s.ids.map((id) => s.core.entries.reveal(built.APP, id)));
    expect(first.map((r) => r.value)).toEqual(s.ids.map((_, i) => `sk-${i}`));
    expect(batches()).toBe(0);
    let rounds = 1;
    for (const end = Date.now() + 5000; batches() === 0 && Date.now() < end; rounds++) {
      await new Promise((r) => setTimeout(r, 10));
      const again = await Promise.all(s.ids.map((id) => s.core.entries.reveal(built.APP, id)));
      expect(again.map((r) => r.value)).toEqual(s.ids.map((_, i) => `sk-${i}`));
    }
    expect(batches()).toBeGreaterThan(0);
    const core = await reopened(s);
    const rows = revealRows(core);
    expect(rows).toHaveLength(40 * rounds);
    expect(rows.map((r) => r.detail?.name)).toEqual(Array.from({ length: 40 * rounds }, (_, i) => `Project ${i % 40}`));
  });

  it('seals and macs on the thread exactly as the owner would', async () => {
    const helper = new AuditHelper(pathToFileURL(path.join(ROOT, 'build/main/crypto/audit-helper.js')).href);
    const keys = { secret: randomBytes(32), overview: randomBytes(32), mac: randomBytes(32) };
    try {
      expect(await helper.started()).toBe(true);
      const result = await helper.run(keys, [{ id: 7, values: [7, '2026-12-05T10:00:00.000Z', 'app', 'entry.reveal', 'x', 1, null], detailAt: 6, detail: { name: 'n' }, open: null }]);
      expect(result.macs[0]).toEqual(new Uint8Array(rowMac(keys.mac, 'audit', [7, '2026-12-05T10:00:00.000Z', 'app', 'entry.reveal', 'x', 1, result.details[0]])));
      expect(result.opened).toEqual([undefined]);
      // The detail is sealed under its row's id, as the audit log reads it.
      expect(open(keys.overview, blobAad('audit', 'detail', '7'), result.details[0]!)).toEqual({ name: 'n' });
    } finally {
      helper.stop();
    }
  });

  it('stops using a thread that cannot load, for good, and no batch ever waits on it', async () => {
    const helper = new AuditHelper(pathToFileURL(path.join(ROOT, 'build/main/crypto/no-such-module.js')).href);
    const keys = { secret: randomBytes(32), overview: randomBytes(32), mac: randomBytes(32) };
    const row: HelperRow = { id: 1, values: [1, '2026-12-05T10:00:00.000Z', 'app', 'entry.reveal', null, 1, null], detailAt: 6, detail: null, open: null };
    expect(helper.available()).toBe(false);
    await expect(helper.run(keys, [row])).rejects.toThrow('is starting');
    expect(await helper.started()).toBe(false);
    expect(helper.available()).toBe(false);
    await expect(helper.run(keys, [row])).rejects.toThrow('is off');
    expect(helper.answered).toBe(0);
  });

  it('refuses a batch that cannot be sent to the thread without throwing, and is off afterwards', async () => {
    const helper = new AuditHelper(pathToFileURL(path.join(ROOT, 'build/main/crypto/audit-helper.js')).href);
    const keys = { secret: randomBytes(32), overview: randomBytes(32), mac: randomBytes(32) };
    // A function cannot be cloned to another thread: postMessage throws inside run().
    const odd: HelperRow = { id: 1, values: [1, '2026-12-05T10:00:00.000Z', 'app', 'entry.reveal', null, 1, null], detailAt: 6, detail: { f: () => 1 }, open: null };
    try {
      expect(await helper.started()).toBe(true);
      await expect(helper.run(keys, [odd])).rejects.toThrow('could not take a batch');
      await expect(helper.run(keys, [{ ...odd, detail: null }])).rejects.toThrow('is off');
    } finally {
      helper.stop();
    }
  });
});

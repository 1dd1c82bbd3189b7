// Reveals over HTTP while the vault is locked and unlocked under them, on the built core, whose
// group commit hands half of each large batch to its helper thread (src/main/crypto/audit-helper.ts):
// every answer is a value or a clear refusal, never a 500, and what was written passes the next
// unlock's checks of every row and the digest, and the audit log's check of every row it reads.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, openKeydenCore } from '../../src/main/core/index.js';
import { call, PASSWORD, TEST_KDF, tempDir } from '../helpers/core.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const built = (await import(path.join(ROOT, 'build/main/core/index.js'))) as typeof import('../../src/main/core/index.js');
const server = (await import(path.join(ROOT, 'build/main/api/server.js'))) as typeof import('../../src/main/api/server.js');

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('reveals under load with locks between them', () => {
  it('answers each reveal with its value or VAULT_LOCKED, never a 500, and leaves a vault whose every row checks', async () => {
    const dir = tempDir();
    const vaultPath = path.join(dir, 'vault.db');
    const knownVaultsPath = path.join(dir, 'known-vaults.json');
    const core = built.openKeydenCore({ vaultPath, unsafeTestKdf: TEST_KDF, knownVaultsPath, auditHelper: { minBatch: 2 } });
    await core.vault.create(built.CLI, PASSWORD);
    const category = core.categories.create(built.CLI, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
    const ids = Array.from({ length: 64 }, (_, i) => core.entries.create(built.CLI, { categoryId: category.id, name: `Project ${i}`, value: `sk-${i}` }).id);
    const token = core.tokens.create(built.CLI, { name: 'load', scopes: ['entries:read', 'entries:reveal', 'vault:lock'], projects: null, environments: null }).secret;
    const api = await server.startApiServer(core, { port: 0 });
    const target = { url: api.url, token };
    cleanup = async () => {
      await api.close();
      core.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };

    const statuses = new Map<number, number>();
    const wrong: string[] = [];
    const until = Date.now() + 1500;
    // Keep-alive sockets, as scripts use them: the answers of one commit go out together, and
    // the next requests arrive together, so the owner sees batches.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const reveal = (id: string): Promise<{ status: number; text: string; json: unknown }> =>
      new Promise((resolve, reject) => {
        const req = http.request(`${api.url}/api/entries/${id}/reveal`, { method: 'POST', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, json: JSON.parse(text) as unknown }));
        });
        req.on('error', reject);
        req.end();
      });
    const client = async (k: number): Promise<void> => {
      for (let i = k; Date.now() < until; i += 32) {
        const id = ids[i % ids.length]!;
        const res = await reveal(id);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200 && (res.json as { value?: string }).value !== `sk-${ids.indexOf(id)}`) wrong.push(id);
        if (res.status !== 200 && (res.json as { code?: string }).code !== 'VAULT_LOCKED') wrong.push(`${res.status} ${res.text}`);
      }
    };
    const locker = async (): Promise<number> => {
      let cycles = 0;
      while (Date.now() < until) {
        await new Promise((r) => setTimeout(r, 60));
        expect((await call(target, 'POST', '/api/lock')).status).toBe(204);
        await new Promise((r) => setTimeout(r, 10));
        expect((await call(target, 'POST', '/api/unlock', { body: { password: PASSWORD } })).status).toBe(204);
        cycles++;
      }
      return cycles;
    };
    const [cycles] = await Promise.all([locker(), ...Array.from({ length: 32 }, (_, k) => client(k))]);
    agent.destroy();

    expect(wrong).toEqual([]);
    expect(cycles).toBeGreaterThan(3);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    expect([...statuses.keys()].every((s) => s === 200 || s === 423)).toBe(true);
    // The helper thread took part (batches of 2 or more arrived between the locks).
    expect((core.vault as unknown as { audit: { helperBatches: number } }).audit.helperBatches).toBeGreaterThan(0);

    await api.close();
    core.close();
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
    // The sources' owner checks every row and the digest at unlock, and every audit row it lists.
    const again = openKeydenCore({ vaultPath, unsafeTestKdf: TEST_KDF, knownVaultsPath });
    try {
      await again.vault.unlock(CLI, PASSWORD);
      const reveals = again.audit.list({ action: 'entry.reveal' });
      expect(reveals.total).toBe(statuses.get(200));
      expect(reveals.items.every((r) => r.detail !== null && typeof r.detail.name === 'string')).toBe(true);
      const ordered = again.audit.list().items.map((r) => r.id);
      expect(new Set(ordered).size).toBe(ordered.length);
    } finally {
      again.close();
    }
  });
});

// kill -9 of a real `keyden serve` in the middle of a large import (DESIGN §7 reliability).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { APP } from '../../src/main/core/index.js';
import { createTestVault, PASSWORD, tempDir } from '../helpers/core.js';

const BIN = path.resolve('bin/keyden.cjs');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** Starts `keyden serve` on the vault and resolves with its URL once it listens. */
function serve(home: string, vaultPath: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--vault', vaultPath, '--port', '0', '--password-stdin'], {
    env: { ...process.env, KEYDEN_HOME: home },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdin!.end(`${PASSWORD}\n`);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`keyden serve did not start: ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`keyden serve exited with ${code}: ${err}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

describe('kill -9 during an import', () => {
  it('leaves the import wholly there or wholly absent, keeps every acknowledged write, and the file intact', async () => {
    const home = tempDir();
    const v = await createTestVault({ dir: home });
    const category = v.core.categories.create(APP, { name: 'Stripe', keyType: 'simple', envVarName: 'STRIPE_SECRET_KEY' });
    const token = v.core.tokens.create(APP, { name: 'kill test', scopes: ['entries:read', 'entries:write', 'entries:reveal'] }).secret;
    v.core.close();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const first = await serve(home, v.vaultPath);
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${first.url}/api/entries`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ categoryId: category.id, name: `Acked ${i}`, value: `sk_live_${i}` }),
      });
      expect(res.status).toBe(201);
      acknowledged.push(((await res.json()) as { id: string }).id);
    }

    const lines = Array.from({ length: 5000 }, (_, i) => `BULK_VAR_${i}=value-${i}-${'x'.repeat(40)}`).join('\n');
    const walPath = `${v.vaultPath}-wal`;
    const walBefore = fs.existsSync(walPath) ? fs.statSync(walPath).size : 0;
    const importing = fetch(`${first.url}/api/projects/Bulk/import`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: lines }).then(
      (r) => r.status,
      () => 'connection lost' as const,
    );
    // Kill as soon as the import starts writing pages, or after a bounded wait.
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      if (fs.existsSync(walPath) && fs.statSync(walPath).size > walBefore) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    first.child.kill('SIGKILL');
    await exited(first.child);
    const importOutcome = await importing;

    const second = await serve(home, v.vaultPath);
    const list = await fetch(`${second.url}/api/entries`, { headers });
    const entries = (await list.json()) as { id: string; name: string }[];
    const ids = new Set(entries.map((e) => e.id));
    for (const id of acknowledged) expect(ids.has(id)).toBe(true);
    const bulk = entries.filter((e) => e.name === 'Bulk').length;
    expect([0, 5000]).toContain(bulk);
    if (importOutcome === 200) expect(bulk).toBe(5000);
    const reveal = await fetch(`${second.url}/api/entries/${acknowledged[7]}/reveal`, { method: 'POST', headers: { authorization: headers.authorization } });
    expect(((await reveal.json()) as { value: string }).value).toBe('sk_live_7');

    second.child.kill('SIGTERM');
    await exited(second.child);
    const db = new Database(v.vaultPath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    fs.rmSync(home, { recursive: true, force: true });
  }, 60_000);
});

// Issue 10, attack 4: scope-denied requests flooding the audit log (and the disk).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startOwner } from './helpers.js';

describe('denied calls cannot flood the vault', () => {
  it('turns 3 000 scope-denied calls from the weakest token into a few audit rows and 429s past 60 a minute', async () => {
    const owner = await startOwner({
      categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
      entries: [{ key: 'e', category: 'OpenAI', name: 'Blog', value: 'sk-blog' }],
      tokens: [
        { key: 'weak', scopes: ['categories:read'] },
        { key: 'auditor', scopes: ['audit:read'] },
      ],
    });
    const sizeBefore = fs.statSync(owner.vaultPath).size;
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 100; batch++) {
      const replies = await Promise.all(Array.from({ length: 30 }, () => owner.request('POST', `/api/entries/${owner.ids.e}/reveal`, { token: owner.tokens.weak! })));
      for (const r of replies) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    expect(statuses.get(403)).toBe(60);
    expect(statuses.get(429)).toBe(2940);
    const audit = await owner.request('GET', '/api/audit?action=api.denied', { token: owner.tokens.auditor! });
    expect(audit.status).toBe(200);
    const rows = audit.json as { actor: string; detail: { count?: number; route?: string } }[];
    expect(rows.length).toBeLessThanOrEqual(3);
    expect(rows.reduce((n, r) => n + (r.detail.count ?? 1), 0)).toBe(60);
    // A few rows, not 3 000: the file (and its WAL) stay small.
    const grown = fs.statSync(owner.vaultPath).size - sizeBefore;
    const wal = fs.existsSync(`${owner.vaultPath}-wal`) ? fs.statSync(`${owner.vaultPath}-wal`).size : 0;
    expect(grown).toBeLessThan(64 * 1024);
    expect(wal).toBeLessThan(1024 * 1024);
  });

  it("counts writes refused by a token's project limits like scope-denied calls: one coalesced audit row, and 429 past 60 a minute", async () => {
    const owner = await startOwner({
      tokens: [
        { key: 'alphaWriter', scopes: ['entries:read', 'entries:write'], projects: ['alpha'] },
        { key: 'auditor', scopes: ['audit:read'] },
      ],
    });
    const statuses = new Map<number, number>();
    for (let i = 0; i < 70; i++) {
      const r = await owner.request('POST', '/api/projects/beta/import', { token: owner.tokens.alphaWriter!, text: 'X=1\n' });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 403: 60, 429: 10 });
    const rows = (await owner.request('GET', '/api/audit?action=api.denied', { token: owner.tokens.auditor! })).json as { detail: Record<string, unknown> }[];
    expect(rows.map((r) => r.detail)).toEqual([expect.objectContaining({ route: 'POST /api/projects/{name}/import', reason: 'limits', scope: null, count: 60 })]);
    // The row names the route, never the project the token tried.
    expect(JSON.stringify(rows)).not.toContain('beta');
  });
});

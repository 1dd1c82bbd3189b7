// The unlock gate and the api.denied coalescing, with a clock the test moves.
import { describe, expect, it } from 'vitest';
import { UnlockGate } from '../../src/main/api/throttle.js';
import { KeydenError } from '../../src/shared/errors.js';
import { DeniedCoalescer, type DeniedRow } from '../../src/main/core/denied.js';

describe('UnlockGate', () => {
  it('runs attempts one at a time and tries no more than 10 wrong passwords a minute', async () => {
    let now = 0;
    const gate = new UnlockGate(() => now);
    let running = 0;
    let most = 0;
    let tried = 0;
    const attempt = async (): Promise<never> => {
      running++;
      most = Math.max(most, running);
      tried++;
      await new Promise((r) => setTimeout(r, 1));
      running--;
      throw new Error('wrong password');
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, () => gate.run(() => false, attempt)));
    expect(most).toBe(1);
    expect(tried).toBe(10);
    expect(outcomes.filter((o) => o.status === 'fulfilled' && !o.value.ok && o.value.reason === 'rate-limited')).toHaveLength(20);
    now += 60_001;
    expect(await gate.run(() => false, async () => 'unlocked')).toEqual({ ok: true, value: 'unlocked' });
  });

  it('gives the place back to a right password and refuses untried while unlocked', async () => {
    const gate = new UnlockGate(() => 0);
    for (let i = 0; i < 9; i++) await gate.run(() => false, () => Promise.reject(new Error('wrong'))).catch(() => undefined);
    for (let i = 0; i < 5; i++) expect((await gate.run(() => false, async () => 1)).ok).toBe(true);
    let tried = false;
    expect(await gate.run(() => true, async () => (tried = true))).toMatchObject({ ok: false, reason: 'unlocked' });
    expect(tried).toBe(false);
  });

  it('counts a wrong password, but not an attempt refused before it checked one or one that found the vault tampered with or rolled back (a right password)', async () => {
    const gate = new UnlockGate(() => 0);
    const refused = (code: 'VALIDATION_FAILED' | 'VAULT_ROLLED_BACK' | 'VAULT_TAMPERED' | 'INVALID_PASSWORD') => () => Promise.reject(new KeydenError(code, code));
    for (let i = 0; i < 20; i++) {
      for (const code of ['VALIDATION_FAILED', 'VAULT_ROLLED_BACK', 'VAULT_TAMPERED'] as const) {
        await expect(gate.run(() => false, refused(code))).rejects.toMatchObject({ code });
      }
    }
    for (let i = 0; i < 10; i++) await expect(gate.run(() => false, refused('INVALID_PASSWORD'))).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
    expect(await gate.run(() => false, async () => 'unlocked')).toMatchObject({ ok: false, reason: 'rate-limited' });
  });
});

describe('DeniedCoalescer', () => {
  it('writes one row per actor, route and reason a minute, with the count', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const rows: DeniedRow[] = [];
    const denied = new DeniedCoalescer((r) => rows.push(r), () => now);
    const call = { actor: 'token:a', route: 'POST /api/entries/{id}/reveal', reason: 'scope', scope: 'entries:reveal' };
    for (let i = 0; i < 500; i++) denied.add(call);
    denied.add({ ...call, actor: 'token:b' });
    expect(rows).toEqual([]);
    now += 60_000;
    denied.add(call);
    expect(rows).toEqual([{ actor: 'token:a', detail: { route: call.route, reason: 'scope', scope: 'entries:reveal', count: 500, since: '2026-01-01T00:00:00.000Z' } }]);
    denied.flush();
    expect(rows.map((r) => [r.actor, r.detail.count])).toEqual([
      ['token:a', 500],
      ['token:b', 1],
      ['token:a', 1],
    ]);
  });
});

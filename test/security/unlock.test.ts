// Issue 10, attack 2: unlock as a password oracle, and its throttle racing the KDF.
import type { Seed } from '../cli/helpers.js';
import { describe, expect, it } from 'vitest';
import { keyden } from '../cli/helpers.js';
import { codeOf, PASSWORD, startOwner } from './helpers.js';

const seed: Seed = {
  categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
  entries: [{ key: 'alpha', category: 'OpenAI', name: 'alpha', value: 'sk-alpha' }],
  tokens: [
    { key: 'owner', scopes: ['entries:read', 'vault:lock'] },
    { key: 'limited', scopes: ['entries:read'], projects: ['alpha'] },
  ],
};
const tokens = (t: Record<string, string>) => ({ owner: t.owner!, limited: t.limited! });

describe('POST /api/unlock is not a password oracle', () => {
  it('answers the same to a right and a wrong password while the vault is unlocked, without trying either', async () => {
    const owner = await startOwner(seed);
    const { owner: full, limited } = tokens(owner.tokens);
    for (const token of [full, limited]) {
      const right = await owner.request('POST', '/api/unlock', { token, body: { password: PASSWORD } });
      const wrong = await owner.request('POST', '/api/unlock', { token, body: { password: 'guess 1' } });
      expect({ status: wrong.status, code: codeOf(wrong) }).toEqual({ status: right.status, code: codeOf(right) });
      expect([403, 409]).toContain(right.status);
    }
    const right = await owner.request('POST', '/api/unlock', { token: full, body: { password: PASSWORD } });
    expect({ status: right.status, code: codeOf(right) }).toEqual({ status: 409, code: 'CONFLICT' });
  });

  it('tries at most 10 of 30 parallel wrong passwords, and refuses the rest with 429 before their KDF', async () => {
    const owner = await startOwner(seed, { locked: true });
    const { owner: full } = tokens(owner.tokens);
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => owner.request('POST', '/api/unlock', { token: full, body: { password: `wrong guess ${i}` } })));
    const tried = replies.filter((r) => codeOf(r) === 'INVALID_PASSWORD').length;
    const refused = replies.filter((r) => r.status === 429 && codeOf(r) === 'RATE_LIMITED').length;
    expect(tried).toBeLessThanOrEqual(10);
    expect(tried + refused).toBe(30);
    // The budget is spent: even the right password is not tried until the minute has passed.
    const right = await owner.request('POST', '/api/unlock', { token: full, body: { password: PASSWORD } });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await owner.request('GET', '/healthz')).json).toMatchObject({ locked: true });
  });

  it('lets a token without vault:lock neither lock nor unlock the vault, nor learn whether a password is right', async () => {
    const owner = await startOwner(seed);
    const { owner: full, limited } = tokens(owner.tokens);
    expect((await owner.request('POST', '/api/lock', { token: limited })).status).toBe(403);
    expect((await owner.request('GET', '/healthz')).json).toMatchObject({ locked: false });
    expect((await owner.request('POST', '/api/lock', { token: full })).status).toBe(204);
    const right = await owner.request('POST', '/api/unlock', { token: limited, body: { password: PASSWORD } });
    const wrong = await owner.request('POST', '/api/unlock', { token: limited, body: { password: 'guess 2' } });
    expect({ status: right.status, code: codeOf(right) }).toEqual({ status: 403, code: 'SCOPE_REQUIRED' });
    expect({ status: wrong.status, code: codeOf(wrong) }).toEqual({ status: 403, code: 'SCOPE_REQUIRED' });
    expect((await owner.request('GET', '/healthz')).json).toMatchObject({ locked: true });
  });

  it('refuses a token without vault:lock on an owner started locked before trying its password: the same 403 for a right and a wrong one, and no budget spent', async () => {
    const owner = await startOwner(seed, { locked: true });
    const { owner: full, limited } = tokens(owner.tokens);
    const wrong = await owner.request('POST', '/api/unlock', { token: limited, body: { password: 'guess 1' } });
    const right = await owner.request('POST', '/api/unlock', { token: limited, body: { password: PASSWORD } });
    expect({ status: wrong.status, code: codeOf(wrong) }).toEqual({ status: 403, code: 'SCOPE_REQUIRED' });
    expect({ status: right.status, code: codeOf(right) }).toEqual({ status: 403, code: 'SCOPE_REQUIRED' });
    expect((await owner.request('GET', '/healthz')).json).toMatchObject({ locked: true });
    // Ten more guesses from it cost the owner nothing: the token with vault:lock still unlocks.
    for (let i = 0; i < 10; i++) await owner.request('POST', '/api/unlock', { token: limited, body: { password: `guess ${i}` } });
    expect((await owner.request('POST', '/api/unlock', { token: full, body: { password: PASSWORD } })).status).toBe(204);
  });

  it('knows, while locked, the scopes of a token made after the last unlock (keyden token create beside it)', async () => {
    const owner = await startOwner(seed, { locked: true });
    const made = await keyden(owner.home, ['token', 'create', '--name', 'ci', '--scopes', 'entries:read', '--password-stdin'], { input: `${PASSWORD}\n` });
    expect(made.code, made.stderr).toBe(0);
    const ci = made.stdout.trim();
    const madeWithLock = await keyden(owner.home, ['token', 'create', '--name', 'laptop', '--password-stdin'], { input: `${PASSWORD}\n` });
    const laptop = madeWithLock.stdout.trim();
    const wrong = await owner.request('POST', '/api/unlock', { token: ci, body: { password: 'guess 1' } });
    expect({ status: wrong.status, code: codeOf(wrong) }).toEqual({ status: 403, code: 'SCOPE_REQUIRED' });
    expect((await owner.request('POST', '/api/unlock', { token: laptop, body: { password: PASSWORD } })).status).toBe(204);
  });
});

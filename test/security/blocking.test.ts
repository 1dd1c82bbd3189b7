// Issue 10, attack 3: anyone on the machine blocking the owner's unlock with credential-less or
// bogus requests.
import type { Seed } from '../cli/helpers.js';
import { describe, expect, it } from 'vitest';
import { codeOf, PASSWORD, startOwner } from './helpers.js';

const seed: Seed = { tokens: [{ key: 'owner', scopes: ['entries:read', 'vault:lock'] }] };
const BOGUS = `kdn_${'B'.repeat(43)}`;

describe('nobody without a credential can block the owner', () => {
  it('unlocks with a valid token and the right password after 50 requests without a token', async () => {
    const owner = await startOwner(seed, { locked: true });
    for (let i = 0; i < 50; i++) {
      const r = await owner.request('POST', '/api/unlock', { token: null, body: { password: `guess ${i}` } });
      expect({ status: r.status, code: codeOf(r) }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    }
    const unlocked = await owner.request('POST', '/api/unlock', { token: owner.tokens.owner!, body: { password: PASSWORD } });
    expect(unlocked.status, unlocked.text).toBe(204);
  });

  it('unlocks with a valid token and the right password while bogus tokens are throttled', async () => {
    const owner = await startOwner(seed, { locked: true });
    const bogus = await Promise.all(Array.from({ length: 20 }, () => owner.request('GET', '/api/entries', { token: BOGUS })));
    expect(bogus.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    const unlocked = await owner.request('POST', '/api/unlock', { token: owner.tokens.owner!, body: { password: PASSWORD } });
    expect(unlocked.status, unlocked.text).toBe(204);
    expect((await owner.request('GET', '/api/entries', { token: owner.tokens.owner! })).status).toBe(200);
  });

  it('keeps serving a valid token while 20 requests without a token arrive', async () => {
    const owner = await startOwner(seed);
    await Promise.all(Array.from({ length: 20 }, () => owner.request('GET', '/api/entries', { token: null })));
    const bogus = await owner.request('GET', '/api/entries', { token: BOGUS });
    // Requests without a token counted toward nothing: a bogus token is still only 401.
    expect(bogus.status).toBe(401);
    expect((await owner.request('GET', '/api/entries', { token: owner.tokens.owner! })).status).toBe(200);
  });
});

// An attack review: 200 000 nested arrays in a JSON body overflowed a recursive walk of the
// input (500 INTERNAL and a line on stderr), on routes that need no token too.
import { describe, expect, it } from 'vitest';
import { codeOf, startOwner } from './helpers.js';

describe('deeply nested JSON bodies', () => {
  it('answers 400 VALIDATION_FAILED, never 500, to a body nested 200 000 deep, with or without a token', async () => {
    const owner = await startOwner({ tokens: [{ key: 'lock', scopes: ['vault:lock', 'entries:read', 'entries:write'] }] });
    const deepArray = '['.repeat(200_000) + ']'.repeat(200_000);
    const deepObject = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    for (const [path, token] of [
      ['/api/auth/requests', null],
      ['/api/unlock', owner.tokens.lock!],
      ['/api/entries', owner.tokens.lock!],
    ] as const) {
      for (const raw of [deepArray, deepObject]) {
        const r = await owner.request('POST', path, { token, raw });
        expect({ path, status: r.status, code: codeOf(r) }).toEqual({ path, status: 400, code: 'VALIDATION_FAILED' });
      }
    }
    // A body nested as deep as any real input still goes through.
    const ok = await owner.request('POST', '/api/auth/requests', { body: { clientName: 'ok', scopes: ['entries:read'] } });
    expect(ok.status).not.toBe(500);
  });
});

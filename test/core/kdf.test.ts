import { describe, expect, it } from 'vitest';
import { argon2id } from '@noble/hashes/argon2.js';
import { deriveKek, newKdfParams, passwordBytes } from '../../src/main/crypto/kdf.js';

describe('key derivation', () => {
  it('derives the same key in its worker as Argon2id on the main thread', async () => {
    const params = newKdfParams({ m: 1024, t: 2 });
    const kek = await deriveKek('pässwörd', params);
    const expected = argon2id(passwordBytes('pässwörd'), Buffer.from(params.salt, 'base64'), { m: 1024, t: 2, p: 1, dkLen: 32, version: 0x13 });
    expect(Buffer.from(kek).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
  });

  it('treats composed and decomposed forms of a password as the same password', async () => {
    const params = newKdfParams({ m: 256, t: 1 });
    const composed = await deriveKek('caf\u00e9', params);
    const decomposed = await deriveKek('cafe\u0301', params);
    expect(Buffer.from(decomposed).equals(Buffer.from(composed))).toBe(true);
  });

  it('keeps the event loop free while the default 64 MiB derivation runs', async () => {
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    await deriveKek('correct horse', newKdfParams());
    clearInterval(timer);
    // A blocked loop would show one gap as long as the whole derivation (about a second).
    expect(longestGap).toBeLessThan(250);
  });
});

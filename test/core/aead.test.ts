// The node:crypto XChaCha20-Poly1305 in src/main/crypto/aead.ts must be byte-identical to
// @noble/ciphers' xchacha20poly1305 (the reference the design names), both ways.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { open, seal, xchachaDecrypt, xchachaEncrypt } from '../../src/main/crypto/aead.js';

const bytes = (n: number) => new Uint8Array(randomBytes(n));

describe('XChaCha20-Poly1305 via node:crypto', () => {
  it('produces noble’s exact bytes for many sizes, keys, nonces and AADs', () => {
    for (const size of [0, 1, 15, 16, 17, 63, 64, 65, 100, 1000, 4096, 65_537]) {
      for (let i = 0; i < 5; i++) {
        const key = bytes(32);
        const nonce = bytes(24);
        const aad = bytes(i * 13);
        const pt = bytes(size);
        const ours = xchachaEncrypt(key, nonce, aad, pt);
        const noble = xchacha20poly1305(key, nonce, aad).encrypt(pt);
        expect(Buffer.from(ours).equals(Buffer.from(noble))).toBe(true);
        expect(Buffer.from(xchachaDecrypt(key, nonce, aad, noble)).equals(Buffer.from(pt))).toBe(true);
        expect(Buffer.from(xchacha20poly1305(key, nonce, aad).decrypt(ours)).equals(Buffer.from(pt))).toBe(true);
      }
    }
  });

  it('matches the draft-irtf-cfrg-xchacha test vector (A.3.1)', () => {
    const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
    const pt = new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657');
    const out = Buffer.from(xchachaEncrypt(key, nonce, aad, pt)).toString('hex');
    expect(out.slice(0, 32)).toBe('bd6d179d3e83d43b9576579493c0e939');
    expect(out.slice(-32)).toBe('c0875924c1c7987947deafd8780acf49');
  });

  it('refuses a wrong tag, key, nonce, AAD or a truncated ciphertext', () => {
    const key = bytes(32);
    const nonce = bytes(24);
    const aad = bytes(20);
    const ct = xchachaEncrypt(key, nonce, aad, bytes(50));
    const flipped = ct.slice();
    flipped[flipped.length - 1]! ^= 1;
    expect(() => xchachaDecrypt(key, nonce, aad, flipped)).toThrow();
    expect(() => xchachaDecrypt(bytes(32), nonce, aad, ct)).toThrow();
    expect(() => xchachaDecrypt(key, bytes(24), aad, ct)).toThrow();
    expect(() => xchachaDecrypt(key, nonce, bytes(20), ct)).toThrow();
    expect(() => xchachaDecrypt(key, nonce, aad, ct.subarray(0, 15))).toThrow();
    expect(() => xchachaEncrypt(bytes(16), nonce, aad, bytes(1))).toThrow();
  });

  it('reads keys, nonces and blobs that are views into a larger Buffer (as SQLite returns them)', () => {
    const key = bytes(32);
    const nonce = bytes(24);
    const aad = bytes(30);
    const pt = bytes(70);
    const big = Buffer.concat([Buffer.from(bytes(7)), Buffer.from(key), Buffer.from(nonce), Buffer.from(xchacha20poly1305(key, nonce, aad).encrypt(pt))]);
    const k = big.subarray(7, 39);
    const n = big.subarray(39, 63);
    const ct = big.subarray(63);
    expect(Buffer.from(xchachaDecrypt(k, n, aad, ct)).equals(Buffer.from(pt))).toBe(true);
    expect(Buffer.from(xchachaEncrypt(k, n, aad, pt)).equals(ct)).toBe(true);
  });

  it('seal/open round-trip and open refuses a blob from another row', () => {
    const key = bytes(32);
    const aad = new TextEncoder().encode('keyden/1/entries/secret/a/b');
    const blob = seal(key, aad, { value: 'sk-123' });
    expect(open(key, aad, blob)).toEqual({ value: 'sk-123' });
    expect(open(key, new TextEncoder().encode('keyden/1/entries/secret/a/c'), blob)).toBeNull();
    // noble opens what seal wrote.
    const pt = xchacha20poly1305(key, blob.subarray(1, 25), aad).decrypt(blob.subarray(25));
    expect(JSON.parse(new TextDecoder().decode(pt))).toEqual({ value: 'sk-123' });
  });
});

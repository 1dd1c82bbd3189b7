// Sealed blobs and key wrapping of DESIGN §3: XChaCha20-Poly1305 with a fresh 24-byte nonce.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { hchacha } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

const BLOB_VERSION = 0x01;
const NONCE_BYTES = 24;
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const TAG_BYTES = 16;

/*
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha §2.3), byte-identical to @noble/ciphers'
 * xchacha20poly1305 (test/core/aead.test.ts checks it): the subkey is noble's HChaCha20 of the key
 * and the nonce's first 16 bytes; the rest is RFC 8439 ChaCha20-Poly1305 from node:crypto
 * (OpenSSL), with the nonce 0x00000000 ‖ nonce[16..24]. Noble's pure-JS AEAD took ~40 µs per
 * small blob, which made unlocking 10 000 overviews cost ~0.5 s; this takes a few µs.
 */
const SIGMA = u32(utf8.encode('expand 32-byte k'));

function u32(bytes: Uint8Array): Uint32Array {
  // A fresh, aligned copy (not `slice()`, which on a Buffer is a view of its pool); noble reads
  // the words in native order and normalizes them itself.
  return new Uint32Array(new Uint8Array(bytes).buffer);
}

function subkeyAndNonce(key: Uint8Array, nonce: Uint8Array): { subkey: Buffer; nonce12: Buffer } {
  if (key.length !== 32) throw new Error('key must be 32 bytes');
  if (nonce.length !== NONCE_BYTES) throw new Error('nonce must be 24 bytes');
  const out = new Uint32Array(8);
  hchacha(SIGMA, u32(key), u32(nonce.subarray(0, 16)), out);
  const nonce12 = Buffer.alloc(12);
  nonce12.set(nonce.subarray(16, 24), 4);
  return { subkey: Buffer.from(out.buffer), nonce12 };
}

/** `ciphertext ‖ tag(16)` of `plaintext`. */
export function xchachaEncrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const { subkey, nonce12 } = subkeyAndNonce(key, nonce);
  const cipher = createCipheriv('chacha20-poly1305', subkey, nonce12, { authTagLength: TAG_BYTES });
  subkey.fill(0);
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(head.length + tail.length + TAG_BYTES);
  out.set(head, 0);
  out.set(tail, head.length);
  out.set(tag, head.length + tail.length);
  return out;
}

/** The plaintext of `ciphertext ‖ tag`; throws when the tag does not verify. */
export function xchachaDecrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array {
  if (sealed.length < TAG_BYTES) throw new Error('ciphertext too short');
  const { subkey, nonce12 } = subkeyAndNonce(key, nonce);
  const decipher = createDecipheriv('chacha20-poly1305', subkey, nonce12, { authTagLength: TAG_BYTES });
  subkey.fill(0);
  const ct = sealed.subarray(0, sealed.length - TAG_BYTES);
  decipher.setAAD(aad, { plaintextLength: ct.length });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const head = decipher.update(ct);
  const tail = decipher.final(); // throws on a bad tag
  // A plain Uint8Array (as noble returned), and the intermediate buffers wiped: this may be a key.
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  head.fill(0);
  return out;
}

export function randomKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** `nonce(24) ‖ ciphertext+tag` of the vault key under the KEK. */
export function wrapVaultKey(kek: Uint8Array, vaultKey: Uint8Array, vaultId: string): Uint8Array {
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const ct = xchachaEncrypt(kek, nonce, utf8.encode(`keyden/1/vault-key/${vaultId}`), vaultKey);
  return concat(nonce, ct);
}

/** The vault key, or null when the tag fails (wrong password or damaged row). */
export function unwrapVaultKey(kek: Uint8Array, wrapped: Uint8Array, vaultId: string): Uint8Array | null {
  if (wrapped.length !== NONCE_BYTES + 32 + 16) return null;
  try {
    return xchachaDecrypt(kek, wrapped.subarray(0, NONCE_BYTES), utf8.encode(`keyden/1/vault-key/${vaultId}`), wrapped.subarray(NONCE_BYTES));
  } catch {
    return null;
  }
}

export interface Subkeys {
  overview: Uint8Array;
  secret: Uint8Array;
}

export function deriveSubkeys(vaultKey: Uint8Array): Subkeys {
  const salt = new Uint8Array(0);
  return {
    overview: hkdf(sha256, vaultKey, salt, utf8.encode('keyden/1/overview'), 32),
    secret: hkdf(sha256, vaultKey, salt, utf8.encode('keyden/1/secret'), 32),
  };
}

/** The AAD that binds a sealed column to its row: `keyden/1/<table>/<column>/<rowId>`. */
export function blobAad(table: string, column: string, rowId: string): Uint8Array {
  return utf8.encode(`keyden/1/${table}/${column}/${rowId}`);
}

export function seal(key: Uint8Array, aad: Uint8Array, value: unknown): Uint8Array {
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const ct = xchachaEncrypt(key, nonce, aad, utf8.encode(JSON.stringify(value)));
  const out = new Uint8Array(1 + NONCE_BYTES + ct.length);
  out[0] = BLOB_VERSION;
  out.set(nonce, 1);
  out.set(ct, 1 + NONCE_BYTES);
  return out;
}

/** The decrypted JSON, or null when the blob is malformed, tampered with or moved to another row. */
export function open(key: Uint8Array, aad: Uint8Array, blob: Uint8Array): unknown {
  if (blob.length < 1 + NONCE_BYTES + 16 || blob[0] !== BLOB_VERSION) return null;
  try {
    const pt = xchachaDecrypt(key, blob.subarray(1, 1 + NONCE_BYTES), aad, blob.subarray(1 + NONCE_BYTES));
    return JSON.parse(utf8Strict.decode(pt));
  } catch {
    return null;
  }
}

export function wipe(...buffers: (Uint8Array | null | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// Sealed blobs and key wrapping of DESIGN §3: XChaCha20-Poly1305 with a fresh 24-byte nonce.
import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

const BLOB_VERSION = 0x01;
const NONCE_BYTES = 24;
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export function randomKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** `nonce(24) ‖ ciphertext+tag` of the vault key under the KEK. */
export function wrapVaultKey(kek: Uint8Array, vaultKey: Uint8Array, vaultId: string): Uint8Array {
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const ct = xchacha20poly1305(kek, nonce, utf8.encode(`keyden/1/vault-key/${vaultId}`)).encrypt(vaultKey);
  return concat(nonce, ct);
}

/** The vault key, or null when the tag fails (wrong password or damaged row). */
export function unwrapVaultKey(kek: Uint8Array, wrapped: Uint8Array, vaultId: string): Uint8Array | null {
  if (wrapped.length !== NONCE_BYTES + 32 + 16) return null;
  try {
    return xchacha20poly1305(kek, wrapped.subarray(0, NONCE_BYTES), utf8.encode(`keyden/1/vault-key/${vaultId}`)).decrypt(
      wrapped.subarray(NONCE_BYTES),
    );
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
  const ct = xchacha20poly1305(key, nonce, aad).encrypt(utf8.encode(JSON.stringify(value)));
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
    const pt = xchacha20poly1305(key, blob.subarray(1, 1 + NONCE_BYTES), aad).decrypt(blob.subarray(1 + NONCE_BYTES));
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

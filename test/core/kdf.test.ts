import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { argon2id } from '@noble/hashes/argon2.js';
import { CLI, openKeydenCore } from '../../src/main/core/index.js';
import { deriveKek, forceKdfBackend, kdfBackend, newKdfParams, passwordBytes, type KdfBackend, type KdfParams } from '../../src/main/crypto/kdf.js';
import { ensureBuilt, ROOT } from '../cli/helpers.js';
import { createTestVault, PASSWORD, TEST_KDF } from '../helpers/core.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// The worked example of docs/vault-format.md (test/fixtures/vault-format/example.db).
const EXAMPLE = {
  password: 'Grüße aus Köln 2026',
  params: { alg: 'argon2id', version: 19, m: 256, t: 1, p: 1, salt: 'y2hpJuTmM0hgPETSLT6AKQ==' } satisfies KdfParams,
  kek: 'ee7b5e882eb6f75f428da6a10ecddeb712cf8a08cbd697060205594c9f081489',
};

afterEach(() => forceKdfBackend(null));

describe('key derivation', () => {
  it('uses the native Argon2id where its prebuilt binary loads', () => {
    expect(kdfBackend()).toBe('native');
  });

  it.each<KdfBackend>(['native', 'noble'])('derives the key of the worked example in docs/vault-format.md (%s)', async (backend) => {
    expect(hex(await deriveKek(EXAMPLE.password, EXAMPLE.params, { backend }))).toBe(EXAMPLE.kek);
  });

  it('derives the same bytes natively as noble does, for several parameters and passwords', async () => {
    for (const [password, cost] of [['pässwörd', { m: 1024, t: 2 }], ['', { m: 8, t: 1 }], ['correct horse', { m: 4096, t: 3 }]] as const) {
      const params = newKdfParams(cost);
      const native = await deriveKek(password, params, { backend: 'native' });
      const noble = await deriveKek(password, params, { backend: 'noble' });
      const reference = argon2id(passwordBytes(password), Buffer.from(params.salt, 'base64'), { m: cost.m, t: cost.t, p: 1, dkLen: 32, version: 0x13 });
      expect(hex(native)).toBe(hex(reference));
      expect(hex(noble)).toBe(hex(reference));
    }
  });

  it('treats composed and decomposed forms of a password as the same password', async () => {
    const params = newKdfParams({ m: 256, t: 1 });
    const composed = await deriveKek('caf\u00e9', params);
    const decomposed = await deriveKek('cafe\u0301', params);
    expect(hex(decomposed)).toBe(hex(composed));
  });

  it('derives with noble when the fallback is forced in code', async () => {
    forceKdfBackend('noble');
    expect(kdfBackend()).toBe('noble');
    expect(hex(await deriveKek(EXAMPLE.password, EXAMPLE.params))).toBe(EXAMPLE.kek);
  });

  it('falls back to noble by itself in a process where the native module does not load', () => {
    ensureBuilt();
    const script = `
      import(${JSON.stringify(path.join(ROOT, 'build/main/crypto/kdf.js'))}).then(async (kdf) => {
        const kek = await kdf.deriveKek(${JSON.stringify(EXAMPLE.password)}, ${JSON.stringify(EXAMPLE.params)});
        process.stdout.write(kdf.kdfBackend() + ' ' + Buffer.from(kek).toString('hex'));
      });`;
    const out = execFileSync(process.execPath, ['--require', path.join(ROOT, 'test/core/fixtures/no-native-argon2.cjs'), '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(out).toBe(`noble ${EXAMPLE.kek}`);
  });

  it.each<[KdfBackend, KdfBackend]>([
    ['native', 'noble'],
    ['noble', 'native'],
  ])('opens a vault made with %s Argon2id using %s', async (maker, opener) => {
    forceKdfBackend(maker);
    const v = await createTestVault();
    try {
      const c = v.core.categories.create(CLI, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
      v.core.entries.create(CLI, { categoryId: c.id, name: 'acme', value: 'sk-acme' });
      v.core.close();
      forceKdfBackend(opener);
      const core = openKeydenCore({ vaultPath: v.vaultPath, unsafeTestKdf: TEST_KDF });
      try {
        await core.vault.unlock(CLI, PASSWORD);
        expect(core.entries.list(CLI, {}).items.map((e) => e.name)).toEqual(['acme']);
      } finally {
        core.close();
      }
    } finally {
      v.close();
    }
  });

  it.each<[KdfBackend, number]>([
    ['native', 12],
    ['noble', 3],
  ])('keeps the event loop free while a 64 MiB derivation runs (%s, t=%i)', async (backend, t) => {
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    await deriveKek('correct horse', newKdfParams({ m: 65536, t }), { backend });
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // A blocked loop would show one gap as long as the whole derivation.
    expect(longestGap).toBeLessThan(elapsed / 2);
  });
});

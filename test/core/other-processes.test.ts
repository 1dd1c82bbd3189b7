// Other Keyden processes write beside this one. Most of all, one changes the key rows (kdf,
// wrapped_key) while this one's Argon2 runs:
// `keyden passwd` or `keyden passwd --rotate-key` commits beside an unlock, a rotation or a
// password change. An unlock starts again on the new key rows: neither a false "integrity
// record does not match" (an alarm that says "restore a backup") nor a wrong-password failure for
// the password the file now has. A rotation or password change that would write key rows made
// from the old ones is refused with nothing changed: written, the vault would open with neither
// password. `keyden verify` reports on one consistent state of the file, never a mix.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP, CLI, openKeydenCore, type OwnedCore } from '../../src/main/core/index.js';
import { KnownVaults } from '../../src/main/store/known-vaults.js';
import { copyFormat1Fixture, copyVault, createTestVault, FORMAT_1_FIXTURE, PASSWORD, putBackTables, TEST_KDF, type TestVault } from '../helpers/core.js';

/**
 * `beside` runs inside the next `times` Argon2 calls (after `skip` more), before each derives: the window in which
 * another process's rotation or password change commits beside an unlock. Argon2 calls made
 * by `beside` itself pass straight through.
 */
const gate = vi.hoisted(() => ({ beside: null as (() => Promise<unknown>) | null, times: 0, running: false, skip: 0 }));

/**
 * Another process's commit in the middle of this one's reads: `midRead.once.digest` runs once, the
 * next time a digest is computed (`keyden verify`), `midRead.once.tokens` the next time token rows
 * are loaded (the owner's look at the file).
 */
const midRead = vi.hoisted(() => {
  const once: Record<'digest' | 'tokens', (() => void) | null> = { digest: null, tokens: null };
  return {
    once,
    run(which: 'digest' | 'tokens'): void {
      const job = once[which];
      once[which] = null;
      job?.();
    },
  };
});

vi.mock('../../src/main/services/tokens.js', async (importOriginal) => {
  const tokens = await importOriginal<typeof import('../../src/main/services/tokens.js')>();
  return { ...tokens, loadTokens: (...args: Parameters<typeof tokens.loadTokens>) => (midRead.run('tokens'), tokens.loadTokens(...args)) };
});

vi.mock('../../src/main/store/integrity.js', async (importOriginal) => {
  const integrity = await importOriginal<typeof import('../../src/main/store/integrity.js')>();
  return { ...integrity, computeDigest: (...args: Parameters<typeof integrity.computeDigest>) => (midRead.run('digest'), integrity.computeDigest(...args)) };
});

vi.mock('../../src/main/crypto/kdf.js', async (importOriginal) => {
  const kdf = await importOriginal<typeof import('../../src/main/crypto/kdf.js')>();
  return {
    ...kdf,
    deriveKek: async (...args: Parameters<typeof kdf.deriveKek>) => {
      const beside = gate.beside;
      if (beside && !gate.running && gate.skip > 0) gate.skip--;
      else if (beside && !gate.running) {
        if (--gate.times === 0) gate.beside = null;
        gate.running = true;
        try {
          await beside();
        } finally {
          gate.running = false;
        }
      }
      return kdf.deriveKek(...args);
    },
  };
});

const NEW_PASSWORD = 'a brand new passphrase, long enough';

const cleanups: (() => void)[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  midRead.once.digest = null;
  midRead.once.tokens = null;
  gate.beside = null;
  gate.skip = 0;
  while (cleanups.length) cleanups.pop()!();
});

async function seeded(): Promise<{ v: TestVault; ids: string[]; knownVaultsPath: string }> {
  const v = await createTestVault();
  cleanups.push(() => v.close());
  const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
  const ids = ['Blog', 'Shop'].map((name) => v.core.entries.create(APP, { categoryId: c.id, name, value: `sk-${name}` }).id);
  v.core.tokens.create(APP, { name: 'ci', scopes: ['entries:read'] });
  v.core.vault.lock(APP);
  return { v, ids, knownVaultsPath: path.join(v.dir, 'known-vaults.json') };
}

function adminCore(vaultPath: string, knownVaultsPath: string): OwnedCore {
  const core = openKeydenCore({ vaultPath, role: 'admin', unsafeTestKdf: TEST_KDF, knownVaultsPath });
  cleanups.push(() => core.close());
  return core;
}

/** `beside` commits during the next Argon2 run (after `skip` runs), once. */
function besideNextArgon2(beside: () => Promise<unknown>, skip = 0): void {
  gate.beside = beside;
  gate.times = 1;
  gate.skip = skip;
}

/** Runs `unlock` with `beside` committing during its Argon2 (`times` of its attempts): the error it ends with, or null. */
function unlockAround(unlock: () => Promise<void>, beside: () => Promise<unknown>, times = 1): Promise<unknown> {
  gate.beside = beside;
  gate.times = times;
  return unlock().then(
    () => null,
    (e: unknown) => e,
  );
}

describe('an unlock while another process changes the key rows', () => {
  it('opens with the rotated key when the key was rotated while its Argon2 ran, and reveals every value', async () => {
    const { v, ids, knownVaultsPath } = await seeded();
    const admin = adminCore(v.vaultPath, knownVaultsPath);
    const error = await unlockAround(
      () => v.core.vault.unlock(APP, PASSWORD),
      () => admin.vault.rotateKey(CLI, PASSWORD),
    );
    expect(error).toBeNull();
    expect(v.core.entries.list(APP).items.map((e) => e.name).sort()).toEqual(['Blog', 'Shop']);
    expect((await v.core.entries.reveal(APP, ids[1]!)).value).toBe('sk-Shop');
    expect(v.core.tokens.list().map((t) => t.name)).toEqual(['ci']);
    expect(await v.core.vault.verify(PASSWORD)).toMatchObject({ recordOk: true, digestOk: true, failing: [] });
  });

  it('lets an admin command (token revoke) through a rotation beside its unlock', async () => {
    const { v, knownVaultsPath } = await seeded();
    v.core.close();
    const rotating = adminCore(v.vaultPath, knownVaultsPath);
    const revoking = adminCore(v.vaultPath, knownVaultsPath);
    const error = await unlockAround(
      () => revoking.vault.unlock(CLI, PASSWORD),
      () => rotating.vault.rotateKey(CLI, PASSWORD),
    );
    expect(error).toBeNull();
    const [token] = revoking.tokens.list();
    revoking.tokens.revoke(CLI, token!.id);
    expect(revoking.tokens.list()[0]!.revokedAt).not.toBeNull();
  });

  it('opens with the new password typed while the password was being changed beside it', async () => {
    const { v } = await seeded();
    const admin = adminCore(v.vaultPath, path.join(v.dir, 'known-vaults.json'));
    const error = await unlockAround(
      () => v.core.vault.unlock(APP, NEW_PASSWORD),
      () => admin.vault.changePassword(CLI, PASSWORD, NEW_PASSWORD),
    );
    expect(error).toBeNull();
    expect(v.core.entries.list(APP).total).toBe(2);
  });

  it('still refuses the old password once the password was changed beside the unlock', async () => {
    const { v } = await seeded();
    const admin = adminCore(v.vaultPath, path.join(v.dir, 'known-vaults.json'));
    const error = await unlockAround(
      () => v.core.vault.unlock(APP, PASSWORD),
      () => admin.vault.changePassword(CLI, PASSWORD, NEW_PASSWORD),
    );
    expect(error).toMatchObject({ code: 'INVALID_PASSWORD' });
    expect(v.core.vault.status().locked).toBe(true);
  });

  it('gives up with a clear error and stays locked when the key changes beside every attempt, and unlocks once it stops', async () => {
    const { v, ids, knownVaultsPath } = await seeded();
    const admin = adminCore(v.vaultPath, knownVaultsPath);
    const error = await unlockAround(
      () => v.core.vault.unlock(APP, PASSWORD),
      () => admin.vault.rotateKey(CLI, PASSWORD),
      3,
    );
    expect(error).toMatchObject({ code: 'VAULT_LOCKED', message: expect.stringContaining('kept changing') });
    expect(v.core.vault.status().locked).toBe(true);
    await v.core.vault.unlock(APP, PASSWORD);
    expect((await v.core.entries.reveal(APP, ids[0]!)).value).toBe('sk-Blog');
  });
});

describe('a rotation or password change while another process changes the key rows', () => {

  async function opensWith(vaultPath: string, knownVaultsPath: string, password: string, id: string): Promise<string> {
    const core = openKeydenCore({ vaultPath, unsafeTestKdf: TEST_KDF, knownVaultsPath });
    cleanups.push(() => core.close());
    await core.vault.unlock(APP, password);
    return (await core.entries.reveal(APP, id)).value as string;
  }

  it('refuses a rotation of a closed vault when the password was changed during its Argon2, and the vault opens with the new password', async () => {
    const { v, ids, knownVaultsPath } = await seeded();
    v.core.close();
    const rotating = adminCore(v.vaultPath, knownVaultsPath);
    const changing = adminCore(v.vaultPath, knownVaultsPath);
    const error = await rotating.vault.rotateKey(CLI, PASSWORD).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeNull(); // the gate is off: a plain rotation works
    besideNextArgon2(async () => {
      await changing.vault.unlock(CLI, PASSWORD);
      await changing.vault.changePassword(CLI, PASSWORD, NEW_PASSWORD);
    });
    await expect(rotating.vault.rotateKey(CLI, PASSWORD)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('password') });
    rotating.close();
    changing.close();
    expect(await opensWith(v.vaultPath, knownVaultsPath, NEW_PASSWORD, ids[1]!)).toBe('sk-Shop');
  });

  it('refuses a rotation by an unlocked owner when the password was changed during its Argon2, and the vault opens with the new password', async () => {
    const { v, ids, knownVaultsPath } = await seeded();
    await v.core.vault.unlock(APP, PASSWORD);
    const changing = adminCore(v.vaultPath, knownVaultsPath);
    besideNextArgon2(async () => {
      await changing.vault.unlock(CLI, PASSWORD);
      await changing.vault.changePassword(CLI, PASSWORD, NEW_PASSWORD);
    });
    await expect(v.core.vault.rotateKey(APP, PASSWORD)).rejects.toMatchObject({ code: 'CONFLICT' });
    v.core.close();
    changing.close();
    expect(await opensWith(v.vaultPath, knownVaultsPath, NEW_PASSWORD, ids[0]!)).toBe('sk-Blog');
  });

  it('refuses a password change when the key was rotated during its Argon2: the owner locks, and the vault opens with the old password', async () => {
    const { v, ids, knownVaultsPath } = await seeded();
    await v.core.vault.unlock(APP, PASSWORD);
    const rotating = adminCore(v.vaultPath, knownVaultsPath);
    besideNextArgon2(() => rotating.vault.rotateKey(CLI, PASSWORD));
    await expect(v.core.vault.changePassword(APP, PASSWORD, NEW_PASSWORD)).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    expect(v.core.vault.status().locked).toBe(true);
    v.core.close();
    rotating.close();
    expect(await opensWith(v.vaultPath, knownVaultsPath, PASSWORD, ids[1]!)).toBe('sk-Shop');
  });

  it('locks an owner whose rotation met another rotation beside it (not "tampered"), and the vault opens with its password', async () => {
    const { v, ids, knownVaultsPath } = await seeded();
    await v.core.vault.unlock(APP, PASSWORD);
    const rotating = adminCore(v.vaultPath, knownVaultsPath);
    besideNextArgon2(() => rotating.vault.rotateKey(CLI, PASSWORD));
    await expect(v.core.vault.rotateKey(APP, PASSWORD)).rejects.toMatchObject({ code: 'VAULT_LOCKED', message: expect.stringContaining('another Keyden process') });
    expect(v.core.vault.status().locked).toBe(true);
    await v.core.vault.unlock(APP, PASSWORD);
    expect((await v.core.entries.reveal(APP, ids[1]!)).value).toBe('sk-Shop');
  });

  it('refuses a rotation of a closed vault that met another rotation beside it with "run it again", and the vault opens', async () => {
    const { v, ids, knownVaultsPath } = await seeded();
    v.core.close();
    const first = adminCore(v.vaultPath, knownVaultsPath);
    const second = adminCore(v.vaultPath, knownVaultsPath);
    besideNextArgon2(() => second.vault.rotateKey(CLI, PASSWORD));
    await expect(first.vault.rotateKey(CLI, PASSWORD)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('run it again') });
    first.close();
    second.close();
    expect(await opensWith(v.vaultPath, knownVaultsPath, PASSWORD, ids[0]!)).toBe('sk-Blog');
  });

  it('tells an admin command whose key was rotated beside it to run it again (it has nothing to unlock)', async () => {
    const { v, ids, knownVaultsPath } = await seeded();
    v.core.close();
    const changing = adminCore(v.vaultPath, knownVaultsPath);
    const rotating = adminCore(v.vaultPath, knownVaultsPath);
    await changing.vault.unlock(CLI, PASSWORD);
    besideNextArgon2(() => rotating.vault.rotateKey(CLI, PASSWORD));
    await expect(changing.vault.changePassword(CLI, PASSWORD, NEW_PASSWORD)).rejects.toMatchObject({ code: 'VAULT_LOCKED', message: expect.stringMatching(/changed by another Keyden process.*nothing was changed: run it again/) });
    changing.close();
    rotating.close();
    expect(await opensWith(v.vaultPath, knownVaultsPath, PASSWORD, ids[1]!)).toBe('sk-Shop');
  });
});

describe('two password changes at once', () => {
  it('refuses the second to finish when the first changed the password during its Argon2: the password is the one its user was told', async () => {
    const { v, ids, knownVaultsPath } = await seeded();
    await v.core.vault.unlock(APP, PASSWORD);
    const other = adminCore(v.vaultPath, knownVaultsPath);
    const THEIRS = 'the other process set this passphrase';
    besideNextArgon2(async () => {
      await other.vault.unlock(CLI, PASSWORD);
      await other.vault.changePassword(CLI, PASSWORD, THEIRS);
    });
    await expect(v.core.vault.changePassword(APP, PASSWORD, 'this process wanted this passphrase')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('run it again') });
    v.core.close();
    other.close();
    const core = openKeydenCore({ vaultPath: v.vaultPath, unsafeTestKdf: TEST_KDF, knownVaultsPath });
    cleanups.push(() => core.close());
    await expect(core.vault.unlock(APP, 'this process wanted this passphrase')).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
    await core.vault.unlock(APP, THEIRS);
    expect((await core.entries.reveal(APP, ids[0]!)).value).toBe('sk-Blog');
  });
});

describe('an unlock that raises a vault\'s Argon2 parameters', () => {
  it('never puts back the old password when another process changed it while the new wrapping was made: the unlock starts again', async () => {
    const { v, ids, knownVaultsPath } = await seeded(); // made with the tests' cheap parameters, below the defaults
    v.core.close();
    // Opened as the product opens it: the cheap parameters are raised at unlock (one more Argon2 run, at the defaults).
    const owner = openKeydenCore({ vaultPath: v.vaultPath, knownVaultsPath });
    cleanups.push(() => owner.close());
    const other = adminCore(v.vaultPath, knownVaultsPath);
    // Skipping the unlock's own Argon2 run: the other process changes the password during the re-wrapping's.
    besideNextArgon2(async () => {
      await other.vault.unlock(CLI, PASSWORD);
      await other.vault.changePassword(CLI, PASSWORD, NEW_PASSWORD);
    }, 1);
    await expect(owner.vault.unlock(APP, PASSWORD)).rejects.toMatchObject({ code: 'INVALID_PASSWORD' });
    await owner.vault.unlock(APP, NEW_PASSWORD);
    expect((await owner.entries.reveal(APP, ids[1]!)).value).toBe('sk-Shop');
  }, 30_000);
});

/**
 * The next time this machine's known generation is asked for, `admin` (unlocked, another process)
 * commits on top of what the asker has read and records that generation first. Returns whether it has happened.
 */
function commitAndRecordAtNextKnown(admin: OwnedCore): () => boolean {
  const known = KnownVaults.prototype.known;
  let pending = true;
  vi.spyOn(KnownVaults.prototype, 'known').mockImplementation(function (this: KnownVaults, ...args) {
    if (pending) {
      pending = false;
      admin.tokens.create(CLI, { name: 'made beside', scopes: ['entries:read'] });
      admin.close(); // records the generation it committed
    }
    return known.apply(this, args);
  });
  return () => !pending;
}

describe('a commit beside an unlock after its snapshot was read', () => {
  it('is not taken for a rollback: the unlock starts again and opens the newer file', async () => {
    const { v, knownVaultsPath } = await seeded();
    const admin = adminCore(v.vaultPath, knownVaultsPath);
    await admin.vault.unlock(CLI, PASSWORD);
    const happened = commitAndRecordAtNextKnown(admin);
    await v.core.vault.unlock(APP, PASSWORD);
    expect(happened()).toBe(true);
    expect(v.core.tokens.list().map((t) => t.name).sort()).toEqual(['ci', 'made beside']);
  });
});

describe('a running owner looking at the file', () => {
  it('reads the integrity record and the token rows of one commit: a rotation committed between them does not drop every token (a 401): its next use finds the new key and locks (423)', async () => {
    const { v, knownVaultsPath } = await seeded();
    await v.core.vault.unlock(APP, PASSWORD);
    const { secret } = v.core.tokens.create(APP, { name: 'script', scopes: ['entries:read'] });
    // The same vault with its key rotated, made aside, to be put in place in one commit.
    const rotated = await copyVault(v.vaultPath, path.join(v.dir, 'rotated.db'));
    const aside = openKeydenCore({ vaultPath: rotated, role: 'admin', unsafeTestKdf: TEST_KDF, knownVaultsPath: path.join(v.dir, 'aside-known.json') });
    await aside.vault.rotateKey(CLI, PASSWORD);
    aside.close();
    // Another process commits, so the owner's next look reads the file; the rotation lands in the middle of that look.
    const other = adminCore(v.vaultPath, knownVaultsPath);
    await other.vault.unlock(CLI, PASSWORD);
    other.tokens.create(CLI, { name: 'beside', scopes: ['entries:read'] });
    midRead.once.tokens = () => putBackTables(v.vaultPath, rotated);
    v.core.refresh();
    expect(midRead.once.tokens).toBeNull();
    // The token is still known (not a 401 that tells a script its token is bad); using it writes
    // its last use, whose write finds the new key: 423, locked, saying why.
    expect(() => v.core.tokens.authenticate(secret)).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED', message: expect.stringContaining('another Keyden process') }));
    expect(v.core.vault.status().locked).toBe(true);
  });
});

describe('keyden verify beside other processes', () => {
  const clean = { recordOk: true, digestOk: true, failing: [], problem: null };

  it('reports a clean vault whose key was rotated while its Argon2 ran (it checks under the new key, not "does not match")', async () => {
    const { v, knownVaultsPath } = await seeded();
    v.core.close();
    const verifying = adminCore(v.vaultPath, knownVaultsPath);
    const rotating = adminCore(v.vaultPath, knownVaultsPath);
    besideNextArgon2(() => rotating.vault.rotateKey(CLI, PASSWORD));
    expect(await verifying.vault.verify(PASSWORD)).toMatchObject(clean);
  });

  it('reports a clean vault that a running owner wrote to in the middle of its reads (one snapshot, not "a row was deleted")', async () => {
    const { v, ids, knownVaultsPath } = await seeded();
    await v.core.vault.unlock(APP, PASSWORD);
    const verifying = adminCore(v.vaultPath, knownVaultsPath);
    midRead.once.digest = () => v.core.entries.update(APP, ids[0]!, { value: 'sk-Blog-2' });
    expect(await verifying.vault.verify(PASSWORD)).toMatchObject(clean);
    expect(midRead.once.digest).toBeNull();
    expect(await verifying.vault.verify(PASSWORD)).toMatchObject(clean);
  });

  it('does not call the file older than this machine has seen when another process committed and recorded right after its snapshot', async () => {
    const { v, knownVaultsPath } = await seeded();
    const verifying = adminCore(v.vaultPath, knownVaultsPath);
    const admin = adminCore(v.vaultPath, knownVaultsPath);
    await admin.vault.unlock(CLI, PASSWORD);
    const happened = commitAndRecordAtNextKnown(admin);
    expect(await verifying.vault.verify(PASSWORD)).toMatchObject(clean);
    expect(happened()).toBe(true);
  });
});

describe('a format 1 vault opened by two processes at once', () => {
  const expected = JSON.parse(fs.readFileSync(path.join(FORMAT_1_FIXTURE, 'expected.json'), 'utf8')) as { password: string; entries: { blog: { id: string; value: string } } };

  it('opens in the one whose unlock began first while the other upgraded it to format 2 (no rollback alarm), and both read the same values', async () => {
    const { vaultPath, knownVaultsPath } = copyFormat1Fixture();
    const owner = openKeydenCore({ vaultPath, unsafeTestKdf: TEST_KDF, knownVaultsPath });
    cleanups.push(() => owner.close());
    const admin = adminCore(vaultPath, knownVaultsPath);
    const error = await unlockAround(
      () => owner.vault.unlock(APP, expected.password),
      () => admin.vault.unlock(CLI, expected.password),
    );
    expect(error).toBeNull();
    expect((await owner.entries.reveal(APP, expected.entries.blog.id)).value).toBe(expected.entries.blog.value);
    expect((await admin.entries.reveal(CLI, expected.entries.blog.id)).value).toBe(expected.entries.blog.value);
    expect(await owner.vault.verify(expected.password)).toMatchObject({ format: 2, recordOk: true, digestOk: true, failing: [] });
  });

  it('is reported by keyden verify as the format 2 file it became when another process upgraded it during its Argon2 run', async () => {
    const { vaultPath, knownVaultsPath } = copyFormat1Fixture();
    const verifying = adminCore(vaultPath, knownVaultsPath);
    const upgrading = adminCore(vaultPath, knownVaultsPath);
    besideNextArgon2(() => upgrading.vault.unlock(CLI, expected.password));
    expect(await verifying.vault.verify(expected.password)).toMatchObject({ format: 2, recordOk: true, digestOk: true, failing: [], problem: null });
  });
});

// Auto-lock: the idle countdown, restarted by activity; immediate lock on sleep or shortcut.
import { describe, expect, it, vi } from 'vitest';
import { AutoLock } from '../../src/main/app/auto-lock.js';
import { ManualTimers } from '../e2e/support/fakes.js';
import { APP } from '../../src/main/core/types.js';
import { createTestVault, PASSWORD } from '../helpers/core.js';
import { testRuntime } from './runtime-fixture.js';

vi.mock('electron', () => ({}));
// Holds the next unlocks' key derivation until released, so a lock can arrive while one runs.
const kdf = vi.hoisted(() => ({ held: null as Promise<void> | null }));
vi.mock('../../src/main/crypto/kdf.js', async (original) => {
  const actual = await original<typeof import('../../src/main/crypto/kdf.js')>();
  return {
    ...actual,
    deriveKek: async (...args: Parameters<typeof actual.deriveKek>) => {
      if (kdf.held) await kdf.held;
      return actual.deriveKek(...args);
    },
  };
});

function setup(minutes = 10) {
  const timers = new ManualTimers();
  const state = { locked: false, reasons: [] as string[], minutes };
  const autoLock = new AutoLock({
    timers,
    minutes: () => state.minutes,
    isLocked: () => state.locked,
    lock: (reason) => {
      state.locked = true;
      state.reasons.push(reason);
    },
  });
  return { timers, state, autoLock };
}

describe('auto-lock', () => {
  it('locks after the configured idle minutes', () => {
    const { timers, state, autoLock } = setup(10);
    autoLock.activity();
    expect(timers.armed('auto-lock').map((t) => t.ms)).toEqual([600_000]);
    timers.fire('auto-lock');
    expect(state).toMatchObject({ locked: true, reasons: ['idle'] });
  });

  it('restarts the countdown on activity, keeping a single timer with the current setting', () => {
    const { timers, state, autoLock } = setup(10);
    autoLock.activity();
    state.minutes = 1;
    autoLock.activity();
    expect(timers.armed('auto-lock').map((t) => t.ms)).toEqual([60_000]);
  });

  it('does not arm while locked and locks at once on sleep, screen lock or the shortcut', () => {
    const { timers, state, autoLock } = setup();
    state.locked = true;
    autoLock.activity();
    expect(autoLock.armed).toBe(false);
    state.locked = false;
    autoLock.activity();
    autoLock.lockNow('sleep');
    expect(state.reasons).toEqual(['sleep']);
    expect(timers.armed('auto-lock')).toEqual([]);
    autoLock.lockNow('shortcut');
    expect(state.reasons).toEqual(['sleep']); // already locked: nothing more
  });
});

describe('a lock asked for while an unlock runs', () => {
  for (const reason of ['sleep', 'screen-lock', 'shortcut'] as const) {
    it(`${reason} during the unlock's key derivation leaves the vault locked, and the unlock says so`, async () => {
      const v = await createTestVault();
      try {
        const rt = testRuntime(v);
        v.core.vault.lock(APP);
        let release = (): void => {};
        kdf.held = new Promise((resolve) => (release = resolve));
        const unlocking = rt.dispatch('vault.unlock', { password: PASSWORD }); // Enter pressed…
        await vi.waitFor(() => expect(v.core.vault.unlockPending()).toBe(true));
        rt.autoLock.lockNow(reason); // …then, while the key is derived, the lid closed, the screen locked, or Ctrl+L
        kdf.held = null;
        release();
        expect(await unlocking).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
        expect(v.core.vault.status().locked).toBe(true);
        await rt.shutdown();
      } finally {
        v.close();
      }
    });
  }
});

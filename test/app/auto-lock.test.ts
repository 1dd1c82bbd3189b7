// Auto-lock: the idle countdown, restarted by activity; immediate lock on sleep or shortcut.
import { describe, expect, it, vi } from 'vitest';
import { AutoLock } from '../../src/main/app/auto-lock.js';
import { ManualTimers } from '../e2e/support/fakes.js';

vi.mock('electron', () => ({}));

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

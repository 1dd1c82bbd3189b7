// Updates behind a setting (issue 13, "Ready to ship"): electron-updater never downloads or
// installs on its own; a check runs only while the setting is on; only macOS and Windows (where the
// OS verifies the signature) install from inside the app. electron-updater is a recording fake.
import { describe, expect, it } from 'vitest';
import { RELEASES_URL, Updates, type UpdaterPort } from '../../src/main/app/updates.js';
import { fakeUpdater } from '../helpers/fake-updater.js';
import type { UpdateStatus } from '../../src/shared/ipc.js';
import type { Timers } from '../../src/main/app/timers.js';

function manualTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  const timers: Timers = {
    set: (fn, ms) => {
      const t = { fn, ms };
      pending.push(t);
      return t;
    },
    clear: (h) => {
      const i = pending.indexOf(h as (typeof pending)[number]);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return { timers, pending };
}

function make(platform: NodeJS.Platform, updater: UpdaterPort | null, enabled = true) {
  const changes: UpdateStatus[] = [];
  const { timers, pending } = manualTimers();
  const state = { enabled };
  const updates = new Updates({ updater, platform, currentVersion: '0.2.0', enabled: () => state.enabled, timers, onChange: (s) => changes.push(s), now: () => '2026-12-04T00:00:00.000Z' });
  return { updates, changes, pending, state };
}

describe('the updater', () => {
  it('is restrained at once: no automatic download, no install on quit, no downgrade or prerelease', () => {
    const { updater } = fakeUpdater('0.3.0');
    make('darwin', updater);
    expect(updater).toMatchObject({ autoDownload: false, autoInstallOnAppQuit: false, allowDowngrade: false, allowPrerelease: false });
  });

  it('does nothing where the build is not packaged', async () => {
    const { updates } = make('darwin', null);
    expect(updates.get().state).toBe('unsupported');
    expect((await updates.check()).state).toBe('unsupported');
  });

  it('checks only while the setting is on, and a check never downloads', async () => {
    const { updater, calls } = fakeUpdater('0.3.0');
    const { updates, state } = make('win32', updater, false);
    expect((await updates.check()).state).toBe('idle');
    expect(calls).toEqual([]);
    state.enabled = true;
    expect(await updates.check()).toMatchObject({ state: 'available', version: '0.3.0', installs: true, checkedAt: '2026-12-04T00:00:00.000Z' });
    expect(calls).toEqual(['check']);
  });

  it('downloads on the user’s click and installs (the OS verifying it) only on a second click', async () => {
    const { updater, calls } = fakeUpdater('0.3.0');
    const { updates, changes } = make('darwin', updater);
    expect(updates.install().state).toBe('idle');
    await updates.check();
    expect((await updates.download()).state).toBe('ready');
    expect(calls).toEqual(['check', 'download']);
    updates.install();
    expect(calls.at(-1)).toBe('install silent=false run=true');
    expect(changes.map((c) => c.state)).toEqual(['checking', 'available', 'downloading', 'ready']);
  });

  it('on Linux says where to get a new version and downloads nothing', async () => {
    const { updater, calls } = fakeUpdater('0.3.0');
    const { updates } = make('linux', updater);
    expect(await updates.check()).toMatchObject({ state: 'available', installs: false, releasesUrl: RELEASES_URL });
    const after = await updates.download();
    expect(after.state).toBe('available');
    expect(after.message).toContain(RELEASES_URL);
    expect(calls).toEqual(['check']);
  });

  it('says "up to date" when the feed has this version or none', async () => {
    expect((await make('darwin', fakeUpdater('0.2.0').updater).updates.check()).state).toBe('none');
    expect((await make('darwin', fakeUpdater(null).updater).updates.check()).state).toBe('none');
  });

  it('says "up to date" when the feed holds an older version (no downgrade is offered)', async () => {
    const { updates } = make('win32', fakeUpdater('0.1.0', { older: true }).updater);
    expect(await updates.check()).toMatchObject({ state: 'none', version: null });
  });

  it('downloads and installs only while the setting is still on', async () => {
    const fake = fakeUpdater('0.3.0');
    const { updates, state } = make('darwin', fake.updater);
    expect((await updates.check()).state).toBe('available');
    state.enabled = false;
    expect((await updates.download()).state).toBe('available');
    state.enabled = true;
    expect((await updates.download()).state).toBe('ready');
    state.enabled = false;
    updates.install();
    expect(fake.calls).toEqual(['check', 'download']);
  });

  it('reports a failed check or download without the feed’s message (it may hold URLs and paths)', async () => {
    const failing = make('darwin', fakeUpdater(null, { failCheck: new Error('net::ERR https://example.invalid/latest-mac.yml /Users/ada') }).updater);
    const checked = await failing.updates.check();
    expect(checked.state).toBe('error');
    expect(checked.message).not.toContain('example.invalid');
    const dl = make('win32', fakeUpdater('0.3.0', { failDownload: new TypeError('C:\\Users\\ada\\AppData') }).updater);
    await dl.updates.check();
    const downloaded = await dl.updates.download();
    expect(downloaded).toMatchObject({ state: 'error', message: 'the update check failed (TypeError)' });
  });

  it('checks 10 s after start and then daily, only while enabled', async () => {
    const { updater, calls } = fakeUpdater('0.3.0');
    const { updates, pending, state } = make('darwin', updater, false);
    updates.start();
    expect(pending.map((p) => p.ms)).toEqual([10_000]);
    pending.shift()!.fn();
    expect(calls).toEqual([]);
    expect(pending.map((p) => p.ms)).toEqual([86_400_000]);
    state.enabled = true;
    pending.shift()!.fn();
    await Promise.resolve();
    expect(calls).toEqual(['check']);
    updates.stop();
    expect(pending).toEqual([]);
  });
});

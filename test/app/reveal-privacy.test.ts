// DESIGN §4 "The shell": while a revealed value is on screen the window is excluded from screen
// capture (a setting, on by default), until the page hides it again or the vault locks.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP } from '../../src/main/core/types.js';
import { DEFAULT_SETTINGS } from '../../src/shared/model.js';
import { createTestVault, type TestVault } from '../helpers/core.js';
import { testRuntime } from './runtime-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  while (cleanups.length) await cleanups.pop()!();
});

interface App {
  v: TestVault;
  protects: boolean[];
  entryId: string;
  reveal: () => Promise<unknown>;
  createToken: () => Promise<unknown>;
  closeTokenDialog: () => Promise<unknown>;
  dispatchSettings: (patch: { hideWhileRevealed: boolean }) => Promise<unknown>;
}

async function appWithEntry(): Promise<App> {
  const v = await createTestVault();
  cleanups.push(() => v.close());
  const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
  const entryId = v.core.entries.create(APP, { categoryId: c.id, name: 'Blog', value: 'sk-blog' }).id;
  const protects: boolean[] = [];
  const runtime = testRuntime(v, {
    info: { version: v.core.version, platform: 'win32', revealSeconds: 30, canInstallCli: false },
    screen: { protect: (on) => protects.push(on) },
  });
  cleanups.push(() => runtime.shutdown());
  return {
    v,
    protects,
    entryId,
    reveal: () => runtime.dispatch('entries.reveal', { id: entryId }),
    createToken: () => runtime.dispatch('tokens.create', { name: 'deploy', scopes: ['entries:read'] }),
    closeTokenDialog: () => runtime.dispatch('tokens.secretClosed', undefined),
    dispatchSettings: (patch) => runtime.dispatch('settings.update', patch),
  };
}

describe('the window while a value is revealed', () => {
  it('is protected from screen capture on by default, from the reveal until the page has hidden it', async () => {
    expect(DEFAULT_SETTINGS.hideWhileRevealed).toBe(true);
    const { protects, reveal } = await appWithEntry();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    expect(await reveal()).toMatchObject({ ok: true });
    expect(protects).toEqual([true]);
    vi.advanceTimersByTime(29_000);
    expect(protects).toEqual([true]);
    vi.advanceTimersByTime(2_000);
    expect(protects).toEqual([true, false]);
  });

  it('drops the protection when the vault locks', async () => {
    const { v, protects, reveal } = await appWithEntry();
    await reveal();
    v.core.vault.lock(APP);
    expect(protects).toEqual([true, false]);
  });

  it('leaves the window alone when the setting is off', async () => {
    const { v, protects, reveal } = await appWithEntry();
    v.core.vault.updateSettings(APP, { hideWhileRevealed: false });
    await reveal();
    expect(protects).toEqual([]);
  });

  it("keeps a new token's secret out of screen capture until the page closes its dialog, however long it stays open", async () => {
    const { protects, createToken, closeTokenDialog } = await appWithEntry();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    expect(await createToken()).toMatchObject({ ok: true });
    expect(protects).toEqual([true]);
    vi.advanceTimersByTime(10 * 60_000);
    expect(protects).toEqual([true]);
    expect(await closeTokenDialog()).toMatchObject({ ok: true });
    expect(protects).toEqual([true, false]);
  });

  it("keeps a value revealed while a token's secret is shown protected for its own time after the dialog closes", async () => {
    const { protects, reveal, createToken, closeTokenDialog } = await appWithEntry();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await createToken();
    await reveal();
    await closeTokenDialog();
    expect(protects.at(-1)).toBe(true);
    vi.advanceTimersByTime(29_000);
    expect(protects.at(-1)).toBe(true);
    vi.advanceTimersByTime(2_000);
    expect(protects.at(-1)).toBe(false);
  });

  it("keeps a token's secret protected when a value revealed meanwhile is hidden again", async () => {
    const { protects, reveal, createToken } = await appWithEntry();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await createToken();
    await reveal();
    vi.advanceTimersByTime(31_000);
    expect(protects).not.toContain(false);
  });

  it('ends the protection at once when the setting is turned off', async () => {
    const { protects, reveal, createToken, dispatchSettings } = await appWithEntry();
    await createToken();
    await reveal();
    expect(await dispatchSettings({ hideWhileRevealed: false })).toMatchObject({ ok: true });
    expect(protects.at(-1)).toBe(false);
  });

  it("ends a token's protection when the vault locks with its dialog open", async () => {
    const { v, protects, createToken } = await appWithEntry();
    await createToken();
    v.core.vault.lock(APP);
    expect(protects).toEqual([true, false]);
  });
});

// Linux's PRIMARY selection: text selected in a revealed value is cleared from it once the value
// leaves the screen (the page's reveal timer, a lock, the new-token dialog closing, quitting).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP } from '../../src/main/core/types.js';
import type { SelectionPort } from '../../src/main/app/selection.js';
import { electronSelection } from '../../src/main/app/electron-ports.js';
import { createTestVault, type TestVault } from '../helpers/core.js';
import { ManualTimers } from '../e2e/support/fakes.js';
import { testRuntime } from './runtime-fixture.js';

const primary = vi.hoisted(() => ({ readText: async () => 'selected text', clear: () => undefined }));
vi.mock('electron', () => ({ clipboard: { selection: primary } }));

class FakeSelection implements SelectionPort {
  text = '';
  clears = 0;
  async readText(): Promise<string> {
    return this.text;
  }
  clear(): void {
    this.text = '';
    this.clears++;
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setUp() {
  const v: TestVault = await createTestVault();
  cleanups.push(() => v.close());
  const selection = new FakeSelection();
  const timers = new ManualTimers();
  const runtime = testRuntime(v, { selection, timers });
  cleanups.push(() => runtime.shutdown());
  const simple = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
  const group = v.core.categories.create(APP, { name: 'DB', keyType: 'group', fields: ['USER', 'PASS'] });
  const key = v.core.entries.create(APP, { categoryId: simple.id, name: 'Blog', value: 'sk-proj-abcdef123456' });
  const db = v.core.entries.create(APP, { categoryId: group.id, name: 'Blog', value: { USER: 'admin', PASS: 'hunter2-long-pass' } });
  return { v, selection, timers, runtime, key, db };
}

/** Lets the guard's read of the selection (a promise) settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the PRIMARY selection (Linux's middle-click paste)", () => {
  it('is cleared once a revealed value leaves the screen, if the user selected that value', async () => {
    const { selection, timers, runtime, key } = await setUp();
    expect(await runtime.dispatch('entries.reveal', { id: key.id })).toMatchObject({ ok: true });
    selection.text = 'sk-proj-abcdef123456';
    expect(timers.armed('selection.clear')).toEqual([expect.objectContaining({ ms: 30_500 })]);
    timers.fire('selection.clear');
    await settle();
    expect(selection.text).toBe('');
    expect(selection.clears).toBe(1);
  });

  it('is cleared when it holds a piece of a group field or the field with the text around it', async () => {
    const { selection, timers, runtime, db } = await setUp();
    for (const selected of ['hunter2', 'PASS: hunter2-long-pass\nUSER: admin']) {
      await runtime.dispatch('entries.reveal', { id: db.id });
      selection.text = selected;
      timers.fire('selection.clear');
      await settle();
      expect(selection.text, selected).toBe('');
    }
    expect(selection.clears).toBe(2);
  });

  it("is left alone when it holds the user's own text, or only a few characters that also occur in the value", async () => {
    const { selection, timers, runtime, key } = await setUp();
    for (const selected of ['some notes from another program', 'abc', 'project sk']) {
      await runtime.dispatch('entries.reveal', { id: key.id });
      selection.text = selected;
      timers.fire('selection.clear');
      await settle();
      expect(selection.text).toBe(selected);
    }
    expect(selection.clears).toBe(0);
  });

  it('is cleared at once when the vault locks, before the reveal timer', async () => {
    const { selection, runtime, key } = await setUp();
    await runtime.dispatch('entries.reveal', { id: key.id });
    selection.text = 'abcdef123456';
    await runtime.dispatch('vault.lock', undefined);
    await settle();
    expect(selection.text).toBe('');
  });

  it("is cleared of an earlier version's value revealed in History", async () => {
    const { v, selection, timers, runtime, key } = await setUp();
    v.core.entries.update(APP, key.id, { value: 'sk-proj-rotated-999999' });
    expect(await runtime.dispatch('entries.revealVersion', { id: key.id, version: 1 })).toMatchObject({ ok: true, value: { value: 'sk-proj-abcdef123456' } });
    selection.text = 'sk-proj-abcdef123456';
    timers.fire('selection.clear');
    await settle();
    expect(selection.text).toBe('');
  });

  it("is cleared of a new token's secret when its dialog closes, not before", async () => {
    const { selection, timers, runtime } = await setUp();
    const made = await runtime.dispatch('tokens.create', { name: 'ci', scopes: ['entries:read'] });
    expect(made).toMatchObject({ ok: true, value: { secret: expect.stringMatching(/^kdn_/) } });
    const { secret } = (made as { value: { secret: string } }).value;
    selection.text = secret;
    timers.fire('selection.clear');
    await settle();
    expect(selection.text).toBe(secret);
    await runtime.dispatch('tokens.secretClosed', undefined);
    expect(selection.text).toBe('');
  });

  it("is Electron's clipboard.selection on Linux, and absent on Windows and macOS", async () => {
    const port = electronSelection('linux');
    expect(await port?.readText()).toBe('selected text');
    expect(electronSelection('win32')).toBeNull();
    expect(electronSelection('darwin')).toBeNull();
  });
});

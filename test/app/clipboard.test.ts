// Clipboard copy in main: cleared after N seconds only if it still holds Keyden's value.
import { describe, expect, it, vi } from 'vitest';
import { ClipboardGuard } from '../../src/main/app/clipboard.js';
import { ManualTimers, RecordingClipboard } from '../e2e/support/fakes.js';

const written: { items: unknown[] }[] = [];
vi.mock('electron', () => ({
  clipboard: {
    text: '',
    async writeText(t: string) {
      this.text = t;
    },
    async readText() {
      return this.text;
    },
    async write(items: unknown[]) {
      written.push({ items });
    },
    clear() {
      this.text = '';
    },
  },
  ClipboardItem: class {
    constructor(readonly data: Record<string, string | Blob>) {}
  },
  dialog: {},
}));

describe('the clipboard guard', () => {
  it('clears the clipboard when the time is up and it still holds the copied value', async () => {
    const port = new RecordingClipboard();
    const timers = new ManualTimers();
    const guard = new ClipboardGuard(port, timers);
    await guard.copy('sk-secret', 30);
    expect(port.text).toBe('sk-secret');
    expect(timers.armed('clipboard.clear').map((t) => t.ms)).toEqual([30_000]);
    timers.fire('clipboard.clear');
    await vi.waitFor(() => expect(port.clears).toBe(1));
    expect(port.text).toBe('');
  });

  it('leaves the clipboard alone when the user copied something else meanwhile', async () => {
    const port = new RecordingClipboard();
    const timers = new ManualTimers();
    const guard = new ClipboardGuard(port, timers);
    await guard.copy('sk-secret', 30);
    port.text = 'my own text';
    await expect(guard.clearIfUnchanged()).resolves.toBe(false);
    expect(port.text).toBe('my own text');
    expect(port.clears).toBe(0);
  });

  it('restarts the countdown on a second copy and clears only once', async () => {
    const port = new RecordingClipboard();
    const timers = new ManualTimers();
    const guard = new ClipboardGuard(port, timers);
    await guard.copy('first', 30);
    await guard.copy('second', 10);
    expect(timers.armed('clipboard.clear').map((t) => t.ms)).toEqual([10_000]);
    await expect(guard.clearIfUnchanged()).resolves.toBe(true);
    await expect(guard.clearIfUnchanged()).resolves.toBe(false);
    expect(port.clears).toBe(1);
  });

  it('asks the OS to conceal the value and keeps no copy of it', async () => {
    const port = new RecordingClipboard();
    const guard = new ClipboardGuard(port, new ManualTimers());
    await guard.copy('sk-secret', 30);
    expect(port.writes).toEqual([{ text: 'sk-secret', concealed: true }]);
    expect(JSON.stringify({ ...guard, port: null })).not.toContain('sk-secret'); // only a hash is kept
  });

  it('marks the item concealed on macOS in the same atomic write as the text', async () => {
    const { electronClipboard } = await import('../../src/main/app/electron-ports.js');
    await electronClipboard('darwin').writeText('sk-secret', { concealed: true });
    const item = written.at(-1)?.items[0] as { data: Record<string, string> };
    expect(item.data['text/plain']).toBe('sk-secret');
    expect(Object.keys(item.data).some((k) => k.includes('org.nspasteboard.ConcealedType'))).toBe(true);
  });

  it('keeps a secret out of Windows clipboard history and cloud sync, in the same atomic write as the text', async () => {
    const { electronClipboard } = await import('../../src/main/app/electron-ports.js');
    await electronClipboard('win32').writeText('sk-secret', { concealed: true });
    expect(written.at(-1)?.items).toHaveLength(1);
    const item = written.at(-1)?.items[0] as { data: Record<string, string | Blob> };
    expect(item.data['text/plain']).toBe('sk-secret');
    const format = (name: string) => item.data[`electron application/osclipboard;format="${name}"`];
    expect(format('ExcludeClipboardContentFromMonitorProcessing')).toBeInstanceOf(Blob);
    for (const name of ['CanIncludeInClipboardHistory', 'CanUploadToCloudClipboard']) {
      expect([...new Uint8Array(await (format(name) as Blob).arrayBuffer())], name).toEqual([0, 0, 0, 0]);
    }
  });

  it('marks a secret for KDE Klipper and other Linux clipboard managers with x-kde-passwordManagerHint', async () => {
    const { electronClipboard } = await import('../../src/main/app/electron-ports.js');
    await electronClipboard('linux').writeText('sk-secret', { concealed: true });
    const item = written.at(-1)?.items[0] as { data: Record<string, string> };
    expect(item.data['text/plain']).toBe('sk-secret');
    expect(item.data['electron application/osclipboard;format="x-kde-passwordManagerHint"']).toBe('secret');
  });
});

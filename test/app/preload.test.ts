// The preload exposes one namespaced bridge and nothing else: no ipcRenderer, no process.
import { describe, expect, it, vi } from 'vitest';
import { allChannels, BRIDGE_API, IPC_EVENT_CHANNEL, IPC_PREFIX } from '../../src/shared/ipc-channels.js';

const exposed = new Map<string, unknown>();
const invoked: { channel: string; input: unknown }[] = [];
const subscriptions = new Map<string, (event: unknown, ...args: unknown[]) => void>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, input: unknown) => {
      invoked.push({ channel, input });
      return { ok: true, value: null };
    },
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => subscriptions.set(channel, listener),
  },
}));

await import('../../src/preload/index.js');
const bridge = exposed.get('keyden') as Record<string, Record<string, (input?: unknown) => Promise<unknown>>> & {
  events: { on(event: string, listener: (payload: unknown) => void): () => void };
};

describe('the preload bridge', () => {
  it('exposes only window.keyden, with one namespace per domain and no generic invoke', () => {
    expect([...exposed.keys()]).toEqual(['keyden']);
    expect(Object.keys(bridge).sort()).toEqual([...Object.keys(BRIDGE_API), 'events'].sort());
    for (const [ns, methods] of Object.entries(BRIDGE_API)) expect(Object.keys(bridge[ns]!).sort()).toEqual([...methods].sort());
    expect(JSON.stringify(Object.keys(bridge))).not.toMatch(/ipcRenderer|invoke|send|process/);
  });

  it('sends each method to its own keyden: channel with the input as given', async () => {
    await bridge.entries!.reveal!({ id: 'x' });
    await bridge.vault!.lock!();
    expect(invoked).toEqual([
      { channel: `${IPC_PREFIX}entries.reveal`, input: { id: 'x' } },
      { channel: `${IPC_PREFIX}vault.lock`, input: undefined },
    ]);
    expect(allChannels()).toContain('entries.reveal');
  });

  it('delivers main’s events to listeners until they unsubscribe, and refuses unknown events', () => {
    const got: unknown[] = [];
    const off = bridge.events.on('vault.lockChanged', (p) => got.push(p));
    subscriptions.get(IPC_EVENT_CHANNEL)!({}, 'vault.lockChanged', { locked: true });
    off();
    subscriptions.get(IPC_EVENT_CHANNEL)!({}, 'vault.lockChanged', { locked: false });
    expect(got).toEqual([{ locked: true }]);
    expect(() => bridge.events.on('anything.else', () => {})).toThrow();
  });
});

// The IPC gate: unknown channels, foreign frames and bad payloads are refused before any handler.
import { describe, expect, it, vi } from 'vitest';
import { IPC_PREFIX } from '../../src/shared/ipc-channels.js';

type Handler = (event: unknown, input: unknown) => Promise<unknown>;
const registered = new Map<string, Handler>();

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: Handler) => registered.set(channel, handler),
    removeHandler: (channel: string) => registered.delete(channel),
  },
}));

const { ipcMain } = await import('electron');
const { registerIpc } = await import('../../src/main/app/ipc-main.js');
const { createDispatch, isAppSender } = await import('../../src/main/app/dispatch.js');
type Handlers = import('../../src/main/app/dispatch.js').Handlers;

const APP_ORIGIN = 'app://keyden';
const appContents = { id: 1 };
const topFrame = { url: `${APP_ORIGIN}/index.html`, parent: null };
const calls: string[] = [];
// Only the handlers these tests reach; the rest would be a bug to call.
const handlers = new Proxy({} as Handlers, {
  get: (_t, channel: string) => (input: unknown) => {
    calls.push(channel);
    return { echoed: input };
  },
});
const dispatch = createDispatch(handlers);
registerIpc(ipcMain as unknown as import('electron').IpcMain, dispatch, { window: () => ({ webContents: appContents }) as unknown as import('electron').BrowserWindow, appOrigin: APP_ORIGIN });
const invoke = (channel: string, event: unknown, input?: unknown) => registered.get(`${IPC_PREFIX}${channel}`)!(event, input);

describe('the IPC layer', () => {
  it('registers exactly the contract channels, all under the keyden: prefix', () => {
    expect(registered.size).toBeGreaterThan(30);
    for (const name of registered.keys()) expect(name.startsWith(IPC_PREFIX)).toBe(true);
  });

  it('answers the app’s own top frame after validating the payload', async () => {
    const id = '0b5c5a59-2a63-4c0e-9a59-3f4f3d3f8f11';
    await expect(invoke('entries.reveal', { sender: appContents, senderFrame: topFrame }, { id })).resolves.toEqual({ ok: true, value: { echoed: { id } } });
  });

  it('refuses a sub-frame, another page or another window, before any handler runs', async () => {
    calls.length = 0;
    const id = '0b5c5a59-2a63-4c0e-9a59-3f4f3d3f8f11';
    const foreign = [
      { sender: appContents, senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: topFrame } },
      { sender: appContents, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: { id: 2 }, senderFrame: topFrame },
      { sender: appContents, senderFrame: null },
    ];
    for (const event of foreign) await expect(invoke('entries.reveal', event, { id })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    expect(calls).toEqual([]);
  });

  it('refuses an unknown channel', async () => {
    await expect(dispatch('entries.dumpAll', undefined)).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    await expect(dispatch('__proto__', undefined)).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(registered.has(`${IPC_PREFIX}entries.dumpAll`)).toBe(false);
  });

  it('refuses a payload that does not match the contract, naming the field', async () => {
    calls.length = 0;
    const result = await invoke('entries.reveal', { sender: appContents, senderFrame: topFrame }, { id: 'not-a-uuid', extra: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(calls).toEqual([]);
  });

  it('compares scheme and host, since a custom scheme has an opaque URL origin', () => {
    expect(isAppSender({ sender: appContents, senderFrame: { url: 'app://keyden/x', parent: null } }, appContents, APP_ORIGIN)).toBe(true);
    expect(isAppSender({ sender: appContents, senderFrame: { url: 'app://other/x', parent: null } }, appContents, APP_ORIGIN)).toBe(false);
    expect(isAppSender({ sender: appContents, senderFrame: { url: 'not a url', parent: null } }, appContents, APP_ORIGIN)).toBe(false);
  });
});

// The Electron main process wiring, with Electron mocked and a real core in a temp KEYDEN_HOME:
// single-instance lock, privileged scheme, locked-down window, one IPC handler per channel,
// sleep locks the vault and tells the page.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { allChannels, IPC_EVENT_CHANNEL, IPC_PREFIX } from '../../src/shared/ipc-channels.js';

const home = mkdtempSync(join(tmpdir(), 'keyden-main-'));
process.env.KEYDEN_HOME = home;

type Listener = (...args: unknown[]) => unknown;
const electron = vi.hoisted(() => {
  const appEvents = new Map<string, Listener>();
  const power = new Map<string, Listener>();
  const ipc = new Map<string, Listener>();
  const sent: unknown[][] = [];
  const windows: { options: Record<string, unknown>; url: string | null; webContents: Record<string, unknown>; events: Map<string, Listener> }[] = [];
  const order: string[] = [];
  let ready: () => void = () => {};
  const whenReady = new Promise<void>((ok) => (ready = ok));
  let quit: () => void = () => {};
  const quitted = new Promise<void>((ok) => (quit = ok));
  return { appEvents, power, ipc, sent, windows, order, whenReady, ready: () => ready(), quitted, quit: () => quit() };
});

vi.mock('electron', () => {
  const session = { setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {}, on: () => {} };
  class BrowserWindow {
    readonly webContents = { on: () => {}, setWindowOpenHandler: () => {}, session, send: (...args: unknown[]) => electron.sent.push(args), mainFrame: {} };
    private readonly record: (typeof electron.windows)[number];
    constructor(options: Record<string, unknown>) {
      this.record = { options, url: null, webContents: this.webContents, events: new Map() };
      electron.windows.push(this.record);
      electron.order.push('window');
    }
    once(): void {}
    on(event: string, listener: Listener): void {
      this.record.events.set(event, listener);
    }
    isDestroyed(): boolean {
      return false;
    }
    async loadURL(url: string): Promise<void> {
      this.record.url = url;
    }
  }
  return {
    app: {
      requestSingleInstanceLock: () => (electron.order.push('single-instance'), true),
      whenReady: () => electron.whenReady,
      on: (event: string, listener: Listener) => electron.appEvents.set(event, listener),
      quit: () => electron.quit(),
      isPackaged: false,
      commandLine: { hasSwitch: () => false },
      getAppPath: () => '/app',
      getVersion: () => '0.1.0',
    },
    BrowserWindow,
    ipcMain: { handle: (channel: string, listener: Listener) => electron.ipc.set(channel, listener), removeHandler: () => {} },
    Menu: { buildFromTemplate: () => ({}), setApplicationMenu: () => {} },
    powerMonitor: { on: (event: string, listener: Listener) => electron.power.set(event, listener) },
    protocol: { registerSchemesAsPrivileged: () => electron.order.push('scheme'), handle: () => electron.order.push('protocol') },
    net: { fetch: async () => new Response('') },
    dialog: { showErrorBox: (title: string, text: string) => electron.order.push(`error: ${title}: ${text}`) },
    clipboard: { writeText: async () => {}, readText: async () => '', clear: () => {} },
    ClipboardItem: class {},
    nativeTheme: { shouldUseDarkColors: false },
  };
});
// The Electron-ABI better-sqlite3 only exists where `npm run build:electron-native` ran: use npm's build.
vi.mock('../../src/main/app/paths.js', () => ({ electronSqliteBinding: () => null }));

await import('../../src/main/app/index.js');
const { CLI, openKeydenCore } = await import('../../src/main/core/index.js');
electron.ready();
await vi.waitFor(() => expect(electron.windows).toHaveLength(1));

const win = electron.windows[0]!;
const appEvent = { sender: win.webContents, senderFrame: { url: 'app://keyden/index.html', parent: null } };
const invoke = (channel: string, input?: unknown) => electron.ipc.get(`${IPC_PREFIX}${channel}`)!(appEvent, input);

afterAll(async () => {
  // before-quit shuts the runtime down (clipboard, API, core) and then quits.
  electron.appEvents.get('before-quit')?.({ preventDefault: () => {} });
  await electron.quitted;
  rmSync(home, { recursive: true, force: true });
});

describe('the Electron main process', () => {
  it('takes the single-instance lock and registers the app scheme before any window exists', () => {
    expect(electron.order.slice(0, 2)).toEqual(['single-instance', 'scheme']);
    expect(electron.order.indexOf('protocol')).toBeLessThan(electron.order.indexOf('window'));
    expect(electron.order.filter((o) => o.startsWith('error'))).toEqual([]);
  });

  it.skipIf(process.platform !== 'linux')('has turned off core dumps of its own process (a core would hold the vault key and values)', () => {
    expect(readFileSync('/proc/self/limits', 'utf8')).toMatch(/^Max core file size\s+0\s+0\s+bytes/m);
  });

  it('opens one sandboxed window on app://keyden with the CommonJS preload', () => {
    expect(win.url).toBe('app://keyden/index.html');
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.cjs$/);
  });

  it('registers exactly one IPC handler per contract channel', () => {
    expect([...electron.ipc.keys()].sort()).toEqual(allChannels().map((c) => `${IPC_PREFIX}${c}`).sort());
  });

  it('can be minimized before the first vault exists (no settings to read yet)', () => {
    expect(() => win.events.get('minimize')!()).not.toThrow();
  });

  it('serves the page through the real core and locks on sleep, telling the page to wipe', async () => {
    await expect(invoke('vault.status')).resolves.toMatchObject({ ok: true, value: { exists: false, path: join(home, 'vault.db') } });
    await expect(invoke('vault.create', { password: 'correct horse battery staple' })).resolves.toEqual({ ok: true });
    await expect(invoke('vault.status')).resolves.toMatchObject({ ok: true, value: { exists: true, locked: false } });
    electron.power.get('suspend')!();
    await expect(invoke('vault.status')).resolves.toMatchObject({ ok: true, value: { locked: true } });
    expect(electron.sent).toContainEqual([IPC_EVENT_CHANNEL, 'vault.lockChanged', { locked: true }]);
  });

  it('locks as its window comes back into focus after `keyden passwd --rotate-key` changed the key beside it', { timeout: 30_000 }, async () => {
    await expect(invoke('vault.unlock', { password: 'correct horse battery staple' })).resolves.toEqual({ ok: true });
    const admin = openKeydenCore({ vaultPath: join(home, 'vault.db'), role: 'admin' });
    await admin.vault.rotateKey(CLI, 'correct horse battery staple');
    admin.close();
    electron.sent.length = 0;
    win.events.get('focus')!();
    expect(electron.sent).toContainEqual([IPC_EVENT_CHANNEL, 'vault.lockChanged', { locked: true }]);
  });
});

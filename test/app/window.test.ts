// The window's security settings and lock-down, with Electron mocked (no binary needed).
import { beforeEach, describe, expect, it, vi } from 'vitest';

const created: { options: Record<string, unknown>; contents: FakeContents }[] = [];

class FakeContents {
  readonly handlers = new Map<string, (...args: unknown[]) => void>();
  windowOpenHandler: ((details: unknown) => { action: string }) | null = null;
  permissionRequest: ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) | null = null;
  permissionCheck: (() => boolean) | null = null;
  readonly sessionHandlers = new Map<string, (...args: unknown[]) => void>();
  readonly session = {
    on: (event: string, handler: (...args: unknown[]) => void) => this.sessionHandlers.set(event, handler),
    setPermissionRequestHandler: (h: FakeContents['permissionRequest']) => (this.permissionRequest = h),
    setPermissionCheckHandler: (h: FakeContents['permissionCheck']) => (this.permissionCheck = h),
  };
  on(event: string, handler: (...args: unknown[]) => void): this {
    this.handlers.set(event, handler);
    return this;
  }
  setWindowOpenHandler(h: (details: unknown) => { action: string }): void {
    this.windowOpenHandler = h;
  }
}

vi.mock('electron', () => {
  class BrowserWindow {
    readonly webContents = new FakeContents();
    constructor(options: Record<string, unknown>) {
      created.push({ options, contents: this.webContents });
    }
    once(): void {}
    loadURL(): Promise<void> {
      return Promise.resolve();
    }
  }
  return { BrowserWindow, nativeTheme: { shouldUseDarkColors: false } };
});

const { createMainWindow, mainWindowOptions, refusedDebugSwitch, APP_ORIGIN } = await import('../../src/main/app/window.js');

function navigate(contents: FakeContents, event: string, url: string): boolean {
  let prevented = false;
  contents.handlers.get(event)?.({ preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('the main window', () => {
  beforeEach(() => {
    created.length = 0;
  });

  it('isolates the page: context isolation, sandbox, no Node, web security on', () => {
    const prefs = mainWindowOptions('/app/preload.cjs').webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('opens DevTools only in an unpackaged (development) build', () => {
    expect(mainWindowOptions('/p.cjs', { packaged: true }).webPreferences!.devTools).toBe(false);
    expect(mainWindowOptions('/p.cjs', { packaged: false }).webPreferences!.devTools).toBe(true);
    expect(mainWindowOptions('/p.cjs').webPreferences!.devTools).toBe(false);
    createMainWindow({ preloadPath: '/p.cjs', url: `${APP_ORIGIN}/index.html`, allowedOrigin: APP_ORIGIN, packaged: true });
    expect((created[0]!.options.webPreferences as Record<string, unknown>).devTools).toBe(false);
  });

  it('is created with those options and loads only the app origin', () => {
    createMainWindow({ preloadPath: '/p.cjs', url: `${APP_ORIGIN}/index.html`, allowedOrigin: APP_ORIGIN, packaged: true });
    expect(created).toHaveLength(1);
    expect((created[0]!.options.webPreferences as Record<string, unknown>).sandbox).toBe(true);
  });

  it('refuses navigation and redirects to any other origin but allows its own pages', () => {
    createMainWindow({ preloadPath: '/p.cjs', url: `${APP_ORIGIN}/index.html`, allowedOrigin: APP_ORIGIN, packaged: true });
    const contents = created[0]!.contents;
    expect(navigate(contents, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate(contents, 'will-redirect', 'http://127.0.0.1:17321/')).toBe(true);
    expect(navigate(contents, 'will-navigate', `${APP_ORIGIN}/index.html`)).toBe(false);
  });

  it('denies window.open, webviews and every permission request', () => {
    createMainWindow({ preloadPath: '/p.cjs', url: `${APP_ORIGIN}/index.html`, allowedOrigin: APP_ORIGIN, packaged: true });
    const contents = created[0]!.contents;
    expect(contents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(navigate(contents, 'will-attach-webview', '')).toBe(true);
    let granted: boolean | null = null;
    contents.permissionRequest?.(contents, 'clipboard-read', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect(contents.permissionCheck?.()).toBe(false);
  });

  it('cancels every download the page starts, so a value it holds reaches a file only through Export (main\'s dialog, 0600, audited)', () => {
    createMainWindow({ preloadPath: '/p.cjs', url: `${APP_ORIGIN}/index.html`, allowedOrigin: APP_ORIGIN, packaged: true });
    const contents = created[0]!.contents;
    let cancelled = false;
    // What <a download href="blob:…"> or a data: link in the page would start.
    contents.sessionHandlers.get('will-download')?.({ preventDefault: () => (cancelled = true) }, { getURL: () => 'blob:app://keyden/1' }, contents);
    expect(cancelled).toBe(true);
  });
});

describe('Chromium debugging switches', () => {
  const has = (...switches: string[]) => (name: string) => switches.includes(name);
  it('a packaged build refuses to start with --remote-debugging-port or --remote-debugging-pipe (another program would drive the page)', () => {
    expect(refusedDebugSwitch(true, has('remote-debugging-port'))).toBe('remote-debugging-port');
    expect(refusedDebugSwitch(true, has('remote-debugging-pipe'))).toBe('remote-debugging-pipe');
    expect(refusedDebugSwitch(true, has('lang'))).toBeNull();
  });

  it('a development build keeps them, as it keeps DevTools', () => {
    expect(refusedDebugSwitch(false, has('remote-debugging-port'))).toBeNull();
  });
});

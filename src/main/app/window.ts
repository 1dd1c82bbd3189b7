// The one window, with Electron's security checklist applied.
import { BrowserWindow, Menu, nativeTheme, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import { editMenuTemplate } from './attention.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'keyden';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** `packaged`: a released build, where DevTools stay closed (DESIGN §4 "The shell"). */
export function mainWindowOptions(preloadPath: string, options: { packaged: boolean } = { packaged: true }): BrowserWindowConstructorOptions {
  return {
    width: 1180,
    height: 760,
    minWidth: 820,
    minHeight: 560,
    show: false,
    title: 'Keyden',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#f7f7f8',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !options.packaged,
    },
  };
}

/**
 * The Chromium switch a packaged build refuses to start with, or null. `--remote-debugging-port`
 * (or `-pipe`) opens the page to any local program, which could call the bridge once the vault is
 * unlocked (DESIGN §4 "The shell": DevTools only in unpackaged builds); Electron's fuses stop
 * Node's `--inspect` switches, not these.
 */
export function refusedDebugSwitch(packaged: boolean, hasSwitch: (name: string) => boolean): string | null {
  if (!packaged) return null;
  return ['remote-debugging-port', 'remote-debugging-pipe'].find(hasSwitch) ?? null;
}

/** Sessions whose downloads are already refused (every webContents of the app shares one). */
const downloadsRefused = new WeakSet<object>();

/** Denies navigation away from the app, new windows, webviews, downloads and every permission request. */
export function lockDownContents(contents: WebContents, allowedOrigin: string): void {
  const isOwnPage = (url: string): boolean => {
    try {
      const u = new URL(url);
      return `${u.protocol}//${u.host}` === allowedOrigin;
    } catch {
      return false;
    }
  };
  contents.on('will-navigate', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(() => false);
  // Keyden downloads nothing: a page's <a download> of a blob would write what it holds to disk
  // past Export's own dialog, 0600 file and audit row.
  if (!downloadsRefused.has(contents.session)) {
    downloadsRefused.add(contents.session);
    contents.session.on('will-download', (event) => event.preventDefault());
  }
}

export function createMainWindow(options: { preloadPath: string; url: string; allowedOrigin: string; packaged: boolean }): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(options.preloadPath, { packaged: options.packaged }));
  lockDownContents(win.webContents, options.allowedOrigin);
  win.webContents.on('context-menu', (_event, params) => {
    const template = editMenuTemplate(params);
    if (template.length > 0) Menu.buildFromTemplate(template).popup({ window: win });
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(options.url);
  return win;
}

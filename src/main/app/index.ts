// Electron main process: the app shell. Wires the Electron-free core to one secure window.
import { app, BrowserWindow, ipcMain, Menu, powerMonitor } from 'electron';
import { join } from 'node:path';
import { openKeydenCore } from '../core/index.js';
import { startApiServer } from '../api/server.js';
import { KeydenError } from '../../shared/errors.js';
import { ApiControl } from './api-control.js';
import { AutoLock } from './auto-lock.js';
import { installLauncher, launcherPlan } from './cli-install.js';
import { ClipboardGuard } from './clipboard.js';
import { createDispatch } from './dispatch.js';
import { electronClipboard, electronDialogs } from './electron-ports.js';
import { wireCoreEvents } from './events.js';
import { nodeFiles } from './files.js';
import { createHandlers } from './handlers.js';
import { createEmitter, registerIpc } from './ipc-main.js';
import { buildMenu } from './menu.js';
import { electronSqliteBinding, keydenHome } from './paths.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { realTimers } from './timers.js';
import { APP_ORIGIN, createMainWindow, lockDownContents } from './window.js';

const REVEAL_SECONDS = 30;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerAppScheme();
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents, pageOrigin()));
  void app.whenReady().then(start);
}

/** In `npm run dev` the renderer comes from electron-vite's dev server; otherwise from app://. */
function devServerUrl(): string | null {
  const url = process.env.ELECTRON_RENDERER_URL;
  return !app.isPackaged && url ? url : null;
}
function pageOrigin(): string {
  const dev = devServerUrl();
  if (!dev) return APP_ORIGIN;
  const u = new URL(dev);
  return `${u.protocol}//${u.host}`;
}

function start(): void {
  let win: BrowserWindow | null = null;
  const currentWindow = (): BrowserWindow | null => (win && !win.isDestroyed() ? win : null);

  const core = openKeydenCore({
    vaultPath: join(keydenHome(), 'vault.db'),
    role: 'owner',
    approver: true,
    nativeBinding: electronSqliteBinding({ isPackaged: app.isPackaged, appPath: app.getAppPath(), resourcesPath: process.resourcesPath }),
  });
  const emit = createEmitter(currentWindow);
  const clipboard = new ClipboardGuard(electronClipboard(), realTimers, () => emit('clipboard.cleared', {}));
  const autoLock = new AutoLock({
    timers: realTimers,
    minutes: () => core.vault.settings().autoLockMinutes,
    isLocked: () => core.vault.status().locked,
    lock: () => core.vault.lock({ actor: 'app', projects: null, environments: null }),
  });
  const api = new ApiControl((port) => startApiServer(core, { port, host: '127.0.0.1' }));
  const handlers = createHandlers({
    core,
    clipboard,
    autoLock,
    api,
    dialogs: electronDialogs(currentWindow),
    files: nodeFiles,
    info: { version: app.getVersion(), platform: process.platform, revealSeconds: REVEAL_SECONDS, canInstallCli: app.isPackaged },
    installCli: () => {
      if (!app.isPackaged) throw new KeydenError('VALIDATION_FAILED', 'Only the installed app can install the keyden command; use npx keyden here');
      return installLauncher(launcherPlan({ platform: process.platform, execPath: process.execPath, resourcesPath: process.resourcesPath, env: process.env }));
    },
  });
  const dispatch = createDispatch(handlers, {
    // Any call from the page is user activity; the idle countdown restarts.
    onCall: (channel) => {
      if (channel !== 'vault.lock') autoLock.activity();
    },
    onInternalError: (channel, e) => console.error(`keyden: ${channel} failed: ${e instanceof Error ? e.name : 'error'}`),
  });
  registerIpc(ipcMain, dispatch, { window: currentWindow, appOrigin: pageOrigin() });
  wireCoreEvents(core, { emit, autoLock, clipboard });

  powerMonitor.on('suspend', () => autoLock.lockNow('sleep'));
  powerMonitor.on('lock-screen', () => autoLock.lockNow('screen-lock'));
  Menu.setApplicationMenu(buildMenu({ lock: () => autoLock.lockNow('shortcut'), isMac: process.platform === 'darwin' }));

  if (!devServerUrl()) serveRenderer(join(import.meta.dirname, '../renderer'));
  win = createMainWindow({
    preloadPath: join(import.meta.dirname, '../preload/index.cjs'),
    url: devServerUrl() ?? `${APP_ORIGIN}/index.html`,
    allowedOrigin: pageOrigin(),
  });

  // The API follows the stored setting (settings are plaintext in the vault, readable while locked).
  const settings = safeSettings(core);
  if (settings?.apiEnabled) void api.reconcile(true, settings.apiPort);

  app.on('second-instance', () => {
    const w = currentWindow();
    if (!w) return;
    if (w.isMinimized()) w.restore();
    w.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    void clipboard.clearIfUnchanged();
    void api.stop();
    core.close();
  });
}

function safeSettings(core: ReturnType<typeof openKeydenCore>): { apiEnabled: boolean | null; apiPort: number } | null {
  try {
    return core.vault.status().exists ? core.vault.settings() : null;
  } catch {
    return null;
  }
}

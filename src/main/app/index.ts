// Electron main process: the app shell. Wires the Electron-free core to one secure window.
import { app, BrowserWindow, dialog, ipcMain, Menu, powerMonitor } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openKeydenCore } from '../core/index.js';
import { disableCoreDumps, disableCoreDumpsBelow } from '../no-core-dumps.js';
import { defaultVaultPath, keydenHome } from '../home.js';
import { isKeydenError, KeydenError } from '../../shared/errors.js';
import { installLauncher, launcherPlan } from './cli-install.js';
import { electronClipboard, electronDialogs, electronSelection } from './electron-ports.js';
import { createEmitter, registerIpc } from './ipc-main.js';
import { drawAttention } from './attention.js';
import { buildMenu } from './menu.js';
import { electronSqliteBinding } from './paths.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { createAppRuntime } from './runtime.js';
import type { UpdaterPort } from './updates.js';
import { realTimers } from './timers.js';
import { APP_ORIGIN, createMainWindow, lockDownContents, refusedDebugSwitch } from './window.js';
// CommonJS: its default export holds autoUpdater, which is made (per platform) when first read.
import electronUpdater from 'electron-updater';

const REVEAL_SECONDS = 30;

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

const debugSwitch = refusedDebugSwitch(app.isPackaged, (name) => app.commandLine.hasSwitch(name));
if (debugSwitch) {
  console.error(`keyden: not started: --${debugSwitch} would let other programs drive the window and read the vault`);
  app.exit(1);
} else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Before the vault is opened or a password arrives (docs/desktop.md "Memory"); the app starts either way.
  const noCoreDumps = disableCoreDumps();
  if (noCoreDumps) console.error(`keyden: core dumps of the app are not turned off: ${noCoreDumps}`);
  registerAppScheme();
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents, pageOrigin()));
  void app.whenReady().then(() => {
    // Chromium's zygotes (which fork every renderer) started before the line above: limit them too.
    const unlimited = disableCoreDumpsBelow(process.pid);
    if (unlimited.length > 0) console.error(`keyden: core dumps of ${unlimited.length} helper process(es) are not turned off`);
    start();
  });
}

/** electron-updater's updater for this platform, or null where it cannot be made (updates then never run). */
function packagedUpdater(): UpdaterPort | null {
  try {
    return electronUpdater.autoUpdater;
  } catch {
    return null;
  }
}

function start(): void {
  let win: BrowserWindow | null = null;
  const currentWindow = (): BrowserWindow | null => (win && !win.isDestroyed() ? win : null);
  const home = keydenHome();

  const nativeBinding = electronSqliteBinding({ isPackaged: app.isPackaged, appPath: app.getAppPath(), resourcesPath: process.resourcesPath });
  if (nativeBinding && !existsSync(nativeBinding)) {
    // Without it Electron would load npm's Node-ABI build and fail with an obscure ABI error.
    dialog.showErrorBox('Keyden is missing a part', `better-sqlite3 built for Electron was not found at ${nativeBinding}. Run npm run build:electron-native.`);
    app.quit();
    return;
  }
  let core: ReturnType<typeof openKeydenCore>;
  try {
    core = openKeydenCore({ vaultPath: defaultVaultPath(home), role: 'owner', approver: true, ...(nativeBinding ? { nativeBinding } : {}) });
  } catch (e) {
    // Another owner (keyden serve) holds the vault, or the file is not a vault: say so and stop.
    dialog.showErrorBox('Keyden cannot open the vault', isKeydenError(e) ? e.message : 'The vault file could not be opened.');
    app.quit();
    return;
  }
  const runtime = createAppRuntime({
    core,
    home,
    clipboard: electronClipboard(),
    selection: electronSelection(),
    dialogs: electronDialogs(currentWindow),
    timers: realTimers,
    emit: createEmitter(currentWindow),
    info: { version: app.getVersion(), platform: process.platform, revealSeconds: REVEAL_SECONDS, canInstallCli: app.isPackaged },
    installCli: () => {
      if (!app.isPackaged) throw new KeydenError('VALIDATION_FAILED', 'Only the installed app can install the keyden command; from a checkout, npm link puts keyden on your PATH');
      return installLauncher(launcherPlan({ platform: process.platform, resourcesPath: process.resourcesPath, env: process.env }));
    },
    // Excluded from screenshots and screen sharing (Windows, macOS) while a value is shown.
    screen: { protect: (on) => currentWindow()?.setContentProtection(on) },
    // Only a packaged build has the feed's app-update.yml; Updates restrains it (no auto download/install).
    updater: app.isPackaged ? packagedUpdater() : null,
    onInternalError: (channel, e) => console.error(`keyden: ${channel} failed: ${e instanceof Error ? e.name : 'error'}`),
  });
  registerIpc(ipcMain, runtime.dispatch, { window: currentWindow, appOrigin: pageOrigin() });

  powerMonitor.on('suspend', () => runtime.autoLock.lockNow('sleep'));
  powerMonitor.on('lock-screen', () => runtime.autoLock.lockNow('screen-lock'));
  Menu.setApplicationMenu(buildMenu({ lock: () => runtime.autoLock.lockNow('shortcut'), isMac: process.platform === 'darwin' }));

  if (!devServerUrl()) serveRenderer(join(import.meta.dirname, '../renderer'));
  win = createMainWindow({
    preloadPath: join(import.meta.dirname, '../preload/index.cjs'),
    url: devServerUrl() ?? `${APP_ORIGIN}/index.html`,
    allowedOrigin: pageOrigin(),
    packaged: app.isPackaged,
  });
  void runtime.startApiIfEnabled();
  win.on('minimize', () => {
    // No vault yet (first start): nothing to lock, and no settings to read.
    if (core.vault.status().exists && core.vault.settings().lockOnMinimize) runtime.autoLock.lockNow('minimize');
  });
  // Back from a terminal where `keyden passwd --rotate-key` ran: the app locks as the window
  // comes up, not at the next click (every IPC call also looks first).
  win.on('focus', () => core.refresh());
  core.approvals.onRequest((request) => drawAttention(currentWindow(), request));

  app.on('second-instance', () => {
    const w = currentWindow();
    if (!w) return;
    if (w.isMinimized()) w.restore();
    w.focus();
  });
  app.on('window-all-closed', () => app.quit());
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void runtime.shutdown().finally(() => app.quit());
  });
}

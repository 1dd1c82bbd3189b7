// Wires the app's parts around one core: clipboard guard, auto-lock, API toggle, handler table
// and the IPC gate. The Electron shell and the e2e test transport both build the app through
// this, with different ports (real clipboard and dialogs, or recording fakes).
import type { OwnedCore } from '../core/index.js';
import { startApiServer } from '../api/server.js';
import { UnlockGate } from '../api/throttle.js';
import { ensureHome, removeDiscovery, writeDiscovery } from '../home.js';
import { ownerSocketPath } from '../api/channel.js';
import { APP } from '../core/types.js';
import type { AppInfo } from '../../shared/ipc.js';
import { ApiControl } from './api-control.js';
import { AutoLock } from './auto-lock.js';
import { ClipboardGuard, type ClipboardPort } from './clipboard.js';
import { createDispatch, type Dispatch } from './dispatch.js';
import { wireCoreEvents, type Emit } from './events.js';
import { nodeFiles } from './files.js';
import { createHandlers, RevealPrivacy, type DialogPort, type FilePort, type ScreenPort } from './handlers.js';
import type { Timers } from './timers.js';
import { Updates, type UpdaterPort } from './updates.js';
import { SelectionGuard, type SelectionPort } from './selection.js';

export interface RuntimeOptions {
  core: OwnedCore;
  /** The Keyden home, where the API's discovery file goes while it runs. */
  home: string;
  clipboard: ClipboardPort;
  dialogs: DialogPort;
  files?: FilePort;
  timers: Timers;
  info: AppInfo;
  emit: Emit;
  installCli: () => Promise<{ path: string }>;
  /** Linux's PRIMARY selection (absent elsewhere, and in the e2e transport's browser page). */
  selection?: SelectionPort | null;
  /** The window's screen-capture exclusion (absent in the e2e transport's browser page). */
  screen?: ScreenPort;
  /** electron-updater's autoUpdater in a packaged build; null (or absent) where updates never run. */
  updater?: UpdaterPort | null;
  onInternalError?: (channel: string, e: unknown) => void;
}

export interface AppRuntime {
  dispatch: Dispatch;
  autoLock: AutoLock;
  clipboard: ClipboardGuard;
  api: ApiControl;
  updates: Updates;
  /**
   * Starts the API if the stored settings ask for it — once the vault has been unlocked: only
   * then are the settings authenticated (format 2), so an edit of the file cannot switch the
   * API on or move its port before the user has opened the vault.
   */
  startApiIfEnabled(): Promise<void>;
  shutdown(): Promise<void>;
}

export function createAppRuntime(options: RuntimeOptions): AppRuntime {
  const { core, home } = options;
  const clipboard = new ClipboardGuard(options.clipboard, options.timers, () => options.emit('clipboard.cleared', {}));
  const autoLock = new AutoLock({
    timers: options.timers,
    minutes: () => core.vault.settings().autoLockMinutes,
    // An unlock under way counts as open: a lock asked for now stops it.
    isLocked: () => core.vault.status().locked && !core.vault.unlockPending(),
    lock: () => core.vault.lock(APP),
  });
  // One budget of password checks for the page and the API (DESIGN §4 "Hardening"): a page that
  // guesses through IPC is held to the same 10 failures a minute as a caller of /api/unlock.
  const passwordGate = new UnlockGate();
  const api = new ApiControl(async (port) => {
    ensureHome(home);
    const server = await startApiServer(core, { port, host: '127.0.0.1', socketPath: ownerSocketPath(home) ?? undefined, passwordGate });
    writeDiscovery(home, { url: server.url, pid: process.pid, version: core.version, proof: server.proof });
    return {
      url: server.url,
      async close() {
        removeDiscovery(home);
        await server.close();
      },
    };
  });
  const privacy = options.screen ? new RevealPrivacy(options.screen, () => core.vault.settings().hideWhileRevealed, options.info.revealSeconds) : undefined;
  if (privacy) core.vault.onLockChange((locked) => locked && privacy.valueHidden());
  const selection = new SelectionGuard(options.selection ?? null, options.timers, options.info.revealSeconds);
  const stopWatchingSelection = core.vault.onLockChange((locked) => {
    if (locked) void selection.allHidden();
  });
  const updates = new Updates({
    updater: options.updater ?? null,
    platform: options.info.platform as NodeJS.Platform,
    currentVersion: options.info.version,
    // Only while unlocked: only then are the settings authenticated (format 2), so an edit of
    // the file cannot make the app reach out to the feed (as with the API, above).
    enabled: () => {
      try {
        return !core.vault.status().locked && core.vault.settings().checkForUpdates;
      } catch {
        return false;
      }
    },
    timers: options.timers,
    onChange: (status) => options.emit('updates.changed', status),
  });
  updates.start();
  const handlers = createHandlers({
    privacy,
    updates,
    core,
    clipboard,
    autoLock,
    api,
    passwordGate,
    selection,
    dialogs: options.dialogs,
    files: options.files ?? nodeFiles,
    info: options.info,
    installCli: options.installCli,
  });
  const dispatch = createDispatch(handlers, {
    onCall: (channel) => {
      // As the API does for each request: what another process committed is seen first (a key
      // rotated beside the app locks it; tokens made by `keyden token create` are listed).
      core.refresh();
      // Any call from the page is user activity: the idle countdown restarts.
      if (channel !== 'vault.lock' && channel !== 'vault.status') autoLock.activity();
    },
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
  });
  const unwire = wireCoreEvents(core, { emit: options.emit, autoLock, clipboard });

  return {
    dispatch,
    autoLock,
    clipboard,
    api,
    updates,
    async startApiIfEnabled() {
      const start = async (): Promise<void> => {
        try {
          const s = core.vault.settings();
          if (s.apiEnabled) await api.reconcile(true, s.apiPort);
        } catch {
          // An unreadable vault shows its error on the unlock screen; the API just stays off.
        }
      };
      if (!core.vault.status().locked) return start();
      await new Promise<void>((resolve) => {
        const stop = core.vault.onLockChange((locked) => {
          if (locked) return;
          stop();
          void start().then(resolve);
        });
      });
    },
    async shutdown() {
      unwire();
      updates.stop();
      autoLock.stop();
      await clipboard.clearIfUnchanged();
      stopWatchingSelection();
      await selection.allHidden();
      await api.stop();
      core.close();
    },
  };
}

// The one handler table behind the IPC channels. Each handler adapts a validated input to a core
// service call (the same services the local API uses); only app concerns live here: clipboard,
// dialogs, files, the API toggle and the auto-lock countdown.
import { APP, type KeydenCore } from '../core/types.js';
import { KeydenError } from '../../shared/errors.js';
import { shellActiveNames } from '../services/envfile.js';
import type { AppInfo, SettingsView } from '../../shared/ipc.js';
import type { ExportFormat } from '../../shared/model.js';
import type { ApiControl } from './api-control.js';
import type { AutoLock } from './auto-lock.js';
import type { ClipboardGuard } from './clipboard.js';
import type { Handlers } from './dispatch.js';
import type { Updates } from './updates.js';
import type { GateOutcome, UnlockGate } from '../api/throttle.js';
import { shownStrings, type SelectionGuard } from './selection.js';

export interface DialogPort {
  /** Asks where to save; null when the user cancels. */
  saveFile(options: { title: string; defaultName: string }): Promise<string | null>;
  /** Asks which file to open; null when the user cancels. */
  openFile(options: { title: string }): Promise<string | null>;
}

export interface FilePort {
  /** Writes a file readable only by the user (0600). */
  writePrivate(path: string, content: string): Promise<void>;
  /** Reads a UTF-8 text file of at most maxBytes. */
  readText(path: string, maxBytes: number): Promise<string>;
}

/** The window's exclusion from screen capture (Electron's setContentProtection). */
export interface ScreenPort {
  protect(on: boolean): void;
}

export interface AppDeps {
  core: KeydenCore;
  clipboard: ClipboardGuard;
  dialogs: DialogPort;
  files: FilePort;
  api: ApiControl;
  autoLock: AutoLock;
  info: AppInfo;
  installCli: () => Promise<{ path: string }>;
  /** While a revealed value is on screen the window is kept out of screenshots and screen sharing. */
  privacy?: RevealPrivacy;
  updates: Updates;
  /** Linux's PRIMARY selection, cleared of what the page showed once it leaves the screen. */
  selection?: SelectionGuard;
  /** Every check of the master password goes through it: one at a time, 10 failures a minute. */
  passwordGate: UnlockGate;
}

/**
 * Keeps the window out of screen capture while a secret is on screen: from a reveal until the
 * page has hidden the value again (`revealSeconds`, as the page's own timer), and from a new
 * token's creation until the page closes the dialog that shows it (`hold` / `release`). Locking
 * the vault or turning the setting off ends both.
 */
export class RevealPrivacy {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private held = false;

  constructor(
    private readonly screen: ScreenPort,
    private readonly enabled: () => boolean,
    private readonly revealSeconds: number,
  ) {}

  valueShown(): void {
    if (!this.enabled()) return;
    this.screen.protect(true);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.endIfNothingShown();
    }, this.revealSeconds * 1000 + 500);
    this.timer.unref?.();
  }

  /** A secret the page shows until the user dismisses it (a new token): protected until `release`. */
  hold(): void {
    if (!this.enabled()) return;
    this.held = true;
    this.screen.protect(true);
  }

  /** The page closed what `hold` protected; a revealed value still on screen keeps the protection. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.endIfNothingShown();
  }

  /** Everything is off screen (the vault locked): protection ends now. */
  valueHidden(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.held = false;
    this.screen.protect(false);
  }

  private endIfNothingShown(): void {
    if (!this.timer && !this.held) this.screen.protect(false);
  }
}

const MAX_IMPORT_BYTES = 1024 * 1024;

/**
 * The name the export's save dialog proposes. A project name may hold "\\", ":" or start with
 * ".." (only "/" is refused, and a token with entries:write may choose it), and a dialog reads its
 * default as a path: cleaned to one file name, it can only name a file in the folder the dialog shows,
 * and never a Windows device name.
 */
export function exportFileName(project: string, environment: string, format: ExportFormat): string {
  if (format === 'dotenv') return '.env';
  const ext = format === 'json' ? 'json' : 'sh';
  const stem = project.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_').replace(/^[.\s]+/u, '');
  // Windows reserves device names whatever their extension ("CON.production.json" is the console).
  const safe = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:[.\s]|$)/iu.test(stem) ? `_${stem}` : stem;
  return `${safe || 'project'}.${environment}.${ext}`;
}

/** A password check's value, or the error the page shows when the gate did not admit it. */
function admitted<T>(outcome: GateOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  if (outcome.reason === 'unlocked') throw new KeydenError('CONFLICT', 'The vault is already unlocked');
  throw new KeydenError('RATE_LIMITED', `Too many wrong passwords. Try again in ${outcome.retryAfter} s.`, { retryAfter: outcome.retryAfter });
}

export function createHandlers(deps: AppDeps): Handlers {
  const { core, clipboard, dialogs, files, api, autoLock, passwordGate } = deps;

  const unlockView = (): SettingsView['unlock'] => {
    try {
      return { kdf: core.vault.kdfParams(), lastUnlockMs: core.vault.lastUnlockMs() };
    } catch {
      return null; // no vault yet
    }
  };
  const settingsView = (): SettingsView => ({ settings: core.vault.settings(), api: api.status(), unlock: unlockView(), updates: deps.updates.get() });
  const clipboardSeconds = (): number => core.vault.settings().clipboardSeconds;
  const startApiIfWanted = async (): Promise<void> => {
    const s = core.vault.settings();
    await api.reconcile(s.apiEnabled === true, s.apiPort);
  };

  return {
    'app.info': () => deps.info,
    'app.activity': () => autoLock.activity(),
    'app.installCli': () => deps.installCli(),

    'vault.status': () => {
      const s = core.vault.status();
      return { exists: s.exists, locked: s.locked, path: s.path };
    },
    'vault.create': async ({ password }) => {
      await core.vault.create(APP, password);
      autoLock.activity();
    },
    'vault.unlock': async ({ password, acceptRollback }) => {
      // Refused untried while unlocked: the page would otherwise have a password oracle.
      admitted(await passwordGate.run(
        () => !core.vault.status().locked,
        () => core.vault.unlock(APP, password, acceptRollback === undefined ? {} : { acceptRollback }),
      ));
      autoLock.activity();
      await startApiIfWanted();
    },
    'vault.lock': () => autoLock.lockNow('user'),
    'vault.changePassword': async ({ current, next }) => {
      admitted(await passwordGate.tryPassword(() => core.vault.changePassword(APP, current, next)));
    },
    'vault.backup': async () => {
      const path = await dialogs.saveFile({ title: 'Back up the vault', defaultName: `keyden-backup-${new Date().toISOString().slice(0, 10)}.db` });
      if (path === null) return null;
      // The save dialog has asked before a file is replaced.
      await core.vault.backup(APP, path, { replace: true });
      return { path };
    },

    'settings.get': () => settingsView(),
    'settings.update': async (patch) => {
      const next = core.vault.updateSettings(APP, patch);
      if (patch.apiEnabled !== undefined || patch.apiPort !== undefined) await api.reconcile(next.apiEnabled === true, next.apiPort);
      if (patch.autoLockMinutes !== undefined) autoLock.activity();
      if (patch.hideWhileRevealed === false) deps.privacy?.valueHidden();
      return settingsView();
    },
    'updates.check': () => deps.updates.check(),
    'updates.download': () => deps.updates.download(),
    'updates.install': () => deps.updates.install(),

    'categories.list': () => core.categories.list(),
    'categories.create': (input) => core.categories.create(APP, input),
    'categories.update': ({ id, patch, force }) => core.categories.update(APP, id, patch, { force }),
    'categories.remove': ({ id, cascade }) => core.categories.remove(APP, id, { cascade: cascade ?? false }),

    'entries.list': (query) => core.entries.list(APP, query),
    'entries.get': ({ id }) => core.entries.get(APP, id),
    'entries.create': (input) => core.entries.create(APP, input),
    'entries.update': ({ id, patch }) => core.entries.update(APP, id, patch),
    'entries.remove': ({ id }) => core.entries.remove(APP, id),
    'entries.reveal': async ({ id }) => {
      const revealed = await core.entries.reveal(APP, id, 'entry.reveal');
      deps.privacy?.valueShown();
      deps.selection?.shown(shownStrings(revealed.value));
      return revealed;
    },
    'entries.copy': async ({ id, field }) => {
      const { value } = await core.entries.reveal(APP, id, 'entry.copy');
      let text: string;
      if (typeof value === 'string') {
        if (field !== undefined) throw new KeydenError('VALIDATION_FAILED', 'This entry has a single value', { field: 'not a group entry' });
        text = value;
      } else {
        if (field === undefined) throw new KeydenError('VALIDATION_FAILED', 'Choose which field to copy', { field: 'required for a group entry' });
        // Own properties only (DESIGN §4): `constructor` is a field name, never Object's.
        const fieldValue = Object.hasOwn(value, field) ? value[field] : undefined;
        if (fieldValue === undefined) throw new KeydenError('NOT_FOUND', `No field ${field} in this entry`, { field });
        text = fieldValue;
      }
      const seconds = clipboardSeconds();
      await clipboard.copy(text, seconds);
      return { clearsInSeconds: seconds };
    },
    'entries.versions': ({ id }) => core.entries.versions(APP, id),
    'entries.copyVersion': async ({ id, version }) => {
      const { value } = await core.entries.revealVersion(APP, id, version, 'entry.copy');
      // A group's earlier value as the History shows it: one FIELD=value line per own field.
      const text = typeof value === 'string' ? value : Object.keys(value).map((f) => `${f}=${value[f]}`).join('\n');
      const seconds = clipboardSeconds();
      await clipboard.copy(text, seconds);
      return { clearsInSeconds: seconds };
    },
    'entries.revealVersion': async ({ id, version }) => {
      const revealed = await core.entries.revealVersion(APP, id, version);
      deps.privacy?.valueShown();
      deps.selection?.shown(shownStrings(revealed.value));
      return revealed;
    },
    'entries.restoreVersion': ({ id, version }) => core.entries.restoreVersion(APP, id, version),

    'projects.list': () => core.projects.list(APP),
    'projects.variables': ({ project, environment }) => core.projects.variables(APP, project, environment),
    'projects.copyEnv': async ({ project, environment }) => {
      const text = await core.projects.exportEnv(APP, project, environment, 'dotenv');
      const seconds = clipboardSeconds();
      await clipboard.copy(text, seconds);
      return { clearsInSeconds: seconds, shellActive: shellActiveNames(text) };
    },
    'projects.exportEnv': async ({ project, environment, format }) => {
      const fmt = format ?? 'dotenv';
      const path = await dialogs.saveFile({ title: `Export ${project} (${environment})`, defaultName: exportFileName(project, environment, fmt) });
      if (path === null) return null;
      const text = await core.projects.exportEnv(APP, project, environment, fmt);
      await files.writePrivate(path, text);
      return { path, shellActive: fmt === 'dotenv' ? shellActiveNames(text) : [] };
    },
    'projects.importEnv': async ({ project, environment, mode }) => {
      const path = await dialogs.openFile({ title: `Import a .env into ${project} (${environment})` });
      if (path === null) return null;
      const content = await files.readText(path, MAX_IMPORT_BYTES);
      return core.projects.importEnv(APP, project, environment, content, mode);
    },

    'projects.patch': ({ project, patch }) => core.projectOperations.patch(APP, project, patch),
    'projects.remove': ({ project }) => core.projectOperations.remove(APP, project),
    'projects.renameEnvironment': ({ project, environment, name }) => core.projectOperations.renameEnvironment(APP, project, environment, { name }),
    'projects.removeEnvironment': ({ project, environment }) => core.projectOperations.removeEnvironment(APP, project, environment),
    'projects.copy': ({ project, input }) => core.projectOperations.copy(APP, project, input),
    'projects.setTemplate': ({ project, template }) => core.projectOperations.setTemplate(APP, project, template),
    'projects.validate': ({ project, environment }) => core.projectOperations.validate(APP, project, environment),

    'trash.list': () => core.trash.list(APP),
    'trash.restore': ({ id, replace }) => core.trash.restore(APP, id, { replace: replace ?? false }),
    'trash.purge': ({ id }) => core.trash.purge(APP, id),

    'tokens.list': () => core.tokens.list(),
    'tokens.create': (input) => {
      const made = core.tokens.create(APP, input);
      // The new token's secret is on screen (shown once, in full, until the page closes its
      // dialog: tokens.secretClosed): out of screen capture, as a value is.
      deps.privacy?.hold();
      deps.selection?.hold(made.secret);
      return made;
    },
    'tokens.secretClosed': async () => {
      deps.privacy?.release();
      await deps.selection?.release();
    },
    'tokens.revoke': ({ id }) => core.tokens.revoke(APP, id),
    'tokens.copySecret': async ({ secret }) => {
      const seconds = clipboardSeconds();
      await clipboard.copy(secret, seconds);
      return { clearsInSeconds: seconds };
    },

    'audit.list': (query) => core.audit.list(query),

    'approvals.pending': () => core.approvals.pending(),
    'approvals.approve': ({ id, expiresAt }) => core.approvals.approve(APP, id, expiresAt === undefined ? {} : { expiresAt }),
    'approvals.deny': ({ id }) => core.approvals.deny(id),
  };
}

// Updates (issue 13, "Ready to ship"): electron-updater behind the "Check for updates" setting,
// off until the user turns it on. Nothing downloads or installs without the user's click, and only
// where the operating system verifies the new build's signature before it runs: macOS (Squirrel.Mac
// requires the same Developer ID) and Windows (electron-updater checks the installer's Authenticode
// publisher against `publisherName`). On Linux the AppImage / .deb feed carries checksums, not
// signatures: Keyden says a version is out and where to get it, and installs nothing itself.
import type { UpdateStatus } from '../../shared/ipc.js';
import type { Timers } from './timers.js';

/** The part of electron-updater's AppUpdater Keyden uses (a recording fake in tests). */
export interface UpdaterPort {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  allowPrerelease: boolean;
  /** electron-updater's answer: `isUpdateAvailable` false for the running version or an older one (allowDowngrade off). */
  checkForUpdates(): Promise<{ isUpdateAvailable?: boolean; updateInfo: { version: string } } | null>;
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
}

/** Where the releases are, for a platform that installs nothing itself. */
export const RELEASES_URL = 'https://github.com/keyden-dev/keyden/releases';

const FIRST_CHECK_MS = 10_000;
const EVERY_MS = 24 * 60 * 60 * 1000;

/** Sets the updater so that nothing happens without the user: call once, before any check. */
export function restrain(updater: UpdaterPort): UpdaterPort {
  updater.autoDownload = false;
  updater.autoInstallOnAppQuit = false;
  updater.allowDowngrade = false;
  updater.allowPrerelease = false;
  return updater;
}

/** An error's kind only: electron-updater's messages can hold URLs and paths of the feed. */
const failure = (e: unknown): string => (e instanceof Error && e.name !== 'Error' ? `the update check failed (${e.name})` : 'the update check failed; try again later');

export class Updates {
  private status: UpdateStatus;
  private timer: unknown = null;

  constructor(
    private readonly options: {
      /** null where updates cannot run: a build that was not packaged (development, the e2e transport). */
      updater: UpdaterPort | null;
      platform: NodeJS.Platform;
      currentVersion: string;
      enabled: () => boolean;
      timers: Timers;
      onChange: (status: UpdateStatus) => void;
      now?: () => string;
    },
  ) {
    if (options.updater) restrain(options.updater);
    this.status = { state: options.updater ? 'idle' : 'unsupported', version: null, installs: this.installs(), releasesUrl: RELEASES_URL, message: null, checkedAt: null };
  }

  get(): UpdateStatus {
    return { ...this.status };
  }

  /** Checks 10 s after start and once a day, while the setting is on. */
  start(): void {
    this.schedule(FIRST_CHECK_MS);
  }

  stop(): void {
    if (this.timer !== null) this.options.timers.clear(this.timer);
    this.timer = null;
  }

  /** A check asked for by the user ("Check now") or the daily timer. Never downloads. */
  async check(): Promise<UpdateStatus> {
    const updater = this.options.updater;
    if (!updater) return this.get();
    if (!this.options.enabled()) return this.set({ state: 'idle', message: 'Turn on "Check for updates" first.' });
    if (this.status.state === 'checking' || this.status.state === 'downloading' || this.status.state === 'ready') return this.get();
    this.set({ state: 'checking', message: null });
    try {
      const result = await updater.checkForUpdates();
      const version = result?.updateInfo.version ?? null;
      const checkedAt = (this.options.now ?? (() => new Date().toISOString()))();
      // electron-updater's own verdict (semver, downgrades off) first: an older feed is no update.
      if (!version || result?.isUpdateAvailable === false || version === this.options.currentVersion) return this.set({ state: 'none', version: null, checkedAt });
      return this.set({ state: 'available', version, checkedAt });
    } catch (e) {
      return this.set({ state: 'error', message: failure(e) });
    }
  }

  /** Downloads the version found, on the user's click, where the OS verifies what it installs. */
  async download(): Promise<UpdateStatus> {
    const updater = this.options.updater;
    if (!updater || this.status.state !== 'available' || !this.options.enabled()) return this.get();
    if (!this.installs()) return this.set({ message: `Download Keyden ${this.status.version ?? ''} from ${RELEASES_URL}; this platform's packages are not installed from inside the app.` });
    this.set({ state: 'downloading', message: null });
    try {
      await updater.downloadUpdate();
      return this.set({ state: 'ready' });
    } catch (e) {
      return this.set({ state: 'error', message: failure(e) });
    }
  }

  /** Restarts into the downloaded version, on the user's click (the OS checks its signature first). */
  install(): UpdateStatus {
    if (!this.options.updater || this.status.state !== 'ready' || !this.options.enabled()) return this.get();
    this.options.updater.quitAndInstall(false, true);
    return this.get();
  }

  private installs(): boolean {
    return this.options.platform === 'darwin' || this.options.platform === 'win32';
  }

  private schedule(ms: number): void {
    this.stop();
    this.timer = this.options.timers.set(
      () => {
        this.timer = null;
        if (this.options.enabled()) void this.check();
        this.schedule(EVERY_MS);
      },
      ms,
      'update check',
    );
  }

  private set(patch: Partial<UpdateStatus>): UpdateStatus {
    this.status = { ...this.status, ...patch };
    this.options.onChange(this.get());
    return this.get();
  }
}

// A recording fake of electron-updater's AppUpdater (the part Keyden's Updates uses), left
// unrestrained as electron-updater starts, so that a test sees Updates restrain it.
import type { UpdaterPort } from '../../src/main/app/updates.js';

/** `older`: the feed's version is below the running one (electron-updater then answers isUpdateAvailable: false). */
export function fakeUpdater(found: string | null, options: { failCheck?: Error; failDownload?: Error; older?: boolean } = {}): { updater: UpdaterPort; calls: string[] } {
  const calls: string[] = [];
  const updater: UpdaterPort = {
    autoDownload: true,
    autoInstallOnAppQuit: true,
    allowDowngrade: true,
    allowPrerelease: true,
    async checkForUpdates() {
      calls.push('check');
      if (options.failCheck) throw options.failCheck;
      return found ? { isUpdateAvailable: !options.older, updateInfo: { version: found } } : null;
    },
    async downloadUpdate() {
      calls.push('download');
      if (options.failDownload) throw options.failDownload;
      return [];
    },
    quitAndInstall(isSilent, isForceRunAfter) {
      calls.push(`install silent=${String(isSilent)} run=${String(isForceRunAfter)}`);
    },
  };
  return { updater, calls };
}

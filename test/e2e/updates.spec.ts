// Updates behind a setting (issue 13, "Ready to ship"): off until turned on; a check finds a version;
// nothing downloads until "Download", nothing installs until "Restart and install". electron-updater
// is a recording fake inside the real app runtime (no packaged Electron here).
import { test, expect } from '@playwright/test';
import { fakeUpdater } from '../helpers/fake-updater.js';
import { installTestBridge } from './support/bridge.js';
import { seedVault, shot } from './support/fixtures.js';
import { startTransport } from './support/transport.js';

test('the user turns update checks on, finds a version, downloads it and restarts into it, each by a click', async ({ page }) => {
  const { updater, calls } = fakeUpdater('9.9.9');
  const app = await startTransport({ updater, platform: 'darwin' });
  try {
    await seedVault(app, { presets: [] });
    await installTestBridge(page);
    await page.goto(app.url);
    await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: 'Settings' }).click();
    const section = page.locator('[aria-labelledby="updates-title"]');
    const toggle = section.getByRole('switch', { name: 'Check for updates once a day' });
    await expect(toggle).not.toBeChecked();
    await expect(section.getByRole('button', { name: 'Check now' })).toBeDisabled();
    expect(calls).toEqual([]);
    await toggle.click();
    await expect(section.getByTestId('update-status')).toHaveText('Keyden 9.9.9 is available.');
    await section.scrollIntoViewIfNeeded();
    await shot(page, 'updates');
    expect(app.core.vault.settings().checkForUpdates).toBe(true);
    expect(calls).toEqual(['check']);
    await section.getByRole('button', { name: 'Download Keyden 9.9.9' }).click();
    await expect(section.getByTestId('update-status')).toContainText('The update is downloaded');
    expect(calls).toEqual(['check', 'download']);
    await section.getByRole('button', { name: 'Restart and install' }).click();
    await expect.poll(() => calls).toEqual(['check', 'download', 'install silent=false run=true']);
    expect(updater).toMatchObject({ autoDownload: false, autoInstallOnAppQuit: false });
  } finally {
    await page.close();
    await app.close();
  }
});

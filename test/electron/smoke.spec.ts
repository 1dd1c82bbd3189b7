// Smoke test of the packaged-style app in real Electron: launch, create a vault, add an entry,
// reveal it, lock. Uses a throwaway KEYDEN_HOME (real Argon2: the first create takes ~1 s).
import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PASSWORD = 'correct horse battery staple';

test('the Electron app launches, creates a vault, adds and reveals an entry, and locks', async () => {
  const home = mkdtempSync(join(tmpdir(), 'keyden-electron-'));
  const app = await electron.launch({ args: [resolve('.')], env: { ...process.env, KEYDEN_HOME: home, ELECTRON_RENDERER_URL: '' } });
  try {
    const page = await app.firstWindow();
    // The page is isolated: no Node, no ipcRenderer, only the typed bridge.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as { keyden: object }).keyden).sort())).toContain('entries');
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.getURL())).toMatch(/^app:\/\/keyden\//);

    await page.getByLabel('Master password').fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create vault' }).click();
    await page.getByRole('button', { name: 'Not now' }).click();

    await page.getByRole('button', { name: 'New entry' }).click();
    const dialog = page.getByRole('dialog', { name: 'New entry' });
    await dialog.getByLabel('Category').selectOption({ label: 'OpenAI' });
    await dialog.getByLabel('Project').fill('Smoke Test');
    await dialog.getByLabel('Value', { exact: true }).fill('sk-electron-smoke');
    await dialog.getByRole('button', { name: 'Add entry' }).click();

    const detail = page.getByRole('region', { name: 'Entry detail' });
    await detail.getByRole('button', { name: 'Reveal' }).click();
    await expect(detail.getByTestId('value')).toHaveText('sk-electron-smoke');
    await detail.getByRole('button', { name: 'Copy' }).click();
    expect(await app.evaluate(({ clipboard }) => clipboard.readText())).toBe('sk-electron-smoke');

    await page.keyboard.press('Control+L');
    await expect(page.getByRole('heading', { name: 'Keyden is locked' })).toBeVisible();
    await expect(page.getByText('Smoke Test')).toHaveCount(0);
  } finally {
    await app.close();
    rmSync(home, { recursive: true, force: true });
  }
});

// A file that is not a Keyden vault is refused with a clear message and left untouched.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { installTestBridge } from './support/bridge.js';
import { startTransport } from './support/transport.js';

base('a foreign file in place of the vault is refused at unlock with a clear message and left byte-identical', async ({ page }) => {
  const foreign = Buffer.from('SQLite format 3\0'.padEnd(4096, 'x'));
  const app = await startTransport({ vaultFile: foreign });
  try {
    await installTestBridge(page);
    await page.goto(app.url);
    await expect(page.getByRole('heading', { name: 'Keyden is locked' })).toBeVisible();
    await page.getByLabel('Master password').fill('whatever password');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByRole('alert')).toContainText('is not a Keyden vault');
    await expect(page.getByRole('navigation', { name: 'Vault' })).toHaveCount(0);
    expect(readFileSync(join(app.home, 'vault.db')).equals(foreign)).toBe(true);
  } finally {
    await page.close();
    await app.close();
  }
});

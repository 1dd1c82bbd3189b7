// A name an earlier Keyden let in (U+202E, the right-to-left override) is drawn as `\u202E`, so it
// cannot reorder the text around it (Trojan Source), and the project still renames to a clean name.
import { readFileSync, rmSync } from 'node:fs';
import { test as base, expect } from '@playwright/test';
import { APP } from '../../src/main/core/index.js';
import { createTestVault, PASSWORD } from '../helpers/core.js';
import { renameInFile } from '../helpers/legacy-names.js';
import { installTestBridge } from './support/bridge.js';
import { toastWith } from './support/fixtures.js';
import { startTransport } from './support/transport.js';

const RLO = '\u202E';

/** A vault file as that Keyden wrote it: project `Blog‮gol` whose key belongs to category `Mail‮liam`, and project Shop. */
async function olderVault(): Promise<Buffer> {
  const vault = await createTestVault();
  try {
    vault.core.vault.updateSettings(APP, { apiEnabled: false });
    const mail = vault.core.categories.create(APP, { name: 'Mail', keyType: 'simple', envVarName: 'MAIL_API_KEY' });
    vault.core.entries.create(APP, { categoryId: mail.id, name: 'Blog', value: 'sk-blog' });
    vault.core.entries.create(APP, { categoryId: mail.id, name: 'Shop', value: 'sk-shop' });
    vault.core.close();
    await renameInFile(vault.vaultPath, PASSWORD, 'entries', 'Blog', `Blog${RLO}gol`);
    await renameInFile(vault.vaultPath, PASSWORD, 'categories', 'Mail', `Mail${RLO}liam`);
    return readFileSync(vault.vaultPath);
  } finally {
    rmSync(vault.dir, { recursive: true, force: true });
  }
}

base('a project and a category whose stored names hold U+202E are shown as \\u202E, and the project renames to a clean name', async ({ page }) => {
  const app = await startTransport({ vaultFile: await olderVault() });
  try {
    await installTestBridge(page);
    await page.goto(app.url);
    await page.getByLabel('Master password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Unlock' }).click();

    const nav = page.getByRole('navigation', { name: 'Vault' });
    await expect(nav.getByRole('button', { name: 'Mail\\u202Eliam' })).toBeVisible();

    // A new entry's project suggestions hold only names one could type: Shop, not Blog‮gol.
    await nav.getByRole('button', { name: 'Mail\\u202Eliam' }).click();
    await page.getByRole('button', { name: 'New entry' }).click();
    const editor = page.getByRole('dialog', { name: 'New entry' });
    await expect(editor).toBeVisible();
    await expect(page.locator('#project-names option')).toHaveCount(1);
    await expect(page.locator('#project-names option')).toHaveAttribute('value', 'Shop');
    await page.keyboard.press('Escape');
    await expect(editor).toBeHidden();

    await nav.getByRole('button', { name: /Blog\\u202Egol/ }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Blog\\u202Egol');
    await expect(page.getByRole('table', { name: 'Variables' }).getByRole('row', { name: /MAIL_API_KEY/ })).toContainText('Mail\\u202Eliam');
    expect(await page.locator('body').innerText()).not.toContain(RLO);
    await page.screenshot({ path: base.info().outputPath('older-names.png'), animations: 'disabled', caret: 'hide' });

    // The rename addresses the project by its stored name; the field starts with it as stored.
    await page.getByRole('button', { name: 'Rename project…' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename Blog\\u202Egol' });
    await expect(rename.getByLabel('New project name')).toHaveValue(`Blog${RLO}gol`);
    await rename.getByLabel('New project name').fill('Blog');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await expect(toastWith(page, 'Renamed to Blog')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Blog');
    expect(app.core.projects.list(APP).map((p) => p.name).sort()).toEqual(['Blog', 'Shop']);
  } finally {
    await page.close();
    await app.close();
  }
});

// The unlock screen: show/hide, a rolled-back vault asks before opening, a tampered one says so.
import { join } from 'node:path';
import { openKeydenCore } from '../../src/main/core/index.js';
import { APP, CLI } from '../../src/main/core/types.js';
import { KeydenError, type ErrorCode } from '../../src/shared/errors.js';
import { expect, PASSWORD, seedEntry, seedVault, test } from './support/fixtures.js';
import { TEST_KDF, type Transport } from './support/transport.js';

/** Makes the core refuse unlock the way format 2 does, until `acceptRollback` is passed. */
function refuseUnlock(app: Transport, code: ErrorCode, details: Record<string, unknown>, calls: unknown[]): void {
  const real = app.core.vault.unlock.bind(app.core.vault);
  app.core.vault.unlock = async (caller, password, options) => {
    calls.push(options ?? {});
    if (options?.acceptRollback !== true) throw new KeydenError(code, 'refused', details);
    await real(caller, password);
  };
}

test('the master password can be shown and hidden again before unlocking', async ({ page, app }) => {
  await seedVault(app);
  app.core.vault.lock(APP);
  await page.goto(app.url);
  const field = page.getByLabel('Master password');
  await field.fill(PASSWORD);
  await expect(field).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(field).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Hide' }).click();
  await expect(field).toHaveAttribute('type', 'password');
});

test('a vault older than the one last opened here asks first, then unlocks with acceptRollback', async ({ page, app }) => {
  await seedVault(app);
  app.core.vault.lock(APP);
  const calls: unknown[] = [];
  refuseUnlock(app, 'VAULT_ROLLED_BACK', { known: 7, found: 5 }, calls);
  await page.goto(app.url);
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('This vault is older than the one last opened on this machine (generation 5 < 7). Was it restored from a backup?');
  await dialog.getByRole('button', { name: 'Yes, open it' }).click();
  await expect(page.getByRole('navigation', { name: 'Vault' })).toBeVisible();
  expect(calls).toEqual([{}, { acceptRollback: true }]);
});

test('cancelling the rollback question leaves the vault locked', async ({ page, app }) => {
  await seedVault(app);
  app.core.vault.lock(APP);
  const calls: unknown[] = [];
  refuseUnlock(app, 'VAULT_ROLLED_BACK', { known: 3, found: 2 }, calls);
  await page.goto(app.url);
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'Keyden is locked' })).toBeVisible();
  expect(calls).toEqual([{}]);
  expect(app.core.vault.status().locked).toBe(true);
});

test('a tampered vault says so on unlock instead of a generic error', async ({ page, app }) => {
  await seedVault(app);
  app.core.vault.lock(APP);
  refuseUnlock(app, 'VAULT_TAMPERED', {}, []);
  await page.goto(app.url);
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText('The vault file was changed outside Keyden and cannot be trusted');
});

test('a vault unlocked elsewhere (keyden unlock through the local API) opens in the window too, once', async ({ page, app }) => {
  const c = await seedVault(app);
  app.core.entries.create(APP, { categoryId: c.openai!.id, name: 'Blog Project', value: 'sk-1' });
  app.core.vault.lock(APP);
  await page.goto(app.url);
  await expect(page.getByLabel('Master password')).toBeVisible();
  let lists = 0;
  const list = app.core.entries.list.bind(app.core.entries);
  app.core.entries.list = (...args) => {
    lists++;
    return list(...args);
  };
  // The same core call the API's POST /api/unlock makes; the window hears only the lockChanged event.
  await app.core.vault.unlock(APP, PASSWORD);
  await expect(page.getByRole('listbox', { name: 'Entry list' }).getByRole('option')).toHaveCount(1);
  await expect(page.getByLabel('Master password')).toHaveCount(0);
  expect(lists).toBe(1);
});

test('after ten wrong passwords in a minute the unlock screen says to wait, and even the right one is not tried', async ({ page, app }) => {
  await seedVault(app);
  app.core.vault.lock(APP);
  await page.goto(app.url);
  const field = page.getByLabel('Master password');
  for (let i = 0; i < 10; i++) {
    await field.fill(`wrong guess ${i}`);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByRole('alert')).toHaveText('Wrong password. Try again.');
    // The next guess starts from a fresh message.
    await field.fill('');
  }
  await field.fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText(/Too many wrong passwords\. Try again in \d+ s\./);
  expect(app.core.vault.status().locked).toBe(true);
  await page.screenshot({ path: test.info().outputPath('rate-limited.png'), animations: 'disabled', caret: 'hide' });
});

test('after `keyden passwd --rotate-key` ran beside the app, its next action shows the lock screen, and the same password opens the new key', async ({ page, app }) => {
  const c = await seedVault(app);
  seedEntry(app, { categoryId: c.openai!.id, name: 'Blog Project', value: 'sk-rotated-1' });
  await page.goto(app.url);
  const list = page.getByRole('listbox', { name: 'Entry list' });
  await list.getByRole('option', { name: /OpenAI/ }).click();
  // What the CLI's admin command does: its own connection to the file, the vault key replaced.
  const admin = openKeydenCore({ vaultPath: join(app.home, 'vault.db'), role: 'admin', unsafeTestKdf: TEST_KDF, knownVaultsPath: join(app.home, 'known-vaults.json') });
  await admin.vault.rotateKey(CLI, PASSWORD);
  admin.close();
  await page.getByRole('region', { name: 'Entry detail' }).getByRole('button', { name: 'Reveal' }).click();
  await expect(page.getByRole('heading', { name: 'Keyden is locked' })).toBeVisible();
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await list.getByRole('option', { name: /OpenAI/ }).click();
  const detail = page.getByRole('region', { name: 'Entry detail' });
  await detail.getByRole('button', { name: 'Reveal' }).click();
  await expect(detail.getByTestId('value')).toHaveText('sk-rotated-1');
});

// Settings: tokens (shown once, revoked), master password change, auto-lock.
import { statSync } from 'node:fs';
import { APP } from '../../src/main/core/types.js';
import { expect, PASSWORD, seedEntry, seedVault, shot, test, toastWith } from './support/fixtures.js';

test.describe('with the Argon2id parameters a new vault gets', () => {
  test.use({ defaultKdf: true });
  // The screenshots of docs/ show what a user's vault shows: the product's parameters, not the tests' cheap ones.

  test('a token is shown once, listed with its scopes and last use, and stops working when revoked', async ({ page, app }) => {
    const c = await seedVault(app);
    seedEntry(app, { categoryId: c.openai!.id, name: 'Blog Project', value: 'sk-1' });
    await page.goto(app.url);
    await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: 'Settings' }).click();

    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create token' });
    await dialog.getByLabel('Name').fill('deploy script');
    await dialog.getByLabel('Blog Project').check();
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('dialog', { name: 'Token created' });
    const secret = await shown.getByLabel('New token').inputValue();
    expect(secret).toMatch(/^kdn_[A-Za-z0-9_-]{43}$/);
    await shown.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => app.clipboard.text).toBe(secret);
    await shot(page, 'token-created');
    expect(app.screenProtection).toEqual([true]); // out of screen capture while the secret is shown
    await shown.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => app.screenProtection).toEqual([true, false]);

    const tokens = page.getByRole('table', { name: 'Tokens' });
    const row = tokens.getByRole('row', { name: /deploy script/ });
    await expect(row).toContainText('entries:read, entries:reveal');
    await expect(row).toContainText('Blog Project');
    await expect(row).toContainText('Never');
    await expect(page.getByText(secret)).toHaveCount(0); // never shown again
    expect(app.core.tokens.authenticate(secret)?.name).toBe('deploy script');

    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('alertdialog', { name: 'Revoke deploy script?' }).getByRole('button', { name: 'Revoke' }).click();
    await expect(row).toContainText('Revoked');
    expect(app.core.tokens.authenticate(secret)).toBeNull();
  });

  test('the settings name the parameters in force and how long the last unlock took', async ({ page, app }) => {
    const c = await seedVault(app);
    seedEntry(app, { categoryId: c.openai!.id, name: 'Blog Project', value: 'sk-1' });
    app.core.tokens.create(APP, { name: 'deploy script', scopes: ['entries:read', 'entries:reveal'], projects: ['Blog Project'] });
    expect(app.core.vault.kdfParams()).toMatchObject({ m: 64 * 1024, t: 3 });
    await page.goto(app.url);
    // Locked and unlocked through the UI, so the settings have an unlock time to show.
    await expect(page.getByRole('navigation', { name: 'Vault' })).toBeVisible();
    await page.keyboard.press('Control+L');
    await expect(page.getByRole('heading', { name: 'Keyden is locked' })).toBeVisible();
    await page.getByLabel('Master password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: 'Settings' }).click();
    const info = page.getByTestId('kdf-info');
    await expect(info).toContainText('Argon2id, 64 MiB and 3 passes; the last unlock took');
    expect(Number(/the last unlock took (\d+) ms/.exec((await info.textContent()) ?? '')?.[1])).toBeGreaterThan(0);
    await expect(page.getByRole('table', { name: 'Tokens' })).toContainText('deploy script');
    await shot(page, 'settings');
  });
});

test('changing the master password makes the old one fail at the next unlock', async ({ page, app }) => {
  await seedVault(app);
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: 'Settings' }).click();
  await page.getByLabel('Current password').fill('wrong current password');
  await page.getByLabel('New password', { exact: true }).fill('a much better passphrase 2026');
  await page.getByLabel('Confirm new password').fill('a much better passphrase 2026');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('The current password is wrong')).toBeVisible();

  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(toastWith(page, 'Master password changed')).toBeVisible();

  await page.keyboard.press('Control+L');
  await expect(page.getByRole('heading', { name: 'Keyden is locked' })).toBeVisible();
  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByText('Wrong password. Try again.')).toBeVisible();
  await page.getByLabel('Master password').fill('a much better passphrase 2026');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('navigation', { name: 'Vault' })).toBeVisible();
});

test('auto-lock fires after the idle minutes set in Settings, locks the vault and wipes the page', async ({ page, app }) => {
  const c = await seedVault(app);
  seedEntry(app, { categoryId: c.github!.id, name: 'Secret Project Name', value: 'ghp_1' });
  await page.goto(app.url);
  await expect(page.getByRole('listbox', { name: 'Entry list' })).toContainText('Secret Project Name');
  await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: 'Settings' }).click();
  await page.getByLabel('Lock after idle (minutes)').fill('1');
  await page.getByLabel('Clear clipboard after (seconds)').fill('12');
  // What Keyden can notice is said per platform: Electron reports no locked screen on Linux.
  if (process.platform === 'linux') await expect(page.getByText('Linux does not tell apps when the screen locks')).toBeVisible();
  await expect(page.getByLabel('Hide Keyden from screenshots and screen sharing while a value is shown')).toBeChecked();
  // The KDF cost in force (the test vault's cheap one) and how long the last unlock took.
  await expect(page.getByTestId('kdf-info')).toContainText(`Argon2id, ${app.core.vault.kdfParams().m} KiB and ${app.core.vault.kdfParams().t} pass`);
  await page.getByLabel('Lock when the window is minimized').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(toastWith(page, 'Settings saved')).toBeVisible();
  expect(app.core.vault.settings()).toMatchObject({ autoLockMinutes: 1, clipboardSeconds: 12, lockOnMinimize: true, hideWhileRevealed: true });

  // The countdown restarts on each call from the page and asks for the configured delay.
  expect(app.timers.armed('auto-lock').map((t) => t.ms)).toEqual([60_000]);
  expect(app.timers.fire('auto-lock')).toBe(1);
  await expect(page.getByRole('heading', { name: 'Keyden is locked' })).toBeVisible();
  expect(app.core.vault.status().locked).toBe(true);
  await expect(page.getByText('Secret Project Name')).toHaveCount(0);

  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('listbox', { name: 'Entry list' })).toContainText('Secret Project Name');
  // Values set in Settings stay; a stored invalid value is refused by the contract.
  expect(app.core.vault.settings().autoLockMinutes).toBe(1);
  const refused = await app.runtime.dispatch('settings.update', { autoLockMinutes: 0 });
  expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
});

test('a backup is written where the user chose, readable only by the user, and audited', async ({ page, app }) => {
  await seedVault(app);
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: 'Settings' }).click();
  const target = `${app.home}/backup.db`;
  app.dialogs.nextSavePath = target;
  await page.getByRole('button', { name: 'Back up vault…' }).click();
  await expect(toastWith(page, `Backed up to ${app.shown(target)}`)).toBeVisible();
  expect(statSync(target).mode & 0o777).toBe(0o600);
  expect(app.core.audit.list({ action: 'vault.backup' }).items).toHaveLength(1);
});

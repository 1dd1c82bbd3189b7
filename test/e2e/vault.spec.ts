// Creating, locking and unlocking a vault through the UI.
import { expect, PASSWORD, shot, test } from './support/fixtures.js';

test('a new vault is created from presets, then locks, refuses a wrong password and unlocks', async ({ page, app }) => {
  await page.goto(app.url);
  await expect(page.getByRole('heading', { name: 'Create your vault' })).toBeVisible();

  await page.getByLabel('Master password').fill(PASSWORD);
  await expect(page.getByTestId('strength-label')).toContainText(/Strong|Very strong/);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByLabel('Supabase').check();
  await shot(page, 'create-vault');
  await page.getByRole('button', { name: 'Create vault' }).click();

  // First run asks about the local API (opt-in).
  await expect(page.getByRole('dialog', { name: 'Turn on the local API?' })).toBeVisible();
  await page.getByRole('button', { name: 'Not now' }).click();
  expect(app.core.vault.settings().apiEnabled).toBe(false);

  const nav = page.getByRole('navigation', { name: 'Vault' });
  for (const name of ['OpenAI', 'Anthropic', 'Stripe', 'GitHub', 'AWS', 'Supabase']) await expect(nav.getByRole('button', { name, exact: true })).toBeVisible();
  await expect(page.getByText('Your vault is empty')).toBeVisible();
  expect(app.core.categories.list().find((c) => c.name === 'AWS')?.fields).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']);

  await page.keyboard.press('Control+L');
  await expect(page.getByRole('heading', { name: 'Keyden is locked' })).toBeVisible();
  expect(app.core.vault.status().locked).toBe(true);
  await expect(nav).toHaveCount(0);

  await page.getByLabel('Master password').fill('not the password');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByText('Wrong password. Try again.')).toBeVisible();
  await shot(page, 'unlock');

  await page.getByLabel('Master password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(nav.getByRole('button', { name: 'OpenAI' })).toBeVisible();
  expect(app.core.audit.list({ action: 'vault.unlock' }).items.map((e) => e.ok)).toContain(false);
});

// Feedback and focus: copy says what it did at the button, Ctrl+C on a revealed value goes through
// main's clipboard guard, toasts are capped and gone on the lock screen, focus never falls to <body>.
import { expect, seedEntry, seedVault, test } from './support/fixtures.js';

test('Ctrl+C on a revealed value is copied by main, which clears it later', async ({ page, app }) => {
  const c = await seedVault(app);
  seedEntry(app, { categoryId: c.openai!.id, name: 'Blog', value: 'sk-manual-copy' });
  await page.goto(app.url);
  const detail = page.getByRole('region', { name: 'Entry detail' });
  await detail.getByRole('button', { name: 'Reveal' }).click();
  await expect(detail.getByTestId('value')).toHaveText('sk-manual-copy');
  await detail.getByTestId('value').selectText();
  await page.keyboard.press('Control+C');
  await expect.poll(() => app.clipboard.text).toBe('sk-manual-copy');
  expect(app.clipboard.writes.at(-1)?.concealed).toBe(true);
  expect(app.timers.armed('clipboard.clear')).toHaveLength(1);
  await expect(detail.getByTestId('copy-status')).toHaveText('Copied — clears in 30 s');
  app.timers.fire('clipboard.clear');
  await expect(detail.getByTestId('copy-status')).toHaveText('Clipboard cleared');
});

test('toasts are capped and never shown on the lock screen; focus returns to the app after a dialog', async ({ page, app }) => {
  const c = await seedVault(app);
  seedEntry(app, { categoryId: c.aws!.id, name: 'Infra', value: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_REGION: 'c' } });
  await page.goto(app.url);
  await expect(page.getByRole('listbox', { name: 'Entry list' }).getByRole('option')).toHaveCount(1);
  for (let i = 0; i < 6; i++) await page.keyboard.press('Control+Shift+C');
  await expect(page.locator('.toast')).toHaveCount(3);

  await page.keyboard.press('Control+E');
  const editor = page.getByRole('dialog', { name: 'Edit entry' });
  await expect(editor.locator(':focus')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(editor).toHaveCount(0);
  await expect(page.locator('body')).not.toBeFocused();
  await expect(page.getByLabel('Search entries')).toBeFocused();

  await page.keyboard.press('Control+L');
  await expect(page.getByRole('heading', { name: 'Keyden is locked' })).toBeVisible();
  await expect(page.locator('.toast')).toHaveCount(0);
});

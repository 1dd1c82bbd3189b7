// Feedback and focus: copy says what it did at the button, Ctrl+C on a revealed value goes through
// main's clipboard guard, toasts are capped and gone on the lock screen, focus never falls to <body>.
import type { Page } from '@playwright/test';
import { expect, seedEntry, seedVault, test } from './support/fixtures.js';
import type { Transport } from './support/transport.js';

/** A vault with one OpenAI entry holding `value`, opened on it with the value revealed: the entry's detail pane. */
async function revealed(page: Page, app: Transport, value: string) {
  const c = await seedVault(app);
  seedEntry(app, { categoryId: c.openai!.id, name: 'Blog', value });
  await page.goto(app.url);
  const detail = page.getByRole('region', { name: 'Entry detail' });
  await detail.getByRole('button', { name: 'Reveal' }).click();
  await expect(detail.getByTestId('value')).toHaveText(value);
  return detail;
}

test('Ctrl+C on a revealed value is copied by main, which clears it later', async ({ page, app }) => {
  const detail = await revealed(page, app, 'sk-manual-copy');
  await detail.getByTestId('value').selectText();
  await page.keyboard.press('Control+C');
  await expect.poll(() => app.clipboard.text).toBe('sk-manual-copy');
  expect(app.clipboard.writes.at(-1)?.concealed).toBe(true);
  expect(app.timers.armed('clipboard.clear')).toHaveLength(1);
  await expect(detail.getByTestId('copy-status')).toHaveText('Copied — clears in 30 s');
  app.timers.fire('clipboard.clear');
  await expect(detail.getByTestId('copy-status')).toHaveText('Clipboard cleared');
});

/** Copies the page let through to Chromium's own clipboard (not cancelled), recorded after every handler ran. */
async function recordNativeCopies(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { nativeCopies: string[] };
    w.nativeCopies = [];
    window.addEventListener('copy', (e) => {
      if (!e.defaultPrevented) w.nativeCopies.push(String(document.getSelection()));
    });
  });
  return () => page.evaluate(() => (window as unknown as { nativeCopies: string[] }).nativeCopies);
}

test('Ctrl+C on a selection that runs from the variable name into a revealed value, or on Ctrl+A, is copied by main, never by the page', async ({ page, app }) => {
  const detail = await revealed(page, app, 'sk-selected-from-label');
  const nativeCopies = await recordNativeCopies(page);
  await page.evaluate(() => {
    const value = document.querySelector('[data-testid="value"]')!;
    const label = value.closest('.field-row')!.querySelector('dt')!;
    document.getSelection()!.setBaseAndExtent(label, 0, value, value.childNodes.length);
  });
  await page.keyboard.press('Control+C');
  await expect.poll(() => app.clipboard.text).toBe('sk-selected-from-label');
  expect(app.clipboard.writes.at(-1)?.concealed).toBe(true);
  app.clipboard.clear();
  await detail.getByRole('heading', { level: 2 }).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+C');
  await expect.poll(() => app.clipboard.text).toBe('sk-selected-from-label');
  expect((await nativeCopies()).join('\n')).not.toContain('sk-selected-from-label');
});

test('Ctrl+C on text the user selected in a field stays the page\'s own copy while a value is revealed', async ({ page, app }) => {
  const detail = await revealed(page, app, 'sk-not-this-one');
  const nativeCopies = await recordNativeCopies(page);
  const search = page.getByLabel('Search entries');
  await search.fill('blog');
  await search.selectText();
  await expect(detail.getByTestId('value')).toHaveText('sk-not-this-one');
  const writes = app.clipboard.writes.length;
  await page.keyboard.press('Control+C');
  await expect.poll(nativeCopies).toEqual(['blog']);
  expect(app.clipboard.writes.length).toBe(writes);
});

test('Ctrl+A and Ctrl+C over a group entry with several revealed values copies none of them and says how to copy one', async ({ page, app }) => {
  const c = await seedVault(app);
  seedEntry(app, { categoryId: c.aws!.id, name: 'Infra', value: { AWS_ACCESS_KEY_ID: 'AKIA-one', AWS_SECRET_ACCESS_KEY: 'secret-two', AWS_REGION: 'eu-west-1' } });
  await page.goto(app.url);
  const detail = page.getByRole('region', { name: 'Entry detail' });
  await detail.getByRole('button', { name: 'Reveal' }).click();
  await expect(detail.getByTestId('value-AWS_SECRET_ACCESS_KEY')).toHaveText('secret-two');
  const nativeCopies = await recordNativeCopies(page);
  const writes = app.clipboard.writes.length;
  await detail.getByRole('heading', { level: 2 }).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+C');
  await expect(page.locator('.toast', { hasText: 'Copy one value at a time' })).toBeVisible();
  expect(app.clipboard.writes.length).toBe(writes);
  expect((await nativeCopies()).join('\n')).not.toContain('secret-two');
});

test('Ctrl+C on a new token, selected in its field as the dialog opens, is copied by main, which clears it later', async ({ page, app }) => {
  await seedVault(app);
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create token' });
  await dialog.getByLabel('Name').fill('ci');
  await dialog.getByRole('button', { name: 'Create token' }).click();
  const input = page.getByRole('dialog', { name: 'Token created' }).getByLabel('New token');
  await expect(input).toBeFocused();
  const secret = await input.inputValue();
  const nativeCopies = await recordNativeCopies(page);
  await page.keyboard.press('Control+C');
  await expect.poll(() => app.clipboard.text).toBe(secret);
  expect(app.clipboard.writes.at(-1)?.concealed).toBe(true);
  expect((await nativeCopies()).join('\n')).not.toContain(secret);
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

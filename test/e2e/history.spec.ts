// Editing keeps history; a version can be revealed and restored; delete asks first.
import { expect, MASK, seedEntry, seedVault, shot, test } from './support/fixtures.js';

test('an edited value keeps the old one in History, which restores it; delete asks for confirmation', async ({ page, app }) => {
  const c = await seedVault(app);
  seedEntry(app, { categoryId: c.stripe!.id, name: 'Shop', value: 'sk_old_value', environment: 'production' });
  await page.goto(app.url);
  const detail = page.getByRole('region', { name: 'Entry detail' });
  await expect(detail.getByRole('heading', { name: 'Stripe' })).toBeVisible();

  await detail.getByRole('button', { name: 'Edit' }).click();
  const editor = page.getByRole('dialog', { name: 'Edit entry' });
  await editor.getByLabel(/Change the value/).check();
  await editor.getByLabel('Value', { exact: true }).fill('sk_new_value');
  await editor.getByLabel('Notes').fill('Rotated after the leak drill');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor).toHaveCount(0);
  await expect(detail).toContainText('Rotated after the leak drill');

  await detail.getByRole('button', { name: 'History' }).click();
  const history = page.getByRole('dialog', { name: 'History' });
  await expect(history.getByText('Version 1')).toBeVisible();
  await history.getByRole('button', { name: 'Reveal' }).click();
  await expect(history.getByTestId('version-value-1')).toHaveText('sk_old_value');
  await shot(page, 'history');
  await history.getByRole('button', { name: 'Restore' }).click();
  await page.getByRole('alertdialog', { name: 'Restore version 1?' }).getByRole('button', { name: 'Restore' }).click();
  await expect(history).toHaveCount(0);

  await detail.getByRole('button', { name: 'Reveal' }).click();
  await expect(detail.getByTestId('value')).toHaveText('sk_old_value');
  await detail.getByRole('button', { name: 'Hide' }).click();
  await expect(detail.getByTestId('value')).toHaveText(MASK);
  expect(app.core.entries.versions({ actor: 'app', projects: null, environments: null }, app.core.entries.list({ actor: 'app', projects: null, environments: null }).items[0]!.id).length).toBe(2);

  await detail.getByRole('button', { name: 'Delete entry' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete this entry?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(detail.getByRole('heading', { name: 'Stripe' })).toBeVisible();
  await detail.getByRole('button', { name: 'Delete entry' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Your vault is empty')).toBeVisible();
  expect(app.core.entries.list({ actor: 'app', projects: null, environments: null }).total).toBe(0);
});

test('a group category is made in the category editor with its fields and icon', async ({ page, app }) => {
  await seedVault(app, { presets: ['openai'] });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Manage categories' }).click();
  await page.getByRole('button', { name: 'New category' }).click();
  const editor = page.getByRole('dialog', { name: 'New category' });
  await editor.getByLabel('Name', { exact: true }).fill('Postgres');
  await editor.getByLabel(/Group/).check();
  await editor.getByRole('textbox', { name: 'Field 1' }).fill('PGHOST');
  await editor.getByRole('button', { name: 'Add field' }).click();
  await editor.getByRole('textbox', { name: 'Field 2' }).fill('pgpassword');
  await editor.getByRole('radio', { name: 'database' }).click();
  await shot(page, 'category-editor');
  await editor.getByRole('button', { name: 'Create category' }).click();
  await expect(editor).toHaveCount(0);
  const created = app.core.categories.list().find((c) => c.name === 'Postgres');
  expect(created).toMatchObject({ keyType: 'group', fields: ['PGHOST', 'PGPASSWORD'], icon: 'database', envVarName: null });
  await expect(page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: 'Postgres' })).toBeVisible();

  // A bad variable name is refused with the reason, before anything is sent.
  await page.getByRole('button', { name: 'New category' }).click();
  await editor.getByLabel('Name', { exact: true }).fill('Broken');
  await editor.getByLabel('Environment variable').fill('1BAD');
  await editor.getByRole('button', { name: 'Create category' }).click();
  await expect(editor.getByText(/must match/)).toBeVisible();
});

test('an earlier value is copied through the clipboard guard, by its Copy button and by Ctrl+C on the shown value', async ({ page, app }) => {
  const c = await seedVault(app);
  const id = seedEntry(app, { categoryId: c.stripe!.id, name: 'Shop', value: 'sk_old_value', environment: 'production' });
  app.core.entries.update({ actor: 'app', projects: null, environments: null }, id, { value: 'sk_new_value' });
  await page.goto(app.url);
  const detail = page.getByRole('region', { name: 'Entry detail' });
  await detail.getByRole('button', { name: 'History' }).click();
  const history = page.getByRole('dialog', { name: 'History' });
  await history.getByRole('button', { name: 'Reveal' }).click();
  const shown = history.getByTestId('version-value-1');
  await expect(shown).toHaveText('sk_old_value');
  // Ctrl+C on the selected value: main's guarded clipboard gets it (the page's own copy is prevented).
  await shown.selectText();
  await page.keyboard.press('Control+C');
  await expect.poll(() => app.clipboard.text).toBe('sk_old_value');
  app.clipboard.text = '';
  await history.getByRole('button', { name: 'Copy version 1' }).click();
  await expect.poll(() => app.clipboard.text).toBe('sk_old_value');
  expect(app.core.audit.list({ action: 'entry.copy' }).items.map((e) => e.detail?.version)).toEqual([1, 1]);
});

test('a reveal answered after the user moved to another entry is not shown under that entry', async ({ page, app }) => {
  const c = await seedVault(app);
  seedEntry(app, { categoryId: c.stripe!.id, name: 'Shop', value: 'sk_shop_value', environment: 'production' });
  seedEntry(app, { categoryId: c.stripe!.id, name: 'Blog', value: 'sk_blog_value', environment: 'production' });
  // Main's answer to the reveal is held back until the user has picked the other entry.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/__bridge/invoke', async (route) => {
    if (route.request().postDataJSON()?.channel !== 'entries.reveal') return route.continue();
    await held;
    await route.continue();
  });
  await page.goto(app.url);
  const list = page.getByRole('listbox', { name: 'Entry list' });
  const detail = page.getByRole('region', { name: 'Entry detail' });
  await list.getByRole('option', { name: /Shop/ }).click();
  await detail.getByRole('button', { name: 'Reveal' }).click();
  await list.getByRole('option', { name: /Blog/ }).click();
  await expect(detail.getByText('Blog', { exact: true }).first()).toBeVisible();
  const answered = page.waitForResponse('**/__bridge/invoke');
  release();
  await answered;
  await page.waitForTimeout(200); // let the answer reach React before looking
  await expect(detail.getByTestId('value')).toHaveText(MASK);
  await expect(detail).not.toContainText('sk_shop_value');
});

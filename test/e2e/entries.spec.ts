// Entries: add (simple and group), search, reveal and auto-hide, copy through main.
import { APP } from '../../src/main/core/types.js';
import type { EntryInput } from '../../src/shared/model.js';
import { expect, MASK, seedEntries, seedEntry, seedVault, settle, shot, test } from './support/fixtures.js';

test.describe('with a short reveal time', () => {
  test.use({ revealSeconds: 1 });

  test('a simple and a group entry are added, found by search, revealed, hidden again and copied by main', async ({ page, app }) => {
    await seedVault(app);
    await page.goto(app.url);
    await expect(page.getByText('Your vault is empty')).toBeVisible();

    await page.keyboard.press('Control+N');
    const dialog = page.getByRole('dialog', { name: 'New entry' });
    await dialog.getByLabel('Category').selectOption({ label: 'OpenAI' });
    await dialog.getByLabel('Project').fill('Blog Project');
    // A key whose prefix names another service is flagged, with the category it belongs to.
    await dialog.getByLabel('Value', { exact: true }).fill('sk_live_51HabcdefghijKLMNOP');
    const warnings = dialog.getByRole('status').filter({ hasText: 'looks like' });
    await expect(warnings).toContainText('This looks like a Stripe key, not OpenAI.');
    await expect(warnings).toContainText('This is a live Stripe key, but the environment is development.');
    await warnings.getByRole('button', { name: 'Use Stripe' }).click();
    await expect(dialog.getByLabel('Category')).toHaveValue(await dialog.getByLabel('Category').locator('option', { hasText: 'Stripe' }).getAttribute('value') ?? '');
    await expect(dialog.getByRole('status').filter({ hasText: 'looks like' })).toHaveCount(0);
    await dialog.getByLabel('Category').selectOption({ label: 'OpenAI' });
    await dialog.getByLabel('Value', { exact: true }).fill('sk-test-openai-123');
    await expect(dialog.getByRole('status').filter({ hasText: 'looks like' })).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Add entry' }).click();
    await expect(dialog).toHaveCount(0);

    await page.getByRole('button', { name: 'New entry' }).click();
    await dialog.getByLabel('Category').selectOption({ label: 'AWS' });
    await dialog.getByLabel('Project').fill('Blog Project');
    await dialog.getByLabel('Environment').fill('production');
    await dialog.getByLabel('AWS_ACCESS_KEY_ID').fill('AKIAEXAMPLE');
    await dialog.getByLabel('AWS_SECRET_ACCESS_KEY').fill('aws-secret-value');
    await dialog.getByLabel('AWS_REGION').fill('eu-west-1');
    await shot(page, 'entry-editor');
    await dialog.getByRole('button', { name: 'Add entry' }).click();
    await expect(dialog).toHaveCount(0);

    const list = page.getByRole('listbox', { name: 'Entry list' });
    await expect(list.getByRole('option')).toHaveCount(2);

    // Search as you type, from anywhere with Ctrl+K.
    await page.keyboard.press('Control+K');
    await expect(page.getByLabel('Search entries')).toBeFocused();
    await page.keyboard.type('aws');
    await expect(list.getByRole('option')).toHaveCount(1);
    await expect(list.getByRole('option')).toContainText('AWS');
    await page.getByLabel('Search entries').fill('');
    await expect(list.getByRole('option')).toHaveCount(2);

    // Reveal shows the value, then hides it again by itself.
    await list.getByRole('option', { name: /OpenAI/ }).click();
    const detail = page.getByRole('region', { name: 'Entry detail' });
    await expect(detail.getByTestId('value')).toHaveText(MASK);
    await detail.getByRole('button', { name: 'Reveal' }).click();
    await expect(detail.getByTestId('value')).toHaveText('sk-test-openai-123');
    await expect(detail.getByTestId('value')).toHaveText(MASK);

    // Copy is done in main: the page never receives the value.
    const before = app.responses.length;
    await detail.getByRole('button', { name: 'Copy' }).click();
    await expect(detail.getByTestId('copy-status')).toHaveText('Copied — clears in 30 s');
    expect(app.clipboard.text).toBe('sk-test-openai-123');
    expect(app.clipboard.writes.at(-1)?.concealed).toBe(true);
    const copyResponses = app.responses.slice(before).filter((r) => r.channel === 'entries.copy');
    expect(copyResponses).toHaveLength(1);
    expect(copyResponses[0]?.body).not.toContain('sk-test-openai-123');
    expect(app.timers.armed('clipboard.clear')[0]?.ms).toBe(30_000);
    app.timers.fire('clipboard.clear');
    await expect.poll(() => app.clipboard.text).toBe('');
    await expect(detail.getByTestId('copy-status')).toHaveText('Clipboard cleared');

    // A group entry copies one field at a time.
    await list.getByRole('option', { name: /AWS/ }).click();
    await detail.getByRole('button', { name: 'Copy AWS_SECRET_ACCESS_KEY' }).click();
    await expect.poll(() => app.clipboard.text).toBe('aws-secret-value');
    // The user copies something else: the timer must not wipe it.
    app.clipboard.text = 'something the user copied';
    const clears = app.clipboard.clears;
    app.timers.fire('clipboard.clear');
    await settle();
    expect(app.clipboard.clears).toBe(clears);
    expect(app.clipboard.text).toBe('something the user copied');

    await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: 'Audit log' }).click();
    const audit = page.getByRole('table', { name: 'Audit events' });
    await expect(audit).toContainText('entry.copy');
    await expect(audit).toContainText('entry.reveal');
    await expect(audit).not.toContainText('sk-test-openai-123');
    await shot(page, 'audit-log');
  });
});

test('the main view lists entries with their environment and expiry, in light and dark', async ({ page, app }) => {
  const c = await seedVault(app, { presets: ['openai', 'anthropic', 'stripe', 'github', 'aws', 'supabase', 'twilio'] });
  const soon = new Date(Date.now() + 5 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, '.000Z');
  seedEntry(app, { categoryId: c.openai!.id, name: 'Blog Project', value: 'sk-1', environment: 'development' });
  seedEntry(app, { categoryId: c.openai!.id, name: 'Blog Project', value: 'sk-2', environment: 'production', expiresAt: soon });
  seedEntry(app, { categoryId: c.stripe!.id, name: 'Shop', value: 'sk_live_1', environment: 'production', notes: 'Live key, rotate every 90 days' });
  seedEntry(app, { categoryId: c.github!.id, name: 'CI', value: 'ghp_1' });
  seedEntry(app, { categoryId: c.aws!.id, name: 'Shop', value: { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'eu-west-1' }, environment: 'staging' });
  seedEntry(app, { categoryId: c.anthropic!.id, name: 'Blog Project', value: 'sk-ant-1' });
  seedEntry(app, { categoryId: c.twilio!.id, name: 'Shop', value: { TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't' } });
  await page.goto(app.url);
  const list = page.getByRole('listbox', { name: 'Entry list' });
  await expect(list.getByRole('option')).toHaveCount(7);
  await list.getByRole('option', { name: /Stripe/ }).click();
  await expect(page.getByRole('region', { name: 'Entry detail' })).toContainText('Live key, rotate every 90 days');
  await expect(list.getByText('5d left')).toBeVisible();
  // Keyboard: ⌘/Ctrl+Shift+C copies the selected entry (in main), ⌘/Ctrl+E edits it.
  await page.keyboard.press('Control+Shift+C');
  await expect.poll(() => app.clipboard.text).toBe('sk_live_1');
  await page.keyboard.press('Control+E');
  const editor = page.getByRole('dialog', { name: 'Edit entry' });
  await expect(editor).toBeVisible();
  // Escape closes it once the dialog has taken focus (its key handler is attached by then).
  await expect(editor.locator(':focus')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Edit entry' })).toHaveCount(0);
  await shot(page, 'main-view');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'main-view-dark');
});

test('ten thousand entries scroll in a virtualized list that renders only what is visible', async ({ page, app }) => {
  await seedVault(app, { presets: [] });
  // 20 services × 50 projects × 10 environments: a large but realistic vault.
  const categories = Array.from({ length: 20 }, (_, i) => app.core.categories.create(APP, { name: `Service ${i}`, keyType: 'simple', envVarName: `SERVICE_${i}_KEY`, icon: 'key' }));
  const inputs: EntryInput[] = [];
  for (let p = 0; p < 50; p++)
    for (let e = 0; e < 10; e++) for (const c of categories) inputs.push({ categoryId: c.id, name: `Project ${String(p).padStart(2, '0')}`, environment: `env-${e}`, value: `v-${p}-${e}` });
  seedEntries(app, inputs);
  await page.goto(app.url);
  await expect(page.getByText('10000 entries')).toBeVisible();
  const list = page.getByRole('listbox', { name: 'Entry list' });
  expect(await list.getByRole('option').count()).toBeLessThan(60);
  await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(list.getByRole('option').last()).toContainText('Project');
  expect(await list.getByRole('option').count()).toBeLessThan(60);
  await page.getByLabel('Search entries').fill('SERVICE_7_KEY');
  await expect(page.getByText('500 entries match')).toBeVisible();
});

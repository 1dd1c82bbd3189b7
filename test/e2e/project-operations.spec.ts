// DESIGN §9 in the app: the All environments tab with inherited variables marked, the template's
// missing variables flagged, Promote… with a preview, renaming an environment, and the trash.
import { expect, seedEntry, seedVault, shot, test, toastWith } from './support/fixtures.js';

const APP = { actor: 'app', projects: null, environments: null } as const;

test('shared variables are inherited and marked, the template flags what an environment lacks, and promote previews then applies', async ({ page, app }) => {
  const c = await seedVault(app);
  seedEntry(app, { categoryId: c.openai!.id, name: 'Shop', environment: '*', value: 'sk-shared' });
  seedEntry(app, { categoryId: c.stripe!.id, name: 'Shop', environment: 'staging', value: 'sk_staging' });
  seedEntry(app, { categoryId: c.anthropic!.id, name: 'Shop', environment: 'staging', value: 'anthropic-staging' });
  seedEntry(app, { categoryId: c.anthropic!.id, name: 'Shop', environment: 'production', value: 'anthropic-prod' });
  app.core.projectOperations.setTemplate(APP, 'Shop', { variables: ['OPENAI_API_KEY', 'STRIPE_SECRET_KEY'] });
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: /Shop/ }).click();

  await page.getByRole('tab', { name: /production/ }).click();
  const vars = page.getByRole('table', { name: 'Variables' });
  await expect(vars.getByRole('row', { name: /OPENAI_API_KEY/ })).toContainText('inherited');
  await expect(vars.getByRole('row', { name: /ANTHROPIC_API_KEY/ })).not.toContainText('inherited');
  await expect(page.getByTestId('template-missing')).toContainText('STRIPE_SECRET_KEY');

  await page.getByRole('tab', { name: /All environments/ }).click();
  await expect(vars.getByRole('row', { name: /OPENAI_API_KEY/ })).not.toContainText('inherited');
  await expect(page.getByRole('button', { name: 'Export .env…' })).toBeDisabled();

  await page.getByRole('tab', { name: /staging/ }).click();
  await page.getByRole('button', { name: 'Promote…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Promote Shop from staging' });
  await dialog.getByLabel('To environment').fill('production');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  const preview = dialog.getByTestId('promote-preview');
  await expect(preview).toContainText('added: STRIPE_SECRET_KEY');
  await expect(preview).toContainText('skipped: ANTHROPIC_API_KEY');
  await expect(dialog).not.toContainText('sk_staging');
  await shot(page, 'promote');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(toastWith(page, 'Promoted')).toBeVisible();
  expect(app.core.projectOperations.validate(APP, 'Shop', 'production').missing).toEqual([]);
  const prod = app.core.entries.list(APP, { project: 'Shop', environment: 'production', variable: 'ANTHROPIC_API_KEY' }).items[0]!;
  expect((await app.core.entries.reveal(APP, prod.id)).value).toBe('anthropic-prod');

  await page.getByRole('tab', { name: /production/ }).click();
  await expect(page.getByTestId('template-missing')).toHaveCount(0);
  await shot(page, 'project-all-environments');
});

test('an environment can be renamed, and deleted entries wait in the trash until restored', async ({ page, app }) => {
  const c = await seedVault(app);
  seedEntry(app, { categoryId: c.openai!.id, name: 'Blog', environment: 'stage', value: 'sk-stage' });
  const doomed = seedEntry(app, { categoryId: c.github!.id, name: 'Blog', environment: 'stage', value: 'ghp_x' });
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: /Blog/ }).click();

  await page.getByRole('button', { name: 'Rename stage…' }).click();
  const rename = page.getByRole('dialog', { name: 'Rename stage' });
  await rename.getByLabel('New environment name').fill('staging');
  await rename.getByRole('button', { name: 'Rename' }).click();
  await expect(toastWith(page, 'Renamed stage to staging')).toBeVisible();
  await expect(page.getByRole('tab', { name: /staging/ })).toBeVisible();

  app.core.entries.remove(APP, doomed);
  await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: 'Settings' }).click();
  const trash = page.getByRole('table', { name: 'Trash' });
  await expect(trash).toContainText('GitHub/Blog/staging');
  await shot(page, 'trash');
  await trash.getByRole('button', { name: 'Restore GitHub/Blog/staging' }).click();
  await expect(toastWith(page, 'Restored GitHub/Blog/staging')).toBeVisible();
  await expect(page.getByText('The trash is empty.')).toBeVisible();
  expect((await app.core.entries.reveal(APP, doomed)).value).toBe('ghp_x');
});

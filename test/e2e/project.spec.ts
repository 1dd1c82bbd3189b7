// The project view: variables per environment, conflicts, copy / export / import of .env.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { expect, seedEntry, seedVault, shot, test, toastWith } from './support/fixtures.js';

test('a project exports its .env to the chosen file, copies it, and imports a .env with a summary', async ({ page, app }) => {
  const c = await seedVault(app);
  seedEntry(app, { categoryId: c.openai!.id, name: 'Blog Project', value: 'sk-openai "quoted" value' });
  seedEntry(app, { categoryId: c.aws!.id, name: 'Blog Project', value: { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 'secret/with+chars', AWS_REGION: 'eu-west-1' } });
  seedEntry(app, { categoryId: c.openai!.id, name: 'Blog Project', environment: 'production', value: 'sk-prod' });
  await page.goto(app.url);

  await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: /Blog Project/ }).click();
  const vars = page.getByRole('table', { name: 'Variables' });
  for (const name of ['OPENAI_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) await expect(vars.getByRole('cell', { name, exact: true }).first()).toBeVisible();
  await expect(page.getByRole('tab', { name: /production/ })).toBeVisible();

  // Export: main asks where (save dialog), writes the file 0600.
  const target = join(app.home, 'blog.env');
  app.dialogs.nextSavePath = target;
  await page.getByRole('button', { name: 'Export .env…' }).click();
  await expect(toastWith(page, `Exported to ${app.shown(target)}`)).toBeVisible();
  expect(parse(readFileSync(target, 'utf8'))).toEqual({ OPENAI_API_KEY: 'sk-openai "quoted" value', AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 'secret/with+chars', AWS_REGION: 'eu-west-1' });
  expect(statSync(target).mode & 0o777).toBe(0o600);
  expect(app.dialogs.calls.at(-1)).toMatchObject({ kind: 'save', defaultName: '.env' });

  // A cancelled dialog writes nothing and says nothing.
  app.dialogs.nextSavePath = null;
  await page.getByRole('button', { name: 'Export .env…' }).click();
  await expect.poll(() => app.dialogs.calls.length).toBe(2);

  await page.getByRole('button', { name: 'Copy as .env' }).click();
  await expect(toastWith(page, /Copied the .env/)).toBeVisible();
  expect(parse(app.clipboard.text).OPENAI_API_KEY).toBe('sk-openai "quoted" value');

  // Import: main asks which file (open dialog), the summary names what happened.
  const source = join(app.home, 'incoming.env');
  writeFileSync(source, '# from the old laptop\nSTRIPE_SECRET_KEY=sk_live_imported\nOPENAI_API_KEY=sk-replaced\nSENTRY_DSN=https://example.invalid/1\nnot a variable\n');
  app.dialogs.nextOpenPath = source;
  await page.getByRole('button', { name: 'Import .env…' }).click();
  const summary = page.getByTestId('import-summary');
  await expect(summary).toContainText('Imported 2, updated 1, skipped 0');
  await expect(summary.getByRole('list', { name: 'Import warnings' })).toContainText('ignored line 5 (no `=`)');
  await expect(vars.getByRole('cell', { name: 'STRIPE_SECRET_KEY', exact: true }).first()).toBeVisible();
  await expect(vars.getByRole('cell', { name: 'SENTRY_DSN', exact: true }).first()).toBeVisible();

  // Two entries that would write the same variable: shown as a conflict, export blocked.
  seedEntry(app, { categoryId: c.anthropic!.id, name: 'Blog Project', value: 'x', envVarName: 'STRIPE_SECRET_KEY' });
  await page.getByRole('tab', { name: /production/ }).click();
  await page.getByRole('tab', { name: /development/ }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Conflicts' })).toContainText('STRIPE_SECRET_KEY is written by');
  await expect(page.getByRole('button', { name: 'Export .env…' })).toBeDisabled();
  await shot(page, 'project');
});

test('after an export or a copy, the project names the variables a shell sourcing the .env would run, never their values', async ({ page, app }) => {
  const c = await seedVault(app);
  // What a token that may only write the project could plant: a CR beside $(…) goes in double quotes, where a shell expands it.
  seedEntry(app, { categoryId: c.openai!.id, name: 'Shop', value: 'harmless\r$(touch /tmp/keyden-e2e-planted)' });
  seedEntry(app, { categoryId: c.stripe!.id, name: 'Shop', value: "sk_test_'quoted'" });
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: /Shop/ }).click();
  const warning = page.getByRole('alert', { name: 'Values a shell would run' });
  await expect(page.getByRole('table', { name: 'Variables' })).toBeVisible();
  await expect(warning).toHaveCount(0);

  const target = join(app.home, 'shop.env');
  app.dialogs.nextSavePath = target;
  await page.getByRole('button', { name: 'Export .env…' }).click();
  await expect(warning).toContainText('OPENAI_API_KEY');
  await expect(warning).not.toContainText('STRIPE_SECRET_KEY');
  await expect(warning).not.toContainText('harmless');
  await expect(warning).toContainText('keyden run');
  expect(parse(readFileSync(target, 'utf8')).OPENAI_API_KEY).toBe('harmless\r$(touch /tmp/keyden-e2e-planted)');
  await shot(page, 'project-shell-warning');

  // Another environment starts without it; a copy of this one shows it again.
  await page.getByRole('tab', { name: /All environments/ }).click();
  await expect(warning).toHaveCount(0);
  await page.getByRole('tab', { name: /development/ }).click();
  await page.getByRole('button', { name: 'Copy as .env' }).click();
  await expect(warning).toContainText('OPENAI_API_KEY');
});

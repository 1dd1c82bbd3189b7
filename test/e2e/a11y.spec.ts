// axe-core on every screen, light and dark: zero serious or critical violations.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { APP } from '../../src/main/core/types.js';
import { expect, PASSWORD, seedEntry, seedVault, test } from './support/fixtures.js';

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`every screen has no serious or critical axe violation (${colorScheme})`, async ({ page, app }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto(app.url);
    await expect(page.getByRole('heading', { name: 'Create your vault' })).toBeVisible();
    expect(await seriousViolations(page), 'create').toEqual([]);

    const c = await seedVault(app);
    seedEntry(app, { categoryId: c.openai!.id, name: 'Blog', environment: 'development', value: 'sk-1', expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    seedEntry(app, { categoryId: c.stripe!.id, name: 'Blog', environment: 'production', value: 'sk_live_1' });
    seedEntry(app, { categoryId: c.github!.id, name: 'Blog', environment: 'staging', value: 'ghp_1' });
    app.core.vault.lock(APP);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Keyden is locked' })).toBeVisible();
    expect(await seriousViolations(page), 'unlock').toEqual([]);

    await page.getByLabel('Master password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByRole('listbox', { name: 'Entry list' }).getByRole('option')).toHaveCount(3);
    expect(await seriousViolations(page), 'entries').toEqual([]);

    await page.keyboard.press('Control+E');
    await expect(page.getByRole('dialog', { name: 'Edit entry' })).toBeVisible();
    expect(await seriousViolations(page), 'editor').toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByRole('region', { name: 'Entry detail' }).getByRole('button', { name: 'History' }).click();
    await expect(page.getByRole('dialog', { name: 'History' })).toBeVisible();
    expect(await seriousViolations(page), 'history').toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByRole('region', { name: 'Entry detail' }).getByRole('button', { name: 'Delete entry' }).click();
    await expect(page.getByRole('alertdialog')).toBeVisible();
    expect(await seriousViolations(page), 'delete confirm').toEqual([]);
    await page.keyboard.press('Escape');

    const nav = page.getByRole('navigation', { name: 'Vault' });
    for (const [button, screen] of [
      [nav.getByRole('button', { name: /^Blog/ }), 'project'],
      [nav.getByRole('button', { name: 'Manage categories' }), 'categories'],
      [nav.getByRole('button', { name: 'Settings' }), 'settings'],
      [nav.getByRole('button', { name: 'Audit log' }), 'audit'],
    ] as const) {
      await button.click();
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      expect(await seriousViolations(page), screen).toEqual([]);
    }
  });
}

// The sidebar at 500 projects: a virtualized project list with one Tab stop, a filter, and
// sections that fold, so Categories and Environments stay in reach.
import { expect, seedEntry, seedVault, test } from './support/fixtures.js';

test('500 projects render a screenful, take one Tab stop, filter, and fold away', async ({ page, app }) => {
  const c = await seedVault(app, { presets: ['openai', 'stripe'] });
  for (let p = 0; p < 500; p++) seedEntry(app, { categoryId: c.openai!.id, name: `Project ${String(p).padStart(3, '0')}`, environment: 'development', value: `v-${p}` });
  await page.goto(app.url);
  const nav = page.getByRole('navigation', { name: 'Vault' });
  const projects = nav.getByRole('list', { name: 'Projects' });
  await expect(projects.getByRole('button').first()).toContainText('Project 000');
  expect(await projects.getByRole('button').count()).toBeLessThan(30);
  // One Tab stop for the whole project list.
  expect(await projects.locator('button[tabindex="0"]').count()).toBe(1);
  // Categories and Environments are on screen without scrolling past 500 projects.
  await expect(nav.getByRole('button', { name: 'Categories', exact: true })).toBeInViewport();
  await expect(nav.getByRole('button', { name: 'Environments', exact: true })).toBeInViewport();
  await expect(nav.getByRole('button', { name: 'Stripe', exact: true })).toBeInViewport();

  // Arrow keys move inside the list, scrolling the virtualized rows in.
  await projects.getByRole('button').first().focus();
  for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowDown');
  await expect(projects.getByRole('button', { name: /Project 012/ })).toBeFocused();
  await page.keyboard.press('End');
  await expect(projects.getByRole('button', { name: /Project 499/ })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Project 499', level: 1 })).toBeVisible();

  await nav.getByLabel('Filter projects, categories and environments').fill('project 42');
  await expect(projects.getByRole('button')).toHaveCount(10); // Project 420–429
  await nav.getByLabel('Filter projects, categories and environments').fill('');

  const toggle = nav.getByRole('button', { name: /Projects/ });
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(projects).toBeHidden();
  await toggle.click();
  await expect(projects).toBeVisible();
});

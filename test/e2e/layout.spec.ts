// Every screen works from the window's 820×560 minimum up: the value keeps a readable width,
// the actions stay on screen, nothing scrolls sideways.
import { expect, seedEntry, seedVault, shot, test } from './support/fixtures.js';
import type { Page } from '@playwright/test';

/** Elements that scroll sideways (the document or any pane), by class, for a readable failure. */
function sidewaysScrollers(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const all = [document.documentElement, ...Array.from(document.querySelectorAll<HTMLElement>('body *'))];
    return all
      .filter((el) => {
        const style = getComputedStyle(el);
        const scrolls = el === document.documentElement || style.overflowX === 'auto' || style.overflowX === 'scroll';
        return scrolls && el.scrollWidth > el.clientWidth + 1 && !el.classList.contains('table');
      })
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
  });
}

for (const size of [
  { width: 820, height: 560 },
  { width: 900, height: 600 },
]) {
  test(`at ${size.width}×${size.height} the detail shows a wide value and every action on screen`, async ({ page, app }) => {
    await page.setViewportSize(size);
    const c = await seedVault(app);
    seedEntry(app, { categoryId: c.openai!.id, name: 'A project with a rather long name', environment: 'production', value: 'sk-proj-' + 'x'.repeat(120), notes: 'Billing key', expiresAt: new Date(Date.now() + 5 * 86_400_000).toISOString() });
    seedEntry(app, { categoryId: c.aws!.id, name: 'Infra', environment: 'staging', value: { AWS_ACCESS_KEY_ID: 'AKIA123', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-west-1' } });
    await page.goto(app.url);
    const detail = page.getByRole('region', { name: 'Entry detail' });
    await detail.getByRole('button', { name: 'Reveal' }).click();
    await expect(detail.getByTestId('value')).toContainText('sk-proj-');
    const value = await detail.getByTestId('value').boundingBox();
    expect(value!.width).toBeGreaterThanOrEqual(200);
    for (const name of ['Edit', 'History', 'Delete entry', 'Copy', 'Hide']) {
      const box = await detail.getByRole('button', { name, exact: true }).boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.x, name).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, name).toBeLessThanOrEqual(size.width);
      expect(box!.y + box!.height, name).toBeLessThanOrEqual(size.height);
    }
    expect(await sidewaysScrollers(page)).toEqual([]);
    if (size.width === 820) await shot(page, 'main-view-820');

    for (const [nav, heading] of [
      ['Settings', 'Settings'],
      ['Audit log', 'Audit log'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: nav }).click();
      await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
      expect(await sidewaysScrollers(page), nav).toEqual([]);
    }
    await page.getByRole('navigation', { name: 'Vault' }).getByRole('button', { name: /A project with/ }).click();
    await expect(page.getByRole('heading', { name: /A project with/, level: 1 })).toBeVisible();
    expect(await sidewaysScrollers(page), 'project').toEqual([]);
  });
}

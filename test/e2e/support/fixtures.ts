// Playwright fixtures: a fresh transport (real core, temp vault) per test, the test bridge on
// the page, seeding helpers and a screenshot helper for docs/screenshots.
import type { VaultContext } from '../../../src/main/services/context.js';
import { test as base, expect, type Page } from '@playwright/test';
import { APP } from '../../../src/main/core/types.js';
import { PRESETS, presetToCategoryInput } from '../../../src/shared/presets.js';
import type { Category, EntryInput } from '../../../src/shared/model.js';
import { installTestBridge } from './bridge.js';
import { startTransport, type Transport } from './transport.js';

export const PASSWORD = 'correct horse battery staple';
export const MASK = '••••••••••••••••';

interface Fixtures {
  revealSeconds: number;
  /** The vault made with the product's Argon2id parameters instead of the tests' cheap ones. */
  defaultKdf: boolean;
  app: Transport;
}

export const test = base.extend<Fixtures>({
  revealSeconds: [30, { option: true }],
  defaultKdf: [false, { option: true }],
  app: async ({ page, revealSeconds, defaultKdf }, use) => {
    const transport = await startTransport({ revealSeconds, defaultKdf });
    await installTestBridge(page);
    await use(transport);
    await page.close();
    await transport.close();
  },
});
export { expect };

/** A vault made straight through the core (fast), with presets, the API question answered. */
export async function seedVault(app: Transport, options: { presets?: string[]; apiPort?: number } = {}): Promise<Record<string, Category>> {
  await app.core.vault.create(APP, PASSWORD);
  app.core.vault.updateSettings(APP, { apiEnabled: false, ...(options.apiPort !== undefined ? { apiPort: options.apiPort } : {}) });
  const wanted = options.presets ?? ['openai', 'anthropic', 'stripe', 'github', 'aws'];
  const byId: Record<string, Category> = {};
  for (const preset of PRESETS) if (wanted.includes(preset.id)) byId[preset.id] = app.core.categories.create(APP, presetToCategoryInput(preset));
  return byId;
}

export function seedEntry(app: Transport, input: EntryInput): string {
  return app.core.entries.create(APP, input).id;
}

/** Many entries in one transaction (one fsync instead of one each): a 10 000-entry vault in seconds. */
export function seedEntries(app: Transport, inputs: EntryInput[]): string[] {
  const vault = app.core.vault as unknown as VaultContext;
  return vault.write(() => inputs.map((input) => app.core.entries.create(APP, input).id));
}

export async function openApp(page: Page, app: Transport): Promise<void> {
  await page.goto(app.url);
}

/** Where screenshots go: test-results/ on every run; docs/screenshots with `npm run screenshots`. */
const SHOTS_DIR = process.env.KEYDEN_SCREENSHOTS_DIR ?? 'test-results/screenshots';

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS_DIR}/${name}.png`, animations: 'disabled', caret: 'hide' });
}

/** A toast with this text (not its screen-reader announcement twin). */
export function toastWith(page: Page, text: string | RegExp) {
  return page.locator('.toast', { hasText: text });
}

/** Lets pending promise callbacks in this process (e.g. a clipboard check) run. */
export function settle(): Promise<void> {
  return new Promise((ok) => setImmediate(ok));
}

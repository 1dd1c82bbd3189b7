// What another Keyden process commits beside the running app (the CLI's admin commands) is seen at
// the app's next call, as the API sees it at its next request.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APP, CLI, openKeydenCore } from '../../src/main/core/index.js';
import { createTestVault, PASSWORD, TEST_KDF, type TestVault } from '../helpers/core.js';
import { testRuntime } from './runtime-fixture.js';

const vaults: TestVault[] = [];
afterEach(() => {
  while (vaults.length) vaults.pop()!.close();
});

async function appWithVault(): Promise<{ v: TestVault; events: [string, unknown][]; dispatch: (channel: string, input?: unknown) => Promise<unknown> }> {
  const v = await createTestVault();
  vaults.push(v);
  const events: [string, unknown][] = [];
  const runtime = testRuntime(v, { emit: (event, payload) => events.push([event, payload]) });
  return { v, events, dispatch: (channel, input) => runtime.dispatch(channel, input) };
}

/** The `keyden` admin commands' way into the same file: a second core beside the app's. */
function beside(v: TestVault) {
  return openKeydenCore({ vaultPath: v.vaultPath, role: 'admin', unsafeTestKdf: TEST_KDF, knownVaultsPath: path.join(v.dir, 'known-vaults.json') });
}

describe('changes made beside the running app', () => {
  it('locks the app at its next call once `keyden passwd --rotate-key` has changed the key, and tells the page', async () => {
    const { v, events, dispatch } = await appWithVault();
    const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
    v.core.entries.create(APP, { categoryId: c.id, name: 'Blog', value: 'sk-Blog' });
    const admin = beside(v);
    await admin.vault.rotateKey(CLI, PASSWORD);
    admin.close();
    // The list is in memory: without a look at the file first it would still be answered.
    await expect(dispatch('entries.list', {})).resolves.toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(events).toContainEqual(['vault.lockChanged', { locked: true }]);
    await expect(dispatch('vault.unlock', { password: PASSWORD })).resolves.toEqual({ ok: true });
    await expect(dispatch('entries.list', {})).resolves.toMatchObject({ ok: true, value: { total: 1 } });
  });

  it('lists a token made with `keyden token create` beside the app at its next call', async () => {
    const { v, dispatch } = await appWithVault();
    const admin = beside(v);
    await admin.vault.unlock(CLI, PASSWORD);
    admin.tokens.create(CLI, { name: 'made in a terminal', scopes: ['entries:read'], projects: null, environments: null });
    admin.close();
    const listed = (await dispatch('tokens.list')) as { ok: true; value: { name: string }[] };
    expect(listed.value.map((t) => t.name)).toContain('made in a terminal');
  });
});

// The app's opt-in API starts from the stored settings only once the vault has been unlocked:
// before that the settings are not authenticated (format 2), so an edited file could switch it on.
import { afterEach, describe, expect, it } from 'vitest';
import { APP } from '../../src/main/core/types.js';
import { createTestVault, PASSWORD, type TestVault } from '../helpers/core.js';
import { testRuntime } from './runtime-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function runtimeFor(v: TestVault) {
  const runtime = testRuntime(v);
  cleanups.push(() => runtime.shutdown());
  return runtime;
}

describe('starting the app with the local API switched on', () => {
  it('waits for the first unlock before it reads the setting and starts the API', async () => {
    const v = await createTestVault();
    cleanups.push(() => v.close());
    v.core.vault.updateSettings(APP, { apiEnabled: true, apiPort: 0 });
    v.core.vault.lock(APP);
    const runtime = runtimeFor(v);
    let started = false;
    const starting = runtime.startApiIfEnabled().then(() => (started = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toBe(false);
    expect(runtime.api.status().running).toBe(false);
    await v.core.vault.unlock(APP, PASSWORD);
    await starting;
    expect(runtime.api.status().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('starts at once when the vault is already unlocked', async () => {
    const v = await createTestVault();
    cleanups.push(() => v.close());
    v.core.vault.updateSettings(APP, { apiEnabled: true, apiPort: 0 });
    const runtime = runtimeFor(v);
    await runtime.startApiIfEnabled();
    expect(runtime.api.status().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

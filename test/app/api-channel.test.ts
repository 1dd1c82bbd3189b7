// The desktop app's opt-in API (Settings → Local API) opens the same two listeners as `keyden
// serve`: TCP on 127.0.0.1 and the CLI's socket in the home, with api.json's proof.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, openKeydenCore } from '../../src/main/core/index.js';
import { createAppRuntime } from '../../src/main/app/runtime.js';
import { ManualTimers, RecordingClipboard, RecordingDialogs } from '../e2e/support/fakes.js';
import { PASSWORD, TEST_KDF, tempDir } from '../helpers/core.js';

function healthOver(socketPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ socketPath, path: '/healthz' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe("the app's local API", () => {
  it('listens on <home>/keyden.sock (0600) beside its port, writes the proof into api.json, and removes both when switched off', async () => {
    const home = tempDir();
    const core = openKeydenCore({ vaultPath: path.join(home, 'vault.db'), unsafeTestKdf: TEST_KDF });
    await core.vault.create(CLI, PASSWORD);
    const runtime = createAppRuntime({
      core,
      home,
      clipboard: new RecordingClipboard(),
      dialogs: new RecordingDialogs(),
      timers: new ManualTimers(),
      emit: () => undefined,
      info: { version: core.version, platform: process.platform, revealSeconds: 30, canInstallCli: false },
      installCli: () => Promise.reject(new Error('not in tests')),
    });
    const socketPath = path.join(home, 'keyden.sock');
    try {
      const status = await runtime.api.reconcile(true, 0);
      expect(status).toMatchObject({ running: true, error: null });
      expect(fs.lstatSync(socketPath).isSocket()).toBe(true);
      expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);
      expect(JSON.parse(fs.readFileSync(path.join(home, 'api.json'), 'utf8'))).toMatchObject({ url: status.url, proof: expect.stringMatching(/^[0-9a-f]{64}$/) as string });
      expect(await healthOver(socketPath)).toBe(200);
      await runtime.api.reconcile(false, 0);
      expect(fs.existsSync(socketPath)).toBe(false);
      expect(fs.existsSync(path.join(home, 'api.json'))).toBe(false);
    } finally {
      await runtime.shutdown();
      core.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

// Real `keyden` processes changing the vault's key rows at the same time, as two terminals (or a
// script and a person) might: `keyden passwd` switching between two passwords, `keyden passwd
// --rotate-key`, and `keyden token create|revoke`, for a few seconds (until each kind has
// succeeded, up to 30 s). Whatever interleaving they meet, none may be told the file was edited or
// rolled back (nobody edited it), a refusal must say what to do, and afterwards the vault must open
// with the password last set, every row intact.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, openKeydenCore } from '../../src/main/core/index.js';
import { CHEAP_BIN, CHEAP_KDF, ensureBuilt, PASSWORD, seedVault, tempDir } from '../cli/helpers.js';

beforeAll(() => ensureBuilt(), 120_000);

const PASSWORDS = [PASSWORD, 'the other passphrase of this test'];
const RUN_MS = 6_000;
/** On a loaded machine the race runs on until a rotation and a password change have each succeeded, up to this. */
const MAX_RUN_MS = 30_000;

interface Outcome {
  code: number;
  stderr: string;
}

function keyden(home: string, args: string[], stdin: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHEAP_BIN, ...args, '--vault', path.join(home, 'vault.db')], { env: { ...process.env, KEYDEN_HOME: home }, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr: stderr.trim() }));
    child.stdin!.end(stdin);
  });
}

describe('admin commands racing one another on the same vault', () => {
  it('never reports an edit or a rollback nobody made, refuses only with a way forward, and leaves a vault that opens with the last password set and verifies', async () => {
    const home = tempDir('keyden-race-');
    const seeded = await seedVault(home, { categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }], entries: [{ key: 'blog', category: 'OpenAI', name: 'Blog', value: 'sk-blog' }] });
    const outcomes: { who: string; outcome: Outcome }[] = [];
    const started = Date.now();
    const succeeded = (who: string): boolean => outcomes.some((o) => o.who === who && o.outcome.code === 0);
    const running = (): boolean =>
      Date.now() - started < RUN_MS || (Date.now() - started < MAX_RUN_MS && !(succeeded('rotate') && succeeded('passwd')));
    let current = 0; // the index of the password last set
    /** Runs `args` with the password that is current when it starts (the other may be set meanwhile: exit 4 then). */
    const withPassword = async (who: string, args: string[]): Promise<Outcome> => {
      const outcome = await keyden(home, [...args, '--password-stdin'], `${PASSWORDS[current]}\n`);
      outcomes.push({ who, outcome });
      return outcome;
    };
    const rotate = async (): Promise<void> => {
      while (running()) await withPassword('rotate', ['passwd', '--rotate-key']);
    };
    const passwd = async (): Promise<void> => {
      while (running()) {
        const outcome = await keyden(home, ['passwd', '--password-stdin'], `${PASSWORDS[current]}\n${PASSWORDS[1 - current]}\n`);
        outcomes.push({ who: 'passwd', outcome });
        if (outcome.code === 0) current = 1 - current;
        // Then 16 MiB of Argon2 (~20–40 ms here; a password change sets the tests' cheap parameters
        // again): a window for the other processes to commit in. The password stays.
        await withPassword('passwd --kdf-memory', ['passwd', '--kdf-memory', '16']);
      }
    };
    const tokens = async (): Promise<void> => {
      for (let i = 0; running(); i++) {
        const created = await withPassword('token create', ['token', 'create', '--name', `t${i}`, '--scopes', 'entries:read']);
        if (created.code === 0) await withPassword('token revoke', ['token', 'revoke', `t${i}`]);
      }
    };
    await Promise.all([rotate(), passwd(), tokens()]);

    expect(outcomes.filter((o) => o.who === 'rotate' && o.outcome.code === 0).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.who === 'passwd' && o.outcome.code === 0).length).toBeGreaterThan(0);
    for (const { who, outcome } of outcomes) {
      if (outcome.code === 0) continue;
      const what = `${who}: exit ${outcome.code}: ${outcome.stderr}`;
      expect(outcome.stderr, what).not.toMatch(/modified outside Keyden|older than the one last opened|internal error/i);
      // 4: the password was changed by the other process meanwhile; 5: locked, the key changed (run again); 6: refused, nothing changed (run again).
      expect([4, 5, 6], what).toContain(outcome.code);
      if (outcome.code !== 4) expect(outcome.stderr, what).toMatch(/run it again|try again/);
    }
    const verified = await keyden(home, ['verify', '--password-stdin'], `${PASSWORDS[current]}\n`);
    // On a failure, the last outcomes say which command left which password.
    const last = outcomes.slice(-12).map(({ who, outcome }) => `${who}: ${outcome.code} ${outcome.stderr}`).join('\n');
    expect(verified, last).toMatchObject({ code: 0 });
    const other = await keyden(home, ['verify', '--password-stdin'], `${PASSWORDS[1 - current]}\n`);
    expect(other.code).toBe(4);
    const core = openKeydenCore({ vaultPath: seeded.vaultPath, role: 'admin', unsafeTestKdf: CHEAP_KDF, knownVaultsPath: path.join(home, 'known-vaults.json') });
    try {
      await core.vault.unlock(CLI, PASSWORDS[current]!);
      expect((await core.entries.reveal(CLI, seeded.ids.blog!)).value).toBe('sk-blog');
    } finally {
      core.close();
    }
  }, 90_000);
});

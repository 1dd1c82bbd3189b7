// Attacks on the desktop app's main process (an attack review; mocked electron, real core and
// files): what a planted file, an unlock through the local API or an inherited field name can do.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nodeFiles } from '../../src/main/app/files.js';
import { APP, CLI } from '../../src/main/core/types.js';
import { startApiServer } from '../../src/main/api/server.js';
import { call, createTestVault, PASSWORD, tempDir, type TestVault } from '../helpers/core.js';
import { ManualTimers, RecordingClipboard, RecordingDialogs } from '../e2e/support/fakes.js';
import { testRuntime } from './runtime-fixture.js';

vi.mock('electron', () => ({}));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function vault(): Promise<TestVault> {
  const v = await createTestVault({ approver: true });
  cleanups.push(() => v.close());
  return v;
}

describe('the desktop app under attack', () => {
  it('starts the idle countdown when the vault is unlocked through the app\'s local API (keyden unlock), so it still locks by itself', async () => {
    const v = await vault();
    const timers = new ManualTimers();
    const runtime = testRuntime(v, { timers });
    cleanups.push(() => runtime.shutdown());
    const server = await startApiServer(v.core, { port: 0, host: '127.0.0.1' });
    cleanups.push(() => server.close());
    const token = v.core.tokens.create(CLI, { name: 'cli', scopes: ['vault:lock', 'entries:read'] }).secret;
    await runtime.dispatch('vault.lock', undefined);
    expect((await call({ url: server.url, token }, 'POST', '/api/unlock', { body: { password: PASSWORD } })).status).toBe(204);
    expect(v.core.vault.status().locked).toBe(false);
    expect(timers.armed('auto-lock')).toHaveLength(1);
    timers.fire('auto-lock');
    expect(v.core.vault.status().locked).toBe(true);
  });

  it('copies no field named constructor, toString, __proto__ or hasOwnProperty from a group entry: not found, nothing on the clipboard', async () => {
    const v = await vault();
    const clipboard = new RecordingClipboard();
    const runtime = testRuntime(v, { clipboard });
    cleanups.push(() => runtime.shutdown());
    const c = v.core.categories.create(APP, { name: 'DB', keyType: 'group', fields: ['USER', 'PASS'] });
    const e = v.core.entries.create(APP, { categoryId: c.id, name: 'Blog', value: { USER: 'u', PASS: 'p-secret' } });
    for (const field of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(await runtime.dispatch('entries.copy', { id: e.id, field }), field).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect(clipboard.writes).toEqual([]);
  });

  it('keeps the window out of screen capture while a newly created token (shown once, in full) is on screen', async () => {
    const v = await vault();
    const protects: boolean[] = [];
    const runtime = testRuntime(v, { screen: { protect: (on) => protects.push(on) } });
    cleanups.push(() => runtime.shutdown());
    const r = await runtime.dispatch('tokens.create', { name: 'deploy', scopes: ['entries:read', 'entries:reveal'] });
    expect(r).toMatchObject({ ok: true, value: { secret: expect.stringMatching(/^kdn_/) } });
    expect(protects).toEqual([true]);
  });

  it('exports a .env over a planted symlink by replacing the link, never writing through it', async () => {
    const v = await vault();
    const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
    v.core.entries.create(APP, { categoryId: c.id, name: 'Blog', environment: 'development', value: 'sk-exported-secret' });
    const repo = tempDir('keyden-app-repo-');
    const elsewhere = tempDir('keyden-app-elsewhere-');
    const target = path.join(elsewhere, 'public-config.js');
    fs.writeFileSync(target, 'original\n', { mode: 0o644 });
    const link = path.join(repo, '.env');
    fs.symlinkSync(target, link);
    const dialogs = new RecordingDialogs();
    dialogs.nextSavePath = link; // the user saves as .env and confirms "Replace?"
    const runtime = testRuntime(v, { dialogs });
    cleanups.push(() => runtime.shutdown());
    expect(await runtime.dispatch('projects.exportEnv', { project: 'Blog', environment: 'development' })).toMatchObject({ ok: true });
    expect(fs.readFileSync(target, 'utf8')).toBe('original\n');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(false);
    expect(fs.statSync(link).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(link, 'utf8')).toContain('OPENAI_API_KEY=sk-exported-secret');
    expect(fs.readdirSync(repo)).toEqual(['.env']); // no temporary file left behind
  });

  it('proposes an export file name that is one name in the dialog\'s folder, never a path: a project named with \\, : or .. cannot steer the save dialog elsewhere, nor name a Windows device (CON)', async () => {
    const v = await vault();
    const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
    // A name a token with entries:write may give a project over the API: "/" is refused, "\\" and ":" are not.
    const planted = ['..\\..\\..\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\run', 'C:\\Users\\Public\\x', '..', 'CON', 'lpt1.x', 'Nul '];
    for (const project of planted) v.core.entries.create(APP, { categoryId: c.id, name: project, environment: 'production', value: 'sk-secret' });
    const dialogs = new RecordingDialogs();
    const runtime = testRuntime(v, { dialogs });
    cleanups.push(() => runtime.shutdown());
    for (const project of planted) {
      for (const format of ['json', 'shell'] as const) {
        expect(await runtime.dispatch('projects.exportEnv', { project, environment: 'production', format })).toMatchObject({ ok: true, value: null });
      }
    }
    const names = dialogs.calls.map((c) => c.defaultName!);
    expect(names).toHaveLength(planted.length * 2);
    for (const name of names) {
      expect(name, name).not.toMatch(/[\\/:*?"<>|]/);
      expect(name, name).not.toMatch(/^\./);
      expect(path.win32.basename(name)).toBe(name);
      // A Windows device name (CON, PRN, AUX, NUL, COM1…, LPT1…) stays one whatever follows its dot.
      expect(name, name).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|\s|$)/i);
    }
    expect(names[0]).toBe('_.._.._AppData_Roaming_Microsoft_Windows_Start Menu_Programs_Startup_run.production.json');
  });

  it('imports only a regular file, and stops reading one whose size says 0 (a /proc file) past the limit', async () => {
    const dir = tempDir('keyden-app-fifo-');
    const fifo = path.join(dir, '.env');
    execFileSync('mkfifo', [fifo]);
    await expect(nodeFiles.readText(fifo, 1024 * 1024)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    // /proc/self/maps is a regular file whose stat size is 0 and whose text is longer than 16 bytes.
    await expect(nodeFiles.readText('/proc/self/maps', 16)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const ok = path.join(dir, 'ok.env');
    fs.writeFileSync(ok, 'A=1\n');
    expect(await nodeFiles.readText(ok, 4)).toBe('A=1\n');
    await expect(nodeFiles.readText(ok, 3)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('gives a page that guesses the master password through IPC 10 wrong tries a minute, then refuses even the right one untried, and the app\'s local API shares that budget', async () => {
    const v = await vault();
    const runtime = testRuntime(v);
    cleanups.push(() => runtime.shutdown());
    const token = v.core.tokens.create(CLI, { name: 'cli', scopes: ['vault:lock'] }).secret;
    const { url } = await runtime.api.reconcile(true, 0);
    await runtime.dispatch('vault.lock', undefined);
    for (let i = 0; i < 10; i++) {
      expect(await runtime.dispatch('vault.unlock', { password: `guess number ${i}` })).toMatchObject({ ok: false, error: { code: 'INVALID_PASSWORD' } });
    }
    expect(await runtime.dispatch('vault.unlock', { password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(v.core.vault.status().locked).toBe(true);
    const viaApi = await call({ url: url!, token }, 'POST', '/api/unlock', { body: { password: PASSWORD } });
    expect(viaApi.status).toBe(429);
    expect(v.core.vault.status().locked).toBe(true);
  });

  it('refuses an unlock through IPC while the vault is unlocked without checking the password, so the page has no password oracle', async () => {
    const v = await vault();
    const runtime = testRuntime(v);
    cleanups.push(() => runtime.shutdown());
    expect(v.core.vault.status().locked).toBe(false);
    expect(await runtime.dispatch('vault.unlock', { password: 'a wrong guess' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await runtime.dispatch('vault.unlock', { password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('counts wrong current passwords in Change password against the same budget, but not a new password refused as too short', async () => {
    const v = await vault();
    const runtime = testRuntime(v);
    cleanups.push(() => runtime.shutdown());
    for (let i = 0; i < 12; i++) {
      expect(await runtime.dispatch('vault.changePassword', { current: PASSWORD, next: 'short' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    for (let i = 0; i < 10; i++) {
      expect(await runtime.dispatch('vault.changePassword', { current: `guess number ${i}`, next: 'a new long password' })).toMatchObject({ ok: false, error: { code: 'INVALID_PASSWORD' } });
    }
    expect(await runtime.dispatch('vault.changePassword', { current: PASSWORD, next: 'a new long password' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    await runtime.dispatch('vault.lock', undefined);
    expect(await runtime.dispatch('vault.unlock', { password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });
});

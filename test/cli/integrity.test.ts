// The format 2 commands through the real bin: keyden verify, passwd --rotate-key / --kdf-*,
// a tampered vault refused by keyden serve (exit 6, one line), unlock --accept-rollback.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHEAP_BIN, ensureBuilt, hasStackTrace, keyden, PASSWORD, seedVault, serve, tempDir, type Serving } from './helpers.js';

const dirs: string[] = [];
const servers: Serving[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.stop();
  while (dirs.length) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});
beforeAll(() => ensureBuilt(), 120_000);

async function home(): Promise<{ home: string; vaultPath: string; token: string; entry: string }> {
  const h = tempDir();
  dirs.push(h);
  const seeded = await seedVault(h, {
    categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
    entries: [{ key: 'blog', category: 'OpenAI', name: 'Blog', value: 'sk-blog' }],
    tokens: [{ key: 'all', scopes: ['entries:read', 'entries:reveal', 'vault:lock'] }],
  });
  return { home: h, vaultPath: seeded.vaultPath, token: seeded.tokens.all!, entry: seeded.ids.blog! };
}

const cli = (h: string, args: string[], input?: string) => keyden(h, args, { bin: CHEAP_BIN, input });

describe('keyden verify', () => {
  it('says a healthy vault checks, with its generation, and exits 0', async () => {
    const h = await home();
    const r = await cli(h.home, ['verify', '--password-stdin'], `${PASSWORD}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/format 2, generation \d+/);
    expect(r.stdout).toContain('digest: ok');
  });

  it('lists the rows that fail and exits 6 without changing the file', async () => {
    const h = await home();
    const db = new Database(h.vaultPath);
    db.prepare("UPDATE tokens SET expires_at = '2099-01-01T00:00:00.000Z'").run();
    db.close();
    const before = fs.readFileSync(h.vaultPath);
    const r = await cli(h.home, ['verify', '--json', '--password-stdin'], `${PASSWORD}\n`);
    expect(r.code).toBe(6);
    const report = JSON.parse(r.stdout) as { failing: { table: string; count: number; ids: string[] }[]; problem: string };
    expect(report.failing).toEqual([{ table: 'tokens', count: 1, ids: [expect.stringMatching(/^[0-9a-f-]{36}$/)] }]);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('1 row of tokens fails its mac');
    expect(fs.readFileSync(h.vaultPath).equals(before)).toBe(true);
  });

  it('reports a clean vault, exit 0, while a running keyden serve writes an audit row for every reveal beside it', async () => {
    const h = await home();
    const owner = await serve(h.home);
    servers.push(owner);
    let stop = false;
    let reveals = 0;
    const load = (async () => {
      while (!stop) {
        const res = await fetch(`${owner.url}/api/entries/${h.entry}/reveal`, { method: 'POST', headers: { authorization: `Bearer ${h.token}` } });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        reveals++;
      }
    })();
    try {
      for (let i = 0; i < 5; i++) {
        const r = await cli(h.home, ['verify', '--password-stdin'], `${PASSWORD}\n`);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
    } finally {
      stop = true;
      await load;
    }
    expect(reveals).toBeGreaterThan(0);
  });

  it('exits 4 on a wrong password', async () => {
    const h = await home();
    const r = await cli(h.home, ['verify', '--password-stdin'], 'wrong password\n');
    expect(r.code).toBe(4);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('keyden serve on a tampered vault', () => {
  it('refuses to unlock with one line naming what failed, exit 6, and no stack trace', async () => {
    const h = await home();
    const db = new Database(h.vaultPath);
    db.prepare('DELETE FROM entries').run();
    db.close();
    const r = await cli(h.home, ['serve', '--port', '0', '--password-stdin'], `${PASSWORD}\n`);
    expect(r.code).toBe(6);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^keyden: .*a row was deleted or rolled back/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('refuses a vault with a trigger planted in it, and keyden verify names it: exit 6, one line each, the file unchanged', async () => {
    const h = await home();
    const db = new Database(h.vaultPath);
    db.exec("CREATE TRIGGER hide_reveals AFTER INSERT ON audit WHEN NEW.action = 'entry.reveal' BEGIN DELETE FROM audit WHERE id = NEW.id; END");
    db.close();
    const before = fs.readFileSync(h.vaultPath);
    for (const args of [['serve', '--port', '0', '--password-stdin'], ['verify', '--password-stdin']]) {
      const r = await cli(h.home, args, `${PASSWORD}\n`);
      expect(r.code).toBe(6);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^keyden: the vault was modified outside Keyden: its schema was changed \(a trigger "hide_reveals" Keyden never makes\)/);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
    expect(fs.readFileSync(h.vaultPath).equals(before)).toBe(true);
  });
});

describe('keyden passwd --rotate-key and --kdf-*', () => {
  it('rotates the key with only the current password; the same password still unlocks and every value reveals', async () => {
    const h = await home();
    const r = await cli(h.home, ['passwd', '--rotate-key', '--password-stdin'], `${PASSWORD}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Vault key rotated: \d+ sealed values re-encrypted/);
    const s = await serve(h.home);
    servers.push(s);
    const got = await keyden(h.home, ['get', h.entry], { env: { KEYDEN_TOKEN: h.token, KEYDEN_URL: s.url } });
    expect(got.stdout).toBe('sk-blog\n');
  });

  it('a running owner beside the rotation tells the next request that the key was changed, once, then answers locked as usual', async () => {
    const h = await home();
    const s = await serve(h.home);
    servers.push(s);
    const env = { KEYDEN_TOKEN: h.token, KEYDEN_URL: s.url };
    expect((await keyden(h.home, ['get', h.entry], { env })).stdout).toBe('sk-blog\n');
    const rotated = await cli(h.home, ['passwd', '--rotate-key', '--password-stdin'], `${PASSWORD}\n`);
    expect(rotated.code, rotated.stderr).toBe(0);
    const first = await keyden(h.home, ['get', h.entry], { env });
    expect(first.code).toBe(5);
    expect(first.stderr).toContain('its key was changed by another Keyden process');
    const second = await keyden(h.home, ['get', h.entry], { env });
    expect(second.code).toBe(5);
    expect(second.stderr).not.toContain('changed by another');
    expect((await keyden(h.home, ['unlock', '--password-stdin'], { env, input: `${PASSWORD}\n` })).code).toBe(0);
    expect((await keyden(h.home, ['get', h.entry], { env })).stdout).toBe('sk-blog\n');
  });

  it('raises the KDF cost and reports the new parameters', async () => {
    const h = await home();
    const r = await cli(h.home, ['passwd', '--kdf-memory', '1', '--kdf-passes', '2', '--password-stdin'], `${PASSWORD}\n`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('m=1 MiB, t=2');
    const db = new Database(h.vaultPath, { readonly: true });
    const kdf = JSON.parse(db.prepare("SELECT value FROM meta WHERE key = 'kdf'").pluck().get() as string) as { m: number; t: number };
    db.close();
    expect(kdf).toMatchObject({ m: 1024, t: 2 });
  });
});

describe('keyden unlock --accept-rollback', () => {
  it('refuses an older copy with exit 6 and the flag to use, then opens it when the flag is given', async () => {
    const h = await home();
    const older = path.join(h.home, 'older.db');
    fs.copyFileSync(h.vaultPath, older);
    // A newer generation is seen on this machine, then the older copy is put back.
    const rotate = await cli(h.home, ['passwd', '--kdf-passes', '2', '--password-stdin'], `${PASSWORD}\n`);
    expect(rotate.code).toBe(0);
    fs.copyFileSync(older, h.vaultPath);
    for (const side of ['-wal', '-shm']) fs.rmSync(`${h.vaultPath}${side}`, { force: true });
    const s = await serve(h.home, [], { password: null });
    servers.push(s);
    const env = { KEYDEN_TOKEN: h.token, KEYDEN_URL: s.url };
    const refused = await keyden(h.home, ['unlock', '--password-stdin'], { env, input: `${PASSWORD}\n` });
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(/older than the one last opened on this machine.*keyden unlock --accept-rollback/);
    const accepted = await keyden(h.home, ['unlock', '--accept-rollback', '--password-stdin'], { env, input: `${PASSWORD}\n` });
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
  });
});

describe('keyden backup', () => {
  it('writes a private, consistent copy beside a running owner that verifies and opens, and never replaces a file', async () => {
    const h = await home();
    const s = await serve(h.home);
    servers.push(s);
    const target = path.join(h.home, 'copy.db');
    const r = await cli(h.home, ['backup', '-o', target, '--password-stdin'], `${PASSWORD}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Backed up the vault to ${target} (encrypted under the same master password)\n`);
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    // Every row of the copy checks; it is older than the vault this machine has seen since (the
    // backup's own audit row came after it), which is what restoring it will ask to confirm.
    const verified = await cli(h.home, ['verify', '--json', '--vault', target, '--password-stdin'], `${PASSWORD}\n`);
    expect(JSON.parse(verified.stdout)).toMatchObject({ format: 2, recordOk: true, digestOk: true, failing: [], problem: expect.stringContaining('older than the one last opened') });
    const again = await cli(h.home, ['backup', '-o', target, '--password-stdin'], `${PASSWORD}\n`);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`keyden: ${target} already exists; choose another file with -o\n`);
    const link = path.join(h.home, 'link.db');
    fs.symlinkSync(path.join(h.home, 'nowhere.db'), link);
    const dangling = await cli(h.home, ['backup', '-o', link, '--password-stdin'], `${PASSWORD}\n`);
    expect(dangling.code).toBe(1);
    expect(dangling.stderr).toBe(`keyden: ${link} already exists; choose another file with -o\n`);
    expect(fs.existsSync(path.join(h.home, 'nowhere.db'))).toBe(false);
  });
});

// The owner and admin commands (init, serve, token, passwd) and the session commands (lock,
// unlock, login), each through the real `keyden` process.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, openKeydenCore } from '../../src/main/core/index.js';
import { startApiServer } from '../../src/main/api/server.js';
import { ALL_SCOPES, BIN, CHEAP_BIN, CHEAP_KDF, collect, ensureBuilt, hasStackTrace, keyden, PASSWORD, scratchHomes, seedVault, serve, spawnKeyden } from './helpers.js';

const homes = scratchHomes();
const newHome = homes.make;
beforeAll(() => ensureBuilt(), 90_000);
afterAll(homes.removeAll);

describe('a headless owner with the real bin (default KDF)', () => {
  it('creates a vault with init, serves it, and takes a token created beside it at once', async () => {
    const home = newHome();
    const slow = { input: `${PASSWORD}\n`, timeoutMs: 60_000 };
    const init = await keyden(home, ['init', '--password-stdin'], slow);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`Created an empty vault at ${path.join(home, 'vault.db')}`);
    expect(fs.statSync(path.join(home, 'vault.db')).mode & 0o777).toBe(0o600);
    const again = await keyden(home, ['init', '--password-stdin'], slow);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`keyden: a vault already exists at ${path.join(home, 'vault.db')}\n`);

    const owner = await serve(home, [], { bin: BIN, timeoutMs: 60_000 });
    try {
      expect(owner.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const discovery = path.join(home, 'api.json');
      expect(fs.statSync(discovery).mode & 0o777).toBe(0o600);
      expect(JSON.parse(fs.readFileSync(discovery, 'utf8'))).toEqual({ url: owner.url, pid: owner.child.pid, version: expect.any(String) as string, proof: expect.stringMatching(/^[0-9a-f]{64}$/) as string });
      const socket = path.join(home, 'keyden.sock');
      expect(fs.statSync(socket).isSocket()).toBe(true);
      expect(fs.statSync(socket).mode & 0o777).toBe(0o600);

      const created = await keyden(home, ['token', 'create', '--name', 'laptop', '--scopes', 'entries:read,entries:reveal', '--expires', '30d', '--password-stdin'], slow);
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^kdn_[A-Za-z0-9_-]{43}\n$/);
      const status = await keyden(home, ['status', '--json'], { env: { KEYDEN_TOKEN: created.stdout.trim() } });
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ url: `unix:${socket}`, urlSource: 'socket', locked: false, token: { name: 'laptop', scopes: ['entries:read', 'entries:reveal'] } });
    } finally {
      const stopped = await owner.stop('SIGTERM');
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toBe(`Keyden API listening on ${owner.url}\n`);
    }
    expect(fs.existsSync(path.join(home, 'api.json'))).toBe(false);
    expect(fs.existsSync(path.join(home, 'keyden.sock'))).toBe(false);
  }, 180_000);
});

describe('the admin commands beside a running owner', () => {
  it('creates limited tokens, lists and revokes them, changes the master password, and lock / unlock follow it', async () => {
    const home = newHome();
    await seedVault(home, {
      categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
      entries: [
        { key: 'dev', category: 'OpenAI', name: 'Blog', value: 'sk-dev' },
        { key: 'prod', category: 'OpenAI', name: 'Blog', environment: 'production', value: 'sk-prod' },
        { key: 'other', category: 'OpenAI', name: 'Other', value: 'sk-other' },
      ],
    });
    // The same CLI with the core's cheap-KDF code option: every command here unlocks the file.
    const admin = (args: string[], input: string, env: Record<string, string> = {}) => keyden(home, args, { bin: CHEAP_BIN, input, env });
    const owner = await serve(home);
    try {
      const token = (await admin(['token', 'create', '--name', 'laptop', '--scopes', 'entries:read', '--password-stdin'], `${PASSWORD}\n`)).stdout.trim();
      expect((await keyden(home, ['list'], { env: { KEYDEN_TOKEN: token } })).code).toBe(0);

      const listed = await admin(['token', 'list', '--json', '--password-stdin'], `${PASSWORD}\n`);
      const tokens = JSON.parse(listed.stdout) as Record<string, unknown>[];
      expect(tokens).toHaveLength(1);
      expect(Object.keys(tokens[0] ?? {}).sort()).toEqual(['createdAt', 'environments', 'expiresAt', 'id', 'lastUsedAt', 'name', 'projects', 'revokedAt', 'scopes']);
      expect(tokens[0]).toMatchObject({ name: 'laptop', scopes: ['entries:read'], projects: null, environments: null, revokedAt: null });
      expect(listed.stdout).not.toContain(token);

      expect((await admin(['token', 'revoke', String(tokens[0]?.id), '--password-stdin'], `${PASSWORD}\n`)).code).toBe(0);
      const refused = await keyden(home, ['list'], { env: { KEYDEN_TOKEN: token } });
      expect(refused.code).toBe(4);
      // The owner says when (issue 14, item 7).
      expect(refused.stderr).toMatch(/^keyden: this token was revoked at \d{4}-\d\d-\d\dT[\d:.]+Z\n$/);
      // Revoking it again says so, exit 0 (the state asked for); a unique name works too (item 9).
      const again = await admin(['token', 'revoke', 'laptop', '--password-stdin'], `${PASSWORD}\n`);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/^Token "laptop" \([0-9a-f-]{36}\) was already revoked at \d{4}-/);
      // A name two tokens share is ambiguous: exit 2, naming both ids, and nothing is revoked.
      const twins = [];
      for (let i = 0; i < 2; i++) twins.push((await admin(['token', 'create', '--name', 'twin', '--password-stdin'], `${PASSWORD}\n`)).stdout.trim());
      const ambiguous = await admin(['token', 'revoke', 'twin', '--password-stdin'], `${PASSWORD}\n`);
      expect(ambiguous.code).toBe(2);
      expect(ambiguous.stderr).toMatch(/^keyden: 2 tokens are named "twin": revoke one by its id \([0-9a-f-]{36}, [0-9a-f-]{36}\)\n$/);
      for (const t of twins) expect((await keyden(home, ['list'], { env: { KEYDEN_TOKEN: t } })).code).toBe(0);
      expect((await admin(['token', 'list', '--password-stdin'], 'not the password\n')).code).toBe(4);

      // Limits given on the command line hold: other projects and environments are absent (3).
      const limitedToken = await admin(['token', 'create', '--name', 'ci', '--scopes', 'entries:read,entries:reveal', '--project', 'Blog', '--env', 'Production', '--expires', '2h', '--password-stdin'], `${PASSWORD}\n`);
      const limited = { KEYDEN_TOKEN: limitedToken.stdout.trim() };
      expect(JSON.parse((await keyden(home, ['status', '--json'], { env: limited })).stdout)).toMatchObject({ token: { name: 'ci', projects: ['Blog'], environments: ['production'] } });
      expect((await keyden(home, ['get', 'OpenAI/Blog/production'], { env: limited })).stdout).toBe('sk-prod\n');
      expect((await keyden(home, ['get', 'OpenAI/Blog/development'], { env: limited })).code).toBe(3);
      expect((await keyden(home, ['get', 'OpenAI/Other'], { env: limited })).code).toBe(3);
      expect((await admin(['token', 'create', '--name', 'old', '--scopes', 'entries:read', '--expires', '2020-01-01', '--password-stdin'], `${PASSWORD}\n`)).code).toBe(2);
      expect((await admin(['token', 'create', '--name', 'bad', '--scopes', 'entries:read,root', '--password-stdin'], `${PASSWORD}\n`)).code).toBe(2);

      const changed = await admin(['passwd', '--password-stdin'], `${PASSWORD}\nan even better password\n`);
      expect(changed).toMatchObject({ code: 0, stdout: 'Master password changed\n' });
      expect((await admin(['passwd', '--password-stdin'], `${PASSWORD}\nanother one entirely\n`)).code).toBe(4);
      // Without --scopes a token gets entries:read, entries:reveal and vault:lock; entries:read alone cannot lock.
      const readOnly = (await admin(['token', 'create', '--name', 'reader', '--scopes', 'entries:read', '--password-stdin'], 'an even better password\n')).stdout.trim();
      expect((await keyden(home, ['lock'], { env: { KEYDEN_TOKEN: readOnly } })).code).toBe(4);
      const token2 = (await admin(['token', 'create', '--name', 'after', '--password-stdin'], 'an even better password\n')).stdout.trim();
      const env = { KEYDEN_TOKEN: token2 };
      expect(JSON.parse((await keyden(home, ['status', '--json'], { env })).stdout)).toMatchObject({ token: { scopes: ['entries:read', 'entries:reveal', 'vault:lock'] } });
      expect((await keyden(home, ['lock'], { env })).code).toBe(0);
      expect((await keyden(home, ['list'], { env })).code).toBe(5);
      expect((await keyden(home, ['unlock', '--password-stdin'], { input: `${PASSWORD}\n`, env })).code).toBe(4);
      const unlocked = await keyden(home, ['unlock', '--password-stdin'], { input: 'an even better password\r\n', env });
      expect(unlocked).toMatchObject({ code: 0, stdout: 'Vault unlocked\n' });
      expect((await keyden(home, ['list'], { env })).code).toBe(0);
    } finally {
      expect((await owner.stop()).code).toBe(0);
    }
  }, 120_000);
});

describe('keyden serve', () => {
  let home: string;
  let token: string;
  let reader: string;
  beforeAll(async () => {
    home = newHome();
    const seeded = await seedVault(home, {
      categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
      entries: [{ key: 'e', category: 'OpenAI', name: 'Blog', value: 'sk-1' }],
      tokens: [
        { key: 't', scopes: ALL_SCOPES },
        { key: 'reader', scopes: ['entries:read'] },
      ],
    });
    token = seeded.tokens.t ?? '';
    reader = seeded.tokens.reader ?? '';
  });

  it('tells a token without vault:lock so before asking for the master password', async () => {
    const owner = await serve(home, [], { password: null });
    try {
      // No password on stdin: asked for one first, this would exit 2 ("no password"), not name the scope.
      const r = await keyden(home, ['unlock', '--password-stdin'], { env: { KEYDEN_TOKEN: reader }, input: '' });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('vault:lock');
    } finally {
      expect((await owner.stop('SIGINT')).code).toBe(0);
    }
  });

  it('starts locked without a terminal or --password-stdin; lock and unlock --password-stdin round-trip', async () => {
    const owner = await serve(home, [], { password: null });
    try {
      const env = { KEYDEN_TOKEN: token };
      const locked = await keyden(home, ['get', 'OpenAI/Blog'], { env });
      expect(locked.code).toBe(5);
      expect(locked.stderr).toContain('keyden unlock');
      const status = await keyden(home, ['status'], { env });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('Vault:     locked');
      expect(status.stdout).toContain('Token:     valid');
      expect((await keyden(home, ['unlock', '--password-stdin'], { env, input: 'wrong password\n' })).code).toBe(4);
      expect((await keyden(home, ['unlock', '--password-stdin'], { env, input: '' })).code).toBe(2);
      expect((await keyden(home, ['unlock', '--password-stdin'], { env, input: `${PASSWORD}\n` })).code).toBe(0);
      expect((await keyden(home, ['get', 'OpenAI/Blog'], { env })).stdout).toBe('sk-1\n');
      expect(await keyden(home, ['lock'], { env })).toMatchObject({ code: 0, stdout: 'Vault locked\n' });
      expect((await keyden(home, ['get', 'OpenAI/Blog'], { env })).code).toBe(5);
      expect((await keyden(home, ['unlock', '--password-stdin'], { env, input: `${PASSWORD}\n` })).code).toBe(0);
      expect((await keyden(home, ['get', 'OpenAI/Blog'], { env })).stdout).toBe('sk-1\n');
      // Without a terminal and without --password-stdin there is nobody to ask.
      expect((await keyden(home, ['unlock'], { env })).code).toBe(2);
    } finally {
      expect((await owner.stop('SIGINT')).code).toBe(0);
    }
  }, 60_000);

  it.skipIf(!fs.existsSync('/usr/bin/script'))('asks for the master password and a value on a terminal without echoing them', async () => {
    const owner = await serve(home, [], { password: null });
    try {
      const env = { KEYDEN_TOKEN: token };
      const unlocked = await onTerminal(home, ['unlock'], env, [['Master password: ', `${PASSWORD}\r`]]);
      expect(unlocked.code).toBe(0);
      expect(unlocked.output).toContain('Vault unlocked');
      expect(unlocked.output).not.toContain(PASSWORD);
      const added = await onTerminal(home, ['add', '--category', 'OpenAI', '--project', 'Typed'], env, [['Value for OpenAI/Typed/development: ', 'sk-typed-secret\r']]);
      expect(added.code).toBe(0);
      expect(added.output).not.toContain('sk-typed-secret');
      expect((await keyden(home, ['get', 'OpenAI/Typed'], { env })).stdout).toBe('sk-typed-secret\n');
      const table = await onTerminal(home, ['list'], env, []);
      expect(table.output).toMatch(/^REF +VARIABLE +UPDATED +EXPIRES +ID\r\nOpenAI\/Blog\/development +OPENAI_API_KEY +/);
      const kept = await onTerminal(home, ['rm', 'OpenAI/Typed'], env, [['[y/N] ', 'n\r']]);
      expect(kept.code).toBe(1);
      const removed = await onTerminal(home, ['rm', 'OpenAI/Typed'], env, [['[y/N] ', 'y\r']]);
      expect(removed.code).toBe(0);
    } finally {
      await owner.stop();
    }
  }, 60_000);

  it.skipIf(!fs.existsSync('/usr/bin/script'))('asks twice for a new master password on a terminal and refuses two different ones', async () => {
    const fresh = newHome();
    const differ = await onTerminal(fresh, ['init'], {}, [['Master password: ', 'first password 1\r'], ['Master password (again): ', 'other password 2\r']], CHEAP_BIN);
    expect(differ.code).toBe(2);
    expect(differ.output).toContain('keyden: the two passwords differ');
    expect(fs.existsSync(path.join(fresh, 'vault.db'))).toBe(false);
    const same = await onTerminal(fresh, ['init'], {}, [['Master password: ', 'first password 1\r'], ['Master password (again): ', 'first password 1\r']], CHEAP_BIN);
    expect(same.code).toBe(0);
    expect(same.output).not.toContain('first password 1');
    expect(fs.existsSync(path.join(fresh, 'vault.db'))).toBe(true);
  }, 30_000);

  it('warns of a weak master password from --password-stdin, in init and passwd, and still does the job', async () => {
    const fresh = newHome();
    const init = await keyden(fresh, ['init', '--password-stdin'], { bin: CHEAP_BIN, input: 'password123\n' });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toBe(
      'keyden: warning: this master password is very weak: This is a commonly used password. Anyone who copies the vault file can try to guess it offline; a passphrase of four or more random words is far stronger.\n',
    );
    const passwd = await keyden(fresh, ['passwd', '--password-stdin'], { bin: CHEAP_BIN, input: 'password123\nhunter22\n' });
    expect(passwd.code, passwd.stderr).toBe(0);
    expect(passwd.stderr).toMatch(/^keyden: warning: this master password is weak: This is similar to a commonly used password\. /);
    const strong = await keyden(fresh, ['passwd', '--password-stdin'], { bin: CHEAP_BIN, input: `hunter22\n${PASSWORD}\n` });
    expect(strong.code, strong.stderr).toBe(0);
    expect(strong.stderr).toBe('');
  }, 30_000);

  it.skipIf(!fs.existsSync('/usr/bin/script'))('asks before keeping a weak master password typed on a terminal', async () => {
    const fresh = newHome();
    const typed: [string, string][] = [['Master password: ', 'password123\r'], ['Master password (again): ', 'password123\r']];
    const refused = await onTerminal(fresh, ['init'], {}, [...typed, ['Use it anyway? [y/N] ', 'n\r']], CHEAP_BIN);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('keyden: no vault created: choose a stronger master password');
    expect(fs.existsSync(path.join(fresh, 'vault.db'))).toBe(false);
    const kept = await onTerminal(fresh, ['init'], {}, [...typed, ['Use it anyway? [y/N] ', 'y\r']], CHEAP_BIN);
    expect(kept.code).toBe(0);
    expect(fs.existsSync(path.join(fresh, 'vault.db'))).toBe(true);
  }, 30_000);

  it('refuses a second owner of the same vault, and a vault that does not exist', async () => {
    const owner = await serve(home);
    try {
      const second = await collect(spawnKeyden(home, ['serve', '--port', '0', '--password-stdin'], { bin: CHEAP_BIN }), { input: `${PASSWORD}\n` });
      // The core refuses with CONFLICT: exit 6, one line naming the running owner's pid.
      expect(second.code).toBe(6);
      expect(second.stderr).toBe(`keyden: the vault is already open in another Keyden process (pid ${owner.child.pid}); close it first\n`);
      expect(hasStackTrace(second.stderr)).toBe(false);
      // The first owner is untouched.
      expect((await keyden(home, ['get', 'OpenAI/Blog'], { env: { KEYDEN_TOKEN: token } })).stdout).toBe('sk-1\n');
      expect(JSON.parse(fs.readFileSync(path.join(home, 'api.json'), 'utf8'))).toMatchObject({ url: owner.url });
    } finally {
      await owner.stop();
    }
    const missing = await keyden(home, ['serve', '--vault', path.join(home, 'nope.db'), '--port', '0', '--password-stdin'], { input: `${PASSWORD}\n`, bin: CHEAP_BIN });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('keyden init');
    expect(fs.existsSync(path.join(home, 'nope.db'))).toBe(false);
    expect((await keyden(home, ['serve', '--port', 'abc'])).code).toBe(2);
  }, 60_000);

  it('refuses a second owner of the same vault reached through a symlink or a hard link', async () => {
    const owner = await serve(home);
    const elsewhere = newHome();
    try {
      const symlink = path.join(elsewhere, 'via-symlink.db');
      fs.symlinkSync(path.join(home, 'vault.db'), symlink);
      const hardLink = path.join(elsewhere, 'via-hard-link.db');
      fs.linkSync(path.join(home, 'vault.db'), hardLink);
      for (const vault of [symlink, hardLink]) {
        // Another home, so that only the vault file is shared with the running owner.
        const second = await keyden(elsewhere, ['serve', '--vault', vault, '--port', '0', '--password-stdin'], { input: `${PASSWORD}\n`, bin: CHEAP_BIN });
        expect([vault, second.code]).toEqual([vault, 6]);
        expect(second.stderr).toBe(`keyden: the vault is already open in another Keyden process (pid ${owner.child.pid}); close it first\n`);
        expect(fs.existsSync(path.join(elsewhere, 'api.json'))).toBe(false);
      }
      expect((await keyden(home, ['get', 'OpenAI/Blog'], { env: { KEYDEN_TOKEN: token } })).stdout).toBe('sk-1\n');
    } finally {
      await owner.stop();
    }
  }, 60_000);

  it('stops cleanly on SIGTERM, SIGQUIT, SIGINT and SIGHUP sent as soon as it says it is listening: exit 0, api.json, socket and vault lock removed', async () => {
    for (const signal of ['SIGTERM', 'SIGQUIT', 'SIGINT', 'SIGHUP'] as const) {
      const owner = await serve(home);
      const stopped = await owner.stop(signal);
      expect({ signal, code: stopped.code, killedBy: stopped.signal, stderr: stopped.stderr }).toEqual({ signal, code: 0, killedBy: null, stderr: '' });
      for (const left of ['api.json', 'keyden.sock', 'vault.db.lock']) expect(fs.existsSync(path.join(home, left))).toBe(false);
    }
  });

  it('exits 4 on a wrong master password and serves nothing', async () => {
    const r = await keyden(home, ['serve', '--port', '0', '--password-stdin'], { input: 'wrong password\n', bin: CHEAP_BIN });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(path.join(home, 'api.json'))).toBe(false);
  });
});

describe('keyden login', () => {
  it('prints the code, waits for the approval in the app and stores the token in credentials (0600)', async () => {
    const home = newHome();
    const vaultPath = path.join(home, 'vault.db');
    const core = openKeydenCore({ vaultPath, role: 'owner', approver: true, unsafeTestKdf: CHEAP_KDF });
    await core.vault.create(CLI, PASSWORD);
    core.categories.create(CLI, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
    const entry = core.entries.create(CLI, { categoryId: core.categories.list()[0]?.id ?? '', name: 'Blog', value: 'sk-approved' });
    const api = await startApiServer(core, { port: 0, socketPath: path.join(home, 'keyden.sock') });
    try {
      const env = {};
      const child = spawnKeyden(home, ['login', '--scopes', 'entries:read,entries:reveal', '--project', 'Blog', '--name', 'test laptop'], { env });
      const done = collect(child, { timeoutMs: 20_000 });
      let stderr = '';
      const code = await new Promise<string>((resolve) => {
        child.stderr?.on('data', (c: Buffer) => {
          stderr += c.toString();
          const m = /code ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(stderr);
          if (m?.[1]) resolve(m[1]);
        });
      });
      const pending = core.approvals.pending();
      expect(pending).toHaveLength(1);
      expect(pending[0]).toMatchObject({ code, clientName: 'test laptop', scopes: ['entries:read', 'entries:reveal'], projects: ['Blog'] });
      core.approvals.approve(CLI, pending[0]?.id ?? '');
      const r = await done;
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Logged in as test laptop (entries:read, entries:reveal)');
      const credentials = path.join(home, 'credentials');
      expect(fs.statSync(credentials).mode & 0o777).toBe(0o600);
      // The stored token now serves every client command (no KEYDEN_TOKEN set).
      expect((await keyden(home, ['get', 'OpenAI/Blog'], { env })).stdout).toBe('sk-approved\n');
      expect((await keyden(home, ['get', entry.id], { env })).stdout).toBe('sk-approved\n');
      // A stored token that the owner no longer accepts says how to get a new one.
      const stored = JSON.parse(fs.readFileSync(credentials, 'utf8')) as { id: string };
      core.tokens.revoke(CLI, stored.id);
      const refused = await keyden(home, ['get', 'OpenAI/Blog'], { env });
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(/^keyden: the token stored by `keyden login` was revoked at \d{4}-[\d\-T:.]+Z: run `keyden login` again\n$/);
      expect(await keyden(home, ['logout'], { env })).toMatchObject({ code: 0 });
      expect(fs.existsSync(credentials)).toBe(false);
      expect((await keyden(home, ['get', 'OpenAI/Blog'], { env })).code).toBe(4);
    } finally {
      await api.close();
      core.close();
    }
  }, 30_000);

  it('exits 4 when the request is denied in the app', async () => {
    const home = newHome();
    const core = openKeydenCore({ vaultPath: path.join(home, 'vault.db'), role: 'owner', approver: true, unsafeTestKdf: CHEAP_KDF });
    await core.vault.create(CLI, PASSWORD);
    const api = await startApiServer(core, { port: 0, socketPath: path.join(home, 'keyden.sock') });
    const unsubscribe = core.approvals.onRequest((request) => setTimeout(() => core.approvals.deny(request.id), 50));
    try {
      const r = await keyden(home, ['login']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('denied');
      expect(fs.existsSync(path.join(home, 'credentials'))).toBe(false);
    } finally {
      unsubscribe();
      await api.close();
      core.close();
    }
  });
});

/** Runs keyden on a pseudo-terminal (util-linux `script`), typing each answer after its prompt. */
async function onTerminal(home: string, args: string[], env: Record<string, string>, answers: [string, string][], bin = BIN): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: home,
    env: { PATH: process.env.PATH ?? '', HOME: home, KEYDEN_HOME: home, TERM: 'dumb', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let next = 0;
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
    const answer = answers[next];
    if (answer && output.endsWith(answer[0])) {
      next++;
      child.stdin.write(answer[1]);
    }
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, output };
}

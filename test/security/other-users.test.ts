// Another local user (mallory) against the victim's (alice's) Keyden: a home mallory made first
// or can write in, a vault folder every user can write, a socket she listens on. An attack review
// found each of these; every test here failed on the code before its fix.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHEAP_BIN, ensureBuilt, keyden, tempDir } from '../cli/helpers.js';
import { createUser, keydenAs, lastPid, removeUser, sharedScriptDir, shAs, type User } from './local-users.js';

const VICTIM_PASSWORD = 'Zq8#vLp2!mRt6$wXk9-victim';
const TOKEN = `kdn_${'V'.repeat(43)}`;

let mallory: User;
let alice: User;
let scripts: string;
const started: ChildProcess[] = [];
/** The listeners' own pids (runuser does not pass a SIGKILL on to them). */
const listenerPids: number[] = [];

const LISTENER = `
const http = require('node:http'), fs = require('node:fs');
const [sock, log] = process.argv.slice(2);
http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    fs.appendFileSync(log, JSON.stringify({ method: req.method, url: req.url, authorization: req.headers.authorization ?? null, body }) + '\\n');
    const p = (req.url || '').split('?')[0];
    if (p === '/api/auth/token') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end(JSON.stringify({ id: 'x', name: 'fake', scopes: [], projects: null, environments: null, expiresAt: null })); }
    if (p.startsWith('/api/unlock') || p.startsWith('/api/lock')) { res.writeHead(204); return res.end(); }
    res.writeHead(200, { 'content-type': 'application/json' }); res.end('[]');
  });
}).listen(sock, () => { fs.chmodSync(sock, 0o666); process.stdout.write('ready ' + process.pid + '\\n'); });
`;

beforeAll(() => {
  ensureBuilt();
  mallory = createUser('kdn-mallory');
  alice = createUser('kdn-alice');
  scripts = sharedScriptDir();
  fs.writeFileSync(path.join(scripts, 'listener.cjs'), LISTENER, { mode: 0o644 });
});

afterAll(() => {
  for (const pid of listenerPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  removeUser(mallory);
  removeUser(alice);
  fs.rmSync(scripts, { recursive: true, force: true });
});

/** `keyden init --vault <vault>` as alice, her own home for Keyden's files (the cheap test KDF). */
const initAsAlice = (vault: string) => keydenAs(alice, ['init', '--vault', vault, '--password-stdin'], { bin: CHEAP_BIN, env: { KEYDEN_HOME: path.join(alice.home, '.keyden') }, input: `${VICTIM_PASSWORD}\n` });

/** `as` (mallory unless said) listens on `<home>/keyden.sock` and logs what it hears; resolves once it listens. */
function plantFakeOwner(home: string, log: string, as: User = mallory): Promise<void> {
  const child = spawn('runuser', ['-u', as.name, '--', process.execPath, path.join(scripts, 'listener.cjs'), path.join(home, 'keyden.sock'), log], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      const m = /ready (\d+)/.exec(c.toString());
      if (m) {
        listenerPids.push(Number(m[1]));
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`listener exited ${code}`)));
  });
}

describe('another user who made the Keyden home first, or can write in it', () => {
  it("the CLI sends neither its token nor the master password to a keyden.sock in a home another user owns", async () => {
    // e.g. KEYDEN_HOME=/tmp/keyden on a shared machine or CI runner: mallory made it before alice.
    const base = fs.mkdtempSync('/tmp/keyden-other-shared-');
    fs.chmodSync(base, 0o1777);
    const home = path.join(base, 'keyden');
    const log = path.join(base, 'heard.log');
    shAs(mallory, `mkdir -m 755 ${home} && touch ${log} && chmod 666 ${log}`);
    await plantFakeOwner(home, log);

    const env = { KEYDEN_HOME: home, KEYDEN_TOKEN: TOKEN };
    const unlock = await keydenAs(alice, ['unlock', '--password-stdin'], { env, input: `${VICTIM_PASSWORD}\n` });
    const get = await keydenAs(alice, ['get', 'OpenAI/Blog'], { env });
    const heard = fs.readFileSync(log, 'utf8');
    fs.rmSync(base, { recursive: true, force: true });

    // Secure: alice's CLI refuses a socket (and a home) that is not hers, and sends nothing.
    expect(heard).not.toContain(VICTIM_PASSWORD);
    expect(heard).not.toContain(TOKEN);
    expect(unlock.code).not.toBe(0);
    expect(get.code).not.toBe(0);
    expect(unlock.stderr).toContain('is not private to this user');
  });

  it('an admin command does not write known-vaults.json through a symlink planted in a KEYDEN_HOME another user can write', async () => {
    // alice's vault is in her own home; only KEYDEN_HOME points to a folder mallory made.
    const vaultDir = path.join(alice.home, 'vaults');
    shAs(alice, `mkdir -m 700 ${vaultDir} && printf 'alice data\\n' > ${alice.home}/notes.txt`);
    const made = await initAsAlice(path.join(vaultDir, 'v.db'));
    expect(made.code, made.stderr).toBe(0);

    const base = fs.mkdtempSync('/tmp/keyden-other-kv-');
    fs.chmodSync(base, 0o1777);
    const home = path.join(base, 'keyden');
    // Mallory makes the home (world-writable) and plants known-vaults.json.<pid>.tmp for the next pids.
    const from = lastPid();
    shAs(mallory, `mkdir -m 777 ${home} && ${process.execPath} -e "for (let i = ${from}; i < ${from + 3000}; i++) require('fs').symlinkSync('${alice.home}/notes.txt', '${home}/known-vaults.json.' + i + '.tmp')"`);

    await keydenAs(alice, ['token', 'create', '--name', 'ci', '--vault', path.join(vaultDir, 'v.db'), '--password-stdin'], {
      bin: CHEAP_BIN,
      env: { KEYDEN_HOME: home },
      input: `${VICTIM_PASSWORD}\n`,
    });
    const notes = fs.readFileSync(path.join(alice.home, 'notes.txt'), 'utf8');
    fs.rmSync(base, { recursive: true, force: true });
    // (r's exit code does not matter here: the file below is what the symlink reached)
    // Secure: the file the symlink names is untouched (and the command refuses the foreign home).
    expect(notes).toBe('alice data\n');
  });

  it('keyden init run as root refuses a KEYDEN_HOME that another user created (root chmods it 0700 but mallory still owns it)', async () => {
    const base = tempDir('keyden-other-roothome-');
    fs.chmodSync(base, 0o1777);
    const home = path.join(base, 'keyden');
    shAs(mallory, `mkdir -m 777 ${home}`);
    const r = await keyden(home, ['init', '--password-stdin'], { bin: CHEAP_BIN, input: `${VICTIM_PASSWORD}\n` });
    const owner = fs.statSync(home).uid;
    const files = fs.readdirSync(home);
    fs.rmSync(base, { recursive: true, force: true });
    expect(owner).toBe(mallory.uid); // the home stays hers: she can chmod it back and swap files in it
    // Secure: refuse, naming the folder; write nothing into it.
    expect(r.code).not.toBe(0);
    expect(files).not.toContain('vault.db');
  });
});

describe('a Keyden home another user could put something else in place of', () => {
  /** A folder mallory owns and everyone may write in (no sticky bit): she can rename what is in it. */
  function malloryFolder(): { base: string; shared: string } {
    const base = fs.mkdtempSync('/tmp/keyden-other-above-');
    fs.chmodSync(base, 0o755);
    const shared = path.join(base, 'shared');
    fs.mkdirSync(shared);
    fs.chownSync(shared, mallory.uid, mallory.gid);
    shAs(mallory, `chmod 777 ${shared}`);
    return { base, shared };
  }

  it("refuses to make alice's home (and her vault) inside a folder mallory owns, where mallory could rename it away and put her own in its place", async () => {
    const { base, shared } = malloryFolder();
    const home = path.join(shared, 'keyden');
    const r = await keydenAs(alice, ['init', '--password-stdin'], { bin: CHEAP_BIN, env: { KEYDEN_HOME: home }, input: `${VICTIM_PASSWORD}\n` });
    const made = fs.existsSync(path.join(home, 'vault.db'));
    fs.rmSync(base, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${shared}, a folder above it, belongs to another user (uid ${mallory.uid})`);
    expect(made).toBe(false);
  });

  it("the CLI sends nothing to an owner whose own private home sits in such a folder (mallory can swap it between the CLI's check and its connect)", async () => {
    const { base, shared } = malloryFolder();
    const home = path.join(shared, 'keyden');
    const log = path.join(base, 'heard.log');
    fs.writeFileSync(log, '', { mode: 0o666 });
    fs.chmodSync(log, 0o666);
    shAs(alice, `mkdir -m 700 ${home}`); // alice's own, private: all the old check looked at
    await plantFakeOwner(home, log, alice);
    const env = { KEYDEN_HOME: home, KEYDEN_TOKEN: TOKEN };
    const unlock = await keydenAs(alice, ['unlock', '--password-stdin'], { env, input: `${VICTIM_PASSWORD}\n` });
    const get = await keydenAs(alice, ['get', 'OpenAI/Blog'], { env });
    const heard = fs.readFileSync(log, 'utf8');
    fs.rmSync(base, { recursive: true, force: true });
    expect(heard).toBe('');
    expect(unlock.code).toBe(1);
    expect(get.code).toBe(1);
    expect(unlock.stderr).toContain('a folder above it, belongs to another user');
  });

  it('refuses a home reached through a symbolic link another user made, which she could point elsewhere at any time', async () => {
    const real = path.join(alice.home, 'keyden-real');
    shAs(alice, `mkdir -m 700 ${real} ${real}/keyden`);
    const base = fs.mkdtempSync('/tmp/keyden-other-link-');
    fs.chmodSync(base, 0o755);
    fs.chownSync(base, mallory.uid, mallory.gid);
    shAs(mallory, `ln -s ${real} ${base}/link`);
    const home = path.join(base, 'link', 'keyden');
    const r = await keydenAs(alice, ['init', '--password-stdin'], { bin: CHEAP_BIN, env: { KEYDEN_HOME: home }, input: `${VICTIM_PASSWORD}\n` });
    const made = fs.existsSync(path.join(real, 'keyden', 'vault.db'));
    fs.rmSync(base, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(base, 'link')}, a symbolic link above it, belongs to another user`);
    expect(made).toBe(false);
  });

  it("refuses alice's own home inside a root folder that mallory's group may write in", async () => {
    const base = fs.mkdtempSync('/tmp/keyden-other-group-');
    fs.chmodSync(base, 0o755);
    const team = path.join(base, 'team');
    fs.mkdirSync(team);
    fs.chownSync(team, 0, mallory.gid);
    fs.chmodSync(team, 0o775);
    const home = path.join(team, 'keyden');
    fs.mkdirSync(home, { mode: 0o700 });
    fs.chownSync(home, alice.uid, alice.gid);
    const r = await keydenAs(alice, ['init', '--password-stdin'], { bin: CHEAP_BIN, env: { KEYDEN_HOME: home }, input: `${VICTIM_PASSWORD}\n` });
    fs.rmSync(base, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`other users can write in ${team}, a folder above it (mode 0775)`);
  });

  it("keeps working in a home under a sticky folder every user can write (as /tmp), where nobody can rename another user's folder", async () => {
    const base = fs.mkdtempSync('/tmp/keyden-other-sticky-');
    fs.chmodSync(base, 0o1777);
    const home = path.join(base, 'alice-keyden');
    const r = await keydenAs(alice, ['init', '--password-stdin'], { bin: CHEAP_BIN, env: { KEYDEN_HOME: home }, input: `${VICTIM_PASSWORD}\n` });
    fs.rmSync(base, { recursive: true, force: true });
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('a vault in a folder every user can write', () => {
  it("refuses init --vault there, so SQLite never writes the vault's pages into a -wal file another user planted", async () => {
    const shared = fs.mkdtempSync('/tmp/keyden-other-shared-');
    fs.chmodSync(shared, 0o1777); // as /tmp itself
    const loot = fs.mkdtempSync('/tmp/keyden-other-loot-');
    fs.chownSync(loot, mallory.uid, mallory.gid);
    // Mallory plants the SQLite side files, readable by her, and keeps a second name for each.
    shAs(mallory, `cd ${shared} && touch vault.db-wal vault.db-shm && chmod 666 vault.db-wal vault.db-shm && ln vault.db-wal ${loot}/wal && ln vault.db-shm ${loot}/shm`);
    const r = await initAsAlice(path.join(shared, 'vault.db'));
    const stolen = spawnSync('runuser', ['-u', mallory.name, '--', 'cat', `${loot}/wal`]).stdout.toString('latin1');
    const created = fs.existsSync(path.join(shared, 'vault.db'));
    fs.rmSync(shared, { recursive: true, force: true });
    fs.rmSync(loot, { recursive: true, force: true });
    expect({ wrappedKey: stolen.includes('wrapped_key'), kdfSalt: stolen.includes('"alg":"argon2id"'), created }).toEqual({ wrappedKey: false, kdfSalt: false, created: false });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot hold Keyden's files: every user can write in it \(mode 1777\); keep the vault in a folder only you can write/);
  });

  it('refuses to serve a vault moved into such a folder, where a planted <vault>.lock naming a live process could block it', async () => {
    const own = path.join(alice.home, 'vaults-move');
    shAs(alice, `mkdir -m 700 ${own}`);
    const made = await initAsAlice(path.join(own, 'vault.db'));
    expect(made.code, made.stderr).toBe(0);
    const shared = fs.mkdtempSync('/tmp/keyden-other-lock-');
    fs.chmodSync(shared, 0o1777);
    const vault = path.join(shared, 'vault.db');
    shAs(alice, `mv ${own}/vault.db ${vault}`);
    shAs(mallory, `printf 1 > ${vault}.lock`); // pid 1 is always alive
    const r = await keydenAs(alice, ['serve', '--vault', vault, '--port', '0'], { bin: CHEAP_BIN, env: { KEYDEN_HOME: path.join(alice.home, '.keyden') }, timeoutMs: 15_000 });
    fs.rmSync(shared, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('every user can write in it');
    expect(r.stderr).not.toMatch(/already open in another Keyden process/);
  });
});


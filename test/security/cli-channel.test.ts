// Attack (issue 10, item 6): the CLI hands credentials to whoever listens. A fake HTTP listener on
// 127.0.0.1 — with no owner running, behind a stale or planted api.json, or named by KEYDEN_URL —
// must receive neither an Authorization header nor the master password from `keyden get`,
// `keyden status` or `keyden unlock --password-stdin`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, keyden, tempDir, type RunResult } from '../cli/helpers.js';
import { PASSWORD as OWNER_PASSWORD, startOwner } from './helpers.js';

const TOKEN = `kdn_${'A'.repeat(43)}`;
const PASSWORD = 'the master password of the victim';

interface Heard {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Fake {
  url: string;
  heard: Heard[];
  close(): Promise<void>;
}

/** A listener that plays the owner: it answers every request as a happy, unlocked Keyden would. */
async function fakeOwner(port = 0): Promise<Fake> {
  const heard: Heard[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      heard.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const pathname = (req.url ?? '').split('?')[0];
      const reply = (status: number, json?: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(json === undefined ? undefined : JSON.stringify(json));
      };
      if (pathname === '/healthz') return reply(200, { status: 'ok', locked: true, version: '0.1.0', approver: false });
      if (pathname === '/api/auth/proof') return reply(200, { mac: randomBytes(32).toString('hex') });
      if (pathname === '/api/unlock' || pathname === '/api/lock') return reply(204);
      if (pathname === '/api/auth/token') return reply(200, { id: 'x', name: 'fake', scopes: [], projects: null, environments: null, expiresAt: null });
      return reply(200, []);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    heard,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const fakes: Fake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function listen(port = 0): Promise<Fake> {
  const fake = await fakeOwner(port);
  fakes.push(fake);
  return fake;
}

/** The three commands, each with a token (env and stored credentials) or the password at hand. */
async function attackWith(home: string, env: Record<string, string> = {}): Promise<RunResult[]> {
  fs.writeFileSync(path.join(home, 'credentials'), JSON.stringify({ token: TOKEN, id: 'x', name: 'laptop' }), { mode: 0o600 });
  return [
    await keyden(home, ['get', 'OpenAI/Blog'], { env: { KEYDEN_TOKEN: TOKEN, ...env } }),
    await keyden(home, ['get', 'OpenAI/Blog'], { env }),
    await keyden(home, ['status'], { env: { KEYDEN_TOKEN: TOKEN, ...env } }),
    await keyden(home, ['unlock', '--password-stdin'], { env: { KEYDEN_TOKEN: TOKEN, ...env }, input: `${PASSWORD}\n` }),
  ];
}

function expectNothingLeaked(fake: Fake, results: RunResult[]): void {
  for (const request of fake.heard) {
    expect(request.headers.authorization, `${request.method} ${request.url} carried a token`).toBeUndefined();
    expect(JSON.stringify(request), `${request.method} ${request.url} carried a credential`).not.toContain(TOKEN);
    expect(request.body, `${request.method} ${request.url} carried the password`).not.toContain(PASSWORD);
    // Before the owner has proved itself, the proof is all the CLI asks.
    expect(request.url).toMatch(/^\/api\/auth\/proof\?nonce=[0-9a-f]{64}$/);
  }
  for (const r of results) {
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('Vault unlocked');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  }
}

describe('a fake listener receives neither token nor password', () => {
  beforeAll(() => ensureBuilt());

  it('with no owner running: nothing goes to the default port, and the CLI says no owner is running', async () => {
    const fake = await listen(17321);
    const home = tempDir();
    const results = await attackWith(home);
    expect(fake.heard).toEqual([]);
    expectNothingLeaked(fake, results);
    expect(results[0]?.stderr).toBe(`keyden: no Keyden owner is running (no ${path.join(home, 'keyden.sock')}, no live ${path.join(home, 'api.json')}): start the desktop app (with its local API on) or \`keyden serve\`\n`);
  });

  it('behind an api.json whose owner is gone and whose port a fake took (its pid now another live process)', async () => {
    const fake = await listen();
    const home = tempDir();
    // The pid of the dead owner was reused by a live process (here: the test runner itself).
    fs.writeFileSync(path.join(home, 'api.json'), JSON.stringify({ url: fake.url, pid: process.pid, version: '0.1.0', proof: randomBytes(32).toString('hex') }));
    const results = await attackWith(home);
    expect(fake.heard.length).toBeGreaterThan(0);
    expectNothingLeaked(fake, results);
    expect(results[0]?.stderr).toBe(`keyden: the listener at ${fake.url} did not prove it is the Keyden owner of api.json: nothing was sent to it (is another program on that port?)\n`);
  });

  it('behind a planted api.json without a proof key, or one from an older owner', async () => {
    const fake = await listen();
    const home = tempDir();
    fs.writeFileSync(path.join(home, 'api.json'), JSON.stringify({ url: fake.url, pid: process.pid, version: '0.1.0' }));
    const results = await attackWith(home);
    expect(fake.heard).toEqual([]);
    expectNothingLeaked(fake, results);
  });

  it('named by KEYDEN_URL, with or without an api.json of a real owner beside it', async () => {
    const fake = await listen();
    const home = tempDir();
    expectNothingLeaked(fake, await attackWith(home, { KEYDEN_URL: fake.url }));
    fs.writeFileSync(path.join(home, 'api.json'), JSON.stringify({ url: 'http://127.0.0.1:1', pid: process.pid, version: '0.1.0', proof: randomBytes(32).toString('hex') }));
    const results = await attackWith(home, { KEYDEN_URL: fake.url });
    expect(fake.heard.length).toBeGreaterThan(0);
    expectNothingLeaked(fake, results);
  });

  it('that relays the proof to the real owner (the owner answers for its own endpoint, not the relay\'s)', async () => {
    const owner = await startOwner({ tokens: [{ key: 'lock', scopes: ['vault:lock', 'entries:read'] }] }, { locked: true });
    const target = new URL(owner.url);
    const heard: Heard[] = [];
    // The attacker: forwards the challenge to the real owner and hands its answer back.
    const relay = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if ((req.url ?? '').startsWith('/api/auth/proof')) {
          http.get({ hostname: target.hostname, port: target.port, path: req.url, headers: { host: target.host } }, (up) => {
            res.writeHead(up.statusCode ?? 500, { 'content-type': 'application/json; charset=utf-8' });
            up.pipe(res);
          });
          return;
        }
        heard.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(relay.address() as { port: number }).port}`;
      const token = owner.tokens.lock!;
      const unlock = await keyden(owner.home, ['unlock', '--password-stdin'], { env: { KEYDEN_URL: url, KEYDEN_TOKEN: token }, input: `${OWNER_PASSWORD}\n` });
      const status = await keyden(owner.home, ['status'], { env: { KEYDEN_URL: url, KEYDEN_TOKEN: token } });
      expect(heard).toEqual([]);
      for (const r of [unlock, status]) {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('did not prove it is the Keyden owner');
      }
      // The real owner, reached directly, still passes the same check.
      const direct = await keyden(owner.home, ['status'], { env: { KEYDEN_URL: owner.url, KEYDEN_TOKEN: token } });
      expect(direct.code, direct.stderr).toBe(0);
    } finally {
      relay.closeAllConnections();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });
});

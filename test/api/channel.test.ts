// The owner's two listeners (DESIGN §4 "Hardening"): TCP on 127.0.0.1 and the Unix socket the CLI
// uses, serving the same routes behind the same guards; the proof route; the socket's file rules.
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/main/api/server.js';
import { ownerSocketPath, proofMatches, SocketInUseError, tcpEndpoint } from '../../src/main/api/channel.js';
import { admitsOnly, restrictPipeToUser, type RunProgram } from '../../src/main/api/pipe-acl.js';
import { CLI } from '../../src/main/core/index.js';
import { ALL_SCOPES, createTestVault, tempDir, type TestVault } from '../helpers/core.js';
import type { ApiServer } from '../../src/main/api/server.js';

interface Answer {
  status: number;
  body: string;
}

type Target = { socketPath: string } | { port: number };

/** One raw request over either listener; `host: null` sends no Host header at all. */
function raw(target: Target, method: string, pathname: string, headers: Record<string, string | null> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (v !== null) sent[k] = v;
    const req = http.request({ ...target, ...('port' in target ? { host: '127.0.0.1' } : {}), method, path: pathname, headers: sent, setHost: headers.host === undefined }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the owner listens on TCP and on its socket', () => {
  let vault: TestVault;
  let server: ApiServer;
  let token: string;
  let socketPath: string;

  beforeAll(async () => {
    vault = await createTestVault();
    socketPath = path.join(vault.dir, 'keyden.sock');
    server = await startApiServer(vault.core, { port: 0, socketPath });
    token = vault.core.tokens.create(CLI, { name: 'all', scopes: ALL_SCOPES, projects: null, environments: null }).secret;
    vault.core.categories.create(CLI, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
  });
  afterAll(async () => {
    await server.close();
    vault.close();
  });

  it('creates the socket as a socket only its user can open (0600)', () => {
    const stat = fs.lstatSync(socketPath);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(server.socketPath).toBe(socketPath);
    expect(server.proof).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers the same routes behind the same guards on both listeners', async () => {
    const tcp = { port: server.port };
    const sock = { socketPath };
    const auth = { authorization: `Bearer ${token}` };
    const cases: [string, string, Record<string, string | null>, string | undefined, number][] = [
      ['GET', '/healthz', {}, undefined, 200],
      ['GET', '/api/categories', auth, undefined, 200],
      ['GET', '/api/categories', {}, undefined, 401],
      ['GET', '/api/categories', { ...auth, authorization: 'Bearer kdn_wrong' }, undefined, 401],
      ['GET', '/api/categories', { ...auth, origin: 'https://evil.example' }, undefined, 403],
      ['POST', '/api/categories', { ...auth, 'content-type': 'application/xml' }, '<x/>', 415],
      ['GET', '/api/nowhere', auth, undefined, 404],
    ];
    for (const [method, pathname, headers, body, status] of cases) {
      const overTcp = await raw(tcp, method, pathname, headers, body);
      const overSocket = await raw(sock, method, pathname, headers, body);
      expect([method, pathname, overTcp.status]).toEqual([method, pathname, status]);
      expect([method, pathname, overSocket.status]).toEqual([method, pathname, status]);
      expect((JSON.parse(overSocket.body) as { code?: string }).code).toBe((JSON.parse(overTcp.body) as { code?: string }).code);
    }
    const categories = JSON.parse((await raw(sock, 'GET', '/api/categories', auth)).body) as { name: string }[];
    expect(categories.map((c) => c.name)).toEqual(['OpenAI']);
  });

  it('admits Host localhost on the socket, and refuses a missing or foreign Host there with 421', async () => {
    const sock = { socketPath };
    expect((await raw(sock, 'GET', '/healthz', { host: 'localhost' })).status).toBe(200);
    expect((await raw(sock, 'GET', '/healthz', { host: `127.0.0.1:${server.port}` })).status).toBe(200);
    expect((await raw(sock, 'GET', '/healthz', { host: null })).status).toBe(421);
    expect((await raw(sock, 'GET', '/healthz', { host: 'evil.example' })).status).toBe(421);
    expect((await raw(sock, 'GET', '/healthz', { host: 'localhost:80' })).status).toBe(421);
    // On TCP a Host without the port stays refused (DNS rebinding).
    expect((await raw({ port: server.port }, 'GET', '/healthz', { host: 'localhost' })).status).toBe(421);
  });

  it('proves its proof key without a token: HMAC-SHA256(proof bytes, nonce bytes ‖ LF ‖ the endpoint reached), on both listeners', async () => {
    const nonce = randomBytes(32).toString('hex');
    const macAt = (endpoint: string) => createHmac('sha256', Buffer.from(server.proof, 'hex')).update(Buffer.from(nonce, 'hex')).update(`\n${endpoint}`).digest('hex');
    for (const [target, endpoint] of [
      [{ port: server.port }, `127.0.0.1:${server.port}`],
      [{ socketPath }, `socket:${socketPath}`],
    ] as const) {
      const r = await raw(target, 'GET', `/api/auth/proof?nonce=${nonce}`);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ mac: macAt(endpoint) });
      expect(proofMatches(server.proof, nonce, endpoint, (JSON.parse(r.body) as { mac: string }).mac)).toBe(true);
      // The same answer does not prove anything for another endpoint (a relay's).
      expect(proofMatches(server.proof, nonce, `127.0.0.1:${server.port + 1}`, (JSON.parse(r.body) as { mac: string }).mac)).toBe(false);
    }
    expect((await raw({ socketPath }, 'GET', '/api/auth/proof?nonce=abc')).status).toBe(400);
    expect((await raw({ socketPath }, 'GET', '/api/auth/proof')).status).toBe(400);
    expect(proofMatches(server.proof, nonce, `127.0.0.1:${server.port}`, '0'.repeat(64))).toBe(false);
    expect(proofMatches(server.proof, nonce, `127.0.0.1:${server.port}`, undefined)).toBe(false);
  });

  it('names an endpoint the same way from either end: IPv4, IPv6 in brackets, IPv4-mapped as IPv4', () => {
    expect(tcpEndpoint('127.0.0.1', 17321)).toBe('127.0.0.1:17321');
    expect(tcpEndpoint('::1', 17321)).toBe('[::1]:17321');
    expect(tcpEndpoint('::ffff:127.0.0.1', 17321)).toBe('127.0.0.1:17321');
  });

  it('refuses to start a second owner on a socket that answers, leaving the first one serving', async () => {
    const second = startApiServer(vault.core, { port: 0, socketPath });
    await expect(second).rejects.toBeInstanceOf(SocketInUseError);
    expect((await raw({ socketPath }, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('the socket file', () => {
  it('replaces a stale socket that no owner answers on, and removes its own at close', async () => {
    const vault = await createTestVault();
    const socketPath = path.join(vault.dir, 'keyden.sock');
    // A process that dies by SIGKILL while listening leaves its socket file behind.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`], { timeout: 10_000 });
    expect(fs.lstatSync(socketPath).isSocket()).toBe(true);
    const server = await startApiServer(vault.core, { port: 0, socketPath });
    try {
      expect((await raw({ socketPath }, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await server.close();
      vault.close();
    }
    expect(fs.existsSync(socketPath)).toBe(false);
  });

  it('leaves a file that is not a socket alone and refuses to start', async () => {
    const vault = await createTestVault();
    const socketPath = path.join(vault.dir, 'keyden.sock');
    fs.writeFileSync(socketPath, 'not a socket');
    try {
      await expect(startApiServer(vault.core, { port: 0, socketPath })).rejects.toThrow('exists and is not a socket');
      expect(fs.readFileSync(socketPath, 'utf8')).toBe('not a socket');
    } finally {
      vault.close();
    }
  });
});

describe('the Windows named pipe (its code run with a recorded PowerShell: not run on Windows here)', () => {
  it('names the pipe after the home, case-insensitively, and uses <home>/keyden.sock elsewhere', () => {
    const a = ownerSocketPath('C:\\Users\\Ann\\AppData\\Roaming\\Keyden', 'win32');
    expect(a).toMatch(/^\\\\\.\\pipe\\keyden-[0-9a-f]{32}$/);
    expect(ownerSocketPath('c:\\users\\ann\\appdata\\roaming\\keyden', 'win32')).toBe(a);
    expect(ownerSocketPath('C:\\Users\\Bob\\AppData\\Roaming\\Keyden', 'win32')).not.toBe(a);
    const home = tempDir();
    expect(ownerSocketPath(home, 'linux')).toBe(path.join(home, 'keyden.sock'));
    fs.rmSync(home, { recursive: true });
  });

  const SID = 'S-1-5-21-1004336348-1177238915-682003330-1001';
  const PIPE = ownerSocketPath('C:\\Users\\Ann\\AppData\\Roaming\\Keyden', 'win32')!;
  const ENV = { SystemRoot: 'C:\\Windows' };

  /** A PowerShell that records how it was run and answers `reply` (or fails with `fail`). */
  function recordedPowerShell(reply: string, fail?: { code: number }): { run: RunProgram; calls: { file: string; args: string[] }[] } {
    const calls: { file: string; args: string[] }[] = [];
    const run: RunProgram = (file, args) => {
      calls.push({ file, args });
      return fail ? Promise.reject(Object.assign(new Error('Command failed: secret-free'), fail)) : Promise.resolve(reply);
    };
    return { run, calls };
  }

  it("sets the pipe's DACL from Windows PowerShell in System32, connected to the pipe itself with WRITE_DAC, and accepts the user-only list it reads back", async () => {
    const ps = recordedPowerShell(`${SID} D:P(A;;FA;;;${SID})\r\n`);
    await restrictPipeToUser(PIPE, ps.run, ENV);
    expect(ps.calls).toHaveLength(1);
    const { file, args } = ps.calls[0]!;
    expect(file).toBe('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    expect(args.slice(0, -1)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-Command']);
    const script = args.at(-1)!;
    expect(script).toContain(`NamedPipeClientStream('.', '${PIPE.slice('\\\\.\\pipe\\'.length)}'`);
    expect(script).toContain('ChangePermissions');
    expect(script).toContain('D:P(A;;FA;;;$sid)');
    expect(script).toContain('$pipe.SetAccessControl($security)');
    expect(script).toContain('GetAccessControl()');
  });

  it('refuses (the owner does not start) when the list read back still admits anyone else', async () => {
    const ps = recordedPowerShell(`${SID} D:P(A;;FA;;;${SID})(A;;FR;;;WD)`);
    await expect(restrictPipeToUser(PIPE, ps.run, ENV)).rejects.toThrow(/could not restrict .* to this user: its access list reads "D:P\(A;;FA;;;S-1-5-21-[0-9-]+\)\(A;;FR;;;WD\)"/);
    const unprotected = recordedPowerShell(`${SID} D:(A;;FA;;;${SID})`);
    await expect(restrictPipeToUser(PIPE, unprotected.run, ENV)).rejects.toThrow('its access list reads');
  });

  it('refuses when PowerShell fails, saying only that it failed and its exit code', async () => {
    const ps = recordedPowerShell('', { code: 1 });
    await expect(restrictPipeToUser(PIPE, ps.run, ENV)).rejects.toThrow(/^could not restrict \\\\\.\\pipe\\keyden-[0-9a-f]{32} to this user: Windows PowerShell failed \(1\)$/);
  });

  it('runs nothing for a path that is not a Keyden pipe (nothing else reaches the script)', async () => {
    const ps = recordedPowerShell('');
    await expect(restrictPipeToUser("\\\\.\\pipe\\keyden-x'; Remove-Item C:\\", ps.run, ENV)).rejects.toThrow('not a Keyden pipe name');
    await expect(restrictPipeToUser('/home/ann/.config/keyden/keyden.sock', ps.run, ENV)).rejects.toThrow('not a Keyden pipe name');
    expect(ps.calls).toHaveLength(0);
  });

  it('reads a DACL as admitting the user alone only when it is protected and every entry allows that SID', () => {
    expect(admitsOnly(`D:P(A;;FA;;;${SID})`, SID)).toBe(true);
    expect(admitsOnly(`D:PAI(A;;0x1f01ff;;;${SID})`, SID)).toBe(true);
    expect(admitsOnly(`D:(A;;FA;;;${SID})`, SID)).toBe(false);
    expect(admitsOnly(`D:P(A;;FA;;;${SID})(A;;FR;;;WD)`, SID)).toBe(false);
    expect(admitsOnly(`D:P(A;;FA;;;${SID})(A;;FR;;;AN)`, SID)).toBe(false);
    expect(admitsOnly('D:P', SID)).toBe(false);
    expect(admitsOnly('', SID)).toBe(false);
  });
});

describe('a socket that must be restricted before it serves (the Windows pipe\'s path, run here on a Unix socket)', () => {
  it('drops requests until the restriction is done, then serves; a failed restriction stops the start and closes the socket', async () => {
    const vault = await createTestVault();
    const socketPath = path.join(vault.dir, 'keyden.sock');
    let release!: () => void;
    const restricting = new Promise<void>((resolve) => (release = resolve));
    const starting = startApiServer(vault.core, { port: 0, socketPath, restrictSocket: () => restricting });
    try {
      for (let i = 0; i < 200 && !fs.existsSync(socketPath); i++) await new Promise((r) => setTimeout(r, 10));
      await expect(raw({ socketPath }, 'GET', '/healthz')).rejects.toThrow(/socket hang up|ECONNRESET/);
      release();
      const server = await starting;
      expect((await raw({ socketPath }, 'GET', '/healthz')).status).toBe(200);
      await server.close();
      const refused = startApiServer(vault.core, { port: 0, socketPath, restrictSocket: () => Promise.reject(new Error('could not restrict it to this user: Windows PowerShell failed (1)')) });
      await expect(refused).rejects.toThrow('could not restrict it to this user');
      // Nothing listens there any more: the socket is gone.
      expect(fs.existsSync(socketPath)).toBe(false);
    } finally {
      release();
      vault.close();
    }
  });
});

describe('a home whose path is too long for a socket', () => {
  it('gets no socket (the OS would cut the path short, maybe to someone else\'s), so the CLI uses TCP with the proof', () => {
    const short = path.join('/tmp', 'keyden-home');
    expect(ownerSocketPath(short, 'linux')).toBe(path.join(short, 'keyden.sock'));
    const long = path.join('/tmp', 'x'.repeat(100));
    expect(ownerSocketPath(long, 'linux')).toBeNull();
    expect(ownerSocketPath(long, 'win32')).toMatch(/^\\\\\.\\pipe\\keyden-[0-9a-f]{32}$/);
  });
});

// The e2e test transport: a Node server on 127.0.0.1 that serves the built renderer (under the
// app's CSP) and forwards each bridge call to the real handler table (real core, real vault in
// a temp folder, cheap KDF), with the clipboard, dialogs and timers as recording fakes.
import type { UpdaterPort } from '../../../src/main/app/updates.js';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative, resolve } from 'node:path';
import { openKeydenCore, type OwnedCore } from '../../../src/main/core/index.js';
import { securityHeaders } from '../../../src/main/app/csp.js';
import { createAppRuntime, type AppRuntime } from '../../../src/main/app/runtime.js';
import type { EventPayloads } from '../../../src/shared/ipc.js';
import type { BridgeEvent } from '../../../src/shared/ipc-channels.js';
import { ManualTimers, RecordingClipboard, RecordingDialogs } from './fakes.js';

export const RENDERER_DIR = resolve('out/renderer');
export const TEST_KDF = { m: 256, t: 1 } as const;
const SCREENSHOT_HOME = process.env.KEYDEN_SCREENSHOTS_DIR ? '/home/ada/.keyden' : null;
const MAX_BODY = 2 * 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

export interface Transport {
  url: string;
  home: string;
  core: OwnedCore;
  runtime: AppRuntime;
  clipboard: RecordingClipboard;
  dialogs: RecordingDialogs;
  timers: ManualTimers;
  /** Each change of the window's screen-capture protection, in order (true: protected). */
  screenProtection: boolean[];
  /** Every bridge call the page made, by channel, with the value it received (to prove what it never saw). */
  responses: { channel: string; body: string }[];
  /** A path as the page sees it (the fixed screenshot home replaces the temp folder). */
  shown(path: string): string;
  close(): Promise<void>;
}

export async function startTransport(
  options: { revealSeconds?: number; vaultFile?: Buffer; updater?: UpdaterPort; platform?: NodeJS.Platform; defaultKdf?: boolean } = {},
): Promise<Transport> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('out/renderer is missing: run `npm run build:renderer` first');
  const home = mkdtempSync(join(tmpdir(), 'keyden-e2e-'));
  if (options.vaultFile) writeFileSync(join(home, 'vault.db'), options.vaultFile, { mode: 0o600 });
  // The cheap KDF keeps the tests fast; `defaultKdf` runs Argon2id at the product's parameters.
  // Every file of the test's Keyden in its own folder: none in the developer's real Keyden home.
  const core = openKeydenCore({ vaultPath: join(home, 'vault.db'), knownVaultsPath: join(home, 'known-vaults.json'), approver: true, ...(options.defaultKdf ? {} : { unsafeTestKdf: TEST_KDF }) });
  const clipboard = new RecordingClipboard();
  const dialogs = new RecordingDialogs();
  const screenProtection: boolean[] = [];
  const timers = new ManualTimers();
  const streams = new Set<ServerResponse>();
  const responses: { channel: string; body: string }[] = [];

  const emit = <E extends BridgeEvent>(event: E, payload: EventPayloads[E]): void => {
    const data = `data: ${JSON.stringify({ event, payload })}\n\n`;
    for (const res of streams) if (!res.writableEnded) res.write(data);
  };
  const runtime = createAppRuntime({
    core,
    home,
    clipboard,
    dialogs,
    timers,
    screen: { protect: (on) => screenProtection.push(on) },
    emit,
    info: { version: core.version, platform: options.platform ?? process.platform, revealSeconds: options.revealSeconds ?? 30, canInstallCli: false },
    installCli: () => Promise.reject(new Error('not in tests')),
    ...(options.updater ? { updater: options.updater } : {}),
  });

  let origin = '';
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/__bridge/invoke' && req.method === 'POST') {
      // The HTTP stand-in for the IPC sender check: only the page served from this origin.
      if (req.headers.origin !== origin) return void res.writeHead(403).end();
      const body = JSON.parse(await readBody(req)) as { channel: string; input?: unknown };
      const result = await runtime.dispatch(body.channel, body.input);
      const text = JSON.stringify(result);
      responses.push({ channel: body.channel, body: text });
      // For the committed screenshots, the page shows a fixed, readable home instead of the temp folder.
      const shown = SCREENSHOT_HOME ? text.split(home).join(SCREENSHOT_HOME) : text;
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', ...securityHeaders() }).end(shown);
      return;
    }
    if (url.pathname === '/__bridge/events' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    serveStatic(url.pathname, res);
  }

  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  origin = `http://127.0.0.1:${address.port}`;

  return {
    url: origin,
    home,
    core,
    runtime,
    clipboard,
    dialogs,
    timers,
    screenProtection,
    responses,
    shown: (path) => (SCREENSHOT_HOME ? path.split(home).join(SCREENSHOT_HOME) : path),
    async close() {
      // Shutting down locks the vault, which emits an event: no stream may be written after its end.
      for (const res of streams) res.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await runtime.shutdown();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

function serveStatic(pathname: string, res: ServerResponse): void {
  const file = normalize(join(RENDERER_DIR, pathname === '/' ? 'index.html' : decodeURIComponent(pathname)));
  if (relative(RENDERER_DIR, file).startsWith('..') || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', ...securityHeaders() });
  createReadStream(file).pipe(res);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) fail(new Error('too large'));
      else chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

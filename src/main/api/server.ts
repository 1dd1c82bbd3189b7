// The HTTP adapter of the route table: Fastify on 127.0.0.1 with DESIGN §4's guards, in order:
// Host (421), Origin (403), size (413), content type (415), bearer token (401 / 429),
// locked (423), scope (403). Routes know nothing of HTTP; this file knows nothing of keys.
import fs from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { ERROR_STATUS, isKeydenError, KeydenError, type ErrorBody, type ErrorCode } from '../../shared/errors.js';
import type { Caller } from '../core/types.js';
import type { OwnedCore } from '../core/index.js';
import { buildOpenApi } from './openapi.js';
import { routes, type BodyKind, type Route, type RouteResult } from './routes.js';
import { DENIED_ALLOWED, RateWindow, TokenFailures, UnlockGate } from './throttle.js';
import { parseInput, parseQuery } from '../services/validate.js';
import { clearStaleSocket, newProofKey, proofMac, socketEndpoint, tcpEndpoint } from './channel.js';
import { restrictPipeToUser } from './pipe-acl.js';

export const BODY_LIMIT = 1024 * 1024;
export const DEFAULT_PORT = 17321;

export interface ApiServer {
  url: string;
  port: number;
  /** The proof key of this start, 64 hex characters, for api.json. */
  proof: string;
  /** The Unix socket (or Windows pipe) this owner also listens on, if asked for. */
  socketPath: string | null;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  port?: number;
  /** Only loopback addresses are accepted. */
  host?: '127.0.0.1' | '::1';
  /** Also serve the same routes on this Unix socket (0600) or Windows pipe: the CLI's channel. */
  socketPath?: string;
  /**
   * Restricts the socket to the user before it serves a request; a rejection stops the start.
   * Default: on Windows the pipe's DACL (restrictPipeToUser); elsewhere none (its mode is 0600).
   */
  restrictSocket?: ((socketPath: string) => Promise<void>) | null;
  /**
   * The owner's password checks (one at a time, 10 failures a minute). The app passes the one its
   * own unlock screen uses, so the API and the page share one budget; default: the server's own.
   */
  passwordGate?: UnlockGate;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

declare module 'fastify' {
  interface FastifyContextConfig {
    keyden?: Route;
  }
  interface FastifyRequest {
    keydenCaller?: Caller;
    keydenToken?: { id: string; expiresAt: string | null } | null;
    keydenBodyKind?: BodyKind | null;
  }
}

function send(reply: FastifyReply, status: number, body: ErrorBody | unknown, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(status).headers(headers).type(JSON_TYPE).send(JSON.stringify(body));
}

function sendError(reply: FastifyReply, code: ErrorCode, message: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}): FastifyReply {
  return send(reply, ERROR_STATUS[code], { error: message, code, details } satisfies ErrorBody, headers);
}

/**
 * Node's HTTP parser refused the request before any route saw it (two Content-Lengths, one beside
 * chunked, a folded or over-long header, a request that never finished): answered in Keyden's
 * error shape, status and code together, and the connection is closed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message]: [ErrorCode, string] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? ['PAYLOAD_TOO_LARGE', "the request's headers are larger than the 16 KiB the server takes"]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['VALIDATION_FAILED', 'the request did not arrive in time']
        : ['VALIDATION_FAILED', 'the request is not valid HTTP/1.1'];
  const status = ERROR_STATUS[code];
  const body = JSON.stringify({ error: message, code, details: {} } satisfies ErrorBody);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

function bodyKindOf(contentType: string | undefined): BodyKind | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'text/plain') return 'text';
  return null;
}

function hasBody(req: FastifyRequest): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

export async function startApiServer(core: OwnedCore, options: ApiServerOptions = {}): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const table = routes();
  const openapi = buildOpenApi(table, core.version);
  const tokenFailures = new TokenFailures();
  const unlocks = options.passwordGate ?? new UnlockGate();
  /** Each token's scope-denied calls of the last minute (past 60: 429). */
  const deniedByToken = new Map<string, RateWindow>();
  /**
   * Counts one refused call of a token (DESIGN §4): an `api.denied` row (coalesced), and past
   * DENIED_ALLOWED a minute the 429 it answers instead; null while within the budget.
   */
  const countDenied = (reply: FastifyReply, tokenId: string, route: string, reason: 'scope' | 'limits', scope?: string): FastifyReply | null => {
    let denied = deniedByToken.get(tokenId);
    if (!denied) deniedByToken.set(tokenId, (denied = new RateWindow(DENIED_ALLOWED)));
    if (denied.full()) {
      return sendError(reply, 'RATE_LIMITED', 'too many refused calls from this token; try again later', {}, { 'retry-after': String(denied.retryAfterSeconds()) });
    }
    denied.add();
    core.auditDenied({ actor: `token:${tokenId}`, route, reason, ...(scope ? { scope } : {}) });
    return null;
  };
  // Login requests: 5 a minute over TCP, which any local user can reach, and 5 of its own for the
  // socket, which only the user can: nobody else's flood keeps `keyden login` from asking.
  const loginRequests = { tcp: new RateWindow(5), socket: new RateWindow(5) };
  /**
   * Whether each token holds vault:lock, as last seen unlocked (a token's scopes never change).
   * A locked owner cannot read the sealed scopes; with this it refuses an unlock by a token
   * without the scope before trying the password.
   */
  const holdsVaultLock = new Map<string, boolean>();
  const learnScopes = (): void => {
    for (const t of core.tokens.list()) holdsVaultLock.set(t.id, t.scopes.includes('vault:lock'));
  };
  if (!core.vault.status().locked) learnScopes();
  const stopWatchingLock = core.vault.onLockChange((locked) => {
    if (!locked) learnScopes();
  });
  const proofKey = newProofKey();
  let allowedHosts = new Set<string>();
  // Requests that came over the socket: no browser reaches a Unix socket, so DNS rebinding is
  // not possible there; its Host guard admits `localhost` (what node:http and `curl --unix-socket`
  // send) besides the TCP forms, and still refuses a missing or foreign Host.
  const viaSocket = new WeakSet<IncomingMessage>();
  let socketHosts = new Set<string>();

  /** The first two guards: Host (421, DNS rebinding) and Origin (403, web pages). */
  function refuseForeign(req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    const hosts = viaSocket.has(req.raw) ? socketHosts : allowedHosts;
    if (!hosts.has(req.headers.host ?? '')) {
      return sendError(reply, 'MISDIRECTED', 'this server answers only to 127.0.0.1, localhost or [::1] with its own port');
    }
    if (req.headers.origin !== undefined) return sendError(reply, 'ORIGIN_FORBIDDEN', 'requests from web pages are refused');
    return undefined;
  }

  const app = Fastify({
    // HEAD of an export would be an audited export without a body: no implicit HEAD routes.
    exposeHeadRoutes: false,
    logger: false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 1024 },
    return503OnClosing: true,
    forceCloseConnections: true,
    // Node would answer a Host-less HTTP/1.1 request 400 itself; the Host guard answers it 421.
    http: { requireHostHeader: false },
    // Fastify's routing errors (a malformed URL, an over-long parameter) run no hooks: guard and
    // answer them here in Keyden's shape, without echoing the URL (a wait secret may be in it).
    frameworkErrors: (_error, req, reply) => refuseForeign(req, reply) ?? sendError(reply, 'VALIDATION_FAILED', 'the request URL is malformed', {}),
    clientErrorHandler: answerClientError,
  });

  app.removeAllContentTypeParsers();
  const parseBody = (kind: BodyKind) => (_req: FastifyRequest, raw: Buffer, done: (err: Error | null, body?: unknown) => void) => {
    let text: string;
    try {
      text = strictUtf8.decode(raw);
    } catch {
      return done(new KeydenError('VALIDATION_FAILED', 'the request body is not valid UTF-8', { body: 'not valid UTF-8' }));
    }
    if (kind === 'text') return done(null, text);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      // Never echo the parser's message: it quotes the body.
      done(new KeydenError('VALIDATION_FAILED', 'the request body is not valid JSON', { body: 'not valid JSON' }));
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseBody('json'));
  app.addContentTypeParser('text/plain', { parseAs: 'buffer' }, parseBody('text'));

  app.addHook('onRequest', async (req, reply) => {
    const foreign = refuseForeign(req, reply);
    if (foreign) return foreign;
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > BODY_LIMIT) return sendError(reply, 'PAYLOAD_TOO_LARGE', 'the request body is larger than 1 MiB', { limit: BODY_LIMIT });
    const route = req.routeOptions.config.keyden;
    if (!route) return;
    if (route.body) {
      const kind = bodyKindOf(req.headers['content-type']);
      const acceptable = kind !== null && (route.bodyKinds ?? ['json']).includes(kind);
      if (hasBody(req) && !acceptable) {
        const accepted = (route.bodyKinds ?? ['json']).map((k) => (k === 'json' ? 'application/json' : 'text/plain'));
        return sendError(reply, 'UNSUPPORTED_MEDIA_TYPE', `send the body as ${accepted.join(' or ')}`, { accepted });
      }
      // An empty text/plain body is still a text body (an empty .env imports nothing).
      if (acceptable) req.keydenBodyKind = kind;
    }
    if (route.scope === 'none') {
      const budget = viaSocket.has(req.raw) ? loginRequests.socket : loginRequests.tcp;
      if (route.path === '/api/auth/requests' && !budget.take()) {
        return sendError(reply, 'RATE_LIMITED', 'too many login requests; try again in a minute', {}, { 'retry-after': String(budget.retryAfterSeconds()) });
      }
      return;
    }
    const auth = req.headers.authorization;
    const unauthorized = (details: Record<string, unknown> = {}): FastifyReply =>
      sendError(reply, 'UNAUTHORIZED', 'a valid bearer token is required (keyden login, or keyden token create)', details, { 'www-authenticate': 'Bearer' });
    // No credential at all (what an <img> tag sends): 401, counted toward no budget, no audit row.
    if (auth === undefined) return unauthorized();
    // The scheme is case-insensitive (RFC 9110 §11.1).
    const secret = /^bearer /i.test(auth) ? auth.slice(7).trim() : '';
    core.refresh();
    const locked = core.vault.status().locked;
    // Unlocked, the token is checked once, in memory; locked, only its plaintext columns can be.
    const token = secret && !locked ? core.tokens.authenticate(secret) : null;
    const live = token ?? (secret && locked ? core.tokens.identify(secret) : null);
    if (!live) {
      if (tokenFailures.full()) {
        return sendError(reply, 'RATE_LIMITED', 'too many failed authentications; try again later', {}, { 'retry-after': String(tokenFailures.retryAfterSeconds()) });
      }
      tokenFailures.add();
      core.auditDenied({ actor: 'token:unknown', route: `${req.method} ${route.path}`, reason: 'invalid token' });
      // The owner knows a revoked or expired token: say so (never for a string it has not issued).
      const ended = secret ? core.tokens.whyRefused(secret) : null;
      if (ended?.revokedAt) return sendError(reply, 'UNAUTHORIZED', `this token was revoked at ${ended.revokedAt}`, { revokedAt: ended.revokedAt }, { 'www-authenticate': 'Bearer' });
      if (ended?.expiredAt) return sendError(reply, 'UNAUTHORIZED', `this token expired at ${ended.expiredAt}`, { expiredAt: ended.expiredAt }, { 'www-authenticate': 'Bearer' });
      return unauthorized();
    }
    const actor = `token:${live.id}` as const;
    req.keydenToken = { id: live.id, expiresAt: live.expiresAt };
    if (!token) {
      // Matched by its hash alone (the scopes are sealed): only unlock and "who am I".
      if (!route.whileLocked) return sendError(reply, 'VAULT_LOCKED', core.vault.takeLockNotice() ?? 'the vault is locked; unlock it in Keyden or with "keyden unlock"');
      // Known from an unlocked moment, else from the vault's list of tokens that may unlock: either
      // way before any password is tried, so a token without the scope learns nothing (DESIGN §4).
      if (route.scope === 'vault:lock' && (holdsVaultLock.get(live.id) ?? core.tokens.holdsVaultLockWhileLocked(live.id)) === false) {
        return sendError(reply, 'SCOPE_REQUIRED', 'this token lacks the vault:lock scope', { scope: 'vault:lock' });
      }
      req.keydenCaller = { actor, projects: null, environments: null };
      return;
    }
    // A token limited to projects/environments never writes categories (shared by every project),
    // even one made before that rule.
    const limited = token.projects !== null || token.environments !== null;
    const holds = (scope: string): boolean => token.scopes.includes(scope as (typeof token.scopes)[number]) && !(limited && scope === 'categories:write');
    if (route.scope !== 'token' && !holds(route.scope)) {
      const throttled = countDenied(reply, live.id, `${req.method} ${route.path}`, 'scope', route.scope);
      if (throttled) return throttled;
      return sendError(reply, 'SCOPE_REQUIRED', `this token lacks the ${route.scope} scope`, { scope: route.scope });
    }
    holdsVaultLock.set(live.id, token.scopes.includes('vault:lock'));
    req.keydenCaller = { actor, projects: token.projects, environments: token.environments, canReveal: holds('entries:reveal'), canWriteCategories: holds('categories:write') };
  });

  app.setErrorHandler((error, _req, reply) => {
    if (isKeydenError(error)) {
      // A write refused by the token's project or environment limits counts as a denied call:
      // audited (coalesced) and, past the token's budget, 429 — as a missing scope is.
      const route = _req.routeOptions.config.keyden;
      if (error.code === 'SCOPE_REQUIRED' && _req.keydenToken && route) {
        const scope = typeof error.details?.scope === 'string' ? error.details.scope : undefined;
        const throttled = countDenied(reply, _req.keydenToken.id, `${_req.method} ${route.path}`, scope ? 'scope' : 'limits', scope);
        if (throttled) return throttled;
      }
      return sendError(reply, error.code, error.message, error.details);
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status === 413) return sendError(reply, 'PAYLOAD_TOO_LARGE', 'the request body is larger than 1 MiB', { limit: BODY_LIMIT });
    if (status === 415) return sendError(reply, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    if (status >= 400 && status < 500) return sendError(reply, 'VALIDATION_FAILED', 'the request is malformed', {});
    // A bug: say so without a stack, a message (it may quote input) or a secret.
    process.stderr.write(`keyden: internal error (${(error as Error).name ?? 'Error'}) on ${_req.method} ${_req.routeOptions.url ?? ''}\n`);
    return sendError(reply, 'INTERNAL', 'internal error', {});
  });

  // A known path asked with another method: 405 with Allow (RFC 9110 §15.5.6), not 404.
  const shapes = table.map((r) => ({ method: r.method, pattern: new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`) }));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const allowed = [...new Set(shapes.filter((s) => s.pattern.test(path)).map((s) => s.method))];
    if (allowed.length > 0) {
      return sendError(reply, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; use ${allowed.join(' or ')}`, { allowed }, { allow: allowed.join(', ') });
    }
    return sendError(reply, 'NOT_FOUND', `no route ${req.method} ${path}`);
  });

  for (const route of table) {
    app.route({
      method: route.method,
      url: route.path.replace(/\{(\w+)\}/g, ':$1'),
      config: { keyden: route },
      handler: async (req, reply) => {
        if (route.path === '/api/openapi.json') return send(reply, 200, openapi);
        if (route.params) parseInput(route.params, req.params ?? {});
        const query = parseQuery(route.query, (req.query ?? {}) as Record<string, unknown>);
        if (route.path === '/api/auth/proof') {
          // Bound to where this connection arrived (channel.ts): a relay's client dialled elsewhere.
          const local = req.raw.socket;
          const endpoint =
            viaSocket.has(req.raw) || local.localAddress === undefined || local.localPort === undefined
              ? socketEndpoint(options.socketPath ?? '')
              : tcpEndpoint(local.localAddress, local.localPort);
          return send(reply, 200, { mac: proofMac(proofKey, String(query.nonce), endpoint) });
        }
        let body: unknown = req.body;
        if (route.body && req.keydenBodyKind !== 'text') body = parseInput(route.body, body ?? {});
        let result: RouteResult;
        if (route.path === '/api/unlock') {
          // One at a time, refused untried while unlocked, counted before the KDF (DESIGN §4).
          const outcome = await unlocks.run(
            () => !core.vault.status().locked,
            async () => route.handle(request(route, req, query, body)),
          );
          if (!outcome.ok && outcome.reason === 'unlocked') return sendError(reply, 'CONFLICT', 'the vault is already unlocked', {});
          if (!outcome.ok) return sendError(reply, 'RATE_LIMITED', 'too many failed unlock attempts; try again later', {}, { 'retry-after': String(outcome.retryAfter) });
          result = outcome.value;
        } else {
          result = await route.handle(request(route, req, query, body));
        }
        reply.code(result.status ?? route.response.status);
        if (result.headers) reply.headers(result.headers);
        if (result.text !== undefined) return reply.type(result.contentType ?? 'text/plain; charset=utf-8').send(result.text);
        if (result.json === undefined) return reply.send();
        return reply.type(JSON_TYPE).send(JSON.stringify(result.json));
      },
    });
  }

  function request(route: Route, req: FastifyRequest, query: Record<string, unknown>, body: unknown) {
    return {
      core,
      caller: req.keydenCaller ?? { actor: 'cli' as const, projects: null, environments: null },
      token: req.keydenToken ?? null,
      params: req.params as Record<string, string>,
      query,
      body,
      bodyKind: req.keydenBodyKind ?? (route.body ? 'json' : null),
    };
  }

  const address = await app.listen({ port: options.port ?? DEFAULT_PORT, host });
  const port = Number(new URL(address).port);
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  socketHosts = new Set([...allowedHosts, 'localhost']);
  const url = `http://${host === '::1' ? '[::1]' : host}:${port}`;
  let socketServer: http.Server | null = null;
  if (options.socketPath) {
    try {
      const restrict = options.restrictSocket !== undefined ? options.restrictSocket : process.platform === 'win32' ? restrictPipeToUser : null;
      socketServer = await listenOnSocket(
        options.socketPath,
        (req, res) => {
          viaSocket.add(req);
          app.routing(req, res);
        },
        restrict,
      );
    } catch (e) {
      await app.close();
      throw e;
    }
  }
  return {
    url,
    port,
    proof: proofKey.toString('hex'),
    socketPath: options.socketPath ?? null,
    close: async () => {
      stopWatchingLock();
      if (socketServer) {
        const closing = new Promise<void>((resolve) => socketServer?.close(() => resolve()));
        socketServer.closeAllConnections();
        await closing;
      }
      await app.close();
    },
  };
}

/**
 * A second listener on the socket whose requests go through the same Fastify routing and hooks.
 * With `restrict`, no request is served before it has resolved: one that comes earlier loses its
 * connection (the restricting client itself sends none).
 */
async function listenOnSocket(socketPath: string, handler: http.RequestListener, restrict: ((socketPath: string) => Promise<void>) | null): Promise<http.Server> {
  await clearStaleSocket(socketPath);
  let restricted = restrict === null;
  // Node would answer a Host-less request 400 itself; the Host guard answers it 421, as on TCP.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    if (!restricted) {
      req.socket.destroy();
      return;
    }
    handler(req, res);
  });
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The home is 0700 already; the socket itself is the user's alone too.
  if (process.platform !== 'win32') fs.chmodSync(socketPath, 0o600);
  if (restrict) {
    try {
      await restrict(socketPath);
    } catch (e) {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closing;
      throw e;
    }
    restricted = true;
  }
  return server;
}

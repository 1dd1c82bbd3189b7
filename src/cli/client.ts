// A thin client of the local API over node:http (fetch() would cost ~120 ms of start-up).
// It speaks only to the real owner (DESIGN §4 "Hardening", docs/cli.md "Finding the owner"):
// KEYDEN_URL, else the owner's socket, else api.json — never a fixed port; over TCP nothing is
// sent until the listener proves it holds api.json's proof key.
import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { ApiError, CliError, EXIT } from './errors.js';
import { credentialsPath, discoveryPath, keydenHome, readDiscovery, unsafeAncestors, unsafeFolder } from '../main/home.js';
import { ownerSocketPath, proofMatches, socketEndpoint, tcpEndpoint } from '../main/api/channel.js';

/** The port `keyden serve` and the app use unless told otherwise; the CLI never assumes it. */
export const DEFAULT_API_PORT = 17321;

export type TokenSource = 'KEYDEN_TOKEN' | 'credentials' | null;
export type UrlSource = 'KEYDEN_URL' | 'socket' | 'api.json';

/** How to reach the owner: its socket (file permissions authenticate it) or TCP with a proof key. */
export type Channel = { kind: 'socket'; path: string; proof: string | null } | { kind: 'tcp'; baseUrl: URL; proof: string };

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Where the answer came from over TCP: the address and port this connection reached (channel.ts tcpEndpoint). */
  endpoint?: string;
}

export interface RequestInit {
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as text/plain; charset=utf-8, byte for byte. */
  text?: Uint8Array | string;
  /** Skip the token (routes whose scope is "none"). */
  anonymous?: boolean;
  timeoutMs?: number;
  /** Statuses (besides 2xx) handed back instead of thrown. */
  accept?: number[];
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class ApiClient {
  /** Settles once the owner has proved itself (TCP, and Windows pipes); nothing is sent before. */
  private proven: Promise<void> | null = null;

  constructor(
    readonly channel: Channel,
    readonly urlSource: UrlSource,
    readonly token: string | null,
    readonly tokenSource: TokenSource,
  ) {}

  /** The owner and token of this environment: KEYDEN_URL / socket / api.json; KEYDEN_TOKEN / credentials. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): ApiClient {
    const home = keydenHome(env);
    const [channel, urlSource] = findOwner(home, env);
    if (env.KEYDEN_TOKEN) return new ApiClient(channel, urlSource, env.KEYDEN_TOKEN, 'KEYDEN_TOKEN');
    const stored = readStoredToken(home);
    return new ApiClient(channel, urlSource, stored, stored ? 'credentials' : null);
  }

  /** The same owner, another token. */
  withToken(token: string, tokenSource: TokenSource): ApiClient {
    return new ApiClient(this.channel, this.urlSource, token, tokenSource);
  }

  /** The token, or exit 4 saying how to get one. */
  requireToken(): string {
    if (this.token) return this.token;
    throw new CliError('no token: run `keyden login`, or set KEYDEN_TOKEN (a headless owner makes one with `keyden token create`)', EXIT.UNAUTHORIZED);
  }

  get url(): string {
    return this.channel.kind === 'socket' ? `unix:${this.channel.path}` : this.channel.baseUrl.origin;
  }

  /** Sends one request; non-2xx answers (unless accepted) become ApiError. */
  async request(method: string, path: string, init: RequestInit = {}): Promise<ApiResponse> {
    // Not a header, not a body, until the listener has proved it is the owner.
    if (this.channel.proof !== null) await (this.proven ??= this.prove(this.channel.proof));
    return this.send(method, path, init);
  }

  /** GET /api/auth/proof with a fresh nonce; anything but the right HMAC ends the command. */
  private async prove(proofKey: string): Promise<void> {
    const nonce = randomBytes(32).toString('hex');
    let mac: unknown;
    // The answer must be for the endpoint this client reached, not one a relay forwarded it to.
    let endpoint = this.channel.kind === 'socket' ? socketEndpoint(this.channel.path) : null;
    try {
      const answer = await this.send('GET', '/api/auth/proof', { anonymous: true, query: { nonce }, timeoutMs: 10_000 });
      mac = (parseJson<{ mac?: unknown } | undefined>(answer) ?? {}).mac;
      if (this.channel.kind === 'tcp') endpoint = answer.endpoint ?? null;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
    if (endpoint === null || !proofMatches(proofKey, nonce, endpoint, mac)) {
      throw new CliError(`the listener at ${this.url} did not prove it is the Keyden owner of api.json: nothing was sent to it (is another program on that port?)`, EXIT.ERROR);
    }
  }

  private async send(method: string, path: string, init: RequestInit): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (!init.anonymous) headers.authorization = `Bearer ${this.requireToken()}`;
    let body: Buffer | undefined;
    if (init.json !== undefined) {
      body = Buffer.from(JSON.stringify(init.json), 'utf8');
      headers['content-type'] = 'application/json';
    } else if (init.text !== undefined) {
      body = typeof init.text === 'string' ? Buffer.from(init.text, 'utf8') : Buffer.from(init.text);
      headers['content-type'] = 'text/plain; charset=utf-8';
    }
    if (body) headers['content-length'] = String(body.length);

    const target = new URL(path, this.channel.kind === 'tcp' ? this.channel.baseUrl : 'http://localhost');
    for (const [k, v] of Object.entries(init.query ?? {})) {
      if (v !== undefined && v !== null) target.searchParams.set(k, String(v));
    }
    const options: RequestOptions & Pick<ConnectionOptions, 'servername'> = { method, path: target.pathname + target.search, headers };
    if (this.channel.kind === 'socket') {
      options.socketPath = this.channel.path;
      headers.host = 'localhost';
      // No TLS here, so no server name: without this, node:http derives one from the Host header
      // and asks net.isIP('localhost'), which compiles the IPv6 pattern (~6 ms of a `keyden get`).
      options.servername = '';
    } else {
      options.hostname = this.channel.baseUrl.hostname.replace(/^\[|\]$/g, '');
      options.port = this.channel.baseUrl.port || 80;
    }
    const response = await send(options, body, init.timeoutMs ?? DEFAULT_TIMEOUT_MS, this.url);
    if ((response.status >= 200 && response.status < 300) || init.accept?.includes(response.status)) return response;
    const error = toApiError(response);
    if (error.code === 'UNAUTHORIZED' && this.tokenSource === 'credentials') {
      // The owner says when a token it issued was revoked or expired ("this token was revoked at …").
      const why = typeof error.details.revokedAt === 'string' || typeof error.details.expiredAt === 'string' ? error.message : 'was refused (expired or revoked)';
      const reason = why.replace(/^this token /, '');
      throw new ApiError(error.status, error.code, `the token stored by \`keyden login\` ${reason}: run \`keyden login\` again`, error.details);
    }
    throw error;
  }

  /** A request whose answer is JSON (or nothing, for 204). */
  async json<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.request(method, path, init);
    return parseJson<T>(response);
  }
}

export function parseJson<T>(response: ApiResponse): T {
  if (response.status === 204 || response.body.length === 0) return undefined as T;
  try {
    return JSON.parse(response.body.toString('utf8')) as T;
  } catch {
    throw new CliError(`the API answered ${response.status} with a body that is not JSON`, EXIT.ERROR);
  }
}

function send(options: RequestOptions, body: Buffer | undefined, timeoutMs: number, url: string): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const { remoteAddress, remotePort } = res.socket;
      const endpoint = remoteAddress !== undefined && remotePort !== undefined ? tcpEndpoint(remoteAddress, remotePort) : undefined;
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), endpoint }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new CliError(`the Keyden API at ${url} did not answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof CliError) reject(e);
      else if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EADDRNOTAVAIL' || e.code === 'ENOENT') {
        reject(new CliError(`cannot reach the Keyden API at ${url}: start the desktop app (with its local API on) or \`keyden serve\``));
      } else reject(new CliError(`the Keyden API at ${url} failed: ${e.message}`));
    });
    req.end(body);
  });
}

function toApiError(response: ApiResponse): ApiError {
  let code = '';
  let message = `the API answered ${response.status}`;
  let details: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(response.body.toString('utf8')) as { error?: unknown; code?: unknown; details?: unknown };
    if (typeof parsed.code === 'string') code = parsed.code;
    if (typeof parsed.error === 'string' && parsed.error) message = parsed.error;
    if (typeof parsed.details === 'object' && parsed.details !== null) details = parsed.details as Record<string, unknown>;
  } catch {
    // not an API error body: keep the status
  }
  if (code === 'RATE_LIMITED' && response.headers['retry-after']) {
    message = `${message} (retry after ${String(response.headers['retry-after'])} s)`;
  }
  return new ApiError(response.status, code, message, details);
}

/** The token `keyden login` stored, or null. */
export function readStoredToken(home: string): string | null {
  try {
    const parsed = JSON.parse(readFileSync(credentialsPath(home), 'utf8')) as { token?: unknown };
    return typeof parsed.token === 'string' && parsed.token ? parsed.token : null;
  } catch {
    return null;
  }
}

/** KEYDEN_URL (checked with api.json's proof), else the owner's socket, else a live api.json; else exit 1. */
function findOwner(home: string, env: NodeJS.ProcessEnv): [Channel, UrlSource] {
  // The socket, api.json's proof key and the stored token are trusted because nobody else can
  // reach into the home: a home another user owns or can open (planted in /tmp, say) is refused
  // before anything in it is read or dialled (DESIGN §4 "The CLI speaks only to the real owner").
  const unsafe = unsafeFolder(home, { privateTo: true }) ?? unsafeAncestors(home);
  if (unsafe) throw new CliError(`the Keyden home ${home} is not private to this user (${unsafe}): nothing was sent`, EXIT.ERROR);
  const found = readDiscovery(home);
  // An owner that died without cleaning up leaves a stale api.json: ignore it.
  const discovery = found && isAlive(found.pid) ? found : null;
  const proofOf = (url: string): string => {
    if (discovery && /^[0-9a-f]{64}$/i.test(discovery.proof)) return discovery.proof;
    throw new CliError(
      `cannot check that ${url} is the Keyden owner: ${discoveryPath(home)} ${discovery ? 'holds no proof key (an older owner: restart it)' : 'is missing or its owner is gone'}; nothing was sent`,
      EXIT.ERROR,
    );
  };
  if (env.KEYDEN_URL) return [{ kind: 'tcp', baseUrl: parseUrl(env.KEYDEN_URL), proof: proofOf(env.KEYDEN_URL) }, 'KEYDEN_URL'];
  const socketPath = ownerSocketPath(home);
  if (socketPath && existsSync(socketPath)) {
    const foreign = foreignSocket(socketPath);
    if (foreign) throw new CliError(`${socketPath} ${foreign}: nothing was sent`, EXIT.ERROR);
    // A Unix socket in the 0700 home can only be the user's own; a Windows pipe lives in a shared
    // namespace, so there the owner proves itself as over TCP (docs/api.md, "Windows").
    const proof = process.platform === 'win32' ? proofOf(socketPath) : null;
    return [{ kind: 'socket', path: socketPath, proof }, 'socket'];
  }
  if (discovery) return [{ kind: 'tcp', baseUrl: parseUrl(discovery.url), proof: proofOf(discovery.url) }, 'api.json'];
  throw new CliError(`no Keyden owner is running (no ${socketPath ?? 'socket'}, no live ${discoveryPath(home)}): start the desktop app (with its local API on) or \`keyden serve\``, EXIT.ERROR);
}

/** Why the owner's socket is not the user's own (a socket another user made, or not a socket), or null. */
function foreignSocket(socketPath: string): string | null {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return null;
  try {
    const s = lstatSync(socketPath);
    if (!s.isSocket()) return 'is not a socket';
    if (s.uid !== process.getuid()) return `belongs to another user (uid ${s.uid})`;
    return null;
  } catch {
    return null;
  }
}

function parseUrl(url: string): URL {
  let baseUrl: URL;
  try {
    baseUrl = new URL(url);
  } catch {
    throw new CliError(`invalid API URL ${JSON.stringify(url)}`, EXIT.USAGE);
  }
  if (baseUrl.protocol !== 'http:') throw new CliError(`unsupported API URL ${url}: only http:// on this machine`, EXIT.USAGE);
  return baseUrl;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true; // no pid to check: trust the file
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

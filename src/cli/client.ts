// A thin client of the local API over node:http (fetch() would cost ~120 ms of start-up).
import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { readFileSync } from 'node:fs';
import { ApiError, CliError, EXIT } from './errors.js';
import { credentialsPath, keydenHome, readDiscovery } from '../main/home.js';

export const DEFAULT_API_PORT = 17321;

export type TokenSource = 'KEYDEN_TOKEN' | 'credentials' | null;
export type UrlSource = 'KEYDEN_URL' | 'api.json' | 'default';

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
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
  constructor(
    readonly baseUrl: URL,
    readonly urlSource: UrlSource,
    readonly token: string | null,
    readonly tokenSource: TokenSource,
  ) {}

  /** The API and token of this environment: KEYDEN_URL / api.json / default port; KEYDEN_TOKEN / credentials. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): ApiClient {
    const home = keydenHome(env);
    let url: string;
    let urlSource: UrlSource;
    if (env.KEYDEN_URL) {
      url = env.KEYDEN_URL;
      urlSource = 'KEYDEN_URL';
    } else {
      const found = readDiscovery(home);
      // An owner that died without cleaning up leaves a stale api.json: ignore it.
      const discovery = found && isAlive(found.pid) ? found : null;
      url = discovery?.url ?? `http://127.0.0.1:${DEFAULT_API_PORT}`;
      urlSource = discovery ? 'api.json' : 'default';
    }
    let baseUrl: URL;
    try {
      baseUrl = new URL(url);
    } catch {
      throw new CliError(`invalid API URL ${JSON.stringify(url)} (from ${urlSource})`, EXIT.USAGE);
    }
    if (baseUrl.protocol !== 'http:') throw new CliError(`unsupported API URL ${url}: only http:// on this machine`, EXIT.USAGE);
    if (env.KEYDEN_TOKEN) return new ApiClient(baseUrl, urlSource, env.KEYDEN_TOKEN, 'KEYDEN_TOKEN');
    const stored = readStoredToken(home);
    return new ApiClient(baseUrl, urlSource, stored, stored ? 'credentials' : null);
  }

  /** The token, or exit 4 saying how to get one. */
  requireToken(): string {
    if (this.token) return this.token;
    throw new CliError('no token: run `keyden login`, or set KEYDEN_TOKEN (a headless owner makes one with `keyden token create`)', EXIT.UNAUTHORIZED);
  }

  get url(): string {
    return this.baseUrl.origin;
  }

  /** Sends one request; non-2xx answers (unless accepted) become ApiError. */
  async request(method: string, path: string, init: RequestInit = {}): Promise<ApiResponse> {
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

    const target = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(init.query ?? {})) {
      if (v !== undefined && v !== null) target.searchParams.set(k, String(v));
    }
    const options: RequestOptions = {
      method,
      hostname: this.baseUrl.hostname.replace(/^\[|\]$/g, ''),
      port: this.baseUrl.port || 80,
      path: target.pathname + target.search,
      headers,
    };
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
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new CliError(`the Keyden API at ${url} did not answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof CliError) reject(e);
      else if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EADDRNOTAVAIL') {
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

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true; // no pid to check: trust the file
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

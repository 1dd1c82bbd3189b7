// `keyden login` requests (DESIGN §4): a client asks, the user approves in the app, the client
// collects its token once. Requests live in memory only and expire after five minutes.
import { randomBytes, randomInt, timingSafeEqual, createHash } from 'node:crypto';
import { LoginRequestInput, type LoginRequest } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import type { ApprovalService, Caller, TokenService } from '../core/types.js';
import { newId } from './context.js';
import { parseInput } from './validate.js';

export const REQUEST_TTL_MS = 5 * 60_000;
export const APPROVED_TOKEN_HOURS = 12;
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

interface Pending {
  request: LoginRequest;
  secretHash: Buffer;
  expiresAt: number;
  state: 'pending' | 'approved' | 'denied';
  token: string | null;
  waiters: Set<() => void>;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class Approvals implements ApprovalService {
  private readonly requests = new Map<string, Pending>();
  private readonly listeners = new Set<(r: LoginRequest) => void>();

  constructor(
    private readonly tokens: TokenService,
    readonly hasApprover: boolean,
    private readonly clock: () => number = Date.now,
  ) {}

  request(raw: LoginRequestInput): { id: string; secret: string; code: string } {
    const input = parseInput(LoginRequestInput, raw);
    this.sweep();
    const id = newId();
    const secret = randomBytes(32).toString('base64url');
    const code = Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('').replace(/^(.{4})/, '$1-');
    const request: LoginRequest = {
      id,
      clientName: input.clientName,
      scopes: [...new Set(input.scopes)],
      projects: input.projects ?? null,
      environments: input.environments ?? null,
      code,
      createdAt: new Date(this.clock()).toISOString(),
    };
    this.requests.set(id, { request, secretHash: digest(secret), expiresAt: this.clock() + REQUEST_TTL_MS, state: 'pending', token: null, waiters: new Set() });
    for (const l of this.listeners) l(request);
    return { id, secret, code };
  }

  private find(id: string, secret: string): Pending {
    this.sweep();
    const p = this.requests.get(id);
    // A wrong secret answers as an unknown id does.
    if (!p || !timingSafeEqual(p.secretHash, digest(secret))) throw new KeydenError('NOT_FOUND', 'login request not found or expired', {});
    return p;
  }

  async wait(id: string, secret: string, timeoutMs: number): Promise<{ token: string } | null> {
    let p = this.find(id, secret);
    if (p.state === 'pending') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(timeoutMs, Math.max(0, p.expiresAt - this.clock())));
        function done() {
          clearTimeout(timer);
          p.waiters.delete(done);
          resolve();
        }
        p.waiters.add(done);
      });
      p = this.find(id, secret);
    }
    if (p.state === 'denied') throw new KeydenError('REQUEST_DENIED', 'the request was denied in Keyden', {});
    if (p.state === 'approved' && p.token) {
      const token = p.token;
      // Single use: the token is handed out once and the request forgotten.
      this.requests.delete(id);
      return { token };
    }
    return null;
  }

  pending(): LoginRequest[] {
    this.sweep();
    return [...this.requests.values()].filter((p) => p.state === 'pending').map((p) => p.request);
  }

  approve(caller: Caller, id: string, options: { expiresAt?: string | null } = {}): void {
    const p = this.pendingOne(id);
    const expiresAt = options.expiresAt === undefined ? new Date(this.clock() + APPROVED_TOKEN_HOURS * 3600_000).toISOString() : options.expiresAt;
    const created = this.tokens.create(caller, {
      name: p.request.clientName,
      scopes: p.request.scopes,
      projects: p.request.projects,
      environments: p.request.environments,
      expiresAt,
    });
    p.state = 'approved';
    p.token = created.secret;
    this.wake(p);
  }

  deny(id: string): void {
    const p = this.pendingOne(id);
    p.state = 'denied';
    this.wake(p);
  }

  onRequest(listener: (request: LoginRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private pendingOne(id: string): Pending {
    this.sweep();
    const p = this.requests.get(id);
    if (!p || p.state !== 'pending') throw new KeydenError('NOT_FOUND', 'login request not found or no longer pending', { id });
    return p;
  }

  private wake(p: Pending): void {
    // Each waiter removes itself; a Set allows that while iterating.
    for (const w of p.waiters) w();
  }

  private sweep(): void {
    const now = this.clock();
    for (const [id, p] of this.requests) {
      if (p.expiresAt <= now) {
        this.requests.delete(id);
        p.state = 'denied';
        this.wake(p);
      }
    }
  }
}

// API tokens (DESIGN §2): `kdn_` + base64url of 32 random bytes, shown once, kept as SHA-256.
import { hash, randomBytes } from 'node:crypto';
import { TokenInput, type CallerToken, type Token } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import { statement, type Db } from '../store/db.js';
import { insertRow, macMatches } from '../store/integrity.js';
import type { Caller, CreatedToken, TokenService } from '../core/types.js';
import { newId, notFound, openOverview, sealOverview, type Keys, type TokenRecord, type VaultContext } from './context.js';
import { parseInput } from './validate.js';

/** Last use is written at most this often; in memory it stays exact. */
const LAST_USED_WRITE_MS = 60_000;

/** The meta row listing the tokens that may unlock (see Tokens.writeUnlockers). */
const UNLOCKERS_KEY = 'unlock_tokens';

/** `meta.unlock_tokens`'s value for these tokens: the sorted ids of the live ones holding vault:lock, as JSON. */
const unlockersOf = (tokens: readonly TokenRecord[]): string =>
  JSON.stringify([...new Set(tokens.filter((t) => !t.revokedAt && t.scopes.includes('vault:lock')).map((t) => t.id))].sort());

// crypto.hash: one call, no Hash object (it showed in a reveal's profile).
export const hashToken = (secret: string): string => hash('sha256', secret, 'hex');

const TOKEN_SHAPE = /^kdn_[A-Za-z0-9_-]{43}$/;

interface TokenOverview {
  name: string;
  scopes: Token['scopes'];
  projects: string[] | null;
  environments: string[] | null;
}

/** The tokens whose row mac checks (DESIGN §3: a token row is used only after its mac is checked). */
export function loadTokens(db: Db, keys: Keys): TokenRecord[] {
  const rows = db.prepare('SELECT id, hash, overview, created_at, last_used_at, expires_at, revoked_at, mac FROM tokens').all() as {
    id: string;
    hash: string;
    overview: Uint8Array;
    created_at: string;
    last_used_at: string | null;
    expires_at: string | null;
    revoked_at: string | null;
    mac: unknown;
  }[];
  const out: TokenRecord[] = [];
  for (const r of rows) {
    if (!macMatches(keys.mac, 'tokens', [r.id, r.hash, r.overview, r.created_at, r.last_used_at, r.expires_at, r.revoked_at], r.mac)) continue;
    const ov = openOverview(keys, 'tokens', r.id, r.overview) as TokenOverview | null;
    if (!ov) continue;
    out.push({
      id: r.id,
      hash: r.hash,
      ...ov,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      persistedLastUsedAt: r.last_used_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
    });
  }
  return out;
}

export const publicToken = ({ hash: _hash, persistedLastUsedAt: _p, ...token }: TokenRecord): Token => token;

export class Tokens implements TokenService {
  constructor(private readonly v: VaultContext) {}

  list(): Token[] {
    this.v.keys();
    return [...this.v.overviews.tokens.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(publicToken);
  }

  create(caller: Caller, raw: TokenInput): CreatedToken {
    const input = parseInput(TokenInput, raw);
    const keys = this.v.keys();
    const secret = `kdn_${randomBytes(32).toString('base64url')}`;
    const id = newId();
    const now = this.v.now();
    if (input.expiresAt && input.expiresAt <= now) {
      throw new KeydenError('VALIDATION_FAILED', 'the expiry must be in the future', { expiresAt: 'must be in the future' });
    }
    const record: TokenRecord = {
      id,
      hash: hashToken(secret),
      name: input.name,
      scopes: [...new Set(input.scopes)],
      projects: input.projects ?? null,
      environments: input.environments ?? null,
      createdAt: now,
      lastUsedAt: null,
      persistedLastUsedAt: null,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
    };
    const overview: TokenOverview = { name: record.name, scopes: record.scopes, projects: record.projects, environments: record.environments };
    const db = this.v.db();
    this.v.write(() => {
      insertRow(db, 'tokens', { id, hash: record.hash, overview: sealOverview(keys, 'tokens', id, overview), created_at: now, expires_at: record.expiresAt });
      this.v.audit.write({ actor: caller.actor, action: 'token.create', targetId: id, ok: true, detail: { name: record.name, scopes: record.scopes } });
      this.writeUnlockers([...this.v.overviews.tokens.values(), record]);
    });
    this.v.overviews.putToken(record);
    return { token: publicToken(record), secret };
  }

  revoke(caller: Caller, id: string): void {
    this.v.keys();
    const record = this.v.overviews.tokens.get(id);
    if (!record) throw notFound('token', { id });
    if (record.revokedAt) return;
    const now = this.v.now();
    const db = this.v.db();
    this.v.write(() => {
      db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ?').run(now, id);
      this.v.audit.write({ actor: caller.actor, action: 'token.revoke', targetId: id, ok: true, detail: { name: record.name } });
      this.writeUnlockers([...this.v.overviews.tokens.values()].filter((t) => t.id !== id));
    });
    record.revokedAt = now;
  }

  /**
   * `meta.unlock_tokens` (docs/vault-format.md): the ids of the live tokens that hold vault:lock,
   * kept with every token change and checked at each unlock. A locked owner cannot open a token's
   * sealed scopes, so this plaintext list (covered by the digest like every meta row) is how it
   * refuses an unlock by a token without vault:lock before trying the password (DESIGN §4).
   */
  private writeUnlockers(tokens: readonly TokenRecord[]): void {
    statement(this.v.db(), `INSERT INTO meta (key, value) VALUES ('${UNLOCKERS_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value`).run(unlockersOf(tokens));
  }

  /** After an unlock: the list brought up to date (a vault from before it, or tokens changed by an older build). */
  recordUnlockers(): void {
    const tokens = [...this.v.overviews.tokens.values()];
    if (this.storedUnlockers() === unlockersOf(tokens)) return;
    // Read again inside the write: its start may have loaded tokens another process made.
    this.v.write(() => this.writeUnlockers([...this.v.overviews.tokens.values()]));
  }

  /**
   * While locked: whether this token holds vault:lock, from `meta.unlock_tokens`; null when the
   * vault has no such list yet (then the password is tried first, and the scope checked after).
   */
  holdsVaultLockWhileLocked(id: string): boolean | null {
    const stored = this.storedUnlockers();
    if (stored === null) return null;
    try {
      const ids: unknown = JSON.parse(stored);
      return Array.isArray(ids) ? ids.includes(id) : null;
    } catch {
      return null;
    }
  }

  private storedUnlockers(): string | null {
    const row = statement(this.v.db(), `SELECT value FROM meta WHERE key = '${UNLOCKERS_KEY}'`).get() as { value: string } | undefined;
    return row?.value ?? null;
  }

  /** Which live token this is, from the plaintext columns only: works while the vault is locked. */
  identify(secret: string): { id: string; expiresAt: string | null } | null {
    if (!TOKEN_SHAPE.test(secret)) return null;
    const hash = hashToken(secret);
    const row = statement(this.v.db(), 'SELECT id, expires_at, revoked_at FROM tokens WHERE hash = ?').get(hash) as
      | { id: string; expires_at: string | null; revoked_at: string | null }
      | undefined;
    if (!row || row.revoked_at || (row.expires_at && row.expires_at <= this.v.now())) return null;
    return { id: row.id, expiresAt: row.expires_at };
  }

  whyRefused(secret: string): { revokedAt: string | null; expiredAt: string | null } | null {
    if (!TOKEN_SHAPE.test(secret)) return null;
    const row = statement(this.v.db(), 'SELECT expires_at, revoked_at FROM tokens WHERE hash = ?').get(hashToken(secret)) as
      | { expires_at: string | null; revoked_at: string | null }
      | undefined;
    if (!row) return null;
    if (row.revoked_at) return { revokedAt: row.revoked_at, expiredAt: null };
    if (row.expires_at && row.expires_at <= this.v.now()) return { revokedAt: null, expiredAt: row.expires_at };
    return null;
  }

  authenticate(secret: string): CallerToken | null {
    if (!TOKEN_SHAPE.test(secret) || !this.v.isUnlocked()) return null;
    const record = this.v.overviews.tokensByHash.get(hashToken(secret));
    if (!record || record.revokedAt) return null;
    const now = this.v.now();
    if (record.expiresAt && record.expiresAt <= now) return null;
    record.lastUsedAt = now;
    if (!record.persistedLastUsedAt || Date.parse(now) - Date.parse(record.persistedLastUsedAt) >= LAST_USED_WRITE_MS) {
      record.persistedLastUsedAt = now;
      this.v.write(() => statement(this.v.db(), 'UPDATE tokens SET last_used_at = ? WHERE id = ?').run(now, record.id));
    }
    return { id: record.id, name: record.name, scopes: record.scopes, projects: record.projects, environments: record.environments, expiresAt: record.expiresAt };
  }
}

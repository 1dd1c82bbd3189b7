// The audit log (DESIGN §2, §3). Writes of a service operation share its transaction; reads
// (reveal, copy, export) are group-committed: the ones that arrive together share one fsync,
// and each caller is answered only once its row is on disk.
import type { AuditAction, AuditEvent, AuditQuery } from '../../shared/model.js';
import { blobAad, open, seal } from '../crypto/aead.js';
import { statement, type Db } from '../store/db.js';
import type { Keys, Overviews } from './context.js';

export interface AuditRecord {
  actor: string;
  action: AuditAction;
  targetId: string | null;
  ok: boolean;
  /** Names and such; never a secret. Sealed with K_ov, or dropped while the vault is locked. */
  detail?: Record<string, unknown> | null;
}

interface Pending {
  record: AuditRecord;
  at: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class AuditLog {
  private queue: Pending[] = [];
  private scheduled = false;
  private soonScheduled = false;

  constructor(
    private readonly db: () => Db,
    private readonly keys: () => Keys | null,
  ) {}

  /**
   * Writes one row now; call inside the operation's transaction. Returns the row's id.
   * `nextId`: the id SQLite would give this row, known only after a row written earlier in the
   * same transaction (that INSERT took the write lock, so nobody else can add a row in between,
   * and an INTEGER PRIMARY KEY gets max(id) + 1); the sealed detail, whose AAD names the id, then
   * goes in with the INSERT instead of a second statement.
   */
  write(record: AuditRecord, at = new Date().toISOString(), nextId?: number): number {
    const db = this.db();
    const keys = this.keys();
    const ok = record.ok ? 1 : 0;
    if (nextId !== undefined && record.detail && keys) {
      const detail = seal(keys.overview, blobAad('audit', 'detail', String(nextId)), record.detail);
      statement(db, 'INSERT INTO audit (id, at, actor, action, target_id, ok, detail) VALUES (?, ?, ?, ?, ?, ?, ?)').run(nextId, at, record.actor, record.action, record.targetId, ok, detail);
      return nextId;
    }
    const info = statement(db, 'INSERT INTO audit (at, actor, action, target_id, ok, detail) VALUES (?, ?, ?, ?, ?, NULL)').run(at, record.actor, record.action, record.targetId, ok);
    const id = Number(info.lastInsertRowid);
    if (record.detail && keys) {
      statement(db, 'UPDATE audit SET detail = ? WHERE id = ?').run(seal(keys.overview, blobAad('audit', 'detail', String(id)), record.detail), id);
    }
    return id;
  }

  /**
   * Queues a row for the next group commit; resolves once it is durable. `soon`: commit it on
   * the next turn of the event loop (a row nobody waits for, such as a refused call's, so that it
   * keeps its place among the writes that follow); otherwise the commit waits one turn more.
   */
  record(record: AuditRecord, options: { soon?: boolean } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, at: new Date().toISOString(), resolve, reject });
      if (options.soon && !this.soonScheduled) {
        this.soonScheduled = true;
        setImmediate(() => this.flush());
      }
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: requests that arrived in the same turn join this batch;
        // and one turn more: with a few clients, those whose requests came in while the previous
        // commit's fsync held the loop otherwise form a batch of their own, and two half batches
        // alternate, each paying an fsync (4 clients: 2.3 reveals a commit, 4.0 with the second
        // turn, and 15-60 % more reveals/s with a lower p50; a few % more at 32 clients).
        setImmediate(() => setImmediate(() => this.flush()));
      }
    });
  }

  /** Commits every queued row in one transaction. */
  flush(): void {
    this.scheduled = false;
    this.soonScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      this.db().transaction(() => {
        // The first row is written as always; the batch's others follow it in id order.
        let nextId: number | undefined;
        for (const p of batch) nextId = this.write(p.record, p.at, nextId) + 1;
      })();
      for (const p of batch) p.resolve();
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }

  /** `targets`: only events whose target is one of these ids (a limited token's visible entries). */
  list(overviews: Overviews, query: AuditQuery = {}, targets?: string[]): { items: AuditEvent[]; total: number } {
    const db = this.db();
    const conditions: string[] = [];
    const args: unknown[] = [];
    if (query.action) {
      conditions.push('action = ?');
      args.push(query.action);
    }
    if (targets) {
      conditions.push('target_id IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(targets));
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const total = (db.prepare(`SELECT count(*) AS n FROM audit ${where}`).get(...args) as { n: number }).n;
    const limit = query.limit ?? -1;
    const rows = db
      .prepare(`SELECT id, at, actor, action, target_id, ok, detail FROM audit ${where} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...args, limit, query.offset ?? 0) as {
      id: number;
      at: string;
      actor: string;
      action: AuditAction;
      target_id: string | null;
      ok: number;
      detail: Uint8Array | null;
    }[];
    const keys = this.keys();
    const items = rows.map((r): AuditEvent => {
      const detail = r.detail && keys ? (open(keys.overview, blobAad('audit', 'detail', String(r.id)), r.detail) as Record<string, unknown> | null) : null;
      return {
        id: r.id,
        at: r.at,
        actor: r.actor,
        action: r.action,
        targetId: r.target_id,
        targetName: resolveName(overviews, r.target_id, detail),
        ok: r.ok === 1,
        detail,
      };
    });
    return { items, total };
  }
}

/** Names are resolved from ids at read time, so a rename shows everywhere. */
function resolveName(o: Overviews, id: string | null, detail: Record<string, unknown> | null): string | null {
  if (id) {
    const entry = o.entries.get(id);
    if (entry) {
      const category = o.categories.get(entry.categoryId);
      return `${category?.name ?? '?'}/${entry.name}/${entry.environment}`;
    }
    const category = o.categories.get(id);
    if (category) return category.name;
    const token = o.tokens.get(id);
    if (token) return token.name;
  }
  if (detail && typeof detail.name === 'string') return detail.name;
  if (detail && typeof detail.project === 'string') return detail.project;
  return null;
}

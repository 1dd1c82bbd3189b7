// The audit log (DESIGN §2, §3). Writes of a service operation share its transaction; reads
// (reveal, copy, export) are group-committed: the ones that arrive together share one fsync,
// and each caller is answered only once its row is on disk.
import type { AuditAction, AuditEvent, AuditQuery } from '../../shared/model.js';
import { blobAad, open, seal } from '../crypto/aead.js';
import { statement, type Db } from '../store/db.js';
import { insertColumns, insertRow, insertRowWithMac, macMatches, rowsTampered } from '../store/integrity.js';
import { prepareHere, type BatchHelper, type HelperResult, type HelperRow } from '../crypto/audit-helper.js';
import { locked, type Keys, type Overviews } from './context.js';

export interface AuditRecord {
  actor: string;
  action: AuditAction;
  targetId: string | null;
  ok: boolean;
  /** Names and such; never a secret. Sealed with K_ov, or dropped while the vault is locked. */
  detail?: Record<string, unknown> | null;
}

/**
 * A sealed blob a caller wants opened with K_sec as its audit row is committed (a reveal): the
 * row is written only for a value that opens and that `accept` takes; otherwise the caller gets
 * `failure()` and no row is written.
 */
export interface OpenWithRow {
  /** Its AAD as text (blobAadText). */
  aad: string;
  blob: Uint8Array;
  accept: (opened: unknown) => boolean;
  failure: () => Error;
}

interface Pending {
  record: AuditRecord;
  at: string;
  open: OpenWithRow | null;
  resolve: (opened: unknown) => void;
  reject: (e: unknown) => void;
}

/** A batch on the helper thread: its rows' ids were counted from `firstId` under `keys`. */
interface Flight {
  batch: Pending[];
  keys: Keys;
  firstId: number;
  rows: HelperRow[];
  /** Settled (committed, or taken back by flush): the helper's answer is then ignored. */
  done: boolean;
  /** The helper's answer (null: it failed), once it came: batches commit in the order they left. */
  answer?: HelperResult | null;
}

/** Where the group commit's crypto may run on a second thread, and from how many rows a batch on. */
export interface AuditHelperOptions {
  helper: BatchHelper | null;
  minBatch: number;
}

/**
 * Batches smaller than this are done on the owner's thread: the trip to the helper and back
 * (~0.1 ms) is worth it only when many requests wait on one commit (docs/benchmarks.md).
 */
export const HELPER_MIN_BATCH = 8;

/**
 * The part of a batch sent to the helper thread; the owner does the rest while it waits (32
 * clients: 0.3–0.6 all ~+15–25 % over sending the whole batch, docs/benchmarks.md).
 */
const HELPER_SHARE = 0.5;

/** Batches on the helper thread at once: the next is sealed while the owner commits the one before. */
const HELPER_IN_FLIGHT = 2;

/** The id the next audit row gets: max + 1 (under a write transaction's lock, nobody can take it first). */
const nextAuditId = (db: Db): number => statement(db, 'SELECT coalesce(max(id), 0) + 1 FROM audit').pluck().get() as number;

/** An audit row's columns, by name, as insertRow takes them. */
const auditCells = (record: AuditRecord, at: string, id: number, detail: Uint8Array | null): Record<string, unknown> => ({
  id,
  at,
  actor: record.actor,
  action: record.action,
  target_id: record.targetId,
  ok: record.ok ? 1 : 0,
  detail,
});

/** Rows kept while the vault is locked, at most: past it, one row says how many were dropped. */
const DEFERRED_MAX = 1000;

export class AuditLog {
  private queue: Pending[] = [];
  private scheduled = false;
  private soonScheduled = false;
  /** Rows that arrived while locked (a failed unlock, a refused call): no row can be mac'd without the key. */
  private deferred: { record: AuditRecord; at: string }[] = [];
  private droppedWhileLocked = 0;
  /** Batches on the helper thread, oldest first. */
  private flights: Flight[] = [];

  constructor(
    private readonly db: () => Db,
    private readonly keys: () => Keys | null,
    /** Runs a write transaction that keeps the integrity record (VaultContext.write). */
    private readonly transact: (fn: () => void) => void,
    private readonly helper: AuditHelperOptions = { helper: null, minBatch: HELPER_MIN_BATCH },
  ) {}

  /** Keeps a row for the next unlock, which writes it with its original time. */
  defer(record: AuditRecord, at = new Date().toISOString()): void {
    if (this.deferred.length < DEFERRED_MAX) this.deferred.push({ record: { ...record, detail: record.detail ?? null }, at });
    else this.droppedWhileLocked++;
  }

  /**
   * Writes the rows kept while locked; call inside the unlock's transaction, and
   * `deferredWritten()` once it has committed (a transaction that fails keeps them for the next try).
   */
  writeDeferred(): void {
    for (const d of this.deferred) this.write(d.record, d.at);
    if (this.droppedWhileLocked > 0) {
      this.write({ actor: 'app', action: 'api.denied', targetId: null, ok: false, detail: { route: null, reason: 'more events while locked than kept', count: this.droppedWhileLocked } });
    }
  }

  /** The rows `writeDeferred` wrote are on disk: they are no longer kept. */
  deferredWritten(): void {
    this.deferred = [];
    this.droppedWhileLocked = 0;
  }

  /**
   * Writes one row now; call inside the operation's transaction. Returns the row's id.
   * `nextId`: the id this row gets, when a row written earlier in the same batch told it (saves
   * the max(id) look-up; the transaction's write lock keeps anyone else from adding one between).
   */
  write(record: AuditRecord, at = new Date().toISOString(), nextId?: number): number {
    const db = this.db();
    const keys = this.keys();
    // The id is known before the INSERT (max + 1 under the transaction's write lock), so the
    // sealed detail, whose AAD names the id, and the row's mac go in with one statement.
    const id = nextId ?? nextAuditId(db);
    // Only an edit of the file puts an id near 2^53 there: past it, ids collide or overflow and every write would fail with an SQLite error.
    if (!Number.isSafeInteger(id)) throw rowsTampered('audit', 1);
    const detail = record.detail && keys ? seal(keys.overview, blobAad('audit', 'detail', String(id)), record.detail) : null;
    insertRow(db, 'audit', auditCells(record, at, id, detail));
    return id;
  }

  /**
   * Queues a row for the next group commit; resolves once it is durable. `soon`: commit it on
   * the next turn of the event loop (a row nobody waits for, such as a refused call's, so that it
   * keeps its place among the writes that follow); otherwise the commit waits one turn more.
   */
  async record(record: AuditRecord, options: { soon?: boolean } = {}): Promise<void> {
    await this.enqueue(record, null, options.soon === true);
  }

  /**
   * Queues a reveal's row with the sealed value it reveals: the value is opened (with K_sec) as the
   * row is committed, and the promise resolves with it once the row is durable.
   */
  recordOpening(record: AuditRecord, open: OpenWithRow): Promise<unknown> {
    return this.enqueue(record, open, false);
  }

  private enqueue(record: AuditRecord, open: OpenWithRow | null, soon: boolean): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, at: new Date().toISOString(), open, resolve, reject });
      if (soon && !this.soonScheduled) {
        this.soonScheduled = true;
        setImmediate(() => this.dispatch());
      }
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: requests that arrived in the same turn join this batch;
        // and one turn more: with a few clients, those whose requests came in while the previous
        // commit's fsync held the loop otherwise form a batch of their own, and two half batches
        // alternate, each paying an fsync (4 clients: 2.3 reveals a commit, 4.0 with the second
        // turn, and 15-60 % more reveals/s with a lower p50; a few % more at 32 clients).
        setImmediate(() => setImmediate(() => this.dispatch()));
      }
    });
  }

  /** Commits every queued row now, on this thread, with those of a batch still on the helper thread (lock, close, reading the log). */
  flush(): void {
    this.scheduled = false;
    this.soonScheduled = false;
    const flights = this.flights;
    this.flights = [];
    for (const flight of flights) {
      flight.done = true;
      this.commit(flight.batch);
    }
    const batch = this.queue;
    this.queue = [];
    this.commit(batch);
  }

  /** Ends the helper thread (close). It holds no key between batches, and ends by itself after 10 s without one. */
  stopHelper(): void {
    this.helper.helper?.stop();
  }

  /** Batches the helper thread has answered (tests check that it was used). */
  get helperBatches(): number {
    return this.helper.helper?.answered ?? 0;
  }

  /**
   * The group commit: when many rows are queued and the helper thread runs, half of their crypto
   * goes there while the owner does the other half (two batches out at most; rows that arrive
   * meanwhile form the next); else the rows are committed here at once.
   */
  private dispatch(): void {
    this.scheduled = false;
    this.soonScheduled = false;
    if (this.flights.length >= HELPER_IN_FLIGHT) return; // an answer commits, then dispatches what has queued
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const keys = this.keys();
    const helper = this.helper.helper;
    // A small batch behind one on the helper thread follows it there, so the rows commit in order.
    if (!keys || !helper || (batch.length < this.helper.minBatch && this.flights.length === 0) || !helper.available()) {
      if (this.flights.length > 0) this.flush(); // locked meanwhile: the batches on the helper thread first
      return this.commit(batch);
    }
    let db: Db;
    let firstId: number;
    try {
      db = this.db();
      const last = this.flights.at(-1);
      firstId = last ? last.firstId + last.batch.length : nextAuditId(db);
    } catch {
      // commit() answers each caller with what fails (it runs the same reads inside its transaction).
      this.queue = batch;
      return this.flush();
    }
    // Ids near 2^53 (only an edit of the file puts them there): the batch here says so as a write would.
    if (!Number.isSafeInteger(firstId + batch.length)) {
      this.queue = batch;
      return this.flush();
    }
    const columns = insertColumns(db, 'audit');
    const detailAt = columns.indexOf('detail');
    const rows = batch.map((p, i): HelperRow => {
      const cells = auditCells(p.record, p.at, firstId + i, null);
      return {
        id: firstId + i,
        values: columns.map((c) => (Object.hasOwn(cells, c) ? cells[c] : null)),
        detailAt,
        detail: p.record.detail ?? null,
        open: p.open ? { aad: p.open.aad, blob: p.open.blob } : null,
      };
    });
    const flight: Flight = { batch, keys, firstId, rows, done: false };
    this.flights.push(flight);
    // The owner does the batch's second half itself while the thread does the first: it would otherwise wait.
    const away = Math.ceil(rows.length * HELPER_SHARE);
    const sent = helper.run(keys, rows.slice(0, away));
    let here: HelperResult | null = null;
    let hereFailed = false;
    try {
      if (away < rows.length) here = prepareHere(keys, rows.slice(away));
    } catch {
      hereFailed = true; // then the whole batch is done again by commit(), which reports what fails
    }
    const joined = (result: HelperResult): HelperResult | null =>
      hereFailed ? null : here ? { opened: [...result.opened, ...here.opened], details: [...result.details, ...here.details], macs: [...result.macs, ...here.macs] } : result;
    sent.then(
      (result) => this.land(flight, joined(result)),
      () => this.land(flight, null),
    );
  }

  /** The helper's answer for `flight` (null: it failed, and the batch is done here); commits the batches answered, in order. */
  private land(flight: Flight, answer: HelperResult | null): void {
    if (flight.done) return;
    flight.answer = answer;
    while (this.flights[0]?.answer !== undefined) {
      const next = this.flights.shift()!;
      next.done = true;
      if (!next.answer || !this.commitPrepared(next, next.answer)) this.commit(next.batch);
    }
    if (this.queue.length > 0) this.dispatch();
  }

  /**
   * Commits a batch with the helper's seals and macs; false (nothing written) when they no longer
   * fit: the vault was locked or re-keyed meanwhile, a value did not open, or another write took
   * the ids the batch counted on. The caller then commits the batch itself.
   */
  private commitPrepared(flight: Flight, result: HelperResult): boolean {
    if (this.keys() !== flight.keys) return false;
    if (flight.batch.some((p, i) => p.open !== null && !p.open.accept(result.opened[i]))) return false;
    let fits = true;
    try {
      this.transact(() => {
        const db = this.db();
        fits = nextAuditId(db) === flight.firstId;
        if (!fits) return;
        flight.rows.forEach((row, i) => {
          row.values[row.detailAt] = result.details[i] ?? null;
          insertRowWithMac(db, 'audit', row.values, result.macs[i]!);
        });
      });
    } catch (e) {
      for (const p of flight.batch) p.reject(e);
      return true;
    }
    if (!fits) return false;
    flight.batch.forEach((p, i) => p.resolve(p.open ? result.opened[i] : undefined));
    return true;
  }

  /** Commits `batch` in one transaction on this thread, opening what its reveals asked for first. */
  private commit(batch: Pending[]): void {
    if (batch.length === 0) return;
    const keys = this.keys();
    if (!keys) {
      for (const p of batch) {
        // Nothing is revealed once the vault is locked; other rows wait for the next unlock.
        if (p.open) p.reject(locked());
        else {
          this.defer(p.record, p.at);
          p.resolve(undefined);
        }
      }
      return;
    }
    const live: { p: Pending; opened: unknown }[] = [];
    for (const p of batch) {
      if (!p.open) {
        live.push({ p, opened: undefined });
        continue;
      }
      const opened = open(keys.secret, Buffer.from(p.open.aad, 'utf8'), p.open.blob);
      if (p.open.accept(opened)) live.push({ p, opened });
      else p.reject(p.open.failure());
    }
    if (live.length === 0) return;
    try {
      this.transact(() => {
        // The first row is written as always; the batch's others follow it in id order.
        let nextId: number | undefined;
        for (const { p } of live) nextId = this.write(p.record, p.at, nextId) + 1;
      });
      for (const { p, opened } of live) p.resolve(opened);
    } catch (e) {
      for (const { p } of live) p.reject(e);
    }
  }

  /**
   * The events, newest first. For a limited caller: `targets` (the entries it can see),
   * `onlyNameOf` (the one token whose name it may learn) and `within` (whether an entry's place at
   * the time of an event lies inside its limits; if not, the event's project and environment are
   * left out, so an entry moved into the limits does not bring the names of where it was).
   */
  list(
    overviews: Overviews,
    query: AuditQuery = {},
    limits?: { targets: string[]; onlyNameOf: string; within: (place: { name: string; environment: string }) => boolean },
  ): { items: AuditEvent[]; total: number } {
    const targets = limits?.targets;
    const onlyNameOf = limits?.onlyNameOf;
    const db = this.db();
    const { where, args } = auditFilter(query, targets);
    const total = (db.prepare(`SELECT count(*) AS n FROM audit ${where}`).get(...args) as { n: number }).n;
    const limit = query.limit ?? -1;
    const rows = db
      .prepare(`SELECT id, at, actor, action, target_id, ok, detail, mac FROM audit ${where} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...args, limit, query.offset ?? 0) as {
      id: number;
      at: string;
      actor: string;
      action: AuditAction;
      target_id: string | null;
      ok: number;
      detail: Uint8Array | null;
      mac: unknown;
    }[];
    const keys = this.keys();
    const authentic = keys ? rows.filter((r) => macMatches(keys.mac, 'audit', [r.id, r.at, r.actor, r.action, r.target_id, r.ok, r.detail], r.mac)) : [];
    // A row whose mac fails was edited in the file: the log is refused, not shown without it.
    if (keys && authentic.length < rows.length) throw rowsTampered('audit', rows.length - authentic.length);
    const items = authentic.map((r): AuditEvent => {
      const opened = r.detail && keys ? (open(keys.overview, blobAad('audit', 'detail', String(r.id)), r.detail) as Record<string, unknown> | null) : null;
      const detail = limits && opened ? placedWithin(opened, limits.within) : opened;
      return {
        id: r.id,
        at: r.at,
        actor: r.actor,
        actorName: r.actor.startsWith('token:') && (onlyNameOf === undefined || onlyNameOf === r.actor) ? (overviews.tokens.get(r.actor.slice(6))?.name ?? null) : null,
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

const DAY_MS = 24 * 60 * 60 * 1000;

/** `from`/`to` (ISO times; a date alone means the whole day), `actor`, `action`, `target` as one WHERE. */
function auditFilter(query: AuditQuery, targets?: string[]): { where: string; args: unknown[] } {
  const clauses: string[] = [];
  const args: unknown[] = [];
  const add = (clause: string, arg: unknown) => {
    clauses.push(clause);
    args.push(arg);
  };
  const dateOnly = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);
  // Compared as TEXT: a value retyped in the file as a BLOB of the same bytes is still selected,
  // and then fails its row's check out loud (list) instead of dropping out of the filter unseen.
  if (query.action) add('CAST(action AS TEXT) = ?', query.action);
  if (query.actor) add('CAST(actor AS TEXT) = ?', query.actor);
  if (query.target) add('CAST(target_id AS TEXT) = ?', query.target);
  if (query.from) add('CAST(at AS TEXT) >= ?', new Date(query.from).toISOString());
  if (query.to) add('CAST(at AS TEXT) < ?', new Date(Date.parse(query.to) + (dateOnly(query.to) ? DAY_MS : 1)).toISOString());
  if (targets) add('CAST(target_id AS TEXT) IN (SELECT value FROM json_each(?))', JSON.stringify(targets));
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', args };
}

/** An entry event's detail with its project and environment left out when they lie outside `within`. */
function placedWithin(detail: Record<string, unknown>, within: (place: { name: string; environment: string }) => boolean): Record<string, unknown> {
  const { name, environment } = detail;
  if (typeof name !== 'string' || typeof environment !== 'string' || within({ name, environment })) return detail;
  return { ...detail, name: null, environment: null };
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

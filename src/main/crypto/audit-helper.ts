// A second thread for the crypto of a busy owner's group commit (DESIGN §3): opening the secrets
// that a batch of reveals asked for, sealing each audit row's detail and computing each row's mac.
// The owner's thread keeps everything else: the reads, the INSERTs and the commit with its fsync,
// whose wait is what gathers the requests into large batches (docs/benchmarks.md, fourteenth pass).
//
// Measured under 32 clients of reveals, node:crypto's per-call cipher objects cost the owner's
// thread ~19 µs an open and ~14 µs a seal in place (6–9 µs each in a loop of their own), and the
// mac ~8 µs: ~40 of a reveal's ~120 µs. Here half of each batch runs beside the event loop while
// the owner does the other half, two batches at most.
//
// Like the KDF's worker it is evaluated as a CommonJS script, so it needs no file of its own; it
// imports this module by its URL (prepareBatch), so it runs only where the module exists as tsc
// compiled it: `keyden serve`, the CLI, the benchmark. Elsewhere (the sources under vitest, the
// app's bundle) `auditHelper()` returns null and every batch is done on the owner's thread, as
// small batches always are.
//
// The thread holds no key between batches: each batch brings copies of the three subkeys it needs,
// wiped once it is done. It exits after HELPER_IDLE_MS without work (a lock does not end it: an
// unlock soon after finds it started), and when the owner closes.
import { Worker } from 'node:worker_threads';
import { blobAad, open, seal } from './aead.js';
import { rowMac } from '../store/integrity.js';

/** One audit row for the helper: its values in the table's column order, the detail to seal at `detailAt`. */
export interface HelperRow {
  /** The row's id (its detail's AAD names it). */
  id: number;
  values: unknown[];
  detailAt: number;
  /** The detail to seal with K_ov under the row's AAD (`keyden/1/audit/detail/<id>`), or null. */
  detail: Record<string, unknown> | null;
  /** A sealed blob to open with K_sec under the AAD `aad` (the secret a reveal returns), or null. */
  open: { aad: string; blob: Uint8Array } | null;
}

export interface HelperKeys {
  secret: Uint8Array;
  overview: Uint8Array;
  mac: Uint8Array;
}

/** Per row: the opened value (null where the blob does not open; undefined where none was asked), the sealed detail, the mac. */
export interface HelperResult {
  opened: unknown[];
  details: (Uint8Array | null)[];
  macs: Uint8Array[];
}

/** A thread that has had nothing to do for this long exits (it is started again by the next batch). */
const HELPER_IDLE_MS = 10_000;

/** A row as it travels: the blob to open as [its AAD, start, end] in the batch's bytes. */
interface SentRow {
  id: number;
  values: unknown[];
  detailAt: number;
  detail: Record<string, unknown> | null;
  open: [string, number, number] | null;
}

/** What comes back: the opened values, each detail's length (-1: none), and the macs (32 bytes each) ‖ the details. */
interface Prepared {
  opened: unknown[];
  lengths: number[];
  bytes: ArrayBuffer;
}

// One message a batch each way, its bytes packed in one transferred buffer: a typed array sent on
// its own is cloned with its whole backing store (a Buffer from Node's pool: 8 KiB), which cost
// more than the crypto it carried.

/** Packs a batch for the thread: keys (96 bytes) ‖ the blobs to open. The caller transfers `bytes`. */
export function packBatch(keys: HelperKeys, rows: readonly HelperRow[]): { bytes: ArrayBuffer; rows: SentRow[] } {
  let size = 96;
  for (const row of rows) if (row.open) size += row.open.blob.length;
  const bytes = new Uint8Array(size);
  bytes.set(keys.secret, 0);
  bytes.set(keys.overview, 32);
  bytes.set(keys.mac, 64);
  let at = 96;
  const sent = rows.map((row): SentRow => {
    let open: SentRow['open'] = null;
    if (row.open) {
      bytes.set(row.open.blob, at);
      open = [row.open.aad, at, at + row.open.blob.length];
      at += row.open.blob.length;
    }
    return { id: row.id, values: [...row.values], detailAt: row.detailAt, detail: row.detail, open };
  });
  return { bytes: bytes.buffer, rows: sent };
}

/** The thread's work on one packed batch (it wipes the keys in `bytes`): open, seal, mac. */
export function prepareBatch(bytes: ArrayBuffer, rows: SentRow[]): Prepared {
  const all = new Uint8Array(bytes);
  const keys = all.subarray(0, 96);
  try {
    const [secret, overview, macKey] = [keys.subarray(0, 32), keys.subarray(32, 64), keys.subarray(64, 96)];
    const opened: unknown[] = [];
    const details: (Uint8Array | null)[] = [];
    let size = 32 * rows.length;
    for (const row of rows) {
      opened.push(row.open ? open(secret, Buffer.from(row.open[0], 'utf8'), all.subarray(row.open[1], row.open[2])) : undefined);
      const detail = row.detail ? seal(overview, blobAad('audit', 'detail', String(row.id)), row.detail) : null;
      row.values[row.detailAt] = detail;
      details.push(detail);
      if (detail) size += detail.length;
    }
    const out = new Uint8Array(size);
    let at = 32 * rows.length;
    rows.forEach((row, i) => {
      out.set(rowMac(macKey, 'audit', row.values), 32 * i);
      const detail = details[i];
      if (detail) {
        out.set(detail, at);
        at += detail.length;
      }
    });
    return { opened, lengths: details.map((d) => (d ? d.length : -1)), bytes: out.buffer };
  } finally {
    keys.fill(0);
  }
}

/** Unpacks what prepareBatch gave. */
export function unpackPrepared(p: Prepared): HelperResult {
  const bytes = new Uint8Array(p.bytes);
  const macs: Uint8Array[] = [];
  const details: (Uint8Array | null)[] = [];
  let at = 32 * p.lengths.length;
  p.lengths.forEach((n, i) => {
    macs.push(bytes.subarray(32 * i, 32 * i + 32));
    details.push(n < 0 ? null : bytes.subarray(at, (at += n)));
  });
  return { opened: p.opened, details, macs };
}

/** The helper thread's work, done on this thread (the owner's share of a batch; tests). */
export function prepareHere(keys: HelperKeys, rows: readonly HelperRow[]): HelperResult {
  const packed = packBatch(keys, rows);
  return unpackPrepared(prepareBatch(packed.bytes, packed.rows));
}

// The thread says when its module has loaded ({ready}); until then the owner does every batch
// itself, so no reveal waits for a thread to start (a first batch after an unlock would wait
// ~50 ms, and a lock a moment later would find it still there).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = import(workerData.self);
loaded.then(() => parentPort.postMessage({ ready: true }), () => parentPort.postMessage({ ready: false }));
parentPort.on('message', async ({ id, bytes, rows }) => {
  try {
    const { prepareBatch } = await loaded;
    const prepared = prepareBatch(bytes, rows);
    parentPort.postMessage({ id, ...prepared }, [prepared.bytes]);
  } catch {
    // Never the error's text: the caller does the batch itself.
    new Uint8Array(bytes).fill(0);
    parentPort.postMessage({ id, failed: true });
  }
});
`;

/** What the audit log needs of a helper (tests give it one that runs in process). */
export interface BatchHelper {
  /** Whether it takes a batch now (false while its thread starts: it is started here, and the owner does the batch). */
  available(): boolean;
  run(keys: HelperKeys, rows: HelperRow[]): Promise<HelperResult>;
  stop(): void;
  /** Batches answered so far. */
  readonly answered: number;
}

type Answer = ({ id: number; failed?: false } & Prepared) | { id: number; failed: true } | { ready: boolean };

export class AuditHelper implements BatchHelper {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, { resolve: (r: HelperResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private idle: NodeJS.Timeout | null = null;
  private broken = false;
  /** The thread has loaded its module: batches go to it from then on. */
  private ready = false;
  /** Batches this helper has answered (tests check that it was used). */
  answered = 0;

  constructor(private readonly self: string) {}

  /** Opens, seals and macs `rows` on the helper thread; rejects when the thread fails (the caller then does the batch itself). */
  run(keys: HelperKeys, rows: HelperRow[]): Promise<HelperResult> {
    // A thread that failed a batch or crashed is not tried again: every batch is then done by the owner.
    if (this.broken) return Promise.reject(new Error('the audit helper is off'));
    if (!this.available()) return Promise.reject(new Error('the audit helper is starting'));
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let packed: { bytes: ArrayBuffer; rows: SentRow[] } | null = null;
      try {
        const worker = this.thread();
        // Transferred: the keys' copy leaves this thread with the message, and the helper wipes it.
        packed = packBatch(keys, rows);
        this.waiting.set(id, { resolve, reject });
        // Kept alive while a batch is out (its answer is awaited), and not a moment longer.
        worker.ref();
        worker.postMessage({ id, bytes: packed.bytes, rows: packed.rows }, [packed.bytes]);
      } catch {
        // A thread that cannot start, or a batch it cannot be sent: the owner does the batch.
        this.waiting.delete(id);
        if (packed && packed.bytes.byteLength > 0) new Uint8Array(packed.bytes).fill(0);
        this.broken = true;
        reject(new Error('the audit helper could not take a batch'));
      }
    });
  }

  available(): boolean {
    if (this.broken) return false;
    if (!this.ready) {
      try {
        this.thread();
      } catch {
        this.broken = true;
      }
    }
    return this.ready;
  }

  /** Starts the thread if needed; resolves true once it takes batches, false if it never will (tests). */
  async started(timeoutMs = 5000): Promise<boolean> {
    this.available();
    for (const end = Date.now() + timeoutMs; !this.ready && !this.broken && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5));
    return this.ready;
  }

  /** Ends the thread (when the owner closes); batches still waiting are rejected. */
  stop(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const worker = this.worker;
    this.worker = null;
    this.ready = false;
    if (worker) void worker.terminate();
    this.failAll(new Error('the audit helper stopped'));
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { self: this.self }, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    // Idle, it never keeps the process alive (an owner that is closing waits for nothing here).
    worker.unref();
    worker.on('message', (answer: Answer) => {
      if ('ready' in answer) {
        if (this.worker !== worker) return;
        if (answer.ready) {
          this.ready = true;
          this.idleSoon();
        } else {
          this.broken = true;
          this.stop();
        }
        return;
      }
      const waiter = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (this.waiting.size === 0 && this.worker === worker) {
        worker.unref();
        this.idleSoon();
      }
      if (!waiter) return;
      if (answer.failed) {
        this.broken = true;
        this.stop();
        return waiter.reject(new Error('the audit helper failed a batch'));
      }
      this.answered++;
      waiter.resolve(unpackPrepared(answer));
    });
    const gone = (): void => {
      if (this.worker !== worker) return; // stopped on purpose
      this.worker = null;
      this.ready = false;
      this.broken = true;
      this.failAll(new Error('the audit helper exited'));
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    this.worker = worker;
    return worker;
  }

  private idleSoon(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.idle = null;
      if (this.waiting.size === 0) this.stop();
    }, HELPER_IDLE_MS);
    this.idle.unref();
  }

  private failAll(e: Error): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(e);
  }
}

/** The helper, where this module runs as compiled by tsc (the thread imports it by its URL); else null. */
export function auditHelper(): AuditHelper | null {
  if (!import.meta.url.endsWith('/crypto/audit-helper.js')) return null;
  return new AuditHelper(import.meta.url);
}

// Opening many sealed blobs under one key on a second thread (unlock: 10 000 overviews), and
// checking their rows' macs (format 2). The main thread does one share, the helper thread the
// other: node:crypto's per-blob cipher set-up and HMAC are most of an unlock, and they do not
// shrink any other way (docs/benchmarks.md).
//
// One helper thread serves the whole process and stays (idle, unref'd, holding no key between
// jobs), so that its code is warm from the second unlock on: a fresh thread opens ~40 % slower.
// It runs this module's compiled neighbour aead.js, so it is used only where that file exists
// as such: the tsc build (`keyden serve`, the CLI, the benchmark). Elsewhere (the sources under
// vitest, a bundle) `startOpening` returns null and the caller opens everything itself.
import { createHmac } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { open } from './aead.js';

/** Below this many blobs a second thread costs more than it saves. */
export const HELPER_MIN_BLOBS = 2000;

/** Blobs per claim: small enough to share the work evenly, large enough to claim rarely. */
const CHUNK = 250;

// Evaluated as a CommonJS worker script, like the KDF's, so it needs no file of its own. A job
// comes in two messages: every blob and row canon (while the KDF still runs), then the keys
// (zeroed once used). Both threads then claim chunks from one shared counter until none is left,
// so the work splits itself whatever each thread's speed (a cold or late thread takes fewer).
// The answer: the opened values of the chunks this thread claimed and the rows whose mac failed.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHmac } = require('node:crypto');
const loaded = import(workerData.moduleUrl);
const jobs = new Map();
parentPort.on('message', async (m) => {
  if (m.blobs) { jobs.set(m.id, m); return; }
  const job = jobs.get(m.id);
  jobs.delete(m.id);
  if (!m.key) return;
  try {
    const { open } = await loaded;
    const aads = job.aads.split('\\n');
    const blobs = new Uint8Array(job.blobs);
    const canons = job.canons ? new Uint8Array(job.canons) : null;
    const macs = job.macs ? new Uint8Array(job.macs) : null;
    const claims = new Int32Array(job.claims);
    const done = {};
    const bad = [];
    for (let c = Atomics.add(claims, 0, 1); c * ${CHUNK} < aads.length; c = Atomics.add(claims, 0, 1)) {
      const values = [];
      for (let i = c * ${CHUNK}; i < Math.min(aads.length, (c + 1) * ${CHUNK}); i++) {
        values.push(open(m.key, Buffer.from(aads[i], 'utf8'), blobs.subarray(job.offsets[i], job.offsets[i + 1])));
        if (canons && !createHmac('sha256', m.macKey).update(canons.subarray(job.canonOffsets[i], job.canonOffsets[i + 1])).digest().equals(macs.subarray(i * 32, i * 32 + 32))) bad.push(i);
      }
      done[c] = values;
    }
    parentPort.postMessage({ id: m.id, json: JSON.stringify({ done, bad }) });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  } finally {
    m.key.fill(0);
    if (m.macKey) m.macKey.fill(0);
  }
});
`;

interface Answer {
  id: number;
  json?: string;
  error?: string;
}

let helper: { worker: Worker; waiting: Map<number, (answer: Answer | null) => void> } | null = null;
let nextJob = 1;
let helperChunks = 0;

/** How many chunks of blobs the helper thread has opened in this process (for tests). */
export const helperChunksOpened = (): number => helperChunks;

function helperThread(): NonNullable<typeof helper> | null {
  if (helper) return helper;
  if (!import.meta.url.endsWith('/crypto/open-helper.js')) return null;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { moduleUrl: new URL('./aead.js', import.meta.url).href },
    // A small young generation: the thread stays resident, and this keeps it a few MB smaller
    // at no measurable cost to an unlock.
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  const waiting = new Map<number, (answer: Answer | null) => void>();
  const fail = (): void => {
    // Every job waiting on it is opened by its caller instead; the next unlock starts a new thread.
    if (helper?.worker === worker) helper = null;
    for (const settle of waiting.values()) settle(null);
    waiting.clear();
  };
  worker.on('message', (answer: Answer) => {
    waiting.get(answer.id)?.(answer);
    waiting.delete(answer.id);
    if (waiting.size === 0) worker.unref();
  });
  worker.on('error', fail);
  worker.on('exit', fail);
  worker.unref();
  helper = { worker, waiting };
  return helper;
}

/** What opening a batch gives: one value per blob (null where it does not open), and the rows whose mac failed. */
export interface Opened {
  values: unknown[];
  badMacs: number[];
}

/** Rows to check as well: each blob's row canon and its stored mac (format 2). */
export interface RowMacs {
  canons: Uint8Array[];
  macs: Uint8Array[];
}

export interface Opening {
  /**
   * Opens every blob under `key` and checks every row's mac under `macKey`, on this thread and
   * the helper's (copies of the keys move there and are zeroed once used). If the helper fails,
   * this thread does its chunks too.
   */
  open(key: Uint8Array, macKey: Uint8Array | null): Promise<Opened>;
  /** Drops the job without opening it (a wrong password, an unlock already done). */
  cancel(): void;
}

/** Opens and checks every blob on this thread alone (a small vault, or no helper thread). */
export function openAll(aads: string[], blobs: Uint8Array[], rows: RowMacs | null, key: Uint8Array, macKey: Uint8Array | null): Opened {
  const values: unknown[] = [];
  const badMacs: number[] = [];
  for (let i = 0; i < blobs.length; i++) {
    values.push(open(key, Buffer.from(aads[i]!, 'utf8'), blobs[i]!));
    if (rows && macKey && !macMatches(macKey, rows, i)) badMacs.push(i);
  }
  return { values, badMacs };
}

const macMatches = (macKey: Uint8Array, rows: RowMacs, i: number): boolean => createHmac('sha256', macKey).update(rows.canons[i]!).digest().equals(rows.macs[i]!);

function pack(parts: Uint8Array[]): { packed: Uint8Array; offsets: Uint32Array } {
  const offsets = new Uint32Array(parts.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
  const packed = new Uint8Array(offsets[parts.length]!);
  parts.forEach((b, i) => packed.set(b, offsets[i]));
  return { packed, offsets };
}

/**
 * Hands every blob (each with its AAD text, which holds no newline) and, in format 2, every row
 * canon and mac to the helper thread, to be done on both threads once `open` is called; null
 * where there is no helper thread to run.
 */
export function startOpening(aads: string[], blobs: Uint8Array[], rows: RowMacs | null = null): Opening | null {
  let thread: NonNullable<typeof helper> | null;
  try {
    thread = helperThread();
  } catch {
    return null;
  }
  if (!thread) return null;
  const { worker, waiting } = thread;
  const id = nextJob++;
  const claims = new Int32Array(new SharedArrayBuffer(4));
  const { packed, offsets } = pack(blobs);
  const transfer: ArrayBuffer[] = [packed.buffer as ArrayBuffer, offsets.buffer as ArrayBuffer];
  let job: Record<string, unknown> = { id, aads: aads.join('\n'), blobs: packed.buffer, offsets, claims: claims.buffer };
  if (rows) {
    const canons = pack(rows.canons);
    const macs = pack(rows.macs);
    job = { ...job, canons: canons.packed.buffer, canonOffsets: canons.offsets, macs: macs.packed.buffer };
    transfer.push(canons.packed.buffer as ArrayBuffer, canons.offsets.buffer as ArrayBuffer, macs.packed.buffer as ArrayBuffer);
  }
  worker.postMessage(job, transfer);
  let sent = false;
  return {
    async open(key, macKey) {
      const values = Array.from<unknown>({ length: blobs.length });
      const badMacs: number[] = [];
      const mine = new Set<number>();
      const chunks = Math.ceil(blobs.length / CHUNK);
      const openChunk = (c: number): void => {
        for (let i = c * CHUNK; i < Math.min(blobs.length, (c + 1) * CHUNK); i++) {
          values[i] = open(key, Buffer.from(aads[i]!, 'utf8'), blobs[i]!);
          if (rows && macKey && !macMatches(macKey, rows, i)) badMacs.push(i);
        }
      };
      let answer: Promise<Answer | null> = Promise.resolve(null);
      if (!sent && helper?.worker === worker) {
        sent = true;
        answer = new Promise((resolve) => waiting.set(id, resolve));
        worker.ref();
        const copy = new Uint8Array(key);
        const macCopy = macKey ? new Uint8Array(macKey) : null;
        worker.postMessage({ id, key: copy, macKey: macCopy }, macCopy ? [copy.buffer, macCopy.buffer] : [copy.buffer]);
      }
      for (let c = Atomics.add(claims, 0, 1); c < chunks; c = Atomics.add(claims, 0, 1)) {
        mine.add(c);
        openChunk(c);
      }
      if (mine.size === chunks) {
        // This thread did everything (the helper was still starting): no need to wait for it.
        waiting.delete(id);
        if (waiting.size === 0) worker.unref();
        return { values, badMacs };
      }
      const theirs = await answer;
      const answered = theirs?.json ? (JSON.parse(theirs.json) as { done: Record<string, unknown[]>; bad: number[] }) : { done: {}, bad: [] };
      for (let c = 0; c < chunks; c++) {
        if (mine.has(c)) continue;
        const part = answered.done[c];
        if (part && part.length === Math.min(CHUNK, blobs.length - c * CHUNK)) {
          part.forEach((v, k) => (values[c * CHUNK + k] = v));
          for (const i of answered.bad) if (i >= c * CHUNK && i < (c + 1) * CHUNK) badMacs.push(i);
          helperChunks++;
        } else openChunk(c); // the helper failed before answering for it
      }
      return { values, badMacs };
    },
    cancel() {
      if (sent) return;
      sent = true;
      if (helper?.worker === worker) worker.postMessage({ id, key: null });
    },
  };
}

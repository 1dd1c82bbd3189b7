// Opening many sealed blobs under one key at unlock (10 000 overviews), and checking their rows'
// macs (format 2), on the owner's thread.
//
// A second thread used to take half of this work. Measured at 10 000 entries (docs/benchmarks.md,
// "The unlock helper thread"): a warm helper saved ~36 ms of a ~300 ms unlock, a cold one (every
// first unlock) nothing, and an idle helper kept ~17 MB of RSS for the owner's whole life; without
// it the unlock still meets issue 12's target (≤ 0.25 × noble's KDF alone). Removed.
import { createHmac } from 'node:crypto';
import { open } from './aead.js';

/** What opening a batch gives: one value per blob (null where it does not open), and the rows whose mac failed. */
export interface Opened {
  values: unknown[];
  badMacs: number[];
}

/** Rows to check as well: each blob's row canon and its stored mac (format 2). */
export interface RowMacs {
  canons: Uint8Array[];
  /** Each row's stored mac; null where it holds no BLOB. */
  macs: (Uint8Array | null)[];
}

/** Opens every blob under `key` (with its AAD, made before the key was known) and checks every row's mac under `macKey`. */
export function openAll(aads: Uint8Array[], blobs: Uint8Array[], rows: RowMacs | null, key: Uint8Array, macKey: Uint8Array | null): Opened {
  const values: unknown[] = [];
  const badMacs: number[] = [];
  for (let i = 0; i < blobs.length; i++) {
    values.push(open(key, aads[i]!, blobs[i]!));
    const mac = rows?.macs[i];
    if (rows && macKey && !(mac instanceof Uint8Array && createHmac('sha256', macKey).update(rows.canons[i]!).digest().equals(mac))) badMacs.push(i);
  }
  return { values, badMacs };
}

// Output masking for `keyden run` (DESIGN §8): any injected value that appears in the child's
// stdout or stderr is replaced by a marker before it reaches the terminal.
import { Transform, type TransformCallback } from 'node:stream';

export const CONCEALED = '<concealed by keyden>';
/** Shorter values are not masked: they would conceal ordinary words and numbers. */
export const MIN_MASKED_LENGTH = 4;
/** How long a tail that could begin a secret is held back while the child is quiet. */
export const HOLD_MS = 30;

/**
 * Replaces every occurrence of the secrets, also when one arrives split across writes: a tail
 * that could be the start of a secret is held until the next write, or flushed after HOLD_MS.
 */
export class MaskingStream extends Transform {
  private readonly secrets: Buffer[];
  private readonly marker = Buffer.from(CONCEALED);
  private pending = Buffer.alloc(0);
  private timer: NodeJS.Timeout | null = null;

  constructor(values: Iterable<string>) {
    super();
    const unique = new Set([...values].filter((v) => v.length >= MIN_MASKED_LENGTH));
    // Longest first, so a secret that contains another is concealed whole.
    this.secrets = [...unique].map((v) => Buffer.from(v)).sort((a, b) => b.length - a.length);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.clearTimer();
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const { masked, lastEnd } = this.replace(data);
    // Hold back a tail that could begin a secret, but never part of one already concealed.
    const hold = Math.min(this.heldTail(data), data.length - lastEnd);
    this.pending = Buffer.from(data.subarray(data.length - hold));
    if (hold === 0) this.push(masked);
    else if (hold < data.length) this.push(this.replace(data.subarray(0, data.length - hold)).masked);
    if (this.pending.length) this.timer = setTimeout(() => this.flushPending(), HOLD_MS);
    done();
  }

  override _flush(done: TransformCallback): void {
    this.clearTimer();
    this.flushPending();
    done();
  }

  private flushPending(): void {
    this.timer = null;
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.length) this.push(this.replace(rest).masked);
  }

  /** `data` with every whole secret replaced, and where the last replaced one ended in `data`. */
  private replace(data: Buffer): { masked: Buffer; lastEnd: number } {
    const out: Buffer[] = [];
    let from = 0;
    for (;;) {
      let at = -1;
      let found: Buffer | null = null;
      for (const s of this.secrets) {
        const i = data.indexOf(s, from);
        if (i !== -1 && (at === -1 || i < at)) {
          at = i;
          found = s;
        }
      }
      if (!found) break;
      out.push(data.subarray(from, at), this.marker);
      from = at + found.length;
    }
    if (from === 0) return { masked: data, lastEnd: 0 };
    out.push(data.subarray(from));
    return { masked: Buffer.concat(out), lastEnd: from };
  }

  /** The length of the longest tail of `data` that is a proper prefix of some secret. */
  private heldTail(data: Buffer): number {
    let best = 0;
    for (const s of this.secrets) {
      for (let n = Math.min(s.length - 1, data.length); n > best; n--) {
        if (data.compare(s, 0, n, data.length - n) === 0) {
          best = n;
          break;
        }
      }
    }
    return best;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

// The failed-authentication throttle of DESIGN §4: after 10 failures (bad tokens or unlock
// passwords) within a minute, failing tokens get 429 and unlocks are refused untried.
export const FAILURES_ALLOWED = 10;
export const WINDOW_MS = 60_000;

export class AuthThrottle {
  private failures: number[] = [];

  constructor(private readonly clock: () => number = Date.now) {}

  private prune(): void {
    const cutoff = this.clock() - WINDOW_MS;
    while (this.failures.length > 0 && this.failures[0]! <= cutoff) this.failures.shift();
  }

  limited(): boolean {
    this.prune();
    return this.failures.length >= FAILURES_ALLOWED;
  }

  fail(): void {
    this.prune();
    this.failures.push(this.clock());
  }

  /** Whole seconds until the oldest failure leaves the window. */
  retryAfterSeconds(): number {
    this.prune();
    const oldest = this.failures[0];
    return oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + WINDOW_MS - this.clock()) / 1000));
  }
}

/** A plain sliding-window counter (login requests: 5 a minute). */
export class RateWindow {
  private hits: number[] = [];

  constructor(
    private readonly max: number,
    private readonly clock: () => number = Date.now,
  ) {}

  take(): boolean {
    const cutoff = this.clock() - WINDOW_MS;
    this.hits = this.hits.filter((t) => t > cutoff);
    if (this.hits.length >= this.max) return false;
    this.hits.push(this.clock());
    return true;
  }

  retryAfterSeconds(): number {
    const oldest = this.hits[0];
    return oldest === undefined ? 1 : Math.max(1, Math.ceil((oldest + WINDOW_MS - this.clock()) / 1000));
  }
}

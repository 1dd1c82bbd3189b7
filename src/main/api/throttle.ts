// The throttles of DESIGN §4 "Hardening": two separate budgets of 10 failures a minute (failed
// tokens, failed unlock passwords), unlock attempts admitted one at a time and counted before the
// KDF, a token's scope-denied calls (60 a minute), and login requests (5 a minute).
import { isKeydenError, type ErrorCode } from '../../shared/errors.js';

export const FAILURES_ALLOWED = 10;
export const DENIED_ALLOWED = 60;
export const WINDOW_MS = 60_000;

/** A sliding window of events: `full()` once `max` happened within the last minute. */
export class RateWindow {
  private hits: number[] = [];

  constructor(
    private readonly max: number,
    private readonly clock: () => number = Date.now,
  ) {}

  private prune(): void {
    const cutoff = this.clock() - WINDOW_MS;
    while (this.hits.length > 0 && this.hits[0]! <= cutoff) this.hits.shift();
  }

  full(): boolean {
    this.prune();
    return this.hits.length >= this.max;
  }

  add(): void {
    this.prune();
    this.hits.push(this.clock());
  }

  /** Takes one of the window's places; false when none is left. */
  take(): boolean {
    if (this.full()) return false;
    this.add();
    return true;
  }

  /** Gives back the newest place (an admitted unlock whose password was right). */
  refund(): void {
    this.hits.pop();
  }

  /** Whole seconds until the oldest event leaves the window. */
  retryAfterSeconds(): number {
    this.prune();
    const oldest = this.hits[0];
    return oldest === undefined ? 1 : Math.max(1, Math.ceil((oldest + WINDOW_MS - this.clock()) / 1000));
  }
}

/** Failed bearer tokens: once 10 failed within a minute, a failing token gets 429 instead of 401. */
export class TokenFailures extends RateWindow {
  constructor(clock?: () => number) {
    super(FAILURES_ALLOWED, clock);
  }
}

const NOT_A_WRONG_PASSWORD: ReadonlySet<ErrorCode> = new Set(['VALIDATION_FAILED', 'VAULT_ROLLED_BACK', 'VAULT_TAMPERED']);

export type GateOutcome<T> = { ok: true; value: T } | { ok: false; reason: 'unlocked' | 'rate-limited'; retryAfter: number };

/**
 * Password checks (unlocks, and the app's change of password), one at a time. An attempt is
 * admitted only once the one before it has finished; when admitted it is refused untried if the
 * vault is already unlocked (409) or if 10 passwords failed within the minute (429); otherwise it
 * takes a place in the password budget *before* the KDF runs, given back only if the password was
 * right (or the attempt was refused before it checked one, or found the file tampered with or
 * rolled back, which only a right password can). However many arrive at once, at most 10 wrong
 * passwords a minute are ever tried.
 */
export class UnlockGate {
  private readonly failures: RateWindow;
  private tail: Promise<void> = Promise.resolve();

  constructor(clock?: () => number) {
    this.failures = new RateWindow(FAILURES_ALLOWED, clock);
  }

  /**
   * A check of the password where the vault is unlocked already (the app's change of password):
   * the same line and the same budget, so another way to test a password is no faster.
   */
  tryPassword<T>(attempt: () => Promise<T>): Promise<GateOutcome<T>> {
    return this.run(() => false, attempt);
  }

  /** Runs `attempt` when admitted; answers why not otherwise. */
  async run<T>(isUnlocked: () => boolean, attempt: () => Promise<T>): Promise<GateOutcome<T>> {
    // Refused at once while the budget is spent, without waiting in line.
    if (this.failures.full()) return { ok: false, reason: 'rate-limited', retryAfter: this.failures.retryAfterSeconds() };
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      if (isUnlocked()) return { ok: false, reason: 'unlocked', retryAfter: 0 };
      if (!this.failures.take()) return { ok: false, reason: 'rate-limited', retryAfter: this.failures.retryAfterSeconds() };
      let wrong = true;
      try {
        const value = await attempt();
        wrong = false;
        return { ok: true, value };
      } catch (e) {
        // Refused before any password was checked (a new password too short, say), or after the
        // password proved right: only the vault key it unwrapped can find a file tampered with or
        // rolled back (the user then confirms the rollback with the same password).
        if (isKeydenError(e) && NOT_A_WRONG_PASSWORD.has(e.code)) wrong = false;
        throw e;
      } finally {
        if (!wrong) this.failures.refund();
      }
    } finally {
      release();
    }
  }
}

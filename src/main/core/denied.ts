// Refused API calls in the audit log, coalesced (DESIGN §4 "Hardening"): the calls of one actor
// on one route for one reason within a minute become one `api.denied` row with a `count`, so that
// a flood of refused calls cannot grow the vault by more than a row a minute per (actor, route, reason).
export const DENIED_WINDOW_MS = 60_000;

export interface DeniedCall {
  actor: string;
  route: string;
  reason: string;
  scope?: string;
}

export interface DeniedRow {
  actor: string;
  detail: { route: string; reason: string; scope: string | null; count: number; since: string };
}

interface Window {
  call: DeniedCall;
  count: number;
  since: number;
  timer: ReturnType<typeof setTimeout>;
}

export class DeniedCoalescer {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly write: (row: DeniedRow) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  add(call: DeniedCall): void {
    const key = JSON.stringify([call.actor, call.route, call.reason, call.scope ?? null]);
    const open = this.windows.get(key);
    if (open && this.clock() - open.since < DENIED_WINDOW_MS) {
      open.count += 1;
      return;
    }
    if (open) this.close(key, open);
    // The row is written when the minute ends (or sooner: when the log is read, or the owner stops).
    const timer = setTimeout(() => {
      const w = this.windows.get(key);
      if (w) this.close(key, w);
    }, DENIED_WINDOW_MS);
    timer.unref();
    this.windows.set(key, { call, count: 1, since: this.clock(), timer });
  }

  /** Writes every open window's row now. */
  flush(): void {
    for (const [key, w] of this.windows) this.close(key, w);
  }

  private close(key: string, w: Window): void {
    clearTimeout(w.timer);
    this.windows.delete(key);
    const { actor, route, reason, scope } = w.call;
    this.write({ actor, detail: { route, reason, scope: scope ?? null, count: w.count, since: new Date(w.since).toISOString() } });
  }
}

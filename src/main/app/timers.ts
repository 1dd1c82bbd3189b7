// A seam over setTimeout so clipboard clearing and auto-lock can be driven by tests without waiting.
export interface Timers {
  set(fn: () => void, ms: number, label: string): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clear(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

// Locks the vault after N idle minutes. Activity (user input, IPC calls) restarts the countdown;
// sleep, screen lock and ⌘/Ctrl+L lock at once (wired in the Electron shell).
import type { Timers } from './timers.js';

export type LockReason = 'idle' | 'sleep' | 'screen-lock' | 'minimize' | 'shortcut' | 'user';

export interface AutoLockOptions {
  timers: Timers;
  minutes: () => number;
  isLocked: () => boolean;
  lock: (reason: LockReason) => void;
}

export class AutoLock {
  private timer: unknown = null;

  constructor(private readonly options: AutoLockOptions) {}

  /** Restarts the idle countdown (does nothing while locked). */
  activity(): void {
    this.stop();
    if (this.options.isLocked()) return;
    const ms = Math.max(1, this.options.minutes()) * 60_000;
    this.timer = this.options.timers.set(() => this.lockNow('idle'), ms, 'auto-lock');
  }

  lockNow(reason: LockReason): void {
    this.stop();
    if (!this.options.isLocked()) this.options.lock(reason);
  }

  stop(): void {
    if (this.timer !== null) this.options.timers.clear(this.timer);
    this.timer = null;
  }

  get armed(): boolean {
    return this.timer !== null;
  }
}

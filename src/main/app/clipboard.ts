// Copy happens in main: the renderer never receives the value. The clipboard is cleared after
// N seconds, but only if it still holds what Keyden wrote (the user may have copied something else).
import { createHash } from 'node:crypto';
import type { Timers } from './timers.js';

export interface ClipboardPort {
  /** Writes text; `concealed` asks the OS to keep it out of clipboard history where it can. */
  writeText(text: string, options: { concealed: boolean }): Promise<void>;
  readText(): Promise<string>;
  clear(): void;
}

function fingerprint(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class ClipboardGuard {
  /** Only a hash of what we wrote is kept, never the value itself. */
  private written: string | null = null;
  private timer: unknown = null;

  constructor(
    private readonly port: ClipboardPort,
    private readonly timers: Timers,
    private readonly onCleared: () => void = () => {},
  ) {}

  async copy(value: string, clearAfterSeconds: number): Promise<void> {
    this.cancelTimer();
    this.written = fingerprint(value);
    await this.port.writeText(value, { concealed: true });
    this.timer = this.timers.set(() => void this.clearIfUnchanged(), clearAfterSeconds * 1000, 'clipboard.clear');
  }

  /** Clears the clipboard if it still holds the last value Keyden wrote; returns whether it did. */
  async clearIfUnchanged(): Promise<boolean> {
    this.cancelTimer();
    const ours = this.written;
    this.written = null;
    if (ours === null) return false;
    if (fingerprint(await this.port.readText()) !== ours) return false;
    this.port.clear();
    this.onCleared();
    return true;
  }

  get holdsValue(): boolean {
    return this.written !== null;
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }
}

// Recording fakes for what the e2e transport cannot use for real: the OS clipboard, file
// dialogs and wall-clock timers (fired by the test, so nothing waits on time).
import type { ClipboardPort } from '../../../src/main/app/clipboard.js';
import type { DialogPort } from '../../../src/main/app/handlers.js';
import type { Timers } from '../../../src/main/app/timers.js';

export class RecordingClipboard implements ClipboardPort {
  text = '';
  readonly writes: { text: string; concealed: boolean }[] = [];
  clears = 0;
  async writeText(text: string, options: { concealed: boolean }): Promise<void> {
    this.text = text;
    this.writes.push({ text, concealed: options.concealed });
  }
  async readText(): Promise<string> {
    return this.text;
  }
  clear(): void {
    this.text = '';
    this.clears++;
  }
}

export class RecordingDialogs implements DialogPort {
  /** What the next save / open dialog answers (null = the user cancels). */
  nextSavePath: string | null = null;
  nextOpenPath: string | null = null;
  readonly calls: { kind: 'save' | 'open'; title: string; defaultName?: string }[] = [];
  async saveFile(options: { title: string; defaultName: string }): Promise<string | null> {
    this.calls.push({ kind: 'save', ...options });
    return this.nextSavePath;
  }
  async openFile(options: { title: string }): Promise<string | null> {
    this.calls.push({ kind: 'open', ...options });
    return this.nextOpenPath;
  }
}

interface Pending {
  fn: () => void;
  ms: number;
  label: string;
}

export class ManualTimers implements Timers {
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  set(fn: () => void, ms: number, label: string): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms, label });
    return id;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** The armed timers with this label, e.g. to read the delay asked for. */
  armed(label: string): Pending[] {
    return [...this.pending.values()].filter((p) => p.label === label);
  }
  /** Fires every armed timer with this label as if its time had come; returns how many. */
  fire(label: string): number {
    const due = [...this.pending.entries()].filter(([, p]) => p.label === label);
    for (const [id, p] of due) {
      this.pending.delete(id);
      p.fn();
    }
    return due.length;
  }
}

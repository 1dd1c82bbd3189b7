// Linux's PRIMARY selection: whatever the user selects with the mouse, anywhere, is offered to
// every program's middle-click paste, with no copy and no timer. Text selected in a revealed
// value lands there and stays after the page hides the value (KeePassXC leaves it too). Keyden
// clears it when the value leaves the screen, if it still holds a piece of what was shown.
import type { Timers } from './timers.js';

/** The PRIMARY selection (Electron's `clipboard.selection`; Linux only). */
export interface SelectionPort {
  readText(): Promise<string>;
  clear(): void;
}

/**
 * Below this length a piece of a value in the selection (or a short value inside a longer
 * selection) is left alone: it may be the user's own selection elsewhere, and so few characters
 * give nothing away. An exact match is always cleared.
 */
export const MIN_PIECE = 4;

/**
 * Holds what the page shows (revealed values until the page's timer hides them, a new token's
 * secret until its dialog closes) in main's memory, and nowhere else, only while it is on
 * screen; when it leaves, a PRIMARY selection that holds any of it is cleared.
 */
export class SelectionGuard {
  private revealed: string[] = [];
  private heldSecret: string | null = null;
  private timer: unknown = null;

  constructor(
    private readonly port: SelectionPort | null,
    private readonly timers: Timers,
    private readonly revealSeconds: number,
  ) {}

  /** Values the page shows now; it hides them after `revealSeconds`. */
  shown(values: readonly string[]): void {
    if (!this.port) return;
    this.revealed.push(...values.filter((v) => v.length > 0));
    if (this.timer !== null) this.timers.clear(this.timer);
    // Half a second after the page's own timer, as RevealPrivacy waits.
    this.timer = this.timers.set(() => void this.revealEnded(), this.revealSeconds * 1000 + 500, 'selection.clear');
  }

  /** A secret the page shows until the user closes it (a new token's). */
  hold(secret: string): void {
    if (!this.port) return;
    this.heldSecret = secret;
  }

  /** The page closed the held secret. */
  async release(): Promise<void> {
    const secret = this.heldSecret;
    this.heldSecret = null;
    if (secret !== null) await this.clearIfHolds([secret]);
  }

  /** Everything left the screen (the vault locked, the app quits). */
  async allHidden(): Promise<void> {
    const shown = [...this.revealed, ...(this.heldSecret === null ? [] : [this.heldSecret])];
    this.forgetRevealed();
    this.heldSecret = null;
    await this.clearIfHolds(shown);
  }

  private async revealEnded(): Promise<void> {
    const shown = this.revealed;
    this.timer = null;
    this.revealed = [];
    await this.clearIfHolds(shown);
  }

  private forgetRevealed(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.revealed = [];
  }

  private async clearIfHolds(shown: readonly string[]): Promise<void> {
    if (!this.port || shown.length === 0) return;
    let selected: string;
    try {
      selected = await this.port.readText();
    } catch {
      return; // no selection owner, or none readable: nothing to clear
    }
    if (selected.length === 0) return;
    const holds = shown.some(
      (value) =>
        selected === value ||
        (value.length >= MIN_PIECE && selected.includes(value)) ||
        (selected.length >= MIN_PIECE && value.includes(selected)),
    );
    if (!holds) return;
    try {
      this.port.clear();
    } catch {
      // The selection's owner went away meanwhile: nothing is left to clear.
    }
  }
}

/** A revealed value's strings as the page shows them: the value, or each field of a group. */
export function shownStrings(value: string | Readonly<Record<string, string>>): string[] {
  return typeof value === 'string' ? [value] : Object.values(value);
}

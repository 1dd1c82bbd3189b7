// Writing to stdout: tables for people, JSON and tab-separated lines for scripts. A name that an
// older vault let an invisible, direction-changing or control character into is shown escaped
// (`\u202E`) in all of them, so it cannot reorder, hide or forge what a line says (names.ts).
import { escapeHidden, escapeHiddenInJson } from '../shared/names.js';

export function writeOut(text: string | Uint8Array): void {
  process.stdout.write(text);
}

/** Lines for a person, each ended by a newline: never a value (it is escaped as a name is). */
export function writeLines(...lines: string[]): void {
  process.stdout.write(lines.map((l) => `${escapeHidden(l)}\n`).join(''));
}

/** Lines for a person on stderr (notes, warnings), escaped as writeLines does. */
export function writeErrLines(...lines: string[]): void {
  process.stderr.write(lines.map((l) => `${escapeHidden(l)}\n`).join(''));
}

/** JSON with hidden characters as `\uXXXX` escapes: the same value to a parser, visible to a person. */
export function writeJson(value: unknown): void {
  process.stdout.write(`${escapeHiddenInJson(JSON.stringify(value, null, 2))}\n`);
}

export function stdoutIsTerminal(): boolean {
  return process.stdout.isTTY === true;
}

/** A padded table with a header on a terminal; tab-separated rows without a header otherwise. */
export function formatTable(headers: string[], cells: string[][], terminal = stdoutIsTerminal()): string {
  // Escaped before measuring: a tab or newline in a name cannot shift a column or forge a row.
  const rows = cells.map((r) => r.map(escapeHidden));
  if (!terminal) return rows.map((r) => `${r.join('\t')}\n`).join('');
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]): string =>
    `${cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c))))
      .join('  ')
      .trimEnd()}\n`;
  return line(headers) + rows.map(line).join('');
}

function width(s: string): number {
  return Array.from(s).length;
}

/** `2026-12-01T10:00:00.000Z` → `2026-12-01 10:00`. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').slice(0, 16);
}

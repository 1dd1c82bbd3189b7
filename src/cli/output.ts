// Writing to stdout: tables for people, JSON and tab-separated lines for scripts.

export function writeOut(text: string | Uint8Array): void {
  process.stdout.write(text);
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function stdoutIsTerminal(): boolean {
  return process.stdout.isTTY === true;
}

/** A padded table with a header on a terminal; tab-separated rows without a header otherwise. */
export function formatTable(headers: string[], rows: string[][], terminal = stdoutIsTerminal()): string {
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

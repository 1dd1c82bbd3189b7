// Writing and reading `.env` text. Reading is dotenv's own parser; writing picks, per value, a
// form that `dotenv.parse` (or bash, for `shell`) returns exactly, and refuses the rest.
import dotenv from 'dotenv';
import type { ExportFormat } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';

export interface Variable {
  name: string;
  value: string;
}

const LINE_BREAKS = /[\r\n\u2028\u2029]/;

/** One `KEY=…` line that dotenv.parse reads back as exactly `value`, or null if none exists. */
export function dotenvLine(name: string, value: string): string | null {
  if (!value.isWellFormed()) return null;
  if (value === '') return `${name}=`;
  const endsWithBackslash = value.endsWith('\\');
  // Bare: dotenv trims it and stops at '#' or a line break, and strips a quote pair around it.
  if (!value.includes('#') && !LINE_BREAKS.test(value) && value.trim() === value && !`'"\``.includes(value[0]!)) {
    return `${name}=${value}`;
  }
  // Inside quotes dotenv turns "\r\n" into "\n", so a CR survives only as the \r escape of "…".
  const hasCr = value.includes('\r');
  // A closing quote after a backslash reads as an escaped quote and the value runs on.
  if (!endsWithBackslash && !hasCr && !value.includes("'")) return `${name}='${value}'`;
  if (!endsWithBackslash && !value.includes('"') && !/\\[nr]/.test(value)) {
    return `${name}="${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
  }
  if (!endsWithBackslash && !hasCr && !value.includes('`')) return `${name}=\`${value}\``;
  return null;
}

/** One `export KEY='…'` line that bash sets exactly; only NUL (and broken UTF-16) cannot be. */
export function shellLine(name: string, value: string): string | null {
  if (value.includes('\u0000') || !value.isWellFormed()) return null;
  return `export ${name}='${value.replace(/'/g, `'\\''`)}'`;
}

export function formatVariables(vars: Variable[], format: ExportFormat, header: string): string {
  if (format === 'json') return `${JSON.stringify(Object.fromEntries(vars.map((v) => [v.name, v.value])), null, 2)}\n`;
  const lines = [`# ${header}`];
  for (const v of vars) {
    const line = format === 'shell' ? shellLine(v.name, v.value) : dotenvLine(v.name, v.value);
    if (line === null) {
      throw new KeydenError('UNREPRESENTABLE', `the value of ${v.name} cannot be written exactly in ${format} format; use another format`, {
        variable: v.name,
        format,
      });
    }
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

/** dotenv's line grammar, used only to find the line each variable is on (values come from dotenv.parse). */
const LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

export interface ParsedVariable extends Variable {
  /** 1-based line of the (last) assignment in the submitted text. */
  line: number;
}

/** The variables of a .env text as dotenv reads them; a repeated key: the last one wins. */
export function parseDotenv(text: string): ParsedVariable[] {
  const values = dotenv.parse(text);
  const normalized = text.replace(/\r\n?/g, '\n');
  const lineOf = new Map<string, number>();
  let lineNo = 1;
  let scanned = 0;
  for (const m of normalized.matchAll(LINE)) {
    const keyAt = m.index + m[0].indexOf(m[1]!, m[0].length - m[0].trimStart().length);
    lineNo += countNewlines(normalized, scanned, keyAt);
    scanned = keyAt;
    lineOf.set(m[1]!, lineNo);
  }
  return Object.entries(values).map(([name, value]) => ({ name, value, line: lineOf.get(name) ?? 0 }));
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

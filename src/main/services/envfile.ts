// Writing and reading `.env` text. Reading is dotenv's own parser; writing picks, per value, a
// form that `dotenv.parse` (or bash, for `shell`) returns exactly, and refuses the rest.
import dotenv from 'dotenv';
import type { ExportFormat } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import { describeHidden, escapeHidden, firstHidden, type HiddenCharacter } from '../../shared/names.js';

export interface Variable {
  name: string;
  value: string;
}

const LINE_BREAKS = /[\r\n\u2028\u2029]/;

/**
 * What a value may hold to be written bare: every common reader of a .env file reads these
 * characters alike (no `$` for docker compose's or python-dotenv's interpolation, no quote, space,
 * backslash, `~` or shell syntax for a bash that sources the file). API keys mostly are such.
 */
const PLAIN = /^[A-Za-z0-9_./:@%+,=^-]+$/;

/**
 * One `KEY=…` line that dotenv.parse reads back as exactly `value`, or null if none exists.
 * Where it can, the line is also what bash (`set -a; . ./.env`) and docker compose read: a value
 * that is not plain goes in single quotes, which neither expands, unless it holds a `'`, a CR or
 * ends with a backslash.
 */
export function dotenvLine(name: string, value: string): string | null {
  if (!value.isWellFormed()) return null;
  if (value === '') return `${name}=`;
  if (PLAIN.test(value)) return `${name}=${value}`;
  const endsWithBackslash = value.endsWith('\\');
  // Inside quotes dotenv turns "\r\n" into "\n", so a CR survives only as the \r escape of "…".
  const hasCr = value.includes('\r');
  // A closing quote after a backslash reads as an escaped quote and the value runs on.
  if (!endsWithBackslash && !hasCr && !value.includes("'")) return `${name}='${value}'`;
  if (!endsWithBackslash && !value.includes('"') && !/\\[nr]/.test(value)) {
    return `${name}="${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
  }
  if (!endsWithBackslash && !hasCr && !value.includes('`')) return `${name}=\`${value}\``;
  // Bare, the last resort: dotenv trims it and stops at '#' or a line break, and strips a quote pair around it.
  if (!value.includes('#') && !LINE_BREAKS.test(value) && value.trim() === value && !`'"\``.includes(value[0]!)) {
    return `${name}=${value}`;
  }
  return null;
}

/**
 * Whether a shell that sources the .env (`set -a; . ./.env`) reads the line dotenvLine writes for
 * `value` as text: bare plain values and single-quoted ones, and double-quoted ones (a value with
 * a `'` or a CR) without `$` or a backtick, which a shell expands there. The backtick form and a
 * bare value that is not plain are run or split by a shell. (Bash reads a `\r` escape as two
 * characters: text, but not the value.)
 */
export function shellReadsAsText(value: string): boolean {
  const line = dotenvLine('V', value);
  if (line === null) return true; // not written at all
  const form = line.charAt(2);
  if (form === "'") return true;
  if (form === '"') return !/[$`]/.test(value);
  if (form === '`') return false;
  return value === '' || PLAIN.test(value);
}

/** The variables of a dotenv export (as dotenvLine wrote it) whose values a shell sourcing it would run or expand. */
export const shellActiveNames = (text: string): string[] => parseDotenv(text).filter((v) => !shellReadsAsText(v.value)).map((v) => v.name);

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

/**
 * dotenv's line grammar, but a match starts on its key's line: dotenv's leading `\s*` runs on
 * through blank lines from every line start (quadratic: 64 KiB of blank lines took 11 s), while
 * `[^\S\n\r\u2028\u2029]*` finds the same keys and values from the key's own line.
 */
const LINE =
  /(?:^|^)[^\S\n\r\u2028\u2029]*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

export interface ParsedVariable extends Variable {
  /** 1-based line of the (last) assignment in the submitted text. */
  line: number;
}

/** The variables of a .env text as dotenv reads them; a repeated key: the last one wins. */
export function parseDotenv(text: string): ParsedVariable[] {
  const normalized = text.replace(/\r\n?/g, '\n');
  const found = new Map<string, ParsedVariable>();
  let lineNo = 1;
  let scanned = 0;
  for (const m of normalized.matchAll(LINE)) {
    const name = m[1]!;
    const keyAt = m.index + m[0].indexOf(name, m[0].length - m[0].trimStart().length);
    lineNo += countNewlines(normalized, scanned, keyAt);
    scanned = keyAt;
    // Each assignment is read by dotenv.parse alone (the whole text would be quadratic, above), so
    // its value is dotenv's own. A plain object cannot hold `__proto__` as its own key (DESIGN §4:
    // it is an ordinary name): that line is parsed under a stand-in name.
    let alone = dotenv.parse(m[0]);
    let key = name;
    if (!Object.hasOwn(alone, name)) {
      const at = keyAt - m.index;
      alone = dotenv.parse(`${m[0].slice(0, at)}${STAND_IN}${m[0].slice(at + name.length)}`);
      key = STAND_IN;
    }
    if (Object.hasOwn(alone, key)) found.set(name, { name, value: alone[key]!, line: lineNo });
  }
  return [...found.values()];
}

/** A name dotenv's object can hold, standing in for one it cannot (see parseDotenv). */
const STAND_IN = 'KEYDEN_STAND_IN_NAME';

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** How many lines a warning lists, and how many warnings of one kind are given, before "and N more". */
const LISTED = 20;

/** A line the parser skips because its name holds a hidden character: reported as failed (never its value). */
export interface HiddenNameLine {
  key: string;
  line: number;
  reason: string;
}

/** `API_\u202EKEY=…`: a name of dotenv's characters and hidden ones (names.ts) before its `=`. */
function hiddenName(line: string): { key: string; hidden: HiddenCharacter } | null {
  const key = /^(?:export\s+)?([^\s=]+?)\s*=/.exec(line)?.[1];
  const hidden = key === undefined ? null : firstHidden(key);
  if (!key || !hidden || !Array.from(key).every((ch) => /^[\w.-]$/.test(ch) || firstHidden(ch))) return null;
  return { key: escapeHidden(key), hidden };
}

/**
 * What the parser dropped or read differently than it looks, said and never silent (issue 14):
 * the warnings, and the lines whose name holds an invisible, direction-changing or control
 * character: those fail by name (escaped, `\u202E`), so the rest of the file still imports.
 */
export function dotenvReport(text: string): { warnings: string[]; failed: HiddenNameLine[] } {
  const normalized = text.replace(/\r\n?/g, '\n');
  const lines = normalized.split('\n');
  const covered = new Set<number>();
  const seen = new Map<string, number[]>();
  const comments: string[] = [];
  // Lines are counted on from the previous match (counting from 0 each time was quadratic: 30 %
  // of a 10 000-line import).
  let lineNo = 1;
  let scanned = 0;
  for (const m of normalized.matchAll(LINE)) {
    const keyAt = m.index + m[0].indexOf(m[1]!, m[0].length - m[0].trimStart().length);
    lineNo += countNewlines(normalized, scanned, keyAt);
    scanned = keyAt;
    const first = lineNo;
    const last = first + countNewlines(normalized, keyAt, m.index + m[0].length);
    for (let n = first; n <= last; n++) covered.add(n);
    // Pushed, not copied: copying the list per repeat was quadratic (1 MiB of `A=` lines: minutes).
    const at = seen.get(m[1]!);
    if (at) at.push(first);
    else seen.set(m[1]!, [first]);
    const raw = (m[2] ?? '').trimStart();
    const quoted = raw !== '' && `'"\``.includes(raw[0]!);
    const rest = lines[first - 1] ?? '';
    const afterKey = rest.slice(rest.indexOf(m[1]!) + m[1]!.length).replace(/^\s*[=:]/, '');
    if (!quoted && afterKey.includes('#') && afterKey.trim() !== '') {
      comments.push(`${m[1]} (line ${first}): \`#\` started a comment; quote the value if it belongs to it`);
    }
  }
  const ignored: string[] = [];
  const failed: HiddenNameLine[] = [];
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || covered.has(i + 1)) return;
    const hidden = hiddenName(t);
    if (hidden) {
      failed.push({ key: hidden.key, line: i + 1, reason: `the name ${describeHidden(hidden.hidden)}` });
      return;
    }
    ignored.push(`ignored line ${i + 1} (${t.includes('=') ? 'not KEY=VALUE' : 'no `=`'})`);
  });
  const repeats: string[] = [];
  for (const [name, at] of seen) {
    if (at.length > 1) repeats.push(`${name} set ${at.length === 2 ? 'twice' : `${at.length} times`} (lines ${listed(at.map(String))}): kept the last`);
  }
  // The reply stays near the size of the text's first lines, not many times the text.
  return {
    warnings: [...firstOf(comments, 'lines where `#` started a comment'), ...firstOf(ignored, 'ignored lines'), ...firstOf(repeats, 'keys set more than once')],
    failed,
  };
}

/** `1, 2, …, 20 and 9 more`. */
function listed(items: string[]): string {
  return items.length <= LISTED ? items.join(', ') : `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more`;
}

/** The first warnings of one kind, then one that counts the rest. */
function firstOf(warnings: string[], kind: string): string[] {
  return warnings.length <= LISTED ? warnings : [...warnings.slice(0, LISTED), `and ${warnings.length - LISTED} more ${kind}`];
}

/**
 * `export NAME='…'` lines as `--format shell` writes them (`'\''` for a quote), with comments and
 * blank lines. A line may end in CR LF (a file saved on Windows); a quoted value keeps every byte,
 * CR LF included, as bash does.
 */
const SHELL_LINE = /(?:[ \t]*(?:#[^\n]*)?\r?\n)|(?:[ \t]*export ([A-Za-z_][A-Za-z0-9_]*)='((?:[^']|'\\'')*)'[ \t]*(?:\r?\n|$))|(?:[ \t]*(?:#[^\n]*)?\r?$)/y;

/** The variables of keyden's own shell export, or null when the text is not in that form. */
export function parseShellExport(text: string): ParsedVariable[] | null {
  const out = new Map<string, ParsedVariable>();
  let pos = 0;
  let line = 1;
  SHELL_LINE.lastIndex = 0;
  while (pos < text.length) {
    SHELL_LINE.lastIndex = pos;
    const m = SHELL_LINE.exec(text);
    if (!m || m[0].length === 0) return null;
    if (m[1] !== undefined) {
      out.delete(m[1]);
      out.set(m[1], { name: m[1], value: m[2]!.replace(/'\\''/g, "'"), line });
    }
    line += countNewlines(m[0], 0, m[0].length);
    pos += m[0].length;
  }
  return out.size > 0 ? [...out.values()] : null;
}

export interface JsonVariable extends ParsedVariable {
  notes?: string;
}

const JSON_FORMS = 'a JSON object of string values ({"VAR": "value"}) or of {"VAR": {"value": "…", "notes": "…"}}';

/** An import in JSON: an object of strings, or of {value, notes}; anything else is refused whole, naming the forms. */
export function parseJsonImport(text: string): JsonVariable[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new KeydenError('VALIDATION_FAILED', `the file is not valid JSON; expected ${JSON_FORMS}`, { content: 'not JSON' });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new KeydenError('VALIDATION_FAILED', `expected ${JSON_FORMS}`, { content: 'not an object' });
  }
  const out: JsonVariable[] = [];
  const lineOf = keyLines(text.replace(/\r\n?/g, '\n'));
  for (const [name, v] of Object.entries(data as Record<string, unknown>)) {
    const line = lineOf.get(name) ?? 0;
    if (typeof v === 'string') {
      out.push({ name, value: v, line });
      continue;
    }
    const ok =
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      Object.keys(v).every((k) => k === 'value' || k === 'notes') &&
      typeof (v as { value?: unknown }).value === 'string' &&
      ['string', 'undefined'].includes(typeof (v as { notes?: unknown }).notes);
    if (!ok) throw new KeydenError('VALIDATION_FAILED', `${name} (line ${line}) is neither a string nor {"value", "notes"}; expected ${JSON_FORMS}`, { [name]: 'unsupported form' });
    const { value, notes } = v as { value: string; notes?: string };
    out.push(notes === undefined ? { name, value, line } : { name, value, notes, line });
  }
  return out;
}

/**
 * The line of each key of a JSON object's top level (of a repeated key, the last: the one
 * JSON.parse keeps), in one pass. Searching the text for each key was quadratic, and never found a
 * key written with escapes (`"K\u0030"`). The text must be valid JSON.
 */
function keyLines(json: string): Map<string, number> {
  const lines = new Map<string, number>();
  let depth = 0;
  let line = 1;
  let keyNext = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '\n') line++;
    else if (c === '{' || c === '[') keyNext = ++depth === 1;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',') keyNext = depth === 1;
    else if (c === '"') {
      // A JSON string holds no raw line break; it ends at the first quote not escaped.
      const start = i;
      for (i++; json[i] !== '"'; i++) if (json[i] === '\\') i++;
      if (keyNext) lines.set(JSON.parse(json.slice(start, i + 1)) as string, line);
      keyNext = false;
    }
  }
  return lines;
}

/** The format of an import told by its content: JSON, keyden's shell export, else dotenv. */
export function sniffFormat(text: string): 'json' | 'shell' | 'dotenv' {
  if (text.trimStart().startsWith('{')) return 'json';
  return parseShellExport(text) ? 'shell' : 'dotenv';
}

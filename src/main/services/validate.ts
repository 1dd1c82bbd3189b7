import { z } from 'zod';
import { issuesToDetails, KeydenError, sentenceOf } from '../../shared/errors.js';
import { newName, type NameKind } from '../../shared/model.js';

// Own properties only (DESIGN §4): zod builds its output objects by assignment, so a key named
// "__proto__" (own in JSON.parse's result) would set the prototype and vanish. It crosses the
// schema under a stand-in name that no user name can be (names have no control characters).
const PROTO = '__proto__';
const STAND_IN = '\u0000keyden:__proto__';

const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** Deeper than any input of Keyden's (a group value is 2 levels inside its body). */
export const MAX_INPUT_DEPTH = 32;

/** Whether arrays and objects nest deeper than MAX_INPUT_DEPTH (walked with a stack: no recursion to overflow). */
function tooDeep(v: unknown): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    const children = Array.isArray(x) ? x : isPlain(x) ? Object.values(x) : null;
    if (!children) continue;
    if (depth > MAX_INPUT_DEPTH) return true;
    for (const child of children) stack.push([child, depth + 1]);
  }
  return false;
}

function hasProtoKey(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasProtoKey);
  if (!isPlain(v)) return false;
  return Object.hasOwn(v, PROTO) || Object.values(v).some(hasProtoKey);
}

function renameKeys(v: unknown, from: string, to: string): unknown {
  if (Array.isArray(v)) return v.map((x) => renameKeys(x, from, to));
  if (!isPlain(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k === from ? to : k, { value: renameKeys(x, from, to), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Validates a service input with its schema: 400 VALIDATION_FAILED naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  // Before any walk that recurses (hasProtoKey, renameKeys, zod): 200 000 nested arrays overflowed the stack (500).
  if (tooDeep(input)) throw new KeydenError('VALIDATION_FAILED', `the input is nested more than ${MAX_INPUT_DEPTH} levels deep`, { input: `nested more than ${MAX_INPUT_DEPTH} levels` });
  const shielded = hasProtoKey(input);
  const result = schema.safeParse(shielded ? renameKeys(input, PROTO, STAND_IN) : input);
  if (result.success) return (shielded ? renameKeys(result.data, STAND_IN, PROTO) : result.data) as z.output<S>;
  const named = (k: PropertyKey): PropertyKey => (k === STAND_IN ? PROTO : k);
  const issues = result.error.issues.map((i) => ({
    ...i,
    path: i.path.map(named),
    message: i.message.replaceAll(STAND_IN, PROTO),
    // An unknown key is named from `keys` (issuesToDetails).
    ...('keys' in i && Array.isArray(i.keys) ? { keys: (i.keys as string[]).map((k) => String(named(k))) } : {}),
  }));
  const details = issuesToDetails(issues) as Record<string, string>;
  throw new KeydenError('VALIDATION_FAILED', sentenceOf(details), details);
}

/**
 * A name that is new to the vault (a rename, an import's project): 400 naming `field` when it
 * holds a character a new name may not. A name sent back unchanged is not checked, so an entry or
 * project that an older version let such a character into stays editable and renameable.
 */
export function parseNewName(kind: NameKind, field: string, name: string): string {
  return (parseInput(z.object({ [field]: newName(kind) }), { [field]: name }) as Record<string, string>)[field]!;
}

/**
 * A request's query string: an unknown parameter, or a known one given twice, is refused with
 * 400 naming it (DESIGN §4), so a script that thinks it filtered never gets everything back.
 */
export function parseQuery<S extends z.ZodObject>(schema: S | undefined, raw: Record<string, unknown>): Record<string, unknown> {
  const known = schema ? Object.keys(schema.shape) : [];
  const details: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!known.includes(key)) details[key] = 'is not a query parameter of this route';
    else if (Array.isArray(value)) details[key] = 'is given more than once';
  }
  const bad = Object.keys(details);
  if (bad.length > 0) {
    const takes = known.length > 0 ? `this route takes ${known.join(', ')}` : 'this route takes none';
    throw new KeydenError('VALIDATION_FAILED', `query parameter ${sentenceOf(details)} (${takes})`, details);
  }
  return schema ? (parseInput(schema, raw) as Record<string, unknown>) : {};
}

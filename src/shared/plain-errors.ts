// Validation messages for people (issue 14 item 10): every zod issue becomes a predicate about
// its field ("is required", "must be one of: …"), so that `details` reads `{ name: "is required" }`
// and the top-level error is a sentence built from them, never zod's "Invalid input: expected …".
// A message never quotes what was sent, except a short enum value (a scope name), which the caller
// typed themselves and which cannot be a secret of the vault.
import { z } from 'zod';

const NOUNS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
  null: 'null',
  date: 'a date',
};

const FORMATS: Record<string, string> = {
  uuid: 'an id (a UUID)',
  datetime: 'a UTC time such as 2027-01-01T00:00:00.000Z',
  date: 'a date such as 2027-01-01',
  email: 'an email address',
  url: 'a URL',
};

const noun = (expected: string): string => NOUNS[expected] ?? expected;

const plural = (n: number | bigint, one: string): string => `${n} ${one}${n === 1 || n === 1n ? '' : 's'}`;

const quotable = (v: unknown): v is string => typeof v === 'string' && v.length <= 64 && !/[\p{Cc}\u2028\u2029]/u.test(v);

const list = (values: readonly unknown[]): string => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');

function tooSmall(origin: string, minimum: number | bigint, inclusive: boolean | undefined): string {
  if (origin === 'string') return minimum === 1 ? 'must not be empty' : `must have at least ${plural(minimum, 'character')}`;
  if (origin === 'array' || origin === 'set') return minimum === 1 ? 'must not be empty' : `must have at least ${plural(minimum, 'item')}`;
  return inclusive === false ? `must be more than ${minimum}` : `must be at least ${minimum}`;
}

function tooBig(origin: string, maximum: number | bigint, inclusive: boolean | undefined): string {
  if (origin === 'string') return `must have at most ${plural(maximum, 'character')}`;
  if (origin === 'array' || origin === 'set') return `must have at most ${plural(maximum, 'item')}`;
  return inclusive === false ? `must be less than ${maximum}` : `must be at most ${maximum}`;
}

/** What a union accepts, when each of its branches failed on type alone ("text or an object"). */
function unionExpected(errors: ReadonlyArray<ReadonlyArray<z.core.$ZodIssue>>): string | null {
  const expected = errors.map((branch) => (branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0 ? noun(branch[0]!.expected) : null));
  return expected.every((e) => e !== null) ? `must be ${[...new Set(expected)].join(' or ')}` : null;
}

/** zod's error map: a predicate about the field, for every issue zod raises itself. */
export const plainError: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${noun(issue.expected)}`;
    case 'invalid_value':
      if (issue.values.length === 1) return `must be ${list(issue.values)}`;
      return quotable(issue.input) ? `is "${issue.input}", which is not one of: ${list(issue.values)}` : `must be one of: ${list(issue.values)}`;
    case 'too_small':
      return tooSmall(issue.origin, issue.minimum, issue.inclusive);
    case 'too_big':
      return tooBig(issue.origin, issue.maximum, issue.inclusive);
    case 'invalid_format':
      if (issue.format === 'regex' && issue.pattern) return `must match ${issue.pattern}`;
      return `must be ${FORMATS[issue.format] ?? `in ${issue.format} form`}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return issue.keys.length === 1 ? `has an unknown field: ${issue.keys[0]}` : `has unknown fields: ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return (issue.errors.length > 0 ? unionExpected(issue.errors) : null) ?? 'is not in any of the accepted forms';
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid item';
    default:
      return 'is not valid';
  }
};

z.config({ customError: plainError });

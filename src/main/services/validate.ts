import type { z } from 'zod';
import { issuesToDetails, KeydenError } from '../../shared/errors.js';

/** Validates a service input with its schema: 400 VALIDATION_FAILED naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = issuesToDetails(result.error.issues);
  const fields = Object.keys(details);
  throw new KeydenError('VALIDATION_FAILED', `invalid ${fields.join(', ')}: ${Object.values(details)[0]}`, details);
}

/**
 * A request's query string: an unknown parameter, or a known one given twice, is refused with
 * 400 naming it (DESIGN §4), so a script that thinks it filtered never gets everything back.
 */
export function parseQuery<S extends z.ZodObject>(schema: S | undefined, raw: Record<string, unknown>): Record<string, unknown> {
  const known = schema ? Object.keys(schema.shape) : [];
  const details: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!known.includes(key)) details[key] = known.length > 0 ? `unknown query parameter (this route takes ${known.join(', ')})` : 'unknown query parameter (this route takes none)';
    else if (Array.isArray(value)) details[key] = 'given more than once';
  }
  const bad = Object.keys(details);
  if (bad.length > 0) throw new KeydenError('VALIDATION_FAILED', `query parameter ${bad.join(', ')}: ${details[bad[0]!]}`, details);
  return schema ? (parseInput(schema, raw) as Record<string, unknown>) : {};
}

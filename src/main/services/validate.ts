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

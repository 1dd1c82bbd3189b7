// Who may see and change an entry, and which variables it writes: the rules every service shares
// (DESIGN §4 limits, §9 shared `*` entries and the Variables category).
import { SHARED_ENVIRONMENT, type Category } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import type { Caller } from '../core/types.js';
import { lower, projectKey } from './context.js';

/**
 * Whether a token limited to projects/environments may see this entry (else: 404, as if absent).
 * Shared `*` entries are part of every environment's .env, so an environment-limited token sees them.
 */
export function visibleTo(caller: Caller, e: { name: string; environment: string }): boolean {
  if (caller.projects) {
    const key = projectKey(e);
    if (!caller.projects.some((p) => lower(p) === key)) return false;
  }
  if (caller.environments && e.environment !== SHARED_ENVIRONMENT && !caller.environments.includes(e.environment)) return false;
  return true;
}

/** Whether the caller may change this entry: a `*` entry only if its limits name `*` (DESIGN §9). */
export function writableBy(caller: Caller, e: { name: string; environment: string }): boolean {
  return visibleTo(caller, e) && (caller.environments === null || caller.environments.includes(e.environment));
}

export function refuseWrite(e: { name: string; environment: string }): KeydenError {
  return new KeydenError('SCOPE_REQUIRED', 'this token may not change that project or environment', { project: e.name, environment: e.environment });
}

/** The variables an entry writes: its override, else its category's envVarName, or the group's fields. */
export function variablesOf(e: { envVarName: string | null }, c: Category): string[] {
  if (c.keyType === 'group') return c.fields;
  const name = e.envVarName ?? c.envVarName;
  return name ? [name] : [];
}

/** A simple category without an envVarName (the built-in Variables): each entry names its own. */
export const perEntryVariable = (c: Category): boolean => c.keyType === 'simple' && !c.envVarName;

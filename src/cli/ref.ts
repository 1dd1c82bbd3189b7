// `<ref>`: an entry id, `Category/Project[/env]` matched case-insensitively (DESIGN §5), or a
// variable name with `--project P [--env E]` (DESIGN §9). Every form is resolved with one
// filtered list request, so its cost does not grow with the project.
import type { ApiClient } from './client.js';
import { CliError, EXIT } from './errors.js';
import type { EntryWithCategory } from './types.js';

export type Ref =
  | { kind: 'id'; id: string }
  | { kind: 'path'; category: string; project: string; environment: string | null }
  | { kind: 'variable'; variable: string; project: string; environment: string | null };

/** Where a variable ref looks: `--project` and `--env` of get, set, rm, history, restore. */
export interface RefScope {
  project?: string;
  env?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseRef(text: string, scope: RefScope = {}): Ref {
  if (UUID.test(text)) return { kind: 'id', id: text.toLowerCase() };
  if (scope.project !== undefined) {
    if (!VARIABLE.test(text)) throw new CliError(`invalid variable ${JSON.stringify(text)}: with --project the ref is a variable name such as OPENAI_API_KEY`, EXIT.USAGE);
    return { kind: 'variable', variable: text, project: scope.project, environment: scope.env === undefined ? null : scope.env.toLowerCase() };
  }
  if (scope.env !== undefined) throw new CliError('--env needs --project (or put the environment in the ref: Category/Project/env)', EXIT.USAGE);
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p.trim() === '')) {
    const hint = VARIABLE.test(text) ? ` (a variable name needs --project: keyden get ${text} --project P)` : '';
    throw new CliError(`invalid ref ${JSON.stringify(text)}: expected an entry id, Category/Project[/env], or VAR --project P${hint}`, EXIT.USAGE);
  }
  const [category = '', project = '', environment] = parts;
  return { kind: 'path', category, project, environment: environment === undefined ? null : environment.toLowerCase() };
}

export function formatRef(entry: Pick<EntryWithCategory, 'name' | 'environment' | 'category'>): string {
  return `${entry.category.name}/${entry.name}/${entry.environment}`;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The entries a path ref matches, out of a list. */
export function matchRef(ref: Extract<Ref, { kind: 'path' }>, entries: EntryWithCategory[]): EntryWithCategory[] {
  return entries.filter(
    (e) =>
      same(e.category.name, ref.category) &&
      same(e.name, ref.project) &&
      (ref.environment === null || e.environment === ref.environment),
  );
}

function ambiguous(text: string, matches: EntryWithCategory[]): CliError {
  return new CliError(`ambiguous ref ${JSON.stringify(text)}: ${matches.map(formatRef).sort().join(', ')}`, EXIT.USAGE);
}

function notFound(text: string, elsewhere: string[]): CliError {
  const hint = elsewhere.length > 0 ? ` (it exists in: ${[...new Set(elsewhere)].sort().join(', ')})` : '';
  return new CliError(`no entry ${JSON.stringify(text)}${hint}`, EXIT.NOT_FOUND);
}

/** Picks the one entry a ref names: exit 3 if none, exit 2 (naming the candidates) if several. */
export function pickOne(text: string, ref: Extract<Ref, { kind: 'path' }>, entries: EntryWithCategory[]): EntryWithCategory {
  const matches = matchRef(ref, entries);
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) throw ambiguous(text, matches);
  const elsewhere = ref.environment === null ? [] : matchRef({ ...ref, environment: null }, entries).map((e) => e.environment);
  throw notFound(text, elsewhere);
}

/**
 * The entry that writes a variable: with an environment, its own entry, else the shared `*` one
 * (the overlay rule); without, the one match, else exit 2 naming the candidates.
 */
export function pickVariable(text: string, ref: Extract<Ref, { kind: 'variable' }>, entries: EntryWithCategory[]): EntryWithCategory {
  const label = `${ref.variable} in ${ref.project}${ref.environment ? `/${ref.environment}` : ''}`;
  const candidates = ref.environment === null ? entries : [ref.environment, '*'].map((env) => entries.filter((e) => e.environment === env)).find((list) => list.length > 0) ?? [];
  if (candidates.length === 1 && candidates[0]) return candidates[0];
  if (candidates.length > 1) throw ambiguous(text, candidates);
  throw notFound(label, entries.map((e) => e.environment));
}

/** Resolves a ref to its entry with one filtered list request (an id: one GET). */
export async function resolveRef(api: ApiClient, text: string, scope: RefScope = {}): Promise<EntryWithCategory> {
  const ref = parseRef(text, scope);
  if (ref.kind === 'id') {
    const entry = await api.json<EntryWithCategory>('GET', `/api/entries/${ref.id}`);
    if (!entry.category) {
      const category = await api.json<EntryWithCategory['category']>('GET', `/api/categories/${entry.categoryId}`);
      return { ...entry, category };
    }
    return entry;
  }
  return pickRef(text, ref, await listFor(api, ref));
}

/** The few entries a path or variable ref can match, filtered by the owner. */
export function listFor(api: ApiClient, ref: Exclude<Ref, { kind: 'id' }>): Promise<EntryWithCategory[]> {
  const query = ref.kind === 'path' ? { project: ref.project, category: ref.category } : { project: ref.project, variable: ref.variable };
  return api.json<EntryWithCategory[]>('GET', '/api/entries', { query });
}

export function pickRef(text: string, ref: Exclude<Ref, { kind: 'id' }>, entries: EntryWithCategory[]): EntryWithCategory {
  return ref.kind === 'path' ? pickOne(text, ref, entries) : pickVariable(text, ref, entries);
}

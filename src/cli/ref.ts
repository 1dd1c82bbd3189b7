// `<ref>`: an entry id, or `Category/Project[/env]` matched case-insensitively (DESIGN §5).
import type { ApiClient } from './client.js';
import { CliError, EXIT } from './errors.js';
import type { EntryWithCategory } from './types.js';

export type Ref =
  | { kind: 'id'; id: string }
  | { kind: 'path'; category: string; project: string; environment: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseRef(text: string): Ref {
  if (UUID.test(text)) return { kind: 'id', id: text.toLowerCase() };
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p.trim() === '')) {
    throw new CliError(`invalid ref ${JSON.stringify(text)}: expected an entry id or Category/Project[/env]`, EXIT.USAGE);
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

/** Picks the one entry a ref names: exit 3 if none, exit 2 (naming the candidates) if several. */
export function pickOne(text: string, ref: Extract<Ref, { kind: 'path' }>, entries: EntryWithCategory[]): EntryWithCategory {
  const matches = matchRef(ref, entries);
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) {
    const candidates = matches.map(formatRef).sort();
    throw new CliError(`ambiguous ref ${JSON.stringify(text)}: ${candidates.join(', ')}`, EXIT.USAGE);
  }
  const elsewhere = matchRef({ ...ref, environment: null }, entries).map((e) => e.environment);
  const hint = ref.environment !== null && elsewhere.length > 0 ? ` (it exists in: ${[...new Set(elsewhere)].sort().join(', ')})` : '';
  throw new CliError(`no entry ${JSON.stringify(text)}${hint}`, EXIT.NOT_FOUND);
}

/** Resolves a ref to its entry with one list request (an id: one GET). */
export async function resolveRef(api: ApiClient, text: string): Promise<EntryWithCategory> {
  const ref = parseRef(text);
  if (ref.kind === 'id') {
    const entry = await api.json<EntryWithCategory>('GET', `/api/entries/${ref.id}`);
    if (!entry.category) {
      const category = await api.json<EntryWithCategory['category']>('GET', `/api/categories/${entry.categoryId}`);
      return { ...entry, category };
    }
    return entry;
  }
  const entries = await api.json<EntryWithCategory[]>('GET', '/api/entries', { query: { project: ref.project } });
  return pickOne(text, ref, entries);
}

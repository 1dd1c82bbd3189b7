// Search over the overviews the page already holds (no value is ever searched: the page has none).
// Every word must match (AND) inside the category, project, environment, variable names or notes
// (so a prefix matches: `prod` finds production); entries that a word names exactly
// (category, project or variable) come first. See docs/desktop.md "Search".
import type { Category, EntryWithCategory } from '../../../shared/model.js';
import type { Filter } from './session.js';

interface Indexed {
  /** Every searchable field, lower-cased, joined by newlines (a query word holds no whitespace). */
  text: string;
  /** Whole names a word may hit exactly: category, project, variable names. */
  names: Set<string>;
}

const index = new WeakMap<EntryWithCategory, Indexed>();

function indexed(entry: EntryWithCategory, fieldsOf: Map<string, string[]>): Indexed {
  const known = index.get(entry);
  if (known) return known;
  const variables = [entry.envVarName, entry.category.envVarName, ...(fieldsOf.get(entry.categoryId) ?? [])].filter((v): v is string => Boolean(v));
  const names = [entry.category.name, entry.name, ...variables].map((s) => s.toLowerCase());
  const text = [...names, entry.environment.toLowerCase(), (entry.notes ?? '').toLowerCase()].join('\n');
  const made: Indexed = { text, names: new Set(names) };
  index.set(entry, made);
  return made;
}

export function queryWords(q: string): string[] {
  return q.toLowerCase().split(/\s+/).filter(Boolean);
}

/** The entries the filter keeps, in list order, exact name hits first. */
export function filterEntries(all: EntryWithCategory[], filter: Filter, categories: Category[]): EntryWithCategory[] {
  const project = filter.project?.toLowerCase() ?? null;
  const words = queryWords(filter.q);
  const fieldsOf = new Map(categories.map((c) => [c.id, c.fields]));
  const exact: EntryWithCategory[] = [];
  const rest: EntryWithCategory[] = [];
  for (const entry of all) {
    if (filter.categoryId && entry.categoryId !== filter.categoryId) continue;
    if (filter.environment && entry.environment !== filter.environment) continue;
    if (project !== null && entry.name.toLowerCase() !== project) continue;
    if (words.length === 0) {
      rest.push(entry);
      continue;
    }
    const ix = indexed(entry, fieldsOf);
    if (!words.every((w) => ix.text.includes(w))) continue;
    (words.some((w) => ix.names.has(w)) || ix.names.has(words.join(' ')) ? exact : rest).push(entry);
  }
  return exact.length ? [...exact, ...rest] : rest;
}

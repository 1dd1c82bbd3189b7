// Secret references (DESIGN §8, §9): `keyden://Category/Project[/env][/FIELD]`, or
// `keyden://Project/env/VAR`, in a .env-style file or a template, so that a repository can commit
// its references and never its keys.
import type { ApiClient } from './client.js';
import { CliError, EXIT } from './errors.js';
import { pickOne, pickVariable } from './ref.js';
import type { EntryWithCategory, Revealed } from './types.js';

export const REF_SCHEME = 'keyden://';

export interface SecretRef {
  text: string;
  category: string;
  project: string;
  environment: string | null;
  field: string | null;
  /** `keyden://Project/env/VAR`: the entry that writes VAR there (its own, else the shared `*` one). */
  variable: string | null;
}

const ENVIRONMENT = /^([a-z][a-z0-9-]{0,31}|\*)$/;
// A variable that could not be an environment (it has a capital or an underscore), so the
// three-part forms Category/Project/env and Project/env/VAR never read alike.
const VARIABLE = /^(?=.*[A-Z_])[A-Za-z_][A-Za-z0-9_]*$/;

/** `keyden://Category/Project` (the one entry in any environment), `…/env`, or `…/env/FIELD`. */
export function parseSecretRef(text: string): SecretRef {
  const parts = text.startsWith(REF_SCHEME) ? text.slice(REF_SCHEME.length).split('/') : [];
  if (parts.length < 2 || parts.length > 4 || parts.some((p) => p.trim() === '')) {
    throw new CliError(`invalid secret reference ${JSON.stringify(text)}: expected keyden://Category/Project[/env][/FIELD]`, EXIT.USAGE);
  }
  if (parts.length === 3 && ENVIRONMENT.test(parts[1]!) && VARIABLE.test(parts[2]!)) {
    return { text, category: '', project: parts[0]!, environment: parts[1]!, field: null, variable: parts[2]! };
  }
  const [category = '', project = '', environment, field] = parts;
  return { text, category, project, environment: environment === undefined ? null : environment.toLowerCase(), field: field ?? null, variable: null };
}

/** The `{{ keyden://… }}` placeholders of a template, in order. */
export const TEMPLATE_REF = /\{\{\s*(keyden:\/\/[^{}\s][^{}]*?)\s*\}\}/g;

/** Resolves references with one list request per project and one reveal per entry. */
export class SecretResolver {
  private readonly projects = new Map<string, Promise<EntryWithCategory[]>>();
  private readonly reveals = new Map<string, Promise<Revealed>>();

  constructor(private readonly api: ApiClient) {}

  async resolve(ref: SecretRef): Promise<string> {
    if (ref.variable !== null) return this.resolveVariable(ref, ref.variable);
    const key = ref.project.toLowerCase();
    let entries = this.projects.get(key);
    if (!entries) {
      entries = this.api.json<EntryWithCategory[]>('GET', '/api/entries', { query: { project: ref.project } });
      this.projects.set(key, entries);
    }
    const entry = pickOne(ref.text, { kind: 'path', category: ref.category, project: ref.project, environment: ref.environment }, await entries);
    let revealed = this.reveals.get(entry.id);
    if (!revealed) {
      revealed = this.api.json<Revealed>('POST', `/api/entries/${entry.id}/reveal`);
      this.reveals.set(entry.id, revealed);
    }
    const value = (await revealed).value;
    if (typeof value === 'string') {
      if (ref.field !== null) throw new CliError(`${ref.text}: a simple entry has no fields`, EXIT.USAGE);
      return value;
    }
    const fields = Object.keys(value);
    if (ref.field === null) throw new CliError(`${ref.text} is a group entry: add one of its fields, ${fields.join(', ')}`, EXIT.USAGE);
    const name = Object.hasOwn(value, ref.field) ? ref.field : fields.find((f) => f.toLowerCase() === ref.field?.toLowerCase());
    if (name === undefined) throw new CliError(`${ref.text}: no field ${ref.field}; its fields are ${fields.join(', ')}`, EXIT.NOT_FOUND);
    return value[name] ?? '';
  }

  private async resolveVariable(ref: SecretRef, variable: string): Promise<string> {
    const entries = await this.api.json<EntryWithCategory[]>('GET', '/api/entries', { query: { project: ref.project, variable } });
    const entry = pickVariable(ref.text, { kind: 'variable', variable, project: ref.project, environment: ref.environment }, entries);
    let revealed = this.reveals.get(entry.id);
    if (!revealed) {
      revealed = this.api.json<Revealed>('POST', `/api/entries/${entry.id}/reveal`);
      this.reveals.set(entry.id, revealed);
    }
    const value = (await revealed).value;
    return typeof value === 'string' ? value : (value[variable] ?? '');
  }

  /** A template with every `{{ keyden://… }}` replaced by its value (all resolved before any is used). */
  async fill(template: string): Promise<string> {
    const refs = [...template.matchAll(TEMPLATE_REF)].map((m) => parseSecretRef(m[1] ?? ''));
    const values = await Promise.all(refs.map((r) => this.resolve(r)));
    let i = 0;
    return template.replace(TEMPLATE_REF, () => values[i++] ?? '');
  }
}

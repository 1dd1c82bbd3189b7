// Projects are derived: the distinct entry names. A project's environment makes a .env (DESIGN §2, §4).
import { ExportFormat, type Category, type EntryValue, type ImportMode, type ImportSummary, type Project } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import type { Caller, ProjectConflict, ProjectService, ProjectVariable } from '../core/types.js';
import type { Categories } from './categories.js';
import { lower, type EntryRecord, type VaultContext } from './context.js';
import { visibleTo, type Entries } from './entries.js';
import { formatVariables } from './envfile.js';
import { Importer } from './importer.js';
import { parseInput } from './validate.js';

export interface Binding {
  entry: EntryRecord;
  field: string | null;
}

export class Projects implements ProjectService {
  private readonly importer: Importer;

  constructor(
    private readonly v: VaultContext,
    categories: Categories,
    private readonly entries: Entries,
  ) {
    this.importer = new Importer(v, categories, entries, this);
  }

  list(caller: Caller): Project[] {
    this.v.keys();
    const byName = new Map<string, Project>();
    for (const e of this.v.overviews.entries.values()) {
      if (!visibleTo(caller, e)) continue;
      const key = lower(e.name);
      let p = byName.get(key);
      if (!p) byName.set(key, (p = { name: e.name, environments: {}, entryCount: 0 }));
      p.environments[e.environment] = (Object.hasOwn(p.environments, e.environment) ? p.environments[e.environment]! : 0) + 1;
      p.entryCount++;
    }
    return [...byName.values()].sort((a, b) => lower(a.name).localeCompare(lower(b.name)));
  }

  /** The visible entries of a project (any letter case), in one environment or all. */
  projectEntries(caller: Caller, project: string, environment?: string): EntryRecord[] {
    const key = lower(project);
    return [...this.v.overviews.entries.values()].filter(
      (e) => lower(e.name) === key && (environment === undefined || e.environment === environment) && visibleTo(caller, e),
    );
  }

  /** Which variable each entry writes: the entry's override, else its category's name or fields. */
  bindings(entries: EntryRecord[]): Map<string, Binding[]> {
    const out = new Map<string, Binding[]>();
    const add = (name: string, b: Binding) => {
      const list = out.get(name);
      if (list) list.push(b);
      else out.set(name, [b]);
    };
    for (const entry of entries) {
      const c = this.v.overviews.categories.get(entry.categoryId);
      if (!c) continue;
      if (c.keyType === 'simple') add(entry.envVarName ?? c.envVarName ?? '', { entry, field: null });
      else for (const f of c.fields) add(f, { entry, field: f });
    }
    return out;
  }

  ref(e: EntryRecord): string {
    return `${this.v.overviews.categories.get(e.categoryId)?.name ?? '?'}/${e.name}/${e.environment}`;
  }

  variables(caller: Caller, project: string, environment: string): { variables: ProjectVariable[]; conflicts: ProjectConflict[] } {
    this.v.keys();
    const variables: ProjectVariable[] = [];
    const conflicts: ProjectConflict[] = [];
    const sorted = [...this.bindings(this.projectEntries(caller, project, environment))].sort(([a], [b]) => a.localeCompare(b));
    for (const [name, list] of sorted) {
      const categoryName = (b: Binding) => this.v.overviews.categories.get(b.entry.categoryId)?.name ?? '?';
      if (list.length > 1) conflicts.push({ name, entries: list.map((b) => ({ entryId: b.entry.id, categoryName: categoryName(b) })) });
      else variables.push({ name, entryId: list[0]!.entry.id, categoryName: categoryName(list[0]!), field: list[0]!.field });
    }
    return { variables, conflicts };
  }

  async exportEnv(caller: Caller, project: string, environment: string, rawFormat: ExportFormat): Promise<string> {
    const format = parseInput(ExportFormat, rawFormat);
    const keys = this.v.keys();
    // Unknown, or outside the token's projects or environments: 404, as if absent.
    const outsideLimits = caller.environments !== null && !caller.environments.includes(environment);
    if (outsideLimits || this.projectEntries(caller, project).length === 0) throw new KeydenError('NOT_FOUND', `project "${project}" not found`, { project });
    const entries = this.projectEntries(caller, project, environment);
    const bindings = this.bindings(entries);
    for (const [name, list] of bindings) {
      if (list.length > 1) {
        const refs = list.map((b) => this.ref(b.entry));
        throw new KeydenError('EXPORT_CONFLICT', `${name} would be written by ${refs.join(' and ')}; give one of them its own variable name`, {
          variable: name,
          entries: refs,
        });
      }
    }
    const values = new Map<string, EntryValue>();
    for (const e of entries) values.set(e.id, this.entries.readValue(keys, e));
    const vars = [...bindings]
      .map(([name, [b]]) => {
        const value = values.get(b!.entry.id)!;
        const field = b!.field;
        // Own properties only: a field named constructor or toString must not read Object's.
        const group = value as Record<string, string>;
        return { name, value: field === null ? (value as string) : Object.hasOwn(group, field) ? group[field]! : '' };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    const displayName = entries[0]?.name ?? project;
    const text = formatVariables(vars, format, `Keyden export: project "${displayName}", environment "${environment}", ${this.v.now()}`);
    await this.v.audit.record({ actor: caller.actor, action: 'project.export', targetId: null, ok: true, detail: { project: displayName, environment, format } });
    return text;
  }

  importEnv(caller: Caller, project: string, environment: string, content: string, mode: ImportMode): ImportSummary {
    return this.importer.run(caller, project, environment, content, mode);
  }

  /** Variable name → the categories whose envVarName or group fields write it. */
  categoryClaims(): Map<string, Category[]> {
    const out = new Map<string, Category[]>();
    for (const c of this.v.overviews.categories.values()) {
      const names = c.keyType === 'simple' ? (c.envVarName ? [c.envVarName] : []) : c.fields;
      for (const n of names) {
        const list = out.get(n);
        if (list) list.push(c);
        else out.set(n, [c]);
      }
    }
    return out;
  }
}

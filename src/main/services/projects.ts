// Projects: the distinct entry names, with an optional record (description, environments list,
// template). An environment's .env is the project's shared `*` entries overlaid by its own
// (DESIGN §2, §4, §9).
import { ExportFormat, ImportFormat, ProjectQuery, SHARED_ENVIRONMENT, type Category, type EntryValue, type ImportMode, type ImportSummary, type Project } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import type { Caller, ProjectConflict, ProjectService, ProjectVariable } from '../core/types.js';
import type { Categories } from './categories.js';
import { lower, projectKey, type EntryRecord, type Keys, type VaultContext } from './context.js';
import { visibleTo } from './access.js';
import type { Entries } from './entries.js';
import { formatVariables } from './envfile.js';
import { Importer } from './importer.js';
import { ProjectRecords, type ProjectRecord } from './project-records.js';
import { parseInput } from './validate.js';

export interface Binding {
  entry: EntryRecord;
  field: string | null;
}

/** One variable of an environment's .env: its binding, and whether it came from `*`. */
export interface OverlaidVariable extends Binding {
  name: string;
  shared: boolean;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class Projects implements ProjectService {
  private readonly importer: Importer;
  readonly records: ProjectRecords;

  constructor(
    private readonly v: VaultContext,
    categories: Categories,
    private readonly entries: Entries,
  ) {
    this.records = new ProjectRecords(v);
    this.importer = new Importer(v, categories, entries, this);
  }

  /** Whether a limited token may see this project at all (its entries are checked one by one). */
  private projectVisible(caller: Caller, name: string): boolean {
    return caller.projects === null || caller.projects.some((p) => lower(p) === lower(name));
  }

  /**
   * Whether a project known only by its record (description, template, environments list) is
   * visible: in the caller's projects and, for an environment-limited caller, naming one of its
   * environments. A project with nothing in those environments stays hidden (DESIGN §4 limits).
   */
  private recordVisible(caller: Caller, r: ProjectRecord): boolean {
    if (!this.projectVisible(caller, r.name)) return false;
    const limits = caller.environments;
    return limits === null || r.environments.some((env) => limits.includes(env));
  }

  list(caller: Caller): Project[] {
    this.v.keys();
    // Environments counted in Maps: a name such as `constructor` or `__proto__` is an ordinary key.
    const projects = new Map<string, { project: Project; environments: Map<string, number> }>();
    const start = (key: string, name: string) => {
      let p = projects.get(key);
      if (!p) projects.set(key, (p = { project: { name, description: null, environments: {}, entryCount: 0, template: [] }, environments: new Map() }));
      return p;
    };
    for (const e of this.v.overviews.entries.values()) {
      if (!visibleTo(caller, e)) continue;
      const p = start(projectKey(e), e.name);
      p.environments.set(e.environment, (p.environments.get(e.environment) ?? 0) + 1);
      p.project.entryCount++;
    }
    for (const [key, r] of this.records.all()) {
      // Visible entries make the project visible; a record alone, only if recordVisible.
      if (!projects.has(key) && !this.recordVisible(caller, r)) continue;
      const p = start(key, r.name);
      Object.assign(p.project, { name: r.name, description: r.description, template: r.template });
      for (const env of r.environments) if (visibleTo(caller, { name: r.name, environment: env }) && !p.environments.has(env)) p.environments.set(env, 0);
    }
    return [...projects.values()]
      .map(({ project, environments }) => ({ ...project, environments: Object.fromEntries(environments) }))
      .sort((a, b) => lower(a.name).localeCompare(lower(b.name)));
  }

  /** `GET /api/projects?q=&limit=&offset=`: q matches names and descriptions (case-insensitive). */
  search(caller: Caller, raw: ProjectQuery = {}): { items: Project[]; total: number } {
    const query = parseInput(ProjectQuery, raw);
    const q = query.q ? lower(query.q) : null;
    const matches = this.list(caller).filter((p) => q === null || lower(p.name).includes(q) || lower(p.description ?? '').includes(q));
    const offset = query.offset ?? 0;
    return { items: query.limit === undefined ? matches.slice(offset) : matches.slice(offset, offset + query.limit), total: matches.length };
  }

  /** The visible entries of a project (any letter case), in one environment or all. */
  projectEntries(caller: Caller, project: string, environment?: string): EntryRecord[] {
    return this.v.overviews.entriesOfProject(lower(project)).filter((e) => (environment === undefined || e.environment === environment) && visibleTo(caller, e));
  }

  /** The project's name as stored, if the caller can see it (entries or a record), else 404. */
  requireProject(caller: Caller, project: string): string {
    this.v.keys();
    const entry = this.projectEntries(caller, project)[0];
    if (entry) return entry.name;
    const record = this.records.get(project);
    if (record && this.recordVisible(caller, record)) return record.name;
    throw new KeydenError('NOT_FOUND', `project "${project}" not found`, { project });
  }

  /** The environments that exist in a project (own entries, or its list; `*` makes none), as the caller sees them. */
  environments(caller: Caller, project: string): string[] {
    const envs = new Set<string>();
    for (const e of this.projectEntries(caller, project)) if (e.environment !== SHARED_ENVIRONMENT) envs.add(e.environment);
    for (const env of this.records.get(project)?.environments ?? []) envs.add(env);
    return [...envs].filter((env) => caller.environments === null || caller.environments.includes(env)).sort(byName);
  }

  /** 404 naming the environments that exist when `environment` is not one of them (a typo is never an empty success). */
  requireEnvironment(caller: Caller, project: string, environment: string): string {
    const name = this.requireProject(caller, project);
    const known = this.environments(caller, project);
    if (known.includes(environment)) return name;
    const limited = caller.environments !== null;
    const list = known.length > 0 ? known.join(', ') : 'none yet';
    const hint = limited ? `(available to this token: ${list})` : `; its environments: ${list}`;
    throw new KeydenError('NOT_FOUND', `environment "${environment}" not found in project "${name}"${limited ? ' ' : ''}${hint}`, { project: name, environment, environments: known });
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

  /**
   * An environment's variables: the `*` entries overlaid by the environment's own, which win per
   * variable. Two entries of one level that write the same variable are a conflict.
   */
  overlay(caller: Caller, project: string, environment: string): { variables: OverlaidVariable[]; conflicts: { name: string; entries: EntryRecord[] }[] } {
    const merged = new Map<string, OverlaidVariable>();
    const conflicts: { name: string; entries: EntryRecord[] }[] = [];
    const levels = environment === SHARED_ENVIRONMENT ? [SHARED_ENVIRONMENT] : [SHARED_ENVIRONMENT, environment];
    for (const level of levels) {
      for (const [name, list] of this.bindings(this.projectEntries(caller, project, level))) {
        if (list.length > 1) {
          conflicts.push({ name, entries: list.map((b) => b.entry) });
          merged.delete(name);
        } else merged.set(name, { name, ...list[0]!, shared: level === SHARED_ENVIRONMENT && environment !== SHARED_ENVIRONMENT });
      }
    }
    const own = new Set(conflicts.map((c) => c.name));
    return { variables: [...merged.values()].filter((v) => !own.has(v.name)).sort((a, b) => byName(a.name, b.name)), conflicts };
  }

  variables(caller: Caller, project: string, environment: string): { variables: ProjectVariable[]; conflicts: ProjectConflict[] } {
    this.v.keys();
    const categoryName = (e: EntryRecord) => this.v.overviews.categories.get(e.categoryId)?.name ?? '?';
    const { variables, conflicts } = this.overlay(caller, project, environment);
    return {
      variables: variables.map((x) => ({ name: x.name, entryId: x.entry.id, categoryName: categoryName(x.entry), field: x.field, shared: x.shared })),
      conflicts: conflicts.map((c) => ({ name: c.name, entries: c.entries.map((e) => ({ entryId: e.id, categoryName: categoryName(e) })) })),
    };
  }

  /** The values of an environment's .env, exactly; EXPORT_CONFLICT when two entries of one level write a variable. */
  resolve(caller: Caller, project: string, environment: string): { name: string; value: string; shared: boolean }[] {
    const keys = this.v.keys();
    const { variables, conflicts } = this.overlay(caller, project, environment);
    const conflict = conflicts[0];
    if (conflict) {
      const refs = conflict.entries.map((e) => this.ref(e));
      throw new KeydenError('EXPORT_CONFLICT', `${conflict.name} would be written by ${refs.join(' and ')}; give one of them its own variable name`, {
        variable: conflict.name,
        entries: refs,
      });
    }
    const valueOf = this.valueReader(keys);
    return variables.map((x) => ({ name: x.name, value: valueOf(x), shared: x.shared }));
  }

  /** Reads variables' values, opening each entry once; a group field the value lacks is empty. */
  private valueReader(keys: Keys): (x: OverlaidVariable) => string {
    const values = new Map<string, EntryValue>();
    return (x) => {
      let value = values.get(x.entry.id);
      if (value === undefined) values.set(x.entry.id, (value = this.entries.readValue(keys, x.entry)));
      if (x.field === null) return value as string;
      // Own properties only: a field named constructor or toString must not read Object's.
      const group = value as Record<string, string>;
      return Object.hasOwn(group, x.field) ? group[x.field]! : '';
    };
  }

  /**
   * The variables of an environment's .env whose value is empty (a group field added while
   * entries used the category, or a value set empty on purpose). Values are opened here, in the
   * owner, and never leave it: the answer names variables only.
   */
  emptyVariables(caller: Caller, project: string, environment: string): string[] {
    const valueOf = this.valueReader(this.v.keys());
    return this.overlay(caller, project, environment)
      .variables.filter((x) => valueOf(x) === '')
      .map((x) => x.name);
  }

  async exportEnv(caller: Caller, project: string, environment: string, rawFormat: ExportFormat): Promise<string> {
    const format = parseInput(ExportFormat, rawFormat);
    const displayName = this.requireEnvironment(caller, project, environment);
    const vars = this.resolve(caller, project, environment);
    const shared = vars.filter((x) => x.shared).map((x) => x.name);
    // Names only: the header never holds a value.
    const header = [`Keyden export: project "${displayName}", environment "${environment}", ${this.v.now()}`];
    if (shared.length > 0) header.push(`shared by every environment (*): ${shared.join(', ')}`);
    const text = formatVariables(vars, format, header.join('\n# '));
    await this.v.audit.record({ actor: caller.actor, action: 'project.export', targetId: null, ok: true, detail: { project: displayName, environment, format, shared: shared.length } });
    return text;
  }

  importEnv(caller: Caller, project: string, environment: string, content: string, mode: ImportMode, format?: ImportFormat): ImportSummary {
    return this.importer.run(caller, project, environment, content, mode, format);
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

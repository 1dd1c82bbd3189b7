// Projects are derived: the distinct entry names. A project's environment makes a .env (DESIGN §2, §4).
import { Environment, EnvVarName, ExportFormat, ImportMode, MAX_SIMPLE_VALUE_BYTES, Name, type Category, type EntryValue, type ImportSummary, type Project } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import type { Caller, ProjectConflict, ProjectService, ProjectVariable } from '../core/types.js';
import type { Categories } from './categories.js';
import { lower, newId, type EntryRecord, type VaultContext } from './context.js';
import { normalizeValue, visibleTo, type Entries } from './entries.js';
import { formatVariables, parseDotenv, type ParsedVariable } from './envfile.js';
import { parseInput } from './validate.js';

const utf8 = new TextEncoder();

interface Binding {
  entry: EntryRecord;
  field: string | null;
}

export class Projects implements ProjectService {
  constructor(
    private readonly v: VaultContext,
    private readonly categories: Categories,
    private readonly entries: Entries,
  ) {}

  list(caller: Caller): Project[] {
    this.v.keys();
    const byName = new Map<string, Project>();
    for (const e of this.v.overviews.entries.values()) {
      if (!visibleTo(caller, e)) continue;
      const key = lower(e.name);
      let p = byName.get(key);
      if (!p) byName.set(key, (p = { name: e.name, environments: {}, entryCount: 0 }));
      p.environments[e.environment] = (p.environments[e.environment] ?? 0) + 1;
      p.entryCount++;
    }
    return [...byName.values()].sort((a, b) => lower(a.name).localeCompare(lower(b.name)));
  }

  private projectEntries(caller: Caller, project: string, environment?: string): EntryRecord[] {
    const key = lower(project);
    return [...this.v.overviews.entries.values()].filter(
      (e) => lower(e.name) === key && (environment === undefined || e.environment === environment) && visibleTo(caller, e),
    );
  }

  /** Which variable each entry writes: the entry's override, else its category's name or fields. */
  private bindings(entries: EntryRecord[]): Map<string, Binding[]> {
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

  private ref(e: EntryRecord): string {
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
        return { name, value: b!.field === null ? (value as string) : ((value as Record<string, string>)[b!.field] ?? '') };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    const displayName = entries[0]?.name ?? project;
    const text = formatVariables(vars, format, `Keyden export: project "${displayName}", environment "${environment}", ${this.v.now()}`);
    await this.v.audit.record({ actor: caller.actor, action: 'project.export', targetId: null, ok: true, detail: { project: displayName, environment, format } });
    return text;
  }

  importEnv(caller: Caller, project: string, environment: string, content: string, rawMode: ImportMode): ImportSummary {
    const mode = parseInput(ImportMode, rawMode);
    parseInput(Name, project);
    parseInput(Environment, environment);
    const keys = this.v.keys();
    if (!visibleTo(caller, { name: project, environment })) {
      throw new KeydenError('SCOPE_REQUIRED', 'this token may not write to that project or environment', { project, environment });
    }
    const summary: ImportSummary = { imported: 0, updated: 0, skipped: 0, failed: [] };
    const parsed = parseDotenv(content);
    const existing = this.projectEntries(caller, project, environment);
    const bound = this.bindings(existing);
    const claims = this.categoryClaims();
    const now = this.v.now();

    // Variables gathered per target entry: field name ('' for a simple value) → variable.
    const updates = new Map<string, { entry: EntryRecord; fields: Map<string, ParsedVariable> }>();
    const creates = new Map<string, { categoryId: string | null; newCategoryVar?: string; fields: Map<string, ParsedVariable> }>();

    for (const variable of parsed) {
      const fail = (reason: string) => summary.failed.push({ key: variable.name, line: variable.line, reason });
      // dotenv takes names like MY-VAR or 1ABC, which no category may write.
      if (!EnvVarName.safeParse(variable.name).success) {
        fail('not a valid variable name (^[A-Za-z_][A-Za-z0-9_]*$, at most 128 characters)');
        continue;
      }
      if (utf8.encode(variable.value).length > MAX_SIMPLE_VALUE_BYTES) {
        fail('value is larger than 64 KiB');
        continue;
      }
      const own = bound.get(variable.name);
      if (own && own.length > 1) {
        fail(`several entries of this project write it (${own.map((b) => this.ref(b.entry)).join(', ')})`);
        continue;
      }
      if (own) {
        const entry = own[0]!.entry;
        const plan = updates.get(entry.id) ?? { entry, fields: new Map<string, ParsedVariable>() };
        plan.fields.set(own[0]!.field ?? '', variable);
        updates.set(entry.id, plan);
        continue;
      }
      const claimed = claims.get(variable.name) ?? [];
      if (claimed.length > 1) {
        fail(`several categories claim it (${claimed.map((c) => c.name).join(', ')})`);
        continue;
      }
      if (claimed.length === 1) {
        const c = claimed[0]!;
        // Its entry here writes an override instead; a second entry would break (category, project, environment) uniqueness.
        const taken = this.entries.findDuplicate(c.id, project, environment);
        if (taken) {
          fail(`the project's ${c.name} entry writes ${taken.envVarName ?? 'another variable'} instead`);
          continue;
        }
        const plan = creates.get(c.id) ?? { categoryId: c.id, fields: new Map<string, ParsedVariable>() };
        plan.fields.set(c.keyType === 'group' ? variable.name : '', variable);
        creates.set(c.id, plan);
        continue;
      }
      const clash = this.categories.findByName(variable.name);
      if (clash) {
        fail(`a category named "${clash.name}" exists but does not write ${variable.name}`);
        continue;
      }
      creates.set(`new:${variable.name}`, { categoryId: null, newCategoryVar: variable.name, fields: new Map([['', variable]]) });
    }

    const newCategories: Category[] = [];
    const newEntries: { entry: EntryRecord; value: EntryValue }[] = [];
    const changed: { current: EntryRecord; next: EntryRecord; oldValue: EntryValue; value: EntryValue }[] = [];

    for (const plan of updates.values()) {
      const count = plan.fields.size;
      if (mode === 'skip') {
        summary.skipped += count;
        continue;
      }
      const category = this.v.overviews.categories.get(plan.entry.categoryId)!;
      const oldValue = this.entries.readValue(keys, plan.entry);
      const value: EntryValue =
        category.keyType === 'simple'
          ? plan.fields.get('')!.value
          : { ...(oldValue as Record<string, string>), ...Object.fromEntries([...plan.fields].map(([f, v]) => [f, v.value])) };
      const normalized = normalizeValue(category, value);
      if (JSON.stringify(normalized) === JSON.stringify(oldValue)) {
        summary.skipped += count;
        continue;
      }
      changed.push({ current: plan.entry, next: { ...plan.entry, updatedAt: now }, oldValue, value: normalized });
      summary.updated += count;
    }

    for (const plan of creates.values()) {
      let category = plan.categoryId ? this.v.overviews.categories.get(plan.categoryId)! : null;
      if (!category) {
        category = { id: newId(), name: plan.newCategoryVar!, keyType: 'simple', envVarName: plan.newCategoryVar!, fields: [], icon: null, createdAt: now, updatedAt: now };
        newCategories.push(category);
      }
      let value: EntryValue;
      if (category.keyType === 'simple') value = plan.fields.get('')!.value;
      else {
        const missing = category.fields.filter((f) => !plan.fields.has(f));
        if (missing.length > 0) {
          for (const v of plan.fields.values()) {
            summary.failed.push({ key: v.name, line: v.line, reason: `a new ${category.name} entry needs all its fields; missing ${missing.join(', ')}` });
          }
          continue;
        }
        value = Object.fromEntries(category.fields.map((f) => [f, plan.fields.get(f)!.value]));
      }
      if (category.keyType === 'simple' && new TextEncoder().encode(value as string).length > 64 * 1024) {
        const v = plan.fields.get('')!;
        summary.failed.push({ key: v.name, line: v.line, reason: 'value is larger than 64 KiB' });
        continue;
      }
      const entry: EntryRecord = { id: newId(), categoryId: category.id, name: existing[0]?.name ?? project, environment, notes: null, envVarName: null, expiresAt: null, createdAt: now, updatedAt: now };
      newEntries.push({ entry, value });
      summary.imported += plan.fields.size;
    }
    summary.failed.sort((a, b) => a.line - b.line);

    const db = this.v.db();
    db.transaction(() => {
      for (const c of newCategories) this.categories.insert(caller, c);
      for (const n of newEntries) this.entries.insert(caller, keys, n.entry, n.value);
      for (const u of changed) {
        this.entries.write(keys, u.current, u.next, u.oldValue, u.value);
        this.v.audit.write({ actor: caller.actor, action: 'entry.update', targetId: u.next.id, ok: true, detail: { name: u.next.name, environment, valueChanged: true } });
      }
      this.v.audit.write({ actor: caller.actor, action: 'project.import', targetId: null, ok: true, detail: { project, environment, summary: { ...summary, failed: summary.failed.length } } });
    }).immediate();
    for (const c of newCategories) this.v.overviews.categories.set(c.id, c);
    for (const n of newEntries) this.v.overviews.entries.set(n.entry.id, n.entry);
    for (const u of changed) this.v.overviews.entries.set(u.next.id, u.next);
    this.v.overviews.generation++;
    return summary;
  }

  /** Variable name → the categories whose envVarName or group fields write it. */
  private categoryClaims(): Map<string, Category[]> {
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

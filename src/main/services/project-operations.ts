// What a developer does to a whole project or environment (DESIGN §9): rename, describe, list
// environments, delete (to the trash), copy/promote, templates and validate. Each is one
// transaction, audited, and answers a summary.
import {
  CopyInput,
  EnvironmentPatch,
  ProjectPatch,
  SHARED_ENVIRONMENT,
  TemplateInput,
  type CopySummary,
  type EntryValue,
  type Project,
  type ProjectDeleted,
  type Validation,
} from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import type { Caller } from '../core/types.js';
import { lower, newId, type EntryRecord, type VaultContext } from './context.js';
import { variablesOf, writableBy } from './access.js';
import { blindTo, type Entries } from './entries.js';
import type { ProjectRecord } from './project-records.js';
import type { Projects } from './projects.js';
import { parseInput, parseNewName } from './validate.js';

const sameValue = (a: EntryValue, b: EntryValue): boolean => JSON.stringify(a) === JSON.stringify(b);

export class ProjectOperations {
  constructor(
    private readonly v: VaultContext,
    private readonly entries: Entries,
    private readonly projects: Projects,
  ) {}

  /** Project-wide changes move entries of every environment: a token limited to environments may not. */
  private requireWholeProject(caller: Caller, project: string): { name: string; all: EntryRecord[] } {
    const name = this.projects.requireProject(caller, project);
    if (caller.environments !== null) {
      throw new KeydenError('SCOPE_REQUIRED', 'this token is limited to some environments; changing a whole project needs a token without environment limits', { project: name });
    }
    return { name, all: this.projects.projectEntries(caller, project) };
  }

  private record(name: string, now: string): ProjectRecord {
    return { ...(this.projects.records.get(name) ?? this.projects.records.blank(name, now)) };
  }

  private project(caller: Caller, name: string): Project {
    return this.projects.list(caller).find((p) => lower(p.name) === lower(name))!;
  }

  /** `PATCH /api/projects/{name}`: rename (moves every entry; 409 onto another project), description, environments list. */
  patch(caller: Caller, project: string, raw: ProjectPatch): Project {
    const input = parseInput(ProjectPatch, raw);
    const keys = this.v.keys();
    const { name, all } = this.requireWholeProject(caller, project);
    const newName = input.name ?? name;
    const renamed = newName !== name;
    if (renamed) parseNewName('project', 'name', newName);
    if (renamed && lower(newName) !== lower(name)) {
      if (caller.projects !== null && !caller.projects.some((p) => lower(p) === lower(newName))) {
        throw new KeydenError('SCOPE_REQUIRED', 'this token may not write to that project', { project: newName });
      }
      const taken = this.v.overviews.entriesOfProject(lower(newName))[0]?.name ?? this.projects.records.get(newName)?.name;
      if (taken) throw new KeydenError('CONFLICT', `a project named "${taken}" already exists`, { project: taken });
    }
    const now = this.v.now();
    const record = this.record(name, now);
    const hadRecord = this.projects.records.get(name) !== undefined;
    record.name = newName;
    record.updatedAt = now;
    if (input.description !== undefined) record.description = input.description;
    if (input.environments !== undefined) record.environments = input.environments;
    const moved = renamed ? all.map((e) => ({ ...e, name: newName, updatedAt: now })) : [];
    this.v.write(() => {
      for (const e of moved) this.entries.rewriteOverview(keys, e);
      if (hadRecord || input.description !== undefined || input.environments !== undefined) this.projects.records.save(keys, record);
      if (renamed) this.v.audit.write({ actor: caller.actor, action: 'project.rename', targetId: null, ok: true, detail: { from: name, to: newName, entries: moved.length } });
      if (input.description !== undefined || input.environments !== undefined) {
        this.v.audit.write({ actor: caller.actor, action: 'project.rename', targetId: null, ok: true, detail: { project: newName, description: input.description !== undefined, environments: record.environments } });
      }
    });
    for (const e of moved) this.v.overviews.entries.set(e.id, e);
    this.v.overviews.generation++;
    return this.project(caller, newName);
  }

  /** `DELETE /api/projects/{name}`: every entry to the trash, the record gone. */
  remove(caller: Caller, project: string): ProjectDeleted {
    const { name, all } = this.requireWholeProject(caller, project);
    const record = this.projects.records.get(name);
    this.v.write(() => {
      this.entries.trash(caller, all, this.v.now());
      if (record) this.projects.records.remove(record.id);
      this.v.audit.write({ actor: caller.actor, action: 'project.delete', targetId: null, ok: true, detail: { project: name, trashed: all.length } });
    });
    this.entries.forget(all);
    return { project: name, trashed: all.length };
  }

  private refuseShared(environment: string): void {
    if (environment === SHARED_ENVIRONMENT) {
      throw new KeydenError('VALIDATION_FAILED', '"*" holds the shared variables of every environment; it cannot be renamed or deleted (delete its entries instead)', { environment: 'must not be *' });
    }
  }

  /** `PATCH …/environments/{env}` `{name}`: moves the environment's entries; 409 if one would collide. */
  renameEnvironment(caller: Caller, project: string, environment: string, raw: { name: string }): Project {
    this.refuseShared(environment);
    const to = parseInput(EnvironmentPatch, raw).name;
    const keys = this.v.keys();
    const name = this.projects.requireEnvironment(caller, project, environment);
    if (!writableBy(caller, { name, environment: to })) throw new KeydenError('SCOPE_REQUIRED', 'this token may not write to that environment', { project: name, environment: to });
    const list = this.projects.projectEntries(caller, project, environment);
    const now = this.v.now();
    const moved = list.map((e) => ({ ...e, environment: to, updatedAt: now }));
    for (const e of moved) this.entries.assertUnique(e.categoryId, e.name, to, e.id, e.envVarName);
    const record = this.projects.records.get(name);
    this.v.write(() => {
      for (const e of moved) this.entries.rewriteOverview(keys, e);
      if (record) this.projects.records.save(keys, { ...record, environments: [...new Set(record.environments.map((x) => (x === environment ? to : x)))], updatedAt: now });
      this.v.audit.write({ actor: caller.actor, action: 'environment.rename', targetId: null, ok: true, detail: { project: name, from: environment, to, entries: moved.length } });
    });
    for (const e of moved) this.v.overviews.entries.set(e.id, e);
    this.v.overviews.generation++;
    return this.project(caller, name);
  }

  /** `DELETE …/environments/{env}`: its entries to the trash, and out of the project's list. */
  removeEnvironment(caller: Caller, project: string, environment: string): ProjectDeleted {
    this.refuseShared(environment);
    const keys = this.v.keys();
    const name = this.projects.requireEnvironment(caller, project, environment);
    if (!writableBy(caller, { name, environment })) throw new KeydenError('SCOPE_REQUIRED', 'this token may not write to that environment', { project: name, environment });
    const list = this.projects.projectEntries(caller, project, environment);
    const record = this.projects.records.get(name);
    const now = this.v.now();
    this.v.write(() => {
      this.entries.trash(caller, list, now);
      if (record) this.projects.records.save(keys, { ...record, environments: record.environments.filter((x) => x !== environment), updatedAt: now });
      this.v.audit.write({ actor: caller.actor, action: 'environment.delete', targetId: null, ok: true, detail: { project: name, environment, trashed: list.length } });
    });
    this.entries.forget(list);
    return { project: name, trashed: list.length };
  }

  /**
   * `POST …/copy` (promote): the source environment's own entries (or those writing `variables`)
   * into `to`. Names only in the answer; `dryRun` writes nothing. A caller that may not reveal
   * learns nothing about equality: an equal value is reported and written as changed.
   */
  copy(caller: Caller, project: string, raw: CopyInput): CopySummary {
    const canCompare = !blindTo(caller);
    const input = parseInput(CopyInput, raw);
    const keys = this.v.keys();
    if (input.from === input.to) throw new KeydenError('VALIDATION_FAILED', 'from and to are the same environment', { to: 'must differ from from' });
    const name = this.projects.requireEnvironment(caller, project, input.from);
    if (!writableBy(caller, { name, environment: input.to })) throw new KeydenError('SCOPE_REQUIRED', 'this token may not write to that environment', { project: name, environment: input.to });
    const category = (e: EntryRecord) => this.v.overviews.categories.get(e.categoryId)!;
    let sources = this.projects.projectEntries(caller, project, input.from);
    if (input.variables) {
      const wanted = new Set(input.variables);
      const found = new Set(sources.flatMap((e) => variablesOf(e, category(e))).filter((n) => wanted.has(n)));
      const absent = input.variables.filter((n) => !found.has(n));
      if (absent.length > 0) throw new KeydenError('VALIDATION_FAILED', `not in ${input.from}: ${absent.join(', ')}`, { variables: `not in ${input.from}: ${absent.join(', ')}` });
      sources = sources.filter((e) => variablesOf(e, category(e)).some((n) => wanted.has(n)));
    }
    const summary: CopySummary = { from: input.from, to: input.to, dryRun: input.dryRun, added: [], changed: [], unchanged: [], skipped: [] };
    const now = this.v.now();
    const creates: { entry: EntryRecord; value: EntryValue }[] = [];
    const updates: { current: EntryRecord; next: EntryRecord; oldValue: EntryValue; value: EntryValue }[] = [];
    for (const source of sources) {
      const names = variablesOf(source, category(source));
      const value = this.entries.readValue(keys, source);
      const target = this.entries.findDuplicate(source.categoryId, name, input.to, undefined, source.envVarName);
      if (!target) {
        summary.added.push(...names);
        creates.push({ entry: { ...source, id: newId(), name, environment: input.to, createdAt: now, updatedAt: now }, value });
        continue;
      }
      const oldValue = this.entries.readValue(keys, target);
      if (canCompare && sameValue(oldValue, value)) summary.unchanged.push(...names);
      else if (!input.overwrite) summary.skipped.push(...names);
      else {
        summary.changed.push(...names);
        // A caller that may not compare gets the same write for an equal value (DESIGN §4).
        if (!canCompare || !sameValue(oldValue, value)) updates.push({ current: target, next: { ...target, updatedAt: now }, oldValue, value });
      }
    }
    for (const list of [summary.added, summary.changed, summary.unchanged, summary.skipped]) list.sort();
    if (input.dryRun) return summary;
    this.v.write(() => {
      for (const c of creates) this.entries.insert(caller, keys, c.entry, c.value);
      for (const u of updates) {
        this.entries.write(keys, u.current, u.next, u.value, { oldValue: u.oldValue, valueChanged: true });
        this.v.audit.write({ actor: caller.actor, action: 'entry.update', targetId: u.next.id, ok: true, detail: { name: u.next.name, environment: u.next.environment, valueChanged: true } });
      }
      this.v.audit.write({
        actor: caller.actor,
        action: 'project.copy',
        targetId: null,
        ok: true,
        detail: { project: name, from: input.from, to: input.to, added: summary.added, changed: summary.changed, skipped: summary.skipped },
      });
    });
    const o = this.v.overviews;
    for (const c of creates) o.entries.set(c.entry.id, c.entry);
    for (const u of updates) o.entries.set(u.next.id, u.next);
    o.generation++;
    return summary;
  }

  /** `PUT …/template`: the variables every environment must have. */
  setTemplate(caller: Caller, project: string, raw: TemplateInput): Project {
    const input = parseInput(TemplateInput, raw);
    const keys = this.v.keys();
    const { name } = this.requireWholeProject(caller, project);
    const now = this.v.now();
    const record = { ...this.record(name, now), template: input.variables, updatedAt: now };
    this.v.write(() => {
      this.projects.records.save(keys, record);
      this.v.audit.write({ actor: caller.actor, action: 'template.update', targetId: null, ok: true, detail: { project: name, variables: input.variables } });
    });
    this.v.overviews.generation++;
    return this.project(caller, name);
  }

  /** `GET …/validate?environment=E`: which of the template's variables E's .env lacks. */
  validate(caller: Caller, project: string, environment: string): Validation {
    this.v.keys();
    const name = this.projects.requireEnvironment(caller, project, environment);
    const required = this.projects.records.get(name)?.template ?? [];
    const present = new Set(this.projects.overlay(caller, project, environment).variables.map((x) => x.name));
    return {
      project: name,
      environment,
      required,
      present: required.filter((n) => present.has(n)),
      missing: required.filter((n) => !present.has(n)),
      empty: this.projects.emptyVariables(caller, name, environment),
    };
  }
}

// Importing a .env (or JSON, or keyden's shell export) into one project environment (DESIGN §4,
// §9): route each variable to the entry or category that writes it (else to the built-in
// Variables category), plan the changes, then apply them in one transaction.
import { EntryEnvironment, EnvVarName, ImportFormat, ImportMode, MAX_SIMPLE_VALUE_BYTES } from '../../shared/model.js';
import type { Category, EntryValue, ImportSummary } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import { describeHidden, escapeHidden, firstHidden } from '../../shared/names.js';
import type { Caller } from '../core/types.js';
import { VARIABLES_CATEGORY, type Categories } from './categories.js';
import { newId, type EntryRecord, type Keys, type VaultContext } from './context.js';
import { writableBy } from './access.js';
import { blindTo, normalizeValue, valueChanged, type Entries } from './entries.js';
import { dotenvReport, parseDotenv, parseJsonImport, parseShellExport, sniffFormat, type JsonVariable } from './envfile.js';

type ParsedVariable = JsonVariable;
import type { Projects } from './projects.js';
import { parseInput, parseNewName } from './validate.js';

const utf8 = new TextEncoder();

/** The variables bound for one entry: field name ('' for a simple value) → variable. */
type Fields = Map<string, ParsedVariable>;

interface Routes {
  updates: Map<string, { entry: EntryRecord; fields: Fields }>;
  /** Keyed by category id, or `var:<VAR>` for an entry of the Variables category. */
  creates: Map<string, { category: Category | null; variable: string; fields: Fields }>;
}

interface Plan {
  newCategories: Category[];
  newEntries: { entry: EntryRecord; value: EntryValue }[];
  changed: { current: EntryRecord; next: EntryRecord; oldValue: EntryValue; value: EntryValue }[];
}

export class Importer {
  constructor(
    private readonly v: VaultContext,
    private readonly categories: Categories,
    private readonly entries: Entries,
    private readonly projects: Projects,
  ) {}

  run(caller: Caller, project: string, environment: string, content: string, rawMode: ImportMode, rawFormat?: ImportFormat): ImportSummary {
    const mode = parseInput(ImportMode, rawMode);
    parseNewName('project', 'project', project);
    parseInput(EntryEnvironment, environment);
    const format = rawFormat === undefined ? sniffFormat(content) : parseInput(ImportFormat, rawFormat);
    const keys = this.v.keys();
    if (!writableBy(caller, { name: project, environment })) {
      throw new KeydenError('SCOPE_REQUIRED', 'this token may not write to that project or environment', { project, environment });
    }
    const summary: ImportSummary = { imported: 0, updated: 0, skipped: 0, failed: [], warnings: [] };
    const parsed = this.parse(content, format, summary);
    const existing = this.projects.projectEntries(caller, project, environment);
    const routes = this.route(parsed, existing, project, environment, summary);
    const now = this.v.now();
    const plan: Plan = { newCategories: [], newEntries: [], changed: [] };
    this.planUpdates(caller, routes, mode, keys, now, summary, plan);
    this.planCreates(routes, existing[0]?.name ?? project, environment, now, summary, plan);
    summary.failed.sort((a, b) => a.line - b.line);
    this.apply(caller, keys, project, environment, summary, plan);
    return summary;
  }

  private parse(content: string, format: ImportFormat, summary: ImportSummary): ParsedVariable[] {
    if (format === 'json') {
      const vars = parseJsonImport(content);
      if (vars.length === 0) summary.warnings.push('no variables found (the object is empty)');
      return vars;
    }
    if (format === 'shell') {
      const vars = parseShellExport(content);
      if (vars) return vars;
      if (content.trim() !== '') throw new KeydenError('VALIDATION_FAILED', "not in shell export form (export NAME='value' lines)", { content: 'not shell export lines' });
      return [];
    }
    const report = dotenvReport(content);
    summary.warnings.push(...report.warnings);
    summary.failed.push(...report.failed);
    const vars = parseDotenv(content);
    if (vars.length === 0 && report.failed.length === 0 && content.trim() !== '') summary.warnings.push('no variables found (expected KEY=VALUE lines)');
    return vars;
  }

  /**
   * Sends each variable to its target: the entry of this project environment that writes it,
   * else the one category that claims it, else a new simple category named after it.
   */
  private route(parsed: ParsedVariable[], existing: EntryRecord[], project: string, environment: string, summary: ImportSummary): Routes {
    const bound = this.projects.bindings(existing);
    const claims = this.projects.categoryClaims();
    const routes: Routes = { updates: new Map(), creates: new Map() };
    for (const variable of parsed) {
      // Escaped (`\u202E`): the app, the CLI and a script print this name, which nothing checked yet.
      const fail = (reason: string) => summary.failed.push({ key: escapeHidden(variable.name), line: variable.line, reason });
      const hidden = firstHidden(variable.name);
      if (hidden) {
        fail(`the name ${describeHidden(hidden)}`);
        continue;
      }
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
        fail(`several entries of this project write it (${own.map((b) => this.projects.ref(b.entry)).join(', ')})`);
        continue;
      }
      if (own) {
        const { entry, field } = own[0]!;
        const target = routes.updates.get(entry.id) ?? { entry, fields: new Map() };
        target.fields.set(field ?? '', variable);
        routes.updates.set(entry.id, target);
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
        const target = routes.creates.get(c.id) ?? { category: c, variable: variable.name, fields: new Map() };
        target.fields.set(c.keyType === 'group' ? variable.name : '', variable);
        routes.creates.set(c.id, target);
        continue;
      }
      // No service claims it: an entry of Variables that names its own variable.
      routes.creates.set(`var:${variable.name}`, { category: this.categories.variables() ?? null, variable: variable.name, fields: new Map([['', variable]]) });
    }
    return routes;
  }

  /** Existing entries: a group keeps the fields the file lacks; an unchanged value counts as skipped (if the caller may know). */
  private planUpdates(caller: Caller, routes: Routes, mode: ImportMode, keys: Keys, now: string, summary: ImportSummary, plan: Plan): void {
    for (const { entry, fields } of routes.updates.values()) {
      if (mode === 'skip') {
        summary.skipped += fields.size;
        continue;
      }
      const category = this.v.overviews.categories.get(entry.categoryId)!;
      const notes = [...fields.values()].find((f) => f.notes !== undefined)?.notes;
      const oldValue = this.entries.readValue(keys, entry);
      const incoming =
        category.keyType === 'simple'
          ? fields.get('')!.value
          : { ...ownFields(category.fields, oldValue as Record<string, string>), ...Object.fromEntries([...fields].map(([f, v]) => [f, v.value])) };
      const value = normalizeValue(category, incoming);
      const unchanged = JSON.stringify(value) === JSON.stringify(oldValue) && (notes === undefined || notes === entry.notes);
      // No equality oracle (DESIGN §4): for a caller that cannot reveal, an unchanged value is
      // written like a changed one (a version, updatedAt, an audit row), so nothing tells them apart.
      if (unchanged && !blindTo(caller)) {
        summary.skipped += fields.size;
        continue;
      }
      plan.changed.push({ current: entry, next: { ...entry, notes: notes ?? entry.notes, updatedAt: now }, oldValue, value });
      summary.updated += fields.size;
    }
  }

  /** New entries (and categories): a new group entry needs every field, else its variables fail. */
  private planCreates(routes: Routes, projectName: string, environment: string, now: string, summary: ImportSummary, plan: Plan): void {
    let variables: Category | null = null;
    for (const target of routes.creates.values()) {
      let category = target.category;
      if (!category) {
        // The built-in Variables category, created on first use (DESIGN §9).
        variables ??= { id: newId(), name: VARIABLES_CATEGORY, keyType: 'simple', envVarName: null, fields: [], icon: null, createdAt: now, updatedAt: now };
        if (!plan.newCategories.includes(variables)) plan.newCategories.push(variables);
        category = variables;
      }
      const perEntry = category.keyType === 'simple' && !category.envVarName;
      let value: EntryValue;
      if (category.keyType === 'simple') value = target.fields.get('')!.value;
      else {
        const missing = category.fields.filter((f) => !target.fields.has(f));
        if (missing.length > 0) {
          for (const v of target.fields.values()) {
            summary.failed.push({ key: v.name, line: v.line, reason: `a new ${category.name} entry needs all its fields; missing ${missing.join(', ')}` });
          }
          continue;
        }
        value = Object.fromEntries(category.fields.map((f) => [f, target.fields.get(f)!.value]));
      }
      const notes = [...target.fields.values()].find((f) => f.notes !== undefined)?.notes ?? null;
      const entry: EntryRecord = { id: newId(), categoryId: category.id, name: projectName, environment, notes, envVarName: perEntry ? target.variable : null, expiresAt: null, createdAt: now, updatedAt: now };
      plan.newEntries.push({ entry, value });
      summary.imported += target.fields.size;
    }
  }

  private apply(caller: Caller, keys: Keys, project: string, environment: string, summary: ImportSummary, plan: Plan): void {
    this.v.write(() => {
      for (const c of plan.newCategories) this.categories.insert(caller, c);
      for (const n of plan.newEntries) this.entries.insert(caller, keys, n.entry, n.value);
      for (const u of plan.changed) {
        const changed = valueChanged(caller, u.oldValue, u.value);
        this.entries.write(keys, u.current, u.next, u.value, { oldValue: u.oldValue, valueChanged: changed });
        this.v.audit.write({ actor: caller.actor, action: 'entry.update', targetId: u.next.id, ok: true, detail: { name: u.next.name, environment, valueChanged: changed } });
      }
      this.v.audit.write({
        actor: caller.actor,
        action: 'project.import',
        targetId: null,
        ok: true,
        detail: { project, environment, summary: { ...summary, failed: summary.failed.length, warnings: summary.warnings.length } },
      });
    });
    const o = this.v.overviews;
    for (const c of plan.newCategories) o.categories.set(c.id, c);
    for (const n of plan.newEntries) o.entries.set(n.entry.id, n.entry);
    for (const u of plan.changed) o.entries.set(u.next.id, u.next);
    o.generation++;
  }
}

/** A stored group value's own fields of the category (never Object's, never a key it no longer has). */
function ownFields(fields: string[], value: Record<string, string>): Record<string, string> {
  return Object.fromEntries(fields.filter((f) => Object.hasOwn(value, f)).map((f) => [f, value[f]!]));
}

// Entries: a category's key for one project and environment, with its value sealed under K_sec
// and every previous value kept as a version (DESIGN §2, §3).
import { EntryInput, EntryQuery, EntryUpdate, VERSIONS_KEPT, MAX_SIMPLE_VALUE_BYTES } from '../../shared/model.js';
import type { Category, Entry, EntryValue, EntryWithCategory, Revealed, RevealedVersion, VersionInfo } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import { blobAad, blobAadText, open, seal } from '../crypto/aead.js';
import type { Caller, EntryList, EntryService } from '../core/types.js';
import {
  entryRowId,
  lower,
  newId,
  notFound,
  projectKey,
  sealOverview,
  versionRowId,
  type EntryRecord,
  type Keys,
  type SealedSecret,
  type VaultContext,
} from './context.js';
import { perEntryVariable, refuseWrite, variablesOf, visibleTo, writableBy } from './access.js';
import { parseInput, parseNewName } from './validate.js';
import { insertRow, macCheckSql, rowsTampered } from '../store/integrity.js';
import { statement } from '../store/db.js';

const entryOverview = (e: EntryRecord) => ({ name: e.name, environment: e.environment, notes: e.notes, envVarName: e.envVarName, expiresAt: e.expiresAt });

export const toEntry = (e: EntryRecord): Entry => ({ ...e });

const utf8 = new TextEncoder();

/** Checks a value against its category; a group value may arrive as a JSON string. */
export function normalizeValue(category: Category, value: EntryValue): EntryValue {
  if (category.keyType === 'simple') {
    if (typeof value !== 'string') {
      throw new KeydenError('VALIDATION_FAILED', `"${category.name}" holds one value: value must be a string`, { value: 'must be a string' });
    }
    return value;
  }
  let obj: unknown = value;
  if (typeof value === 'string') {
    try {
      obj = JSON.parse(value);
    } catch {
      throw new KeydenError('VALIDATION_FAILED', `"${category.name}" is a group: value must be an object of its fields`, { value: 'must be an object (or its JSON text)' });
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new KeydenError('VALIDATION_FAILED', `"${category.name}" is a group: value must be an object of its fields`, { value: 'must be an object' });
  }
  const record = obj as Record<string, unknown>;
  const details: Record<string, string> = {};
  // Own properties only: a field named constructor or __proto__ is an ordinary name (DESIGN §4).
  const missing = category.fields.filter((f) => !Object.hasOwn(record, f));
  const unknown = Object.keys(record).filter((k) => !category.fields.includes(k));
  const wrong: string[] = [];
  for (const f of missing) details[`value.${f}`] = 'is missing';
  for (const k of unknown) details[`value.${k}`] = `is not a field of "${category.name}"`;
  for (const [k, v] of Object.entries(record)) {
    if (!category.fields.includes(k)) continue;
    if (typeof v !== 'string') details[`value.${k}`] = 'must be text';
    else if (utf8.encode(v).length > MAX_SIMPLE_VALUE_BYTES) details[`value.${k}`] = 'must be at most 64 KiB';
    else continue;
    wrong.push(`${k} ${details[`value.${k}`]}`);
  }
  // Each problem said once, in one sentence (issue 14 item 10); `details` has one line per field.
  const problems = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : null,
    unknown.length > 0 ? `${unknown.join(', ')} ${unknown.length === 1 ? 'is not one of its fields' : 'are not among its fields'} (${category.fields.join(', ')})` : null,
    ...wrong,
  ].filter((p) => p !== null);
  if (problems.length > 0) throw new KeydenError('VALIDATION_FAILED', `a "${category.name}" value needs each of its fields: ${problems.join('; ')}`, details);
  // Field order follows the category, so equal values compare equal.
  return Object.fromEntries(category.fields.map((f) => [f, record[f] as string]));
}

/** A stored value moved to another category: an error must not quote it or name its keys (DESIGN §4). */
function refit(category: Category, stored: EntryValue): EntryValue {
  try {
    return normalizeValue(category, stored);
  } catch {
    throw new KeydenError('VALIDATION_FAILED', `the entry's current value does not fit "${category.name}"; send a new value with the move`, { value: `required when moving this entry to "${category.name}"` });
  }
}

const sameValue = (a: EntryValue, b: EntryValue): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A token without entries:reveal: nothing may tell it whether a value it sent equals the stored one. */
export const blindTo = (caller: Caller): boolean => caller.canReveal === false;

/**
 * Whether writing `value` over `oldValue` counts as a change (a new version, an audit row saying
 * so): for a caller that cannot reveal always, so a right guess and a wrong one leave the same
 * trace (DESIGN §4 "No equality oracle"); for anyone else only when the value differs.
 */
export const valueChanged = (caller: Caller, oldValue: EntryValue, value: EntryValue): boolean => blindTo(caller) || !sameValue(oldValue, value);

/** The entries in list order, and (once a query asked for it) each one's lowercase search text. */
interface SortedView {
  generation: number;
  list: EntryRecord[];
  haystacks: Map<string, string> | null;
}

/** The value an opened secret holds, or undefined (it did not open, or holds none). */
const valueIn = (opened: unknown): EntryValue | undefined => (opened !== null && typeof opened === 'object' ? (opened as { value?: EntryValue }).value : undefined);

export class Entries implements EntryService {
  private sorted: SortedView | null = null;

  constructor(private readonly v: VaultContext) {}

  private category(id: string): Category {
    const c = this.v.overviews.categories.get(id);
    if (!c) throw notFound('category', { categoryId: id });
    return c;
  }

  withCategory(e: EntryRecord): EntryWithCategory {
    const c = this.category(e.categoryId);
    // Spelled out rather than `{ ...e, … }`: a list of 10 000 spent ~4 ms in object spread, this ~0.3 ms.
    return {
      id: e.id,
      categoryId: e.categoryId,
      name: e.name,
      environment: e.environment,
      notes: e.notes,
      envVarName: e.envVarName,
      expiresAt: e.expiresAt,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      category: { name: c.name, keyType: c.keyType, envVarName: c.envVarName, icon: c.icon },
    };
  }

  /** Entries sorted by project, category and environment (rebuilt after any change). */
  private view(): SortedView {
    const o = this.v.overviews;
    if (this.sorted?.generation === o.generation) return this.sorted;
    // Each category's lowercase name once, not once per entry, and each sort key computed once:
    // the first list after an unlock (which an unlock's user waits for) builds this view.
    const categoryKey = new Map<string, string>();
    for (const c of o.categories.values()) categoryKey.set(c.id, lower(c.name));
    const keyed: [string, EntryRecord][] = [];
    for (const e of o.entries.values()) keyed.push([`${projectKey(e)}\u0000${categoryKey.get(e.categoryId) ?? ''}\u0000${e.environment}`, e]);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.sorted = { generation: o.generation, list: keyed.map((k) => k[1]), haystacks: null };
    return this.sorted;
  }

  /** Each entry's lowercase search text, built at the first query that needs it (`q`), not with every list. */
  private haystacks(): Map<string, string> {
    const view = this.view();
    if (view.haystacks) return view.haystacks;
    const o = this.v.overviews;
    const haystacks = new Map<string, string>();
    for (const e of view.list) {
      const c = o.categories.get(e.categoryId);
      // q matches category names, project names, env var names and notes — never values.
      haystacks.set(e.id, lower([c?.name, e.name, e.envVarName ?? c?.envVarName ?? '', ...(c?.fields ?? []), e.notes ?? ''].join('\n')));
    }
    view.haystacks = haystacks;
    return haystacks;
  }

  list(caller: Caller, raw: EntryQuery = {}): EntryList {
    const query = parseInput(EntryQuery, raw);
    this.v.keys();
    const { list } = this.view();
    const project = query.project === undefined ? undefined : lower(query.project);
    const categoryName = query.category === undefined ? undefined : lower(query.category);
    const q = query.q ? lower(query.q) : undefined;
    const haystacks = q ? this.haystacks() : null;
    const matches: EntryRecord[] = [];
    const o = this.v.overviews;
    for (const e of list) {
      if (query.categoryId && e.categoryId !== query.categoryId) continue;
      if (project !== undefined && projectKey(e) !== project) continue;
      if (query.environment && e.environment !== query.environment) continue;
      if (categoryName !== undefined && lower(o.categories.get(e.categoryId)?.name ?? '') !== categoryName) continue;
      if (query.variable !== undefined && !variablesOf(e, o.categories.get(e.categoryId)!).includes(query.variable)) continue;
      if (q && !haystacks!.get(e.id)!.includes(q)) continue;
      if (!visibleTo(caller, e)) continue;
      matches.push(e);
    }
    const offset = query.offset ?? 0;
    const page = query.limit === undefined ? matches.slice(offset) : matches.slice(offset, offset + query.limit);
    return { items: page.map((e) => this.withCategory(e)), total: matches.length };
  }

  record(caller: Caller, id: string): EntryRecord {
    this.v.keys();
    const e = this.v.overviews.entries.get(id);
    if (!e || !visibleTo(caller, e)) throw notFound('entry', { id });
    return e;
  }

  get(caller: Caller, id: string): EntryWithCategory {
    return this.withCategory(this.record(caller, id));
  }

  /**
   * The entry with this category, project (any case) and environment, if any. In a category
   * whose entries name their own variable (Variables), the variable is part of the key.
   */
  findDuplicate(categoryId: string, name: string, environment: string, exceptId?: string, envVarName: string | null = null): EntryRecord | undefined {
    const n = lower(name);
    const c = this.v.overviews.categories.get(categoryId);
    const byVariable = c !== undefined && perEntryVariable(c);
    for (const e of this.v.overviews.entries.values()) {
      if (e.id !== exceptId && e.categoryId === categoryId && e.environment === environment && projectKey(e) === n && (!byVariable || e.envVarName === envVarName)) return e;
    }
    return undefined;
  }

  assertUnique(categoryId: string, name: string, environment: string, exceptId?: string, envVarName: string | null = null): void {
    const dup = this.findDuplicate(categoryId, name, environment, exceptId, envVarName);
    if (dup) {
      const c = this.category(categoryId);
      const what = perEntryVariable(c) ? `${dup.envVarName} in ` : '';
      throw new KeydenError('CONFLICT', `"${c.name}" already has an entry for ${what}${dup.name} (${environment})`, { id: dup.id, ref: `${c.name}/${dup.name}/${environment}` });
    }
  }

  private assertVariableNamed(category: Category, envVarName: string | null): void {
    if (perEntryVariable(category) && !envVarName) {
      throw new KeydenError('VALIDATION_FAILED', `an entry of "${category.name}" names its own variable: envVarName is required`, { envVarName: 'required in this category' });
    }
  }

  create(caller: Caller, raw: EntryInput): Entry {
    const input = parseInput(EntryInput, raw);
    const keys = this.v.keys();
    const category = this.category(input.categoryId);
    if (!writableBy(caller, { name: input.name, environment: input.environment })) {
      throw new KeydenError('SCOPE_REQUIRED', 'this token may not write to that project or environment', { project: input.name, environment: input.environment });
    }
    const value = normalizeValue(category, input.value);
    if (category.keyType === 'group' && input.envVarName) {
      throw new KeydenError('VALIDATION_FAILED', 'a group entry takes its variable names from its fields', { envVarName: 'not allowed on a group entry' });
    }
    this.assertVariableNamed(category, input.envVarName ?? null);
    this.assertUnique(category.id, input.name, input.environment, undefined, input.envVarName ?? null);
    const now = this.v.now();
    const e: EntryRecord = {
      id: newId(),
      categoryId: category.id,
      name: input.name,
      environment: input.environment,
      notes: input.notes ?? null,
      envVarName: input.envVarName ?? null,
      expiresAt: input.expiresAt ?? null,
      createdAt: now,
      updatedAt: now,
    };
    this.v.write(() => this.insert(caller, keys, e, value));
    this.v.overviews.entries.set(e.id, e);
    this.v.overviews.generation++;
    return toEntry(e);
  }

  /** Writes a new entry inside the caller's transaction. */
  insert(caller: Caller, keys: Keys, e: EntryRecord, value: EntryValue): void {
    // Another process's rows, loaded at the start of this write, count too (issue 14 item 1).
    if (this.v.caughtUpInThisWrite()) this.assertUnique(e.categoryId, e.name, e.environment, e.id, e.envVarName);
    const rowId = entryRowId(e.id, e.categoryId);
    insertRow(this.v.db(), 'entries', {
      id: e.id,
      category_id: e.categoryId,
      overview: sealOverview(keys, 'entries', rowId, entryOverview(e)),
      secret: sealSecret(keys, rowId, value),
      created_at: e.createdAt,
      updated_at: e.updatedAt,
    });
    this.v.audit.write({ actor: caller.actor, action: 'entry.create', targetId: e.id, ok: true, detail: { name: e.name, environment: e.environment } });
  }

  update(caller: Caller, id: string, raw: EntryUpdate): Entry {
    const input = parseInput(EntryUpdate, raw);
    const keys = this.v.keys();
    const current = this.record(caller, id);
    if (!writableBy(caller, current)) throw refuseWrite(current);
    const next: EntryRecord = { ...current };
    if (input.categoryId !== undefined) next.categoryId = input.categoryId;
    if (input.name !== undefined && input.name !== current.name) next.name = parseNewName('project', 'name', input.name);
    if (input.environment !== undefined) next.environment = input.environment;
    if (input.notes !== undefined) next.notes = input.notes;
    if (input.envVarName !== undefined) next.envVarName = input.envVarName;
    if (input.expiresAt !== undefined) next.expiresAt = input.expiresAt;
    if (!writableBy(caller, next)) {
      throw new KeydenError('SCOPE_REQUIRED', 'this token may not move an entry outside its projects or environments', { project: next.name, environment: next.environment });
    }
    const category = this.category(next.categoryId);
    if (category.keyType === 'group' && next.envVarName) {
      throw new KeydenError('VALIDATION_FAILED', 'a group entry takes its variable names from its fields', { envVarName: 'not allowed on a group entry' });
    }
    this.assertVariableNamed(category, next.envVarName);
    this.assertUnique(next.categoryId, next.name, next.environment, id, next.envVarName);
    const oldValue = this.readValue(keys, current);
    const value = input.value !== undefined ? normalizeValue(category, input.value) : next.categoryId !== current.categoryId ? refit(category, oldValue) : oldValue;
    // No equality oracle (DESIGN §4): for a caller that cannot reveal, a value it sent (or a move
    // that refits the value) is a change even when equal, so the history, the audit row and
    // updatedAt look the same for a right and a wrong guess.
    const changed = blindTo(caller) ? input.value !== undefined || next.categoryId !== current.categoryId : !sameValue(oldValue, value);
    next.updatedAt = this.v.now();
    this.v.write(() => {
      this.write(keys, current, next, value, { oldValue, valueChanged: changed });
      this.v.audit.write({
        actor: caller.actor,
        action: 'entry.update',
        targetId: id,
        ok: true,
        detail: { name: next.name, environment: next.environment, valueChanged: changed },
      });
    });
    this.v.overviews.entries.set(id, next);
    this.v.overviews.generation++;
    return toEntry(next);
  }

  /**
   * Rewrites an entry's row (inside a transaction). When `valueChanged`, the old value first becomes
   * the next version; callers decide it with `valueChanged()` below, never by comparing alone.
   */
  write(keys: Keys, current: EntryRecord, next: EntryRecord, value: EntryValue, change: { oldValue: EntryValue; valueChanged: boolean }): void {
    const db = this.v.db();
    if (this.v.caughtUpInThisWrite()) {
      if (!this.v.overviews.entries.has(current.id)) throw notFound('entry', { id: current.id });
      this.assertUnique(next.categoryId, next.name, next.environment, next.id, next.envVarName);
    }
    if (change.valueChanged) this.pushVersion(keys, current.id, change.oldValue, next.updatedAt);
    const rowId = entryRowId(next.id, next.categoryId);
    statement(db, 'UPDATE entries SET category_id = ?, overview = ?, secret = ?, updated_at = ? WHERE id = ?').run(
      next.categoryId,
      sealOverview(keys, 'entries', rowId, entryOverview(next)),
      sealSecret(keys, rowId, value),
      next.updatedAt,
      next.id,
    );
  }

  /**
   * Gives every live entry of a group category exactly `fields` (inside the category's write): a
   * new field is set empty; a value that loses a non-empty field goes to the entry's history first.
   */
  reshape(keys: Keys, categoryId: string, fields: readonly string[], at: string): number {
    const db = this.v.db();
    let count = 0;
    for (const e of this.v.overviews.entries.values()) {
      if (e.categoryId !== categoryId) continue;
      const old = this.readValue(keys, e) as Record<string, string>;
      // Own properties only: a field named constructor is an ordinary name (DESIGN §4).
      const value = Object.fromEntries(fields.map((f) => [f, Object.hasOwn(old, f) ? old[f]! : '']));
      if (Object.entries(old).some(([k, v]) => !fields.includes(k) && v !== '')) this.pushVersion(keys, e.id, old, at);
      statement(db, 'UPDATE entries SET secret = ? WHERE id = ?').run(sealSecret(keys, entryRowId(e.id, categoryId), value), e.id);
      count++;
    }
    return count;
  }

  private pushVersion(keys: Keys, entryId: string, value: EntryValue, at: string): void {
    const db = this.v.db();
    // The newest version, checked: an unchecked row (version 2^63-1, no mac) would steer the pruning below into deleting the whole history.
    const top = statement(db, `SELECT version, ${macCheckSql(db, 'entry_versions')} AS authentic FROM entry_versions WHERE CAST(entry_id AS TEXT) = ? ORDER BY version DESC LIMIT 1`).get(entryId) as { version: number; authentic: number } | undefined;
    if (top && (top.authentic !== 1 || !Number.isSafeInteger(top.version))) throw rowsTampered('entry_versions', 1);
    const version = (top?.version ?? 0) + 1;
    statement(db, 'INSERT INTO entry_versions (entry_id, version, secret, created_at) VALUES (?, ?, ?, ?)').run(
      entryId,
      version,
      seal(keys.secret, blobAad('entry_versions', 'secret', versionRowId(entryId, version)), { value }),
      at,
    );
    statement(db, 'DELETE FROM entry_versions WHERE entry_id = ? AND version <= ?').run(entryId, version - VERSIONS_KEPT);
  }

  /** Moves the entry (with its versions) to the trash for 30 days (DESIGN §9 "Trash"). */
  remove(caller: Caller, id: string): void {
    const e = this.record(caller, id);
    if (!writableBy(caller, e)) throw refuseWrite(e);
    this.v.write(() => this.trash(caller, [e], this.v.now()));
    this.forget([e]);
  }

  /** Marks entries as trashed inside the caller's transaction; `forget` them once it commits. */
  trash(caller: Caller, list: EntryRecord[], at: string): void {
    const stmt = statement(this.v.db(), 'UPDATE entries SET trashed_at = ? WHERE id = ? AND trashed_at IS NULL');
    for (const e of list) {
      stmt.run(at, e.id);
      const category = this.v.overviews.categories.get(e.categoryId);
      this.v.audit.write({ actor: caller.actor, action: 'entry.trash', targetId: e.id, ok: true, detail: { name: e.name, environment: e.environment, category: category?.name ?? null } });
    }
  }

  forget(list: EntryRecord[]): void {
    for (const e of list) this.v.overviews.entries.delete(e.id);
    this.v.overviews.generation++;
  }

  /** Rewrites an entry's overview (project or environment moved) inside the caller's transaction. */
  rewriteOverview(keys: Keys, next: EntryRecord): void {
    statement(this.v.db(), 'UPDATE entries SET overview = ?, updated_at = ? WHERE id = ?').run(sealOverview(keys, 'entries', entryRowId(next.id, next.categoryId), entryOverview(next)), next.updatedAt, next.id);
  }

  /** Deletes one previous value, or all of them (`keyden history --purge`). */
  purgeVersions(caller: Caller, id: string, version?: number): number {
    const e = this.record(caller, id);
    if (!writableBy(caller, e)) throw refuseWrite(e);
    const db = this.v.db();
    if (version !== undefined && !statement(db, 'SELECT 1 FROM entry_versions WHERE entry_id = ? AND version = ?').get(id, version)) throw notFound('version', { id, version });
    return this.v.write(() => {
      const info =
        version === undefined
          ? statement(db, 'DELETE FROM entry_versions WHERE entry_id = ?').run(id)
          : statement(db, 'DELETE FROM entry_versions WHERE entry_id = ? AND version = ?').run(id, version);
      this.v.audit.write({ actor: caller.actor, action: 'version.purge', targetId: id, ok: true, detail: { name: e.name, environment: e.environment, version: version ?? null, purged: info.changes } });
      return info.changes;
    });
  }

  /** The current value; an entry whose secret fails to open is reported as absent. */
  readValue(keys: Keys, e: EntryRecord): EntryValue {
    const row = this.secretRowOf(e);
    const value = valueIn(open(keys.secret, blobAad('entries', 'secret', entryRowId(e.id, row.category_id)), row.secret));
    if (value === undefined) throw notFound('entry', { id: e.id });
    return value;
  }

  async reveal(caller: Caller, id: string, action: 'entry.reveal' | 'entry.copy' = 'entry.reveal'): Promise<Revealed> {
    this.v.keys();
    const e = this.record(caller, id);
    const row = this.secretRowOf(e);
    // Opened as its audit row is committed (readValue's checks; on the helper thread under load):
    // a value that does not open gets 404 and no row.
    const opened = await this.v.audit.recordOpening(
      { actor: caller.actor, action, targetId: id, ok: true, detail: { name: e.name, environment: e.environment, version: null } },
      {
        aad: blobAadText('entries', 'secret', entryRowId(e.id, row.category_id)),
        blob: row.secret,
        accept: (v) => valueIn(v) !== undefined,
        failure: () => notFound('entry', { id: e.id }),
      },
    );
    return { id, name: e.name, environment: e.environment, value: valueIn(opened)! };
  }

  /** The entry's sealed secret as stored, if its row is there and still in the entry's category; else 404. */
  private secretRowOf(e: EntryRecord): SealedSecret {
    const row = this.sealedSecret(e.id);
    if (!row || row.category_id !== e.categoryId) throw notFound('entry', { id: e.id });
    return row;
  }

  /** The entry's row as stored: from memory once read (Overviews.sealedSecret), else from SQLite. */
  private sealedSecret(id: string): SealedSecret | undefined {
    const o = this.v.overviews;
    const kept = o.sealedSecret(id);
    if (kept) return kept;
    const db = this.v.db();
    // The row's mac is checked on every read from the file (a row rolled back beside a running owner).
    // Rows unchanged by anyone else since the unlock checked them need no second check; once
    // another connection has committed, each read checks its row's mac (a row rolled back beside a running owner).
    const row = this.v.rowsAsChecked()
      ? (statement(db, 'SELECT category_id, secret FROM entries WHERE id = ?').get(id) as SealedSecret | undefined)
      : (statement(db, `SELECT category_id, secret, ${macCheckSql(db, 'entries')} AS authentic FROM entries WHERE id = ?`).get(id) as (SealedSecret & { authentic: number }) | undefined);
    if (row && 'authentic' in row && row.authentic !== 1) {
      // A row that fails its mac is read as absent, unless the whole key changed beside this owner.
      const keyChanged = this.v.keyChangedBeside();
      if (keyChanged) throw keyChanged;
      return undefined;
    }
    // Only committed rows are kept: one read inside a write transaction may yet roll back.
    if (row && !db.inTransaction) o.keepSealedSecret(id, row);
    return row;
  }

  versions(caller: Caller, id: string): VersionInfo[] {
    this.record(caller, id);
    const db = this.v.db();
    // Matched as TEXT: a row whose entry_id was retyped in the file as a BLOB is still found, and fails out loud.
    const rows = db.prepare(`SELECT version, created_at, ${macCheckSql(db, 'entry_versions')} AS authentic FROM entry_versions WHERE CAST(entry_id AS TEXT) = ? ORDER BY version DESC`).all(id) as { version: number; created_at: string; authentic: number }[];
    // A version whose mac fails was edited in the file: the history is refused, not shown without it.
    const failing = rows.filter((r) => r.authentic !== 1).length;
    if (failing > 0) throw this.v.keyChangedBeside() ?? rowsTampered('entry_versions', failing);
    return rows.map((r) => ({ version: r.version, replacedAt: r.created_at, createdAt: r.created_at }));
  }

  private readVersion(keys: Keys, id: string, version: number): EntryValue {
    const db = this.v.db();
    const row = statement(db, `SELECT secret, ${macCheckSql(db, 'entry_versions')} AS authentic FROM entry_versions WHERE CAST(entry_id AS TEXT) = ? AND CAST(version AS INTEGER) = ?`).get(id, version) as { secret: Uint8Array; authentic: number } | undefined;
    if (row && row.authentic !== 1) throw this.v.keyChangedBeside() ?? rowsTampered('entry_versions', 1);
    const value = row ? valueIn(open(keys.secret, blobAad('entry_versions', 'secret', versionRowId(id, version)), row.secret)) : undefined;
    if (value === undefined) throw notFound('version', { id, version });
    return value;
  }

  async revealVersion(caller: Caller, id: string, version: number, action: 'entry.reveal' | 'entry.copy' = 'entry.reveal'): Promise<RevealedVersion> {
    const keys = this.v.keys();
    const e = this.record(caller, id);
    const value = this.readVersion(keys, id, version);
    await this.v.audit.record({ actor: caller.actor, action, targetId: id, ok: true, detail: { name: e.name, environment: e.environment, version } });
    return { version, value };
  }

  restoreVersion(caller: Caller, id: string, version: number): Entry {
    const keys = this.v.keys();
    const current = this.record(caller, id);
    if (!writableBy(caller, current)) throw refuseWrite(current);
    const category = this.category(current.categoryId);
    const restored = this.readVersion(keys, id, version);
    let value: EntryValue;
    try {
      value = normalizeValue(category, restored);
    } catch {
      throw new KeydenError('CONFLICT', `version ${version} no longer fits "${category.name}" (its fields changed)`, { version });
    }
    const oldValue = this.readValue(keys, current);
    const next: EntryRecord = { ...current, updatedAt: this.v.now() };
    this.v.write(() => {
      this.write(keys, current, next, value, { oldValue, valueChanged: valueChanged(caller, oldValue, value) });
      this.v.audit.write({ actor: caller.actor, action: 'entry.restore', targetId: id, ok: true, detail: { name: next.name, environment: next.environment, version } });
    });
    this.v.overviews.entries.set(id, next);
    this.v.overviews.generation++;
    return toEntry(next);
  }
}

export function sealSecret(keys: Keys, rowId: string, value: EntryValue): Uint8Array {
  return seal(keys.secret, blobAad('entries', 'secret', rowId), { value });
}

// Categories: one per service (OpenAI, AWS…), simple (one value) or group (named fields).
import { CategoryInput, CategoryUpdate, type Category } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import type { Caller, CategoryService } from '../core/types.js';
import { lower, newId, notFound, sealOverview, type VaultContext } from './context.js';
import type { Entries } from './entries.js';
import { parseInput, parseNewName } from './validate.js';
import { insertRow } from '../store/integrity.js';

/** The built-in category of imported variables that no service claims (DESIGN §9). */
export const VARIABLES_CATEGORY = 'Variables';

export const categoryOverview = (c: Category) => ({ name: c.name, keyType: c.keyType, envVarName: c.envVarName, fields: c.fields, icon: c.icon });

export class Categories implements CategoryService {
  /** Lowercase name → the first category of that name, rebuilt when the overviews change. */
  private byName: { generation: number; map: Map<string, Category> } | null = null;

  constructor(
    private readonly v: VaultContext,
    private readonly entries: Entries,
  ) {}

  /** The built-in category of variables no service claims (DESIGN §9), if it exists yet. */
  variables(): Category | undefined {
    for (const c of this.v.overviews.categories.values()) if (c.keyType === 'simple' && !c.envVarName && lower(c.name) === lower(VARIABLES_CATEGORY)) return c;
    return undefined;
  }

  /** The category (other than `exceptId`) that already writes one of these variables. */
  private assertUnclaimed(names: readonly string[], exceptId?: string): void {
    for (const c of this.v.overviews.categories.values()) {
      if (c.id === exceptId) continue;
      const claimed = c.keyType === 'simple' ? (c.envVarName ? [c.envVarName] : []) : c.fields;
      const clash = names.find((n) => claimed.includes(n));
      if (clash) throw new KeydenError('CONFLICT', `${clash} is already written by the category "${c.name}"`, { variable: clash, category: c.name, id: c.id });
    }
  }

  list(): Category[] {
    this.v.keys();
    return [...this.v.overviews.categories.values()].sort((a, b) => lower(a.name).localeCompare(lower(b.name)));
  }

  get(id: string): Category {
    this.v.keys();
    const c = this.v.overviews.categories.get(id);
    if (!c) throw notFound('category', { id });
    return c;
  }

  findByName(name: string): Category | undefined {
    // An import asks once per variable: a scan per call made 10 000 lines × 10 000 categories
    // cost seconds. Every change to the categories bumps the generation, which rebuilds this.
    const o = this.v.overviews;
    if (this.byName?.generation !== o.generation) {
      const map = new Map<string, Category>();
      for (const c of o.categories.values()) {
        const key = lower(c.name);
        if (!map.has(key)) map.set(key, c);
      }
      this.byName = { generation: o.generation, map };
    }
    return this.byName.map.get(lower(name));
  }

  create(caller: Caller, raw: CategoryInput): Category {
    const input = parseInput(CategoryInput, raw);
    this.v.keys();
    this.assertNameFree(input.name);
    this.assertUnclaimed(input.keyType === 'simple' ? [input.envVarName ?? ''] : (input.fields ?? []));
    const now = this.v.now();
    const category: Category = {
      id: newId(),
      name: input.name,
      keyType: input.keyType,
      envVarName: input.keyType === 'simple' ? (input.envVarName ?? null) : null,
      fields: input.keyType === 'group' ? (input.fields ?? []) : [],
      icon: input.icon ?? null,
      createdAt: now,
      updatedAt: now,
    };
    this.v.write(() => this.insert(caller, category));
    this.v.overviews.categories.set(category.id, category);
    this.v.overviews.generation++;
    return category;
  }

  /** Inserts inside the caller's transaction (import creates categories in its own). */
  insert(caller: Caller, category: Category): void {
    insertRow(this.v.db(), 'categories', { id: category.id, overview: sealOverview(this.v.keys(), 'categories', category.id, categoryOverview(category)), created_at: category.createdAt, updated_at: category.updatedAt });
    this.v.audit.write({ actor: caller.actor, action: 'category.create', targetId: category.id, ok: true, detail: { name: category.name } });
  }

  /**
   * A group's fields may change while entries use it (issue 14 item 18): an added field is set
   * empty in each of them (and `validate` names it until it is filled); removing one drops its
   * values, so it needs `force`, and each entry's value from before goes to its history first.
   */
  update(caller: Caller, id: string, raw: CategoryUpdate, options: { force?: boolean } = {}): Category {
    const input = parseInput(CategoryUpdate, raw);
    const current = this.get(id);
    if (input.name !== undefined && input.name !== current.name) parseNewName('category', 'name', input.name);
    if (input.name !== undefined && lower(input.name) !== lower(current.name)) this.assertNameFree(input.name);
    const next: Category = { ...current, updatedAt: this.v.now() };
    let fieldChange: { added: string[]; removed: string[] } | null = null;
    let users = 0;
    if (input.name !== undefined) next.name = input.name;
    if (input.icon !== undefined) next.icon = input.icon;
    if (current.keyType === 'simple') {
      if (input.fields !== undefined && input.fields.length > 0) {
        throw new KeydenError('VALIDATION_FAILED', 'fields is not allowed on a simple category', { fields: 'is not allowed on a simple category' });
      }
      if (input.envVarName === null) {
        throw new KeydenError('VALIDATION_FAILED', 'envVarName is required for a simple category', { envVarName: 'is required for a simple category' });
      }
      if (input.envVarName !== undefined && input.envVarName !== current.envVarName) {
        this.assertUnclaimed([input.envVarName], id);
        next.envVarName = input.envVarName;
      }
    } else {
      if (input.envVarName) {
        throw new KeydenError('VALIDATION_FAILED', 'envVarName is not allowed on a group category', { envVarName: 'is not allowed on a group category' });
      }
      if (input.fields !== undefined && !sameList(input.fields, current.fields)) {
        const removed = current.fields.filter((f) => !input.fields!.includes(f));
        const added = input.fields.filter((f) => !current.fields.includes(f));
        users = this.entryCount(id);
        if (users > 0 && removed.length > 0 && !options.force) {
          throw new KeydenError(
            'CONFLICT',
            `removing ${removed.join(', ')} from "${current.name}" drops ${removed.length === 1 ? 'its value' : 'their values'} from ${users} ${users === 1 ? 'entry' : 'entries'}; force it to go on (each entry keeps its old value in its history)`,
            { entries: users, removed },
          );
        }
        this.assertUnclaimed(added, id);
        next.fields = input.fields;
        fieldChange = { added, removed };
      }
    }
    const db = this.v.db();
    const keys = this.v.keys();
    this.v.write(() => {
      db.prepare('UPDATE categories SET overview = ?, updated_at = ? WHERE id = ?').run(
        sealOverview(keys, 'categories', id, categoryOverview(next)),
        next.updatedAt,
        id,
      );
      const reshaped = fieldChange && users > 0 ? this.entries.reshape(keys, id, next.fields, next.updatedAt) : 0;
      this.v.audit.write({ actor: caller.actor, action: 'category.update', targetId: id, ok: true, detail: { name: next.name, ...(fieldChange ? { ...fieldChange, entries: reshaped } : {}) } });
    });
    this.v.overviews.categories.set(id, next);
    this.v.overviews.generation++;
    return next;
  }

  /**
   * Deletes a category; with `cascade` its entries go to the trash first. While trashed entries
   * still point at it, the row stays, marked deleted and out of every list, so they can be
   * restored (which brings it back) until they are purged.
   */
  remove(caller: Caller, id: string, options: { cascade?: boolean } = {}): void {
    const category = this.get(id);
    const used = this.entryCount(id);
    if (used > 0 && !options.cascade) {
      throw new KeydenError('CONFLICT', `"${category.name}" still has ${used} entries; delete them first or use cascade`, { entries: used });
    }
    const db = this.v.db();
    const live = [...this.v.overviews.entries.values()].filter((e) => e.categoryId === id);
    const now = this.v.now();
    this.v.write(() => {
      this.entries.trash(caller, live, now);
      const referenced = (db.prepare('SELECT count(*) AS n FROM entries WHERE category_id = ?').get(id) as { n: number }).n;
      if (referenced > 0) {
        db.prepare('UPDATE categories SET overview = ?, updated_at = ? WHERE id = ?').run(sealOverview(this.v.keys(), 'categories', id, { ...categoryOverview(category), deletedAt: now }), now, id);
      } else {
        db.prepare('DELETE FROM categories WHERE id = ?').run(id);
      }
      this.v.audit.write({ actor: caller.actor, action: 'category.delete', targetId: id, ok: true, detail: { name: category.name, trashed: live.length } });
    });
    this.entries.forget(live);
    this.v.overviews.categories.delete(id);
    this.v.overviews.generation++;
  }

  private entryCount(categoryId: string): number {
    // Counted in the file, not the cache: an unreadable entry still holds its foreign key.
    return (this.v.db().prepare('SELECT count(*) AS n FROM entries WHERE category_id = ? AND trashed_at IS NULL').get(categoryId) as { n: number }).n;
  }

  private assertNameFree(name: string): void {
    const existing = this.findByName(name);
    if (existing) throw new KeydenError('CONFLICT', `a category named "${existing.name}" already exists`, { name: existing.name, id: existing.id });
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

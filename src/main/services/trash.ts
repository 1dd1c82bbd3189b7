// The trash (DESIGN §9): deleted entries keep their row (and versions) with `trashed_at` set for
// 30 days, out of every list, export and ref; they can be restored or purged.
import type { Category, Entry, TrashItem } from '../../shared/model.js';
import { KeydenError } from '../../shared/errors.js';
import type { Caller } from '../core/types.js';
import { statement } from '../store/db.js';
import { categoryOverview } from './categories.js';
import { entryRowId, lower, notFound, openOverview, sealOverview, type EntryRecord, type VaultContext } from './context.js';
import { refuseWrite, visibleTo, writableBy } from './access.js';
import { toEntry, type Entries } from './entries.js';

export const TRASH_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

interface TrashedRow {
  entry: EntryRecord;
  trashedAt: string;
  /** The live category, or the deleted one still kept for this entry. */
  category: Category | null;
  categoryDeleted: boolean;
}

type Row = { id: string; category_id: string; overview: Uint8Array; created_at: string; updated_at: string; trashed_at: string };

export class Trash {
  constructor(
    private readonly v: VaultContext,
    private readonly entries: Entries,
  ) {}

  list(caller: Caller): TrashItem[] {
    return this.rows()
      .filter((r) => visibleTo(caller, r.entry))
      .map((r) => ({
        id: r.entry.id,
        categoryId: r.entry.categoryId,
        categoryName: r.category?.name ?? null,
        name: r.entry.name,
        environment: r.entry.environment,
        envVarName: r.entry.envVarName,
        trashedAt: r.trashedAt,
        purgeAt: new Date(Date.parse(r.trashedAt) + TRASH_DAYS * DAY_MS).toISOString(),
      }))
      .sort((a, b) => (a.trashedAt < b.trashedAt ? 1 : a.trashedAt > b.trashedAt ? -1 : 0));
  }

  /**
   * Puts a trashed entry back, with its versions. A live entry in its place → 409 naming it,
   * unless `replace` (that one goes to the trash). A deleted category comes back with it, for a
   * caller that may write categories.
   */
  restore(caller: Caller, id: string, options: { replace?: boolean } = {}): Entry {
    const keys = this.v.keys();
    const row = this.row(caller, id);
    const { entry, category } = row;
    if (!category) throw new KeydenError('CONFLICT', 'the category of this trash item cannot be read; purge it', { id });
    if (row.categoryDeleted) {
      // Bringing a deleted category back writes a category, shared by every project (DESIGN §4).
      if (caller.canWriteCategories === false) {
        throw new KeydenError('SCOPE_REQUIRED', `its category "${category.name}" was deleted; restoring it brings the category back, which needs the categories:write scope (and a token without project or environment limits)`, {
          scope: 'categories:write',
        });
      }
      const clash = [...this.v.overviews.categories.values()].find((c) => lower(c.name) === lower(category.name));
      if (clash) {
        throw new KeydenError('CONFLICT', `its category "${category.name}" was deleted and another category now has that name; rename that one first`, { category: clash.name, id: clash.id });
      }
      const writes = category.keyType === 'simple' ? (category.envVarName ? [category.envVarName] : []) : category.fields;
      for (const c of this.v.overviews.categories.values()) {
        const claimed = (c.keyType === 'simple' ? [c.envVarName] : c.fields).find((n) => n !== null && writes.includes(n));
        if (claimed) throw new KeydenError('CONFLICT', `its category "${category.name}" was deleted and "${c.name}" now writes ${claimed}`, { category: c.name, id: c.id, variable: claimed });
      }
    }
    const o = this.v.overviews;
    if (row.categoryDeleted) o.categories.set(category.id, category);
    let dup: EntryRecord | undefined;
    try {
      dup = this.entries.findDuplicate(entry.categoryId, entry.name, entry.environment, entry.id, entry.envVarName);
    } finally {
      if (row.categoryDeleted) o.categories.delete(category.id);
    }
    if (dup && !options.replace) {
      throw new KeydenError('CONFLICT', `${category.name}/${dup.name}/${dup.environment} exists; restore with replace to move it to the trash`, {
        id: dup.id,
        ref: `${category.name}/${dup.name}/${dup.environment}`,
      });
    }
    if (dup && !writableBy(caller, dup)) throw refuseWrite(dup);
    const now = this.v.now();
    const restored: EntryRecord = { ...entry, updatedAt: now };
    const db = this.v.db();
    this.v.write(() => {
      if (dup) this.entries.trash(caller, [dup], now);
      if (row.categoryDeleted) {
        db.prepare('UPDATE categories SET overview = ?, updated_at = ? WHERE id = ?').run(sealOverview(keys, 'categories', category.id, categoryOverview(category)), now, category.id);
        this.v.audit.write({ actor: caller.actor, action: 'category.create', targetId: category.id, ok: true, detail: { name: category.name, restored: true } });
      }
      statement(db, 'UPDATE entries SET trashed_at = NULL, updated_at = ? WHERE id = ?').run(now, id);
      this.v.audit.write({ actor: caller.actor, action: 'entry.restore', targetId: id, ok: true, detail: { name: entry.name, environment: entry.environment, fromTrash: true } });
    });
    if (dup) this.entries.forget([dup]);
    if (row.categoryDeleted) o.categories.set(category.id, { ...category, updatedAt: now });
    o.entries.set(id, restored);
    o.generation++;
    return toEntry(restored);
  }

  purge(caller: Caller, id: string): void {
    const row = this.row(caller, id);
    this.v.write(() => this.purgeRows(caller, [row]));
  }

  /** Empties the caller's part of the trash; returns how many entries went. */
  purgeAll(caller: Caller): number {
    // What it may see but not change (another environment's `*` items) stays.
    const rows = this.rows().filter((r) => writableBy(caller, r.entry));
    if (rows.length > 0) this.v.write(() => this.purgeRows(caller, rows));
    return rows.length;
  }

  /** Purges what has been in the trash for more than 30 days; the owner calls it at unlock. */
  purgeExpiredTrash(caller: Caller): number {
    const cutoff = new Date(Date.parse(this.v.now()) - TRASH_DAYS * DAY_MS).toISOString();
    const rows = this.rows().filter((r) => r.trashedAt < cutoff);
    if (rows.length > 0) this.v.write(() => this.purgeRows(caller, rows));
    return rows.length;
  }

  private purgeRows(caller: Caller, rows: TrashedRow[]): void {
    const db = this.v.db();
    for (const { entry, category } of rows) {
      statement(db, 'DELETE FROM entries WHERE id = ? AND trashed_at IS NOT NULL').run(entry.id);
      this.v.audit.write({ actor: caller.actor, action: 'entry.purge', targetId: entry.id, ok: true, detail: { name: entry.name, environment: entry.environment, category: category?.name ?? null } });
    }
    // A deleted category goes once no trashed entry needs it.
    for (const categoryId of new Set(rows.filter((r) => r.categoryDeleted).map((r) => r.entry.categoryId))) {
      statement(db, 'DELETE FROM categories WHERE id = ? AND NOT EXISTS (SELECT 1 FROM entries WHERE category_id = ?)').run(categoryId, categoryId);
    }
  }

  private row(caller: Caller, id: string): TrashedRow {
    const row = this.rows(id)[0];
    if (!row || !visibleTo(caller, row.entry)) throw notFound('trash item', { id });
    if (!writableBy(caller, row.entry)) throw refuseWrite(row.entry);
    return row;
  }

  private rows(id?: string): TrashedRow[] {
    const keys = this.v.keys();
    const db = this.v.db();
    const rows = (
      id === undefined
        ? db.prepare('SELECT id, category_id, overview, created_at, updated_at, trashed_at FROM entries WHERE trashed_at IS NOT NULL').all()
        : db.prepare('SELECT id, category_id, overview, created_at, updated_at, trashed_at FROM entries WHERE trashed_at IS NOT NULL AND id = ?').all(id)
    ) as Row[];
    const deleted = new Map<string, Category | null>();
    const out: TrashedRow[] = [];
    for (const r of rows) {
      const ov = openOverview(keys, 'entries', entryRowId(r.id, r.category_id), r.overview) as Omit<EntryRecord, 'id' | 'categoryId' | 'createdAt' | 'updatedAt'> | null;
      if (!ov) continue;
      const live = this.v.overviews.categories.get(r.category_id);
      let category: Category | null = live ?? null;
      if (!live) {
        if (!deleted.has(r.category_id)) deleted.set(r.category_id, this.deletedCategory(r.category_id));
        category = deleted.get(r.category_id) ?? null;
      }
      out.push({
        entry: { id: r.id, categoryId: r.category_id, ...ov, createdAt: r.created_at, updatedAt: r.updated_at },
        trashedAt: r.trashed_at,
        category,
        categoryDeleted: !live,
      });
    }
    return out;
  }

  private deletedCategory(id: string): Category | null {
    const row = this.v.db().prepare('SELECT overview, created_at, updated_at FROM categories WHERE id = ?').get(id) as { overview: Uint8Array; created_at: string; updated_at: string } | undefined;
    if (!row) return null;
    const ov = openOverview(this.v.keys(), 'categories', id, row.overview) as (Omit<Category, 'id' | 'createdAt' | 'updatedAt'> & { deletedAt?: string }) | null;
    if (!ov) return null;
    const { deletedAt: _deleted, ...rest } = ov;
    return { id, ...rest, createdAt: row.created_at, updatedAt: row.updated_at };
  }
}


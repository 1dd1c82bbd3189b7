// The `projects` table (DESIGN §9 "Storage"): a project's description, environments list and
// template, sealed with K_ov; matched to entries by case-insensitive name. A project without a
// row has nulls and [].
import { statement } from '../store/db.js';
import { macCheckSql, rowsTampered } from '../store/integrity.js';
import { lower, newId, openOverview, sealOverview, type Keys, type VaultContext } from './context.js';

export interface ProjectRecord {
  id: string;
  name: string;
  description: string | null;
  environments: string[];
  template: string[];
  createdAt: string;
  updatedAt: string;
}

type Overview = Pick<ProjectRecord, 'name' | 'description' | 'environments' | 'template'>;

export class ProjectRecords {
  constructor(private readonly v: VaultContext) {}

  /** Every readable row, by lowercase name; read again whenever the overviews changed. */
  all(): Map<string, ProjectRecord> {
    const o = this.v.overviews;
    // Kept in the overviews, so a lock drops them with everything else it wipes.
    if (o.projectRecords?.generation === o.generation) return o.projectRecords.byName as Map<string, ProjectRecord>;
    const keys = this.v.keys();
    const byName = new Map<string, ProjectRecord>();
    const db = this.v.db();
    // Read from the file, so each row's mac is checked (another process may have edited it since the
    // unlock checked it); a row that fails is refused out loud, as a history or audit row is.
    const rows = db.prepare(`SELECT id, overview, created_at, updated_at, ${macCheckSql(db, 'projects')} AS authentic FROM projects`).all() as {
      id: string;
      overview: Uint8Array;
      created_at: string;
      updated_at: string;
      authentic: number;
    }[];
    const failing = rows.filter((r) => r.authentic !== 1).length;
    if (failing > 0) throw this.v.keyChangedBeside() ?? rowsTampered('projects', failing);
    for (const r of rows) {
      const ov = openOverview(keys, 'projects', r.id, r.overview) as Overview | null;
      if (!ov) continue;
      byName.set(lower(ov.name), { id: r.id, ...ov, createdAt: r.created_at, updatedAt: r.updated_at });
    }
    o.projectRecords = { generation: o.generation, byName };
    return byName;
  }

  get(name: string): ProjectRecord | undefined {
    return this.all().get(lower(name));
  }

  /** A new, empty record for a project that has none yet (not stored until `save`). */
  blank(name: string, now: string): ProjectRecord {
    return { id: newId(), name, description: null, environments: [], template: [], createdAt: now, updatedAt: now };
  }

  /** Inserts or rewrites the row inside the caller's transaction; the caller bumps the generation. */
  save(keys: Keys, r: ProjectRecord): void {
    const overview: Overview = { name: r.name, description: r.description, environments: r.environments, template: r.template };
    statement(this.v.db(), 'INSERT INTO projects (id, overview, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET overview = excluded.overview, updated_at = excluded.updated_at').run(
      r.id,
      sealOverview(keys, 'projects', r.id, overview),
      r.createdAt,
      r.updatedAt,
    );
  }

  remove(id: string): void {
    statement(this.v.db(), 'DELETE FROM projects WHERE id = ?').run(id);
  }
}

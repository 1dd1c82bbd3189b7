// Sidebar: all entries, projects, categories (with icons), environments, then audit and settings.
// Sections fold, one filter narrows them all, and the project list is virtualized.
import { useState, type ReactNode } from 'react';
import { STANDARD_ENVIRONMENTS } from '../../../shared/model.js';
import { ListIcon, LockIcon, SettingsIcon, ShieldIcon, TagIcon, ServiceIcon } from '../components/icons.js';
import { Name } from '../components/Name.js';
import { Kbd, MOD } from '../components/ui.js';
import { call } from '../api.js';
import { useSession } from '../store/session.js';
import { ProjectNav } from './ProjectNav.js';

type Section = 'projects' | 'categories' | 'environments';

function SectionHeading({ id, title, open, onToggle, action }: { id: string; title: string; open: boolean; onToggle: () => void; action?: ReactNode }) {
  return (
    <h2 className="nav-heading">
      <button className="nav-heading-toggle" aria-expanded={open} aria-controls={id} onClick={onToggle}>
        <span className={`chevron${open ? ' open' : ''}`} aria-hidden="true">▸</span> {title}
      </button>
      {action}
    </h2>
  );
}

export function Sidebar() {
  const { categories, projects, filter, view, setFilter, setView } = useSession();
  const [open, setOpen] = useState<Record<Section, boolean>>({ projects: true, categories: true, environments: true });
  const [narrow, setNarrow] = useState('');
  const environments = Array.from(new Set([...STANDARD_ENVIRONMENTS, ...projects.flatMap((p) => Object.keys(p.environments))]));
  const onEntries = view.kind === 'entries';
  const noFilter = !filter.project && !filter.categoryId && !filter.environment;
  const needle = narrow.trim().toLowerCase();
  const keeps = (name: string): boolean => !needle || name.toLowerCase().includes(needle);
  const shownProjects = projects.filter((p) => keeps(p.name));
  const shownCategories = categories.filter((c) => keeps(c.name));
  const shownEnvironments = environments.filter(keeps);
  const toggle = (s: Section) => () => setOpen({ ...open, [s]: !open[s] });

  const item = (active: boolean) => `nav-item${active ? ' active' : ''}`;
  return (
    <nav className="sidebar" aria-label="Vault">
      <div className="sidebar-brand">
        <ServiceIcon slug="lock" size={24} label="" />
        <span>Keyden</span>
      </div>
      <div className="nav-filter">
        <input type="search" placeholder="Filter sidebar" aria-label="Filter projects, categories and environments" value={narrow} onChange={(e) => setNarrow(e.target.value)} />
      </div>
      <div className="nav-scroll">
        <button className={item(onEntries && noFilter)} onClick={() => setFilter({ project: null, categoryId: null, environment: null })}>
          <ListIcon /> All entries
        </button>

        <SectionHeading id="nav-projects" title={`Projects (${projects.length})`} open={open.projects} onToggle={toggle('projects')} />
        <div id="nav-projects" hidden={!open.projects}>
          {projects.length === 0 ? <p className="nav-empty">Projects appear when you add entries.</p> : null}
          {projects.length > 0 && shownProjects.length === 0 ? <p className="nav-empty">No project matches.</p> : null}
          <ProjectNav projects={shownProjects} activeName={view.kind === 'project' ? view.name : null} onOpen={(name) => setView({ kind: 'project', name })} />
        </div>

        <SectionHeading
          id="nav-categories"
          title="Categories"
          open={open.categories}
          onToggle={toggle('categories')}
          action={
            <button className="nav-heading-action" onClick={() => setView({ kind: 'categories' })} aria-label="Manage categories">
              <TagIcon />
            </button>
          }
        />
        <div id="nav-categories" hidden={!open.categories}>
          {shownCategories.map((c) => (
            <button key={c.id} className={item(onEntries && filter.categoryId === c.id)} aria-pressed={onEntries && filter.categoryId === c.id} onClick={() => setFilter({ categoryId: filter.categoryId === c.id ? null : c.id, project: null })}>
              <ServiceIcon slug={c.icon} size={18} label="" /> <Name className="truncate">{c.name}</Name>
            </button>
          ))}
        </div>

        <SectionHeading id="nav-environments" title="Environments" open={open.environments} onToggle={toggle('environments')} />
        <div id="nav-environments" hidden={!open.environments}>
          {shownEnvironments.map((env) => (
            <button key={env} className={item(onEntries && filter.environment === env)} aria-pressed={onEntries && filter.environment === env} onClick={() => setFilter({ environment: filter.environment === env ? null : env })}>
              <span className={`env-dot env-${env}`} aria-hidden="true" />
              {env === '*' ? 'All environments (shared)' : <Name>{env}</Name>}
            </button>
          ))}
        </div>
      </div>
      <div className="sidebar-footer">
        <button className={item(view.kind === 'audit')} onClick={() => setView({ kind: 'audit' })}>
          <ShieldIcon /> Audit log
        </button>
        <button className={item(view.kind === 'settings')} onClick={() => setView({ kind: 'settings' })}>
          <SettingsIcon /> Settings
        </button>
        <button className="nav-item" onClick={() => void call('vault.lock')}>
          <LockIcon /> Lock <Kbd>{MOD}+L</Kbd>
        </button>
      </div>
    </nav>
  );
}

// Sidebar: all entries, projects, categories (with icons), environments, then audit and settings.
import { STANDARD_ENVIRONMENTS } from '../../../shared/model.js';
import { FolderIcon, ListIcon, LockIcon, SettingsIcon, ShieldIcon, TagIcon, ServiceIcon } from '../components/icons.js';
import { Kbd, MOD } from '../components/ui.js';
import { call } from '../api.js';
import { useSession } from '../store/session.js';

export function Sidebar() {
  const { categories, projects, filter, view, setFilter, setView } = useSession();
  const environments = Array.from(new Set([...STANDARD_ENVIRONMENTS, ...projects.flatMap((p) => Object.keys(p.environments))]));
  const onEntries = view.kind === 'entries';
  const noFilter = !filter.project && !filter.categoryId && !filter.environment;

  const item = (active: boolean) => `nav-item${active ? ' active' : ''}`;
  return (
    <nav className="sidebar" aria-label="Vault">
      <div className="sidebar-brand">
        <ServiceIcon slug="lock" size={24} label="" />
        <span>Keyden</span>
      </div>
      <div className="nav-scroll">
        <button className={item(onEntries && noFilter)} onClick={() => setFilter({ project: null, categoryId: null, environment: null })}>
          <ListIcon /> All entries
        </button>

        <h2 className="nav-heading">Projects</h2>
        {projects.length === 0 ? <p className="nav-empty">Projects appear when you add entries.</p> : null}
        {projects.map((p) => (
          <button key={p.name} className={item(view.kind === 'project' && view.name === p.name)} onClick={() => setView({ kind: 'project', name: p.name })}>
            <FolderIcon /> <span className="truncate">{p.name}</span>
            <span className="count">{p.entryCount}</span>
          </button>
        ))}

        <h2 className="nav-heading">
          Categories
          <button className="nav-heading-action" onClick={() => setView({ kind: 'categories' })} aria-label="Manage categories">
            <TagIcon />
          </button>
        </h2>
        {categories.map((c) => (
          <button key={c.id} className={item(onEntries && filter.categoryId === c.id)} onClick={() => setFilter({ categoryId: filter.categoryId === c.id ? null : c.id, project: null })}>
            <ServiceIcon slug={c.icon} size={18} label="" /> <span className="truncate">{c.name}</span>
          </button>
        ))}

        <h2 className="nav-heading">Environments</h2>
        {environments.map((env) => (
          <button key={env} className={item(onEntries && filter.environment === env)} onClick={() => setFilter({ environment: filter.environment === env ? null : env })}>
            <span className={`env-dot env-${env}`} aria-hidden="true" />
            {env === '*' ? 'All environments (shared)' : env}
          </button>
        ))}
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

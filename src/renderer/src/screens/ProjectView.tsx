// A project: its variables per environment, conflicts, Copy as .env, Export .env…, Import .env….
import { Tabs } from 'radix-ui';
import { useEffect, useState } from 'react';
import type { ProjectVariablesView } from '../../../shared/ipc.js';
import type { ImportSummary } from '../../../shared/model.js';
import { call, errorMessage } from '../api.js';
import { AlertIcon, CopyIcon, DownloadIcon, FolderIcon, UploadIcon } from '../components/icons.js';
import { Name, Names, shown } from '../components/Name.js';
import { toast } from '../components/toast.js';
import { Button, EmptyState } from '../components/ui.js';
import { ProjectTools, TemplateStatus } from '../components/ProjectTools.js';
import { useSession } from '../store/session.js';

export function ProjectView({ name }: { name: string }) {
  const project = useSession((s) => s.projects.find((p) => p.name === name));
  // `*` holds the variables every environment inherits: the "All environments" tab, shown last.
  const environments = Object.keys(project?.environments ?? {}).filter((e) => e !== '*');
  const [environment, setEnvironment] = useState(environments[0] ?? 'development');
  const [vars, setVars] = useState<ProjectVariablesView | null>(null);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [skipExisting, setSkipExisting] = useState(false);
  const [version, setVersion] = useState(0);
  /** The variables of the .env just copied or exported that a shell sourcing it would run or expand. */
  const [shellActive, setShellActive] = useState<string[]>([]);
  useEffect(() => setShellActive([]), [name, environment]);

  const environmentKey = environments.join(',');
  useEffect(() => {
    // After an import or delete the tab shown may no longer exist: fall back to the first one.
    const names = environmentKey ? environmentKey.split(',') : [];
    if (environment !== '*' && !names.includes(environment) && names[0]) setEnvironment(names[0]);
  }, [environmentKey, environment]);

  useEffect(() => {
    let live = true;
    setVars(null);
    call('projects.variables', { project: name, environment }).then(
      (v) => live && setVars(v),
      () => live && setVars({ variables: [], conflicts: [] }),
    );
    return () => {
      live = false;
    };
  }, [name, environment, version]);

  async function copyEnv(): Promise<void> {
    try {
      if (environment === '*') return;
      const r = await call('projects.copyEnv', { project: name, environment });
      setShellActive(r.shellActive);
      toast(`Copied the .env — the clipboard clears in ${r.clearsInSeconds} s`);
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  async function exportEnv(): Promise<void> {
    try {
      if (environment === '*') return;
      const r = await call('projects.exportEnv', { project: name, environment });
      if (!r) return;
      setShellActive(r.shellActive);
      toast(`Exported to ${r.path}`);
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  async function importEnv(): Promise<void> {
    try {
      const r = await call('projects.importEnv', { project: name, environment, mode: skipExisting ? 'skip' : 'upsert' });
      if (!r) return;
      setSummary(r);
      await useSession.getState().refresh();
      setVersion((v) => v + 1);
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }

  const conflicted = new Set(vars?.conflicts.map((c) => c.name));
  // The environments, then the shared entries of every environment ("All environments", DESIGN §9).
  const tabs = [...(environments.length ? environments : ['development']), '*'];
  const panel = (
    <>
      <ProjectTools name={name} environment={environment} environments={environments} onChanged={() => setVersion((v) => v + 1)} />
      <TemplateStatus name={name} environment={environment} version={version} />
      <div className="toolbar">
        <Button onClick={() => void copyEnv()} disabled={!vars || vars.variables.length === 0 || conflicted.size > 0 || environment === '*'}>
          <CopyIcon /> Copy as .env
        </Button>
        <Button onClick={() => void exportEnv()} disabled={!vars || vars.variables.length === 0 || conflicted.size > 0 || environment === '*'}>
          <DownloadIcon /> Export .env…
        </Button>
        <Button onClick={() => void importEnv()}>
          <UploadIcon /> Import .env…
        </Button>
        <label className="checkbox small">
          <input type="checkbox" checked={skipExisting} onChange={(e) => setSkipExisting(e.target.checked)} /> Keep existing values on import
        </label>
      </div>

      {shellActive.length > 0 ? (
        <div className="banner banner-warn" role="alert" aria-label="Values a shell would run">
          <AlertIcon />
          <div>
            <strong>A shell that sources this .env (<code>. ./.env</code>) would run or expand {shellActive.length === 1 ? 'a value' : 'values'}:</strong>{' '}
            <code>
              <Names list={shellActive} />
            </code>
            . The file is exact for dotenv; to load these keys into a shell, use <code>keyden run</code> or the shell export format.
          </div>
        </div>
      ) : null}

      {vars && vars.conflicts.length > 0 ? (
        <div className="banner banner-warn" role="alert">
          <AlertIcon />
          <div>
            <strong>Conflicts: export is blocked until they are resolved.</strong>
            <ul>
              {vars.conflicts.map((c) => (
                <li key={c.name}>
                  <code><Name>{c.name}</Name></code> is written by <Names list={c.entries.map((e) => e.categoryName)} separator=" and " />
                </li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}

      {summary ? (
        <div className="banner" role="status" data-testid="import-summary">
          <div>
            <strong>Imported {summary.imported}, updated {summary.updated}, skipped {summary.skipped}{summary.failed.length ? `, failed ${summary.failed.length}` : ''}.</strong>
            {summary.failed.length ? (
              <ul>
                {summary.failed.map((f) => (
                  <li key={`${f.key}-${f.line}`}>
                    Line {f.line}: <code><Name>{f.key}</Name></code> — {shown(f.reason)}
                  </li>
                ))}
              </ul>
            ) : null}
            {summary.warnings.length ? (
              <ul aria-label="Import warnings">
                {summary.warnings.map((w) => (
                  <li key={w}>{shown(w)}</li>
                ))}
              </ul>
            ) : null}
          </div>
          <Button variant="ghost" onClick={() => setSummary(null)} aria-label="Dismiss summary">×</Button>
        </div>
      ) : null}

      {vars === null ? <p className="muted">Loading…</p> : vars.variables.length === 0 ? (
        <EmptyState title={`No variables in ${shown(environment)}`}>Add an entry for this project, or import an existing .env file.</EmptyState>
      ) : (
        <table className="table" aria-label="Variables">
          <thead>
            <tr><th>Variable</th><th>From</th><th>Value</th></tr>
          </thead>
          <tbody>
            {vars.variables.map((v) => (
              <tr key={`${v.name}-${v.entryId}-${v.field ?? ''}`} className={conflicted.has(v.name) ? 'row-conflict' : undefined}>
                <td><code><Name>{v.name}</Name></code></td>
                <td>
                  <Name>{v.categoryName}</Name>
                  {v.field ? <span className="muted"> · <Name>{v.field}</Name></span> : null}
                  {v.shared ? <> </> : null}
                  {v.shared ? <span className="badge" title="Inherited from All environments; an entry of this environment would override it">inherited</span> : null}
                </td>
                <td className="muted">••••••••</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
  return (
    <section className="page" aria-labelledby="project-title">
      <header className="page-header">
        <h1 id="project-title"><FolderIcon width={22} height={22} /> <Name>{name}</Name></h1>
        <span className="muted">{project?.entryCount ?? 0} entries</span>
      </header>
      <Tabs.Root value={environment} onValueChange={setEnvironment}>
        <Tabs.List className="tabs" aria-label="Environment">
          {tabs.map((env) =>
            env === '*' ? (
              <Tabs.Trigger key={env} value={env} className="tab">
                All environments <span className="count">{project?.environments['*'] ?? 0}</span>
              </Tabs.Trigger>
            ) : (
              <Tabs.Trigger key={env} value={env} className="tab">
                <span className={`env-dot env-${env}`} aria-hidden="true" /> <Name>{env}</Name> <span className="count">{project?.environments[env] ?? 0}</span>
              </Tabs.Trigger>
            ),
          )}
        </Tabs.List>
        {/* One panel per tab, so every tab controls a real tabpanel; only the selected one has content. */}
        {tabs.map((env) => (
          <Tabs.Content key={env} value={env} forceMount hidden={env !== environment} className="tab-panel">
            {env === environment ? panel : null}
          </Tabs.Content>
        ))}
      </Tabs.Root>
    </section>
  );
}

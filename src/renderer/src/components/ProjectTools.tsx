// The project view's operations (DESIGN §9): promote with a preview, the template and what an
// environment lacks, rename or delete the project or one environment.
import { useEffect, useState, type FormEvent } from 'react';
import type { CopySummary, Validation } from '../../../shared/model.js';
import { call, errorMessage } from '../api.js';
import { AlertIcon } from './icons.js';
import { Name, Names, shown } from './Name.js';
import { toast } from './toast.js';
import { Button, Confirm, Field, Modal } from './ui.js';
import { useSession } from '../store/session.js';

const SHARED = '*';

interface Props {
  name: string;
  environment: string;
  environments: string[];
  /** Something changed: reload the variables (and the project list). */
  onChanged: () => void;
}

async function refreshProjects(): Promise<void> {
  await useSession.getState().refresh();
}

export function ProjectTools({ name, environment, environments, onChanged }: Props) {
  const [dialog, setDialog] = useState<null | 'promote' | 'template' | 'rename' | 'delete' | 'renameEnv' | 'deleteEnv'>(null);
  const close = (open: boolean) => !open && setDialog(null);
  const isShared = environment === SHARED;

  async function run(action: () => Promise<unknown>, done: string): Promise<boolean> {
    try {
      await action();
      toast(done);
      await refreshProjects();
      onChanged();
      setDialog(null);
      return true;
    } catch (e) {
      toast(errorMessage(e), 'error');
      return false;
    }
  }

  return (
    <div className="toolbar" aria-label="Project actions">
      <Button onClick={() => setDialog('promote')} disabled={isShared || environments.length < 1}>Promote…</Button>
      <Button onClick={() => setDialog('template')}>Template…</Button>
      <Button onClick={() => setDialog('rename')}>Rename project…</Button>
      <Button onClick={() => setDialog('renameEnv')} disabled={isShared}>Rename {isShared ? 'environment' : shown(environment)}…</Button>
      <Button variant="ghost" onClick={() => setDialog('deleteEnv')} disabled={isShared}>Delete {isShared ? 'environment' : shown(environment)}…</Button>
      <Button variant="ghost" onClick={() => setDialog('delete')}>Delete project…</Button>

      {dialog === 'promote' ? <PromoteDialog name={name} from={environment} environments={environments} onClose={close} onDone={() => void run(async () => undefined, 'Promoted')} /> : null}
      {dialog === 'template' ? <TemplateDialog name={name} onClose={close} onSave={(variables) => run(() => call('projects.setTemplate', { project: name, template: { variables } }), 'Template saved')} /> : null}
      {dialog === 'rename' ? (
        <RenameDialog
          title={`Rename ${shown(name)}`}
          label="New project name"
          initial={name}
          onClose={close}
          onSave={async (to) => {
            if (await run(() => call('projects.patch', { project: name, patch: { name: to } }), `Renamed to ${shown(to)}`)) useSession.getState().setView({ kind: 'project', name: to });
          }}
        />
      ) : null}
      {dialog === 'renameEnv' ? (
        <RenameDialog
          title={`Rename ${shown(environment)}`}
          label="New environment name"
          initial={environment}
          onClose={close}
          onSave={(to) => run(() => call('projects.renameEnvironment', { project: name, environment, name: to.toLowerCase() }), `Renamed ${shown(environment)} to ${shown(to.toLowerCase())}`).then(() => undefined)}
        />
      ) : null}
      <Confirm
        open={dialog === 'deleteEnv'}
        onOpenChange={close}
        title={`Delete ${shown(environment)}?`}
        description={`Every entry of ${shown(name)} in ${shown(environment)} goes to the trash (Settings › Trash) for 30 days.`}
        confirmLabel="Move to trash"
        danger
        onConfirm={() => void run(() => call('projects.removeEnvironment', { project: name, environment }), `Moved ${shown(environment)} to the trash`)}
      />
      <Confirm
        open={dialog === 'delete'}
        onOpenChange={close}
        title={`Delete ${shown(name)}?`}
        description="Every entry of the project goes to the trash (Settings › Trash) for 30 days."
        confirmLabel="Move to trash"
        danger
        onConfirm={() =>
          void run(() => call('projects.remove', { project: name }), `Moved ${shown(name)} to the trash`).then((ok) => ok && useSession.getState().setView({ kind: 'entries' }))
        }
      />
    </div>
  );
}

/** Which template variables this environment lacks, flagged above its variables. */
export function TemplateStatus({ name, environment, version }: { name: string; environment: string; version: number }) {
  const [result, setResult] = useState<Validation | null>(null);
  useEffect(() => {
    let live = true;
    setResult(null);
    if (environment === SHARED) return;
    call('projects.validate', { project: name, environment }).then(
      (v) => live && setResult(v),
      () => live && setResult(null),
    );
    return () => {
      live = false;
    };
  }, [name, environment, version]);
  if (!result || (result.missing.length === 0 && result.empty.length === 0)) return null;
  const names = (list: string[]) =>
    list.map((v, i) => (
      <span key={v}>
        {i > 0 ? ', ' : ''}
        <code><Name>{v}</Name></code>
      </span>
    ));
  return (
    <div className="banner banner-warn" role="alert" data-testid="template-missing">
      <AlertIcon />
      <div>
        {result.missing.length > 0 ? (
          <p>
            <strong><Name>{environment}</Name> lacks {result.missing.length === 1 ? 'a required variable' : `${result.missing.length} required variables`}:</strong> {names(result.missing)}
          </p>
        ) : null}
        {result.empty.length > 0 ? (
          <p data-testid="template-empty">
            <strong>{result.empty.length === 1 ? 'An empty value' : `${result.empty.length} empty values`}:</strong> {names(result.empty)}
          </p>
        ) : null}
      </div>
    </div>
  );
}

function RenameDialog({ title, label, initial, onClose, onSave }: { title: string; label: string; initial: string; onClose: (open: boolean) => void; onSave: (to: string) => Promise<void> }) {
  const [value, setValue] = useState(initial);
  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    if (value.trim() && value !== initial) await onSave(value.trim());
  }
  return (
    <Modal open onOpenChange={onClose} title={title}>
      <form onSubmit={(e) => void submit(e)}>
        <Field label={label}>{(id) => <input id={id} value={value} onChange={(e) => setValue(e.target.value)} autoFocus />}</Field>
        <div className="modal-actions">
          <Button type="button" onClick={() => onClose(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!value.trim() || value === initial}>Rename</Button>
        </div>
      </form>
    </Modal>
  );
}

function TemplateDialog({ name, onClose, onSave }: { name: string; onClose: (open: boolean) => void; onSave: (variables: string[]) => Promise<boolean> }) {
  const project = useSession((s) => s.projects.find((p) => p.name === name));
  const [text, setText] = useState((project?.template ?? []).join('\n'));
  const variables = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  return (
    <Modal open onOpenChange={onClose} title={`Template of ${shown(name)}`} description="The variables every environment must have, one per line.">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void onSave(variables);
        }}
      >
        <Field label="Required variables">{(id) => <textarea id={id} rows={8} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />}</Field>
        <div className="modal-actions">
          <Button type="button" onClick={() => onClose(false)}>Cancel</Button>
          <Button type="submit" variant="primary">Save template</Button>
        </div>
      </form>
    </Modal>
  );
}

/** Promote: choose the target and the variables, preview the diff (a dry run), then apply. */
function PromoteDialog({ name, from, environments, onClose, onDone }: { name: string; from: string; environments: string[]; onClose: (open: boolean) => void; onDone: () => void }) {
  const targets = environments.filter((e) => e !== from && e !== SHARED);
  const [to, setTo] = useState(targets[0] ?? '');
  const [available, setAvailable] = useState<string[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [overwrite, setOverwrite] = useState(false);
  const [preview, setPreview] = useState<CopySummary | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call('projects.variables', { project: name, environment: from }).then(
      (v) => {
        const own = [...new Set(v.variables.filter((x) => !x.shared).map((x) => x.name))];
        setAvailable(own);
        setChosen(new Set(own));
      },
      (e: unknown) => toast(errorMessage(e), 'error'),
    );
  }, [name, from]);
  useEffect(() => setPreview(null), [to, chosen, overwrite]);

  async function copy(dryRun: boolean): Promise<void> {
    setBusy(true);
    try {
      const summary = await call('projects.copy', { project: name, input: { from, to: to.trim().toLowerCase(), variables: [...chosen], overwrite, dryRun } });
      if (dryRun) setPreview(summary);
      else onDone();
    } catch (e) {
      toast(errorMessage(e), 'error');
    } finally {
      setBusy(false);
    }
  }

  const toggle = (v: string) => setChosen((s) => (s.has(v) ? new Set([...s].filter((x) => x !== v)) : new Set([...s, v])));
  return (
    <Modal open onOpenChange={onClose} title={`Promote ${shown(name)} from ${shown(from)}`} description="Copy this environment's own variables into another. Names only are shown, never values." wide>
      <Field label="To environment">
        {(id) => (
          <input id={id} list="promote-targets" value={to} onChange={(e) => setTo(e.target.value)} placeholder="production" />
        )}
      </Field>
      <datalist id="promote-targets">
        {targets.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <fieldset className="promote-variables">
        <legend>Variables</legend>
        {available.map((v) => (
          <label key={v} className="checkbox">
            <input type="checkbox" checked={chosen.has(v)} onChange={() => toggle(v)} /> <code><Name>{v}</Name></code>
          </label>
        ))}
      </fieldset>
      <label className="checkbox small">
        <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> Replace values the target already has
      </label>
      {preview ? (
        <div className="banner" role="status" data-testid="promote-preview">
          <ul>
            {(['added', 'changed', 'unchanged', 'skipped'] as const).map((k) =>
              preview[k].length > 0 ? (
                <li key={k}>
                  <strong>{k}:</strong> <Names list={preview[k]} />
                </li>
              ) : null,
            )}
          </ul>
        </div>
      ) : null}
      <div className="modal-actions">
        <Button onClick={() => onClose(false)}>Cancel</Button>
        <Button onClick={() => void copy(true)} busy={busy} disabled={!to.trim() || chosen.size === 0}>Preview</Button>
        <Button variant="primary" onClick={() => void copy(false)} busy={busy} disabled={!preview}>Apply</Button>
      </div>
    </Modal>
  );
}

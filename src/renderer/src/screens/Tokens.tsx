// API tokens in Settings: create with scopes, projects and expiry (shown once), list, revoke.
import { useEffect, useState, type FormEvent } from 'react';
import { SCOPES, type Scope, type Token } from '../../../shared/model.js';
import { AppError, call, errorMessage } from '../api.js';
import { toast } from '../components/toast.js';
import { Name, Names, shown as shownName } from '../components/Name.js';
import { Button, Confirm, EmptyState, Field, formatTime, Modal } from '../components/ui.js';
import { useSession } from '../store/session.js';
import { useGuardedCopy } from '../components/guarded-copy.js';

const EXPIRY_CHOICES = [
  { label: 'Never', days: null },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
] as const;

export function TokensSection() {
  const projects = useSession((s) => s.projects);
  const [tokens, setTokens] = useState<Token[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const load = (): void => void call('tokens.list').then(setTokens);
  useEffect(load, []);
  async function revoke(token: Token): Promise<void> {
    try {
      await call('tokens.revoke', { id: token.id });
      toast(`Revoked ${shownName(token.name)}`);
      load();
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  const status = (t: Token): string => (t.revokedAt ? 'Revoked' : t.expiresAt && new Date(t.expiresAt) < new Date() ? 'Expired' : 'Active');
  return (
    <div className="card section" aria-labelledby="tokens-title">
      <div className="section-head">
        <h2 id="tokens-title" className="section-title">API tokens</h2>
        <Button variant="primary" onClick={() => setCreating(true)}>Create token</Button>
      </div>
      {tokens === null ? null : tokens.length === 0 ? <EmptyState title="No tokens">Create a token for a script or CI job; give it only the scopes and projects it needs.</EmptyState> : (
        <table className="table" aria-label="Tokens">
          <thead><tr><th>Name</th><th>Scopes</th><th>Projects</th><th>Last used</th><th>Status</th><th /></tr></thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} className={t.revokedAt ? 'row-muted' : undefined}>
                <td><Name>{t.name}</Name></td>
                <td className="small">{t.scopes.join(', ')}</td>
                <td className="small">{t.projects ? <Names list={t.projects} /> : 'All'}</td>
                <td className="small">{t.lastUsedAt ? formatTime(t.lastUsedAt) : 'Never'}</td>
                <td><span className={`badge${status(t) === 'Active' ? ' badge-ok' : ''}`}>{status(t)}</span></td>
                <td className="actions">{!t.revokedAt ? <Button variant="danger" onClick={() => setRevoking(t)}>Revoke</Button> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating ? <CreateTokenDialog projects={projects.map((p) => p.name)} onClose={() => { setCreating(false); load(); }} /> : null}
      <Confirm open={revoking !== null} onOpenChange={(o) => !o && setRevoking(null)} danger title={`Revoke ${shownName(revoking?.name ?? '')}?`} description="Scripts using this token stop working at once." confirmLabel="Revoke" onConfirm={() => revoking && void revoke(revoking)} />
    </div>
  );
}

function CreateTokenDialog({ projects, onClose }: { projects: string[]; onClose: () => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Set<Scope>>(new Set(['entries:read', 'entries:reveal']));
  const [limitProjects, setLimitProjects] = useState<Set<string>>(new Set());
  const [expiryDays, setExpiryDays] = useState<number | null>(90);
  const [secret, setSecret] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const toggle = <T,>(set: Set<T>, v: T): Set<T> => { const n = new Set(set); if (n.has(v)) n.delete(v); else n.add(v); return n; };
  const shown = secret !== null;
  // Main keeps the window out of screen capture from the token's creation until its secret is off screen.
  useEffect(() => {
    if (!shown) return undefined;
    return () => void call('tokens.secretClosed').catch(() => undefined);
  }, [shown]);

  const copySecret = (value: string): void =>
    void call('tokens.copySecret', { secret: value }).then(
      (r) => toast(`Copied — the clipboard clears in ${r.clearsInSeconds} s`),
      (e: unknown) => toast(errorMessage(e), 'error'),
    );
  // ⌘/Ctrl+C in the token's field (selected as the dialog opens) copies through main too.
  const guardToken = useGuardedCopy(secret === null ? null : () => copySecret(secret));

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    try {
      const created = await call('tokens.create', {
        name: name.trim(),
        scopes: [...scopes],
        projects: limitProjects.size ? [...limitProjects] : null,
        expiresAt: expiryDays === null ? null : new Date(Date.now() + expiryDays * 86_400_000).toISOString(),
      });
      setSecret(created.secret);
    } catch (err) {
      setErrors(err instanceof AppError && err.code === 'VALIDATION_FAILED' ? (err.details as Record<string, string>) : { form: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  }

  if (secret !== null) {
    return (
      <Modal open onOpenChange={(o) => { if (!o) { setSecret(null); onClose(); } }} title="Token created" description="Copy it now: it is shown only this once. Keyden keeps only its hash.">
        <input ref={guardToken} className="token-secret" readOnly value={secret} aria-label="New token" onFocus={(e) => e.currentTarget.select()} autoFocus />
        <div className="modal-actions">
          <Button onClick={() => copySecret(secret)}>Copy</Button>
          <Button variant="primary" onClick={() => { setSecret(null); onClose(); }}>Done</Button>
        </div>
      </Modal>
    );
  }
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title="Create token" description="For the CLI, a script or CI. Give it the least it needs." wide>
      <form onSubmit={(e) => void submit(e)} className="form-grid">
        <div className="full">
          <Field label="Name" error={errors.name}>{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="e.g. deploy script" />}</Field>
        </div>
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s} className="checkbox"><input type="checkbox" checked={scopes.has(s)} onChange={() => setScopes(toggle(scopes, s))} /> <code>{s}</code></label>
          ))}
          {errors.scopes ? <p className="field-error">{errors.scopes}</p> : null}
        </fieldset>
        <fieldset>
          <legend>Projects</legend>
          {projects.length === 0 ? <p className="muted small">No projects yet: the token sees all.</p> : null}
          {projects.map((p) => (
            <label key={p} className="checkbox"><input type="checkbox" checked={limitProjects.has(p)} onChange={() => setLimitProjects(toggle(limitProjects, p))} /> <Name>{p}</Name></label>
          ))}
          <p className="muted small">{limitProjects.size ? 'Only these projects.' : 'None ticked: all projects.'}</p>
        </fieldset>
        <Field label="Expires">
          {(id) => (
            <select id={id} value={expiryDays ?? ''} onChange={(e) => setExpiryDays(e.target.value ? Number(e.target.value) : null)}>
              {EXPIRY_CHOICES.map((c) => <option key={c.label} value={c.days ?? ''}>{c.label}</option>)}
            </select>
          )}
        </Field>
        {errors.form ? <p className="form-error full" role="alert">{errors.form}</p> : null}
        <div className="modal-actions full">
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" busy={busy} disabled={!name.trim() || scopes.size === 0}>Create token</Button>
        </div>
      </form>
    </Modal>
  );
}


// Settings: auto-lock, clipboard, local API, tokens, master password, the keyden command.
import { Switch } from 'radix-ui';
import { useEffect, useState, type FormEvent } from 'react';
import { MASTER_PASSWORD_MIN, type ApiStatus } from '../../../shared/ipc.js';
import { SCOPES, type Scope, type Token } from '../../../shared/model.js';
import { AppError, call, errorMessage } from '../api.js';
import { StrengthMeter } from '../components/StrengthMeter.js';
import { toast } from '../components/toast.js';
import { Button, Confirm, EmptyState, Field, formatTime, Modal } from '../components/ui.js';
import { useSession } from '../store/session.js';

export function SettingsView() {
  return (
    <section className="page settings" aria-labelledby="settings-title">
      <header className="page-header">
        <h1 id="settings-title">Settings</h1>
      </header>
      <SecuritySection />
      <ApiSection />
      <TokensSection />
      <PasswordSection />
      <BackupSection />
      <CliSection />
    </section>
  );
}

function SecuritySection() {
  const settings = useSession((s) => s.settings);
  const [autoLock, setAutoLock] = useState(String(settings?.autoLockMinutes ?? 10));
  const [clip, setClip] = useState(String(settings?.clipboardSeconds ?? 30));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  async function save(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    try {
      const view = await call('settings.update', { autoLockMinutes: Number(autoLock), clipboardSeconds: Number(clip) });
      useSession.getState().setSettings(view.settings);
      setErrors({});
      toast('Settings saved');
    } catch (err) {
      setErrors(err instanceof AppError ? (err.details as Record<string, string>) : {});
      if (!(err instanceof AppError && err.code === 'VALIDATION_FAILED')) toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="card section" onSubmit={(e) => void save(e)} aria-labelledby="security-title">
      <h2 id="security-title" className="section-title">Locking and clipboard</h2>
      <div className="form-grid">
        <Field label="Lock after idle (minutes)" error={errors.autoLockMinutes} hint="Keyden also locks on sleep and when the screen locks.">
          {(id, d) => <input id={id} type="number" min={1} max={1440} value={autoLock} onChange={(e) => setAutoLock(e.target.value)} aria-describedby={d} />}
        </Field>
        <Field label="Clear clipboard after (seconds)" error={errors.clipboardSeconds} hint="Only if it still holds what Keyden copied.">
          {(id, d) => <input id={id} type="number" min={5} max={600} value={clip} onChange={(e) => setClip(e.target.value)} aria-describedby={d} />}
        </Field>
      </div>
      <div className="form-actions end">
        <Button variant="primary" type="submit" busy={busy}>Save</Button>
      </div>
    </form>
  );
}

function ApiSection() {
  const settings = useSession((s) => s.settings);
  const [api, setApi] = useState<ApiStatus | null>(null);
  const [port, setPort] = useState(String(settings?.apiPort ?? 17321));
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void call('settings.get').then((v) => setApi(v.api));
  }, []);
  async function apply(enabled: boolean): Promise<void> {
    setBusy(true);
    try {
      const view = await call('settings.update', { apiEnabled: enabled, apiPort: Number(port) });
      useSession.getState().setSettings(view.settings);
      setApi(view.api);
      if (view.api.error) toast(view.api.error, 'error');
    } catch (e) {
      toast(errorMessage(e), 'error');
    } finally {
      setBusy(false);
    }
  }
  const enabled = settings?.apiEnabled === true;
  return (
    <div className="card section" aria-labelledby="api-title">
      <h2 id="api-title" className="section-title">Local API</h2>
      <p className="muted">Lets the <code>keyden</code> CLI and your scripts read keys over <code>http://127.0.0.1</code>, with scoped tokens. Off unless you turn it on.</p>
      <div className="row-gap">
        <Switch.Root id="api-switch" className="switch" checked={enabled} disabled={busy} onCheckedChange={(v) => void apply(v)} aria-label="Local API">
          <Switch.Thumb className="switch-thumb" />
        </Switch.Root>
        <label htmlFor="api-switch">{enabled ? 'On' : 'Off'}</label>
        <label className="inline-field">
          Port
          <input type="number" min={0} max={65535} value={port} onChange={(e) => setPort(e.target.value)} onBlur={() => enabled && Number(port) !== settings?.apiPort && void apply(true)} aria-label="API port" />
        </label>
        <span className="muted small" data-testid="api-status">
          {api?.running ? `Listening on ${api.url}` : api?.error ? api.error : 'Not running'}
        </span>
      </div>
    </div>
  );
}

const EXPIRY_CHOICES = [
  { label: 'Never', days: null },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
] as const;

function TokensSection() {
  const projects = useSession((s) => s.projects);
  const [tokens, setTokens] = useState<Token[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const load = (): void => void call('tokens.list').then(setTokens);
  useEffect(load, []);
  async function revoke(token: Token): Promise<void> {
    try {
      await call('tokens.revoke', { id: token.id });
      toast(`Revoked ${token.name}`);
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
                <td>{t.name}</td>
                <td className="small">{t.scopes.join(', ')}</td>
                <td className="small">{t.projects?.join(', ') ?? 'All'}</td>
                <td className="small">{t.lastUsedAt ? formatTime(t.lastUsedAt) : 'Never'}</td>
                <td><span className={`badge${status(t) === 'Active' ? ' badge-ok' : ''}`}>{status(t)}</span></td>
                <td className="actions">{!t.revokedAt ? <Button variant="danger" onClick={() => setRevoking(t)}>Revoke</Button> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating ? <CreateTokenDialog projects={projects.map((p) => p.name)} onClose={() => { setCreating(false); load(); }} /> : null}
      <Confirm open={revoking !== null} onOpenChange={(o) => !o && setRevoking(null)} danger title={`Revoke ${revoking?.name ?? ''}?`} description="Scripts using this token stop working at once." confirmLabel="Revoke" onConfirm={() => revoking && void revoke(revoking)} />
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
        <input className="token-secret" readOnly value={secret} aria-label="New token" onFocus={(e) => e.currentTarget.select()} autoFocus />
        <div className="modal-actions">
          <Button
            onClick={() =>
              void call('tokens.copySecret', { secret }).then(
                (r) => toast(`Copied — the clipboard clears in ${r.clearsInSeconds} s`),
                (e: unknown) => toast(errorMessage(e), 'error'),
              )
            }
          >
            Copy
          </Button>
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
            <label key={p} className="checkbox"><input type="checkbox" checked={limitProjects.has(p)} onChange={() => setLimitProjects(toggle(limitProjects, p))} /> {p}</label>
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

function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    if (next !== confirm) return setError('The new passwords do not match');
    if (next.length < MASTER_PASSWORD_MIN) return setError(`Use at least ${MASTER_PASSWORD_MIN} characters`);
    setBusy(true);
    setError(null);
    try {
      await call('vault.changePassword', { current, next });
      setCurrent('');
      setNext('');
      setConfirm('');
      toast('Master password changed');
    } catch (err) {
      setError(err instanceof AppError && err.code === 'INVALID_PASSWORD' ? 'The current password is wrong' : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="card section" onSubmit={(e) => void submit(e)} aria-labelledby="password-title">
      <h2 id="password-title" className="section-title">Master password</h2>
      <div className="form-grid">
        <Field label="Current password">{(id) => <input id={id} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />}</Field>
        <div />
        <Field label="New password">{(id) => <input id={id} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />}</Field>
        <Field label="Confirm new password">{(id) => <input id={id} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}</Field>
        <div className="full"><StrengthMeter password={next} /></div>
      </div>
      {error ? <p className="form-error" role="alert">{error}</p> : null}
      <div className="form-actions end">
        <Button variant="primary" type="submit" busy={busy} disabled={!current || !next}>Change password</Button>
      </div>
    </form>
  );
}

function BackupSection() {
  const canBackup = useSession((s) => s.info?.canBackup ?? false);
  const [busy, setBusy] = useState(false);
  async function backup(): Promise<void> {
    setBusy(true);
    try {
      const r = await call('vault.backup');
      if (r) toast(`Backed up to ${r.path}`);
    } catch (e) {
      toast(errorMessage(e), 'error');
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="card section" aria-labelledby="backup-title">
      <h2 id="backup-title" className="section-title">Backup</h2>
      <p className="muted">A copy of the encrypted vault file. It opens with the master password at the time of the backup.</p>
      <div>
        <Button onClick={() => void backup()} busy={busy} disabled={!canBackup}>Back up vault…</Button>
      </div>
      {!canBackup ? <p className="muted small">Backups need a newer Keyden core. Meanwhile, copy the vault file while Keyden is closed.</p> : null}
    </div>
  );
}

function CliSection() {
  const canInstall = useSession((s) => s.info?.canInstallCli ?? false);
  const [path, setPath] = useState<string | null>(null);
  async function install(): Promise<void> {
    try {
      setPath((await call('app.installCli')).path);
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  return (
    <div className="card section" aria-labelledby="cli-title">
      <h2 id="cli-title" className="section-title">The keyden command</h2>
      {canInstall ? (
        <>
          <p className="muted">Installs a small <code>keyden</code> launcher that runs the CLI bundled with this app.</p>
          <Button onClick={() => void install()}>Install the keyden command</Button>
          {path ? <p className="small">Installed at <code>{path}</code>. Make sure its folder is on your PATH.</p> : null}
        </>
      ) : (
        <p className="muted">From a checkout, run <code>npx keyden</code>. The installed app offers a launcher here.</p>
      )}
    </div>
  );
}

// Settings: auto-lock, clipboard, local API, tokens, master password, the keyden command.
import { Switch } from 'radix-ui';
import { useEffect, useState, type FormEvent } from 'react';
import { MASTER_PASSWORD_MIN, type ApiStatus, type SettingsView, type UpdateStatus } from '../../../shared/ipc.js';
import { AppError, call, errorMessage, onEvent } from '../api.js';
import { StrengthMeter } from '../components/StrengthMeter.js';
import { toast } from '../components/toast.js';
import { TrashSection } from '../components/TrashSection.js';
import { Button, Field } from '../components/ui.js';
import { TokensSection } from './Tokens.js';
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
      <TrashSection />
      <UpdatesSection />
      <CliSection />
    </section>
  );
}

function SecuritySection() {
  const settings = useSession((s) => s.settings);
  const [autoLock, setAutoLock] = useState(String(settings?.autoLockMinutes ?? 10));
  const [clip, setClip] = useState(String(settings?.clipboardSeconds ?? 30));
  const [hide, setHide] = useState(settings?.hideWhileRevealed ?? true);
  const [lockOnMinimize, setLockOnMinimize] = useState(settings?.lockOnMinimize ?? false);
  const platform = useSession((s) => s.info?.platform);
  // Electron reports a locked screen on macOS and Windows only; on Linux Keyden cannot see it.
  const lockHint = platform === 'linux' ? 'Keyden also locks when the computer sleeps (Linux does not tell apps when the screen locks).' : 'Keyden also locks on sleep and when the screen locks.';
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [unlock, setUnlock] = useState<SettingsView['unlock']>(null);
  useEffect(() => {
    void call('settings.get').then((v) => setUnlock(v.unlock), () => undefined);
  }, []);
  async function save(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    try {
      const view = await call('settings.update', { autoLockMinutes: Number(autoLock), clipboardSeconds: Number(clip), hideWhileRevealed: hide, lockOnMinimize });
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
        <Field label="Lock after idle (minutes)" error={errors.autoLockMinutes} hint={lockHint}>
          {(id, d) => <input id={id} type="number" min={1} max={1440} value={autoLock} onChange={(e) => setAutoLock(e.target.value)} aria-describedby={d} />}
        </Field>
        <Field label="Clear clipboard after (seconds)" error={errors.clipboardSeconds} hint="Only if it still holds what Keyden copied.">
          {(id, d) => <input id={id} type="number" min={5} max={600} value={clip} onChange={(e) => setClip(e.target.value)} aria-describedby={d} />}
        </Field>
      </div>
      {unlock ? (
        <p className="muted" data-testid="kdf-info">
          Master password stretched with Argon2id, {unlock.kdf.m >= 1024 ? `${Math.round(unlock.kdf.m / 1024)} MiB` : `${unlock.kdf.m} KiB`} and {unlock.kdf.t} {unlock.kdf.t === 1 ? 'pass' : 'passes'}
          {unlock.lastUnlockMs !== null ? <>; the last unlock took {unlock.lastUnlockMs} ms</> : null}. Raise the cost with{' '}
          <code>keyden passwd --kdf-memory 256 --kdf-passes 4</code>.
        </p>
      ) : null}
      <label className="checkbox">
        <input type="checkbox" checked={lockOnMinimize} onChange={(e) => setLockOnMinimize(e.target.checked)} /> Lock when the window is minimized
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={hide} onChange={(e) => setHide(e.target.checked)} /> Hide Keyden from screenshots and screen sharing while a value is shown
      </label>
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
        <Button onClick={() => void backup()} busy={busy}>Back up vault…</Button>
      </div>
    </div>
  );
}

const UPDATE_TEXT: Record<UpdateStatus['state'], string> = {
  unsupported: 'Updates are checked only by an installed (packaged) Keyden.',
  idle: '',
  checking: 'Checking…',
  none: 'Keyden is up to date.',
  available: '',
  downloading: 'Downloading…',
  ready: 'The update is downloaded. Keyden restarts to install it; your vault stays as it is.',
  error: '',
};

/** "Check for updates": off by default; nothing downloads or installs without a click here. */
function UpdatesSection() {
  const settings = useSession((s) => s.settings);
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  useEffect(() => {
    void call('settings.get').then((v) => setStatus(v.updates), () => undefined);
    return onEvent('updates.changed', setStatus);
  }, []);
  const enabled = settings?.checkForUpdates ?? false;
  async function toggle(on: boolean): Promise<void> {
    try {
      const view = await call('settings.update', { checkForUpdates: on });
      useSession.getState().setSettings(view.settings);
      // Turned on: check at once (its answer comes after its events, so it is the last word).
      setStatus(on ? await call('updates.check') : view.updates);
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  const run = (channel: 'updates.check' | 'updates.download' | 'updates.install') => (): void => {
    call(channel).then(setStatus, (e: unknown) => toast(errorMessage(e), 'error'));
  };
  const supported = status !== null && status.state !== 'unsupported';
  const text = status ? (status.state === 'available' ? `Keyden ${status.version ?? ''} is available.` : (status.message ?? UPDATE_TEXT[status.state])) : '';
  return (
    <div className="card section" aria-labelledby="updates-title">
      <h2 id="updates-title" className="section-title">Updates</h2>
      <div className="row-gap">
        <Switch.Root id="updates-switch" className="switch" checked={enabled} disabled={!supported} onCheckedChange={(on) => void toggle(on)}>
          <Switch.Thumb className="switch-thumb" />
        </Switch.Root>
        <label htmlFor="updates-switch">Check for updates once a day</label>
      </div>
      <p className="muted small">
        Only signed releases. Keyden never downloads or installs an update on its own; on Linux it tells you about a new version and you install the package yourself.
      </p>
      {text ? <p className="small" role="status" data-testid="update-status">{text}{status?.state === 'available' && !status.installs ? <> Get it from <code>{status.releasesUrl}</code>.</> : null}</p> : null}
      {supported ? (
        <div className="row-gap">
          <Button onClick={run('updates.check')} disabled={!enabled || status?.state === 'checking' || status?.state === 'downloading'}>Check now</Button>
          {status?.state === 'available' && status.installs ? <Button variant="primary" onClick={run('updates.download')}>Download Keyden {status.version}</Button> : null}
          {status?.state === 'ready' ? <Button variant="primary" onClick={run('updates.install')}>Restart and install</Button> : null}
        </div>
      ) : null}
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
        <p className="muted">
          From a checkout, <code>npm link</code> puts <code>keyden</code> on your PATH. The installed app offers a launcher here.
        </p>
      )}
    </div>
  );
}

// Unlock: the KDF runs in main's worker, so the page stays responsive while it works.
import { useState, type FormEvent } from 'react';
import { AppError, call, errorMessage } from '../api.js';
import { ServiceIcon } from '../components/icons.js';
import { Button, Field } from '../components/ui.js';
import { useSession } from '../store/session.js';

export function Unlock() {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const vaultPath = useSession((s) => s.vaultPath);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    if (!password || busy) return;
    setBusy(true);
    setError(null);
    try {
      await call('vault.unlock', { password });
      setPassword('');
      await useSession.getState().unlocked();
    } catch (err) {
      setError(err instanceof AppError && err.code === 'INVALID_PASSWORD' ? 'Wrong password. Try again.' : errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <main className="onboarding">
      <form className="card unlock-card" onSubmit={(e) => void submit(e)} aria-labelledby="unlock-title">
        <ServiceIcon slug="lock" size={44} label="Keyden" />
        <h1 id="unlock-title">Keyden is locked</h1>
        <p className="muted small">{vaultPath}</p>
        <Field label="Master password" error={error ?? undefined}>
          {(id, describedBy) => (
            <input id={id} type="password" autoFocus autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-describedby={describedBy} aria-invalid={error ? true : undefined} />
          )}
        </Field>
        <Button variant="primary" type="submit" busy={busy} disabled={busy || !password} className="wide">
          {busy ? 'Unlocking…' : 'Unlock'}
        </Button>
      </form>
    </main>
  );
}

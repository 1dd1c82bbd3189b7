// Unlock: the KDF runs in main's worker, so the page stays responsive while it works.
import { useState, type FormEvent } from 'react';
import { AppError, call, errorMessage } from '../api.js';
import { ServiceIcon } from '../components/icons.js';
import { Button, Confirm, Field, SecretInput } from '../components/ui.js';
import { useSession } from '../store/session.js';

/** Generations of a vault older than the one this machine last opened (DESIGN §3 "Integrity"). */
interface Rollback {
  known: number;
  found: number;
}

function rollbackOf(err: unknown): Rollback | null {
  if (!(err instanceof AppError)) return null;
  if (err.code !== 'VAULT_ROLLED_BACK') return null;
  const { known, found } = err.details;
  return typeof known === 'number' && typeof found === 'number' ? { known, found } : { known: NaN, found: NaN };
}

function unlockErrorMessage(err: unknown): string {
  if (!(err instanceof AppError)) return errorMessage(err);
  if (err.code === 'INVALID_PASSWORD') return 'Wrong password. Try again.';
  if (err.code === 'VAULT_TAMPERED') return `The vault file was changed outside Keyden and cannot be trusted: ${err.message}`;
  return err.message;
}

export function Unlock() {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rollback, setRollback] = useState<Rollback | null>(null);
  const vaultPath = useSession((s) => s.vaultPath);

  async function unlock(acceptRollback: boolean): Promise<void> {
    if (!password || busy) return;
    setBusy(true);
    setError(null);
    try {
      await call('vault.unlock', acceptRollback ? { password, acceptRollback: true } : { password });
      setPassword('');
      await useSession.getState().unlocked();
    } catch (err) {
      const rolledBack = rollbackOf(err);
      if (rolledBack) setRollback(rolledBack);
      else setError(unlockErrorMessage(err));
      setBusy(false);
    }
  }
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void unlock(false);
  };

  return (
    <main className="onboarding">
      <form className="card unlock-card" onSubmit={submit} aria-labelledby="unlock-title">
        <ServiceIcon slug="lock" size={44} label="" />
        <h1 id="unlock-title">Keyden is locked</h1>
        <p className="muted small">{vaultPath}</p>
        <Field label="Master password" error={error ?? undefined}>
          {(id, describedBy) => (
            <SecretInput id={id} autoFocus autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-describedby={describedBy} aria-invalid={error ? true : undefined} />
          )}
        </Field>
        <Button variant="primary" type="submit" busy={busy} disabled={busy || !password} className="wide">
          {busy ? 'Unlocking…' : 'Unlock'}
        </Button>
      </form>
      <Confirm
        open={rollback !== null}
        onOpenChange={(open) => {
          if (!open) setRollback(null);
        }}
        title="Open an older copy of the vault?"
        description={`This vault is older than the one last opened on this machine (generation ${rollback?.found ?? '?'} < ${rollback?.known ?? '?'}). Was it restored from a backup?`}
        confirmLabel="Yes, open it"
        danger
        onConfirm={() => {
          setRollback(null);
          void unlock(true);
        }}
      />
    </main>
  );
}

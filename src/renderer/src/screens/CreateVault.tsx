// First run: master password (confirm + strength) and the preset gallery.
import { useState, type FormEvent } from 'react';
import { MASTER_PASSWORD_MIN } from '../../../shared/ipc.js';
import { FAIR_SCORE } from '../../../shared/strength.js';
import { PRESETS, presetToCategoryInput } from '../../../shared/presets.js';
import { call, errorMessage } from '../api.js';
import { ServiceIcon } from '../components/icons.js';
import { StrengthMeter, useStrength } from '../components/StrengthMeter.js';
import { Button, Field, SecretInput } from '../components/ui.js';
import { useSession } from '../store/session.js';

const DEFAULT_PRESETS = new Set(['openai', 'anthropic', 'stripe', 'github', 'aws']);

export function CreateVault() {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [picked, setPicked] = useState<Set<string>>(() => new Set(DEFAULT_PRESETS));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const strength = useStrength(password);
  const vaultPath = useSession((s) => s.vaultPath);

  const tooShort = password.length < MASTER_PASSWORD_MIN;
  const mismatch = confirm.length > 0 && confirm !== password;
  const weak = strength !== null && strength.score < FAIR_SCORE;
  const canSubmit = !tooShort && confirm === password && !weak && !busy;

  const toggle = (id: string): void => {
    const next = new Set(picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
  };

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setTouched(true);
    if (!canSubmit) return;
    setBusy(true);
    setError(null);
    try {
      await call('vault.create', { password });
      for (const preset of PRESETS) if (picked.has(preset.id)) await call('categories.create', presetToCategoryInput(preset));
      setPassword('');
      setConfirm('');
      await useSession.getState().unlocked();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <main className="onboarding">
      <form className="card onboarding-card" onSubmit={(e) => void submit(e)} aria-labelledby="create-title">
        <div className="brand-row">
          <ServiceIcon slug="lock" size={36} label="Keyden" />
          <div>
            <h1 id="create-title">Create your vault</h1>
            <p className="muted">One encrypted file for every API key you own. Nothing leaves this machine.</p>
          </div>
        </div>

        <Field label="Master password" error={touched && tooShort ? `Use at least ${MASTER_PASSWORD_MIN} characters` : undefined} hint="It unlocks the vault. It cannot be recovered if you forget it.">
          {(id, describedBy) => (
            <SecretInput id={id} autoFocus autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-describedby={describedBy} />
          )}
        </Field>
        <StrengthMeter password={password} />
        <Field label="Confirm password" error={mismatch ? 'The passwords do not match' : undefined}>
          {(id, describedBy) => <SecretInput id={id} autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} aria-describedby={describedBy} />}
        </Field>
        {touched && weak ? <p className="field-error">Choose a stronger password: this one is easy to guess.</p> : null}

        <fieldset className="gallery">
          <legend>Start with these services <span className="muted">(you can add more later)</span></legend>
          <div className="gallery-grid">
            {PRESETS.map((p) => (
              <label key={p.id} className={`preset${picked.has(p.id) ? ' preset-on' : ''}`}>
                <input type="checkbox" checked={picked.has(p.id)} onChange={() => toggle(p.id)} aria-label={p.name} />
                <ServiceIcon slug={p.id} size={30} label="" />
                <span className="preset-text">
                  <strong>{p.name}</strong>
                  <small>{p.keyType === 'group' ? `${p.fields.length} fields` : p.envVarName}</small>
                </span>
              </label>
            ))}
          </div>
        </fieldset>

        {error ? <p className="form-error" role="alert">{error}</p> : null}
        <div className="form-actions">
          <span className="muted small">Vault file: {vaultPath}</span>
          <Button variant="primary" type="submit" busy={busy} disabled={busy}>
            {busy ? 'Creating vault…' : 'Create vault'}
          </Button>
        </div>
      </form>
    </main>
  );
}

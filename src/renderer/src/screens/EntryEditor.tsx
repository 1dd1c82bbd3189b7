// Add or edit an entry. Validated with the same zod schemas main and the API use.
import { useMemo, useState, type FormEvent } from 'react';
import { issuesToDetails } from '../../../shared/errors.js';
import { firstHidden } from '../../../shared/names.js';
import { EntryInput, EntryUpdate, STANDARD_ENVIRONMENTS, type EntryWithCategory } from '../../../shared/model.js';
import { detectProvider, keyWarnings } from '../../../shared/providers.js';
import { AppError, call, errorMessage } from '../api.js';
import { toast } from '../components/toast.js';
import { Name, shown } from '../components/Name.js';
import { Button, Field, Modal, SecretInput } from '../components/ui.js';
import { useSession } from '../store/session.js';

type Errors = Record<string, string>;

function toDateInput(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '';
}
function fromDateInput(value: string): string | null {
  return value ? new Date(`${value}T00:00:00.000Z`).toISOString() : null;
}

export function EntryEditor({ entry, onClose }: { entry: EntryWithCategory | null; onClose: () => void }) {
  const { categories, projects, filter } = useSession();
  const editing = entry !== null;
  const [categoryId, setCategoryId] = useState(entry?.categoryId ?? filter.categoryId ?? categories[0]?.id ?? '');
  const [name, setName] = useState(entry?.name ?? filter.project ?? '');
  const [environment, setEnvironment] = useState(entry?.environment ?? filter.environment ?? 'development');
  const [value, setValue] = useState('');
  const [groupValue, setGroupValue] = useState<Record<string, string>>({});
  const [notes, setNotes] = useState(entry?.notes ?? '');
  const [envVarName, setEnvVarName] = useState(entry?.envVarName ?? '');
  const [expires, setExpires] = useState(toDateInput(entry?.expiresAt ?? null));
  const [changeValue, setChangeValue] = useState(!editing);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const category = categories.find((c) => c.id === categoryId);
  const isGroup = category?.keyType === 'group';
  // Key hygiene: a key whose prefix names another service, or a live key outside production.
  const typed = isGroup ? Object.values(groupValue) : [value];
  const warnings = changeValue ? [...new Set(typed.flatMap((v) => keyWarnings(v, category ?? null, environment)))] : [];
  const detected = changeValue ? typed.map((v) => detectProvider(v)).find((m) => m !== null) : undefined;
  const suggested = detected
    ? categories.find((c) => c.id !== categoryId && (c.icon === detected.presetId || c.name.toLowerCase() === detected.name.toLowerCase()))
    : undefined;
  const envOptions = useMemo(() => Array.from(new Set([...STANDARD_ENVIRONMENTS, environment, ...projects.flatMap((p) => Object.keys(p.environments))])), [projects, environment]);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    const base = {
      name: name.trim(),
      environment,
      notes: notes.trim() ? notes : null,
      envVarName: envVarName.trim() ? envVarName.trim() : null,
      expiresAt: fromDateInput(expires),
    };
    const entryValue = isGroup ? Object.fromEntries((category?.fields ?? []).map((f) => [f, groupValue[f] ?? ''])) : value;
    const parsed = editing
      ? EntryUpdate.safeParse({ ...base, categoryId, ...(changeValue ? { value: entryValue } : {}) })
      : EntryInput.safeParse({ ...base, categoryId, value: entryValue });
    if (!parsed.success) {
      setErrors(issuesToDetails(parsed.error.issues) as Errors);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      if (entry) await call('entries.update', { id: entry.id, patch: parsed.data });
      else {
        const created = await call('entries.create', parsed.data as EntryInput);
        useSession.getState().select(created.id);
      }
      toast(editing ? 'Saved' : `Added ${shown(category?.name ?? 'entry')} · ${shown(base.name)}`);
      setValue('');
      setGroupValue({});
      await useSession.getState().refresh();
      onClose();
    } catch (err) {
      if (err instanceof AppError && err.code === 'VALIDATION_FAILED') setErrors(err.details as Errors);
      else setErrors({ form: errorMessage(err) });
      setBusy(false);
    }
  }

  return (
    <Modal open onOpenChange={(open) => !open && onClose()} title={editing ? 'Edit entry' : 'New entry'} description={editing ? undefined : 'A key of one service for one project and environment.'} wide>
      <form onSubmit={(e) => void submit(e)} className="form-grid">
        <Field label="Category" error={errors.categoryId}>
          {(id) => (
            <select id={id} value={categoryId} onChange={(e) => setCategoryId(e.target.value)}>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {shown(c.name)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Project" error={errors.name} hint="For example “Blog Project”. Entries with the same project form its .env.">
          {(id, d) => (
            <>
              <input id={id} list="project-names" value={name} onChange={(e) => setName(e.target.value)} aria-describedby={d} autoFocus={!editing} />
              <datalist id="project-names">
                {/* Only names one could type: an older vault's name with a hidden character is reached from the project list. */}
                {projects.filter((p) => firstHidden(p.name) === null).map((p) => (
                  <option key={p.name} value={p.name} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Environment" error={errors.environment}>
          {(id, d) => (
            <>
              <input id={id} list="environment-names" value={environment} onChange={(e) => setEnvironment(e.target.value.toLowerCase())} aria-describedby={d} />
              <datalist id="environment-names">
                {envOptions.map((env) => (
                  <option key={env} value={env} />
                ))}
              </datalist>
            </>
          )}
        </Field>

        {editing ? (
          <label className="checkbox full">
            <input type="checkbox" checked={changeValue} onChange={(e) => setChangeValue(e.target.checked)} /> Change the value (the current one is kept in History)
          </label>
        ) : null}
        {changeValue ? (
          isGroup ? (
            <fieldset className="full group-values">
              <legend>Values</legend>
              {editing ? <p className="field-hint">Type every field: the whole group is replaced. The current values stay in History.</p> : null}
              {(category?.fields ?? []).map((f) => (
                <Field key={f} label={shown(f)} error={errors[`value.${f}`]}>
                  {(id) => <SecretInput id={id} autoComplete="off" value={groupValue[f] ?? ''} onChange={(e) => setGroupValue({ ...groupValue, [f]: e.target.value })} />}
                </Field>
              ))}
            </fieldset>
          ) : (
            <div className="full">
              <Field label="Value" error={errors.value} hint="Stored encrypted. Only shown when you press Reveal.">
                {(id, d) => <SecretInput id={id} autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} aria-describedby={d} />}
              </Field>
            </div>
          )
        ) : null}

        {warnings.length > 0 ? (
          <div className="full banner banner-warn key-warnings" role="status">
            <div>
              {warnings.map((w) => (
                <p key={w}>{w}</p>
              ))}
            </div>
            {suggested ? (
              <Button onClick={() => setCategoryId(suggested.id)}>
                {/* One flex item: the button spaces its children apart. */}
                <span>Use <Name>{suggested.name}</Name></span>
              </Button>
            ) : null}
          </div>
        ) : null}

        {!isGroup ? (
          <Field label="Variable name override" error={errors.envVarName} hint={`Leave empty to use ${category?.envVarName ? shown(category.envVarName) : 'the category’s name'}.`}>
            {(id, d) => <input id={id} value={envVarName} placeholder={shown(category?.envVarName ?? '')} onChange={(e) => setEnvVarName(e.target.value)} aria-describedby={d} />}
          </Field>
        ) : null}
        <Field label="Expires" error={errors.expiresAt}>
          {(id) => <input id={id} type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />}
        </Field>
        <div className="full">
          <Field label="Notes" error={errors.notes}>
            {(id) => <textarea id={id} rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} />}
          </Field>
        </div>
        {errors.form ? <p className="form-error full" role="alert">{errors.form}</p> : null}
        <div className="modal-actions full">
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" busy={busy}>
            {editing ? 'Save' : 'Add entry'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

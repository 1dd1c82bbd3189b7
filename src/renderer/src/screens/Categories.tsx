// Categories: the services keys belong to. Editor for simple / group, fields, env var and icon.
import { useState, type FormEvent } from 'react';
import { issuesToDetails } from '../../../shared/errors.js';
import { CategoryInput, CategoryUpdate, type Category } from '../../../shared/model.js';
import { PRESETS, presetToCategoryInput } from '../../../shared/presets.js';
import { AppError, call, errorMessage } from '../api.js';
import { EditIcon, ICON_SLUGS, PlusIcon, ServiceIcon, TrashIcon } from '../components/icons.js';
import { Name, Names, shown } from '../components/Name.js';
import { toast } from '../components/toast.js';
import { Button, Confirm, EmptyState, Field, Modal } from '../components/ui.js';
import { useSession } from '../store/session.js';

export function CategoriesView() {
  const categories = useSession((s) => s.categories);
  const [editing, setEditing] = useState<Category | 'new' | null>(null);
  const [removing, setRemoving] = useState<Category | null>(null);
  const missingPresets = PRESETS.filter((p) => !categories.some((c) => c.name.toLowerCase() === p.name.toLowerCase()));

  async function remove(category: Category): Promise<void> {
    try {
      await call('categories.remove', { id: category.id, cascade: true });
      toast(`Deleted ${shown(category.name)}`);
      await useSession.getState().refresh();
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  async function addPreset(id: string): Promise<void> {
    const preset = PRESETS.find((p) => p.id === id);
    if (!preset) return;
    try {
      await call('categories.create', presetToCategoryInput(preset));
      await useSession.getState().refresh();
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }

  return (
    <section className="page" aria-labelledby="categories-title">
      <header className="page-header">
        <h1 id="categories-title">Categories</h1>
        <Button variant="primary" onClick={() => setEditing('new')}>
          <PlusIcon /> New category
        </Button>
      </header>
      {categories.length === 0 ? <EmptyState title="No categories">A category is a service such as OpenAI or AWS. Create one, or add a preset below.</EmptyState> : (
        <table className="table">
          <thead>
            <tr><th>Name</th><th>Type</th><th>Variables</th><th /></tr>
          </thead>
          <tbody>
            {categories.map((c) => (
              <tr key={c.id}>
                <td><span className="row-gap"><ServiceIcon slug={c.icon} size={22} label="" /> <Name>{c.name}</Name></span></td>
                <td>{c.keyType === 'group' ? 'Group' : 'Simple'}</td>
                <td><code className="small">{c.keyType === 'group' ? <Names list={c.fields} /> : <Name>{c.envVarName ?? ''}</Name>}</code></td>
                <td className="actions">
                  <Button variant="ghost" onClick={() => setEditing(c)} aria-label={`Edit ${shown(c.name)}`}><EditIcon /></Button>
                  <Button variant="ghost" onClick={() => setRemoving(c)} aria-label={`Delete ${shown(c.name)}`}><TrashIcon /></Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {missingPresets.length > 0 ? (
        <div className="preset-strip">
          <h2 className="section-title">Add a preset</h2>
          <div className="chips">
            {missingPresets.map((p) => (
              <button key={p.id} className="chip" onClick={() => void addPreset(p.id)}>
                <ServiceIcon slug={p.id} size={18} label="" /> {p.name}
              </button>
            ))}
          </div>
        </div>
      ) : null}
      {editing ? <CategoryEditor category={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
      <Confirm
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        danger
        title={`Delete ${shown(removing?.name ?? '')}?`}
        description="Every entry of this category, in every project, is deleted with it. This cannot be undone."
        confirmLabel="Delete category and its entries"
        onConfirm={() => removing && void remove(removing)}
      />
    </section>
  );
}

export function CategoryEditor({ category, onClose }: { category: Category | null; onClose: () => void }) {
  const [name, setName] = useState(category?.name ?? '');
  const [keyType, setKeyType] = useState<'simple' | 'group'>(category?.keyType ?? 'simple');
  const [envVarName, setEnvVarName] = useState(category?.envVarName ?? '');
  const [fields, setFields] = useState<string[]>(category?.fields.length ? category.fields : ['']);
  const [icon, setIcon] = useState<string | null>(category?.icon ?? 'key');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  /** Fields the save would remove while entries hold values for them: asked before forcing. */
  const [dropping, setDropping] = useState<{ removed: string[]; entries: number } | null>(null);

  async function submit(e: FormEvent | null, force = false): Promise<void> {
    e?.preventDefault();
    const cleanFields = fields.map((f) => f.trim()).filter(Boolean);
    const body = keyType === 'simple' ? { name: name.trim(), envVarName: envVarName.trim(), icon } : { name: name.trim(), fields: cleanFields, icon };
    const parsed = category ? CategoryUpdate.safeParse(body) : CategoryInput.safeParse({ ...body, keyType, ...(keyType === 'group' ? { envVarName: null } : {}) });
    if (!parsed.success) {
      setErrors(issuesToDetails(parsed.error.issues) as Record<string, string>);
      return;
    }
    setBusy(true);
    try {
      if (category) await call('categories.update', { id: category.id, patch: parsed.data, ...(force ? { force } : {}) });
      else await call('categories.create', parsed.data as CategoryInput);
      toast(category ? `Saved ${shown(body.name)}` : `Created ${shown(body.name)}`);
      await useSession.getState().refresh();
      onClose();
    } catch (err) {
      setBusy(false);
      if (err instanceof AppError && err.code === 'CONFLICT' && Array.isArray(err.details.removed)) {
        setDropping({ removed: err.details.removed as string[], entries: Number(err.details.entries) });
        return;
      }
      setErrors(err instanceof AppError && err.code === 'VALIDATION_FAILED' ? (err.details as Record<string, string>) : { form: errorMessage(err) });
    }
  }

  return (
    <Modal open onOpenChange={(open) => !open && onClose()} title={category ? `Edit ${shown(category.name)}` : 'New category'} description="A service whose keys you keep, such as OpenAI (one value) or AWS (a group of values)." wide>
      <form onSubmit={(e) => void submit(e)} className="form-grid">
        <Field label="Name" error={errors.name}>
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} autoFocus />}
        </Field>
        <fieldset className="radio-row" disabled={category !== null}>
          <legend>Kind</legend>
          <label><input type="radio" name="keyType" checked={keyType === 'simple'} onChange={() => setKeyType('simple')} /> Simple — one value</label>
          <label><input type="radio" name="keyType" checked={keyType === 'group'} onChange={() => setKeyType('group')} /> Group — several named values</label>
        </fieldset>
        {keyType === 'simple' ? (
          <div className="full">
            <Field label="Environment variable" error={errors.envVarName} hint="The name it gets in a .env, e.g. OPENAI_API_KEY.">
              {(id, d) => <input id={id} value={envVarName} onChange={(e) => setEnvVarName(e.target.value.toUpperCase())} aria-describedby={d} spellCheck={false} />}
            </Field>
          </div>
        ) : (
          <fieldset className="full">
            <legend>Fields (environment variables)</legend>
            {fields.map((f, i) => (
              <div key={i} className="row-gap field-line">
                <input aria-label={`Field ${i + 1}`} value={f} spellCheck={false} onChange={(e) => setFields(fields.map((x, j) => (j === i ? e.target.value.toUpperCase() : x)))} />
                <Button variant="ghost" aria-label={`Remove field ${i + 1}`} onClick={() => setFields(fields.filter((_, j) => j !== i))} disabled={fields.length === 1}><TrashIcon /></Button>
              </div>
            ))}
            {errors.fields ? <p className="field-error">{errors.fields}</p> : null}
            {Object.entries(errors).filter(([k]) => k.startsWith('fields.')).map(([k, v]) => <p key={k} className="field-error">Field {Number(k.split('.')[1]) + 1}: {v}</p>)}
            <Button onClick={() => setFields([...fields, ''])}><PlusIcon /> Add field</Button>
          </fieldset>
        )}
        <fieldset className="full">
          <legend>Icon</legend>
          <div className="icon-grid" role="radiogroup" aria-label="Icon">
            {ICON_SLUGS.map((slug) => (
              <button key={slug} type="button" role="radio" aria-checked={icon === slug} aria-label={slug} className={`icon-choice${icon === slug ? ' on' : ''}`} onClick={() => setIcon(slug)}>
                <ServiceIcon slug={slug} size={26} label="" />
              </button>
            ))}
          </div>
        </fieldset>
        {errors.form ? <p className="form-error full" role="alert">{errors.form}</p> : null}
        <div className="modal-actions full">
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" busy={busy}>{category ? 'Save' : 'Create category'}</Button>
        </div>
      </form>
      <Confirm
        open={dropping !== null}
        onOpenChange={(open) => !open && setDropping(null)}
        danger
        title={`Remove ${shown(dropping?.removed.join(', ') ?? '')}?`}
        description={`${dropping?.entries ?? 0} ${dropping?.entries === 1 ? 'entry holds a value' : 'entries hold values'} for ${dropping && dropping.removed.length > 1 ? 'these fields' : 'this field'}. Each entry keeps its current value in its history, where you can still reveal it.`}
        confirmLabel="Remove and save"
        onConfirm={() => {
          setDropping(null);
          void submit(null, true);
        }}
      />
    </Modal>
  );
}

// Entry detail: masked value, Reveal (hides again after revealSeconds), Copy (done in main),
// Edit, History with restore, Delete with confirm, expiry badge.
import { useEffect, useRef, useState } from 'react';
import type { EntryWithCategory } from '../../../shared/model.js';
import { call, errorMessage } from '../api.js';
import { CopyIcon, EditIcon, EyeIcon, EyeOffIcon, HistoryIcon, TrashIcon, ServiceIcon } from '../components/icons.js';
import { Name, shown } from '../components/Name.js';
import { toast } from '../components/toast.js';
import { Button, Confirm, EmptyState, formatDate, formatTime, MOD } from '../components/ui.js';
import { useCopyStatus } from '../store/copy-status.js';
import { useSession } from '../store/session.js';
import { useTimedSecret } from '../store/timed-secret.js';
import { GuardedSecret } from '../components/guarded-copy.js';
import { HistoryDialog } from './History.js';

const DAY = 86_400_000;

export function ExpiryBadge({ expiresAt, compact = false }: { expiresAt: string | null; compact?: boolean }) {
  if (!expiresAt) return null;
  const ms = new Date(expiresAt).getTime() - Date.now();
  if (ms <= 0) return <span className="badge badge-danger">{compact ? 'Expired' : `Expired ${formatDate(expiresAt)}`}</span>;
  const days = Math.ceil(ms / DAY);
  if (days <= 30) return <span className="badge badge-warn">{compact ? `${days}d left` : `Expires in ${days} day${days === 1 ? '' : 's'}`}</span>;
  return compact ? null : <span className="badge">Expires {formatDate(expiresAt)}</span>;
}

const MASK = '••••••••••••••••';

export function EntryDetail({ entry, onEdit }: { entry: EntryWithCategory | null; onEdit: (entry: EntryWithCategory) => void }) {
  const revealSeconds = useSession((s) => s.info?.revealSeconds ?? 30);
  const { secret, left, show, hide } = useTimedSecret(revealSeconds);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const category = useSession((s) => s.categories.find((c) => c.id === entry?.categoryId));
  const copyStatus = useCopyStatus((s) => s.text);
  useEffect(() => useCopyStatus.getState().reset(), [entry?.id]);

  // The entry on screen now: a reveal answered after the user moved on is not drawn under another entry's labels.
  const onScreen = useRef<string | null>(null);
  useEffect(() => {
    onScreen.current = entry?.id ?? null;
    hide();
  }, [entry?.id, hide]);

  if (!entry) return <section className="detail-pane"><EmptyState title="No entry selected">Pick an entry on the left, or press the + button to add one.</EmptyState></section>;

  const isGroup = entry.category.keyType === 'group';
  const fields = category?.fields ?? [];
  const envVar = entry.envVarName ?? entry.category.envVarName;

  async function reveal(): Promise<void> {
    if (!entry) return;
    if (secret !== null) return hide();
    setBusy(true);
    try {
      const id = entry.id;
      const revealed = await call('entries.reveal', { id });
      if (onScreen.current === id) show(revealed.value);
    } catch (e) {
      toast(errorMessage(e), 'error');
    } finally {
      setBusy(false);
    }
  }
  async function copy(field?: string): Promise<void> {
    if (!entry) return;
    try {
      const r = await call('entries.copy', field === undefined ? { id: entry.id } : { id: entry.id, field });
      useCopyStatus.getState().copied(field, r.clearsInSeconds);
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  async function remove(): Promise<void> {
    if (!entry) return;
    try {
      await call('entries.remove', { id: entry.id });
      toast(`Deleted ${shown(entry.category.name)} · ${shown(entry.name)}`);
      await useSession.getState().refresh();
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }

  const valueOf = (field: string | null): string => {
    if (secret === null) return MASK;
    if (typeof secret === 'string') return secret;
    return field ? (secret[field] ?? '') : '';
  };

  return (
    <section className="detail-pane" aria-label="Entry detail">
      <header className="detail-header">
        <ServiceIcon slug={entry.category.icon} size={44} label={shown(entry.category.name)} />
        <div className="detail-title">
          <h2><Name>{entry.category.name}</Name></h2>
          <p>
            <Name className="muted">{entry.name}</Name> <Name className={`env-badge env-${entry.environment}`}>{entry.environment}</Name> <ExpiryBadge expiresAt={entry.expiresAt} />
          </p>
        </div>
        <div className="detail-actions">
          <Button onClick={() => onEdit(entry)} title={`Edit (${MOD}+E)`}>
            <EditIcon /> Edit
          </Button>
          <Button onClick={() => setHistoryOpen(true)}>
            <HistoryIcon /> History
          </Button>
          <Button variant="danger" onClick={() => setConfirmDelete(true)} aria-label="Delete entry">
            <TrashIcon />
          </Button>
        </div>
      </header>

      <div className="value-card">
        <div className="value-card-head">
          <h3>{isGroup ? 'Values' : 'Value'}</h3>
          <div className="row-gap">
            <span className="muted small copy-status" role="status" data-testid="copy-status">{copyStatus}</span>
            {secret !== null ? <span className="muted small" data-testid="hide-countdown">Hides in {left} s</span> : null}
            <Button onClick={() => void reveal()} busy={busy} aria-pressed={secret !== null}>
              {secret !== null ? <><EyeOffIcon /> Hide</> : <><EyeIcon /> Reveal</>}
            </Button>
            {!isGroup ? (
              <Button variant="primary" onClick={() => void copy()} title={`Copy (${MOD}+Shift+C)`}>
                <CopyIcon /> Copy
              </Button>
            ) : null}
          </div>
        </div>
        {isGroup ? (
          <dl className="fields">
            {fields.map((f) => (
              <div key={f} className="field-row">
                <dt><code><Name>{f}</Name></code></dt>
                <dd>
                  {/* ⌘/Ctrl+C on a revealed value: main copies it instead, so it is cleared later and audited. */}
                  <GuardedSecret className={`secret${secret === null ? ' masked' : ''}`} data-testid={`value-${f}`} copy={secret === null ? null : () => void copy(f)}>{valueOf(f)}</GuardedSecret>
                  <Button variant="ghost" onClick={() => void copy(f)} aria-label={`Copy ${shown(f)}`}>
                    <CopyIcon />
                  </Button>
                </dd>
              </div>
            ))}
          </dl>
        ) : (
          <dl className="fields">
          <div className="field-row">
            <dt><code><Name>{envVar ?? ''}</Name></code></dt>
            <dd><GuardedSecret className={`secret${secret === null ? ' masked' : ''}`} data-testid="value" copy={secret === null ? null : () => void copy()}>{valueOf(null)}</GuardedSecret></dd>
          </div>
          </dl>
        )}
      </div>

      <dl className="meta-grid">
        <dt>Project</dt>
        <dd><Name>{entry.name}</Name></dd>
        <dt>Environment</dt>
        <dd><Name>{entry.environment}</Name></dd>
        {!isGroup ? (<><dt>Variable</dt><dd><code><Name>{envVar ?? ''}</Name></code>{entry.envVarName ? <span className="muted small"> (overrides <Name>{entry.category.envVarName ?? ''}</Name>)</span> : null}</dd></>) : null}
        <dt>Expires</dt>
        <dd>{entry.expiresAt ? formatDate(entry.expiresAt) : 'Never'}</dd>
        <dt>Updated</dt>
        <dd>{formatTime(entry.updatedAt)}</dd>
        <dt>Created</dt>
        <dd>{formatTime(entry.createdAt)}</dd>
      </dl>
      {entry.notes ? (
        <div className="notes">
          <h3>Notes</h3>
          <p>{entry.notes}</p>
        </div>
      ) : null}

      <Confirm
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        danger
        title="Delete this entry?"
        description={<>The key for <strong><Name>{entry.category.name}</Name></strong> in <strong><Name>{entry.name}</Name></strong> (<Name>{entry.environment}</Name>) and its history will be deleted. This cannot be undone.</>}
        confirmLabel="Delete"
        onConfirm={() => void remove()}
      />
      {historyOpen ? <HistoryDialog entry={entry} fields={fields} onClose={() => setHistoryOpen(false)} /> : null}
    </section>
  );
}

// Settings › Trash (DESIGN §9): deleted entries, kept 30 days, restored with their history or purged.
import { useEffect, useState } from 'react';
import type { TrashItem } from '../../../shared/model.js';
import { AppError, call, errorMessage } from '../api.js';
import { toast } from './toast.js';
import { Name, shown } from './Name.js';
import { Button, Confirm, formatDate } from './ui.js';
import { useSession } from '../store/session.js';

export function TrashSection() {
  const [items, setItems] = useState<TrashItem[] | null>(null);
  const [purging, setPurging] = useState<TrashItem | null>(null);
  const [replacing, setReplacing] = useState<TrashItem | null>(null);

  async function load(): Promise<void> {
    try {
      setItems(await call('trash.list'));
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  useEffect(() => {
    void load();
  }, []);

  async function restore(item: TrashItem, replace = false): Promise<void> {
    try {
      await call('trash.restore', { id: item.id, replace });
      toast(`Restored ${label(item)}`);
      await useSession.getState().refresh();
      await load();
    } catch (e) {
      // Another entry took its place: offer to move that one to the trash instead.
      if (e instanceof AppError && e.code === 'CONFLICT' && !replace && typeof e.details.ref === 'string') setReplacing(item);
      else toast(errorMessage(e), 'error');
    }
  }
  async function purge(item: TrashItem): Promise<void> {
    try {
      await call('trash.purge', { id: item.id });
      toast(`Deleted ${label(item)} for good`);
      await load();
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }

  return (
    <div className="card section" aria-labelledby="trash-title">
      <h2 id="trash-title" className="section-title">Trash</h2>
      <p className="muted">Deleted entries stay here, with their history, for 30 days.</p>
      {items === null ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <p className="muted">The trash is empty.</p>
      ) : (
        <table className="table" aria-label="Trash">
          <thead>
            <tr><th>Entry</th><th>Deleted</th><th>Purged after</th><th /></tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td><span className="name">{label(item)}</span>{item.envVarName ? <span className="muted"> · <Name>{item.envVarName}</Name></span> : null}</td>
                <td>{formatDate(item.trashedAt)}</td>
                <td>{formatDate(item.purgeAt)}</td>
                <td className="row-actions">
                  <Button onClick={() => void restore(item)} aria-label={`Restore ${label(item)}`}>Restore</Button>
                  <Button variant="ghost" onClick={() => setPurging(item)} aria-label={`Delete ${label(item)} for good`}>Delete</Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Confirm
        open={purging !== null}
        onOpenChange={(open) => !open && setPurging(null)}
        title="Delete for good?"
        description={purging ? `${label(purging)} and its history cannot be brought back.` : ''}
        confirmLabel="Delete for good"
        danger
        onConfirm={() => purging && void purge(purging)}
      />
      <Confirm
        open={replacing !== null}
        onOpenChange={(open) => !open && setReplacing(null)}
        title="Replace the current entry?"
        description={replacing ? `${label(replacing)} exists again. Restoring moves the current one to the trash.` : ''}
        confirmLabel="Restore and replace"
        onConfirm={() => replacing && void restore(replacing, true)}
      />
    </div>
  );
}

/** How an item is named in the table, its buttons, confirms and toasts: its names escaped. */
const label = (item: TrashItem): string => shown(`${item.categoryName ?? '?'}/${item.name}/${item.environment === '*' ? 'all environments' : item.environment}`);

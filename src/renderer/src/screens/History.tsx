// An entry's History: earlier values (the last 20), each revealable for a while and restorable.
import { useEffect, useState } from 'react';
import type { EntryValue, EntryWithCategory, VersionInfo } from '../../../shared/model.js';
import { call, errorMessage } from '../api.js';
import { shown as shownName } from '../components/Name.js';
import { toast } from '../components/toast.js';
import { Button, Confirm, EmptyState, formatTime, Modal } from '../components/ui.js';
import { useSession } from '../store/session.js';
import { useTimedSecret } from '../store/timed-secret.js';
import { GuardedSecret } from '../components/guarded-copy.js';

export function HistoryDialog({ entry, fields, onClose }: { entry: EntryWithCategory; fields: string[]; onClose: () => void }) {
  const revealSeconds = useSession((s) => s.info?.revealSeconds ?? 30);
  const [versions, setVersions] = useState<VersionInfo[] | null>(null);
  const [shown, setShown] = useState<number | null>(null);
  const { secret, show, hide } = useTimedSecret(revealSeconds);
  const [restoring, setRestoring] = useState<number | null>(null);

  useEffect(() => {
    void call('entries.versions', { id: entry.id }).then((v) => setVersions([...v].sort((a, b) => b.version - a.version)), (e: unknown) => toast(errorMessage(e), 'error'));
  }, [entry.id]);

  async function reveal(version: number): Promise<void> {
    if (shown === version && secret !== null) {
      hide();
      setShown(null);
      return;
    }
    const r = await call('entries.revealVersion', { id: entry.id, version });
    setShown(version);
    show(r.value);
  }
  /** Through main's clipboard guard (cleared after the set seconds, kept out of clipboard history), as the entry view copies. */
  async function copy(version: number): Promise<void> {
    try {
      const { clearsInSeconds } = await call('entries.copyVersion', { id: entry.id, version });
      toast(`Copied version ${version}; the clipboard clears in ${clearsInSeconds} s`);
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  async function restore(version: number): Promise<void> {
    try {
      await call('entries.restoreVersion', { id: entry.id, version });
      toast(`Restored version ${version}`);
      await useSession.getState().refresh();
      onClose();
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  const render = (value: EntryValue): string => (typeof value === 'string' ? value : fields.map((f) => `${shownName(f)}=${value[f] ?? ''}`).join('\n'));

  return (
    <Modal open onOpenChange={(open) => !open && onClose()} title="History" description={`Earlier values of ${shownName(entry.category.name)} · ${shownName(entry.name)} (${shownName(entry.environment)}). The current value is not listed.`} wide>
      {versions === null ? <p className="muted">Loading…</p> : versions.length === 0 ? <EmptyState title="No earlier values">Each time you change the value, the previous one is kept here (the last 20).</EmptyState> : (
        <ul className="versions" aria-label="Versions">
          {versions.map((v) => (
            <li key={v.version} className="version-row">
              <div>
                <strong>Version {v.version}</strong>
                <span className="muted small"> replaced {formatTime(v.replacedAt)}</span>
                {shown === v.version && secret !== null ? (
                  // ⌘/Ctrl+C on a shown value goes through the guard too, never straight to the clipboard.
                  <GuardedSecret as="pre" className="secret version-value" data-testid={`version-value-${v.version}`} copy={() => void copy(v.version)}>
                    {render(secret)}
                  </GuardedSecret>
                ) : null}
              </div>
              <div className="row-gap">
                <Button onClick={() => void reveal(v.version)}>{shown === v.version && secret !== null ? 'Hide' : 'Reveal'}</Button>
                <Button onClick={() => void copy(v.version)} aria-label={`Copy version ${v.version}`}>Copy</Button>
                <Button variant="primary" onClick={() => setRestoring(v.version)}>Restore</Button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <div className="modal-actions">
        <Button onClick={onClose}>Close</Button>
      </div>
      <Confirm
        open={restoring !== null}
        onOpenChange={(open) => !open && setRestoring(null)}
        title={`Restore version ${restoring ?? ''}?`}
        description="The current value is kept in the history, so you can undo this."
        confirmLabel="Restore"
        onConfirm={() => restoring !== null && void restore(restoring)}
      />
    </Modal>
  );
}


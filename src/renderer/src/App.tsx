// The app: picks the screen for the vault's phase, wires events and keyboard shortcuts.
import { useEffect, useState } from 'react';
import type { EntryWithCategory } from '../../shared/model.js';
import { call, errorMessage, onEvent } from './api.js';
import { clearToasts, toast, Toaster } from './components/toast.js';
import { ApiPrompt, ApprovalDialog } from './screens/Approvals.js';
import { AuditLog } from './screens/AuditLog.js';
import { CategoriesView } from './screens/Categories.js';
import { CreateVault } from './screens/CreateVault.js';
import { EntryDetail } from './screens/EntryDetail.js';
import { EntryEditor } from './screens/EntryEditor.js';
import { EntryList } from './screens/EntryList.js';
import { ProjectView } from './screens/ProjectView.js';
import { SettingsView } from './screens/Settings.js';
import { Sidebar } from './screens/Sidebar.js';
import { Unlock } from './screens/Unlock.js';
import { useCopyStatus } from './store/copy-status.js';
import { useSession } from './store/session.js';

const ACTIVITY_EVERY_MS = 20_000;

export function App() {
  const phase = useSession((s) => s.phase);

  useEffect(() => {
    void useSession.getState().boot();
    const offLock = onEvent('vault.lockChanged', ({ locked }) => {
      // Unlocked elsewhere (`keyden unlock` through the app's local API): show the vault, not a
      // password prompt for a vault that is open.
      if (!locked) {
        if (useSession.getState().phase === 'locked') void useSession.getState().unlocked();
        return;
      }
      useSession.getState().wipe();
      useCopyStatus.getState().reset();
      clearToasts();
    });
    const offCleared = onEvent('clipboard.cleared', () => useCopyStatus.getState().cleared());
    const offApproval = onEvent('approvals.requested', (request) => {
      if (useSession.getState().phase === 'unlocked') useSession.getState().addApproval(request);
    });
    return () => {
      offLock();
      offApproval();
      offCleared();
    };
  }, []);

  // Keyboard and pointer use postpones auto-lock (throttled: main restarts its countdown).
  useEffect(() => {
    if (phase !== 'unlocked') return;
    let last = 0;
    const poke = (): void => {
      const now = Date.now();
      if (now - last < ACTIVITY_EVERY_MS) return;
      last = now;
      void call('app.activity');
    };
    window.addEventListener('keydown', poke, true);
    window.addEventListener('pointerdown', poke, true);
    return () => {
      window.removeEventListener('keydown', poke, true);
      window.removeEventListener('pointerdown', poke, true);
    };
  }, [phase]);

  return (
    <>
      {phase === 'loading' ? <main className="onboarding" aria-busy="true" /> : phase === 'error' ? <Fatal /> : phase === 'create' ? <CreateVault /> : phase === 'locked' ? <Unlock /> : <Unlocked />}
      {phase === 'locked' ? null : <Toaster />}
    </>
  );
}

/** ⌘/Ctrl+Shift+C: copy the selected entry's value (done in main; a group names its fields). */
async function copyEntry(entry: EntryWithCategory): Promise<void> {
  if (entry.category.keyType === 'group') {
    toast('A group entry has several values: use the copy button of the field you want');
    return;
  }
  try {
    const r = await call('entries.copy', { id: entry.id });
    useCopyStatus.getState().copied(undefined, r.clearsInSeconds);
  } catch (e) {
    toast(errorMessage(e), 'error');
  }
}

function Fatal() {
  const message = useSession((s) => s.fatal);
  return (
    <main className="onboarding">
      <div className="card unlock-card" role="alert">
        <h1>Keyden cannot open the vault</h1>
        <p className="muted">{message}</p>
        <p className="small muted">The file was left untouched. Move it aside to start a new vault, or restore a backup.</p>
      </div>
    </main>
  );
}

function Unlocked() {
  const { view, entries, selectedId } = useSession();
  const [editor, setEditor] = useState<{ entry: EntryWithCategory | null } | null>(null);
  const selected = entries.find((e) => e.id === selectedId) ?? null;

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const mod = e.metaKey || e.ctrlKey;
      if (!mod || e.altKey) return;
      const key = e.key.toLowerCase();
      const state = useSession.getState();
      const current = state.entries.find((x) => x.id === state.selectedId);
      if (key === 'c' && e.shiftKey) {
        e.preventDefault();
        if (current && state.view.kind === 'entries') void copyEntry(current);
      } else if (key === 'e' && !e.shiftKey && current && state.view.kind === 'entries') {
        e.preventDefault();
        setEditor({ entry: current });
      } else if (key === ',') {
        e.preventDefault();
        state.setView({ kind: 'settings' });
      } else if (key === 'k') {
        e.preventDefault();
        useSession.getState().focusSearch();
      } else if (key === 'l') {
        e.preventDefault();
        void call('vault.lock');
      } else if (key === 'n' && useSession.getState().categories.length > 0) {
        e.preventDefault();
        setEditor({ entry: null });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="app">
      <Sidebar />
      <main className="content">
        {view.kind === 'entries' ? (
          <div className="split">
            <EntryList onNew={() => setEditor({ entry: null })} />
            <EntryDetail entry={selected} onEdit={(entry) => setEditor({ entry })} />
          </div>
        ) : view.kind === 'project' ? (
          <ProjectView key={view.name} name={view.name} />
        ) : view.kind === 'categories' ? (
          <CategoriesView />
        ) : view.kind === 'settings' ? (
          <SettingsView />
        ) : (
          <AuditLog />
        )}
      </main>
      {editor ? <EntryEditor key={editor.entry?.id ?? 'new'} entry={editor.entry} onClose={() => setEditor(null)} /> : null}
      <ApprovalDialog />
      <ApiPrompt />
    </div>
  );
}

// The renderer's state. Holds overviews only (names, env vars, dates) — never a secret value:
// a revealed value lives in the entry detail's local state and dies with it. Locking wipes all.
// The whole list of overviews is loaded once per change; search and the sidebar filters run here,
// synchronously, so the list on screen is always the one keys act on (docs/desktop.md "Search").
import { create } from 'zustand';
import type { AppInfo } from '../../../shared/ipc.js';
import type { Category, EntryWithCategory, LoginRequest, Project, Settings } from '../../../shared/model.js';
import { AppError, call, errorMessage } from '../api.js';
import { toast } from '../components/toast.js';
import { filterEntries } from './search.js';

export type Phase = 'loading' | 'create' | 'locked' | 'unlocked' | 'error';
export type View =
  | { kind: 'entries' }
  | { kind: 'project'; name: string }
  | { kind: 'categories' }
  | { kind: 'settings' }
  | { kind: 'audit' };

export interface Filter {
  q: string;
  project: string | null;
  categoryId: string | null;
  environment: string | null;
}

interface VaultData {
  categories: Category[];
  projects: Project[];
  /** Every entry's overview, as main last sent it. */
  all: EntryWithCategory[];
  /** False until the first list arrives (so an unlocked full vault never flashes "empty"). */
  loaded: boolean;
  /** The entries the filter keeps: what the list shows and what keys act on. */
  entries: EntryWithCategory[];
  total: number;
  filter: Filter;
  view: View;
  selectedId: string | null;
  approvals: LoginRequest[];
  settings: Settings | null;
  /** Bumped to ask the search box to take focus (⌘/Ctrl+K). */
  searchFocus: number;
}

interface SessionState extends VaultData {
  phase: Phase;
  info: AppInfo | null;
  vaultPath: string;
  /** Why the vault cannot be used (a damaged or foreign file), shown instead of the app. */
  fatal: string | null;
  boot(): Promise<void>;
  unlocked(): Promise<void>;
  wipe(): void;
  refresh(): Promise<void>;
  loadEntries(): Promise<void>;
  setFilter(patch: Partial<Filter>): void;
  setView(view: View): void;
  select(id: string | null): void;
  focusSearch(): void;
  addApproval(request: LoginRequest): void;
  removeApproval(id: string): void;
  setSettings(settings: Settings): void;
}

const EMPTY_FILTER: Filter = { q: '', project: null, categoryId: null, environment: null };
const emptyVault = (): VaultData => ({
  categories: [],
  projects: [],
  all: [],
  loaded: false,
  entries: [],
  total: 0,
  filter: { ...EMPTY_FILTER },
  view: { kind: 'entries' },
  selectedId: null,
  approvals: [],
  settings: null,
  searchFocus: 0,
});

let entryRequest = 0;

/** The filtered list for this state, keeping the selection when it is still shown. */
function shown(state: Pick<VaultData, 'all' | 'filter' | 'categories' | 'selectedId'>): Pick<VaultData, 'entries' | 'total' | 'selectedId'> {
  const entries = filterEntries(state.all, state.filter, state.categories);
  const keep = state.selectedId !== null && entries.some((e) => e.id === state.selectedId);
  return { entries, total: entries.length, selectedId: keep ? state.selectedId : (entries[0]?.id ?? null) };
}

/** A refresh that races a lock just stops (the page is being wiped); anything else is said. */
function reportLoadError(e: unknown): void {
  if (e instanceof AppError && e.code === 'VAULT_LOCKED') return;
  toast(errorMessage(e), 'error');
}

export const useSession = create<SessionState>()((set, get) => ({
  phase: 'loading',
  info: null,
  vaultPath: '',
  fatal: null,
  ...emptyVault(),

  async boot() {
    let info: AppInfo;
    let status: { exists: boolean; locked: boolean; path: string };
    try {
      [info, status] = await Promise.all([call('app.info'), call('vault.status')]);
    } catch (e) {
      set({ phase: 'error', fatal: errorMessage(e) });
      return;
    }
    set({ info, vaultPath: status.path, phase: !status.exists ? 'create' : 'locked' });
    if (status.exists && !status.locked) await get().unlocked();
  },

  async unlocked() {
    // Once per unlock: the Unlock screen and the main process's lockChanged event (an unlock
    // through the local API, `keyden unlock`, has only the event) may both say so.
    if (get().phase === 'unlocked') return;
    set({ phase: 'unlocked' });
    // Settings and the list load side by side: the first row must not wait for the settings.
    const settings = (async () => {
      try {
        const [view, approvals] = await Promise.all([call('settings.get'), call('approvals.pending')]);
        if (get().phase === 'unlocked') set({ settings: view.settings, approvals });
      } catch (e) {
        reportLoadError(e);
      }
    })();
    await Promise.all([settings, get().refresh()]);
  },

  wipe() {
    entryRequest++;
    set({ ...emptyVault(), phase: 'locked' });
  },

  async refresh() {
    // The list is asked for at the same time as categories and projects (one round trip, not two).
    const entries = get().loadEntries();
    try {
      const [categories, projects] = await Promise.all([call('categories.list'), call('projects.list')]);
      if (get().phase !== 'unlocked') return;
      set({ categories, projects, ...shown({ ...get(), categories }) });
    } catch (e) {
      reportLoadError(e);
    }
    await entries;
  },

  async loadEntries() {
    const id = ++entryRequest;
    let list: Awaited<ReturnType<typeof call<'entries.list'>>>;
    try {
      list = await call('entries.list', {});
    } catch (e) {
      if (id === entryRequest) reportLoadError(e);
      return;
    }
    if (id !== entryRequest || get().phase !== 'unlocked') return; // a newer load has started, or the vault locked
    const next = { ...get(), all: list.items };
    set({ all: list.items, loaded: true, ...shown(next) });
  },

  setFilter(patch) {
    const filter = { ...get().filter, ...patch };
    set({ filter, view: { kind: 'entries' }, ...shown({ ...get(), filter }) });
  },
  setView(view) {
    set({ view });
  },
  select(id) {
    set({ selectedId: id });
  },
  focusSearch() {
    set({ view: { kind: 'entries' }, searchFocus: get().searchFocus + 1 });
  },
  addApproval(request) {
    if (get().approvals.some((r) => r.id === request.id)) return;
    set({ approvals: [...get().approvals, request] });
  },
  removeApproval(id) {
    set({ approvals: get().approvals.filter((r) => r.id !== id) });
  },
  setSettings(settings) {
    set({ settings });
  },
}));

// The searchable, virtualized entry list (10 000 rows scroll smoothly: only visible rows render).
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { PlusIcon, SearchIcon, ServiceIcon } from '../components/icons.js';
import { Name } from '../components/Name.js';
import { Button, EmptyState, Kbd, MOD } from '../components/ui.js';
import { useSession } from '../store/session.js';
import { ExpiryBadge } from './EntryDetail.js';

const ROW_HEIGHT = 56;

export function EntryList({ onNew }: { onNew: () => void }) {
  const { entries, total, loaded, filter, selectedId, select, setFilter, searchFocus, categories } = useSession();
  const searchRef = useRef<HTMLInputElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: entries.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });

  // After unlock (or coming back from another view) focus would fall to <body>: start in search.
  useEffect(() => {
    if (document.activeElement === document.body || document.activeElement === null) searchRef.current?.focus();
  }, []);

  useEffect(() => {
    if (searchFocus > 0) {
      searchRef.current?.focus();
      searchRef.current?.select();
    }
  }, [searchFocus]);

  // Read the store, not this render's props: a key pressed right after typing acts on the new list.
  const move = (delta: number): void => {
    const state = useSession.getState();
    const from = state.entries.findIndex((e) => e.id === state.selectedId);
    const index = Math.min(state.entries.length - 1, Math.max(0, from + delta));
    const next = state.entries[index];
    if (!next) return;
    select(next.id);
    virtualizer.scrollToIndex(index);
  };
  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      move(1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      move(-1);
    } else if (e.key === 'Escape' && filter.q) {
      setFilter({ q: '' });
    }
  };

  const filtered = Boolean(filter.q || filter.project || filter.categoryId || filter.environment);
  return (
    <section className="list-pane" aria-label="Entries">
      <div className="list-toolbar">
        <div className="search">
          <SearchIcon />
          <input
            ref={searchRef}
            type="search"
            placeholder="Search entries"
            aria-label="Search entries"
            value={filter.q}
            onChange={(e) => setFilter({ q: e.target.value })}
            onKeyDown={onKeyDown}
          />
          <Kbd>{MOD}+K</Kbd>
        </div>
        <Button variant="primary" onClick={onNew} aria-label="New entry" title={`New entry (${MOD}+N)`} disabled={categories.length === 0}>
          <PlusIcon />
        </Button>
      </div>
      <div className="list-meta muted small" aria-live="polite">
        {loaded ? `${total} ${total === 1 ? 'entry' : 'entries'}${filtered ? ' match' : ''}` : 'Loading entries…'}
      </div>
      {!loaded ? (
        <div className="list-scroll" aria-busy="true" />
      ) : entries.length === 0 ? (
        categories.length === 0 ? (
          <EmptyState title="No categories yet">Add a category (a service such as OpenAI) under Categories, then add its keys here.</EmptyState>
        ) : filtered ? (
          <EmptyState title="Nothing matches">Try another search, or clear the filters in the sidebar.</EmptyState>
        ) : (
          <EmptyState title="Your vault is empty" action={<Button variant="primary" onClick={onNew}>Add your first key</Button>}>
            Add a key for a project and an environment. Press {MOD}+N any time.
          </EmptyState>
        )
      ) : (
        <div ref={scrollRef} className="list-scroll" role="listbox" aria-label="Entry list" tabIndex={0} onKeyDown={onKeyDown} aria-activedescendant={selectedId ? `entry-${selectedId}` : undefined}>
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((row) => {
              const entry = entries[row.index];
              if (!entry) return null;
              const active = entry.id === selectedId;
              return (
                <div
                  key={entry.id}
                  id={`entry-${entry.id}`}
                  role="option"
                  aria-selected={active}
                  className={`entry-row${active ? ' active' : ''}`}
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: row.size, transform: `translateY(${row.start}px)` }}
                  onClick={() => select(entry.id)}
                >
                  <ServiceIcon slug={entry.category.icon} size={30} label="" />
                  <div className="entry-row-text">
                    <Name className="entry-row-title truncate">{entry.category.name}</Name>
                    <Name className="entry-row-sub truncate">{entry.name}</Name>
                  </div>
                  <div className="entry-row-tags">
                    <Name className={`env-badge env-${entry.environment}`}>{entry.environment}</Name>
                    <ExpiryBadge expiresAt={entry.expiresAt} compact />
                  </div>
                </div>
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}

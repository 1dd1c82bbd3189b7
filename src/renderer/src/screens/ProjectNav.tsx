// The sidebar's project list: virtualized (500 projects render a screenful) and one Tab stop
// (arrow keys move inside it, as in a toolbar), so Categories and Environments stay in reach.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState, type KeyboardEvent } from 'react';
import type { Project } from '../../../shared/model.js';
import { FolderIcon } from '../components/icons.js';
import { Name } from '../components/Name.js';

const ROW = 30;
const MAX_HEIGHT = 8 * ROW;

export function ProjectNav({ projects, activeName, onOpen }: { projects: Project[]; activeName: string | null; onOpen: (name: string) => void }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [focusIndex, setFocusIndex] = useState(0);
  const virtualizer = useVirtualizer({ count: projects.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 4 });
  const current = Math.min(focusIndex, Math.max(0, projects.length - 1));

  const moveTo = (index: number): void => {
    const next = Math.min(projects.length - 1, Math.max(0, index));
    setFocusIndex(next);
    virtualizer.scrollToIndex(next);
    // The row may not be rendered yet: focus it once the virtualizer has drawn it.
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLButtonElement>(`[data-index="${next}"]`)?.focus());
  };
  const onKeyDown = (e: KeyboardEvent): void => {
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 8, PageUp: -8 }[e.key];
    if (step !== undefined) {
      e.preventDefault();
      moveTo(current + step);
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      moveTo(e.key === 'Home' ? 0 : projects.length - 1);
    }
  };

  return (
    <div ref={scrollRef} className="project-nav" style={{ maxHeight: MAX_HEIGHT }} onKeyDown={onKeyDown}>
      <div role="list" aria-label="Projects" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => {
          const p = projects[row.index];
          if (!p) return null;
          return (
            <div key={p.name} role="listitem" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: row.size, transform: `translateY(${row.start}px)` }}>
              <button
                data-index={row.index}
                tabIndex={row.index === current ? 0 : -1}
                className={`nav-item${activeName === p.name ? ' active' : ''}`}
                aria-current={activeName === p.name ? 'page' : undefined}
                onFocus={() => setFocusIndex(row.index)}
                onClick={() => onOpen(p.name)}
              >
                <FolderIcon /> <Name className="truncate">{p.name}</Name>
                <span className="count">{p.entryCount}</span>
              </button>
            </div>
          );
        })}
      </div>
    </div>
  );
}

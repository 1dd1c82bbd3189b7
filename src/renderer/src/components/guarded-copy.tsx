// ⌘/Ctrl+C never puts a shown secret on the clipboard by itself: main copies it (kept out of
// clipboard history, cleared after the set seconds, audited; docs/desktop.md "Secrets in the
// renderer"). One listener on the document, in the capture phase, sees every copy, wherever the
// selection starts: a selection from a label into a value, ⌘/Ctrl+A, or a focused token field.
// (A handler on the value's own element sees only selections that start inside it.)
import { createElement, useCallback, useRef, type HTMLAttributes } from 'react';
import { toast } from './toast.js';

interface Guarded {
  /** Copies this secret through main; null while nothing secret is shown (a masked value). */
  copy: (() => void) | null;
}

const guarded = new Map<Element, Guarded>();
let listening = false;

/** Whether the copy that is starting takes text from `el`: a selection that reaches into it, or its own selected text (a field). */
function copiesFrom(el: Element, selection: Selection | null): boolean {
  const active = document.activeElement;
  if ((el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) && active === el) return el.selectionStart !== el.selectionEnd;
  return selection !== null && !selection.isCollapsed && selection.containsNode(el, true);
}

function onCopy(e: ClipboardEvent): void {
  const selection = document.getSelection();
  const hits = [...guarded].filter(([el, g]) => g.copy !== null && copiesFrom(el, selection)).map(([, g]) => g);
  if (hits.length === 0) return;
  e.preventDefault();
  if (hits.length === 1) hits[0]!.copy!();
  else toast('Copy one value at a time: select it alone, or use its Copy button', 'error');
}

/**
 * A ref for an element that shows a secret: while `copy` is set, a copy that takes text from the
 * element copies the secret through main instead (with `copy`), and the page copies nothing itself.
 */
export function useGuardedCopy(copy: (() => void) | null): (el: Element | null) => void {
  const state = useRef<Guarded>({ copy });
  state.current.copy = copy;
  const current = useRef<Element | null>(null);
  return useCallback((el: Element | null) => {
    if (current.current) guarded.delete(current.current);
    current.current = el;
    if (!el) return;
    guarded.set(el, state.current);
    if (!listening) {
      document.addEventListener('copy', onCopy, { capture: true });
      listening = true;
    }
  }, []);
}

/** A shown secret (`<code>` or `<pre>`) whose copies go through main while `copy` is set (useGuardedCopy). */
export function GuardedSecret({ as = 'code', copy, ...rest }: { as?: 'code' | 'pre'; copy: (() => void) | null } & HTMLAttributes<HTMLElement>) {
  const ref = useGuardedCopy(copy);
  return createElement(as, { ...rest, ref });
}

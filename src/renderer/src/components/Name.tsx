// A user-chosen name as it is drawn (Trojan Source, CVE-2021-42574): a name an older vault holds
// may carry direction-changing, invisible or control characters, shown as `\u202E` so they cannot
// reorder or hide what is on screen. Only for drawing: routing keys, form values and API arguments
// keep the stored name. Never for a secret value.
import { escapeHidden } from '../../../shared/names.js';

/** The name for a string that is drawn: a toast, a title, an aria-label, an option's text. */
export const shown = (name: string): string => escapeHidden(name);

/** The name in the page, isolated (`.name`: unicode-bidi: isolate) so right-to-left text cannot reorder what surrounds it. */
export function Name({ children, className }: { children: string; className?: string }) {
  return <span className={className ? `name ${className}` : 'name'}>{escapeHidden(children)}</span>;
}

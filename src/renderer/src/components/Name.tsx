// A user-chosen name as it is drawn (Trojan Source, CVE-2021-42574): a name an older vault holds
// may carry direction-changing, invisible or control characters, shown as `\u202E` so they cannot
// reorder or hide what is on screen. Only for drawing: routing keys, form values and API arguments
// keep the stored name. Never for a secret value.
import { Fragment } from 'react';
import { escapeHidden, shownName } from '../../../shared/names.js';

/**
 * The name for a string that is drawn: a toast, a title, an aria-label, an option's text; a
 * right-to-left name is isolated (FSI … PDI) so the text around it keeps its order.
 */
export const shown = (name: string): string => shownName(name);

/** The name in the page, isolated (`.name`: unicode-bidi: isolate) so right-to-left text cannot reorder what surrounds it. */
export function Name({ children, className }: { children: string; className?: string }) {
  return <span className={className ? `name ${className}` : 'name'}>{escapeHidden(children)}</span>;
}

/** Several names, each drawn and isolated on its own, between separators. */
export function Names({ list, separator = ', ' }: { list: readonly string[]; separator?: string }) {
  return (
    <>
      {list.map((name, i) => (
        // By index: a list may repeat a name (two entries of one category), and it is drawn whole each time.
        <Fragment key={i}>
          {i > 0 ? separator : null}
          <Name>{name}</Name>
        </Fragment>
      ))}
    </>
  );
}

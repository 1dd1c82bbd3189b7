// Files the CLI writes (export -o, inject -o, backup -o) never replace what is there by accident.
import { lstatSync } from 'node:fs';

/** Whether anything is at `p`, a dangling symlink included. */
export function pathTaken(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

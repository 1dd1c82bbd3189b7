// Pushes core events to the renderer and ties lock-related chores together.
import type { KeydenCore } from '../core/types.js';
import type { EventPayloads } from '../../shared/ipc.js';
import type { BridgeEvent } from '../../shared/ipc-channels.js';
import type { AutoLock } from './auto-lock.js';
import type { ClipboardGuard } from './clipboard.js';

export type Emit = <E extends BridgeEvent>(event: E, payload: EventPayloads[E]) => void;

/**
 * On lock: stop the countdown, clear a value we left on the clipboard, tell the renderer to wipe.
 * On unlock (also one through the app's local API, `keyden unlock`): start the countdown, so a
 * vault nobody touches in the window still locks after the idle minutes.
 */
export function wireCoreEvents(core: KeydenCore, deps: { emit: Emit; autoLock: AutoLock; clipboard: ClipboardGuard }): () => void {
  const offLock = core.vault.onLockChange((locked) => {
    if (locked) {
      deps.autoLock.stop();
      void deps.clipboard.clearIfUnchanged();
    } else deps.autoLock.activity();
    deps.emit('vault.lockChanged', { locked });
  });
  const offRequest = core.approvals.onRequest((request) => deps.emit('approvals.requested', request));
  return () => {
    offLock();
    offRequest();
  };
}

import type { KeydenBridge } from '../../shared/ipc.js';

declare global {
  interface Window {
    /** Exposed by the preload (or by the e2e test transport, with the same shape). */
    readonly keyden: KeydenBridge;
  }
}
export {};

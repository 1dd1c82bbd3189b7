// The page side of the test transport: builds `window.keyden` with the preload's exact shape
// (from the same BRIDGE_API list), forwarding calls over HTTP and events over SSE.
import type { Page } from '@playwright/test';
import { BRIDGE_API, BRIDGE_EVENTS } from '../../../src/shared/ipc-channels.js';

export async function installTestBridge(page: Page): Promise<void> {
  await page.addInitScript(
    ({ api, events }) => {
      type Listener = (payload: unknown) => void;
      const listeners = new Map<string, Set<Listener>>();
      const source = new EventSource('/__bridge/events');
      source.onmessage = (m: MessageEvent<string>) => {
        const { event, payload } = JSON.parse(m.data) as { event: string; payload: unknown };
        for (const l of listeners.get(event) ?? []) l(payload);
      };
      const bridge: Record<string, unknown> = {};
      for (const [ns, methods] of Object.entries(api)) {
        const group: Record<string, (input?: unknown) => Promise<unknown>> = {};
        for (const method of methods) {
          group[method] = async (input?: unknown) => {
            const res = await fetch('/__bridge/invoke', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ channel: `${ns}.${method}`, input }) });
            return res.json();
          };
        }
        bridge[ns] = group;
      }
      bridge.events = {
        on(event: string, listener: Listener) {
          if (!events.includes(event)) throw new Error(`Unknown event ${event}`);
          const set = listeners.get(event) ?? new Set<Listener>();
          set.add(listener);
          listeners.set(event, set);
          return () => set.delete(listener);
        },
      };
      Object.defineProperty(window, 'keyden', { value: Object.freeze(bridge), configurable: false, writable: false });
    },
    { api: BRIDGE_API as unknown as Record<string, readonly string[]>, events: [...BRIDGE_EVENTS] as string[] },
  );
}

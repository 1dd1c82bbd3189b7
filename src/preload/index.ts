// The preload: exposes `window.keyden`, a namespaced bridge built from the shared channel list.
// The page never gets ipcRenderer, process or any Node API; every call goes to one known channel.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_API, BRIDGE_EVENTS, IPC_EVENT_CHANNEL, IPC_PREFIX, type BridgeEvent } from '../shared/ipc-channels.js';
import type { KeydenBridge } from '../shared/ipc.js';

type Listener = (payload: unknown) => void;
const listeners = new Map<BridgeEvent, Set<Listener>>();

ipcRenderer.on(IPC_EVENT_CHANNEL, (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
  const set = listeners.get(name as BridgeEvent);
  if (set) for (const listener of set) listener(payload);
});

function buildBridge(): KeydenBridge {
  const bridge: Record<string, unknown> = {};
  for (const [ns, methods] of Object.entries(BRIDGE_API)) {
    const group: Record<string, (input?: unknown) => Promise<unknown>> = {};
    for (const method of methods) {
      const channel = `${IPC_PREFIX}${ns}.${method}`;
      group[method] = (input?: unknown) => ipcRenderer.invoke(channel, input);
    }
    bridge[ns] = group;
  }
  bridge.events = {
    on(event: BridgeEvent, listener: Listener): () => void {
      if (!(BRIDGE_EVENTS as readonly string[]).includes(event)) throw new Error(`Unknown event ${String(event)}`);
      const set = listeners.get(event) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  };
  return bridge as KeydenBridge; // built from BRIDGE_API, whose shape KeydenBridge is derived from
}

contextBridge.exposeInMainWorld('keyden', buildBridge());

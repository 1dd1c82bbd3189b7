// The bridge's shape as plain data: which namespaced methods and events exist.
// Kept free of zod so the sandboxed preload stays small; `ipc.ts` checks it matches the contract.

export const BRIDGE_API = {
  app: ['info', 'activity', 'installCli'],
  vault: ['status', 'create', 'unlock', 'lock', 'changePassword', 'backup'],
  settings: ['get', 'update'],
  updates: ['check', 'download', 'install'],
  categories: ['list', 'create', 'update', 'remove'],
  entries: ['list', 'get', 'create', 'update', 'remove', 'reveal', 'copy', 'versions', 'revealVersion', 'copyVersion', 'restoreVersion'],
  projects: ['list', 'variables', 'copyEnv', 'exportEnv', 'importEnv', 'patch', 'remove', 'renameEnvironment', 'removeEnvironment', 'copy', 'setTemplate', 'validate'],
  trash: ['list', 'restore', 'purge'],
  tokens: ['list', 'create', 'secretClosed', 'revoke', 'copySecret'],
  audit: ['list'],
  approvals: ['pending', 'approve', 'deny'],
} as const;

export type BridgeNamespace = keyof typeof BRIDGE_API;
export type Channel = { [N in BridgeNamespace]: `${N}.${(typeof BRIDGE_API)[N][number]}` }[BridgeNamespace];

/** Events main pushes to the renderer. */
export const BRIDGE_EVENTS = ['vault.lockChanged', 'approvals.requested', 'clipboard.cleared', 'updates.changed'] as const;
export type BridgeEvent = (typeof BRIDGE_EVENTS)[number];

/** Electron IPC channel names: every invoke channel is `keyden:<channel>`; events share one channel. */
export const IPC_PREFIX = 'keyden:';
export const IPC_EVENT_CHANNEL = 'keyden:event';

export function allChannels(): Channel[] {
  const out: string[] = [];
  for (const [ns, methods] of Object.entries(BRIDGE_API)) for (const m of methods) out.push(`${ns}.${m}`);
  return out as Channel[];
}

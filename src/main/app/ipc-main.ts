// Registers one ipcMain handler per contract channel. Each checks the sender is the app's own
// top frame before the gate validates the payload; events go to the app window only.
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { allChannels, IPC_EVENT_CHANNEL, IPC_PREFIX } from '../../shared/ipc-channels.js';
import { isAppSender, refusal, type Dispatch } from './dispatch.js';
import type { Emit } from './events.js';

export function registerIpc(ipcMain: IpcMain, dispatch: Dispatch, options: { window: () => BrowserWindow | null; appOrigin: string }): () => void {
  const channels = allChannels();
  for (const channel of channels) {
    ipcMain.handle(`${IPC_PREFIX}${channel}`, async (event: IpcMainInvokeEvent, input: unknown) => {
      const win = options.window();
      if (!win || !isAppSender(event, win.webContents, options.appOrigin)) {
        return refusal('FORBIDDEN_SENDER', 'This page may not talk to Keyden');
      }
      return dispatch(channel, input);
    });
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(`${IPC_PREFIX}${channel}`);
  };
}

export function createEmitter(window: () => BrowserWindow | null): Emit {
  return (event, payload) => {
    const win = window();
    if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event, payload);
  };
}

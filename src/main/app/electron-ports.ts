// Electron-backed implementations of the clipboard and dialog ports.
import { clipboard, ClipboardItem, dialog, type BrowserWindow } from 'electron';
import type { ClipboardPort } from './clipboard.js';
import type { DialogPort } from './handlers.js';

// The nspasteboard.org marker asks clipboard managers and Universal Clipboard to skip the item
// (macOS). Electron's `clipboard.write` commits every format of one item atomically, so the text
// and the marker land together; other platforms get plain text.
const CONCEALED_FORMAT = 'electron application/osclipboard;format="org.nspasteboard.ConcealedType"';

export function electronClipboard(platform: NodeJS.Platform = process.platform): ClipboardPort {
  return {
    async writeText(text, { concealed }) {
      if (concealed && platform === 'darwin') {
        await clipboard.write([new ClipboardItem({ 'text/plain': text, [CONCEALED_FORMAT]: '' })]);
        return;
      }
      await clipboard.writeText(text);
    },
    readText: () => clipboard.readText(),
    clear: () => clipboard.clear(),
  };
}

export function electronDialogs(window: () => BrowserWindow | null): DialogPort {
  return {
    async saveFile({ title, defaultName }) {
      const win = window();
      const options = { title, defaultPath: defaultName, properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[] };
      const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    async openFile({ title }) {
      const win = window();
      const options = { title, properties: ['openFile', 'showHiddenFiles'] as ('openFile' | 'showHiddenFiles')[] };
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  };
}

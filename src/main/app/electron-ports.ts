// Electron-backed implementations of the clipboard and dialog ports.
import { clipboard, ClipboardItem, dialog, type BrowserWindow } from 'electron';
import type { ClipboardPort } from './clipboard.js';
import type { SelectionPort } from './selection.js';
import type { DialogPort } from './handlers.js';

/** A raw OS clipboard format, as Electron's clipboard names one. */
const osFormat = (name: string): string => `electron application/osclipboard;format="${name}"`;

/** A serialized DWORD 0: "do not include" for Windows' CanInclude… formats. */
const DWORD_ZERO = (): Blob => new Blob([new Uint8Array(4)]);

/**
 * The formats that ask the OS and clipboard managers to keep a secret out of clipboard history
 * and cloud sync, written with the text in one atomic `clipboard.write` (as KeePassXC does):
 * - Windows: `ExcludeClipboardContentFromMonitorProcessing` (any data), and
 *   `CanIncludeInClipboardHistory` / `CanUploadToCloudClipboard` = DWORD 0;
 * - macOS: nspasteboard.org's `org.nspasteboard.ConcealedType` (clipboard managers, Universal Clipboard);
 * - Linux: KDE Klipper's `x-kde-passwordManagerHint` = `secret` (other managers honour it too).
 */
export function concealedFormats(platform: NodeJS.Platform): Record<string, string | Blob> {
  if (platform === 'win32') {
    return {
      [osFormat('ExcludeClipboardContentFromMonitorProcessing')]: new Blob([new Uint8Array([1])]),
      [osFormat('CanIncludeInClipboardHistory')]: DWORD_ZERO(),
      [osFormat('CanUploadToCloudClipboard')]: DWORD_ZERO(),
    };
  }
  if (platform === 'darwin') return { [osFormat('org.nspasteboard.ConcealedType')]: '' };
  return { [osFormat('x-kde-passwordManagerHint')]: 'secret' };
}

export function electronClipboard(platform: NodeJS.Platform = process.platform): ClipboardPort {
  return {
    async writeText(text, { concealed }) {
      if (concealed) {
        await clipboard.write([new ClipboardItem({ 'text/plain': text, ...concealedFormats(platform) })]);
        return;
      }
      await clipboard.writeText(text);
    },
    readText: () => clipboard.readText(),
    clear: () => clipboard.clear(),
  };
}

/** Linux's PRIMARY selection (mouse selection, middle-click paste); null where there is none. */
export function electronSelection(platform: NodeJS.Platform = process.platform): SelectionPort | null {
  // `clipboard.selection` is Electron's PRIMARY selection object, defined on Linux only.
  if (platform !== 'linux' || !clipboard.selection) return null;
  const primary = clipboard.selection;
  return {
    readText: () => primary.readText(),
    clear: () => primary.clear(),
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

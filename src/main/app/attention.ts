// Two small pieces of the window's behaviour (issue 13): a `keyden login` request gets the user's
// attention when Keyden is behind other windows, and editable fields get a context menu of edit
// roles only (no Copy on a secret: password fields offer neither Cut nor Copy).
import { app, Notification, type BrowserWindow, type ContextMenuParams, type MenuItemConstructorOptions } from 'electron';
import type { LoginRequest } from '../../shared/model.js';

/** Flashes the window (Windows, Linux), bounces the dock (macOS) and shows a system notification. */
export function drawAttention(win: BrowserWindow | null, request: Pick<LoginRequest, 'clientName' | 'code'>, platform: NodeJS.Platform = process.platform): void {
  if (win && !win.isFocused()) {
    if (platform === 'darwin') app.dock?.bounce('informational');
    else win.flashFrame(true);
    win.once('focus', () => win.flashFrame(false));
  }
  if (!Notification.isSupported()) return;
  // The client's name and the code only: what the approval dialog shows, never a secret.
  const note = new Notification({ title: 'Keyden: a login request is waiting', body: `${request.clientName} asks for a token (code ${request.code}). Open Keyden to approve or deny it.` });
  note.on('click', () => {
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  note.show();
}

/** The context menu of an editable field: edit roles, and nothing that copies out of a password field. */
export function editMenuTemplate(params: Pick<ContextMenuParams, 'isEditable' | 'formControlType' | 'editFlags'>): MenuItemConstructorOptions[] {
  if (!params.isEditable) return [];
  const secret = params.formControlType === 'input-password';
  const items: MenuItemConstructorOptions[] = [
    { role: 'undo', enabled: params.editFlags.canUndo },
    { role: 'redo', enabled: params.editFlags.canRedo },
    { type: 'separator' },
  ];
  if (!secret) items.push({ role: 'cut', enabled: params.editFlags.canCut }, { role: 'copy', enabled: params.editFlags.canCopy });
  items.push({ role: 'paste', enabled: params.editFlags.canPaste }, { type: 'separator' }, { role: 'selectAll', enabled: params.editFlags.canSelectAll });
  return items;
}

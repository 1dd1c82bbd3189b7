// The application menu: standard roles plus Lock (⌘/Ctrl+L), which also works when the page has focus.
import { Menu, type MenuItemConstructorOptions } from 'electron';

export function buildMenu(options: { lock: () => void; isMac: boolean }): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(options.isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'Vault',
      submenu: [
        { label: 'Lock', accelerator: 'CmdOrCtrl+L', click: () => options.lock() },
        { type: 'separator' },
        options.isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}

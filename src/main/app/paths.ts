// Where things live: the Keyden home (DESIGN §4, resolved as the CLI does) and the app's files.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function keydenHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.KEYDEN_HOME) return env.KEYDEN_HOME;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Keyden');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Keyden');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'keyden');
}

/** better-sqlite3 built for Electron's ABI (see TOOLCHAIN.md): never the Node build npm installed. */
export function electronSqliteBinding(options: { isPackaged: boolean; appPath: string; resourcesPath: string }): string {
  return options.isPackaged
    ? join(options.resourcesPath, 'native', 'better_sqlite3.node')
    : join(options.appPath, 'out', 'native', 'better_sqlite3.node');
}

// Where the app's own files live (the Keyden home comes from the core's home.ts, as for the CLI).
import { join } from 'node:path';

/** better-sqlite3 built for Electron's ABI (see TOOLCHAIN.md): never the Node build npm installed. */
export function electronSqliteBinding(options: { isPackaged: boolean; appPath: string; resourcesPath: string }): string {
  return options.isPackaged
    ? join(options.resourcesPath, 'native', 'better_sqlite3.node')
    : join(options.appPath, 'out', 'native', 'better_sqlite3.node');
}

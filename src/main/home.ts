// Where Keyden keeps its files (DESIGN §4): `$KEYDEN_HOME`, else the OS config folder.
// Node built-ins only: the CLI's fast path imports this.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function keydenHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.KEYDEN_HOME) return path.resolve(env.KEYDEN_HOME);
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Keyden');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'Keyden');
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'keyden');
}

export const defaultVaultPath = (home: string): string => path.join(home, 'vault.db');
export const discoveryPath = (home: string): string => path.join(home, 'api.json');
export const credentialsPath = (home: string): string => path.join(home, 'credentials');

export interface Discovery {
  url: string;
  pid: number;
  version: string;
  /** 64 hex characters: the key the owner proves it holds (GET /api/auth/proof). */
  proof: string;
}

/** Creates Keyden's home folder, or tightens an existing one, so only the user can enter it (0700). */
export function ensureHome(home: string): void {
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  fs.chmodSync(home, 0o700);
}

/** Writes a file only the user can read (0600), replacing it atomically. */
export function writePrivateFile(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

export function writeDiscovery(home: string, d: Discovery): void {
  ensureHome(home);
  writePrivateFile(discoveryPath(home), `${JSON.stringify(d)}\n`);
}

export function readDiscovery(home: string): Discovery | null {
  try {
    const d = JSON.parse(fs.readFileSync(discoveryPath(home), 'utf8')) as Partial<Discovery>;
    if (typeof d.url !== 'string' || typeof d.pid !== 'number') return null;
    return { url: d.url, pid: d.pid, version: String(d.version ?? ''), proof: typeof d.proof === 'string' ? d.proof : '' };
  } catch {
    return null;
  }
}

/** Removes the discovery file if it is still ours. */
export function removeDiscovery(home: string, pid: number = process.pid): void {
  const d = readDiscovery(home);
  if (d && d.pid === pid) fs.rmSync(discoveryPath(home), { force: true });
}

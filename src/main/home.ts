// Where Keyden keeps its files (DESIGN §4): `$KEYDEN_HOME`, else the OS config folder.
// Node built-ins only: the CLI's fast path imports this.
import { randomBytes } from 'node:crypto';
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

/** A folder that cannot hold Keyden's files; its message is one line naming the folder. */
export class FolderError extends Error {
  /** Recognised by the CLI as a plain error (exit 1), as the core's coded errors are. */
  readonly code = 'FOLDER_UNUSABLE';
  constructor(
    readonly folder: string,
    problem: string,
  ) {
    super(`the folder ${folder} cannot hold Keyden's files: ${problem}`);
  }
}

const reason = (e: unknown): string => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'error';
};

/**
 * Makes sure `dir` is a folder this user can write, creating it (0700) and its missing parents
 * one level at a time — a recursive mkdir spins forever under /proc (issue 14, item 2). Any
 * problem is a FolderError that names the folder and what is wrong.
 */
export function prepareFolder(dir: string): void {
  const missing: string[] = [];
  let at = path.resolve(dir);
  // Bounded: each step goes one level up, and the root exists.
  for (;;) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(at);
    } catch (e) {
      if (reason(e) !== 'ENOENT' && reason(e) !== 'ENOTDIR') throw new FolderError(dir, `cannot look at ${at} (${reason(e)})`);
      const parent = path.dirname(at);
      if (parent === at) throw new FolderError(dir, `${at} does not exist`);
      missing.unshift(at);
      at = parent;
      continue;
    }
    if (!stat.isDirectory()) throw new FolderError(dir, at === path.resolve(dir) ? 'it is a file, not a folder' : `${at} is a file, not a folder`);
    break;
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder, { mode: 0o700 });
    } catch (e) {
      if (reason(e) !== 'EEXIST') throw new FolderError(dir, `cannot create ${folder} (${reason(e)})`);
    }
  }
  // Writable? Try it: access() says nothing true about /proc or read-only mounts.
  const probe = path.join(dir, `.keyden-probe-${process.pid}`);
  try {
    fs.closeSync(fs.openSync(probe, 'wx', 0o600));
    fs.rmSync(probe, { force: true });
  } catch (e) {
    throw new FolderError(dir, `cannot write in it (${reason(e)})`);
  }
}

/**
 * Why another local user could swap, plant or read files in `dir`, or null if none can: it (or the
 * symlink naming it) belongs to another user, or, with `privateTo`, anyone else may enter it, or,
 * with `sharedWrite`, others (not the group: a user's private group is common) may write in it.
 * Missing folders and Windows (ACLs, not modes) are not judged here.
 */
export function unsafeFolder(dir: string, check: { privateTo?: boolean; sharedWrite?: boolean; allowRootOwner?: boolean }): string | null {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return null;
  const uid = process.getuid();
  let link: fs.Stats;
  let target: fs.Stats;
  try {
    link = fs.lstatSync(dir);
    target = link.isSymbolicLink() ? fs.statSync(dir) : link;
  } catch {
    return null;
  }
  const foreign = (s: fs.Stats): boolean => s.uid !== uid && !(check.allowRootOwner === true && s.uid === 0);
  if (link.isSymbolicLink() && foreign(link)) return `it is a symbolic link another user made (uid ${link.uid})`;
  if (foreign(target)) return `it belongs to another user (uid ${target.uid})`;
  const mode = (target.mode & 0o7777).toString(8).padStart(4, '0');
  if (check.privateTo && (target.mode & 0o077) !== 0) return `other users can open it (mode ${mode}); it should be 0700`;
  if (check.sharedWrite && (target.mode & 0o002) !== 0) return `every user can write in it (mode ${mode})`;
  return null;
}

/**
 * Why another local user could replace `dir` by renaming a folder above it (or repointing a
 * symbolic link on the way), or null if none can. Every folder above it, as named and as the
 * links resolve, must belong to this user or root; one that others (or a group other than the
 * user's own) may write in must have the sticky bit, as /tmp has, so they cannot rename what is
 * not theirs. OpenSSH's StrictModes judges the path of a key file the same way. Checking `dir`
 * itself is unsafeFolder's job; a missing path and Windows (ACLs) are not judged here.
 */
export function unsafeAncestors(dir: string): string | null {
  if (process.platform === 'win32' || typeof process.getuid !== 'function' || typeof process.getgid !== 'function') return null;
  const uid = process.getuid();
  const gid = process.getgid();
  const judge = (at: string, s: fs.Stats): string | null => {
    if (s.uid !== uid && s.uid !== 0) return `${at}, ${s.isSymbolicLink() ? 'a symbolic link' : 'a folder'} above it, belongs to another user (uid ${s.uid})`;
    if (s.isSymbolicLink()) return null; // a link's own mode means nothing; its folder and its target are judged
    const othersWrite = (s.mode & 0o002) !== 0 || ((s.mode & 0o020) !== 0 && s.gid !== gid);
    if (othersWrite && (s.mode & 0o1000) === 0) {
      return `other users can write in ${at}, a folder above it (mode ${(s.mode & 0o7777).toString(8).padStart(4, '0')}), and could put another folder in its place`;
    }
    return null;
  };
  const above = (p: string): string[] => {
    const out: string[] = [];
    // Bounded: each step goes one level up, to the root.
    for (let at = path.dirname(p); ; at = path.dirname(at)) {
      out.push(at);
      if (path.dirname(at) === at) return out;
    }
  };
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch {
    return null;
  }
  try {
    for (const at of above(path.resolve(dir))) {
      const problem = judge(at, fs.lstatSync(at));
      if (problem) return problem;
    }
    for (const at of above(real)) {
      const problem = judge(at, fs.statSync(at));
      if (problem) return problem;
    }
  } catch (e) {
    return `cannot look at the folders above it (${reason(e)})`;
  }
  return null;
}

/** Creates Keyden's home folder, or tightens an existing one, so only the user can enter it (0700). */
export function ensureHome(home: string): void {
  prepareFolder(home);
  // One another user made (or a link to one) stays theirs whatever its mode: refuse it, even as root.
  const foreign = unsafeFolder(home, {}) ?? unsafeAncestors(home);
  if (foreign) throw new FolderError(home, `${foreign}; Keyden's home must be the user's own`);
  try {
    fs.chmodSync(home, 0o700);
  } catch (e) {
    throw new FolderError(home, `cannot make it private to this user (chmod: ${reason(e)})`);
  }
}

/**
 * Writes a file only the user can read (0600), replacing it atomically. The temporary file is new
 * (`wx`, a random name): a symlink planted at a guessable name is never followed.
 */
export function writePrivateFile(file: string, content: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
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

// Builds the Electron-free core in one place: the services, wired by constructor injection.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireOwnerLock, type OwnerLock } from '../store/lockfile.js';
import { Approvals } from '../services/approvals.js';
import { Categories } from '../services/categories.js';
import { Entries } from '../services/entries.js';
import { isKeydenError } from '../../shared/errors.js';
import { visibleTo } from '../services/access.js';
import { DeniedCoalescer } from './denied.js';
import { Projects } from '../services/projects.js';
import { ProjectOperations } from '../services/project-operations.js';
import { Trash } from '../services/trash.js';
import { Tokens } from '../services/tokens.js';
import { Vault, type KdfCost, type VaultOptions } from '../services/vault.js';
import { ensureHome, FolderError, keydenHome, prepareFolder, unsafeAncestors, unsafeFolder } from '../home.js';
import type { KeydenCore, AuditService } from './types.js';

export * from './types.js';
export type { KdfCost } from '../services/vault.js';

export interface CoreOptions {
  vaultPath: string;
  /** 'owner' (default) holds `<vault>.lock`; 'admin' opens the file beside a running owner. */
  role?: 'owner' | 'admin';
  /** Whether someone (the desktop app) can approve `keyden login` requests. */
  approver?: boolean;
  /** better-sqlite3's native module for another runtime (Electron). */
  nativeBinding?: string;
  /** Tests and benchmarks only: cheaper Argon2 parameters (see VaultOptions). Never user-reachable. */
  unsafeTestKdf?: KdfCost;
  /** Where this machine records the vault generations it has seen (default `<home>/known-vaults.json`). */
  knownVaultsPath?: string;
  /** Tests and benchmarks: the group commit's helper thread (VaultOptions.auditHelper). A code option. */
  auditHelper?: VaultOptions['auditHelper'];
}

export interface OwnedCore extends KeydenCore {
  /** Reloads what admin commands changed beside this owner (call before serving a request). */
  refresh(): void;
  /** Records a refused API call (never its token string), coalesced to one row a minute per actor, route and reason. */
  auditDenied(denied: { actor: string; route: string; reason: string; scope?: string }): void;
}

let cachedVersion: string | undefined;

/** The package's version, found by walking up from this module to Keyden's package.json. */
export function keydenVersion(): string {
  if (cachedVersion) return cachedVersion;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'keyden' && pkg.version) return (cachedVersion = pkg.version);
    } catch {
      // Not here: keep walking up.
    }
    dir = path.dirname(dir);
  }
  return (cachedVersion = '0.0.0');
}

export function openKeydenCore(options: CoreOptions): OwnedCore {
  const vaultPath = path.resolve(options.vaultPath);
  // The default vault lives in Keyden's home, which is kept 0700; a folder the user chose for
  // --vault is created 0700 if missing but otherwise left as the user set it up.
  if (path.dirname(vaultPath) === keydenHome()) ensureHome(path.dirname(vaultPath));
  else {
    prepareFolder(path.dirname(vaultPath));
    // SQLite opens the `-wal`, `-shm` and `.lock` files it finds beside the vault: in a folder
    // every user may write (/tmp), another user could plant them and read or block the vault.
    const unsafe = unsafeFolder(path.dirname(vaultPath), { sharedWrite: true, allowRootOwner: true }) ?? unsafeAncestors(path.dirname(vaultPath));
    if (unsafe) throw new FolderError(path.dirname(vaultPath), `${unsafe}; keep the vault in a folder only you can write`);
  }
  let lock: OwnerLock | null = (options.role ?? 'owner') === 'owner' ? acquireOwnerLock(vaultPath) : null;
  try {
    const vault = new Vault({ path: vaultPath, nativeBinding: options.nativeBinding, unsafeTestKdf: options.unsafeTestKdf, knownVaultsPath: options.knownVaultsPath, session: options.role ?? 'owner', auditHelper: options.auditHelper });
    const entries = new Entries(vault);
    const categories = new Categories(vault, entries);
    const projects = new Projects(vault, categories, entries);
    const projectOperations = new ProjectOperations(vault, entries, projects);
    const trash = new Trash(vault, entries);
    vault.afterUnlock((caller) => trash.purgeExpiredTrash(caller));
    vault.afterUnlock(() => tokens.recordUnlockers());
    const tokens = new Tokens(vault);
    const approvals = new Approvals(tokens, options.approver ?? false);
    const denied = new DeniedCoalescer(({ actor, detail }) => {
      vault.audit.record({ actor, action: 'api.denied', targetId: null, ok: false, detail }, { soon: true }).catch(() => {
        // A refused call is answered whether or not its audit row could be written.
      });
    });
    const audit: AuditService = {
      list: (query, caller) => {
        vault.keys();
        // The reader sees every refused call so far, not only those of closed minutes.
        denied.flush();
        vault.audit.flush();
        const limited = caller !== undefined && (caller.projects !== null || caller.environments !== null);
        try {
          // A limited token sees only events about entries it can see: no category, token,
          // project-wide or vault events (they would name what lies outside its limits).
          // It learns no other token's name, nor where a visible entry was before it came into its limits.
          if (!limited) return vault.audit.list(vault.overviews, query);
          const targets = [...vault.overviews.entries.values()].filter((e) => visibleTo(caller, e)).map((e) => e.id);
          return vault.audit.list(vault.overviews, query, { targets, onlyNameOf: caller.actor, within: (place) => visibleTo(caller, place) });
        } catch (e) {
          // Rows whose mac fails because the key was rotated beside this owner lock it instead.
          throw isKeydenError(e) && e.code === 'VAULT_TAMPERED' ? (vault.keyChangedBeside() ?? e) : e;
        }
      },
    };
    return {
      version: keydenVersion(),
      vault,
      categories,
      entries,
      projects,
      projectOperations,
      trash,
      tokens,
      audit,
      approvals,
      refresh: () => vault.refreshIfChangedElsewhere(),
      auditDenied: (call) => denied.add(call),
      close(caller) {
        try {
          denied.flush();
          vault.close(caller);
        } finally {
          lock?.release();
          lock = null;
        }
      },
    };
  } catch (e) {
    lock?.release();
    throw e;
  }
}

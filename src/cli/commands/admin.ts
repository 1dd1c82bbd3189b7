// Owner and admin commands (DESIGN §5): they open the vault file with the core, so they are
// imported only when one of them runs (the core loads zod, better-sqlite3 and the crypto).
import { resolve } from 'node:path';
import { openKeydenCore, type OwnedCore } from '../../main/core/index.js';
import type { ApiServer } from '../../main/api/server.js';
import { CLI } from '../../main/core/types.js';
import { defaultVaultPath, ensureHome, keydenHome, removeDiscovery, writeDiscovery } from '../../main/home.js';
import { ownerSocketPath, SocketInUseError } from '../../main/api/channel.js';
import { DEFAULT_API_PORT } from '../client.js';
import type { Token } from '../../shared/model.js';
import { PRESETS, presetToCategoryInput } from '../../shared/presets.js';
import { CliError, EXIT } from '../errors.js';
import { pathTaken } from '../files.js';
import { isKeydenError } from '../../shared/errors.js';
import { formatTable, shortTime, writeErrLines, writeJson, writeLines, writeOut } from '../output.js';
import { promptHidden, readNewPassword, readPassword, readStdinLines, stdinIsTerminal } from '../stdin.js';
import { parseScopes } from './session.js';
import { parseExpiry } from '../expiry.js';
import { checkNewPassword } from '../weak-password.js';
import { disableCoreDumps } from '../../main/no-core-dumps.js';

type CoreOptions = Parameters<typeof openKeydenCore>[0];
type ExtraCoreOptions = Omit<CoreOptions, 'vaultPath' | 'role'>;

let extraCoreOptions: ExtraCoreOptions = {};

/** Test harnesses only (e.g. cheap KDF parameters): a code option, never a flag or variable. */
export function useCoreOptionsForTests(options: ExtraCoreOptions): void {
  extraCoreOptions = options;
}

function vaultPathOf(opts: { vault?: string }): string {
  return opts.vault ? resolve(opts.vault) : defaultVaultPath(keydenHome());
}

function openCore(vaultPath: string, role: 'owner' | 'admin'): OwnedCore {
  // An admin command holds the master password and the vault key for a moment: no core of it
  // either (serve turns them off itself, earlier, and says so when it cannot).
  if (role === 'admin') disableCoreDumps();
  return openKeydenCore({ ...extraCoreOptions, vaultPath, role });
}

function requireVault(core: OwnedCore, vaultPath: string): void {
  if (!core.vault.status().exists) throw new CliError(`no vault at ${vaultPath}: create one with \`keyden init\``, EXIT.ERROR);
}

/** Opens the file beside any running owner, unlocks it with the master password, runs `work`. */
async function withUnlockedVault<T>(opts: { vault?: string; passwordStdin?: boolean }, work: (core: OwnedCore) => Promise<T> | T): Promise<T> {
  const vaultPath = vaultPathOf(opts);
  const core = openCore(vaultPath, 'admin');
  try {
    requireVault(core, vaultPath);
    await core.vault.unlock(CLI, await readPassword(opts.passwordStdin));
    return await work(core);
  } finally {
    closeAsCli(core);
  }
}

export async function init(opts: { vault?: string; passwordStdin?: boolean; presets?: boolean }): Promise<number> {
  const vaultPath = vaultPathOf(opts);
  const core = openCore(vaultPath, 'admin');
  try {
    if (core.vault.status().exists) throw new CliError(`a vault already exists at ${vaultPath}`, EXIT.ERROR);
    const lines = opts.passwordStdin ? await readStdinLines(1) : null;
    const password = await readNewPassword(lines, 0, 'Master password');
    await checkNewPassword(password, { interactive: lines === null, what: 'no vault created' });
    await core.vault.create(CLI, password);
    // The app's gallery, for a headless user (DESIGN §9 "Categories from the CLI").
    if (opts.presets) for (const preset of PRESETS) core.categories.create(CLI, presetToCategoryInput(preset));
  } finally {
    closeAsCli(core);
  }
  const what = opts.presets ? `a vault with ${PRESETS.length} preset categories` : 'an empty vault';
  writeOut(`Created ${what} at ${vaultPath}\nNext: keyden serve (or open the desktop app), then keyden token create\n`);
  return EXIT.OK;
}

/** A headless owner: unlocks (or starts locked), serves the API until SIGINT / SIGTERM / SIGQUIT / SIGHUP. */
export async function serve(opts: { vault?: string; port?: number; passwordStdin?: boolean }): Promise<number> {
  // Before the vault is opened or a password read: a core of this process would hold them.
  const noCoreDumps = disableCoreDumps();
  if (noCoreDumps) writeErrLines(`keyden: warning: core dumps of this owner are not turned off (${noCoreDumps}): a crash dump could hold the master password`);
  const home = keydenHome();
  const vaultPath = vaultPathOf(opts);
  const core = openCore(vaultPath, 'owner');
  let server: ApiServer;
  try {
    server = await startOwner(core, home, vaultPath, opts);
  } catch (e) {
    closeAsCli(core);
    throw e;
  }
  writeDiscovery(home, { url: server.url, pid: process.pid, version: core.version, proof: server.proof });
  const onExit = (): void => removeDiscovery(home);
  process.on('exit', onExit);
  const stopped = new Promise<number>((resolvePromise) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      removeDiscovery(home);
      server
        .close()
        .catch(() => undefined)
        .finally(() => {
          closeAsCli(core);
          process.off('exit', onExit);
          resolvePromise(EXIT.OK);
        });
    };
    // SIGQUIT too: its default action dumps core (docs/cli.md "Memory"). Installed before the
    // ready line, so that a signal sent as soon as it is read still stops the owner cleanly.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGHUP'] as const) process.once(signal, stop);
  });
  writeLines(`Keyden API listening on ${server.url}`);
  if (core.vault.status().locked) process.stderr.write('The vault is locked: unlock it with `keyden unlock`\n');
  return stopped;
}

async function startOwner(core: OwnedCore, home: string, vaultPath: string, opts: { port?: number; passwordStdin?: boolean }): Promise<ApiServer> {
  requireVault(core, vaultPath);
  let password: string | null = null;
  if (opts.passwordStdin) password = await readPassword(true);
  else if (stdinIsTerminal()) password = await promptHidden('Master password: ');
  if (password !== null) await core.vault.unlock(CLI, password);
  const port = opts.port ?? settingsPort(core);
  try {
    ensureHome(home);
    // Loaded here, not at the top: Fastify and the routes cost ~85 ms to load, and only serve needs them.
    const { startApiServer } = await import('../../main/api/server.js');
    return await startApiServer(core, { port, host: '127.0.0.1', socketPath: ownerSocketPath(home) ?? undefined });
  } catch (e) {
    if (e instanceof SocketInUseError) throw new CliError(`${e.message}: stop it first`, EXIT.ERROR);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(`port ${port} is in use (another Keyden owner?): choose one with --port`, EXIT.ERROR);
    }
    throw e;
  }
}

/** Closes the vault; its lock is audited as the CLI's. */
function closeAsCli(core: OwnedCore): void {
  core.close(CLI);
}

function settingsPort(core: OwnedCore): number {
  try {
    return core.vault.settings().apiPort;
  } catch {
    return DEFAULT_API_PORT;
  }
}

export async function tokenCreate(opts: {
  name: string;
  scopes: string;
  project?: string[];
  env?: string[];
  expires?: string;
  vault?: string;
  passwordStdin?: boolean;
}): Promise<number> {
  const expiresAt = opts.expires ? parseExpiry(opts.expires) : null;
  const scopes = parseScopes(opts.scopes); // before the password is asked for
  const created = await withUnlockedVault(opts, (core) =>
    core.tokens.create(CLI, {
      name: opts.name,
      scopes,
      projects: opts.project?.length ? opts.project : null,
      environments: opts.env?.length ? opts.env.map((e) => e.toLowerCase()) : null,
      expiresAt,
    }),
  );
  writeOut(`${created.secret}\n`);
  if (process.stdout.isTTY) writeErrLines(`Token "${created.token.name}" (${created.token.id}): shown once, store it now`);
  return EXIT.OK;
}

export async function tokenList(opts: { json?: boolean; vault?: string; passwordStdin?: boolean }): Promise<number> {
  const tokens = await withUnlockedVault(opts, (core) => core.tokens.list());
  if (opts.json) {
    writeJson(
      tokens.map((t) => ({
        id: t.id,
        name: t.name,
        scopes: t.scopes,
        projects: t.projects,
        environments: t.environments,
        createdAt: t.createdAt,
        lastUsedAt: t.lastUsedAt,
        expiresAt: t.expiresAt,
        revokedAt: t.revokedAt,
      })),
    );
    return EXIT.OK;
  }
  const now = Date.now();
  const state = (t: Token): string =>
    t.revokedAt ? `revoked ${shortTime(t.revokedAt)}` : t.expiresAt && Date.parse(t.expiresAt) <= now ? 'expired' : 'active';
  const rows = tokens.map((t) => [
    t.name,
    t.scopes.join(','),
    t.projects?.join(',') ?? 'all',
    t.environments?.join(',') ?? 'all',
    shortTime(t.lastUsedAt),
    t.expiresAt ? shortTime(t.expiresAt) : 'never',
    state(t),
    t.id,
  ]);
  writeOut(formatTable(['NAME', 'SCOPES', 'PROJECTS', 'ENVS', 'LAST USED', 'EXPIRES', 'STATE', 'ID'], rows));
  return EXIT.OK;
}

export async function tokenRevoke(idOrName: string, opts: { vault?: string; passwordStdin?: boolean }): Promise<number> {
  const { token, already } = await withUnlockedVault(opts, (core) => {
    const tokens = core.tokens.list();
    const byId = tokens.find((t) => t.id === idOrName.toLowerCase());
    const byName = tokens.filter((t) => t.name === idOrName);
    if (!byId && byName.length > 1) {
      throw new CliError(`${byName.length} tokens are named "${idOrName}": revoke one by its id (${byName.map((t) => t.id).join(', ')})`, EXIT.USAGE);
    }
    const found = byId ?? byName[0];
    if (!found) throw new CliError(`no token ${idOrName} (see \`keyden token list\`)`, EXIT.NOT_FOUND);
    if (found.revokedAt) return { token: found, already: true };
    core.tokens.revoke(CLI, found.id);
    return { token: found, already: false };
  });
  // Revoking is idempotent: a token already revoked is the state asked for (exit 0), and we say when.
  if (already) writeLines(`Token "${token.name}" (${token.id}) was already revoked at ${token.revokedAt}`);
  else writeLines(`Revoked token "${token.name}" (${token.id})`);
  return EXIT.OK;
}

export async function passwd(opts: { vault?: string; passwordStdin?: boolean; rotateKey?: boolean; kdfMemory?: number; kdfPasses?: number }): Promise<number> {
  const vaultPath = vaultPathOf(opts);
  const core = openCore(vaultPath, 'admin');
  const keepPassword = Boolean(opts.rotateKey || opts.kdfMemory || opts.kdfPasses);
  let message: string;
  try {
    requireVault(core, vaultPath);
    const lines = opts.passwordStdin ? await readStdinLines(keepPassword ? 1 : 2) : null;
    const current = lines ? lines[0] : await promptHidden('Current master password: ');
    if (current === null || current === undefined) throw new CliError('--password-stdin: stdin ended before the current password', EXIT.USAGE);
    // Both check the current password with one Argon2 run. A password change unlocks the vault
    // first (which checks its integrity and upgrades a format 1 vault); a rotation of this closed
    // vault checks every row itself and leaves it closed (docs/vault-format.md).
    if (opts.rotateKey) {
      const { resealed } = await core.vault.rotateKey(CLI, current);
      message = `Vault key rotated: ${resealed} sealed values re-encrypted under a new key (the password is unchanged)\n`;
    } else {
      const now = core.vault.kdfParams();
      const kdf = opts.kdfMemory || opts.kdfPasses ? { m: opts.kdfMemory ? opts.kdfMemory * 1024 : now.m, t: opts.kdfPasses ?? now.t } : undefined;
      const next = keepPassword ? current : await readNewPassword(lines, 1);
      if (!keepPassword) await checkNewPassword(next, { interactive: lines === null, what: 'the master password is unchanged' });
      await core.vault.changePassword(CLI, current, next, { kdf });
      const after = core.vault.kdfParams();
      message = keepPassword
        ? `Key derivation raised to Argon2id m=${after.m / 1024} MiB, t=${after.t}, p=${after.p} (the password is unchanged)\n`
        : 'Master password changed\n';
    }
  } finally {
    closeAsCli(core);
  }
  writeOut(message);
  return EXIT.OK;
}

export async function backup(opts: { output?: string; vault?: string; passwordStdin?: boolean }): Promise<number> {
  const target = resolve(opts.output ?? `keyden-backup-${new Date().toISOString().slice(0, 10)}.db`);
  const taken = (): CliError => new CliError(`${target} already exists; choose another file with -o`, EXIT.ERROR);
  // Asked before the password; and again, atomically, when the copy is placed (a file made meanwhile is not replaced either).
  if (pathTaken(target)) throw taken();
  try {
    await withUnlockedVault(opts, (core) => core.vault.backup(CLI, target));
  } catch (e) {
    if (isKeydenError(e) && e.code === 'CONFLICT' && (e.details as { destination?: unknown } | undefined)?.destination === 'exists') throw taken();
    throw e;
  }
  writeLines(`Backed up the vault to ${target} (encrypted under the same master password)`);
  return EXIT.OK;
}

export async function verify(opts: { vault?: string; passwordStdin?: boolean; json?: boolean }): Promise<number> {
  const vaultPath = vaultPathOf(opts);
  const core = openCore(vaultPath, 'admin');
  let report: Awaited<ReturnType<OwnedCore['vault']['verify']>>;
  try {
    requireVault(core, vaultPath);
    report = await core.vault.verify(await readPassword(opts.passwordStdin));
  } finally {
    core.close(CLI);
  }
  if (opts.json) writeJson({ path: vaultPath, ...report });
  else if (report.format === 1) writeLines(`${vaultPath}: format 1 (no integrity data yet); it is upgraded to format 2 at its next unlock`);
  else {
    writeLines(`${vaultPath}: format 2, generation ${report.generation ?? '?'}${report.known !== null ? ` (this machine has seen ${report.known})` : ''}`);
    writeLines(`integrity record: ${report.recordOk ? 'ok' : 'FAILS'}`);
    for (const f of report.failing) writeLines(`${f.table}: ${f.count} ${f.count === 1 ? 'row fails its' : 'rows fail their'} mac (${f.ids.join(', ')}${f.count > f.ids.length ? ', …' : ''})`);
    writeLines(`digest: ${report.digestOk ? 'ok' : 'MISMATCH (a row was deleted or rolled back)'}`);
  }
  if (!report.problem) return EXIT.OK;
  writeErrLines(`keyden: the vault was modified outside Keyden: ${report.problem}`);
  return EXIT.CONFLICT;
}

// Owner and admin commands (DESIGN §5): they open the vault file with the core, so they are
// imported only when one of them runs (the core loads zod, better-sqlite3 and the crypto).
import { resolve } from 'node:path';
import { openKeydenCore, type OwnedCore } from '../../main/core/index.js';
import { startApiServer, type ApiServer } from '../../main/api/server.js';
import { CLI } from '../../main/core/types.js';
import { defaultVaultPath, ensureHome, keydenHome, removeDiscovery, writeDiscovery } from '../../main/home.js';
import { ownerSocketPath, SocketInUseError } from '../../main/api/channel.js';
import { DEFAULT_API_PORT } from '../client.js';
import type { Token } from '../../shared/model.js';
import { CliError, EXIT } from '../errors.js';
import { formatTable, shortTime, writeJson, writeOut } from '../output.js';
import { promptHidden, readNewPassword, readPassword, readStdinLines, stdinIsTerminal } from '../stdin.js';
import { splitList } from './session.js';
import { parseExpiry } from '../expiry.js';

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

export async function init(opts: { vault?: string; passwordStdin?: boolean }): Promise<number> {
  const vaultPath = vaultPathOf(opts);
  const core = openCore(vaultPath, 'admin');
  try {
    if (core.vault.status().exists) throw new CliError(`a vault already exists at ${vaultPath}`, EXIT.ERROR);
    const lines = opts.passwordStdin ? await readStdinLines(1) : null;
    const password = await readNewPassword(lines, 0, 'Master password');
    await core.vault.create(CLI, password);
  } finally {
    closeAsCli(core);
  }
  writeOut(`Created an empty vault at ${vaultPath}\nNext: keyden serve (or open the desktop app), then keyden token create\n`);
  return EXIT.OK;
}

/** A headless owner: unlocks (or starts locked), serves the API until SIGINT / SIGTERM. */
export async function serve(opts: { vault?: string; port?: number; passwordStdin?: boolean }): Promise<number> {
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
  writeOut(`Keyden API listening on ${server.url}\n`);
  if (core.vault.status().locked) process.stderr.write('The vault is locked: unlock it with `keyden unlock`\n');

  return new Promise((resolvePromise) => {
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
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stop);
  });
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
    return await startApiServer(core, { port, host: '127.0.0.1', socketPath: ownerSocketPath(home) });
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
  const created = await withUnlockedVault(opts, (core) =>
    core.tokens.create(CLI, {
      name: opts.name,
      scopes: splitList(opts.scopes) as Token['scopes'],
      projects: opts.project?.length ? opts.project : null,
      environments: opts.env?.length ? opts.env.map((e) => e.toLowerCase()) : null,
      expiresAt,
    }),
  );
  writeOut(`${created.secret}\n`);
  if (process.stdout.isTTY) process.stderr.write(`Token "${created.token.name}" (${created.token.id}): shown once, store it now\n`);
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

export async function tokenRevoke(id: string, opts: { vault?: string; passwordStdin?: boolean }): Promise<number> {
  const revoked = await withUnlockedVault(opts, (core) => {
    const token = core.tokens.list().find((t) => t.id === id.toLowerCase());
    if (!token) throw new CliError(`no token ${id} (see \`keyden token list\`)`, EXIT.NOT_FOUND);
    core.tokens.revoke(CLI, token.id);
    return token;
  });
  writeOut(`Revoked token "${revoked.name}" (${revoked.id})\n`);
  return EXIT.OK;
}

export async function passwd(opts: { vault?: string; passwordStdin?: boolean }): Promise<number> {
  const vaultPath = vaultPathOf(opts);
  const core = openCore(vaultPath, 'admin');
  try {
    requireVault(core, vaultPath);
    const lines = opts.passwordStdin ? await readStdinLines(2) : null;
    const current = lines ? lines[0] : await promptHidden('Current master password: ');
    if (current === null || current === undefined) throw new CliError('--password-stdin: stdin ended before the current password', EXIT.USAGE);
    const next = await readNewPassword(lines, 1);
    await core.vault.changePassword(CLI, current, next);
  } finally {
    core.close();
  }
  writeOut('Master password changed\n');
  return EXIT.OK;
}

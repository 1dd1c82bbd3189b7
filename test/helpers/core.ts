// Test fixtures: a fresh vault in a temp folder, with cheap Argon2 so tests stay quick.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { openKeydenCore, APP, CLI, type OwnedCore } from '../../src/main/core/index.js';
import { startApiServer, type ApiServer } from '../../src/main/api/server.js';
import type { Scope } from '../../src/shared/model.js';
import { tempDir as makeTempDir } from './temp-dirs.js';

export const TEST_KDF = { m: 256, t: 1 } as const;
export const PASSWORD = 'correct horse battery staple';

/** A temporary folder, removed after the test file (helpers/temp-dirs.ts). */
export function tempDir(prefix = 'keyden-test-'): string {
  return makeTempDir(prefix);
}

export interface TestVault {
  dir: string;
  vaultPath: string;
  core: OwnedCore;
  close(): void;
}

export async function createTestVault(options: { approver?: boolean; dir?: string } = {}): Promise<TestVault> {
  const dir = options.dir ?? tempDir();
  const vaultPath = path.join(dir, 'vault.db');
  const core = openKeydenCore({ vaultPath, unsafeTestKdf: TEST_KDF, approver: options.approver ?? false, knownVaultsPath: path.join(dir, 'known-vaults.json') });
  await core.vault.create(CLI, PASSWORD);
  return {
    dir,
    vaultPath,
    core,
    close() {
      core.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestApi extends TestVault {
  server: ApiServer;
  url: string;
  /** A token with every scope. */
  token: string;
  tokenWith(scopes: Scope[], limits?: { projects?: string[]; environments?: string[] }): string;
  stop(): Promise<void>;
}

export const ALL_SCOPES: Scope[] = ['categories:read', 'categories:write', 'entries:read', 'entries:write', 'entries:reveal', 'audit:read', 'vault:lock'];

export async function startTestApi(options: { approver?: boolean } = {}): Promise<TestApi> {
  const vault = await createTestVault(options);
  const server = await startApiServer(vault.core, { port: 0 });
  const tokenWith = (scopes: Scope[], limits: { projects?: string[]; environments?: string[] } = {}) =>
    vault.core.tokens.create(CLI, { name: `test ${scopes.join(' ')}`, scopes, projects: limits.projects ?? null, environments: limits.environments ?? null }).secret;
  return {
    ...vault,
    server,
    url: server.url,
    token: tokenWith(ALL_SCOPES),
    tokenWith,
    async stop() {
      await server.close();
      vault.close();
    },
  };
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** A request to the test API; `token: null` sends none. */
export async function call(
  api: { url: string; token: string },
  method: string,
  pathname: string,
  options: { body?: unknown; text?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? api.token : options.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.text !== undefined) {
    body = options.text;
    headers['content-type'] ??= 'text/plain';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${api.url}${pathname}`, { method, headers, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const sha256Of = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * A fresh owner on a vault someone edited unlocks it: its error (or null), whether the file stayed
 * byte-identical, and the owner. A refused owner is closed first (it must let go of the file and
 * write nothing), unless `keepOpen` (to look at its state). `track` receives the owner to close
 * after the test.
 */
export async function unlockEdited(
  v: { vaultPath: string; dir: string },
  track: (core: OwnedCore) => void,
  options: { keepOpen?: boolean } = {},
): Promise<{ error: unknown; unchanged: boolean; core: OwnedCore }> {
  const before = sha256Of(v.vaultPath);
  const core = openKeydenCore({ vaultPath: v.vaultPath, unsafeTestKdf: TEST_KDF, knownVaultsPath: path.join(v.dir, 'known-vaults.json') });
  track(core);
  const error = await core.vault.unlock(APP, PASSWORD).then(
    () => null,
    (e: unknown) => e,
  );
  if (error && !options.keepOpen) core.close();
  return { error, unchanged: sha256Of(v.vaultPath) === before, core };
}

/** A consistent copy of the vault at `vaultPath` written to `to` (SQLite's online backup; no key needed, an owner may be running). */
export async function copyVault(vaultPath: string, to: string): Promise<string> {
  const source = new Database(vaultPath, { readonly: true });
  try {
    await source.backup(to);
  } finally {
    source.close();
  }
  return to;
}

/**
 * Every table's rows of the vault at `vaultPath` replaced by those of the vault file `from`, in one
 * transaction on a connection of its own: what another process (or an attacker beside a running
 * owner) does when it puts back a whole copy through SQLite.
 */
export function putBackTables(vaultPath: string, from: string): void {
  const db = new Database(vaultPath);
  try {
    db.pragma('foreign_keys = OFF');
    db.prepare('ATTACH ? AS old').run(from);
    const tables = db.prepare("SELECT name FROM old.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    db.transaction(() => {
      for (const t of tables) db.exec(`DELETE FROM main."${t}"; INSERT INTO main."${t}" SELECT * FROM old."${t}";`);
    }).immediate();
    db.exec('DETACH old');
  } finally {
    db.close();
  }
}

/** The format 1 vault Keyden 0.1 made (test/fixtures/format-1/README.md). */
export const FORMAT_1_FIXTURE = path.resolve('test/fixtures/format-1');

/** A copy of the format 1 fixture in a temporary folder of its own, with that folder's known-vaults.json path. */
export function copyFormat1Fixture(): { vaultPath: string; knownVaultsPath: string } {
  const dir = tempDir();
  const vaultPath = path.join(dir, 'vault.db');
  fs.copyFileSync(path.join(FORMAT_1_FIXTURE, 'vault.db'), vaultPath);
  return { vaultPath, knownVaultsPath: path.join(dir, 'known-vaults.json') };
}

// The trash and an entry's history from the command line (DESIGN §9).
import { ApiClient } from '../client.js';
import { CliError, EXIT } from '../errors.js';
import { formatTable, shortTime, writeJson, writeLines, writeOut } from '../output.js';
import { formatRef, resolveRef } from '../ref.js';
import type { Entry, TrashItem, VersionInfo } from '../types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function trashId(text: string): string {
  if (!UUID.test(text)) throw new CliError(`${JSON.stringify(text)} is not a trash id (see keyden trash)`, EXIT.USAGE);
  return text.toLowerCase();
}

export async function trash(opts: { json?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const items = await api.json<TrashItem[]>('GET', '/api/trash');
  if (opts.json) {
    writeJson(items);
    return EXIT.OK;
  }
  const rows = items.map((t) => [`${t.categoryName ?? '?'}/${t.name}/${t.environment}`, t.envVarName ?? '', shortTime(t.trashedAt), shortTime(t.purgeAt), t.id]);
  writeOut(formatTable(['REF', 'VARIABLE', 'DELETED', 'PURGED AFTER', 'ID'], rows));
  return EXIT.OK;
}

export async function restore(target: string, opts: { replace?: boolean; version?: string; project?: string; env?: string }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  if (opts.version !== undefined) {
    if (opts.replace) throw new CliError('--replace is for trash items, not with --version', EXIT.USAGE);
    const entry = await resolveRef(api, target, opts);
    await api.json<Entry>('POST', `/api/entries/${entry.id}/versions/${opts.version}/restore`);
    writeLines(`Restored version ${opts.version} of ${formatRef(entry)} (the value it replaced is now a version)`);
    return EXIT.OK;
  }
  if (opts.project !== undefined || opts.env !== undefined) throw new CliError('--project and --env go with --version', EXIT.USAGE);
  const id = trashId(target);
  const entry = await api.json<Entry>('POST', `/api/trash/${id}/restore`, { query: { replace: opts.replace ? 'true' : undefined } });
  writeLines(`Restored ${entry.name}/${entry.environment} (${entry.id})`);
  return EXIT.OK;
}

export async function purge(id: string | undefined, opts: { all?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  if (opts.all === (id !== undefined)) throw new CliError('give a trash id or --all', EXIT.USAGE);
  if (opts.all) {
    const { purged } = await api.json<{ purged: number }>('DELETE', '/api/trash');
    writeLines(`Purged ${purged} entr${purged === 1 ? 'y' : 'ies'}`);
    return EXIT.OK;
  }
  await api.request('DELETE', `/api/trash/${trashId(id!)}`);
  writeLines(`Purged ${id}`);
  return EXIT.OK;
}

export async function history(refText: string, opts: { project?: string; env?: string; purge?: boolean; version?: string; json?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  if (opts.version !== undefined && !opts.purge) throw new CliError('--version goes with --purge here (to read a version: keyden get <ref> --version N)', EXIT.USAGE);
  const entry = await resolveRef(api, refText, opts);
  const ref = formatRef(entry);
  if (opts.purge) {
    if (opts.version !== undefined) {
      await api.request('DELETE', `/api/entries/${entry.id}/versions/${opts.version}`);
      writeLines(`Deleted version ${opts.version} of ${ref}`);
    } else {
      const { purged } = await api.json<{ purged: number }>('DELETE', `/api/entries/${entry.id}/versions`);
      writeLines(`Deleted ${purged} previous value${purged === 1 ? '' : 's'} of ${ref}`);
    }
    return EXIT.OK;
  }
  const versions = await api.json<VersionInfo[]>('GET', `/api/entries/${entry.id}/versions`);
  if (opts.json) {
    writeJson(versions);
    return EXIT.OK;
  }
  if (versions.length === 0) {
    writeLines(`${ref} has no previous values`);
    return EXIT.OK;
  }
  writeOut(formatTable(['VERSION', 'REPLACED'], versions.map((v) => [String(v.version), shortTime(v.replacedAt)])));
  return EXIT.OK;
}

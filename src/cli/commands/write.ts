// Commands that change the vault: import, add, set, rm.
import { keyWarnings } from '../../shared/providers.js';
import { ApiClient } from '../client.js';
import { ApiError, CliError, EXIT } from '../errors.js';
import { writeErrLines, writeJson, writeLines } from '../output.js';
import { formatRef, resolveRef } from '../ref.js';
import { parseExpiry } from '../expiry.js';
import { askLine, decodeUtf8, dropFinalNewline, promptHidden, readAllStdin, readInputFile, stdinIsTerminal } from '../stdin.js';
import type { Category, EntryWithCategory, ImportSummary } from '../types.js';

/** The import format: --format, else the file's extension, else the owner tells it by the content. */
function importFormat(file: string, format: string | undefined): string | undefined {
  if (format !== undefined) return format;
  if (/\.json$/i.test(file)) return 'json';
  if (/\.(sh|bash)$/i.test(file)) return 'shell';
  return undefined;
}

export async function importEnv(file: string, opts: { project: string; env: string; format?: string; skipExisting?: boolean; json?: boolean }): Promise<number> {
  let content: Buffer;
  try {
    content = file === '-' ? await readAllStdin() : await readInputFile(file);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, EXIT.ERROR);
  }
  decodeUtf8(content, file === '-' ? 'stdin' : file);
  const api = ApiClient.fromEnvironment();
  const summary = await api.json<ImportSummary>('POST', `/api/projects/${encodeURIComponent(opts.project)}/import`, {
    query: { environment: opts.env.toLowerCase(), mode: opts.skipExisting ? 'skip' : 'upsert', format: importFormat(file, opts.format) },
    text: content,
  });
  if (opts.json) writeJson(summary);
  else {
    const lines = [`Imported ${summary.imported}, updated ${summary.updated}, skipped ${summary.skipped}, failed ${summary.failed.length}`];
    for (const f of summary.failed) lines.push(`  line ${f.line}: ${f.key}: ${f.reason}`);
    writeLines(...lines);
  }
  const found = summary.imported + summary.updated + summary.skipped + summary.failed.length;
  if (found === 0 && content.toString('utf8').trim() !== '') {
    // A non-empty file that gave nothing is an error (one line), never a silent empty success.
    const why = summary.warnings.filter((w) => !w.startsWith('no variables found'));
    throw new CliError(`no variables found in ${file === '-' ? 'stdin' : file}${why.length > 0 ? `: ${why.join('; ')}` : ''}`, EXIT.ERROR);
  }
  for (const w of summary.warnings) writeErrLines(`keyden: warning: ${w}`);
  if (summary.failed.length > 0) {
    writeErrLines(`keyden: ${summary.failed.length} variable${summary.failed.length === 1 ? '' : 's'} not imported`);
    return EXIT.ERROR;
  }
  return EXIT.OK;
}

type Value = string | Record<string, string>;

/**
 * The value to store: from a pipe, stdin exactly minus one final `\n` / `\r\n`; on a terminal,
 * asked without echo. A group value is a JSON object of its fields (asked field by field on a terminal).
 */
async function readValue(label: string, group: { fields: string[] } | null): Promise<Value> {
  if (stdinIsTerminal()) {
    if (!group) return promptHidden(`Value for ${label}: `);
    if (group.fields.length === 0) throw new CliError(`${label} is a group entry whose fields this token cannot see: pipe a JSON object of its fields`, EXIT.USAGE);
    const value: Record<string, string> = {};
    for (const field of group.fields) value[field] = await promptHidden(`${field} for ${label}: `);
    return value;
  }
  const text = dropFinalNewline(decodeUtf8(await readAllStdin()));
  if (!group) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new CliError(`${label} is a group entry: stdin must be a JSON object of strings${group.fields.length ? ` with the fields ${group.fields.join(', ')}` : ''}`, EXIT.USAGE);
  }
  return parsed as Record<string, string>;
}

export async function add(opts: { category: string; project: string; env: string; notes?: string; envVar?: string; expires?: string; json?: boolean }): Promise<number> {
  const expiresAt = opts.expires !== undefined ? expiryOf(opts.expires) : undefined;
  const api = ApiClient.fromEnvironment();
  const category = await findCategory(api, opts.category);
  const environment = opts.env.toLowerCase();
  const label = `${category.name}/${opts.project}/${environment}`;
  const value = await readValue(label, category.keyType === 'group' ? category : null);
  const entry = await api.json<EntryWithCategory>('POST', '/api/entries', {
    json: {
      categoryId: category.id,
      name: opts.project,
      environment,
      value,
      ...(opts.notes !== undefined ? { notes: opts.notes } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(opts.envVar !== undefined ? { envVarName: opts.envVar } : {}),
    },
  });
  if (opts.json) writeJson(entry);
  else writeLines(`Added ${label} (${entry.id})`);
  // Key hygiene: the value's prefix may name another service, or a live key outside production.
  const values = typeof value === 'string' ? [value] : Object.values(value);
  for (const warning of new Set(values.flatMap((v) => keyWarnings(v, category, environment)))) writeErrLines(`keyden: note: ${warning}`);
  return EXIT.OK;
}

type CategoryRef = Pick<Category, 'id' | 'name' | 'keyType' | 'fields' | 'icon'>;

/**
 * The category named (case-insensitively) or with this id. A token without categories:read still
 * sees the categories of the entries it may read, so `add` works with entries:read + entries:write.
 */
async function findCategory(api: ApiClient, nameOrId: string): Promise<CategoryRef> {
  const wanted = nameOrId.toLowerCase();
  let categories: CategoryRef[];
  let partial = false;
  try {
    categories = await api.json<Category[]>('GET', '/api/categories');
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'SCOPE_REQUIRED')) throw e;
    const entries = await api.json<EntryWithCategory[]>('GET', '/api/entries');
    const seen = new Map<string, CategoryRef>();
    for (const entry of entries) seen.set(entry.categoryId, { id: entry.categoryId, name: entry.category.name, keyType: entry.category.keyType, fields: [], icon: entry.category.icon });
    categories = [...seen.values()];
    partial = true;
  }
  const category = categories.find((c) => c.name.toLowerCase() === wanted || c.id === wanted);
  if (category) return category;
  const names = categories.map((c) => c.name).sort();
  const known = names.length ? `: there are ${names.join(', ')}` : ' (there are none yet)';
  const hint = partial ? ' (without the categories:read scope only categories that have entries are visible)' : '';
  throw new CliError(`no category ${JSON.stringify(nameOrId)}${known}${hint}`, EXIT.NOT_FOUND);
}

/** `--expires`: a duration or a date (src/cli/expiry.ts), or `never` to clear it. */
function expiryOf(text: string): string | null {
  return text.trim().toLowerCase() === 'never' ? null : parseExpiry(text);
}

export async function set(
  refText: string,
  opts: { json?: boolean; project?: string; env?: string; allowEmpty?: boolean; notes?: string; expires?: string },
): Promise<number> {
  const expiresAt = opts.expires !== undefined ? expiryOf(opts.expires) : undefined;
  const metadata = { ...(opts.notes !== undefined ? { notes: opts.notes } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) };
  const hasMetadata = Object.keys(metadata).length > 0;
  const api = ApiClient.fromEnvironment();
  const entry = await resolveRef(api, refText, opts);
  // With --notes / --expires, a terminal is not asked for a value: only those change.
  let value: Value | undefined;
  if (!(hasMetadata && stdinIsTerminal())) {
    let group: { fields: string[] } | null = null;
    if (entry.category.keyType === 'group') {
      // The fields are needed to ask for them on a terminal; from a pipe only to name them in an error.
      const category = await api.json<Category>('GET', `/api/categories/${entry.categoryId}`).catch((e: unknown) => {
        if (stdinIsTerminal()) throw e;
        return null;
      });
      group = { fields: category?.fields ?? [] };
    }
    value = await readValue(formatRef(entry), group);
    // A script's `<<<"$UNSET"` must not wipe a key by accident; with --notes / --expires an empty
    // stdin means "no new value".
    if (value === '' && hasMetadata && !opts.allowEmpty) value = undefined;
    else if (value === '' && !opts.allowEmpty) {
      throw new CliError(`refusing to set ${formatRef(entry)} to an empty value (stdin was empty); pass --allow-empty to mean it`, EXIT.USAGE);
    }
  }
  const updated = await api.json<EntryWithCategory>('PUT', `/api/entries/${entry.id}`, { json: { ...(value !== undefined ? { value } : {}), ...metadata } });
  if (opts.json) writeJson(updated);
  else writeLines(`Updated ${formatRef(entry)}`);
  return EXIT.OK;
}

export async function rm(refText: string, opts: { yes?: boolean; project?: string; env?: string }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const entry = await resolveRef(api, refText, opts);
  const ref = formatRef(entry);
  if (!opts.yes) {
    const answer = await askLine(`Move ${ref} and its history to the trash? [y/N] `);
    if (answer === null || answer.trim().toLowerCase() !== 'y') {
      throw new CliError(`not deleted: ${ref}`, EXIT.ERROR);
    }
  }
  await api.request('DELETE', `/api/entries/${entry.id}`);
  writeLines(`Moved ${ref} to the trash (keyden restore ${entry.id})`);
  return EXIT.OK;
}

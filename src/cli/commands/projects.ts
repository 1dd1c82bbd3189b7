// Commands on projects, environments, templates and categories (DESIGN §9).
import { ApiClient } from '../client.js';
import { ApiError, CliError, EXIT } from '../errors.js';
import { formatTable, writeErrLines, writeJson, writeLines, writeOut } from '../output.js';
import { askLine } from '../stdin.js';
import type { Category, CopySummary, Project, ProjectDeleted, Validation } from '../types.js';

const projectPath = (name: string): string => `/api/projects/${encodeURIComponent(name)}`;
const list = (csv: string): string[] => csv.split(',').map((s) => s.trim()).filter((s) => s !== '');

async function confirm(question: string, yes: boolean | undefined, refused: string): Promise<void> {
  if (yes) return;
  const answer = await askLine(`${question} [y/N] `);
  if (answer === null || answer.trim().toLowerCase() !== 'y') throw new CliError(refused, EXIT.ERROR);
}

export async function projects(opts: { search?: string; json?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const items = await api.json<Project[]>('GET', '/api/projects', { query: { q: opts.search } });
  if (opts.json) {
    writeJson(items);
    return EXIT.OK;
  }
  const rows = items.map((p) => [
    p.name,
    Object.entries(p.environments)
      .map(([env, n]) => `${env} (${n})`)
      .join(', '),
    String(p.entryCount),
    p.description ?? '',
  ]);
  writeOut(formatTable(['PROJECT', 'ENVIRONMENTS', 'ENTRIES', 'DESCRIPTION'], rows));
  return EXIT.OK;
}

export async function patchProject(name: string, body: { name?: string; description?: string | null; environments?: string[] }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const project = await api.json<Project>('PATCH', projectPath(name), { json: body });
  writeLines(body.name !== undefined ? `Renamed ${name} to ${project.name}` : `Updated ${project.name}`);
  return EXIT.OK;
}

export async function describeProject(name: string, opts: { description?: string; envs?: string }): Promise<number> {
  if (opts.description === undefined && opts.envs === undefined) throw new CliError('nothing to change: give --description and/or --envs', EXIT.USAGE);
  return patchProject(name, {
    ...(opts.description !== undefined ? { description: opts.description === '' ? null : opts.description } : {}),
    ...(opts.envs !== undefined ? { environments: list(opts.envs.toLowerCase()) } : {}),
  });
}

export async function removeProject(name: string, opts: { yes?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  await confirm(`Move every entry of ${name} to the trash?`, opts.yes, `not deleted: ${name}`);
  const done = await api.json<ProjectDeleted>('DELETE', projectPath(name));
  writeLines(`Moved ${done.trashed} entr${done.trashed === 1 ? 'y' : 'ies'} of ${done.project} to the trash (keyden trash)`);
  return EXIT.OK;
}

export async function renameEnvironment(name: string, from: string, to: string): Promise<number> {
  const api = ApiClient.fromEnvironment();
  await api.json<Project>('PATCH', `${projectPath(name)}/environments/${encodeURIComponent(from.toLowerCase())}`, { json: { name: to.toLowerCase() } });
  writeLines(`Renamed ${name}/${from.toLowerCase()} to ${to.toLowerCase()}`);
  return EXIT.OK;
}

export async function removeEnvironment(name: string, env: string, opts: { yes?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const environment = env.toLowerCase();
  await confirm(`Move every entry of ${name}/${environment} to the trash?`, opts.yes, `not deleted: ${name}/${environment}`);
  const done = await api.json<ProjectDeleted>('DELETE', `${projectPath(name)}/environments/${encodeURIComponent(environment)}`);
  writeLines(`Moved ${done.trashed} entr${done.trashed === 1 ? 'y' : 'ies'} of ${done.project}/${environment} to the trash (keyden trash)`);
  return EXIT.OK;
}

export async function promote(opts: { project: string; from: string; to: string; only?: string; overwrite?: boolean; dryRun?: boolean; json?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const summary = await api.json<CopySummary>('POST', `${projectPath(opts.project)}/copy`, {
    json: {
      from: opts.from.toLowerCase(),
      to: opts.to.toLowerCase(),
      overwrite: opts.overwrite === true,
      dryRun: opts.dryRun === true,
      ...(opts.only !== undefined ? { variables: list(opts.only) } : {}),
    },
  });
  if (opts.json) {
    writeJson(summary);
    return EXIT.OK;
  }
  const lines = [`${summary.dryRun ? 'Would copy' : 'Copied'} ${opts.project} ${summary.from} → ${summary.to}:`];
  for (const key of ['added', 'changed', 'unchanged', 'skipped'] as const) {
    if (summary[key].length > 0) lines.push(`  ${key}: ${summary[key].join(', ')}`);
  }
  if (summary.skipped.length > 0) lines.push('  (skipped: the target has its own value; --overwrite replaces it)');
  if (lines.length === 1) lines.push('  nothing to copy');
  writeLines(...lines);
  return EXIT.OK;
}

export async function setTemplate(name: string, variables: string[]): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const project = await api.json<Project>('PUT', `${projectPath(name)}/template`, { json: { variables } });
  writeLines(project.template.length > 0 ? `${project.name} requires ${project.template.join(', ')}` : `${project.name} has no template now`);
  return EXIT.OK;
}

export async function validate(opts: { project: string; env: string; json?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const result = await api.json<Validation>('GET', `${projectPath(opts.project)}/validate`, { query: { environment: opts.env.toLowerCase() } });
  if (opts.json) writeJson(result);
  // What is missing is the failure: one line on stderr, exit 1.
  const emptyRequired = result.required.filter((n) => result.empty.includes(n));
  if (result.missing.length > 0 || emptyRequired.length > 0) {
    const parts = [result.missing.length > 0 ? `is missing: ${result.missing.join(', ')}` : null, emptyRequired.length > 0 ? `has empty: ${emptyRequired.join(', ')}` : null];
    throw new CliError(`${result.project}/${result.environment} ${parts.filter(Boolean).join('; ')}`, EXIT.ERROR);
  }
  // An empty variable the template does not require is worth a word, not a failure.
  if (result.empty.length > 0) writeErrLines(`keyden: ${result.project}/${result.environment} has empty values: ${result.empty.join(', ')}`);
  if (opts.json) return EXIT.OK;
  if (result.required.length === 0) writeLines(`${result.project} has no template (keyden template set ${result.project} VAR…)`);
  else writeLines(`${result.project}/${result.environment}: all ${result.required.length} required variables are set`);
  return EXIT.OK;
}

async function findCategory(api: ApiClient, name: string): Promise<Category> {
  const all = await api.json<Category[]>('GET', '/api/categories');
  const found = all.find((c) => c.name.toLowerCase() === name.toLowerCase() || c.id === name.toLowerCase());
  if (!found) throw new CliError(`no category ${JSON.stringify(name)}`, EXIT.NOT_FOUND);
  return found;
}

export async function addCategory(name: string, opts: { envVar?: string; fields?: string; icon?: string; json?: boolean }): Promise<number> {
  if ((opts.envVar === undefined) === (opts.fields === undefined)) throw new CliError('give either --env-var VAR (a simple category) or --fields A,B (a group)', EXIT.USAGE);
  const api = ApiClient.fromEnvironment();
  const body = opts.envVar !== undefined ? { name, keyType: 'simple', envVarName: opts.envVar } : { name, keyType: 'group', fields: list(opts.fields ?? '') };
  const category = await api.json<Category>('POST', '/api/categories', { json: { ...body, ...(opts.icon !== undefined ? { icon: opts.icon } : {}) } });
  if (opts.json) writeJson(category);
  else writeLines(`Added ${category.name} (${category.keyType === 'simple' ? category.envVarName : category.fields.join(', ')})`);
  return EXIT.OK;
}

export async function renameCategory(name: string, to: string): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const category = await findCategory(api, name);
  await api.json<Category>('PUT', `/api/categories/${category.id}`, { json: { name: to } });
  writeLines(`Renamed ${category.name} to ${to}`);
  return EXIT.OK;
}

/**
 * A group's fields: `--add` sets the new field empty in every entry (validate then names it until
 * it is filled); `--remove` drops a field's values, so it needs `--force` while entries use it.
 */
export async function categoryFields(name: string, opts: { add?: string; remove?: string; force?: boolean; json?: boolean }): Promise<number> {
  if (opts.add === undefined && opts.remove === undefined) throw new CliError('give --add A,B and/or --remove C', EXIT.USAGE);
  const api = ApiClient.fromEnvironment();
  const category = await findCategory(api, name);
  if (category.keyType !== 'group') throw new CliError(`${category.name} is a simple category (one value, ${category.envVarName ?? 'no variable'}); only a group has fields`, EXIT.USAGE);
  const add = list(opts.add ?? '');
  const remove = list(opts.remove ?? '');
  const unknown = remove.filter((f) => !category.fields.includes(f));
  if (unknown.length > 0) throw new CliError(`${category.name} has no field ${unknown.join(', ')} (its fields: ${category.fields.join(', ')})`, EXIT.USAGE);
  const fields = [...category.fields.filter((f) => !remove.includes(f)), ...add.filter((f) => !category.fields.includes(f))];
  try {
    const updated = await api.json<Category>('PUT', `/api/categories/${category.id}`, { json: { fields }, query: { force: opts.force ? 'true' : undefined } });
    if (opts.json) writeJson(updated);
    else writeLines(`${updated.name} now has ${updated.fields.join(', ')}${add.length > 0 ? ` (${add.join(', ')} empty in its entries until set)` : ''}`);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'CONFLICT' && Array.isArray(e.details.removed)) throw new CliError(`${e.message.replace('; force it to go on', '; add --force to go on')}`, EXIT.CONFLICT);
    throw e;
  }
  return EXIT.OK;
}

export async function removeCategory(name: string, opts: { cascade?: boolean; yes?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const category = await findCategory(api, name);
  if (opts.cascade) await confirm(`Delete ${category.name} and move its entries to the trash?`, opts.yes, `not deleted: ${category.name}`);
  await api.request('DELETE', `/api/categories/${category.id}`, { query: { cascade: opts.cascade ? 'true' : undefined } });
  writeLines(`Deleted ${category.name}${opts.cascade ? ' (its entries are in the trash)' : ''}`);
  return EXIT.OK;
}

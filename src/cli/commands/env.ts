// A project's variables: export (stdout or a 0600 file) and run (a child's environment, no file).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { MaskingStream } from '../mask.js';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { ApiClient } from '../client.js';
import { writePrivateFile } from '../../main/home.js';
import { CliError, EXIT } from '../errors.js';
import { pathTaken } from '../files.js';
import { writeOut } from '../output.js';
import { REF_SCHEME, SecretResolver, parseSecretRef } from '../secret-refs.js';
import { decodeUtf8, readAllStdin, readInputFile } from '../stdin.js';

export const FORMATS = ['dotenv', 'json', 'shell'] as const;
export type Format = (typeof FORMATS)[number];

async function fetchEnv(api: ApiClient, project: string, env: string, format: Format): Promise<Buffer> {
  const response = await api.request('GET', `/api/projects/${encodeURIComponent(project)}/env`, {
    query: { environment: env.toLowerCase(), format },
  });
  return response.body;
}

export async function exportEnv(opts: { project: string; env: string; format: Format; output?: string; force?: boolean }): Promise<number> {
  const api = ApiClient.fromEnvironment();
  const target = opts.output === undefined || opts.output === '-' ? null : resolve(opts.output);
  // Refuse before asking: an export is audited, a refused one should not be.
  if (target && !opts.force && pathTaken(target)) {
    throw new CliError(`${opts.output} already exists: use --force to overwrite it`, EXIT.ERROR);
  }
  let body = await fetchEnv(api, opts.project, opts.env, opts.format);
  if (body.length > 0 && body[body.length - 1] !== 0x0a) body = Buffer.concat([body, Buffer.from('\n')]);
  if (opts.format === 'dotenv') await warnIfShellWouldRun(body.toString('utf8'));
  if (!target) {
    writeOut(body);
    return EXIT.OK;
  }
  const before = opts.format === 'dotenv' && pathTaken(target) ? await readDotenvFile(target) : null;
  writeSecretFile(target, body, opts.force === true);
  process.stderr.write(`Wrote ${opts.output} (mode 0600)\n`);
  if (before) process.stderr.write(`keyden: note: ${opts.output}: ${await describeChanges(before, body)}\n`);
  if (isTrackableByGit(target)) {
    process.stderr.write(`keyden: note: ${opts.output} is in a git repository and not ignored: add it to .gitignore so it is never committed\n`);
  }
  return EXIT.OK;
}

/**
 * A .env is written for dotenv (exactly, DESIGN §4), and most values are also text to a shell
 * that sources it. Those that are not (a value with a CR, or a `'`, beside `$(…)`; one with all
 * three quote kinds) could be a command planted by a token that may write: named here, never shown.
 */
async function warnIfShellWouldRun(text: string): Promise<void> {
  const { shellActiveNames } = await import('../../main/services/envfile.js');
  const names = shellActiveNames(text);
  if (names.length === 0) return;
  process.stderr.write(
    `keyden: warning: a shell that sources this .env (\`. ./.env\`) would run or expand ${names.length === 1 ? 'the value' : 'the values'} of ${names.join(', ')}; load ${names.length === 1 ? 'it' : 'them'} with keyden run, or export --format shell\n`,
  );
}

/**
 * A .env's variables as the owner's import reads them (parseDotenv: linear in the text, where
 * dotenv.parse of a whole file is quadratic in a run of blank lines; `constructor` or
 * `__proto__` are names like any other).
 */
async function dotenvVariables(text: string): Promise<Map<string, string>> {
  const { parseDotenv } = await import('../../main/services/envfile.js');
  return new Map(parseDotenv(text).map((v) => [v.name, v.value]));
}

async function readDotenvFile(file: string): Promise<Map<string, string> | null> {
  try {
    return await dotenvVariables(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** What replacing the old variables with the new ones changed, by name only (never a value). */
async function describeChanges(before: Map<string, string>, body: Buffer): Promise<string> {
  const after = await dotenvVariables(body.toString('utf8'));
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k));
  const parts = [
    added.length ? `added ${added.join(', ')}` : '',
    changed.length ? `changed ${changed.join(', ')}` : '',
    removed.length ? `removed ${removed.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'no variable changed';
}

/** True when the file sits in a git work tree and git would not ignore it (git itself decides). */
function isTrackableByGit(file: string): boolean {
  // core.fsmonitor names a command git runs when it looks at the work tree: a folder's own
  // .git/config (an unpacked archive, a cloned repository's hooks aside) must not run it here.
  const r = spawnSync('git', ['-c', 'core.fsmonitor=false', 'check-ignore', '-q', '--', basename(file)], { cwd: dirname(file), env: withoutToken(process.env), stdio: 'ignore', timeout: 5000 });
  // 0: ignored; 1: not ignored; 128 or a spawn error: not a repository, or no git.
  return r.status === 1;
}

/** A copy of an environment for a program keyden starts: without the token, which is keyden's alone. */
function withoutToken(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.KEYDEN_TOKEN;
  return copy;
}

/** Mode 0600 from the first byte; replaced atomically with --force, never overwritten without it. */
function writeSecretFile(target: string, body: Buffer, force: boolean): void {
  if (!force) {
    try {
      writeNewFile(target, body);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new CliError(`${target} already exists: use --force to overwrite it`, EXIT.ERROR);
      throw new CliError(`cannot write ${target}: ${(e as Error).message}`, EXIT.ERROR);
    }
    return;
  }
  try {
    writePrivateFile(target, body);
  } catch (e) {
    throw new CliError(`cannot write ${target}: ${(e as Error).message}`, EXIT.ERROR);
  }
}

/** Creates `target` (0600, never over an existing file); a write that fails (ENOSPC, EFBIG) removes it, so no part of a secret file is left. */
function writeNewFile(target: string, body: Buffer): void {
  const fd = openSync(target, 'wx', 0o600);
  try {
    try {
      writeFileSync(fd, body);
    } finally {
      closeSync(fd); // on some file systems a failed write is only reported here
    }
  } catch (e) {
    rmSync(target, { force: true });
    throw e;
  }
}

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * Variables that decide which code a program loads or runs, not what it is configured with: the
 * dynamic loader's, interpreters' start-up options and paths, shells' start-up files, where
 * commands are found, and Keyden's own. A token that may write a project's variables (a CI token
 * limited to that project, without entries:reveal) must not turn that into running its code as
 * the user at the next `keyden run`, so run takes these from the vault only when --allow-env names
 * them (docs/cli.md, "keyden run"). An --env-file is the user's own: its names are not checked.
 */
const LOADER_VARIABLES = new Set([
  'PATH',
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_REPL_EXTERNAL_MODULE',
  'ELECTRON_RUN_AS_NODE',
  'BASH_ENV',
  'ENV',
  'ZDOTDIR',
  'PROMPT_COMMAND',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  'IFS',
  'PYTHONSTARTUP',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONUSERBASE',
  'PERL5OPT',
  'PERL5LIB',
  'PERLLIB',
  'RUBYOPT',
  'RUBYLIB',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'CLASSPATH',
  'LUA_INIT',
  'GCONV_PATH',
  'GIT_SSH_COMMAND',
  'GIT_EXEC_PATH',
  // Commands that git, ssh, less and other tools run: git's own, and the pager, editor and
  // browser that many programs start through a shell.
  'GIT_SSH',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'GIT_PROXY_COMMAND',
  'GIT_EXTERNAL_DIFF',
  'GIT_PAGER',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
  'GIT_TEMPLATE_DIR',
  'PAGER',
  'MANPAGER',
  'LESSOPEN',
  'LESSCLOSE',
  'EDITOR',
  'VISUAL',
  'BROWSER',
  'SHELL',
  // Other runtimes' and build tools' start-up hooks.
  'PERL5DB',
  'PHPRC',
  'PHP_INI_SCAN_DIR',
  'DOTNET_STARTUP_HOOKS',
  'GOFLAGS',
  'RUSTC_WRAPPER',
]);
/** `NPM_CONFIG_*`: npm (and pnpm) read any setting from it, node-options and script-shell among them, in any case. */
const LOADER_PREFIXES = ['LD_', 'DYLD_', 'KEYDEN_', 'BASH_FUNC_', 'GIT_CONFIG_', 'NPM_CONFIG_'];

export const isLoaderVariable = (name: string): boolean => LOADER_VARIABLES.has(name.toUpperCase()) || LOADER_PREFIXES.some((p) => name.toUpperCase().startsWith(p));

export async function run(command: string[], opts: { project?: string; env: string; envFile?: string[]; masking?: boolean; allowEnv?: string[] }): Promise<number> {
  const [file, ...args] = command;
  if (!file) throw new CliError('nothing to run: keyden run --project P -- <command> [args…]', EXIT.USAGE);
  if (!opts.project && !opts.envFile?.length) throw new CliError('keyden run needs --project or --env-file', EXIT.USAGE);
  // The files first: a file that cannot be read is named before any owner is looked for.
  const envFiles: string[] = [];
  for (const envFile of opts.envFile ?? []) envFiles.push(await readText(envFile));
  const api = ApiClient.fromEnvironment();
  const variables = new Map<string, string>();
  if (opts.project) {
    const body = await fetchEnv(api, opts.project, opts.env, 'json');
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new CliError('the API answered with variables that are not JSON', EXIT.ERROR);
    }
    for (const [name, value] of Object.entries(parsed)) if (typeof value === 'string') variables.set(name, value);
    const allowed = new Set((opts.allowEnv ?? []).flatMap((list) => list.split(',')).map((n) => n.trim().toUpperCase()));
    const refused = [...variables.keys()].filter((name) => isLoaderVariable(name) && !allowed.has(name.toUpperCase()));
    if (refused.length > 0) {
      throw new CliError(
        `the project's variables include ${refused.join(', ')}, which decide what code the command loads or runs; keyden run sets ${refused.length === 1 ? 'it' : 'them'} from the vault only with --allow-env ${refused.join(',')}; nothing was run`,
        EXIT.USAGE,
      );
    }
  }
  // An env file's variables come after the project's: its literals and references override them.
  for (const text of envFiles) for (const [name, value] of await resolveEnvFile(api, text)) variables.set(name, value);
  for (const [name, value] of variables) {
    if (value.includes('\0')) throw new CliError(`the value of ${name} holds a NUL byte, which an environment variable cannot; nothing was run`, EXIT.ERROR);
  }
  const env = withoutToken(process.env);
  // Defined, not assigned: `__proto__` is a variable name like any other (assigned, it would set the object's prototype and be lost).
  for (const [name, value] of variables) Object.defineProperty(env, name, { value, enumerable: true, writable: true, configurable: true });

  // Masking pipes the child's output through keyden, so it is on by default only for a terminal.
  const masking = opts.masking ?? process.stdout.isTTY === true;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { stdio: masking ? ['inherit', 'pipe', 'pipe'] : 'inherit', env });
    const drained = masking ? maskOutput(child, [...variables.values()]) : Promise.resolve();
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const s of FORWARDED_SIGNALS) process.on(s, forward);
    const cleanup = (): void => {
      for (const s of FORWARDED_SIGNALS) process.off(s, forward);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      if (e.code === 'ENOENT') reject(new CliError(`command not found: ${file}`, 127));
      else if (e.code === 'EACCES') reject(new CliError(`cannot run ${file}: permission denied`, 126));
      else reject(new CliError(`cannot run ${file}: ${e.message}`, EXIT.ERROR));
    });
    child.on('exit', (code, signal) => {
      cleanup();
      const status = signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? EXIT.ERROR);
      void drained.then(() => resolvePromise(status));
    });
  });
}

/** Sends the child's stdout and stderr through masking streams; resolves once both are written. */
function maskOutput(child: ChildProcess, values: string[]): Promise<void> {
  const pipes = [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const;
  return Promise.all(
    pipes.map(
      ([from, to]) =>
        new Promise<void>((resolve) => {
          if (!from) return resolve();
          const mask = new MaskingStream(values);
          mask.on('end', resolve);
          // Our own stdout and stderr stay open: keyden still has its exit to report.
          from.pipe(mask).pipe(to, { end: false });
        }),
    ),
  ).then(() => undefined);
}

async function readText(file: string): Promise<string> {
  if (file === '-') return decodeUtf8(await readAllStdin());
  try {
    return decodeUtf8(await readInputFile(file), file);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, EXIT.ERROR);
  }
}

/** A .env file (dotenv syntax) whose values may be `keyden://…` references, resolved through the API. */
async function resolveEnvFile(api: ApiClient, text: string): Promise<(readonly [string, string])[]> {
  const parsed = await dotenvVariables(text);
  const resolver = new SecretResolver(api);
  return Promise.all([...parsed].map(async ([name, value]) => [name, value.startsWith(REF_SCHEME) ? await resolver.resolve(parseSecretRef(value)) : value] as const));
}

/** Fills a template's `{{ keyden://… }}` placeholders; to stdout or to a 0600 file. */
export async function inject(opts: { in: string; output?: string; force?: boolean }): Promise<number> {
  const target = opts.output === undefined || opts.output === '-' ? null : resolve(opts.output);
  if (target && !opts.force && pathTaken(target)) throw new CliError(`${opts.output} already exists: use --force to overwrite it`, EXIT.ERROR);
  const template = await readText(opts.in);
  const filled = await new SecretResolver(ApiClient.fromEnvironment()).fill(template);
  if (!target) {
    writeOut(filled);
    return EXIT.OK;
  }
  writeSecretFile(target, Buffer.from(filled, 'utf8'), opts.force === true);
  process.stderr.write(`Wrote ${opts.output} (mode 0600)\n`);
  return EXIT.OK;
}

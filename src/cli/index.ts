// The `keyden` entry point: parse, run one command, print one plain line on failure, exit.
import { readFileSync } from 'node:fs';
import { describeError, EXIT } from './errors.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export interface GetOptions {
  field?: string;
  json?: boolean;
  newline: boolean;
}

/**
 * `keyden get` is what scripts call most: its plain forms are parsed here, without loading
 * commander (~12 ms). Anything else (help, unknown or repeated options) returns null and goes
 * through commander, which gives the same meaning and the usual errors.
 */
export function parseFastGet(args: string[]): { ref: string; opts: GetOptions } | null {
  let ref: string | undefined;
  const opts: GetOptions = { newline: true };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--json' && !opts.json) opts.json = true;
    else if ((arg === '-n' || arg === '--no-newline') && opts.newline) opts.newline = false;
    else if (arg === '--field' && opts.field === undefined && i + 1 < args.length && !(args[i + 1] ?? '-').startsWith('-')) opts.field = args[++i];
    else if (arg.startsWith('--field=') && opts.field === undefined && arg.length > 8) opts.field = arg.slice(8);
    else if (!arg.startsWith('-') && ref === undefined) ref = arg;
    else return null;
  }
  return ref === undefined ? null : { ref, opts };
}

export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    const fast = argv[2] === 'get' ? parseFastGet(argv.slice(3)) : null;
    if (fast) return await (await import('./commands/read.js')).get(fast.ref, fast.opts);
    const { buildProgram, CommanderError } = await import('./program.js');
    let exitCode: number = EXIT.OK;
    const program = buildProgram(packageVersion(), (code) => {
      exitCode = code;
    });
    try {
      await program.parseAsync(argv);
    } catch (e) {
      // Help and --version exit 0; every other parse failure is a usage error.
      if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      throw e;
    }
    return exitCode;
  } catch (e) {
    const { message, exitCode } = describeError(e);
    process.stderr.write(`keyden: ${message}\n`);
    return exitCode;
  }
}

// The plain forms of `keyden get`, parsed without commander: both entries (index.ts and the
// bundled fast.ts) use this, so it imports nothing.

export interface GetOptions {
  field?: string;
  json?: boolean;
  newline: boolean;
  /** A variable ref: `keyden get VAR --project P [--env E]`. */
  project?: string;
  env?: string;
  /** A previous value instead of the current one. */
  version?: string;
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
    else if ((arg === '--project' || arg === '--env') && opts[arg.slice(2) as 'project' | 'env'] === undefined && i + 1 < args.length && !(args[i + 1] ?? '-').startsWith('-')) {
      opts[arg.slice(2) as 'project' | 'env'] = args[++i];
    }
    else if (!arg.startsWith('-') && ref === undefined) ref = arg;
    else return null;
  }
  return ref === undefined ? null : { ref, opts };
}

/** The plain `keyden get` that argv (as process.argv) asks for, or null for anything else. */
export function plainGetOf(argv: string[]): { ref: string; opts: GetOptions } | null {
  return argv[2] === 'get' ? parseFastGet(argv.slice(3)) : null;
}

// The `keyden` entry point: parse, run one command, print one plain line on failure, exit.
import { readFileSync } from 'node:fs';
import { EXIT } from './errors.js';
import { reportFailure } from './exit.js';
import { plainGetOf } from './fast-get.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    // Normally bin/keyden.cjs runs these through the bundled fast.ts; the same `get` either way.
    const plain = plainGetOf(argv);
    if (plain) return await (await import('./commands/read.js')).get(plain.ref, plain.opts);
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
    return reportFailure(e);
  }
}

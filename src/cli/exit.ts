// How a `keyden` process reports failure and ends, the same whichever entry runs it: run.ts (the
// full CLI) or fast.ts (the bundled `keyden get`).
import { describeError, EXIT } from './errors.js';

/** A failed command: one plain `keyden: …` line on stderr; returns its exit code. */
export function reportFailure(e: unknown): number {
  const { message, exitCode } = describeError(e);
  process.stderr.write(`keyden: ${message}\n`);
  return exitCode;
}

/** Installs the process-wide guards: never a stack trace, and a reader that went away ends us quietly. */
export function guardProcess(): void {
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (e: unknown) => {
      reportFailure(e);
      process.exit(EXIT.ERROR);
    });
  }
  // `keyden list | head -1`: EPIPE ends us as SIGPIPE would.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(141);
    throw e;
  });
}

/** Exits with code once stdout has drained (a pipe is asynchronous on some systems) and a write error could surface. */
export function exitWhenDrained(code: number): void {
  process.stdout.write('', () => setImmediate(() => process.exit(code)));
}

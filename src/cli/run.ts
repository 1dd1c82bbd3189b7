// Runs the CLI (bin/keyden.js imports this): kept apart from index.ts so tests can import main().
import { describeError, EXIT } from './errors.js';
import { main } from './index.js';

// Never a stack trace: whatever escapes becomes one plain line.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (e: unknown) => {
    process.stderr.write(`keyden: ${describeError(e).message}\n`);
    process.exit(EXIT.ERROR);
  });
}

// A reader that went away (`keyden list | head -1`) ends us quietly, as SIGPIPE would.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(141);
  throw e;
});

const code = await main();
// Let stdout drain (a pipe is asynchronous on some systems), and a write error surface, before exiting.
process.stdout.write('', () => setImmediate(() => process.exit(code)));

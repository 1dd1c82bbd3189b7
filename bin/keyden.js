#!/usr/bin/env node
// The `keyden` command: the compiled CLI (npm's `prepare` builds it with `npm run build:node`).
import('../build/cli/run.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('build/cli/run.js')) {
    process.stderr.write('keyden: the CLI is not built: run `npm run build:node` in the repository\n');
  } else {
    process.stderr.write(`keyden: ${e && e.message ? String(e.message).split('\n')[0] : String(e)}\n`);
  }
  process.exit(1);
});

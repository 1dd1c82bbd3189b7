#!/usr/bin/env -S node --
// The `keyden` command: the compiled CLI (npm's `prepare` builds it with `npm run build:node`).
// `node --` before the script: Node ≥ 20.6 parses `--env-file` anywhere on its command line, even
// after the script name, so `keyden run --env-file F` would never reach keyden; after `--` Node
// parses nothing (docs/cli.md, "Why the bin's shebang is `env -S node --`"). npm's cmd-shim keeps
// the `--` in the Windows shims.
// CommonJS, so that a plain `keyden get` runs from one bundled file without Node's ESM loader
// (docs/cli.md, "Why the bin is CommonJS"); every other command loads the full ESM CLI.
'use strict';

function fail(e) {
  process.stderr.write(`keyden: ${e && e.message ? String(e.message).split('\n')[0] : String(e)}\n`);
  process.exit(1);
}

let fast = null;
try {
  fast = require('../build/cli/fast.cjs');
} catch (e) {
  // No bundle (an older build): the full CLI below runs `get` the same way, only slower.
  if (!(e && e.code === 'MODULE_NOT_FOUND' && String(e.message).split('\n')[0].includes('build/cli/fast.cjs'))) fail(e);
}

if (!fast || !fast.runFast(process.argv)) {
  import('../build/cli/run.js').catch((e) => {
    if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('build/cli/run.js')) {
      process.stderr.write('keyden: the CLI is not built: run `npm run build:node` in the repository\n');
      process.exit(1);
    }
    fail(e);
  });
}

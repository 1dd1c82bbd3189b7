// `keyden get` in its plain forms, bundled into one CommonJS file (build/cli/fast.cjs) that
// bin/keyden.cjs tries first: Node 20's ESM loader costs ~20 ms a start (docs/cli.md, "Start-up").
// It behaves as the full CLI does for the same arguments: index.ts runs the same `get`.
import { get } from './commands/read.js';
import { exitWhenDrained, guardProcess, reportFailure } from './exit.js';
import { plainGetOf } from './fast-get.js';

/** Runs a plain `keyden get` and returns true; returns false, having done nothing, for anything else. */
export function runFast(argv: string[]): boolean {
  const plain = plainGetOf(argv);
  if (!plain) return false;
  guardProcess();
  void get(plain.ref, plain.opts).catch(reportFailure).then(exitWhenDrained);
  return true;
}

// A weak master password in `init` and `passwd` (issue 14 item 16): the app's estimate, in the CLI.
// On a terminal the user confirms it; from --password-stdin (a script) it is a warning on stderr.
import { createRequire } from 'node:module';
import { CliError, EXIT } from './errors.js';
import { askLine } from './stdin.js';
import { FAIR_SCORE, type Strength } from '../shared/strength.js';

type Estimate = (password: string) => Strength;

/** build/cli/strength.cjs: zxcvbn-ts and its dictionaries in one file, loaded only here. */
function loadEstimator(): Estimate {
  const bundle = createRequire(import.meta.url)('./strength.cjs') as { estimate: Estimate };
  return bundle.estimate;
}

export async function checkNewPassword(password: string, options: { interactive: boolean; what: string }): Promise<void> {
  const strength = loadEstimator()(password);
  if (strength.score >= FAIR_SCORE) return;
  const why = strength.hint ? `: ${strength.hint.replace(/\.$/, '')}` : '';
  process.stderr.write(`keyden: warning: this master password is ${strength.label.toLowerCase()}${why}. Anyone who copies the vault file can try to guess it offline; a passphrase of four or more random words is far stronger.\n`);
  if (!options.interactive) return;
  const answer = await askLine('Use it anyway? [y/N] ');
  if (!/^y(es)?$/i.test(answer?.trim() ?? '')) throw new CliError(`${options.what}: choose a stronger master password`, EXIT.ERROR);
}

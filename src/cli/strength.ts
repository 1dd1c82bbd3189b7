// The CLI's password estimator: zxcvbn-ts with the app's dictionaries. `npm run build:node`
// bundles this file into build/cli/strength.cjs (rolldown.cli.config.js), so the packed CLI
// carries the estimator as one file instead of three dependencies; see warnIfWeak in stdin.ts.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { describeStrength, type Strength, type ZxcvbnResult } from '../shared/strength.js';

const factory = new ZxcvbnFactory({
  translations: en.translations,
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...en.dictionary },
});

export function estimate(password: string): Strength {
  return describeStrength(factory.check(password) as ZxcvbnResult);
}

// `npm run build:node`, second step: bundles the tsc output of src/cli/fast.ts (the plain
// `keyden get`) into one CommonJS file, build/cli/fast.cjs, that bin/keyden.cjs loads without
// Node's ESM loader (docs/cli.md, "Why the bin is CommonJS"). Node built-ins stay `require`s.
// And the password estimator, below.
import { builtinModules } from 'node:module';
import { defineConfig } from 'rolldown';

export default defineConfig([
  {
    input: 'build/cli/fast.js',
    platform: 'node',
    external: [/^node:/, ...builtinModules],
    output: { file: 'build/cli/fast.cjs', format: 'cjs', sourcemap: false },
  },
  // The master-password estimator of init / passwd (src/cli/strength.ts) with its dictionaries:
  // one 1.7 MB file, loaded only by those two commands, instead of 9 MB of zxcvbn-ts packages in
  // the packed CLI's dependencies.
  {
    input: 'build/cli/strength.js',
    platform: 'node',
    external: [/^node:/, ...builtinModules],
    output: { file: 'build/cli/strength.cjs', format: 'cjs', sourcemap: false },
  },
]);

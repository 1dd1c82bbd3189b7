// Every test file gets a Keyden home of its own, so that nothing a test does (known-vaults.json,
// api.json) reaches the user's real home or another file's vault; it is removed afterwards, with
// every temporary folder the file's tests made through tempDir (helpers/temp-dirs.ts).
import { afterAll } from 'vitest';
import { removeTempDirs, tempDir } from './helpers/temp-dirs.js';

process.env.KEYDEN_HOME = tempDir('keyden-home-');
afterAll(removeTempDirs);

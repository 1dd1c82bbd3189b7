// Every test file gets a Keyden home of its own, so that nothing a test does (known-vaults.json,
// api.json) reaches the user's real home or another file's vault; it is removed afterwards, with
// every temporary folder the file's tests made through tempDir (helpers/temp-dirs.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/temp-dirs.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keyden-home-'));
process.env.KEYDEN_HOME = home;
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
  removeTempDirs();
});

// Every test file gets a Keyden home of its own, so that nothing a test does (known-vaults.json,
// api.json) reaches the user's real home or another file's vault.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

process.env.KEYDEN_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'keyden-home-'));

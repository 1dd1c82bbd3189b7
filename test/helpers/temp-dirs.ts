// Temporary folders for tests. Each one made here is removed after its test file's tests by
// test/setup-home.ts, whether the test cleaned up or not: a folder left behind may hold a vault
// and its tokens.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder tempDir made (a folder a process of the test still writes to may need a retry). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

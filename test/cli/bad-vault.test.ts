// The owner and admin commands on files that are not healthy vaults: one clear line, no stack
// trace, exit 1, and the file left byte-identical (DESIGN §3, §7).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, hasStackTrace, keyden, PASSWORD, seedVault, tempDir } from './helpers.js';

const home = tempDir();
const files: Record<string, string> = {};
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

beforeAll(async () => {
  ensureBuilt();
  files.text = path.join(home, 'notes.db');
  fs.writeFileSync(files.text, 'my shopping list, not a vault\n'.repeat(100));
  files.foreign = path.join(home, 'other-app.db');
  const db = new Database(files.foreign);
  db.exec('CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES (\'hello\');');
  db.close();
  const { vaultPath } = await seedVault(home, { categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }] });
  const v = new Database(vaultPath);
  v.pragma('wal_checkpoint(TRUNCATE)');
  v.pragma('journal_mode = DELETE');
  v.close();
  files.truncated = path.join(home, 'truncated.db');
  const bytes = fs.readFileSync(vaultPath);
  fs.writeFileSync(files.truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
});

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe.each(['text', 'foreign', 'truncated'])('a %s file given as the vault', (kind) => {
  it.each([
    ['serve', ['serve', '--port', '0', '--password-stdin']],
    ['token list', ['token', 'list', '--password-stdin']],
    ['passwd', ['passwd', '--password-stdin']],
  ])('is refused by %s with one plain line, exit 1, and left untouched', async (_name, args) => {
    const file = files[kind]!;
    const before = sha(file);
    const res = await keyden(home, [...args, '--vault', file], { input: `${PASSWORD}\nanother long password\n`, timeoutMs: 20_000 });
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^keyden: .*(not a Keyden vault|damaged|truncated)/);
    expect(hasStackTrace(res.stderr)).toBe(false);
    expect(res.stdout).toBe('');
    expect(sha(file)).toBe(before);
  });
});

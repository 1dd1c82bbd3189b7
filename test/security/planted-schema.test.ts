// A trigger planted in the vault file, as anyone who can write the file could, beside a running
// `keyden serve`: SQLite would run it inside the owner's own transactions, and the owner's
// integrity bookkeeping would then give its work a valid mac (issue 10, item 1's class).
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { codeOf, startOwner } from './helpers.js';

describe('a trigger planted beside a running owner', () => {
  it('gets no reveal past it: the reveal whose audit row it would erase answers 409 VAULT_TAMPERED without the value, and the owner locks', async () => {
    const owner = await startOwner({
      categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
      entries: [{ key: 'blog', category: 'OpenAI', name: 'Blog', value: 'sk-planted-trigger-secret' }],
      tokens: [{ key: 'reader', scopes: ['entries:read', 'entries:reveal'] }],
    });
    const token = owner.tokens.reader!;
    const db = new Database(owner.vaultPath);
    db.exec("CREATE TRIGGER hide_reveals AFTER INSERT ON audit WHEN NEW.action = 'entry.reveal' BEGIN DELETE FROM audit WHERE id = NEW.id; END");
    db.close();
    const reveal = await owner.request('POST', `/api/entries/${owner.ids.blog}/reveal`, { token });
    expect({ status: reveal.status, code: codeOf(reveal) }).toEqual({ status: 409, code: 'VAULT_TAMPERED' });
    expect(reveal.text).not.toContain('sk-planted-trigger-secret');
    expect((reveal.json as { error: string }).error).toContain('a trigger "hide_reveals" Keyden never makes');
    const after = await owner.request('POST', `/api/entries/${owner.ids.blog}/reveal`, { token });
    expect({ status: after.status, code: codeOf(after) }).toEqual({ status: 423, code: 'VAULT_LOCKED' });
  });
});

// Issue 10, attack 8: a token that cannot reveal confirming a guessed value (import's
// "skipped"), and error messages that quote what is stored.
import { describe, expect, it } from 'vitest';
import { codeOf, startOwner } from './helpers.js';

describe('no equality oracle', () => {
  it('reports an unchanged value as updated to a write-only token, as it does a changed one', async () => {
    const owner = await startOwner({
      categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
      entries: [{ key: 'e', category: 'OpenAI', name: 'Blog', value: 'sk-the-real-key' }],
      tokens: [{ key: 'writer', scopes: ['entries:write'] }],
    });
    const guess = async (value: string) =>
      (await owner.request('POST', '/api/projects/Blog/import', { token: owner.tokens.writer!, text: `OPENAI_API_KEY=${value}\n` })).json as {
        updated: number;
        skipped: number;
      };
    const right = await guess('sk-the-real-key');
    const wrong = await guess('sk-a-wrong-guess');
    expect(right).toEqual(wrong);
    expect(right).toMatchObject({ updated: 1, skipped: 0 });
  });

  it("never names the keys of a stored value in an error (moving a simple entry whose value is JSON into a group)", async () => {
    const owner = await startOwner({
      categories: [
        { name: 'Plain', envVarName: 'PLAIN_KEY' },
        { name: 'AWS', fields: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] },
      ],
      entries: [{ key: 'e', category: 'Plain', name: 'Blog', value: '{"hunter2-private-field":"x","AWS_ACCESS_KEY_ID":"y"}' }],
      tokens: [
        { key: 'writer', scopes: ['entries:write'] },
        { key: 'reader', scopes: ['categories:read'] },
      ],
    });
    const aws = ((await owner.request('GET', '/api/categories', { token: owner.tokens.reader! })).json as { id: string; name: string }[]).find((c) => c.name === 'AWS')!;
    const moved = await owner.request('PUT', `/api/entries/${owner.ids.e}`, { token: owner.tokens.writer!, body: { categoryId: aws.id } });
    expect({ status: moved.status, code: codeOf(moved) }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(moved.text).not.toContain('hunter2-private-field');
    expect(moved.text).not.toContain('AWS_SECRET_ACCESS_KEY');
  });
});

// Issue 10, attack 8: a token that cannot reveal confirming a guessed value (import's
// "skipped", or the trace a write leaves: a version, updatedAt, the audit row), and error
// messages that quote what is stored.
import { describe, expect, it } from 'vitest';
import { ALL_SCOPES } from '../cli/helpers.js';
import { codeOf, startOwner, type Owner } from './helpers.js';

/** What a write left that a token with entries:read and audit:read can see. */
interface Trace {
  status: number;
  newVersions: number;
  updatedAtMoved: boolean;
  audit: { action: string; valueChanged: unknown }[];
}

async function traceOf(owner: Owner, token: string, id: string, act: () => Promise<{ status: number }>): Promise<Trace> {
  const state = async () => ({
    versions: ((await owner.request('GET', `/api/entries/${id}/versions`, { token })).json as unknown[]).length,
    updatedAt: ((await owner.request('GET', `/api/entries/${id}`, { token })).json as { updatedAt: string }).updatedAt,
    audit: (await owner.request('GET', `/api/audit?target=${id}`, { token })).json as { id: number; action: string; detail: { valueChanged?: unknown } | null }[],
  });
  const before = await state();
  await new Promise((r) => setTimeout(r, 5)); // updatedAt has millisecond resolution
  const { status } = await act();
  const after = await state();
  const seen = new Set(before.audit.map((a) => a.id));
  return {
    status,
    newVersions: after.versions - before.versions,
    updatedAtMoved: after.updatedAt !== before.updatedAt,
    audit: after.audit.filter((a) => !seen.has(a.id)).map((a) => ({ action: a.action, valueChanged: a.detail?.valueChanged })),
  };
}

const BLIND = ['entries:read', 'entries:write', 'audit:read'] as const;

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

describe('no equality oracle in what a write leaves behind', () => {
  const realValue = 'sk-the-real-key';
  const seedOne = () =>
    startOwner({
      categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
      entries: [{ key: 'e', category: 'OpenAI', name: 'Blog', value: realValue }],
      tokens: [
        { key: 'blind', scopes: [...BLIND] },
        { key: 'full', scopes: ALL_SCOPES },
      ],
    });
  const revealed = async (owner: Owner, id: string) => ((await owner.request('POST', `/api/entries/${id}/reveal`, { token: owner.tokens.full! })).json as { value: string }).value;

  it('an import of the right value leaves the same version, updatedAt and audit trace as a wrong one', async () => {
    const owner = await seedOne();
    const blind = owner.tokens.blind!;
    const importing = (value: string) => () => owner.request('POST', '/api/projects/Blog/import', { token: blind, text: `OPENAI_API_KEY=${value}\n` });
    const right = await traceOf(owner, blind, owner.ids.e!, importing(realValue));
    const wrong = await traceOf(owner, blind, owner.ids.e!, importing('sk-a-wrong-guess'));
    expect(right).toEqual(wrong);
    expect(right).toMatchObject({ status: 200, newVersions: 1, updatedAtMoved: true });
  });

  it('a PUT of the right value leaves the same trace as a wrong one', async () => {
    const owner = await seedOne();
    const blind = owner.tokens.blind!;
    const putting = (value: string) => () => owner.request('PUT', `/api/entries/${owner.ids.e}`, { token: blind, body: { value } });
    const right = await traceOf(owner, blind, owner.ids.e!, putting(realValue));
    const wrong = await traceOf(owner, blind, owner.ids.e!, putting('sk-a-wrong-guess'));
    expect(right).toEqual(wrong);
    expect(right).toMatchObject({ status: 200, newVersions: 1, updatedAtMoved: true, audit: [{ action: 'entry.update', valueChanged: true }] });
  });

  it('restoring a version equal to the current value leaves the same trace as restoring a different one', async () => {
    const owner = await startOwner({
      categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
      entries: [
        { key: 'same', category: 'OpenAI', name: 'A', value: 'one' },
        { key: 'other', category: 'OpenAI', name: 'B', value: 'one' },
      ],
      tokens: [
        { key: 'blind', scopes: [...BLIND] },
        { key: 'full', scopes: ALL_SCOPES },
      ],
    });
    const full = owner.tokens.full!;
    // A: one → two → one (version 1 equals the value now); B: one → two (version 1 differs).
    for (const [id, values] of [[owner.ids.same!, ['two', 'one']], [owner.ids.other!, ['two']]] as const) {
      for (const value of values) expect((await owner.request('PUT', `/api/entries/${id}`, { token: full, body: { value } })).status).toBe(200);
    }
    const blind = owner.tokens.blind!;
    const restoring = (id: string) => () => owner.request('POST', `/api/entries/${id}/versions/1/restore`, { token: blind });
    const equal = await traceOf(owner, blind, owner.ids.same!, restoring(owner.ids.same!));
    const different = await traceOf(owner, blind, owner.ids.other!, restoring(owner.ids.other!));
    expect(equal).toEqual(different);
    expect(equal).toMatchObject({ status: 200, newVersions: 1, updatedAtMoved: true });
    expect([await revealed(owner, owner.ids.same!), await revealed(owner, owner.ids.other!)]).toEqual(['one', 'one']);
  });

  it('a copy with overwrite onto an equal value leaves the same trace as onto a different one', async () => {
    const owner = await startOwner({
      categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
      entries: [
        { key: 'aDev', category: 'OpenAI', name: 'A', environment: 'development', value: 'same' },
        { key: 'aProd', category: 'OpenAI', name: 'A', environment: 'production', value: 'same' },
        { key: 'bDev', category: 'OpenAI', name: 'B', environment: 'development', value: 'one' },
        { key: 'bProd', category: 'OpenAI', name: 'B', environment: 'production', value: 'other' },
      ],
      tokens: [{ key: 'blind', scopes: [...BLIND] }],
    });
    const blind = owner.tokens.blind!;
    const copying = (project: string) => () => owner.request('POST', `/api/projects/${project}/copy`, { token: blind, body: { from: 'development', to: 'production', overwrite: true } });
    const equal = await traceOf(owner, blind, owner.ids.aProd!, copying('A'));
    const different = await traceOf(owner, blind, owner.ids.bProd!, copying('B'));
    expect(equal).toEqual(different);
    expect(equal).toMatchObject({ status: 200, newVersions: 1, updatedAtMoved: true });
  });

  it('a token that can reveal still gets "skipped" and no new version for an unchanged import', async () => {
    const owner = await seedOne();
    const full = owner.tokens.full!;
    const trace = await traceOf(owner, full, owner.ids.e!, () => owner.request('POST', '/api/projects/Blog/import', { token: full, text: `OPENAI_API_KEY=${realValue}\n` }));
    expect(trace).toMatchObject({ status: 200, newVersions: 0, updatedAtMoved: false });
  });
});

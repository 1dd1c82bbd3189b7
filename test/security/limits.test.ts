// Issue 10, attack 5: a token limited to project alpha learning about, or changing, what lies
// outside its limits.
import type { Seed } from '../cli/helpers.js';
import { describe, expect, it } from 'vitest';
import { keyden } from '../cli/helpers.js';
import { codeOf, PASSWORD, startOwner } from './helpers.js';

const seed: Seed = {
  categories: [
    { name: 'OpenAI', envVarName: 'OPENAI_API_KEY' },
    { name: 'Stripe', envVarName: 'STRIPE_KEY' },
  ],
  entries: [
    { key: 'alpha', category: 'OpenAI', name: 'alpha', value: 'sk-alpha' },
    { key: 'beta', category: 'OpenAI', name: 'beta-secret-project', value: 'sk-beta' },
    { key: 'betaStripe', category: 'Stripe', name: 'beta-secret-project', value: 'sk-beta-stripe' },
  ],
  tokens: [
    { key: 'full', scopes: ['categories:read', 'entries:read', 'entries:write', 'entries:reveal', 'audit:read'] },
    { key: 'alphaAuditor', scopes: ['entries:read', 'entries:reveal', 'audit:read'], projects: ['alpha'] },
  ],
};

describe('limits hold everywhere', () => {
  it("shows a limited token only the audit events of entries it can see: no other project's name, no token, category or vault event", async () => {
    const owner = await startOwner(seed);
    const { full, alphaAuditor } = owner.tokens as { full: string; alphaAuditor: string };
    // Activity a limited token must not see: another project's reveal and export, denied calls.
    await owner.request('POST', `/api/entries/${owner.ids.beta}/reveal`, { token: full });
    await owner.request('GET', '/api/projects/beta-secret-project/env', { token: full });
    await owner.request('POST', `/api/entries/${owner.ids.alpha}/reveal`, { token: alphaAuditor });
    const res = await owner.request('GET', '/api/audit', { token: alphaAuditor });
    expect(res.status).toBe(200);
    const events = res.json as { action: string; targetId: string | null }[];
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.targetId).toBe(owner.ids.alpha);
    expect(events.map((e) => e.action)).toContain('entry.reveal');
    expect(res.text).not.toContain('beta-secret-project');
    expect(res.text).not.toContain('full');
    expect(res.headers['x-total-count']).toBe(String(events.length));
    // The full token still reads the whole log.
    const all = await owner.request('GET', '/api/audit', { token: full });
    expect(all.text).toContain('beta-secret-project');
  });

  it('shows the history of an entry moved into the limits without the project and environment it came from', async () => {
    const owner = await startOwner({
      categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
      entries: [{ key: 'x', category: 'OpenAI', name: 'beta-secret-project', environment: 'staging-eu', value: 'sk' }],
      tokens: [
        { key: 'full', scopes: ['entries:read', 'entries:write', 'entries:reveal', 'audit:read'] },
        { key: 'alphaAuditor', scopes: ['entries:read', 'audit:read'], projects: ['alpha'] },
      ],
    });
    const { full, alphaAuditor } = owner.tokens as { full: string; alphaAuditor: string };
    await owner.request('POST', `/api/entries/${owner.ids.x}/reveal`, { token: full });
    expect((await owner.request('PUT', `/api/entries/${owner.ids.x}`, { token: full, body: { name: 'alpha', environment: 'development' } })).status).toBe(200);
    const res = await owner.request('GET', '/api/audit', { token: alphaAuditor });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('beta-secret-project');
    expect(res.text).not.toContain('staging-eu');
    // The entry's whole history is there, its earlier place left out, and the current name shown.
    const events = res.json as { action: string; targetName: string | null; detail: { name: unknown; environment: unknown } }[];
    expect(events.map((e) => [e.action, e.detail.name, e.detail.environment])).toEqual([
      ['entry.update', 'alpha', 'development'],
      ['entry.reveal', null, null],
      ['entry.create', null, null],
    ]);
    expect(new Set(events.map((e) => e.targetName))).toEqual(new Set(['OpenAI/alpha/development']));
    // The full token still sees where it was.
    expect((await owner.request('GET', '/api/audit', { token: full })).text).toContain('staging-eu');
  });

  it('refuses a trash restore that would bring a deleted shared category back to a token that may not write categories', async () => {
    const owner = await startOwner({
      categories: [{ name: 'Legacy', envVarName: 'LEGACY_KEY' }],
      entries: [
        { key: 'a', category: 'Legacy', name: 'alpha', value: 'v' },
        { key: 'b', category: 'Legacy', name: 'beta', value: 'w' },
      ],
      tokens: [
        { key: 'full', scopes: ['categories:read', 'categories:write', 'entries:read', 'entries:write'] },
        { key: 'alphaWriter', scopes: ['entries:read', 'entries:write'], projects: ['alpha'] },
        { key: 'entriesOnly', scopes: ['entries:read', 'entries:write'] },
      ],
    });
    const { full, alphaWriter, entriesOnly } = owner.tokens as { full: string; alphaWriter: string; entriesOnly: string };
    const categoryNames = async () => ((await owner.request('GET', '/api/categories', { token: full })).json as { name: string }[]).map((c) => c.name);
    const legacy = ((await owner.request('GET', '/api/categories', { token: full })).json as { id: string; name: string }[]).find((c) => c.name === 'Legacy')!;
    expect((await owner.request('DELETE', `/api/categories/${legacy.id}?cascade=true`, { token: full })).status).toBe(204);
    for (const token of [alphaWriter, entriesOnly]) {
      const refused = await owner.request('POST', `/api/trash/${owner.ids.a}/restore`, { token });
      expect({ status: refused.status, code: codeOf(refused) }).toEqual({ status: 403, code: 'SCOPE_REQUIRED' });
      expect(refused.text).toContain('categories:write');
    }
    expect(await categoryNames()).not.toContain('Legacy');
    // The entry is still in the trash, and a token that may write categories brings both back.
    expect((await owner.request('POST', `/api/trash/${owner.ids.a}/restore`, { token: full })).status).toBe(200);
    expect(await categoryNames()).toContain('Legacy');
    // With the category back, a token without categories:write restores entries as before.
    const restoredBeta = await owner.request('POST', `/api/trash/${owner.ids.b}/restore`, { token: entriesOnly });
    expect(restoredBeta.status).toBe(200);
  });

  it('hides from an environment-limited token a project with nothing in its environments, record or not, and answers it as absent', async () => {
    const owner = await startOwner({
      categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
      entries: [
        { key: 'p', category: 'OpenAI', name: 'acquisition-target', environment: 'production', value: 'sk' },
        { key: 'd', category: 'OpenAI', name: 'Blog', environment: 'development', value: 'sk' },
      ],
      tokens: [
        { key: 'full', scopes: ['entries:read', 'entries:write'] },
        { key: 'devOnly', scopes: ['entries:read'], environments: ['development'] },
      ],
    });
    const { full, devOnly } = owner.tokens as { full: string; devOnly: string };
    // A record: description, template and an environments list without development.
    expect((await owner.request('PATCH', '/api/projects/acquisition-target', { token: full, body: { description: 'secret merger with ACME', environments: ['production'] } })).status).toBe(200);
    expect((await owner.request('PUT', '/api/projects/acquisition-target/template', { token: full, body: { variables: ['ACME_TOKEN'] } })).status).toBe(200);
    const listed = await owner.request('GET', '/api/projects', { token: devOnly });
    expect((listed.json as { name: string }[]).map((p) => p.name)).toEqual(['Blog']);
    expect(listed.text).not.toContain('secret merger');
    const probe = await owner.request('GET', '/api/projects/acquisition-target/validate?environment=development', { token: devOnly });
    const absent = await owner.request('GET', '/api/projects/no-such-project/validate?environment=development', { token: devOnly });
    expect(probe.status).toBe(404);
    expect((probe.json as { error: string }).error).toBe((absent.json as { error: string }).error.replace('no-such-project', 'acquisition-target'));
    // Once its list names development, the project is the token's to see (empty there).
    expect((await owner.request('PATCH', '/api/projects/acquisition-target', { token: full, body: { environments: ['production', 'development'] } })).status).toBe(200);
    const after = (await owner.request('GET', '/api/projects', { token: devOnly })).json as { name: string; environments: Record<string, number> }[];
    expect(after.map((p) => [p.name, p.environments])).toEqual([
      ['acquisition-target', { development: 0 }],
      ['Blog', { development: 1 }],
    ]);
  });

  it('refuses to make a limited token with categories:write, through `keyden token create` and a login request', async () => {
    const owner = await startOwner(seed);
    const made = await keyden(owner.home, ['token', 'create', '--name', 'sneaky', '--scopes', 'entries:read,categories:write', '--project', 'alpha', '--password-stdin'], {
      input: `${PASSWORD}\n`,
    });
    expect(made.code, made.stderr).not.toBe(0);
    expect(made.stdout).not.toMatch(/kdn_/);
    expect(made.stderr).toContain('categories:write');
    const login = await owner.request('POST', '/api/auth/requests', {
      body: { clientName: 'sneaky', scopes: ['entries:read', 'categories:write'], projects: ['alpha'] },
    });
    expect({ status: login.status, code: codeOf(login) }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });
});

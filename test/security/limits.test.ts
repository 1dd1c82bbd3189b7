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

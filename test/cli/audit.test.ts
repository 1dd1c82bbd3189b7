// Issue 14 item 11, through the real `keyden` against a real `keyden serve`: the audit log names
// tokens, an admin command logs what it did (not an unlock / lock pair), and a refused call shows
// its route and reason.
import { describe, expect, it } from 'vitest';
import { useOwner } from './fixture.js';
import { CHEAP_BIN, keyden, PASSWORD } from './helpers.js';
import type { AuditEvent } from '../../src/shared/model.js';

const owner = useOwner();
const { run } = owner;

const events = async (args: string[] = []): Promise<AuditEvent[]> => JSON.parse((await run(['audit', '--json', '--limit', '50', ...args])).stdout) as AuditEvent[];

describe('the audit log as people read it', () => {
  it('names the token that acted, in the table and the JSON', async () => {
    expect((await run(['get', 'OpenAI/Blog Project/development'], { env: { KEYDEN_TOKEN: owner.seeded.tokens.writer } })).code).toBe(0);
    const [reveal] = await events(['--action', 'entry.reveal']);
    expect(reveal).toMatchObject({ actor: expect.stringMatching(/^token:[0-9a-f-]{36}$/), actorName: 'writer' });
    const table = await run(['audit', '--action', 'entry.reveal', '--limit', '1']);
    expect(table.stdout).toMatch(/\btoken "writer"\s+entry\.reveal\s+ok\s+OpenAI\/Blog Project\/development/);
  });

  it('shows a refused call with its route and the scope it lacked', async () => {
    expect((await run(['audit'], { env: { KEYDEN_TOKEN: owner.seeded.tokens.readOnly } })).code).toBe(4);
    const table = await run(['audit', '--action', 'api.denied']);
    expect(table.stdout).toMatch(/token "readOnly"\s+api\.denied\s+FAILED\s+GET \/api\/audit: lacks audit:read/);
  });

  it('logs what an admin command did, without a vault.unlock / vault.lock pair', async () => {
    const before = (await events()).map((e) => e.id);
    const created = await keyden(owner.home, ['token', 'create', '--name', 'from-admin', '--scopes', 'entries:read', '--password-stdin'], { bin: CHEAP_BIN, input: `${PASSWORD}\n` });
    expect(created.code, created.stderr).toBe(0);
    const listed = await keyden(owner.home, ['token', 'list', '--password-stdin'], { bin: CHEAP_BIN, input: `${PASSWORD}\n` });
    expect(listed.code, listed.stderr).toBe(0);
    const fresh = (await events()).filter((e) => !before.includes(e.id) && e.action !== 'api.denied');
    expect(fresh.map((e) => [e.actor, e.action])).toEqual([['cli', 'token.create']]);
    const table = await run(['audit', '--action', 'token.create', '--limit', '1']);
    expect(table.stdout).toMatch(/cli \(opened the file\)\s+token\.create\s+ok\s+from-admin/);
  });
});

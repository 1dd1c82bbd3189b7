// Review 2: what a local process can put in front of the approver through a login request
// (DESIGN §4 `POST /api/auth/requests`), and whose flood can keep the user's own login out.
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APP } from '../../src/main/core/index.js';
import { startApiServer } from '../../src/main/api/server.js';
import { call, createTestVault, startTestApi, type TestApi } from '../helpers/core.js';

let api: TestApi | null = null;
afterEach(async () => {
  await api?.stop();
  api = null;
});

const request = (body: unknown) => call(api!, 'POST', '/api/auth/requests', { token: null, body });

describe('login requests', () => {
  it('refuses a clientName with text-direction or invisible characters that could disguise it in the approval dialog', async () => {
    api = await startTestApi({ approver: true });
    for (const clientName of ['keyden CLI (me@laptop)\u202E)lla :sepocs(', 'keyden\u200B CLI (me@laptop)', 'keyden CLI\u2066 (me@laptop)', 'keyden\u2060CLI']) {
      const res = await request({ clientName, scopes: ['entries:read'] });
      expect({ clientName, status: res.status, code: (res.json as { code: string }).code }).toEqual({ clientName, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await request({ clientName: 'keyden CLI (me@laptop) — Ωmega 🔑', scopes: ['entries:read'] })).status).toBe(201);
  });

  it('takes only a clientName that can become the token\'s name, so what the user approves can be issued', async () => {
    api = await startTestApi({ approver: true });
    expect((await request({ clientName: 'ci/deploy', scopes: ['entries:read'] })).status).toBe(400);
    const made = await request({ clientName: '  ci deploy  ', scopes: ['entries:read'] });
    expect(made.status).toBe(201);
    const { id } = made.json as { id: string };
    expect(() => api!.core.approvals.approve(APP, id)).not.toThrow();
  });

  it('bounds the projects and environments a request (or a token) can name', async () => {
    api = await startTestApi({ approver: true });
    const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    expect((await request({ clientName: 'x', scopes: ['entries:read'], projects: many(5000, 'project-') })).status).toBe(400);
    expect((await request({ clientName: 'x', scopes: ['entries:read'], environments: many(257, 'env-') })).status).toBe(400);
    expect((await request({ clientName: 'x', scopes: ['entries:read'], projects: many(256, 'project-') })).status).toBe(201);
  });

  it("keeps a budget of its own for the 0600 socket: another local user's flood of the TCP port does not keep the user's `keyden login` out", async () => {
    const vault = await createTestVault({ approver: true });
    const socketPath = path.join(vault.dir, 'keyden.sock');
    const server = await startApiServer(vault.core, { port: 0, socketPath });
    try {
      const body = JSON.stringify({ clientName: 'flood', scopes: ['entries:read'] });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${server.url}/api/auth/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status);
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
      const viaSocket = await new Promise<number>((resolve, reject) => {
        const req = http.request({ socketPath, path: '/api/auth/requests', method: 'POST', headers: { host: 'localhost', 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(JSON.stringify({ clientName: 'keyden CLI (me@laptop)', scopes: ['entries:read'] }));
      });
      expect(viaSocket).toBe(201);
    } finally {
      await server.close();
      vault.close();
    }
  });
});

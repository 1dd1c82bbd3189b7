// The attack suite's harness: a real `keyden serve` process (test/cli/helpers.ts, cheap test KDF)
// on 127.0.0.1, and raw HTTP requests to it, as a local attacker would send them.
import http from 'node:http';
import { afterEach, expect } from 'vitest';
import { ensureBuilt, PASSWORD, seedVault, serve, tempDir, type Seed, type SeedResult, type Serving } from '../cli/helpers.js';
import { readReply, type RawResponse } from '../api/raw-http.js';

export { PASSWORD };

export type Reply = RawResponse;

export interface Owner extends SeedResult {
  home: string;
  url: string;
  request(method: string, path: string, options?: { token?: string | null; body?: unknown; text?: string; raw?: string }): Promise<Reply>;
}

const running: Serving[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** Seeds a vault and starts `keyden serve` on it, unlocked unless `locked`. */
export async function startOwner(seed: Seed, options: { locked?: boolean } = {}): Promise<Owner> {
  ensureBuilt();
  const home = tempDir('keyden-security-');
  const seeded = await seedVault(home, seed);
  const serving = await serve(home, [], { password: options.locked ? null : PASSWORD });
  running.push(serving);
  const base = new URL(serving.url);
  const request: Owner['request'] = (method, path, options = {}) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let payload: string | undefined;
      if (options.raw !== undefined) {
        payload = options.raw;
        headers['content-type'] = 'application/json';
      } else if (options.body !== undefined) {
        payload = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      } else if (options.text !== undefined) {
        payload = options.text;
        headers['content-type'] = 'text/plain';
      }
      if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
      const req = http.request({ agent, hostname: base.hostname, port: base.port, method, path, headers }, (res) => {
        readReply(res).then(resolve, reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return { ...seeded, home, url: serving.url, request };
}

export const codeOf = (r: Reply): string | undefined => (r.json as { code?: string } | null)?.code;

/**
 * An owner whose project `alpha` holds what a token that may only write it (a CI token, no
 * entries:reveal) imported into its development environment: `content` in `format`. `user` may
 * read and reveal, as the victim of a planted value.
 */
export async function ownerWithPlanted(content: string, format: 'dotenv' | 'json' = 'dotenv'): Promise<{ owner: Owner; user: string }> {
  const owner = await startOwner({
    categories: [{ name: 'OpenAI', envVarName: 'OPENAI_API_KEY' }],
    entries: [{ key: 'a', category: 'OpenAI', name: 'alpha', value: 'sk-a' }],
    tokens: [
      { key: 'user', scopes: ['entries:read', 'entries:reveal'] },
      { key: 'ciWriter', scopes: ['entries:write'], projects: ['alpha'] },
    ],
  });
  const imported = await owner.request('POST', `/api/projects/alpha/import?environment=development&format=${format}`, { token: owner.tokens.ciWriter, body: { content } });
  expect(imported.status, imported.text).toBe(200);
  return { owner, user: owner.tokens.user! };
}

// Shared helpers of the API tests: seeding through the API, the error-body assertion, and bash
// reading a shell export.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { call, type HttpResult, type TestApi } from '../helpers/core.js';
import type { Category, Entry, EntryValue } from '../../src/shared/model.js';

export interface ErrorJson {
  error: string;
  code: string;
  details: Record<string, unknown>;
}

/** Asserts DESIGN §4's error body, status and code together, and returns it. */
export function expectError(res: { status: number; json: unknown; text: string }, status: number, code: string): ErrorJson {
  expect({ status: res.status, code: (res.json as ErrorJson | null)?.code }).toEqual({ status, code });
  const body = res.json as ErrorJson;
  expect(typeof body.error).toBe('string');
  expect(body.error.length).toBeGreaterThan(0);
  expect(typeof body.details).toBe('object');
  expect(body.details).not.toBeNull();
  return body;
}

export function expectJsonType(res: HttpResult): void {
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
}

let counter = 0;
/** A name no other test of the run uses. */
export const unique = (prefix: string): string => `${prefix}${++counter}${Math.random().toString(36).slice(2, 6)}`;

export async function createCategory(
  api: TestApi,
  input: { name?: string; keyType?: 'simple' | 'group'; envVarName?: string | null; fields?: string[]; icon?: string | null } = {},
): Promise<Category> {
  const keyType = input.keyType ?? 'simple';
  const body = {
    name: input.name ?? unique('Service '),
    keyType,
    ...(keyType === 'simple' ? { envVarName: input.envVarName ?? unique('VAR_') } : { fields: input.fields ?? ['A_ID', 'A_SECRET'] }),
    ...(input.icon !== undefined ? { icon: input.icon } : {}),
  };
  const res = await call(api, 'POST', '/api/categories', { body });
  expect(res.status, res.text).toBe(201);
  return res.json as Category;
}

export async function createEntry(
  api: TestApi,
  input: { categoryId: string; name?: string; value?: EntryValue; environment?: string; notes?: string; envVarName?: string },
): Promise<Entry> {
  const res = await call(api, 'POST', '/api/entries', { body: { name: unique('Project '), value: 'v', ...input } });
  expect(res.status, res.text).toBe(201);
  return res.json as Entry;
}

export async function reveal(api: TestApi, id: string): Promise<EntryValue> {
  const res = await call(api, 'POST', `/api/entries/${id}/reveal`);
  expect(res.status, res.text).toBe(200);
  return (res.json as { value: EntryValue }).value;
}

export const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** What bash holds in each named variable after sourcing the script (written into `dir`). */
export function sourcedByBash(dir: string, script: string, names: string[]): Record<string, string> {
  const file = path.join(dir, `${unique('export')}.sh`);
  fs.writeFileSync(file, script);
  const result = spawnSync('bash', ['-c', 'source "$1" || exit 3; shift; for n in "$@"; do printf "%s\\0" "${!n}"; done', 'bash', file, ...names], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  expect(result.status, result.stderr.toString()).toBe(0);
  const values = result.stdout.toString('utf8').split('\0').slice(0, -1);
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
}

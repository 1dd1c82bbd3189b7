// Shared helpers of the API tests: seeding through the API, and the error-body assertion.
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

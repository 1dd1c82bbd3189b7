// Every IPC channel against malformed input, as a compromised or buggy page could send it: odd
// values at the top, in each field and in each field of a nested object. The gate and handlers
// answer each with an envelope; none is an internal error, none leaks a stored value, and the
// values the calls did not address stay as they were.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { APP } from '../../src/main/core/types.js';
import { ipcContract, type IpcResult } from '../../src/shared/ipc.js';
import { ERROR_STATUS } from '../../src/shared/errors.js';
import type { AppRuntime } from '../../src/main/app/runtime.js';
import { createTestVault, type TestVault } from '../helpers/core.js';
import { testRuntime } from './runtime-fixture.js';

vi.mock('electron', () => ({}));

const MARK = 'MARK-ipc-secret-5d81b7';

const ODD_VALUES: unknown[] = [
  undefined,
  null,
  false,
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53 + 2,
  '',
  '\u0000',
  '\uD800',
  'a\u202Eb',
  '..',
  'x'.repeat(100_000),
  [],
  Array.from({ length: 10_000 }, () => 'v'),
  {},
  JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
  { constructor: { prototype: { polluted: true } } },
];

let v: TestVault;
let runtime: AppRuntime;
let markedId: string;
const internal: string[] = [];
const answers: { channel: string; input: string; result: IpcResult<unknown> }[] = [];

/** A real value for a field, so that odd values elsewhere reach the handler. */
let realFor: (channel: string, key: string) => unknown;

function shapeOf(schema: unknown): Record<string, unknown> | null {
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, unknown>) : null;
}

beforeAll(async () => {
  v = await createTestVault({ approver: true });
  const kept = v.core.categories.create(APP, { name: 'Kept', keyType: 'simple', envVarName: 'KEPT_KEY' });
  markedId = v.core.entries.create(APP, { categoryId: kept.id, name: 'Kept', value: MARK }).id;
  const target = v.core.categories.create(APP, { name: 'Target', keyType: 'group', fields: ['USER', 'PASS'] });
  const entry = v.core.entries.create(APP, { categoryId: target.id, name: 'Fuzz', value: { USER: 'u', PASS: 'p' } });
  realFor = (channel, key) =>
    ({ id: channel.startsWith('categories.') ? target.id : entry.id, project: 'Fuzz', environment: 'development', version: 1 })[key];
  runtime = testRuntime(v, { installCli: async () => ({ path: '/nowhere/keyden' }), onInternalError: (channel) => internal.push(channel) });

  // vault.lock last: after it every other call is answered VAULT_LOCKED.
  const channels = Object.keys(ipcContract).sort((a, b) => Number(a === 'vault.lock') - Number(b === 'vault.lock'));
  for (const channel of channels) {
    const inputs: unknown[] = [...ODD_VALUES];
    const shape = shapeOf(ipcContract[channel as keyof typeof ipcContract].input);
    if (shape) {
      const base = Object.fromEntries(Object.keys(shape).flatMap((k) => (realFor(channel, k) === undefined ? [] : [[k, realFor(channel, k)]])));
      for (const [key, field] of Object.entries(shape)) {
        // Switching the local API on would bind a real port: the API has its own tests.
        for (const value of ODD_VALUES) if (!(key === 'apiEnabled' && value !== undefined)) inputs.push({ ...base, [key]: value });
        const nested = shapeOf(field);
        for (const inner of Object.keys(nested ?? {})) for (const value of ODD_VALUES) inputs.push({ ...base, [key]: { [inner]: value } });
      }
    }
    for (const input of inputs) {
      const result = await runtime.dispatch(channel, input);
      answers.push({ channel, input: JSON.stringify(input)?.slice(0, 80) ?? 'undefined', result });
    }
  }
}, 120_000);

afterAll(async () => {
  await runtime.shutdown();
  await v.close();
});

describe('every IPC channel given malformed input', () => {
  it('was called on every channel, thousands of times', () => {
    expect(new Set(answers.map((a) => a.channel)).size).toBe(Object.keys(ipcContract).length);
    expect(answers.length).toBeGreaterThan(2_000);
  });

  it('never answers an internal error', () => {
    const failed = answers.filter((a) => !a.result.ok && a.result.error.code === 'INTERNAL').map((a) => `${a.channel} ${a.input}`);
    expect(failed).toEqual([]);
    expect(internal).toEqual([]);
  });

  it('answers every refusal with a known code and a message', () => {
    const bad = answers.filter((a) => !a.result.ok && (!(a.result.error.code in ERROR_STATUS) || typeof a.result.error.message !== 'string')).map((a) => `${a.channel} ${a.input}`);
    expect(bad).toEqual([]);
  });

  it('puts the stored value it did not reveal in no answer', () => {
    const leaks = answers.filter((a) => JSON.stringify(a.result).includes(MARK)).map((a) => `${a.channel} ${a.input}`);
    expect(leaks).toEqual([]);
  });

  it('leaves the value it did not address as it was, and Object.prototype clean', async () => {
    if (v.core.vault.status().locked) await v.core.vault.unlock(APP, 'correct horse battery staple');
    expect((await v.core.entries.reveal(APP, markedId, 'entry.reveal')).value).toBe(MARK);
    expect(({}) as Record<string, unknown>).not.toHaveProperty('polluted');
  });
});

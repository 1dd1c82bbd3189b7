// The shared fixture of the CLI suites: one vault of awkward values served by a real
// `keyden serve`, and a `run` that records every output for the no-stack / no-secret checks.
import fs from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { ALL_SCOPES, ensureBuilt, hasStackTrace, keyden, PASSWORD, seedVault, serve, tempDir, type RunOptions, type RunResult, type SeedResult, type Serving } from './helpers.js';

export const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNb\n-----END PRIVATE KEY-----';

/** Values that break naive .env writers (the core issue's list). */
export const NASTY: Record<string, string> = {
  NASTY_SPACES: 'with  two  spaces',
  NASTY_HASH: 'value # not a comment',
  NASTY_QUOTES: `all "three' quote\`kinds`,
  NASTY_BACKSLASH: 'back\\slash and \\n literally',
  NASTY_DOLLAR: '$HOME and ${PATH} stay',
  NASTY_EQUALS: 'a=b==c',
  NASTY_UNICODE: 'café ünïcödé 日本語',
  NASTY_EMOJI: '🔑🚀',
  NASTY_PADDED: '  leading and trailing  ',
  NASTY_PEM: PEM,
  NASTY_EMPTY: '',
};

export const GET_VALUES: Record<string, string> = {
  trailing: 'sk-trailing-space ',
  leading: '\nleading-newline',
  unicode: 'ключ-🔑-鍵',
  pem: PEM,
};

export interface Owner {
  readonly home: string;
  readonly seeded: SeedResult;
  readonly server: Serving;
  /** Runs keyden with the full token unless options.env says otherwise, and records the output. */
  run(args: string[], options?: RunOptions): Promise<RunResult>;
  readonly outputs: { args: string[]; result: RunResult }[];
}

/** Registers beforeAll / afterAll hooks that seed a vault and serve it for this file. */
export function useOwner(): Owner {
  const state: { home?: string; seeded?: SeedResult; server?: Serving } = {};
  const outputs: { args: string[]; result: RunResult }[] = [];
  const owner: Owner = {
    get home() {
      return state.home ?? '';
    },
    get seeded() {
      if (!state.seeded) throw new Error('the owner is not set up yet');
      return state.seeded;
    },
    get server() {
      if (!state.server) throw new Error('the owner is not set up yet');
      return state.server;
    },
    outputs,
    async run(args, options = {}) {
      const env = { KEYDEN_TOKEN: owner.seeded.tokens.full, ...options.env };
      const result = await keyden(owner.home, args, { ...options, env });
      outputs.push({ args, result });
      return result;
    },
  };
  beforeAll(async () => {
    ensureBuilt();
    state.home = tempDir();
    state.seeded = await seedVault(state.home, {
      categories: [
        { name: 'OpenAI', envVarName: 'OPENAI_API_KEY' },
        { name: 'Stripe', envVarName: 'STRIPE_SECRET_KEY' },
        { name: 'AWS', fields: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] },
        { name: 'Getter', envVarName: 'GETTER' },
        ...Object.keys(NASTY).map((k) => ({ name: k, envVarName: k })),
      ],
      entries: [
        { key: 'openaiDev', category: 'OpenAI', name: 'Blog Project', environment: 'development', value: 'sk-dev-1234' },
        { key: 'openaiProd', category: 'OpenAI', name: 'Blog Project', environment: 'production', value: 'sk-prod-5678' },
        { key: 'stripe', category: 'Stripe', name: 'Blog Project', environment: 'development', value: 'sk_test_stripe' },
        { key: 'aws', category: 'AWS', name: 'Blog Project', value: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalr/secret', AWS_REGION: 'eu-west-1' } },
        ...Object.entries(GET_VALUES).map(([k, v]) => ({ key: `get-${k}`, category: 'Getter', name: `get-${k}`, value: v })),
        ...Object.entries(NASTY).map(([k, v]) => ({ key: k, category: k, name: 'Nasty', value: v })),
        // No dotenv line reads back as this value (a '#' needs quotes, a final backslash breaks them).
        { key: 'unwritable', category: 'Getter', name: 'Unwritable', value: '# ends in a backslash \\' },
        // Two entries writing OPENAI_API_KEY in one project: an export conflict.
        { key: 'clash1', category: 'OpenAI', name: 'Clash', value: 'a' },
        { key: 'clash2', category: 'Stripe', name: 'Clash', value: 'b', envVarName: 'OPENAI_API_KEY' },
      ],
      tokens: [
        { key: 'full', scopes: ALL_SCOPES },
        { key: 'readOnly', scopes: ['entries:read', 'categories:read'] },
        { key: 'writer', scopes: ['entries:read', 'entries:write', 'entries:reveal'] },
        { key: 'blogOnly', scopes: ['entries:read', 'entries:reveal'], projects: ['Blog Project'], environments: ['development'] },
      ],
    });
    state.server = await serve(state.home);
  }, 60_000);
  afterAll(async () => {
    const stopped = await state.server?.stop();
    expect(stopped?.code).toBe(0);
    if (state.home) fs.rmSync(state.home, { recursive: true, force: true });
  });
  return owner;
}

const SECRETS = ['sk-dev-1234', 'sk-prod-5678', 'sk_test_stripe', 'wJalr/secret', PASSWORD, ...Object.values(GET_VALUES)];

/** Every failure was one plain `keyden:` line without a stack; no secret on stderr, nor in list, status, audit or categories. */
export function expectCleanOutputs(outputs: Owner['outputs']): void {
  expect(outputs.length).toBeGreaterThan(5);
  for (const { args, result: o } of outputs) {
    expect(hasStackTrace(o.stderr)).toBe(false);
    // `run` passes its child's exit code through; every other failure says why in one line.
    if (o.code !== 0 && !(args[0] === 'run' && o.code !== 2 && o.code !== 127)) {
      expect(o.stderr.trimEnd().split('\n').filter((l) => l.startsWith('keyden:')), `${args.join(' ')}: ${o.stderr}`).toHaveLength(1);
    }
    for (const s of SECRETS) expect(o.stderr.includes(s), `${args.join(' ')} put a secret on stderr`).toBe(false);
    if (['list', 'status', 'audit', 'categories'].includes(args[0] ?? '')) {
      for (const s of SECRETS) expect(o.stdout.includes(s), `${args.join(' ')} printed a secret`).toBe(false);
    }
  }
}

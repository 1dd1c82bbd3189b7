// The CLI's pure parts: refs, newline rules, exit codes, fast `get` parsing, expiry, tables.
import { describe, expect, it } from 'vitest';
import { ApiError, CliError, describeError, exitCodeForApiError } from '../../src/cli/errors.js';
import { parseExpiry } from '../../src/cli/expiry.js';
import { parseFastGet } from '../../src/cli/fast-get.js';
import { formatTable } from '../../src/cli/output.js';
import { parseRef, pickOne } from '../../src/cli/ref.js';
import { parseSecretRef } from '../../src/cli/secret-refs.js';
import { dropFinalNewline, firstLine } from '../../src/cli/stdin.js';
import type { EntryWithCategory } from '../../src/cli/types.js';

function entry(category: string, name: string, environment: string, id = crypto.randomUUID()): EntryWithCategory {
  return {
    id,
    categoryId: '00000000-0000-4000-8000-000000000000',
    name,
    environment,
    notes: null,
    envVarName: null,
    expiresAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    category: { name: category, keyType: 'simple', envVarName: 'X', icon: null },
  };
}

describe('refs', () => {
  it('reads an entry id as an id, whatever its case', () => {
    expect(parseRef('1B4E28BA-2FA1-4D3B-A3F5-EF19B5A7633B')).toEqual({ kind: 'id', id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b' });
  });

  it('reads Category/Project and Category/Project/env, lowering the environment', () => {
    expect(parseRef('OpenAI/Blog Project')).toEqual({ kind: 'path', category: 'OpenAI', project: 'Blog Project', environment: null });
    expect(parseRef('OpenAI/Blog/Production')).toEqual({ kind: 'path', category: 'OpenAI', project: 'Blog', environment: 'production' });
  });

  it('refuses a ref with one part, four parts or an empty part as a usage error', () => {
    for (const bad of ['OpenAI', 'a/b/c/d', 'a//b', '/b', 'a/ ']) {
      expect(() => parseRef(bad)).toThrowError(expect.objectContaining({ exitCode: 2 }) as Error);
    }
  });

  it('matches category and project case-insensitively', () => {
    const e = entry('OpenAI', 'Blog Project', 'production');
    expect(pickOne('openai/BLOG project', parseRef('openai/BLOG project') as never, [e, entry('Stripe', 'Blog Project', 'production')])).toBe(e);
  });

  it('names every candidate, comma-separated, when a ref without env matches several', () => {
    const entries = [entry('OpenAI', 'Blog', 'production'), entry('OpenAI', 'Blog', 'development')];
    expect(() => pickOne('OpenAI/Blog', parseRef('OpenAI/Blog') as never, entries)).toThrowError(
      new CliError('ambiguous ref "OpenAI/Blog": OpenAI/Blog/development, OpenAI/Blog/production', 2),
    );
    try {
      pickOne('OpenAI/Blog', parseRef('OpenAI/Blog') as never, entries);
    } catch (e) {
      expect((e as CliError).exitCode).toBe(2);
    }
  });

  it('says not found (exit 3) and where else the entry exists', () => {
    let caught: unknown;
    try {
      pickOne('OpenAI/Blog/staging', parseRef('OpenAI/Blog/staging') as never, [entry('OpenAI', 'Blog', 'production')]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).exitCode).toBe(3);
    expect((caught as CliError).message).toBe('no entry "OpenAI/Blog/staging" (it exists in: production)');
  });
});

describe('stdin newline rules', () => {
  it('drops exactly one final LF or CR LF, nothing else', () => {
    expect(dropFinalNewline('sk-1\n')).toBe('sk-1');
    expect(dropFinalNewline('sk-1\r\n')).toBe('sk-1');
    expect(dropFinalNewline('sk-1\n\n')).toBe('sk-1\n');
    expect(dropFinalNewline('sk-1 ')).toBe('sk-1 ');
    expect(dropFinalNewline('\nsk-1')).toBe('\nsk-1');
    expect(dropFinalNewline('sk-1\r')).toBe('sk-1\r');
    expect(dropFinalNewline('')).toBe('');
  });

  it('takes a password as the first line without its line end, keeping spaces', () => {
    expect(firstLine('  pass word \r\nsecond\n')).toBe('  pass word ');
    expect(firstLine('only')).toBe('only');
    expect(firstLine('\n')).toBe('');
  });
});

describe('exit codes', () => {
  it('maps every API error code to the exit code of DESIGN §5', () => {
    expect(exitCodeForApiError('VALIDATION_FAILED', 400)).toBe(2);
    expect(exitCodeForApiError('UNAUTHORIZED', 401)).toBe(4);
    expect(exitCodeForApiError('INVALID_PASSWORD', 401)).toBe(4);
    expect(exitCodeForApiError('SCOPE_REQUIRED', 403)).toBe(4);
    expect(exitCodeForApiError('NOT_FOUND', 404)).toBe(3);
    expect(exitCodeForApiError('CONFLICT', 409)).toBe(6);
    expect(exitCodeForApiError('EXPORT_CONFLICT', 409)).toBe(6);
    expect(exitCodeForApiError('UNREPRESENTABLE', 422)).toBe(1);
    expect(exitCodeForApiError('VAULT_LOCKED', 423)).toBe(5);
    expect(exitCodeForApiError('INTERNAL', 500)).toBe(1);
    expect(exitCodeForApiError(undefined, 423)).toBe(5);
    expect(exitCodeForApiError('', 502)).toBe(1);
  });

  it("describes an error as one line, the API's sentence as it is", () => {
    const e = new ApiError(400, 'VALIDATION_FAILED', 'name must not\ncontain "/"', { name: 'must not contain "/"' });
    expect(describeError(e)).toEqual({ message: 'name must not contain "/"', exitCode: 2 });
    expect(describeError(new Error('boom\n  at x'))).toEqual({ message: 'unexpected error: boom at x', exitCode: 1 });
  });

  it('lists every invalid field when the sentence only counts the rest', () => {
    const details = { a: 'is required', b: 'is required', c: 'is required', d: 'is required', e: 'must be text' };
    const e = new ApiError(400, 'VALIDATION_FAILED', 'a is required; b is required; c is required; and 2 more problems (see details)', details);
    expect(describeError(e).message).toBe('a is required; b is required; c is required; d is required; e must be text');
  });
});

describe('fast get parsing', () => {
  it('parses the plain forms of get without commander', () => {
    expect(parseFastGet(['OpenAI/Blog'])).toEqual({ ref: 'OpenAI/Blog', opts: { newline: true } });
    expect(parseFastGet(['-n', 'OpenAI/Blog', '--field', 'AWS_REGION'])).toEqual({ ref: 'OpenAI/Blog', opts: { newline: false, field: 'AWS_REGION' } });
    expect(parseFastGet(['--field=K', '--json', 'x/y'])).toEqual({ ref: 'x/y', opts: { newline: true, field: 'K', json: true } });
  });

  it('leaves help, unknown options, repeats and missing refs to commander', () => {
    for (const args of [[], ['-h', 'a/b'], ['--help'], ['a/b', 'c/d'], ['--fied', 'x', 'a/b'], ['--field'], ['--json', '--json', 'a/b'], ['--field', '-n', 'a/b']]) {
      expect(parseFastGet(args)).toBeNull();
    }
  });
});

describe('token expiry', () => {
  const now = new Date('2026-12-01T10:00:00.000Z');
  it('reads durations and dates', () => {
    expect(parseExpiry('30d', now)).toBe('2026-12-31T10:00:00.000Z');
    expect(parseExpiry('12h', now)).toBe('2026-12-01T22:00:00.000Z');
    expect(parseExpiry('2w', now)).toBe('2026-12-15T10:00:00.000Z');
    expect(parseExpiry('2027-01-01T00:00:00Z', now)).toBe('2027-01-01T00:00:00.000Z');
  });
  it('refuses nonsense and the past as usage errors', () => {
    for (const bad of ['soon', '0d', '2020-01-01', '-3d']) expect(() => parseExpiry(bad, now)).toThrowError(expect.objectContaining({ exitCode: 2 }) as Error);
  });
});

describe('tables', () => {
  it('pads columns with a header on a terminal and prints tab-separated rows otherwise', () => {
    expect(formatTable(['A', 'BB'], [['xyz', '1'], ['é', '22']], true)).toBe('A    BB\nxyz  1\né    22\n');
    expect(formatTable(['A', 'BB'], [['xyz', '1']], false)).toBe('xyz\t1\n');
  });
});

describe('secret references', () => {
  it('reads keyden://Category/Project[/env][/FIELD]', () => {
    expect(parseSecretRef('keyden://OpenAI/Blog Project')).toMatchObject({ category: 'OpenAI', project: 'Blog Project', environment: null, field: null });
    expect(parseSecretRef('keyden://AWS/Blog/Production/AWS_REGION')).toMatchObject({ category: 'AWS', project: 'Blog', environment: 'production', field: 'AWS_REGION' });
  });
  it('reads keyden://Project/env/VAR when the variable could not be an environment', () => {
    expect(parseSecretRef('keyden://Blog Project/production/OPENAI_API_KEY')).toMatchObject({ project: 'Blog Project', environment: 'production', variable: 'OPENAI_API_KEY' });
    expect(parseSecretRef('keyden://Blog/*/LOG_LEVEL')).toMatchObject({ project: 'Blog', environment: '*', variable: 'LOG_LEVEL' });
    expect(parseSecretRef('keyden://OpenAI/Blog/production')).toMatchObject({ category: 'OpenAI', project: 'Blog', environment: 'production', variable: null });
  });
  it('refuses anything else as a usage error', () => {
    for (const bad of ['keyden://OpenAI', 'keyden://a/b/c/d/e', 'keyden://a//b', 'op://a/b', 'OpenAI/Blog']) {
      expect(() => parseSecretRef(bad)).toThrowError(expect.objectContaining({ exitCode: 2 }) as Error);
    }
  });
});

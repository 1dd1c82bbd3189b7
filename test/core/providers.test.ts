import { describe, expect, it } from 'vitest';
import { detectProvider, keyWarnings } from '../../src/shared/providers.js';

describe('provider detection', () => {
  it.each([
    ['sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123', 'anthropic'],
    ['sk-proj-abcdefghijklmnopqrstuvwxyz0123456789', 'openai'],
    ['sk-abcdefghijklmnopqrstuvwxyz01234567', 'openai'],
    ['sk_live_51HabcdefghijKLMNOP', 'stripe'],
    ['rk_test_51HabcdefghijKLMNOP', 'stripe'],
    [`ghp_${'a1B2'.repeat(9)}`, 'github'],
    [`github_pat_${'A1b2_'.repeat(10)}`, 'github'],
    ['AKIAIOSFODNN7EXAMPLE', 'aws'],
    ['xoxb-1234567890-abcdefghij', 'slack'],
    ['SG.abcdefghijklmnopqrst.abcdefghijklmnopqrstuvwxyz', 'sendgrid'],
    [`AIza${'x'.repeat(35)}`, 'google-ai'],
    [`AC${'0123456789abcdef'.repeat(2)}`, 'twilio'],
  ])('recognises %s as %s', (value, presetId) => {
    expect(detectProvider(value)?.presetId).toBe(presetId);
  });

  it.each(['hunter2', 'sk-short', '', 'postgres://user:pw@localhost/db', 'AKIA-not-a-key'])('says nothing about %j', (value) => {
    expect(detectProvider(value)).toBeNull();
  });

  it('tells Stripe live keys from test keys', () => {
    expect(detectProvider('sk_live_51HabcdefghijKLMNOP')?.mode).toBe('live');
    expect(detectProvider('sk_test_51HabcdefghijKLMNOP')?.mode).toBe('test');
  });
});

describe('key warnings', () => {
  const openai = { name: 'OpenAI', icon: 'openai' };
  const stripe = { name: 'Stripe', icon: 'stripe' };

  it('warns when a key is filed under another service', () => {
    expect(keyWarnings('sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123', openai, 'development')).toEqual(['This looks like an Anthropic key, not OpenAI.']);
  });

  it('warns about a live key outside production and a test key in production', () => {
    expect(keyWarnings('sk_live_51HabcdefghijKLMNOP', stripe, 'development')).toEqual(['This is a live Stripe key, but the environment is development.']);
    expect(keyWarnings('sk_test_51HabcdefghijKLMNOP', stripe, 'production')).toEqual(['This is a test Stripe key, but the environment is production.']);
  });

  it('is silent for a key in its own category and environment, and for unknown shapes', () => {
    expect(keyWarnings('sk_live_51HabcdefghijKLMNOP', stripe, 'production')).toEqual([]);
    expect(keyWarnings('sk-proj-abcdefghijklmnopqrstuvwxyz0123456789', { name: 'My OpenAI', icon: 'openai' }, 'staging')).toEqual([]);
    expect(keyWarnings('some-internal-token', openai, 'production')).toEqual([]);
  });
});

// Key hygiene (DESIGN §8): which service a key belongs to, from its well-known prefix, so the
// app and the CLI can say when a key is filed under the wrong category or environment.
// Pure string checks: nothing here leaves the process or logs the value.

export interface ProviderMatch {
  /** The preset id (also its icon slug), e.g. "anthropic". */
  presetId: string;
  /** The service's name as the presets spell it. */
  name: string;
  /** "live" for a production key of a service that tells live and test keys apart. */
  mode: 'live' | 'test' | null;
}

interface Rule {
  presetId: string;
  name: string;
  pattern: RegExp;
  mode?: (value: string) => 'live' | 'test';
}

// Order matters: the more specific prefix first (sk-ant- before sk-).
const RULES: readonly Rule[] = [
  { presetId: 'anthropic', name: 'Anthropic', pattern: /^sk-ant-[A-Za-z0-9_-]{16,}$/ },
  { presetId: 'stripe', name: 'Stripe', pattern: /^(sk|rk|pk)_(live|test)_[A-Za-z0-9]{10,}$/, mode: (v) => (v.includes('_live_') ? 'live' : 'test') },
  { presetId: 'openai', name: 'OpenAI', pattern: /^sk-(proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}$/ },
  { presetId: 'github', name: 'GitHub', pattern: /^(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}$|^github_pat_[A-Za-z0-9_]{40,}$/ },
  { presetId: 'aws', name: 'AWS', pattern: /^(AKIA|ASIA)[A-Z0-9]{16}$/ },
  { presetId: 'slack', name: 'Slack', pattern: /^xox[abposr]-[A-Za-z0-9-]{10,}$/ },
  { presetId: 'sendgrid', name: 'SendGrid', pattern: /^SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}$/ },
  { presetId: 'google-ai', name: 'Google AI', pattern: /^AIza[0-9A-Za-z_-]{35}$/ },
  { presetId: 'twilio', name: 'Twilio', pattern: /^AC[0-9a-f]{32}$/ },
];

/** The service this key looks like it belongs to, or null when its shape says nothing. */
export function detectProvider(value: string): ProviderMatch | null {
  const v = value.trim();
  for (const rule of RULES) {
    if (rule.pattern.test(v)) return { presetId: rule.presetId, name: rule.name, mode: rule.mode ? rule.mode(v) : null };
  }
  return null;
}

export interface HygieneCategory {
  name: string;
  icon: string | null;
}

/** Plain-words warnings about a key about to be stored under `category` in `environment`. */
export function keyWarnings(value: string, category: HygieneCategory | null, environment: string): string[] {
  const match = detectProvider(value);
  if (!match) return [];
  const warnings: string[] = [];
  const sameService = category !== null && (category.icon === match.presetId || category.name.toLowerCase() === match.name.toLowerCase());
  if (category && !sameService) warnings.push(`This looks like a${/^[AEIOU]/.test(match.name) ? 'n' : ''} ${match.name} key, not ${category.name}.`);
  if (match.mode === 'live' && environment !== 'production') warnings.push(`This is a live ${match.name} key, but the environment is ${environment}.`);
  if (match.mode === 'test' && environment === 'production') warnings.push(`This is a test ${match.name} key, but the environment is production.`);
  return warnings;
}

// The preset gallery a new vault offers: well-known services as ready-made categories.
import type { CategoryInput } from './model.js';

export interface Preset {
  /** Stable id, also the icon slug the renderer draws. */
  id: string;
  name: string;
  keyType: 'simple' | 'group';
  envVarName: string | null;
  fields: string[];
  /** A short hint shown in the gallery. */
  description: string;
}

export const PRESETS: readonly Preset[] = [
  { id: 'openai', name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY', fields: [], description: 'GPT and embeddings API key' },
  { id: 'anthropic', name: 'Anthropic', keyType: 'simple', envVarName: 'ANTHROPIC_API_KEY', fields: [], description: 'Claude API key' },
  { id: 'stripe', name: 'Stripe', keyType: 'simple', envVarName: 'STRIPE_SECRET_KEY', fields: [], description: 'Secret key (sk_…)' },
  { id: 'github', name: 'GitHub', keyType: 'simple', envVarName: 'GITHUB_TOKEN', fields: [], description: 'Personal access token' },
  {
    id: 'aws',
    name: 'AWS',
    keyType: 'group',
    envVarName: null,
    fields: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'],
    description: 'Access key pair and region',
  },
  {
    id: 'supabase',
    name: 'Supabase',
    keyType: 'group',
    envVarName: null,
    fields: ['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY'],
    description: 'Project URL and keys',
  },
  { id: 'google-ai', name: 'Google AI', keyType: 'simple', envVarName: 'GOOGLE_API_KEY', fields: [], description: 'Gemini API key' },
  {
    id: 'twilio',
    name: 'Twilio',
    keyType: 'group',
    envVarName: null,
    fields: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'],
    description: 'Account SID and auth token',
  },
  { id: 'sendgrid', name: 'SendGrid', keyType: 'simple', envVarName: 'SENDGRID_API_KEY', fields: [], description: 'Mail API key' },
  { id: 'cloudflare', name: 'Cloudflare', keyType: 'simple', envVarName: 'CLOUDFLARE_API_TOKEN', fields: [], description: 'API token' },
  { id: 'vercel', name: 'Vercel', keyType: 'simple', envVarName: 'VERCEL_TOKEN', fields: [], description: 'Access token' },
  { id: 'slack', name: 'Slack', keyType: 'simple', envVarName: 'SLACK_BOT_TOKEN', fields: [], description: 'Bot token (xoxb-…)' },
];

/** Icon slugs for categories the user makes; presets use their own id. */
export const GENERIC_ICONS = ['key', 'database', 'cloud', 'mail', 'lock', 'server', 'globe', 'terminal'] as const;

export function presetToCategoryInput(preset: Preset): CategoryInput {
  return preset.keyType === 'simple'
    ? { name: preset.name, keyType: 'simple', envVarName: preset.envVarName, icon: preset.id }
    : { name: preset.name, keyType: 'group', envVarName: null, fields: [...preset.fields], icon: preset.id };
}

// Master-password strength, one rule for the app and the CLI (issue 14 item 16): zxcvbn-ts's
// score 0–4 with English and common dictionaries; below FAIR_SCORE a password is weak (the app
// refuses it at creation; the CLI warns, and asks on a terminal).
export const STRENGTH_LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;
export const FAIR_SCORE = 2;

export interface ZxcvbnResult {
  score: 0 | 1 | 2 | 3 | 4;
  feedback: { warning: string | null; suggestions: string[] };
}

export interface Strength {
  score: number;
  label: string;
  /** zxcvbn's warning or first suggestion ("This is a top-100 common password"). */
  hint: string | null;
}

export function describeStrength(r: ZxcvbnResult): Strength {
  return { score: r.score, label: STRENGTH_LABELS[r.score], hint: r.feedback.warning || r.feedback.suggestions[0] || null };
}

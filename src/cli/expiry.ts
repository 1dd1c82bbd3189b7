// `token create --expires`: a duration from now or a date.
import { CliError, EXIT } from './errors.js';

/** `30d`, `12h`, `90m`, `2w` from now, or an ISO date / time. */
export function parseExpiry(text: string, now: Date = new Date()): string {
  const relative = /^(\d+)\s*([mhdw])$/i.exec(text.trim());
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[(relative[2] ?? 'd').toLowerCase() as 'm' | 'h' | 'd' | 'w'];
    const amount = Number(relative[1]);
    if (amount <= 0) throw new CliError('--expires must be in the future', EXIT.USAGE);
    return new Date(now.getTime() + amount * unit).toISOString();
  }
  const date = /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new CliError(`--expires ${JSON.stringify(text)}: use 30d, 12h, 90m, 2w or an ISO date`, EXIT.USAGE);
  if (date.getTime() <= now.getTime()) throw new CliError('--expires must be in the future', EXIT.USAGE);
  return date.toISOString();
}

// How the CLI fails: one plain line on stderr and an exit code of DESIGN §5.
import { escapeHidden } from '../shared/names.js';

export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  UNAUTHORIZED: 4,
  LOCKED: 5,
  CONFLICT: 6,
} as const;

/** An expected failure: its message is shown as is, without a stack. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.ERROR) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** An error answer of the local API (`{error, code, details}`). */
export class ApiError extends CliError {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message, exitCodeForApiError(code, status));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const EXIT_BY_CODE: Record<string, number> = {
  VALIDATION_FAILED: EXIT.USAGE,
  UNAUTHORIZED: EXIT.UNAUTHORIZED,
  INVALID_PASSWORD: EXIT.UNAUTHORIZED,
  SCOPE_REQUIRED: EXIT.UNAUTHORIZED,
  REQUEST_DENIED: EXIT.UNAUTHORIZED,
  // Too many failed authentications: the request is refused as unauthorized.
  RATE_LIMITED: EXIT.UNAUTHORIZED,
  NOT_FOUND: EXIT.NOT_FOUND,
  CONFLICT: EXIT.CONFLICT,
  EXPORT_CONFLICT: EXIT.CONFLICT,
  VAULT_TAMPERED: EXIT.CONFLICT,
  VAULT_ROLLED_BACK: EXIT.CONFLICT,
  VAULT_LOCKED: EXIT.LOCKED,
  UNREPRESENTABLE: EXIT.ERROR,
};

const EXIT_BY_STATUS: Record<number, number> = {
  400: EXIT.USAGE,
  401: EXIT.UNAUTHORIZED,
  403: EXIT.UNAUTHORIZED,
  404: EXIT.NOT_FOUND,
  409: EXIT.CONFLICT,
  423: EXIT.LOCKED,
};

/** Maps an API (or core) error code, else its HTTP status, to the CLI's exit code. */
export function exitCodeForApiError(code: string | undefined, status?: number): number {
  if (code !== undefined && code in EXIT_BY_CODE) return EXIT_BY_CODE[code] ?? EXIT.ERROR;
  if (status !== undefined) return EXIT_BY_STATUS[status] ?? EXIT.ERROR;
  return EXIT.ERROR;
}

/** One line for a person: the message (every invalid field when the API only counted them). */
export function describeError(e: unknown): { message: string; exitCode: number } {
  if (e instanceof ApiError) {
    let message = e.message;
    // The API's sentence names each field once; past a few it ends "(see details)": the CLI has
    // the room to list them all.
    if (e.code === 'VALIDATION_FAILED' && message.endsWith('(see details)')) {
      const fields = Object.entries(e.details).filter(([, v]) => typeof v === 'string');
      if (fields.length > 0) message = fields.map(([k, v]) => `${k} ${String(v)}`).join('; ');
    }
    return { message: oneLine(message), exitCode: e.exitCode };
  }
  if (e instanceof CliError) return { message: oneLine(e.message), exitCode: e.exitCode };
  if (isCoded(e)) {
    // A KeydenError from the core (owner and admin commands): recognised by its code.
    return { message: oneLine(e.message), exitCode: exitCodeForApiError(e.code) };
  }
  if (e instanceof Error) return { message: oneLine(`unexpected error: ${e.message}`), exitCode: EXIT.ERROR };
  return { message: 'unexpected error', exitCode: EXIT.ERROR };
}

function isCoded(e: unknown): e is Error & { code: string } {
  if (!(e instanceof Error)) return false;
  const code: unknown = (e as Error & { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code);
}

/** One line, with any invisible or direction-changing character of a name in it shown as `\u202E`. */
export function oneLine(s: string): string {
  return escapeHidden(s.replace(/\s*[\r\n]+\s*/g, ' ').trim());
}

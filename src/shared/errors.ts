// Errors that cross process and HTTP boundaries are recognised by `code`, never by `instanceof`.
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  INVALID_PASSWORD: 401,
  SCOPE_REQUIRED: 403,
  ORIGIN_FORBIDDEN: 403,
  REQUEST_DENIED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  EXPORT_CONFLICT: 409,
  VAULT_TAMPERED: 409,
  VAULT_ROLLED_BACK: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MISDIRECTED: 421,
  UNREPRESENTABLE: 422,
  VAULT_LOCKED: 423,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  // Not sent over HTTP: the vault file itself is unusable (admin commands, app start-up).
  VAULT_INVALID: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export type ErrorDetails = Record<string, unknown>;

/** An expected failure with a message for a person. Never carries a secret. */
export class KeydenError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'KeydenError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export interface ErrorBody {
  error: string;
  code: ErrorCode;
  details: ErrorDetails;
}

export function isKeydenError(e: unknown): e is KeydenError {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string' &&
    (e as { code: string }).code in ERROR_STATUS && e instanceof Error;
}

/**
 * A zod error's issues as `details`: the field's path ("fields.1") → a predicate about it (see
 * plain-errors.ts). An unknown field is named by its own path (`{ colour: "is not a known field" }`),
 * so every detail is about one field.
 */
export function issuesToDetails(issues: ReadonlyArray<{ code?: string; path: ReadonlyArray<PropertyKey>; message: string; keys?: readonly string[] }>): ErrorDetails {
  const details: Record<string, string> = {};
  const add = (key: string, text: string): void => {
    // Own properties only: a field named constructor must not read Object.prototype's.
    if (!Object.hasOwn(details, key)) Object.defineProperty(details, key, { value: text, enumerable: true, writable: true, configurable: true });
  };
  for (const issue of issues) {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys' && issue.keys) for (const k of issue.keys) add([...at, k].join('.'), 'is not a known field');
    else add(at.join('.') || '(body)', issue.message);
  }
  return details;
}

const SHOWN = 3;

/** The top-level error of a validation failure: one sentence naming each bad field ("name is required; value must be text"). */
export function sentenceOf(details: Readonly<Record<string, string>>): string {
  const parts = Object.entries(details).map(([field, text]) => (field === '(body)' ? `the request ${text}` : `${field} ${text}`));
  if (parts.length <= SHOWN + 1) return parts.join('; ');
  return `${parts.slice(0, SHOWN).join('; ')}; and ${parts.length - SHOWN} more problems (see details)`;
}

// Errors that cross process and HTTP boundaries are recognised by `code`, never by `instanceof`.
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  INVALID_PASSWORD: 401,
  SCOPE_REQUIRED: 403,
  ORIGIN_FORBIDDEN: 403,
  REQUEST_DENIED: 403,
  NOT_FOUND: 404,
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

/** Turns a zod error's issues into `{ "field.path": "message" }` for `details`. */
export function issuesToDetails(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): ErrorDetails {
  const details: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join('.') || '(body)';
    details[key] ??= issue.message;
  }
  return details;
}

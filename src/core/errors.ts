/**
 * One error class for the whole domain. Codes are stable strings that clients may rely on;
 * the HTTP status for each code is decided in exactly one place (src/http/errors.ts).
 */
export const errorCodes = [
  'ERR_VALIDATION',
  'ERR_NOT_FOUND',
  'ERR_UNAUTHENTICATED',
  'ERR_FORBIDDEN',
  'ERR_CONFLICT',
  'ERR_ILLEGAL_TRANSITION',
  'ERR_RATE_LIMITED',
  'ERR_LOGIN_FAILED',
  'ERR_LOGIN_BACKOFF',
  'ERR_TOTP_REQUIRED',
  'ERR_TOTP_INVALID',
  'ERR_TOTP_ENROLMENT_REQUIRED',
  'ERR_TOKEN_EXPIRED',
  'ERR_TOKEN_INVALID',
  'ERR_CSRF',
  'ERR_EMAIL_TAKEN',
  'ERR_LAST_ADMIN',
  'ERR_RESTORE_NOT_EMPTY',
  'ERR_CONFIG',
  'ERR_INTERNAL',
  /** An external service (CVE Services) refused or did not answer; details quote its answer. */
  'ERR_UPSTREAM',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export type ErrorDetails = Record<string, unknown>;

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

/** The one answer for "missing" and "not allowed to see": nobody learns a hidden row exists. */
export function notFound(what: string, id: string): AppError {
  return new AppError('ERR_NOT_FOUND', `${what} ${id} was not found`, { resource: what, id });
}

export function validation(message: string, details: ErrorDetails = {}): AppError {
  return new AppError('ERR_VALIDATION', message, details);
}

export function conflict(message: string, details: ErrorDetails = {}): AppError {
  return new AppError('ERR_CONFLICT', message, details);
}

/** Whatever was thrown, as an Error (libraries sometimes throw strings or plain objects). */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}

import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, type ErrorCode } from '../core/errors.ts';

/** The one place where error codes become HTTP statuses. */
export const httpStatus = {
  ERR_VALIDATION: 400,
  ERR_NOT_FOUND: 404,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403,
  ERR_CONFLICT: 409,
  ERR_ILLEGAL_TRANSITION: 409,
  ERR_RATE_LIMITED: 429,
  ERR_LOGIN_FAILED: 401,
  ERR_LOGIN_BACKOFF: 429,
  ERR_TOTP_REQUIRED: 401,
  ERR_TOTP_INVALID: 401,
  ERR_TOTP_ENROLMENT_REQUIRED: 403,
  ERR_TOKEN_EXPIRED: 401,
  ERR_TOKEN_INVALID: 401,
  ERR_CSRF: 403,
  ERR_EMAIL_TAKEN: 409,
  ERR_LAST_ADMIN: 409,
  ERR_RESTORE_NOT_EMPTY: 409,
  ERR_CONFIG: 500,
  ERR_INTERNAL: 500,
  ERR_UPSTREAM: 502,
} as const satisfies Record<ErrorCode, number>;

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, details } };
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Turns ajv's findings into messages a person can act on. */
function describeValidation(
  context: string,
  issues: AjvIssue[],
): { message: string; issues: { path: string; message: string }[] } {
  const list = issues.map((i) => {
    const path = `${context}${i.instancePath ?? ''}`;
    if (i.keyword === 'additionalProperties') {
      const field = str(i.params?.additionalProperty);
      return { path, message: `${path} has an unknown field "${field}"; remove it` };
    }
    if (i.keyword === 'required') {
      return { path, message: `${path} is missing the required field "${str(i.params?.missingProperty)}"` };
    }
    return { path, message: `${path} ${i.message ?? 'is not valid'}` };
  });
  return { message: list.map((l) => l.message).join('; ') || `${context} is not valid`, issues: list };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validation?: AjvIssue[]; validationContext?: string }, request, reply) => {
    if (err instanceof AppError) {
      const status = httpStatus[err.code];
      if (status >= 500) request.log.error({ err }, err.message);
      if (err.code === 'ERR_LOGIN_BACKOFF' && typeof err.details.retryAfter === 'number') {
        void reply.header('retry-after', String(err.details.retryAfter));
      }
      return reply
        .status(status)
        .send(
          errorBody(
            err.code,
            status >= 500 ? 'internal error' : err.message,
            status >= 500 ? { requestId: request.id } : err.details,
          ),
        );
    }
    if (err.validation) {
      const { message, issues } = describeValidation(err.validationContext ?? 'body', err.validation);
      return reply.status(400).send(errorBody('ERR_VALIDATION', message, { issues }));
    }
    const status = err.statusCode ?? 500;
    if (status === 429) {
      return reply
        .status(429)
        .send(errorBody('ERR_RATE_LIMITED', 'too many requests: slow down and try again later', {}));
    }
    if (status >= 400 && status < 500) {
      const message =
        err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
          ? 'the request body is not valid JSON'
          : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
            ? 'the request body is too large'
            : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
              ? 'send the body as application/json'
              : err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
                ? 'the request body is empty; send a JSON object'
                : err.message;
      return reply.status(status).send(errorBody('ERR_VALIDATION', message, { fastifyCode: err.code }));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(
      errorBody('ERR_INTERNAL', 'internal error; the request id identifies it in the server log', {
        requestId: request.id,
      }),
    );
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Ctx, Logger } from '../app/context.ts';
import type { AuthCache } from '../auth/cache.ts';
import { safeEqual } from '../auth/secrets.ts';
import { resolveSession, type Authenticated } from '../auth/sessions.ts';
import { resolveApiToken } from '../auth/tokens.ts';
import type { Config } from '../config/config.ts';
import { AppError } from '../core/errors.ts';
import { findReportByLink, REPORT_LINK_PREFIX } from '../reports/queries.ts';
import type { Database } from '../db/schema.ts';
import { anonymous, type Actor } from '../policy/actor.ts';

export const SESSION_COOKIE = 'accord_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Services {
  db: Kysely<Database>;
  config: Config;
  log: Logger;
  now: () => Date;
  /** Per-process authentication cache (see auth/cache.ts); without it every request reads the database. */
  authCache?: AuthCache | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Authenticated | null;
    actor: Actor;
  }
  interface FastifyContextConfig {
    /** Routes a staff member without TOTP may still use when 2FA is mandatory. */
    allowWithout2fa?: boolean;
  }
}

/** The command context for this request. */
export function ctxOf(services: Services, request: FastifyRequest): Ctx {
  return {
    db: services.db,
    config: services.config,
    log: request.log,
    now: services.now,
    actor: request.actor,
    meta: { requestId: request.id, ip: request.ip },
    afterCommit: services.authCache ? () => services.authCache?.flush() : undefined,
  };
}

/** Signed-in user required; answers 401 otherwise. */
export function requireAuth(request: FastifyRequest): Authenticated {
  if (!request.auth)
    throw new AppError('ERR_UNAUTHENTICATED', 'sign in first, or send Authorization: Bearer <API token>');
  return request.auth;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller (Bearer token, else session cookie), then guards writes: a request with
 * a foreign Origin is refused, and a cookie-authenticated write needs the session's CSRF token.
 */
export function installAuth(app: FastifyInstance, services: Services): void {
  app.decorateRequest('auth', null);
  app.decorateRequest('actor', null as never);
  const ownOrigin = new URL(services.config.baseUrl).origin;

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    request.actor = anonymous;
    if (!request.url.startsWith('/api/')) return;
    const unsafe = !SAFE_METHODS.has(request.method);
    const origin = request.headers.origin;
    if (unsafe && origin && origin !== ownOrigin && origin !== `${request.protocol}://${request.host}`) {
      throw new AppError('ERR_CSRF', `requests from ${origin} are not accepted; use the Accord web UI or an API token`);
    }
    const ctx = ctxOf(services, request);
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw new AppError('ERR_TOKEN_INVALID', 'the Authorization header must be "Bearer <API token>"');
      if (match[1].startsWith(REPORT_LINK_PREFIX)) {
        // A finder's follow-up link: opens that one report's shared part, nothing else.
        const report = await findReportByLink(services.db, match[1]);
        if (!report) {
          throw new AppError(
            'ERR_TOKEN_INVALID',
            'this follow-up link is not valid; use the link from your confirmation',
          );
        }
        request.actor = { kind: 'report_link', reportId: report.id, trackingId: report.tracking_id };
        return;
      }
      request.auth = await resolveApiToken(ctx, match[1], services.authCache);
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie) {
        request.auth = await resolveSession(ctx, cookie, services.authCache);
        if (!request.auth) void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        if (
          request.auth?.session &&
          unsafe &&
          !safeEqual(String(request.headers[CSRF_HEADER] ?? ''), request.auth.session.csrfToken)
        ) {
          throw new AppError(
            'ERR_CSRF',
            `cookie-authenticated writes need the ${CSRF_HEADER} header from GET /api/v1/me`,
          );
        }
      }
    }
    if (!request.auth) return;
    request.actor = request.auth.actor;
    if (request.auth.totpEnrolmentRequired && !request.routeOptions.config.allowWithout2fa) {
      throw new AppError(
        'ERR_TOTP_ENROLMENT_REQUIRED',
        'staff must use two-factor authentication here: set it up under Profile first',
      );
    }
  });
}

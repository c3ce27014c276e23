import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ctxOf, CSRF_HEADER, requireAuth, SESSION_COOKIE, type Services } from '../http/auth.ts';
import { Body, Email, errorResponses, Password } from '../http/schemas.ts';
import { staffCapabilities } from '../policy/policy.ts';
import { presentUser } from '../users/present.ts';
import { UserSchema } from '../users/schemas.ts';
import { requestPasswordReset, resetPassword } from './reset.ts';
import { login, logout } from './sessions.ts';
import { createApiToken, listApiTokens, revokeApiToken } from './tokens.ts';
import { beginTotpEnrolment, confirmTotpEnrolment, disableTotp } from './twofactor.ts';
import { changePassword, updateProfile } from '../users/commands.ts';

const Me = Type.Object({
  user: UserSchema,
  csrfToken: Type.Union([Type.String(), Type.Null()]),
  staffRole: Type.Union([Type.String(), Type.Null()]),
  capabilities: Type.Array(Type.String()),
  authenticatedBy: Type.String(),
  instanceName: Type.String(),
  /** Staff must enrol TOTP before anything else (admin setting). */
  totpEnrolmentRequired: Type.Boolean(),
});

const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

/** Sign-in, the signed-in user's own profile, API tokens, TOTP and password reset. */
export function authRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const authLimit = { rateLimit: { max: services.config.rateLimit.authPerMinute, timeWindow: 60_000 } };

  r.post(
    '/api/v1/session',
    {
      config: authLimit,
      schema: {
        tags: ['session'],
        summary: 'Sign in with e-mail, password and (when enrolled) a TOTP or recovery code; sets the session cookie',
        body: Body({ email: Email, password: Password, totp: Type.Optional(Type.String({ maxLength: 32 })) }),
        response: {
          200: Type.Object({ user: UserSchema, csrfToken: Type.String(), expiresAt: Type.String() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const ctx = ctxOf(services, request);
      const result = await login(ctx, body, request.headers['user-agent'] ?? null);
      void reply.setCookie(SESSION_COOKIE, result.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: services.config.secureCookies,
        expires: result.expiresAt,
      });
      return {
        user: presentUser(result.user, result.memberships, result.actor),
        csrfToken: result.csrfToken,
        expiresAt: result.expiresAt.toISOString(),
      };
    },
  );

  r.delete(
    '/api/v1/session',
    {
      config: { allowWithout2fa: true },
      schema: {
        tags: ['session'],
        summary: 'Sign out (ends the cookie session)',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      if (auth.session) await logout(ctxOf(services, request), auth.session.id);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/me',
    {
      config: { allowWithout2fa: true },
      schema: {
        tags: ['me'],
        summary: `The caller, their capabilities and the CSRF token to send as ${CSRF_HEADER}`,
        response: { 200: Me, ...errorResponses },
      },
    },
    async (request) => {
      const auth = requireAuth(request);
      const role = auth.actor.staffRole;
      return {
        user: presentUser(auth.user, auth.memberships, auth.actor),
        csrfToken: auth.session?.csrfToken ?? null,
        staffRole: role,
        capabilities: role ? [...staffCapabilities[role]] : [],
        authenticatedBy: auth.session ? 'session' : 'token',
        instanceName: services.config.instanceName,
        totpEnrolmentRequired: auth.totpEnrolmentRequired,
      };
    },
  );

  r.patch(
    '/api/v1/me',
    {
      schema: {
        tags: ['me'],
        summary: 'Change your name, locale, time zone or OpenPGP public key',
        body: Body({
          name: Type.Optional(Type.String({ maxLength: 200 })),
          locale: Type.Optional(Type.String({ maxLength: 10 })),
          timeZone: Type.Optional(Type.String({ maxLength: 64 })),
          pgpPublicKey: Type.Optional(Type.Union([Type.String({ maxLength: 100_000 }), Type.Null()])),
        }),
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = requireAuth(request);
      const ctx = ctxOf(services, request);
      const user = await updateProfile(ctx, auth.user.id, request.body);
      return presentUser(user, auth.memberships, ctx.actor);
    },
  );

  r.post(
    '/api/v1/me/password',
    {
      config: authLimit,
      schema: {
        tags: ['me'],
        summary: 'Change your password (ends your other sessions)',
        body: Body({ currentPassword: Password, newPassword: Password }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const body = request.body;
      await changePassword(ctxOf(services, request), { ...body, keepSessionId: auth.session?.id ?? null });
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/me/totp',
    {
      config: { allowWithout2fa: true },
      schema: {
        tags: ['me'],
        summary: 'Start TOTP enrolment: returns the secret, an otpauth:// URI and a QR code (SVG)',
        response: {
          200: Type.Object({ secret: Type.String(), uri: Type.String(), qrSvg: Type.String() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      requireAuth(request);
      return beginTotpEnrolment(ctxOf(services, request));
    },
  );

  r.post(
    '/api/v1/me/totp/confirm',
    {
      config: { allowWithout2fa: true },
      schema: {
        tags: ['me'],
        summary: 'Finish TOTP enrolment with the first code; returns recovery codes once',
        body: Body({ code: Type.String({ minLength: 6, maxLength: 10 }) }),
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      return confirmTotpEnrolment(ctxOf(services, request), request.body.code);
    },
  );

  r.delete(
    '/api/v1/me/totp',
    {
      schema: {
        tags: ['me'],
        summary: 'Turn TOTP off (needs the password and a current code)',
        body: Body({ password: Password, code: Type.String({ minLength: 6, maxLength: 32 }) }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await disableTotp(ctxOf(services, request), request.body);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Your personal API tokens (never the secret)',
        response: { 200: Type.Object({ items: Type.Array(TokenView) }), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const items = await listApiTokens(ctxOf(services, request));
      return { items: items.map(isoToken) };
    },
  );

  r.post(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create a personal API token; the token is in this answer only',
        body: Body({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
        }),
        response: { 201: Type.Object({ token: Type.String(), apiToken: TokenView }), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const created = await createApiToken(ctxOf(services, request), request.body);
      return reply.status(201).send({ token: created.token, apiToken: isoToken(created.view) });
    },
  );

  r.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Revoke one of your API tokens',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await revokeApiToken(ctxOf(services, request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/password-reset',
    {
      config: authLimit,
      schema: {
        tags: ['session'],
        summary:
          'Ask for a password-reset link by e-mail (the answer is the same whether or not the address has an account)',
        body: Body({ email: Email }),
        response: { 202: Type.Object({ status: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(ctxOf(services, request), request.body.email);
      return reply.status(202).send({ status: 'if the address has an account, a reset link is on its way' });
    },
  );

  r.post(
    '/api/v1/password-reset/confirm',
    {
      config: authLimit,
      schema: {
        tags: ['session'],
        summary: 'Set a new password with the token from the reset link',
        body: Body({ token: Type.String({ minLength: 10, maxLength: 200 }), password: Password }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      await resetPassword(ctxOf(services, request), body.token, body.password);
      return reply.status(204).send(null);
    },
  );
}

function isoToken(t: {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}) {
  return {
    ...t,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireAuth, type Services } from '../http/auth.ts';
import { errorResponses, PageOf, PageQuery } from '../http/schemas.ts';
import { authorize, instance } from '../policy/policy.ts';
import { listOutbox } from './queries.ts';

const OutboxMail = Type.Object({
  id: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  sentAt: Type.Union([Type.String(), Type.Null()]),
});

/** The mail outbox, for admins: without SMTP this is where mail is read. */
export function mailRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/admin/outbox',
    {
      schema: {
        tags: ['admin'],
        summary: 'Outgoing mail, newest first (admin)',
        querystring: Type.Object(
          { to: Type.Optional(Type.String({ maxLength: 254 })), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(OutboxMail), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      authorize(request.actor, 'outbox:read', instance);
      const page = await listOutbox(services.db, request.query);
      return {
        items: page.items.map((m) => ({
          id: m.id,
          to: m.to_address,
          subject: m.subject,
          text: m.body_text,
          status: m.status,
          attempts: m.attempts,
          lastError: m.last_error,
          createdAt: m.created_at.toISOString(),
          sentAt: m.sent_at?.toISOString() ?? null,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );
}

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireAuth, type Services } from '../http/auth.ts';
import { errorResponses, PageOf, PageQuery } from '../http/schemas.ts';
import { authorize, instance } from '../policy/policy.ts';
import { listAuditEvents } from './queries.ts';
import { verifyAuditChain } from './verify.ts';

const AuditEvent = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  occurredAt: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorLabel: Type.String(),
  action: Type.String(),
  subjectType: Type.String(),
  subjectId: Type.Union([Type.String(), Type.Null()]),
  summary: Type.Record(Type.String(), Type.Unknown()),
  requestId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  hash: Type.String(),
});

/** The audit log, for admins only. */
export function auditRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit events, newest first; filter by action (or prefix like "user.*"), actor, subject, time',
        querystring: Type.Object(
          {
            action: Type.Optional(Type.String({ maxLength: 100 })),
            actorId: Type.Optional(Type.String({ format: 'uuid' })),
            subjectType: Type.Optional(Type.String({ maxLength: 50 })),
            subjectId: Type.Optional(Type.String({ maxLength: 100 })),
            since: Type.Optional(Type.String({ maxLength: 40 })),
            until: Type.Optional(Type.String({ maxLength: 40 })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(AuditEvent), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      authorize(request.actor, 'audit:read', instance);
      const page = await listAuditEvents(services.db, request.query);
      return {
        items: page.items.map((e) => ({
          seq: e.seq,
          id: e.id,
          occurredAt: e.occurred_at.toISOString(),
          actorId: e.actor_id,
          actorLabel: e.actor_label,
          action: e.action,
          subjectType: e.subject_type,
          subjectId: e.subject_id,
          summary: e.summary,
          requestId: e.request_id,
          ip: e.ip,
          hash: e.hash,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  r.get(
    '/api/v1/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Check the hash chain; reports the first altered, missing or cut-off event',
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            checked: Type.Integer(),
            problem: Type.Union([
              Type.Object({ kind: Type.String(), seq: Type.Integer(), message: Type.String() }),
              Type.Null(),
            ]),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      requireAuth(request);
      authorize(request.actor, 'audit:read', instance);
      return verifyAuditChain(services.db);
    },
  );
}

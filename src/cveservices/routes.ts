import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../core/errors.ts';
import type { CveReservationRow } from '../db/schema.ts';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { Body, errorResponses, PageOf, PageQuery } from '../http/schemas.ts';
import { mayReadReservations } from '../policy/cveservices.ts';
import { publishCveRecord, rejectCveId, reserveCveIds, syncCveIds } from './commands.ts';
import { listReservations } from './queries.ts';

const Loose = Type.Object({}, { additionalProperties: true });
const CveParams = Type.Object({ cveId: Type.String({ maxLength: 32 }) }, { additionalProperties: false });
const states = ['RESERVED', 'PUBLISHED', 'REJECTED'] as const;

function present(r: CveReservationRow) {
  return {
    id: r.id,
    cveId: r.cve_id,
    state: r.state,
    vulnerabilityId: r.vulnerability_id,
    advisoryId: r.advisory_id,
    requestedBy: r.requested_by,
    reservedAt: r.reserved_at,
    publishedAt: r.published_at,
    rejectedAt: r.rejected_at,
    createdAt: r.created_at,
  };
}

/** CVE Services for CNAs (staff): reserve CVE ids, list them, publish a record from an advisory, reject, sync. */
export function cveServicesRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/cve-services/reservations',
    {
      schema: {
        tags: ['cve-services'],
        summary: 'CVE ids reserved or published through CVE Services (staff)',
        querystring: Type.Object(
          { state: Type.Optional(Type.Union(states.map((s) => Type.Literal(s)))), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(Loose), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      if (!mayReadReservations(request.actor)) {
        throw new AppError('ERR_FORBIDDEN', 'CVE reservations are for staff');
      }
      return listReservations(services.db, request.actor, request.query);
    },
  );

  r.post(
    '/api/v1/cve-services/reservations',
    {
      schema: {
        tags: ['cve-services'],
        summary:
          'Reserve CVE ids: one for a case vulnerability (its lead or a coordinator), or up to 50 for later ' +
          '(admins and coordinators)',
        body: Body({
          amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
          year: Type.Optional(Type.Integer({ minimum: 1999, maximum: 9999 })),
          caseId: Type.Optional(Type.String({ maxLength: 64 })),
          vulnerabilityId: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const { caseId, ...rest } = request.body;
      const result = await reserveCveIds(ctxOf(services, request), { ...rest, caseRef: caseId });
      return reply.status(201).send({ items: result.reservations.map(present), fromPool: result.fromPool });
    },
  );

  r.post(
    '/api/v1/cve-services/records/:cveId',
    {
      schema: {
        tags: ['cve-services'],
        summary:
          'Publish (or update) the CVE record of an approved TLP:CLEAR advisory, or of a case vulnerability through ' +
          "its case's advisory, once the case is public",
        params: CveParams,
        body: Body({
          advisory: Type.Optional(Type.String({ maxLength: 64 })),
          vulnerabilityId: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const result = await publishCveRecord(ctxOf(services, request), request.params.cveId, request.body);
      return {
        cveId: result.cveId,
        action: result.action,
        advisoryId: result.advisoryId,
        trackingId: result.trackingId,
        record: result.record,
      };
    },
  );

  r.post(
    '/api/v1/cve-services/reservations/:cveId/reject',
    {
      schema: {
        tags: ['cve-services'],
        summary: 'Reject a reserved CVE id no record uses (admins and coordinators)',
        params: CveParams,
        body: Body({ reason: Type.String({ minLength: 3, maxLength: 4000 }) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      return present(await rejectCveId(ctxOf(services, request), request.params.cveId, request.body.reason));
    },
  );

  r.post(
    '/api/v1/cve-services/sync',
    {
      schema: {
        tags: ['cve-services'],
        summary: "Record the ids CVE Services holds for this CNA's user (after a failure), with their state",
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      return syncCveIds(ctxOf(services, request));
    },
  );
}

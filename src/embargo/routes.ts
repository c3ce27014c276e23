import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { loadVisibleCase } from '../cases/queries.ts';
import { notFound } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import type { CaseRow, EmbargoCordRow, EmbargoProposalRow } from '../db/schema.ts';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { Body, errorResponses, IdParams } from '../http/schemas.ts';
import { findOrgById } from '../orgs/queries.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can, type CaseResource } from '../policy/policy.ts';
import { emAllowedEvents, emStateLabels, type EmState } from '../vultron/em.ts';
import {
  decideConsent,
  defineCord,
  finderDecideConsent,
  proposeEmbargo,
  pullCord,
  setOrgEmbargoMaximum,
  terminateEmbargo,
} from './commands.ts';
import {
  consents,
  cords,
  defaultRequired,
  embargoStart,
  findEmbargo,
  orgEmbargoMaximum,
  participantInfo,
  proposals,
  viewerTimeZone,
  type ConsentView,
} from './queries.ts';
import { cordTriggers, defaultEnd, formatInZone, parseBusinessHours, warningCodes } from './rules.ts';

const Loose = Type.Object({}, { additionalProperties: true });
const Ref = Type.Object({ ref: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const Text = (max: number) => Type.String({ maxLength: max });

/**
 * The case's embargo: its EM state, the end in the embargo's zone and in the viewer's, consent per
 * participant, the history of proposals, the parachute cords. Read by whoever reads the full case
 * (others get 404, like the case itself); the case lead and coordinators manage it; participants
 * consent and pull cords.
 */
export function embargoRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const db = services.db;

  /** The case for a reader of the full case; a participant that has not accepted the terms gets 404. */
  async function loadFull(actor: Actor, ref: string): Promise<{ c: CaseRow; resource: CaseResource }> {
    const { c, resource } = await loadVisibleCase(db, actor, ref);
    if (!can(actor, 'case:read_full', resource)) throw notFound('case', ref);
    return { c, resource };
  }

  function presentCord(cord: EmbargoCordRow) {
    return {
      id: cord.id,
      trigger: cord.trigger,
      description: cord.description,
      createdAt: cord.created_at.toISOString(),
      pulledAt: cord.pulled_at?.toISOString() ?? null,
      pulledBy: cord.pulled_by_label,
      evidenceUrl: cord.evidence_url,
      evidenceNote: cord.evidence_note,
    };
  }

  async function present(actor: Actor, c: CaseRow, resource: CaseResource) {
    const [e, all, cordRows, participants, viewerZone] = await Promise.all([
      findEmbargo(db, c.id),
      proposals(db, c.id),
      cords(db, c.id),
      participantInfo(db, c.id),
      viewerTimeZone(db, actor),
    ]);
    const state: EmState = e?.em_state ?? 'N';
    const consentRows = await consents(
      db,
      all.map((p) => p.id),
    );
    const manage = can(actor, 'case:manage', resource);
    const seesAll = manage || (actor.kind === 'user' && actor.staffRole !== null);
    const myOrgs = new Set(resource.participation.filter((p) => p.accepted && p.allowed).map((p) => p.orgId));
    const when = (at: Date, zone: string) => ({
      at: at.toISOString(),
      timeZone: zone,
      local: formatInZone(at, zone),
      viewerTimeZone: viewerZone,
      viewerLocal: formatInZone(at, viewerZone),
    });
    const proposalView = (p: EmbargoProposalRow) => ({
      id: p.id,
      seq: p.seq,
      revision: p.revision,
      status: p.status,
      localEnd: p.local_end,
      end: when(p.ends_at, p.time_zone),
      rationale: p.rationale,
      proposedBy: p.proposed_by_label,
      acknowledgedWarnings: p.acknowledged_warnings,
      createdAt: p.created_at.toISOString(),
      decidedAt: p.decided_at?.toISOString() ?? null,
      // Another participant's answer is its own case information (like its progress): the lead and staff
      // see every consent, participants their own, and everyone the counts.
      consents: consentRows
        .filter((x) => x.proposalId === p.id)
        .filter((x) => seesAll || (x.orgId !== null && myOrgs.has(x.orgId)))
        .map((x: ConsentView) => ({
          ...x,
          mine: x.orgId !== null && myOrgs.has(x.orgId),
        })),
      consentCounts: Object.fromEntries(
        ['invited', 'signatory', 'declined', 'lapsed'].map((st) => [
          st,
          consentRows.filter((x) => x.proposalId === p.id && x.state === st).length,
        ]),
      ),
    });
    const pending = all.find((p) => p.id === e?.pending_proposal_id) ?? null;
    const current = all.find((p) => p.id === e?.active_proposal_id) ?? null;
    const hours = parseBusinessHours(
      `${services.config.embargo.businessHours.start}-${services.config.embargo.businessHours.end}`,
    ) ?? { start: 540, end: 1020 };
    const zone = e?.time_zone ?? services.config.sla.timeZone;
    const pulled = cordRows
      .filter((x) => x.pulled_at)
      .sort((a, b) => b.pulled_at!.getTime() - a.pulled_at!.getTime())[0];
    const statement = can(actor, 'case:statement', resource);
    const answerable = pending
      ? consentRows.filter(
          (x) => x.proposalId === pending.id && x.state === 'invited' && (manage || (x.orgId && myOrgs.has(x.orgId))),
        )
      : [];
    return {
      caseId: c.case_id,
      state,
      stateLabel: emStateLabels[state],
      end: e?.ends_at && (state === 'A' || state === 'R') ? when(e.ends_at, e.time_zone ?? zone) : null,
      graceUntil: e?.grace_until?.toISOString() ?? null,
      exitReason: e?.exit_reason ?? null,
      exitedAt: e?.exited_at?.toISOString() ?? null,
      current: current ? proposalView(current) : null,
      pending: pending ? proposalView(pending) : null,
      history: all.map(proposalView),
      cords: cordRows.map(presentCord),
      alert: pulled ? presentCord(pulled) : null,
      triggers: cordTriggers,
      warningCodes,
      defaults: manage
        ? {
            timeZone: zone,
            end: defaultEnd(
              await embargoStart(db, c),
              services.config.embargo.defaultDays,
              zone,
              hours,
              services.config.sla.holidays,
            ),
            defaultDays: services.config.embargo.defaultDays,
            requiredParticipantIds: defaultRequired(participants).map((p) => p.participantId),
            participants: participants.map((p) => ({ id: p.participantId, name: p.name, role: p.role })),
          }
        : null,
      allowed: {
        propose: manage && state !== 'X' && emAllowedEvents(state).includes('propose'),
        terminate: manage && emAllowedEvents(state).includes('terminate'),
        defineCords: manage && state !== 'X',
        pullCords: (manage || statement) && state !== 'N' && state !== 'X',
        consentFor: answerable.map((x) => ({ participantId: x.participantId, name: x.name })),
      },
    };
  }

  r.get(
    '/api/v1/cases/:ref/embargo',
    {
      schema: {
        tags: ['embargo'],
        summary: "The case's embargo: state, end (its zone and yours), consents, proposals, parachute cords",
        params: Ref,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const { c, resource } = await loadFull(request.actor, request.params.ref);
      return present(request.actor, c, resource);
    },
  );

  r.post(
    '/api/v1/cases/:ref/embargo/proposals',
    {
      schema: {
        tags: ['embargo'],
        summary: 'Propose an embargo end (a revision while one is in force); repeat with acknowledgeWarnings',
        params: Ref,
        body: Body({
          end: Type.Optional(Text(32)),
          timeZone: Type.Optional(Text(64)),
          rationale: Type.Optional(Text(10_000)),
          requiredParticipantIds: Type.Optional(Type.Array(Text(64), { maxItems: 200 })),
          acknowledgeWarnings: Type.Optional(Type.Array(Text(64), { maxItems: 20 })),
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const result = await proposeEmbargo(ctxOf(services, request), request.params.ref, request.body);
      const { c, resource } = await loadFull(request.actor, request.params.ref);
      return reply.status(201).send({ ...(await present(request.actor, c, resource)), warnings: result.warnings });
    },
  );

  r.post(
    '/api/v1/cases/:ref/embargo/consent',
    {
      schema: {
        tags: ['embargo'],
        summary: 'Accept or decline the pending proposal for your organization (staff: for a participant)',
        params: Ref,
        body: Body({
          decision: Type.Union([Type.Literal('accept'), Type.Literal('decline')]),
          participantId: Type.Optional(Text(64)),
          acceptLongerThanMaximum: Type.Optional(Type.Boolean()),
          note: Type.Optional(Text(5000)),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await decideConsent(ctxOf(services, request), request.params.ref, request.body);
      const { c, resource } = await loadFull(request.actor, request.params.ref);
      return present(request.actor, c, resource);
    },
  );

  r.post(
    '/api/v1/reports/:ref/cases/:caseRef/embargo/consent',
    {
      config: { rateLimit: { max: services.config.rateLimit.reportsPerHour, timeWindow: 3600_000 } },
      schema: {
        tags: ['embargo'],
        summary: "The finder accepts or declines the pending proposal (follow-up link or the finder's account)",
        params: Type.Object(
          { ref: Type.String({ maxLength: 64 }), caseRef: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        body: Body({
          decision: Type.Union([Type.Literal('accept'), Type.Literal('decline')]),
          note: Type.Optional(Text(5000)),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const { ref, caseRef } = request.params;
      return finderDecideConsent(ctxOf(services, request), ref, caseRef, request.body);
    },
  );

  r.post(
    '/api/v1/cases/:ref/embargo/terminate',
    {
      schema: {
        tags: ['embargo'],
        summary: 'End the embargo in force (case lead or coordinator)',
        params: Ref,
        body: Body({ note: Type.Optional(Text(5000)) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await terminateEmbargo(ctxOf(services, request), request.params.ref, request.body);
      const { c, resource } = await loadFull(request.actor, request.params.ref);
      return present(request.actor, c, resource);
    },
  );

  r.get(
    '/api/v1/cases/:ref/embargo/cords',
    {
      schema: {
        tags: ['embargo'],
        summary: 'The parachute cords agreed for the case, and which were pulled',
        params: Ref,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const { c } = await loadFull(request.actor, request.params.ref);
      return { items: (await cords(db, c.id)).map(presentCord) };
    },
  );

  r.post(
    '/api/v1/cases/:ref/embargo/cords',
    {
      schema: {
        tags: ['embargo'],
        summary: 'Agree a parachute cord for the case (case lead or coordinator)',
        params: Ref,
        body: Body({
          trigger: Type.Union(cordTriggers.map((t) => Type.Literal(t))),
          description: Type.Optional(Text(5000)),
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const cord = await defineCord(ctxOf(services, request), request.params.ref, request.body);
      return reply.status(201).send(presentCord(cord));
    },
  );

  r.post(
    '/api/v1/cases/:ref/embargo/cords/:cordId/pull',
    {
      schema: {
        tags: ['embargo'],
        summary: 'Pull a parachute cord with evidence: the embargo ends and every participant is alerted',
        params: Type.Object({ ref: Text(64), cordId: Text(64) }, { additionalProperties: false }),
        body: Body({ url: Type.Optional(Text(2000)), note: Text(10_000) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await pullCord(ctxOf(services, request), request.params.ref, request.params.cordId, request.body);
      const { c, resource } = await loadFull(request.actor, request.params.ref);
      return present(request.actor, c, resource);
    },
  );

  r.get(
    '/api/v1/orgs/:id/embargo-policy',
    {
      schema: {
        tags: ['embargo'],
        summary: "An organization's maximum embargo length (members and staff)",
        params: IdParams,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const org = isUuid(request.params.id) ? await findOrgById(db, request.params.id) : undefined;
      if (!org) throw notFound('organization', request.params.id);
      authorize(request.actor, 'org:read', { type: 'org', id: org.id, kind: org.kind });
      return { orgId: org.id, maxDays: await orgEmbargoMaximum(db, org.id) };
    },
  );

  r.put(
    '/api/v1/orgs/:id/embargo-policy',
    {
      schema: {
        tags: ['embargo'],
        summary: "Set (or with null remove) an organization's maximum embargo length (its admins, coordinators)",
        params: IdParams,
        body: Body({ maxDays: Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()]) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await setOrgEmbargoMaximum(ctxOf(services, request), request.params.id, request.body.maxDays);
      return { orgId: request.params.id, maxDays: await orgEmbargoMaximum(db, request.params.id) };
    },
  );
}

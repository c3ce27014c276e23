import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { Type } from 'typebox';
import type { CaseRow } from '../db/schema.ts';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { Body, errorResponses, PageOf, PageQuery } from '../http/schemas.ts';
import { renderMarkdown } from '../markdown/render.ts';
import { readPostIds, unreadByThread, unreadInCase } from '../notifications/queries.ts';
import { actorId, type Actor } from '../policy/actor.ts';
import { abilities, authorize, can, type CaseResource } from '../policy/policy.ts';
import { csAllowedEvents, csEvents, type CsEvent, joinCs, type PxaState, type VfdState } from '../vultron/cs.ts';
import { rmAllowedEvents, rmEvents, rmStateLabels, type RmState } from '../vultron/rm.ts';
import {
  acceptTerms,
  addParticipant,
  addVulnerability,
  openCase,
  participantRm,
  removeParticipant,
  requestCase,
  resendCaseInvitations,
  setParticipantUsers,
  setVendorStatus,
} from './commands.ts';
import { recordCaseState } from '../embargo/commands.ts';
import { embargoEndFor } from '../embargo/queries.ts';
import { finderCases, setPublicSummary, shareWithReporters } from './finder.ts';
import { caseInvitations, caseParticipants, caseResource, listCases, loadVisibleCase } from './queries.ts';
import { mayNameUsers, participantRoles, tlpLabels, vendorStatuses, vexJustifications } from './rules.ts';
import {
  addPost,
  createPrivateThread,
  editPost,
  postRevisions,
  viewerOf,
  visiblePosts,
  visibleThreads,
} from './threads.ts';

const Loose = Type.Object({}, { additionalProperties: true });
const Ref = Type.Object({ ref: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const Text = (max: number) => Type.String({ maxLength: max });

/** P/X/A events legal for the case now (with no vendor, judged on a vendor-free state). */
function casePxaEvents(pxa: PxaState): CsEvent[] {
  return csAllowedEvents(joinCs('VFD', pxa)).filter((e) => e === 'P' || e === 'X' || e === 'A');
}

/** Multi-party cases: the case page, participants and their Vultron states, terms, the status matrix. */
export function caseRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const db = services.db;

  async function leadName(c: CaseRow): Promise<string | null> {
    if (!c.lead_id) return null;
    return (await db.selectFrom('users').select('name').where('id', '=', c.lead_id).executeTakeFirst())?.name ?? null;
  }

  /** Before accepting the terms a participant sees the id, the lead and the terms, nothing else. */
  async function present(actor: Actor, c: CaseRow, resource: CaseResource) {
    const embargo = await embargoEndFor(db, c.id);
    const minimal = {
      id: c.id,
      caseId: c.case_id,
      lead: await leadName(c),
      terms: { version: c.terms_version, text: c.terms_text, html: renderMarkdown(c.terms_text) },
      // The end of the embargo in force (instant and zone): also for a vendor before the terms.
      embargoEnd: embargo?.endsAt ?? null,
      embargoTimeZone: embargo?.timeZone ?? null,
      access: 'terms_only' as string,
      abilities: abilities(actor, ['case:read_full', 'case:manage', 'case:accept_terms', 'case:statement'], resource),
    };
    if (!can(actor, 'case:read_full', resource)) return minimal;
    const staff = actor.kind === 'user' && actor.staffRole !== null;
    const [vulns, participants] = await Promise.all([
      db.selectFrom('vulnerabilities').selectAll().where('case_id', '=', c.id).orderBy('created_at').execute(),
      // Removed participants stay in the staff view (the history); others no longer see them.
      caseParticipants(db, c.id, { includeRemoved: staff }),
    ]);
    const myOrgs = new Set(resource.participation.filter((p) => p.accepted && p.allowed).map((p) => p.orgId));
    const manage = can(actor, 'case:manage', resource);
    // Invitations to organizations not yet on the platform: addresses are for staff only.
    const invitations = staff
      ? await caseInvitations(
          db,
          participants.map((p) => p.id),
          services.now(),
        )
      : [];
    return {
      ...minimal,
      leadId: c.lead_id,
      allowedCaseEvents: manage ? casePxaEvents(c.pxa_state as PxaState) : [],
      access: staff ? 'staff' : 'participant',
      title: c.title,
      summary: c.summary,
      summaryHtml: renderMarkdown(c.summary),
      status: c.status,
      pxaState: c.pxa_state,
      createdAt: c.created_at.toISOString(),
      vulnerabilities: vulns.map((v) => ({
        id: v.id,
        title: v.title,
        description: v.description,
        cwe: v.cwe,
        cvssV3: v.cvss_v3 ? { vector: v.cvss_v3, score: v.cvss_v3_score } : null,
        cvssV4: v.cvss_v4 ? { vector: v.cvss_v4, score: v.cvss_v4_score } : null,
        cveId: v.cve_id,
      })),
      participants: participants.map((p) => {
        const mine = p.org_id !== null && myOrgs.has(p.org_id);
        // Another vendor's progress (received, accepted, fix ready, terms accepted) is its own case
        // information: the lead and staff see it, other vendors do not.
        const progress = manage || staff || mine || p.role !== 'vendor';
        const namesUsers = !p.removed_at && p.org_id !== null && mayNameUsers(actor, p.org_id, manage, true);
        return {
          id: p.id,
          role: p.role,
          // Finders are named to staff only; others see the role.
          name: p.org_name ?? (staff ? `finder ${p.finder_id ?? ''}`.trim() : 'Finder'),
          orgId: p.org_id,
          mine,
          rmState: progress ? p.rm_state : null,
          rmStateLabel: progress ? rmStateLabels[p.rm_state as RmState] : null,
          caseState: progress && p.vfd_state ? joinCs(p.vfd_state as VfdState, c.pxa_state as PxaState) : null,
          // The moves the server would accept now, for this caller (the Vultron machines decide).
          // A removed participant (staff still see it, for the history) has no moves.
          allowedRmEvents:
            !p.removed_at && (manage || (p.org_id !== null && myOrgs.has(p.org_id)))
              ? rmAllowedEvents(p.rm_state as RmState).filter((e) => e !== 'receive' || p.rm_state === 'S')
              : [],
          allowedCaseEvents:
            !p.removed_at && p.vfd_state && (manage || (p.org_id !== null && myOrgs.has(p.org_id)))
              ? csAllowedEvents(joinCs(p.vfd_state as VfdState, c.pxa_state as PxaState)).filter(
                  (e) => e === 'V' || e === 'F' || e === 'D',
                )
              : [],
          termsAccepted: progress ? p.terms_version === c.terms_version : null,
          termsAcceptedAt: progress ? (p.terms_accepted_at?.toISOString() ?? null) : null,
          // The organization's own admin limits its access to named users (the lead and coordinators too).
          canNameUsers: namesUsers,
          ...(!staff && namesUsers ? { allowedUserIds: p.allowed_user_ids } : {}),
          ...(staff
            ? {
                allowedUserIds: p.allowed_user_ids,
                notifiedAt: p.notified_at?.toISOString() ?? null,
                removedAt: p.removed_at?.toISOString() ?? null,
                invitations: invitations
                  .filter((i) => i.participantId === p.id)
                  .map((i) => ({
                    id: i.id,
                    email: i.email,
                    state: i.state,
                    createdAt: i.createdAt.toISOString(),
                    expiresAt: i.expiresAt.toISOString(),
                    acceptedAt: i.acceptedAt?.toISOString() ?? null,
                  })),
              }
            : {}),
        };
      }),
      // The summary the finder sees (coordinators write it).
      ...(staff ? { publicSummary: c.public_summary } : {}),
    };
  }

  r.get(
    '/api/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Cases you take part in (staff: all)',
        querystring: Type.Object({ status: Type.Optional(Text(10)), ...PageQuery }, { additionalProperties: false }),
        response: { 200: PageOf(Loose), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const page = await listCases(db, request.actor, request.query);
      const staff = request.actor.kind === 'user' && request.actor.staffRole !== null;
      const items = [];
      for (const c of page.items) {
        const resource = await caseResource(db, request.actor, c);
        const full = can(request.actor, 'case:read_full', resource);
        // The title is case detail: only for those who accepted the terms (and staff).
        const mine = resource.participation.filter((p) => p.allowed);
        let silent = false;
        if (!staff && full) {
          const answered = await db
            .selectFrom('vendor_statuses as s')
            .innerJoin('case_participants as p', 'p.id', 's.participant_id')
            .select('s.id')
            .where('s.case_id', '=', c.id)
            .where(
              'p.org_id',
              'in',
              mine.map((m) => m.orgId),
            )
            .executeTakeFirst();
          silent = !answered;
        }
        items.push({
          id: c.id,
          caseId: c.case_id,
          title: full ? c.title : null,
          status: c.status,
          lead: await leadName(c),
          leadId: c.lead_id,
          termsAccepted: staff || mine.some((p) => p.accepted),
          needsAction: staff ? null : !mine.some((p) => p.accepted) ? 'accept_terms' : silent ? 'state_status' : null,
          // Posts the caller may read and has not read (null before the terms are accepted).
          unread: await unreadInCase(db, request.actor, c, resource),
          createdAt: c.created_at.toISOString(),
        });
      }
      return { items, nextCursor: page.nextCursor };
    },
  );

  r.post(
    '/api/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Open a case (staff), from accepted reports or from scratch; you lead it',
        body: Body({
          title: Text(200),
          summary: Type.Optional(Text(50_000)),
          termsText: Type.Optional(Text(50_000)),
          reportIds: Type.Optional(Type.Array(Text(64), { maxItems: 50 })),
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const c = await openCase(ctxOf(services, request), request.body);
      const { resource } = await loadVisibleCase(db, request.actor, c.id);
      return reply.status(201).send(await present(request.actor, c, resource));
    },
  );

  r.post(
    '/api/v1/cases/request',
    {
      schema: {
        tags: ['cases'],
        summary: 'A vendor asks the home organization to coordinate a case (your org takes part)',
        body: Body({ orgId: Text(64), title: Text(200), summary: Type.Optional(Text(50_000)) }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const c = await requestCase(ctxOf(services, request), request.body.orgId, request.body);
      const { resource } = await loadVisibleCase(db, request.actor, c.id);
      return reply.status(201).send(await present(request.actor, c, resource));
    },
  );

  r.get(
    '/api/v1/cases/:ref',
    {
      schema: {
        tags: ['cases'],
        summary: 'A case: before accepting the terms, only its id, lead and terms',
        params: Ref,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const { c, resource } = await loadVisibleCase(db, request.actor, request.params.ref);
      return present(request.actor, c, resource);
    },
  );

  r.post(
    '/api/v1/cases/:ref/terms/accept',
    {
      schema: {
        tags: ['cases'],
        summary: 'Accept the case terms (the version you read); recorded with time and address',
        params: Ref,
        body: Body({ version: Type.Integer({ minimum: 1 }) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await acceptTerms(ctxOf(services, request), request.params.ref, request.body.version);
      const { c, resource } = await loadVisibleCase(db, request.actor, request.params.ref);
      return present(request.actor, c, resource);
    },
  );

  r.post(
    '/api/v1/cases/:ref/participants',
    {
      schema: {
        tags: ['cases'],
        summary: 'Add an organization in a Vultron role (case lead or coordinator); optionally only named users',
        params: Ref,
        body: Body({
          orgId: Text(64),
          role: Type.Union(participantRoles.map((x) => Type.Literal(x))),
          allowedUserIds: Type.Optional(Type.Array(Text(64), { maxItems: 200 })),
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const p = await addParticipant(ctxOf(services, request), request.params.ref, request.body);
      return reply
        .status(201)
        .send({ id: p.id, orgId: p.org_id, role: p.role, rmState: p.rm_state, vfdState: p.vfd_state });
    },
  );

  r.post(
    '/api/v1/cases/:ref/participants/:id/rm',
    {
      schema: {
        tags: ['cases'],
        summary: "A participant's Vultron RM move (its own, or by the case lead); illegal moves answer 409",
        params: Type.Object({ ref: Text(64), id: Text(64) }, { additionalProperties: false }),
        body: Body({ event: Type.Union(rmEvents.map((e) => Type.Literal(e))) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const p = await participantRm(
        ctxOf(services, request),
        request.params.ref,
        request.params.id,
        request.body.event,
      );
      return { id: p.id, rmState: p.rm_state, rmStateLabel: rmStateLabels[p.rm_state as RmState] };
    },
  );

  r.post(
    '/api/v1/cases/:ref/state',
    {
      schema: {
        tags: ['cases'],
        summary: 'A Vultron case-state event: V/F/D for one vendor, P/X/A for the case; illegal ones answer 409',
        params: Ref,
        body: Body({ event: Type.Union(csEvents.map((e) => Type.Literal(e))), participantId: Type.Optional(Text(64)) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const body = request.body as { event: CsEvent; participantId?: string };
      const c = await recordCaseState(ctxOf(services, request), request.params.ref, body);
      const { resource } = await loadVisibleCase(db, request.actor, c.id);
      return present(request.actor, c, resource);
    },
  );

  r.post(
    '/api/v1/cases/:ref/vulnerabilities',
    {
      schema: {
        tags: ['cases'],
        summary: 'Add a vulnerability (case lead or coordinator): CWE, CVSS 3.1/4.0, CVE id',
        params: Ref,
        body: Body({
          title: Text(300),
          description: Type.Optional(Text(100_000)),
          cwe: Type.Optional(Text(20)),
          cvssV3: Type.Optional(Text(300)),
          cvssV4: Type.Optional(Text(300)),
          cveId: Type.Optional(Text(30)),
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const v = await addVulnerability(ctxOf(services, request), request.params.ref, request.body);
      return reply.status(201).send({ id: v.id, title: v.title, cwe: v.cwe, cveId: v.cve_id });
    },
  );

  r.put(
    '/api/v1/cases/:ref/statuses',
    {
      schema: {
        tags: ['cases'],
        summary: "State a product's status for a vulnerability (the vendor itself, or the case lead for it)",
        params: Ref,
        body: Body({
          participantId: Text(64),
          vulnerabilityId: Text(64),
          product: Text(300),
          status: Type.Union(vendorStatuses.map((x) => Type.Literal(x))),
          justification: Type.Optional(Type.Union(vexJustifications.map((x) => Type.Literal(x)))),
          statement: Type.Optional(Text(20_000)),
          fixedVersions: Type.Optional(Text(2000)),
          affectedRange: Type.Optional(Type.Union([Text(2000), Type.Null()])),
          references: Type.Optional(Type.Array(Text(2000), { maxItems: 50 })),
          vendorTrackingId: Type.Optional(Text(200)),
          mayShare: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const s = await setVendorStatus(ctxOf(services, request), request.params.ref, request.body);
      return {
        id: s.id,
        status: s.status,
        product: s.product,
        affectedRange: s.affected_range,
        updatedAt: s.updated_at.toISOString(),
      };
    },
  );

  r.get(
    '/api/v1/cases/:ref/statuses',
    {
      schema: {
        tags: ['cases'],
        summary: 'The vendor status matrix: every vendor × vulnerability × product, silent vendors as unknown',
        params: Ref,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const { c, resource } = await loadVisibleCase(db, request.actor, request.params.ref);
      authorize(request.actor, 'case:read_full', resource);
      const staff = request.actor.kind === 'user' && request.actor.staffRole !== null;
      const lead = can(request.actor, 'case:manage', resource);
      const myOrgs = new Set(resource.participation.filter((p) => p.accepted && p.allowed).map((p) => p.orgId));
      const vendors = (await caseParticipants(db, c.id)).filter((p) => p.role === 'vendor');
      const ownVendorIds = vendors.filter((v) => v.org_id !== null && myOrgs.has(v.org_id)).map((v) => v.id);
      // Least privilege, in SQL: a vendor loads its own answers, and others' only where they allowed
      // sharing. Whether a vendor answered at all comes from a separate count, for staff and the vendor.
      let statusQuery = db
        .selectFrom('vendor_statuses')
        .select([
          'participant_id',
          'vulnerability_id',
          'product',
          'status',
          'justification',
          'statement',
          'fixed_versions',
          'affected_range',
          'refs',
          'vendor_tracking_id',
          'may_share',
          'approved_at',
          'updated_at',
        ])
        .where('case_id', '=', c.id);
      if (!staff) {
        statusQuery = statusQuery.where((eb) =>
          ownVendorIds.length > 0
            ? eb.or([eb('participant_id', 'in', ownVendorIds), eb('may_share', '=', true)])
            : eb('may_share', '=', true),
        );
      }
      const answeredQuery = db
        .selectFrom('vendor_statuses')
        .select('participant_id')
        .distinct()
        .where('case_id', '=', c.id);
      const [vulns, visible, answeredRows] = await Promise.all([
        db
          .selectFrom('vulnerabilities')
          .select(['id', 'title', 'cve_id'])
          .where('case_id', '=', c.id)
          .orderBy('created_at')
          .execute(),
        statusQuery.execute(),
        staff || ownVendorIds.length > 0
          ? (staff ? answeredQuery : answeredQuery.where('participant_id', 'in', ownVendorIds)).execute()
          : Promise.resolve([]),
      ]);
      const answered = new Set(answeredRows.map((r) => r.participant_id));
      const byVendor = new Map<string, typeof visible>();
      for (const s of visible) {
        const list = byVendor.get(s.participant_id);
        if (list) list.push(s);
        else byVendor.set(s.participant_id, [s]);
      }
      return {
        vulnerabilities: vulns.map((v) => ({ id: v.id, title: v.title, cveId: v.cve_id })),
        vendors: vendors.map((v) => {
          const mine = byVendor.get(v.id) ?? [];
          return {
            participantId: v.id,
            name: v.org_name,
            // Whether another vendor answered is itself case information: staff and the vendor itself
            // learn it; others only through what that vendor chose to share.
            silent: staff || (v.org_id !== null && myOrgs.has(v.org_id)) ? !answered.has(v.id) : null,
            // As on the case page: another vendor's progress is for the lead and staff.
            rmState: staff || lead || (v.org_id !== null && myOrgs.has(v.org_id)) ? v.rm_state : null,
            caseState:
              (staff || lead || (v.org_id !== null && myOrgs.has(v.org_id))) && v.vfd_state
                ? joinCs(v.vfd_state as VfdState, c.pxa_state as PxaState)
                : null,
            cells: mine.map((s) => ({
              vulnerabilityId: s.vulnerability_id,
              product: s.product,
              status: s.status,
              justification: s.justification,
              statement: s.statement,
              fixedVersions: s.fixed_versions,
              affectedRange: s.affected_range,
              references: s.refs,
              vendorTrackingId: s.vendor_tracking_id,
              mayShare: s.may_share,
              approved: s.approved_at !== null,
              updatedAt: s.updated_at.toISOString(),
            })),
          };
        }),
      };
    },
  );

  const presentPost = (
    viewerId: string | null,
    p: {
      id: string;
      reply_to: string | null;
      author_user_id: string | null;
      author_label: string;
      author_org_id: string | null;
      body: string;
      tlp: string;
      recipient_org_id: string | null;
      recipient_user_ids: string[];
      edited_at: Date | null;
      created_at: Date;
      for_reporters: boolean;
    },
  ) => ({
    id: p.id,
    replyTo: p.reply_to,
    mine: viewerId !== null && p.author_user_id === viewerId,
    author: p.author_label,
    authorOrgId: p.author_org_id,
    body: p.body,
    bodyHtml: renderMarkdown(p.body),
    tlp: p.tlp,
    recipientOrgId: p.recipient_org_id,
    recipientUserIds: p.recipient_user_ids,
    editedAt: p.edited_at?.toISOString() ?? null,
    createdAt: p.created_at.toISOString(),
    forReporters: p.for_reporters,
  });

  r.get(
    '/api/v1/cases/:ref/threads',
    {
      schema: {
        tags: ['cases'],
        summary: 'The threads you may read: official, discussion, and your private threads',
        params: Ref,
        response: { 200: Type.Object({ items: Type.Array(Loose) }), ...errorResponses },
      },
    },
    async (request) => {
      const { c, resource } = await loadVisibleCase(db, request.actor, request.params.ref);
      authorize(request.actor, 'case:read_full', resource);
      const v = await viewerOf(db, request.actor, c);
      const threads = await visibleThreads(db, v, c.id);
      const unread = await unreadByThread(db, v, c.id);
      return {
        items: threads.map((t) => ({
          id: t.id,
          kind: t.kind,
          title: t.title,
          posts: Number(t.posts ?? 0),
          unread: unread.get(t.id) ?? 0,
          createdAt: t.created_at.toISOString(),
        })),
      };
    },
  );

  r.post(
    '/api/v1/cases/:ref/threads',
    {
      schema: {
        tags: ['cases'],
        summary: 'Open a private thread for chosen participants (a participant: itself and the coordinators)',
        params: Ref,
        body: Body({ title: Text(200), participantIds: Type.Array(Text(64), { minItems: 1, maxItems: 500 }) }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const t = await createPrivateThread(ctxOf(services, request), request.params.ref, request.body);
      return reply.status(201).send({ id: t.id, kind: t.kind, title: t.title });
    },
  );

  r.get(
    '/api/v1/cases/:ref/threads/:id/posts',
    {
      schema: {
        tags: ['cases'],
        summary: 'Posts of a thread you may read; TLP:AMBER+STRICT and TLP:RED posts only for their recipients',
        params: Type.Object({ ref: Text(64), id: Text(64) }, { additionalProperties: false }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const { c, resource } = await loadVisibleCase(db, request.actor, request.params.ref);
      authorize(request.actor, 'case:read_full', resource);
      const v = await viewerOf(db, request.actor, c);
      const { thread, posts } = await visiblePosts(db, v, c.id, request.params.id);
      const me = actorId(request.actor);
      const read = me
        ? await readPostIds(
            db,
            me,
            posts.map((p) => p.id),
          )
        : new Set<string>();
      return {
        thread: { id: thread.id, kind: thread.kind, title: thread.title },
        items: posts.map((p) => ({
          ...presentPost(me, p),
          // Read markers (POST /cases/:ref/seen); your own posts count as read.
          read: read.has(p.id) || (me !== null && p.author_user_id === me),
          mentionsYou: me !== null && p.mentions.includes(me),
        })),
      };
    },
  );

  r.post(
    '/api/v1/cases/:ref/threads/:id/posts',
    {
      schema: {
        tags: ['cases'],
        summary: 'Write in a thread, with a TLP 2.0 label (AMBER+STRICT names an org, RED names people)',
        params: Type.Object({ ref: Text(64), id: Text(64) }, { additionalProperties: false }),
        body: Body({
          body: Text(100_000),
          tlp: Type.Optional(Type.Union(tlpLabels.map((x) => Type.Literal(x)))),
          recipientOrgId: Type.Optional(Text(64)),
          recipientUserIds: Type.Optional(Type.Array(Text(64), { maxItems: 200 })),
          replyTo: Type.Optional(Text(64)),
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const post = await addPost(ctxOf(services, request), request.params.ref, request.params.id, request.body);
      return reply.status(201).send(presentPost(actorId(request.actor), post));
    },
  );

  r.patch(
    '/api/v1/cases/:ref/posts/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'Edit your post; earlier versions are kept',
        params: Type.Object({ ref: Text(64), id: Text(64) }, { additionalProperties: false }),
        body: Body({ body: Text(100_000) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const post = await editPost(ctxOf(services, request), request.params.ref, request.params.id, request.body.body);
      const revisions = await postRevisions(db, post.id);
      return {
        ...presentPost(actorId(request.actor), post),
        revisions: revisions.map((x) => ({ body: x.body, editedAt: x.edited_at.toISOString() })),
      };
    },
  );

  r.get(
    '/api/v1/cases/:ref/timeline',
    {
      schema: {
        tags: ['cases'],
        summary: 'Every event of the case, in order (staff); `format=csv` downloads it as CSV',
        params: Ref,
        querystring: Type.Object(
          { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
          { additionalProperties: false },
        ),
        // 200: {items: […]} as JSON, or the CSV text.
      },
    },
    async (request, reply) => {
      const { c, resource } = await loadVisibleCase(db, request.actor, request.params.ref);
      const staff = request.actor.kind === 'user' && request.actor.staffRole !== null;
      if (!staff) authorize(request.actor, 'case:manage', resource, 'case:read');
      const events = await db
        .selectFrom('case_events')
        .selectAll()
        .where('case_id', '=', c.id)
        .orderBy('seq')
        .execute();
      const items = events.map((e) => ({
        kind: e.kind,
        participantId: e.participant_id,
        actorLabel: e.actor_label,
        data: e.data,
        createdAt: e.created_at.toISOString(),
      }));
      if (request.query.format !== 'csv') return reply.send({ items });
      const csv = stringifyCsv(
        items.map((e) => [e.createdAt, e.kind, e.actorLabel, e.participantId ?? '', JSON.stringify(e.data)]),
        { header: true, columns: ['time', 'event', 'actor', 'participant_id', 'data'] },
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${c.case_id}-timeline.csv"`)
        .send(csv);
    },
  );

  const ParticipantParams = Type.Object({ ref: Text(64), id: Text(64) }, { additionalProperties: false });

  r.delete(
    '/api/v1/cases/:ref/participants/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'Remove a participant (case lead or coordinator): its history stays, its access ends at once',
        params: ParticipantParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await removeParticipant(ctxOf(services, request), request.params.ref, request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.put(
    '/api/v1/cases/:ref/participants/:id/users',
    {
      schema: {
        tags: ['cases'],
        summary: "Limit an organization's access to named users of it (an empty list: every member)",
        params: ParticipantParams,
        body: Body({ userIds: Type.Array(Text(64), { maxItems: 200 }) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const p = await setParticipantUsers(
        ctxOf(services, request),
        request.params.ref,
        request.params.id,
        request.body.userIds,
      );
      return { id: p.id, orgId: p.org_id, allowedUserIds: p.allowed_user_ids };
    },
  );

  r.post(
    '/api/v1/cases/:ref/participants/:id/invitations',
    {
      schema: {
        tags: ['cases'],
        summary: "Send the invitations to a participant's security contacts again (its org is not on the platform yet)",
        params: ParticipantParams,
        response: { 201: Type.Object({ items: Type.Array(Loose) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const sent = await resendCaseInvitations(ctxOf(services, request), request.params.ref, request.params.id);
      return reply.status(201).send({ items: sent.map((i) => ({ id: i.invitationId, email: i.email })) });
    },
  );

  r.put(
    '/api/v1/cases/:ref/public-summary',
    {
      schema: {
        tags: ['cases'],
        summary: 'The summary safe to share with the finder (case lead or coordinator)',
        params: Ref,
        body: Body({ publicSummary: Text(20_000) }),
        response: { 200: Type.Object({ publicSummary: Type.String() }), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const text = await setPublicSummary(ctxOf(services, request), request.params.ref, request.body.publicSummary);
      return { publicSummary: text };
    },
  );

  r.put(
    '/api/v1/cases/:ref/posts/:id/reporters',
    {
      schema: {
        tags: ['cases'],
        summary: 'Share a post with the finder, or stop sharing it (official and discussion threads, TLP up to AMBER)',
        params: Type.Object({ ref: Text(64), id: Text(64) }, { additionalProperties: false }),
        body: Body({ shared: Type.Boolean() }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const post = await shareWithReporters(
        ctxOf(services, request),
        request.params.ref,
        request.params.id,
        request.body.shared,
      );
      return { id: post.id, forReporters: post.for_reporters };
    },
  );

  r.get(
    '/api/v1/reports/:ref/cases',
    {
      schema: {
        tags: ['reports'],
        summary:
          "The finder's view of the cases opened from a report (follow-up link or account): what is shared with reporters",
        params: Ref,
        response: { 200: Type.Object({ items: Type.Array(Loose) }), ...errorResponses },
      },
    },
    async (request) => ({ items: await finderCases(db, request.actor, request.params.ref) }),
  );
}

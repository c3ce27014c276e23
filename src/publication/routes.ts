import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { caseParticipants, loadVisibleCase } from '../cases/queries.ts';
import { AppError } from '../core/errors.ts';
import { publicPage } from '../disclosure/routes.ts';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { Body, errorResponses } from '../http/schemas.ts';
import { actorId, type Actor } from '../policy/actor.ts';
import { authorize, can, type CaseResource } from '../policy/policy.ts';
import {
  approveStatement,
  changeChecklist,
  confirmEarlyPublication,
  confirmSubscription,
  requestEarlyPublication,
  setReadiness,
  subscribe,
  unsubscribe,
  updatePlan,
  withdrawEarlyPublication,
} from './commands.ts';
import { caseReadiness, findPlan, listPublished, loadPublishedAdvisory, publishedFacets } from './queries.ts';
import { advisoryBody, atomFeed, indexBody, messageBody, sitemap } from './render.ts';
import { defaultChecklist, type ChecklistItem } from './rules.ts';

const Loose = Type.Object({}, { additionalProperties: true });
const Ref = Type.Object({ ref: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const Text = (max: number) => Type.String({ maxLength: max });

function isStaff(actor: Actor): boolean {
  return actor.kind === 'user' && actor.staffRole !== null && actor.staffRole !== 'viewer';
}

/** The release plan as the case page's Release tab shows it; other participants' readiness for staff and the lead. */
async function presentPlan(
  services: Services,
  actor: Actor,
  c: { id: string; case_id: string },
  resource: CaseResource,
) {
  const db = services.db;
  const manage = can(actor, 'case:manage', resource);
  const staff = actor.kind === 'user' && actor.staffRole !== null;
  const myOrgs = new Set(resource.participation.filter((p) => p.accepted && p.allowed).map((p) => p.orgId));
  const [plan, readiness, participants] = await Promise.all([
    findPlan(db, c.id),
    caseReadiness(db, c.id),
    caseParticipants(db, c.id),
  ]);
  const visibleParticipants = participants.filter(
    (p) => staff || manage || (p.org_id !== null && myOrgs.has(p.org_id)),
  );
  const userName = async (id: string | null) =>
    id ? ((await db.selectFrom('users').select('name').where('id', '=', id).executeTakeFirst())?.name ?? null) : null;
  let statements: unknown[] = [];
  if (manage) {
    const rows = await db
      .selectFrom('vendor_statuses as s')
      .innerJoin('case_participants as p', 'p.id', 's.participant_id')
      .leftJoin('organizations as o', 'o.id', 'p.org_id')
      .innerJoin('vulnerabilities as v', 'v.id', 's.vulnerability_id')
      .select(['s.id', 'o.name as vendor', 's.product', 's.status', 's.approved_at', 'v.title', 'v.cve_id'])
      .where('s.case_id', '=', c.id)
      .where('p.removed_at', 'is', null)
      .orderBy('o.name')
      .orderBy('s.product')
      .execute();
    statements = rows.map((s) => ({
      id: s.id,
      vendor: s.vendor,
      product: s.product,
      status: s.status,
      vulnerability: s.cve_id ?? s.title,
      approved: s.approved_at !== null,
    }));
  }
  const checklist: ChecklistItem[] = plan?.checklist ?? defaultChecklist();
  const requestedBy = plan?.early_requested_by ?? null;
  const me = actorId(actor);
  return {
    caseId: c.case_id,
    publishAt: plan?.publish_at?.toISOString() ?? null,
    embargo: {
      state: plan?.embargo_state ?? 'none',
      endsAt: plan?.embargo_ends_at?.toISOString() ?? null,
      exitReason: plan?.embargo_exit_reason ?? null,
    },
    checklistOpen: plan?.checklist_opened_at != null,
    checklist,
    notes: manage ? (plan?.notes ?? '') : null,
    readiness: visibleParticipants.map((p) => {
      const r = readiness.find((x) => x.participant_id === p.id);
      return {
        participantId: p.id,
        name: p.org_name ?? (p.role === 'finder' ? 'Finder' : p.role),
        role: p.role,
        mine: p.org_id !== null && myOrgs.has(p.org_id),
        advisoryReady: r?.advisory_ready ?? false,
        fixAvailable: r?.fix_available ?? false,
        customersNotified: r?.customers_notified ?? false,
        note: r?.note ?? '',
        updatedAt: r?.updated_at.toISOString() ?? null,
      };
    }),
    statements,
    earlyRequest:
      requestedBy && plan
        ? {
            requestedBy: await userName(requestedBy),
            requestedByMe: requestedBy === me,
            at: plan.early_requested_at?.toISOString() ?? null,
            reason: manage ? plan.early_reason : null,
          }
        : null,
    published: plan?.published_at
      ? { at: plan.published_at.toISOString(), via: plan.published_via, url: `/advisories/${c.case_id}` }
      : null,
    abilities: {
      manage,
      requestEarly: manage && isStaff(actor) && !plan?.published_at && requestedBy === null,
      confirmEarly: manage && isStaff(actor) && !plan?.published_at && requestedBy !== null && requestedBy !== me,
    },
  };
}

/** The Release tab's API: plan, readiness, checklist, statement approval, the two-person publish-now. */
export function publicationRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const db = services.db;

  const answer = async (request: FastifyRequest, ref: string) => {
    const { c, resource } = await loadVisibleCase(db, request.actor, ref);
    authorize(request.actor, 'case:read_full', resource);
    return presentPlan(services, request.actor, c, resource);
  };

  r.get(
    '/api/v1/cases/:ref/release',
    {
      schema: {
        tags: ['release'],
        summary: 'The release plan: publication time, readiness, checklist, early-publication request',
        params: Ref,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      return answer(request, request.params.ref);
    },
  );
  r.patch(
    '/api/v1/cases/:ref/release',
    {
      schema: {
        tags: ['release'],
        summary: 'Set the publication time (not before an active embargo ends) and notes (lead, coordinators)',
        params: Ref,
        body: Body({
          publishAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
          notes: Type.Optional(Text(10_000)),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const { publishAt, notes } = request.body;
      await updatePlan(ctxOf(services, request), request.params.ref, {
        publishAt: publishAt === undefined ? undefined : publishAt === null ? null : new Date(publishAt),
        notes,
      });
      return answer(request, request.params.ref);
    },
  );
  r.put(
    '/api/v1/cases/:ref/release/readiness/:participantId',
    {
      schema: {
        tags: ['release'],
        summary: "A participant's readiness (its own; staff and the lead for anyone)",
        params: Type.Object(
          { ref: Type.String({ maxLength: 64 }), participantId: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        body: Body({
          advisoryReady: Type.Optional(Type.Boolean()),
          fixAvailable: Type.Optional(Type.Boolean()),
          customersNotified: Type.Optional(Type.Boolean()),
          note: Type.Optional(Text(2000)),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await setReadiness(ctxOf(services, request), request.params.ref, request.params.participantId, request.body);
      return answer(request, request.params.ref);
    },
  );
  r.post(
    '/api/v1/cases/:ref/release/checklist',
    {
      schema: {
        tags: ['release'],
        summary: 'Add an item to the release-day checklist (lead, coordinators)',
        params: Ref,
        body: Body({ label: Text(200) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await changeChecklist(ctxOf(services, request), request.params.ref, { op: 'add', label: request.body.label });
      return answer(request, request.params.ref);
    },
  );
  r.patch(
    '/api/v1/cases/:ref/release/checklist/:itemId',
    {
      schema: {
        tags: ['release'],
        summary: 'Tick or untick a checklist item (lead, coordinators)',
        params: Type.Object(
          { ref: Type.String({ maxLength: 64 }), itemId: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        body: Body({ done: Type.Boolean() }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await changeChecklist(ctxOf(services, request), request.params.ref, {
        op: 'set',
        itemId: request.params.itemId,
        done: request.body.done,
      });
      return answer(request, request.params.ref);
    },
  );
  r.put(
    '/api/v1/cases/:ref/release/statements/:statusId/approval',
    {
      schema: {
        tags: ['release'],
        summary: "Approve (or withdraw approval of) a vendor's statement for publication (lead, coordinators)",
        params: Type.Object(
          { ref: Type.String({ maxLength: 64 }), statusId: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        body: Body({ approved: Type.Boolean() }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await approveStatement(
        ctxOf(services, request),
        request.params.ref,
        request.params.statusId,
        request.body.approved,
      );
      return answer(request, request.params.ref);
    },
  );
  r.post(
    '/api/v1/cases/:ref/release/publish-request',
    {
      schema: {
        tags: ['release'],
        summary: 'Ask to publish now, before the planned time (staff); another staff member must confirm',
        params: Ref,
        body: Body({ reason: Text(2000) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await requestEarlyPublication(ctxOf(services, request), request.params.ref, request.body.reason);
      return answer(request, request.params.ref);
    },
  );
  r.delete(
    '/api/v1/cases/:ref/release/publish-request',
    {
      schema: {
        tags: ['release'],
        summary: 'Withdraw the request to publish early (staff)',
        params: Ref,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await withdrawEarlyPublication(ctxOf(services, request), request.params.ref);
      return answer(request, request.params.ref);
    },
  );
  r.post(
    '/api/v1/cases/:ref/release/publish-confirm',
    {
      schema: {
        tags: ['release'],
        summary: 'Confirm the early publication (a second staff member): the case is published now',
        params: Ref,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await confirmEarlyPublication(ctxOf(services, request), request.params.ref);
      return answer(request, request.params.ref);
    },
  );
}

const Filter = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    vendor: Type.Optional(Type.String({ maxLength: 300 })),
    product: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);

/**
 * The public advisory pages (server-rendered, no JavaScript), the Atom feed, the sitemap and the
 * subscription forms. Everything here reads only published cases, in SQL. Registered as an
 * encapsulated plugin so that HTML form posts are parsed here and nowhere else.
 */
export async function publicAdvisoryRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { config } = services;
  const db = services.db;
  const ownOrigin = new URL(config.baseUrl).origin;
  const publicLimit = { rateLimit: { max: config.rateLimit.publicPerMinute, timeWindow: 60_000 } };
  const subscribeLimit = { rateLimit: { max: 10, timeWindow: 3600_000 } };
  const html = (reply: FastifyReply, status: number, title: string, body: string) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', status === 200 ? 'public, max-age=300' : 'no-store')
      .send(publicPage(title, config.instanceName, body));

  await app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );
    const s = scope.withTypeProvider<TypeBoxTypeProvider>();
    const form = (fields: Record<string, ReturnType<typeof Type.String>>) =>
      Type.Object(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)])), {
        additionalProperties: true,
      });
    /** A form post from another site is refused (the page has no session, but a subscription is a write). */
    const sameOrigin = (request: FastifyRequest) => {
      const origin = request.headers.origin;
      if (origin && origin !== ownOrigin && origin !== `${request.protocol}://${request.host}`) {
        throw new AppError('ERR_CSRF', `forms from ${origin} are not accepted here`);
      }
    };

    s.get(
      '/advisories',
      { schema: { hide: true, querystring: Filter }, config: publicLimit },
      async (request, reply) => {
        const [items, facets] = await Promise.all([listPublished(db, request.query), publishedFacets(db)]);
        return html(reply, 200, 'Security advisories', indexBody(items, facets, request.query));
      },
    );
    s.get(
      '/advisories/feed.atom',
      { schema: { hide: true, querystring: Filter }, config: publicLimit },
      async (request, reply) => {
        const items = await listPublished(db, { ...request.query, limit: 50 });
        const base = config.baseUrl.replace(/\/$/, '');
        const body = atomFeed(items, {
          baseUrl: config.baseUrl,
          instanceName: config.instanceName,
          selfUrl: `${base}${request.url}`,
        });
        return reply
          .type('application/atom+xml; charset=utf-8')
          .header('cache-control', 'public, max-age=300')
          .send(body);
      },
    );
    s.get('/sitemap.xml', { schema: { hide: true }, config: publicLimit }, async (_request, reply) => {
      const items = await listPublished(db, { limit: 500 });
      return reply
        .type('application/xml; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(sitemap(items, config.baseUrl));
    });
    s.post(
      '/advisories/subscribe',
      {
        schema: {
          hide: true,
          body: form({
            email: Type.String({ maxLength: 254 }),
            scope: Type.String({ maxLength: 20 }),
            vendor: Type.String({ maxLength: 300 }),
            product: Type.String({ maxLength: 300 }),
          }),
        },
        config: subscribeLimit,
      },
      async (request, reply) => {
        sameOrigin(request);
        const body = request.body as Record<string, string | undefined>;
        try {
          await subscribe(ctxOf(services, request), {
            email: body.email ?? '',
            scope: body.scope ?? 'all',
            ...(body.vendor ? { vendor: body.vendor } : {}),
            ...(body.product ? { product: body.product } : {}),
          });
        } catch (err) {
          if (err instanceof AppError && err.code === 'ERR_VALIDATION') {
            return html(reply, 400, 'Subscription', messageBody('Not subscribed', err.message));
          }
          throw err;
        }
        return html(
          reply,
          200,
          'Subscription',
          messageBody('Check your mail', 'We sent a confirmation link. Nothing is sent until you confirm.'),
        );
      },
    );
    const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) });
    // GET shows a button only: link scanners that open mail links must not confirm or cancel.
    s.get(
      '/advisories/subscription/confirm',
      { schema: { hide: true, querystring: TokenQuery }, config: publicLimit },
      async (request, reply) =>
        html(
          reply,
          200,
          'Confirm subscription',
          messageBody('Confirm your subscription', 'Press the button to start receiving advisories.', {
            action: '/advisories/subscription/confirm',
            token: request.query.token ?? '',
            button: 'Confirm',
          }),
        ),
    );
    s.post(
      '/advisories/subscription/confirm',
      { schema: { hide: true, body: form({ token: Type.String({ maxLength: 200 }) }) }, config: publicLimit },
      async (request, reply) => {
        sameOrigin(request);
        const token = (request.body as Record<string, string | undefined>).token ?? '';
        const ok = token ? await confirmSubscription(ctxOf(services, request), token) : false;
        return ok
          ? html(reply, 200, 'Subscribed', messageBody('Subscribed', 'You will receive the advisories you chose.'))
          : html(
              reply,
              400,
              'Subscription',
              messageBody('Link not valid', 'This link is expired or was used already: subscribe again.'),
            );
      },
    );
    s.get(
      '/advisories/subscription/unsubscribe',
      { schema: { hide: true, querystring: TokenQuery }, config: publicLimit },
      async (request, reply) =>
        html(
          reply,
          200,
          'Unsubscribe',
          messageBody('Unsubscribe', 'Press the button to stop receiving these advisories.', {
            action: '/advisories/subscription/unsubscribe',
            token: request.query.token ?? '',
            button: 'Unsubscribe',
          }),
        ),
    );
    s.post(
      '/advisories/subscription/unsubscribe',
      { schema: { hide: true, body: form({ token: Type.String({ maxLength: 200 }) }) }, config: publicLimit },
      async (request, reply) => {
        sameOrigin(request);
        const token = (request.body as Record<string, string | undefined>).token ?? '';
        const ok = token ? await unsubscribe(ctxOf(services, request), token) : false;
        return ok
          ? html(reply, 200, 'Unsubscribed', messageBody('Unsubscribed', 'You will receive no more advisories.'))
          : html(
              reply,
              400,
              'Unsubscribe',
              messageBody('Link not valid', 'This link is not valid, or you are already unsubscribed.'),
            );
      },
    );
    s.get(
      '/advisories/:caseRef',
      {
        schema: {
          hide: true,
          params: Type.Object({ caseRef: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
        },
        config: publicLimit,
      },
      async (request, reply) => {
        const advisory = await loadPublishedAdvisory(db, request.params.caseRef);
        if (!advisory) {
          // The same page for "no such case" and "not published yet".
          return html(reply, 404, 'Not found', messageBody('Not found', 'There is no published advisory here.'));
        }
        return html(reply, 200, `${advisory.caseRef}: ${advisory.title}`, advisoryBody(advisory));
      },
    );
  });
}

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { loadVisibleCase } from '../cases/queries.ts';
import { setThreadFollow, threadFollowState } from '../cases/threads.ts';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { Body, errorResponses } from '../http/schemas.ts';
import { abilities, authorize } from '../policy/policy.ts';
import {
  assertWebhookAdmin,
  createWebhook,
  deleteWebhook,
  markSeen,
  pingWebhook,
  revokePreviousWebhookSecret,
  rotateWebhookSecret,
  setCasePolicy,
  setPreferences,
  updateWebhook,
} from './commands.ts';
import { casePolicy, caseChanges, findWebhook, listDeliveries, listWebhooks, preferencesOf } from './queries.ts';
import {
  contentModes,
  deliveryModes,
  mandatoryKinds,
  notificationKinds,
  MAX_SECRET_GRACE_HOURS,
  previousSecretValid,
  webhookEventKinds,
  type Preferences,
} from './rules.ts';

const Text = (max: number) => Type.String({ maxLength: max });
const Ref = Type.Object({ ref: Text(64) }, { additionalProperties: false });
const OrgParams = Type.Object({ id: Text(64) }, { additionalProperties: false });
const HookParams = Type.Object({ id: Text(64), webhookId: Text(64) }, { additionalProperties: false });
const Loose = Type.Object({}, { additionalProperties: true });

const PreferencesSchema = Type.Object({
  contentMode: Type.String(),
  kinds: Type.Record(Type.String(), Type.String()),
  hasKey: Type.Boolean(),
  mandatory: Type.Array(Type.String()),
  available: Type.Object({
    kinds: Type.Array(Type.String()),
    deliveryModes: Type.Array(Type.String()),
    contentModes: Type.Array(Type.String()),
  }),
});

const WebhookSchema = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  url: Type.String(),
  secretHint: Type.String(),
  /** Secret rotation: when the secret was last replaced, and the old one while it still signs. */
  secretRotatedAt: Type.Union([Type.String(), Type.Null()]),
  previousSecretHint: Type.Union([Type.String(), Type.Null()]),
  previousSecretExpiresAt: Type.Union([Type.String(), Type.Null()]),
  eventKinds: Type.Array(Type.String()),
  active: Type.Boolean(),
  lastStatus: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

/** Notification preferences, read state and changes, a case's policy, organizations' webhooks. */
export function notificationRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const db = services.db;

  const presentPrefs = (p: Preferences, hasKey: boolean) => ({
    contentMode: p.contentMode,
    kinds: p.kinds,
    hasKey,
    mandatory: [...mandatoryKinds],
    available: {
      kinds: [...notificationKinds],
      deliveryModes: [...deliveryModes],
      contentModes: [...contentModes],
    },
  });
  const hasKey = async (userId: string) =>
    (await db.selectFrom('users').select('pgp_public_key').where('id', '=', userId).executeTakeFirst())
      ?.pgp_public_key != null;

  r.get(
    '/api/v1/me/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Your notification preferences: per kind immediate, digest or off; encrypted content or notices',
        response: { 200: PreferencesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = requireAuth(request);
      const userId = auth.actor.userId;
      return presentPrefs(await preferencesOf(db, userId), await hasKey(userId));
    },
  );

  r.put(
    '/api/v1/me/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Change your notification preferences (encrypted content needs an OpenPGP key on your profile)',
        body: Body({
          contentMode: Type.Optional(Type.Union(contentModes.map((m) => Type.Literal(m)))),
          kinds: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 20 }))),
        }),
        response: { 200: PreferencesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = requireAuth(request);
      const prefs = await setPreferences(ctxOf(services, request), request.body);
      return presentPrefs(prefs, await hasKey(auth.actor.userId));
    },
  );

  r.get(
    '/api/v1/cases/:ref/changes',
    {
      schema: {
        tags: ['notifications'],
        summary: 'What changed in a case since your last visit: posts, vendor statuses, timeline events you may see',
        params: Ref,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const auth = requireAuth(request);
      const { c, resource } = await loadVisibleCase(db, request.actor, request.params.ref);
      authorize(request.actor, 'case:read_full', resource);
      const ch = await caseChanges(db, auth.actor, c);
      return {
        caseId: c.case_id,
        since: ch.since?.toISOString() ?? null,
        unread: ch.unread,
        truncated: ch.truncated,
        posts: ch.posts.map((p) => ({
          id: p.id,
          threadId: p.thread_id,
          threadKind: p.thread_kind,
          threadTitle: p.thread_title,
          author: p.author_label,
          tlp: p.tlp,
          excerpt: p.body.length > 280 ? `${p.body.slice(0, 280)}…` : p.body,
          mentionsYou: p.mentions.includes(auth.actor.userId),
          read: p.read,
          createdAt: p.created_at.toISOString(),
        })),
        statuses: ch.statuses.map((s) => ({
          id: s.id,
          participantId: s.participant_id,
          vendor: s.vendor,
          vulnerabilityId: s.vulnerability_id,
          vulnerability: s.vulnerability,
          product: s.product,
          status: s.status,
          updatedAt: s.updated_at.toISOString(),
        })),
        events: ch.events.map((e) => ({
          kind: e.kind,
          participantId: e.participant_id,
          actorLabel: e.actor_label,
          data: e.data,
          createdAt: e.created_at.toISOString(),
        })),
      };
    },
  );

  r.post(
    '/api/v1/cases/:ref/seen',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Record your visit (body {}); also mark a thread, some posts or all posts read',
        params: Ref,
        body: Body({
          threadId: Type.Optional(Text(64)),
          postIds: Type.Optional(Type.Array(Text(64), { maxItems: 500 })),
          all: Type.Optional(Type.Boolean()),
        }),
        response: {
          200: Type.Object({
            previousVisit: Type.Union([Type.String(), Type.Null()]),
            lastSeenAt: Type.String(),
            marked: Type.Integer(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      requireAuth(request);
      const seen = await markSeen(ctxOf(services, request), request.params.ref, request.body);
      return {
        previousVisit: seen.previousVisit?.toISOString() ?? null,
        lastSeenAt: seen.lastSeenAt.toISOString(),
        marked: seen.marked,
      };
    },
  );

  const PolicySchema = Type.Object({
    noticeOnly: Type.Boolean(),
    abilities: Type.Record(Type.String(), Type.Boolean()),
  });

  r.get(
    '/api/v1/cases/:ref/notification-policy',
    {
      schema: {
        tags: ['notifications'],
        summary: "The case's notification policy: whether its mail is content-free notices only",
        params: Ref,
        response: { 200: PolicySchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const { c, resource } = await loadVisibleCase(db, request.actor, request.params.ref);
      authorize(request.actor, 'case:read_full', resource);
      const policy = await casePolicy(db, c.id);
      return { noticeOnly: policy.noticeOnly, abilities: abilities(request.actor, ['case:manage'], resource) };
    },
  );

  r.put(
    '/api/v1/cases/:ref/notification-policy',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Force content-free notices for this case, even to recipients with a key (case lead, coordinators)',
        params: Ref,
        body: Body({ noticeOnly: Type.Boolean() }),
        response: { 200: PolicySchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const policy = await setCasePolicy(ctxOf(services, request), request.params.ref, request.body.noticeOnly);
      const { resource } = await loadVisibleCase(db, request.actor, request.params.ref);
      return { noticeOnly: policy.noticeOnly, abilities: abilities(request.actor, ['case:manage'], resource) };
    },
  );

  const FollowParams = Type.Object({ ref: Text(64), threadId: Text(64) }, { additionalProperties: false });
  const FollowSchema = Type.Object({ following: Type.Boolean(), mandatory: Type.Boolean() });

  r.get(
    '/api/v1/cases/:ref/threads/:threadId/follow',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Whether you follow a thread (mail for each new message); the official thread reaches everyone',
        params: FollowParams,
        response: { 200: FollowSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      return threadFollowState(db, request.actor, request.params.ref, request.params.threadId);
    },
  );

  for (const [method, following] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    r[method](
      '/api/v1/cases/:ref/threads/:threadId/follow',
      {
        schema: {
          tags: ['notifications'],
          summary: following
            ? 'Follow a discussion or private thread you may read: mail for each new message, by your preferences'
            : 'Unfollow a thread: no more mail for its messages (mentions still reach you)',
          params: FollowParams,
          response: { 200: FollowSchema, ...errorResponses },
        },
      },
      async (request) => {
        requireAuth(request);
        const ctx = ctxOf(services, request);
        const result = await setThreadFollow(ctx, request.params.ref, request.params.threadId, following);
        return { following: result.following, mandatory: false };
      },
    );
  }

  const presentHook = (
    w: {
      id: string;
      org_id: string;
      url: string;
      secret_hint: string;
      previous_secret_hint: string | null;
      previous_secret_expires_at: Date | null;
      secret_rotated_at: Date | null;
      event_kinds: string[];
      active: boolean;
      created_at: Date;
      updated_at: Date;
      last_status?: string | null;
    },
    now: Date,
  ) => {
    // The hint is kept exactly as long as the old secret (a check constraint); shown while it signs.
    const inGrace =
      w.previous_secret_hint !== null &&
      previousSecretValid(
        { previous_secret: w.previous_secret_hint, previous_secret_expires_at: w.previous_secret_expires_at },
        now,
      );
    return {
      id: w.id,
      orgId: w.org_id,
      url: w.url,
      secretHint: w.secret_hint,
      secretRotatedAt: w.secret_rotated_at?.toISOString() ?? null,
      previousSecretHint: inGrace ? w.previous_secret_hint : null,
      previousSecretExpiresAt: inGrace ? (w.previous_secret_expires_at?.toISOString() ?? null) : null,
      eventKinds: w.event_kinds,
      active: w.active,
      lastStatus: w.last_status ?? null,
      createdAt: w.created_at.toISOString(),
      updatedAt: w.updated_at.toISOString(),
    };
  };

  r.get(
    '/api/v1/orgs/:id/webhooks',
    {
      schema: {
        tags: ['notifications'],
        summary: "An organization's webhooks (its admins, staff coordinators); secrets are never shown again",
        params: OrgParams,
        response: {
          200: Type.Object({ items: Type.Array(WebhookSchema), eventKinds: Type.Array(Type.String()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      requireAuth(request);
      const ctx = ctxOf(services, request);
      await assertWebhookAdmin(ctx, request.params.id);
      const hooks = await listWebhooks(db, request.params.id);
      const now = ctx.now();
      return { items: hooks.map((h) => presentHook(h, now)), eventKinds: [...webhookEventKinds] };
    },
  );

  r.post(
    '/api/v1/orgs/:id/webhooks',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Register a webhook (https); the signing secret is in this answer only',
        params: OrgParams,
        body: Body({
          url: Text(2000),
          eventKinds: Type.Array(Text(40), { minItems: 1, maxItems: 10 }),
        }),
        response: { 201: Type.Object({ webhook: WebhookSchema, secret: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const ctx = ctxOf(services, request);
      const { webhook, secret } = await createWebhook(ctx, request.params.id, request.body);
      return reply.status(201).send({ webhook: presentHook(webhook, ctx.now()), secret });
    },
  );

  r.patch(
    '/api/v1/orgs/:id/webhooks/:webhookId',
    {
      schema: {
        tags: ['notifications'],
        summary: "Change a webhook's address, event kinds, or switch it off and on",
        params: HookParams,
        body: Body({
          url: Type.Optional(Text(2000)),
          eventKinds: Type.Optional(Type.Array(Text(40), { minItems: 1, maxItems: 10 })),
          active: Type.Optional(Type.Boolean()),
        }),
        response: { 200: WebhookSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const ctx = ctxOf(services, request);
      const w = await updateWebhook(ctx, request.params.id, request.params.webhookId, request.body);
      return presentHook(w, ctx.now());
    },
  );

  r.delete(
    '/api/v1/orgs/:id/webhooks/:webhookId',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Remove a webhook and its delivery log',
        params: HookParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await deleteWebhook(ctxOf(services, request), request.params.id, request.params.webhookId);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/orgs/:id/webhooks/:webhookId/ping',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Send a signed test event to the endpoint (through the delivery queue)',
        params: HookParams,
        response: { 202: Type.Object({ status: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await pingWebhook(ctxOf(services, request), request.params.id, request.params.webhookId);
      return reply.status(202).send({ status: 'queued' });
    },
  );

  r.post(
    '/api/v1/orgs/:id/webhooks/:webhookId/rotate-secret',
    {
      schema: {
        tags: ['notifications'],
        summary:
          'Replace the signing secret (shown in this answer only); the old one keeps signing too for the grace period',
        description:
          'During the grace period (graceHours, default 24, at most 168; 0 for none) X-Accord-Signature carries ' +
          "two comma-separated signatures: the new secret's first, then the old one's.",
        params: HookParams,
        body: Body({ graceHours: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SECRET_GRACE_HOURS })) }),
        response: { 200: Type.Object({ webhook: WebhookSchema, secret: Type.String() }), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const ctx = ctxOf(services, request);
      const { webhook, secret } = await rotateWebhookSecret(
        ctx,
        request.params.id,
        request.params.webhookId,
        request.body,
      );
      return { webhook: presentHook(webhook, ctx.now()), secret };
    },
  );

  r.delete(
    '/api/v1/orgs/:id/webhooks/:webhookId/previous-secret',
    {
      schema: {
        tags: ['notifications'],
        summary: "End a rotation's grace period now: only the new secret signs from the next delivery on",
        params: HookParams,
        response: { 200: WebhookSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const ctx = ctxOf(services, request);
      const w = await revokePreviousWebhookSecret(ctx, request.params.id, request.params.webhookId);
      return presentHook(w, ctx.now());
    },
  );

  r.get(
    '/api/v1/orgs/:id/webhooks/:webhookId/deliveries',
    {
      schema: {
        tags: ['notifications'],
        summary: "A webhook's delivery log, newest first (the last 50)",
        params: HookParams,
        response: { 200: Type.Object({ items: Type.Array(Loose) }), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await assertWebhookAdmin(ctxOf(services, request), request.params.id);
      const hook = isUuid(request.params.webhookId)
        ? await findWebhook(db, request.params.id, request.params.webhookId)
        : undefined;
      if (!hook) throw notFound('webhook', request.params.webhookId);
      const items = await listDeliveries(db, hook.id);
      return {
        items: items.map((d) => ({
          id: d.id,
          eventId: d.event_id,
          eventKind: d.event_kind,
          status: d.status,
          attempts: d.attempts,
          responseStatus: d.response_status,
          lastError: d.last_error,
          createdAt: d.created_at.toISOString(),
          lastAttemptAt: d.last_attempt_at?.toISOString() ?? null,
          deliveredAt: d.delivered_at?.toISOString() ?? null,
        })),
      };
    },
  );
}

import { sql } from 'kysely';
import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { newSecret } from '../auth/secrets.ts';
import { AppError, notFound } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import { recordCaseEvent } from '../cases/events.ts';
import { caseResource, findCase, loadVisibleCase } from '../cases/queries.ts';
import { postScope, threadScope, viewerOf } from '../cases/threads.ts';
import type { WebhookRow } from '../db/schema.ts';
import { JOB_PRIORITY } from '../jobs/priority.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { queueMail } from '../mail/outbox.ts';
import { findOrgById } from '../orgs/queries.ts';
import { actorId, actorLabel } from '../policy/actor.ts';
import { authorize, can } from '../policy/policy.ts';
import { invalidFields } from '../reports/rules.ts';
import { membershipsOf, toActor } from '../users/queries.ts';
import { caseNoticeOnly, composeMail, emitWebhookEvent } from './dispatch.ts';
import { findWebhook, preferencesOf } from './queries.ts';
import {
  checkGraceHours,
  checkPreferences,
  checkWebhookKinds,
  checkWebhookUrl,
  contentFor,
  digestSlot,
  type Preferences,
  type PreferencesInput,
  previousSecretValid,
} from './rules.ts';

/**
 * Notification commands: read state, preferences, a case's policy, organizations' webhooks, and
 * the daily digest job. Each change runs in one transaction with its audit event.
 */

const NONE = '00000000-0000-0000-0000-000000000000';

/**
 * The caller visited a case (and read posts). Recorded for "changes since your last visit" (once
 * they read the full case); the first visit of a participant's member, terms-only view included,
 * is the participant's "first seen" on the timeline.
 * Marking posts read needs the full case (accepted terms); only visible posts are marked.
 */
export async function markSeen(
  ctx: Ctx,
  ref: string,
  input: { threadId?: string | undefined; postIds?: string[] | undefined; all?: boolean | undefined },
): Promise<{ previousVisit: Date | null; lastSeenAt: Date; marked: number }> {
  const actor = ctx.actor;
  if (actor.kind !== 'user') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first');
  return inTransaction(ctx, async (tx) => {
    const { c, resource } = await loadVisibleCase(tx, actor, ref);
    const wantsPosts = input.all === true || input.threadId !== undefined || (input.postIds?.length ?? 0) > 0;
    if (wantsPosts) authorize(actor, 'case:read_full', resource);
    const now = ctx.now();
    const previous = await tx
      .selectFrom('case_visits')
      .select('last_seen_at')
      .where('user_id', '=', actor.userId)
      .where('case_id', '=', c.id)
      .executeTakeFirst();
    // A visit to the terms-only view is no visit of the case: "since your last visit" starts with
    // the first look at the full case.
    if (can(actor, 'case:read_full', resource)) {
      await tx
        .insertInto('case_visits')
        .values({ user_id: actor.userId, case_id: c.id, last_seen_at: now })
        .onConflict((oc) => oc.columns(['user_id', 'case_id']).doUpdateSet({ last_seen_at: now }))
        .execute();
    }
    let marked = 0;
    if (wantsPosts) {
      const v = await viewerOf(tx, actor, c);
      let which = sql<boolean>`true`;
      if (!input.all && input.threadId !== undefined) {
        const thread = isUuid(input.threadId)
          ? await tx
              .selectFrom('case_threads as t')
              .select('t.id')
              .where('t.case_id', '=', c.id)
              .where('t.id', '=', input.threadId)
              .where(threadScope(v))
              .executeTakeFirst()
          : undefined;
        if (!thread) throw notFound('thread', input.threadId);
        which = sql<boolean>`p.thread_id = ${thread.id}`;
      } else if (!input.all) {
        const ids = (input.postIds ?? []).filter(isUuid);
        which = ids.length > 0 ? sql<boolean>`p.id in (${sql.join(ids)})` : sql<boolean>`false`;
      }
      const result = await sql`
        insert into post_reads (user_id, post_id, case_id, read_at)
        select ${actor.userId}, p.id, p.case_id, ${now}
          from case_posts p join case_threads t on t.id = p.thread_id
         where p.case_id = ${c.id} and ${which} and ${threadScope(v)} and ${postScope(v)}
        on conflict do nothing
        returning post_id`.execute(tx);
      marked = result.rows.length;
    }
    // The participant's first visit, for the timeline ("first seen"), before or after the terms.
    if (actor.memberships.length > 0) {
      const first = await tx
        .updateTable('case_participants')
        .set({ first_seen_at: now })
        .where('case_id', '=', c.id)
        .where('first_seen_at', 'is', null)
        .where('removed_at', 'is', null)
        .where(
          'org_id',
          'in',
          actor.memberships.map((m) => m.orgId),
        )
        .where(sql<boolean>`(jsonb_array_length(allowed_user_ids) = 0 or allowed_user_ids ? ${actor.userId})`)
        .returning(['id', 'org_id'])
        .execute();
      for (const p of first) {
        await recordCaseEvent(tx, ctx, c.id, 'first_seen', { orgId: p.org_id }, p.id, {
          userId: actor.userId,
          label: actorLabel(actor),
        });
      }
    }
    await recordAudit(tx, ctx, {
      action: 'case.seen',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, threadId: input.threadId ?? null, all: input.all ?? false, marked },
    });
    return { previousVisit: previous?.last_seen_at ?? null, lastSeenAt: now, marked };
  });
}

/** The caller's notification preferences; encrypted content needs an OpenPGP key on the profile. */
export async function setPreferences(ctx: Ctx, input: PreferencesInput): Promise<Preferences> {
  const actor = ctx.actor;
  if (actor.kind !== 'user') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first');
  return inTransaction(ctx, async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select('pgp_public_key')
      .where('id', '=', actor.userId)
      .executeTakeFirstOrThrow();
    const next = checkPreferences(await preferencesOf(tx, actor.userId), input, user.pgp_public_key !== null);
    const now = ctx.now();
    await tx
      .insertInto('notification_preferences')
      .values({
        user_id: actor.userId,
        content_mode: next.contentMode,
        kinds: JSON.stringify(next.kinds),
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({
          content_mode: next.contentMode,
          kinds: JSON.stringify(next.kinds),
          updated_at: now,
        }),
      )
      .execute();
    await recordAudit(tx, ctx, {
      action: 'notifications.preferences',
      subjectType: 'user',
      subjectId: actor.userId,
      summary: { contentMode: next.contentMode, kinds: next.kinds },
    });
    return next;
  });
}

/** The case lead or a coordinator decides that this case's mail carries no content, even encrypted. */
export async function setCasePolicy(ctx: Ctx, ref: string, noticeOnly: boolean): Promise<{ noticeOnly: boolean }> {
  return inTransaction(ctx, async (tx) => {
    const c = await findCase(tx, ref);
    if (!c) throw notFound('case', ref);
    authorize(ctx.actor, 'case:manage', await caseResource(tx, ctx.actor, c), 'case:read');
    const now = ctx.now();
    await tx
      .insertInto('case_notification_policies')
      .values({ case_id: c.id, notice_only: noticeOnly, updated_by: actorId(ctx.actor), updated_at: now })
      .onConflict((oc) =>
        oc.column('case_id').doUpdateSet({ notice_only: noticeOnly, updated_by: actorId(ctx.actor), updated_at: now }),
      )
      .execute();
    await recordAudit(tx, ctx, {
      action: 'case.notification_policy',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, noticeOnly },
    });
    return { noticeOnly };
  });
}

/** Webhooks belong to external organizations; their admins and staff coordinators manage them. */
async function loadOrgFor(ctx: Ctx, orgId: string) {
  const org = isUuid(orgId) ? await findOrgById(ctx.db, orgId) : undefined;
  if (!org) throw notFound('organization', orgId);
  authorize(ctx.actor, 'org:update', { type: 'org', id: org.id, kind: org.kind });
  if (org.kind === 'home') {
    throw invalidFields([
      { field: 'orgId', message: 'webhooks are for participant organizations; staff see every case in Accord' },
    ]);
  }
  return org;
}

/** Checks that the caller may manage the organization's webhooks (404 when it may not see the org). */
export async function assertWebhookAdmin(ctx: Ctx, orgId: string): Promise<void> {
  await loadOrgFor(ctx, orgId);
}

export const MAX_WEBHOOKS_PER_ORG = 10;
const SECRET_PREFIX = 'whsec_';
/** The first characters, so admins can tell secrets apart. */
const secretHint = (secret: string) => `${secret.slice(0, SECRET_PREFIX.length + 4)}…`;

/** Registers an endpoint; the secret is returned this once (it signs every delivery). */
export async function createWebhook(
  ctx: Ctx,
  orgId: string,
  input: { url: string; eventKinds: string[] },
): Promise<{ webhook: WebhookRow; secret: string }> {
  const org = await loadOrgFor(ctx, orgId);
  const url = checkWebhookUrl(input.url, ctx.config.notifications.webhookAllowPrivate);
  const kinds = checkWebhookKinds(input.eventKinds);
  const secret = newSecret(SECRET_PREFIX);
  return inTransaction(ctx, async (tx) => {
    const count = await tx
      .selectFrom('webhooks')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_WEBHOOKS_PER_ORG) {
      throw new AppError(
        'ERR_CONFLICT',
        `an organization has at most ${MAX_WEBHOOKS_PER_ORG} webhooks; remove one first`,
      );
    }
    const now = ctx.now();
    const webhook = await tx
      .insertInto('webhooks')
      .values({
        id: newId(),
        org_id: org.id,
        url,
        secret,
        secret_hint: secretHint(secret),
        event_kinds: JSON.stringify(kinds),
        active: true,
        created_by: actorId(ctx.actor),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, ctx, {
      action: 'webhook.create',
      subjectType: 'org',
      subjectId: org.id,
      summary: { webhookId: webhook.id, url, eventKinds: kinds },
    });
    return { webhook, secret };
  });
}

export async function updateWebhook(
  ctx: Ctx,
  orgId: string,
  webhookId: string,
  input: { url?: string | undefined; eventKinds?: string[] | undefined; active?: boolean | undefined },
): Promise<WebhookRow> {
  const org = await loadOrgFor(ctx, orgId);
  const url =
    input.url === undefined ? undefined : checkWebhookUrl(input.url, ctx.config.notifications.webhookAllowPrivate);
  const kinds = input.eventKinds === undefined ? undefined : checkWebhookKinds(input.eventKinds);
  return inTransaction(ctx, async (tx) => {
    const hook = isUuid(webhookId) ? await findWebhook(tx, org.id, webhookId) : undefined;
    if (!hook) throw notFound('webhook', webhookId);
    const row = await tx
      .updateTable('webhooks')
      .set({
        ...(url !== undefined ? { url } : {}),
        ...(kinds !== undefined ? { event_kinds: JSON.stringify(kinds) } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
        updated_at: ctx.now(),
      })
      .where('id', '=', hook.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, ctx, {
      action: 'webhook.update',
      subjectType: 'org',
      subjectId: org.id,
      summary: { webhookId: hook.id, url: url ?? null, eventKinds: kinds ?? null, active: input.active ?? null },
    });
    return row;
  });
}

export async function deleteWebhook(ctx: Ctx, orgId: string, webhookId: string): Promise<void> {
  const org = await loadOrgFor(ctx, orgId);
  await inTransaction(ctx, async (tx) => {
    const hook = isUuid(webhookId) ? await findWebhook(tx, org.id, webhookId) : undefined;
    if (!hook) throw notFound('webhook', webhookId);
    await tx.deleteFrom('webhooks').where('id', '=', hook.id).execute();
    await recordAudit(tx, ctx, {
      action: 'webhook.delete',
      subjectType: 'org',
      subjectId: org.id,
      summary: { webhookId: hook.id, url: hook.url },
    });
  });
}

/** Sends a `ping` event to one endpoint, through the same queue, signature and log as real events. */
export async function pingWebhook(ctx: Ctx, orgId: string, webhookId: string): Promise<void> {
  const org = await loadOrgFor(ctx, orgId);
  await inTransaction(ctx, async (tx) => {
    const hook = isUuid(webhookId) ? await findWebhook(tx, org.id, webhookId) : undefined;
    if (!hook) throw notFound('webhook', webhookId);
    if (!hook.active) throw new AppError('ERR_CONFLICT', 'the webhook is switched off; switch it on first');
    await emitWebhookEvent(tx, ctx, {
      kind: 'ping',
      caseRow: null,
      itemId: null,
      apiPath: null,
      orgIds: [org.id],
      webhookId: hook.id,
    });
    await recordAudit(tx, ctx, {
      action: 'webhook.ping',
      subjectType: 'org',
      subjectId: org.id,
      summary: { webhookId: hook.id },
    });
  });
}

/* Secret rotation. */

async function lockWebhook(tx: Db, orgId: string, webhookId: string): Promise<WebhookRow> {
  const hook = isUuid(webhookId)
    ? await tx
        .selectFrom('webhooks')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', webhookId)
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!hook) throw notFound('webhook', webhookId);
  return hook;
}

/**
 * Replaces a webhook's signing secret; the new secret is returned this once. For `graceHours`
 * (default 24, at most 168; 0 for none) the old secret keeps signing too: every delivery carries
 * both signatures, so the receiver can switch secrets at its own pace. One rotation at a time:
 * while an old secret is still valid, revoke it first.
 */
export async function rotateWebhookSecret(
  ctx: Ctx,
  orgId: string,
  webhookId: string,
  input: { graceHours?: number | undefined },
): Promise<{ webhook: WebhookRow; secret: string }> {
  const org = await loadOrgFor(ctx, orgId);
  const graceHours = checkGraceHours(input.graceHours);
  const secret = newSecret(SECRET_PREFIX);
  return inTransaction(ctx, async (tx) => {
    const hook = await lockWebhook(tx, org.id, webhookId);
    const now = ctx.now();
    if (previousSecretValid(hook, now)) {
      throw new AppError(
        'ERR_CONFLICT',
        `the previous secret of this webhook is still valid until ${hook.previous_secret_expires_at?.toISOString()}; revoke it first, or rotate again after then`,
        { previousSecretExpiresAt: hook.previous_secret_expires_at?.toISOString() ?? null },
      );
    }
    const expiresAt = graceHours > 0 ? new Date(now.getTime() + graceHours * 3_600_000) : null;
    const webhook = await tx
      .updateTable('webhooks')
      .set({
        secret,
        secret_hint: secretHint(secret),
        previous_secret: expiresAt ? hook.secret : null,
        previous_secret_hint: expiresAt ? hook.secret_hint : null,
        previous_secret_expires_at: expiresAt,
        secret_rotated_at: now,
        updated_at: now,
      })
      .where('id', '=', hook.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, ctx, {
      action: 'webhook.rotate_secret',
      subjectType: 'org',
      subjectId: org.id,
      summary: { webhookId: hook.id, graceHours, previousSecretExpiresAt: expiresAt?.toISOString() ?? null },
    });
    return { webhook, secret };
  });
}

/** Ends a rotation's grace period now: from the next delivery attempt on, only the new secret signs. */
export async function revokePreviousWebhookSecret(ctx: Ctx, orgId: string, webhookId: string): Promise<WebhookRow> {
  const org = await loadOrgFor(ctx, orgId);
  return inTransaction(ctx, async (tx) => {
    const hook = await lockWebhook(tx, org.id, webhookId);
    const now = ctx.now();
    if (!previousSecretValid(hook, now)) {
      throw new AppError(
        'ERR_CONFLICT',
        'this webhook has no previous secret in a grace period; only the current secret signs, nothing to revoke',
      );
    }
    const webhook = await tx
      .updateTable('webhooks')
      .set({ previous_secret: null, previous_secret_hint: null, previous_secret_expires_at: null, updated_at: now })
      .where('id', '=', hook.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, ctx, {
      action: 'webhook.revoke_previous_secret',
      subjectType: 'org',
      subjectId: org.id,
      summary: { webhookId: hook.id, plannedExpiry: hook.previous_secret_expires_at?.toISOString() ?? null },
    });
    return webhook;
  });
}

/**
 * Clears rotated-out secrets whose grace period is over (of one webhook, or all): delivery never
 * uses them anyway (it compares the time), this keeps them from lingering in the database. Run by
 * the delivery job, the webhook commands and the hourly prune.
 */
export async function dropExpiredWebhookSecrets(db: Db, now: Date, webhookId?: string): Promise<number> {
  let q = db
    .updateTable('webhooks')
    .set({ previous_secret: null, previous_secret_hint: null, previous_secret_expires_at: null })
    .where('previous_secret', 'is not', null)
    .where('previous_secret_expires_at', '<=', now);
  if (webhookId) q = q.where('id', '=', webhookId);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/* The daily digest. */

export const DIGEST_JOB = 'notifications.digest';
export const DIGEST_SWEEP_JOB = 'notifications.digest_sweep';

/**
 * Runs every few minutes on some node (scheduled like the prune job): for every user with items
 * waiting from before today's digest hour (in their time zone), enqueues that day's digest job.
 * The job's unique key `digest:<user>:<YYYY-MM-DD>` makes it one job per user per day, however
 * many nodes sweep.
 */
export async function digestSweepJob(ctx: Ctx): Promise<number> {
  const now = ctx.now();
  const users = await ctx.db
    .selectFrom('digest_items as d')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .select(['u.id', 'u.time_zone', (eb) => eb.fn.min('d.created_at').as('oldest')])
    .where('d.sent_at', 'is', null)
    .groupBy(['u.id', 'u.time_zone'])
    .execute();
  let enqueued = 0;
  for (const u of users) {
    const slot = digestSlot(u.time_zone, ctx.config.notifications.digestHour, now);
    if (now < slot.at || new Date(u.oldest) >= slot.at) continue;
    await enqueueJob(
      ctx.db,
      {
        kind: DIGEST_JOB,
        payload: { userId: u.id, date: slot.date, cutoff: slot.at.toISOString() },
        uniqueKey: `digest:${u.id}:${slot.date}`,
        priority: JOB_PRIORITY.bulk,
      },
      now,
    );
    enqueued += 1;
  }
  return enqueued;
}

interface DigestLine {
  caseId: string;
  notice: string;
  detail: string | null;
}

/**
 * One user's digest: one mail with every item queued before the cutoff, each checked again
 * against what the user may see now (access may have ended since); content encrypted by their
 * preference unless a case's policy forbids it, else content-free lines. The items are marked
 * sent in the same transaction as the mail is queued, so a job that runs again sends nothing.
 */
export async function digestJob(ctx: Ctx, payload: Record<string, unknown>): Promise<void> {
  const userId = typeof payload.userId === 'string' ? payload.userId : null;
  const cutoff = typeof payload.cutoff === 'string' ? new Date(payload.cutoff) : null;
  const date = typeof payload.date === 'string' ? payload.date : '';
  if (!userId || !cutoff || Number.isNaN(cutoff.getTime())) return;
  await inTransaction(ctx, async (tx) => {
    const items = await tx
      .selectFrom('digest_items')
      .selectAll()
      .where('user_id', '=', userId)
      .where('sent_at', 'is', null)
      .where('created_at', '<', cutoff)
      .orderBy('created_at')
      .forUpdate()
      .execute();
    if (items.length === 0) return;
    const markSent = () =>
      tx
        .updateTable('digest_items')
        .set({ sent_at: ctx.now() })
        .where(
          'id',
          'in',
          items.map((i) => i.id),
        )
        .execute();
    const user = await tx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!user || user.disabled_at) {
      await markSent();
      return;
    }
    const actor = toActor(user, await membershipsOf(tx, user.id), 'session');
    const prefs = await preferencesOf(tx, user.id);
    const lines: DigestLine[] = [];
    let dropped = 0;
    const byCase = new Map<string, typeof items>();
    for (const i of items) byCase.set(i.case_id, [...(byCase.get(i.case_id) ?? []), i]);
    const noticeOnlyCases = new Set<string>();
    for (const [caseUuid, caseItems] of byCase) {
      const c = await findCase(tx, caseUuid);
      const resource = c ? await caseResource(tx, actor, c) : null;
      if (!c || !resource || !can(actor, 'case:read_full', resource)) {
        dropped += caseItems.length;
        continue;
      }
      if (await caseNoticeOnly(tx, c.id)) noticeOnlyCases.add(c.case_id);
      const v = await viewerOf(tx, actor, c);
      let stateSeen = false;
      for (const item of caseItems) {
        if (item.subject_type === 'post') {
          const post = await tx
            .selectFrom('case_posts as p')
            .innerJoin('case_threads as t', 't.id', 'p.thread_id')
            .select(['p.body', 'p.tlp', 'p.author_label', 't.kind', 't.title'])
            .where('p.id', '=', item.subject_id)
            .where('p.case_id', '=', c.id)
            .where(threadScope(v))
            .where(postScope(v))
            .executeTakeFirst();
          if (!post) {
            dropped += 1;
            continue;
          }
          const where =
            post.kind === 'official'
              ? 'the official thread'
              : post.kind === 'private'
                ? 'a private thread'
                : 'the discussion';
          lines.push({
            caseId: c.case_id,
            notice: `${item.kind === 'mention' ? 'you were mentioned in a post' : 'a new post'} (TLP:${post.tlp}) in ${where}`,
            detail: `Post in "${post.title}" by ${post.author_label} (TLP:${post.tlp}):\n${post.body}`,
          });
        } else if (item.subject_type === 'status') {
          const s = await tx
            .selectFrom('vendor_statuses as s')
            .innerJoin('case_participants as cp', 'cp.id', 's.participant_id')
            .leftJoin('organizations as o', 'o.id', 'cp.org_id')
            .select(['o.name', 's.product', 's.status', 's.statement', 's.justification', 's.fixed_versions'])
            .where('s.id', '=', item.subject_id)
            .where('s.case_id', '=', c.id)
            .where(
              v.staff
                ? sql<boolean>`true`
                : sql<boolean>`(s.participant_id in (${v.participantIds.length > 0 ? sql.join(v.participantIds) : NONE}) or s.may_share)`,
            )
            .executeTakeFirst();
          if (!s) {
            dropped += 1;
            continue;
          }
          lines.push({
            caseId: c.case_id,
            notice: 'a vendor status changed',
            detail: [
              `${s.name ?? 'A vendor'}: ${s.product}: ${s.status}`,
              ...(s.justification ? [`Justification: ${s.justification}`] : []),
              ...(s.fixed_versions ? [`Fixed versions: ${s.fixed_versions}`] : []),
              ...(s.statement ? [s.statement] : []),
            ].join('\n'),
          });
        } else {
          // Several state changes of one case read as one line: the state now.
          if (stateSeen) continue;
          stateSeen = true;
          lines.push({
            caseId: c.case_id,
            notice: 'the case state changed',
            detail: `Case state now: ${c.pxa_state}`,
          });
        }
      }
    }
    if (lines.length > 0) {
      const link = (caseId: string) => `${ctx.config.baseUrl}/cases/${caseId}`;
      const cases = [...new Set(lines.map((l) => l.caseId))];
      const render = (full: boolean) =>
        [
          `Your ${ctx.config.instanceName} digest for ${date}.`,
          '',
          ...cases.flatMap((caseId) => {
            const mine = lines.filter((l) => l.caseId === caseId);
            const withDetail = full && !noticeOnlyCases.has(caseId);
            return [
              `${caseId}:`,
              ...mine.map((l) => (withDetail && l.detail ? `- ${l.detail.replace(/\n/g, '\n  ')}` : `- ${l.notice}`)),
              `  ${link(caseId)}`,
              '',
            ];
          }),
        ].join('\n');
      const mode = contentFor(prefs, user.pgp_public_key !== null, false);
      const mail = await composeMail(tx, ctx, user, mode, render(false), render(true), {});
      await queueMail(tx, ctx, {
        priority: JOB_PRIORITY.bulk,
        to: user.email,
        subject: `[${ctx.config.instanceName}] Your daily digest: ${lines.length} update${lines.length === 1 ? '' : 's'} in ${cases.length} case${cases.length === 1 ? '' : 's'}`,
        text: mail.text,
      });
    }
    await markSent();
    await recordAudit(tx, ctx, {
      action: 'notifications.digest',
      subjectType: 'user',
      subjectId: user.id,
      summary: { date, items: items.length, sent: lines.length, dropped },
    });
  });
}

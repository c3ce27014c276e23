import { sql, type Transaction } from 'kysely';
import type { Ctx, Db } from '../app/context.ts';
import { newId } from '../core/ids.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import { JOB_PRIORITY } from '../jobs/priority.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { encryptText } from '../keys/pgp.ts';
import { currentInstanceKey } from '../keys/queries.ts';
import { webhookPayload, type WebhookEventKind } from './rules.ts';

/**
 * Producing notifications, inside the transaction of the change they tell about (so a rolled-back
 * change tells nobody). Mail is composed by the `notifications.send` job after the commit
 * (src/notifications/send.ts), which decides who may see the item and how each one hears of it:
 * by their preference (immediate mail, the daily digest, or nothing) and in what form (content
 * encrypted to their key and signed by the instance key, or a content-free notice when they have
 * no key, prefer notices, or the case's policy says so). Organizations' webhooks get a
 * content-free event through the job queue.
 */

type Tx = Transaction<Database>;

export const WEBHOOK_JOB = 'webhook.deliver';

/**
 * Mail about posts, statuses and case states is composed by a job after the change committed
 * (src/notifications/send.ts): encrypting to hundreds of keys would otherwise hold the change's
 * transaction open. The job decides the recipients again when it runs.
 */
export const NOTIFY_JOB = 'notifications.send';

export type NotifyPayload =
  | { source: 'post'; postId: string; mentionsOnly?: string[]; findersOnly?: boolean }
  | { source: 'status'; statusId: string; actorUserId: string | null }
  | {
      source: 'case_state';
      caseId: string;
      event: string;
      participantId: string | null;
      to: string;
      actorUserId: string | null;
    }
  | EmbargoNotifyPayload;

/**
 * An embargo change (src/embargo/commands.ts): the texts are composed by the change (the detail is
 * only ever sent encrypted); the recipients are decided when the job runs (`embargoRecipients`):
 * `official` as an official post, `everyone` for a parachute-cord alert.
 */
export interface EmbargoNotifyPayload {
  source: 'embargo';
  caseId: string;
  audience: 'official' | 'everyone';
  actorUserId: string | null;
  subject: string;
  notice: string;
  detail: string;
}

/**
 * The job's priority (src/jobs/priority.ts), which its mails take too: official posts and embargo
 * notices are urgent; messages in other threads, mentions, statuses and case states are bulk.
 */
async function notifyPriority(tx: Tx, payload: NotifyPayload): Promise<number> {
  if (payload.source === 'embargo') return JOB_PRIORITY.urgent;
  if (payload.source === 'post' && !payload.mentionsOnly) {
    const thread = await tx
      .selectFrom('case_posts as p')
      .innerJoin('case_threads as t', 't.id', 'p.thread_id')
      .select('t.kind')
      .where('p.id', '=', payload.postId)
      .executeTakeFirst();
    if (thread?.kind === 'official') return JOB_PRIORITY.urgent;
  }
  return JOB_PRIORITY.bulk;
}

/** Queues a notification job in the change's transaction; `uniqueKey` makes it one job per change. */
export async function enqueueNotification(tx: Tx, ctx: Ctx, payload: NotifyPayload, uniqueKey: string): Promise<void> {
  const priority = await notifyPriority(tx, payload);
  await enqueueJob(tx, { kind: NOTIFY_JOB, payload: { ...payload }, uniqueKey, priority }, ctx.now());
}

/** Whether the case's policy allows notices only (set by its lead or a coordinator). */
export async function caseNoticeOnly(db: Db, caseId: string): Promise<boolean> {
  const row = await db
    .selectFrom('case_notification_policies')
    .select('notice_only')
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return row?.notice_only ?? false;
}

/** A mail for one user: the detail encrypted to their key when allowed, else the notice. */
export async function composeMail(
  tx: Tx,
  ctx: Ctx,
  user: { id: string; pgp_public_key: string | null },
  mode: 'encrypted' | 'notice',
  notice: string,
  detail: string,
  signing: { key?: string | null },
): Promise<{ text: string; encrypted: boolean }> {
  if (mode !== 'encrypted' || !user.pgp_public_key) return { text: notice, encrypted: false };
  // Read in this transaction: on the embedded engine a second connection would wait for it.
  if (signing.key === undefined) signing.key = (await currentInstanceKey(tx))?.private_key ?? null;
  try {
    return { text: await encryptText(detail, user.pgp_public_key, signing.key ?? undefined), encrypted: true };
  } catch (err) {
    ctx.log.warn({ err, userId: user.id }, 'could not encrypt the notification; sending the notice only');
    return { text: notice, encrypted: false };
  }
}

/**
 * The organizations that may hear of something in a case by webhook: participants (not removed)
 * that accepted the current terms and whose access is not limited to named users (an org-wide
 * endpoint is nobody in particular). `privateThreadId` narrows to a private thread's members,
 * `onlyOrgIds` to some organizations (TLP:AMBER+STRICT).
 */
export async function caseOrgAudience(
  tx: Tx,
  c: Pick<CaseRow, 'id' | 'terms_version'>,
  opts: { privateThreadId?: string | undefined; onlyOrgIds?: readonly (string | null)[] | undefined } = {},
): Promise<string[]> {
  let q = tx
    .selectFrom('case_participants as p')
    .select('p.org_id')
    .distinct()
    .where('p.case_id', '=', c.id)
    .where('p.org_id', 'is not', null)
    .where('p.removed_at', 'is', null)
    .where('p.terms_version', '=', c.terms_version)
    .where(sql<boolean>`jsonb_array_length(p.allowed_user_ids) = 0`);
  if (opts.privateThreadId) {
    const threadId = opts.privateThreadId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('case_thread_members as tm')
          .select('tm.thread_id')
          .where('tm.thread_id', '=', threadId)
          .whereRef('tm.participant_id', '=', 'p.id'),
      ),
    );
  }
  if (opts.onlyOrgIds) {
    const only = opts.onlyOrgIds.filter((o): o is string => o !== null);
    if (only.length === 0) return [];
    q = q.where('p.org_id', 'in', only);
  }
  return (await q.execute()).map((r) => r.org_id).filter((o): o is string => o !== null);
}

/**
 * One event for the organizations' active webhooks that subscribed to its kind: a delivery row
 * per endpoint (the delivery log) and a job that sends it, retried with back-off. The event id
 * is the same for every endpoint and every retry, so receivers can drop duplicates.
 */
export async function emitWebhookEvent(
  tx: Tx,
  ctx: Ctx,
  event: {
    kind: WebhookEventKind;
    caseRow: Pick<CaseRow, 'id' | 'case_id'> | null;
    itemId: string | null;
    apiPath: string | null;
    orgIds: readonly string[];
    /** Only this endpoint (a test ping). */
    webhookId?: string;
  },
): Promise<number> {
  if (event.orgIds.length === 0 && !event.webhookId) return 0;
  let q = tx.selectFrom('webhooks').select(['id']).where('active', '=', true);
  if (event.webhookId) q = q.where('id', '=', event.webhookId);
  else q = q.where('org_id', 'in', [...event.orgIds]).where(sql<boolean>`event_kinds ? ${event.kind}`);
  const hooks = await q.execute();
  if (hooks.length === 0) return 0;
  const eventId = newId();
  const payload = webhookPayload({
    eventId,
    kind: event.kind,
    caseId: event.caseRow?.case_id ?? null,
    itemId: event.itemId,
    apiPath: event.apiPath,
    baseUrl: ctx.config.baseUrl,
    at: ctx.now(),
  });
  for (const h of hooks) {
    const id = newId();
    await tx
      .insertInto('webhook_deliveries')
      .values({
        id,
        webhook_id: h.id,
        event_id: eventId,
        event_kind: event.kind,
        case_id: event.caseRow?.id ?? null,
        payload: JSON.stringify(payload),
        status: 'pending',
        response_status: null,
        last_error: null,
        created_at: ctx.now(),
        last_attempt_at: null,
        delivered_at: null,
      })
      .execute();
    await enqueueJob(tx, { kind: WEBHOOK_JOB, payload: { deliveryId: id }, uniqueKey: `webhook:${id}` }, ctx.now());
  }
  return hooks.length;
}

import { sql, type Transaction } from 'kysely';
import type { Ctx, Db } from '../app/context.ts';
import { newId } from '../core/ids.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { encryptText } from '../keys/pgp.ts';
import { currentInstanceKey } from '../keys/queries.ts';
import { queueMail } from '../mail/outbox.ts';
import {
  contentFor,
  resolvePreferences,
  webhookPayload,
  type NotificationKind,
  type Preferences,
  type WebhookEventKind,
} from './rules.ts';

/**
 * Producing notifications, inside the transaction of the change they tell about (so a rolled-back
 * change tells nobody). Callers decide who may see the item; this decides how each one hears of
 * it: by their preference (immediate mail, the daily digest, or nothing) and in what form
 * (content encrypted to their key and signed by the instance key, or a content-free notice when
 * they have no key, prefer notices, or the case's policy says so). Organizations' webhooks get a
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
    };

/** Queues a notification job in the change's transaction; `uniqueKey` makes it one job per change. */
export async function enqueueNotification(tx: Tx, ctx: Ctx, payload: NotifyPayload, uniqueKey: string): Promise<void> {
  await enqueueJob(tx, { kind: NOTIFY_JOB, payload: { ...payload }, uniqueKey }, ctx.now());
}

export interface NotifyItem {
  caseRow: Pick<CaseRow, 'id' | 'case_id'>;
  subjectType: 'post' | 'status' | 'case_state';
  subjectId: string;
  /** The clear-text subject and body for a kind: ids, labels and a link only. */
  notice: (kind: NotificationKind) => { subject: string; text: string };
  /** The full content: only ever sent encrypted. */
  detail: string;
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
 * Tells each recipient about one item. `recipients` maps a user to the kinds the item is for
 * them, most specific first (a mention, then the thread); the first kind they have not switched
 * off decides. Disabled users hear nothing.
 */
export async function notifyUsers(
  tx: Tx,
  ctx: Ctx,
  item: NotifyItem,
  recipients: Map<string, readonly NotificationKind[]>,
): Promise<{ mailed: number; digested: number }> {
  const ids = [...recipients.keys()];
  const counts = { mailed: 0, digested: 0 };
  if (ids.length === 0) return counts;
  const users = await tx
    .selectFrom('users as u')
    .leftJoin('notification_preferences as np', 'np.user_id', 'u.id')
    .select(['u.id', 'u.email', 'u.pgp_public_key', 'np.content_mode', 'np.kinds'])
    .where('u.id', 'in', ids)
    .where('u.disabled_at', 'is', null)
    .execute();
  const noticeOnly = await caseNoticeOnly(tx, item.caseRow.id);
  const signing: { key?: string | null } = {};
  for (const u of users) {
    const prefs: Preferences = resolvePreferences(
      u.content_mode && u.kinds ? { content_mode: u.content_mode, kinds: u.kinds } : null,
    );
    const kind = (recipients.get(u.id) ?? []).find((k) => prefs.kinds[k] !== 'off');
    if (!kind) continue;
    if (prefs.kinds[kind] === 'digest') {
      await tx
        .insertInto('digest_items')
        .values({
          id: newId(),
          user_id: u.id,
          case_id: item.caseRow.id,
          kind,
          subject_type: item.subjectType,
          subject_id: item.subjectId,
          created_at: ctx.now(),
          sent_at: null,
        })
        .execute();
      counts.digested += 1;
      continue;
    }
    const notice = item.notice(kind);
    const mode = contentFor(prefs, u.pgp_public_key !== null, noticeOnly);
    const mail = await composeMail(tx, ctx, u, mode, notice.text, item.detail, signing);
    await queueMail(tx, ctx, { to: u.email, subject: notice.subject, text: mail.text });
    counts.mailed += 1;
  }
  return counts;
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

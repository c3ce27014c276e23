import { sql } from 'kysely';
import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { JOB_PRIORITY } from '../jobs/priority.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { queueMail } from '../mail/outbox.ts';
import { recordCaseEvent } from './events.ts';

/**
 * Reminders to silent vendors, from the durable job queue: one job per (participant, notification, day)
 * with a unique key, so it is enqueued once; a vendor removed and added again is notified anew and gets
 * its reminders anew, while the jobs of the earlier notification do nothing. The handler records `reminder_sent` in the same
 * transaction as the mail and checks for it first, so a job that runs again after a crash or on
 * another node sends nothing twice. "Silent" means: not yet received the case (RM Start) and no
 * status stated.
 */
export const REMINDER_JOB = 'case.reminder';

export async function scheduleReminders(db: Db, ctx: Ctx, participantId: string, notifiedAt: Date): Promise<void> {
  for (const day of ctx.config.cases.reminderDays) {
    await enqueueJob(
      db,
      {
        kind: REMINDER_JOB,
        payload: { participantId, day, notifiedAt: notifiedAt.toISOString() },
        uniqueKey: `reminder:${participantId}:${notifiedAt.getTime()}:${day}`,
        runAt: new Date(notifiedAt.getTime() + day * 86400_000),
        priority: JOB_PRIORITY.bulk,
      },
      ctx.now(),
    );
  }
}

export async function caseReminderJob(ctx: Ctx, payload: Record<string, unknown>): Promise<void> {
  const participantId = typeof payload.participantId === 'string' ? payload.participantId : null;
  const day = typeof payload.day === 'number' ? payload.day : null;
  // Jobs queued before reminders carried their notification have none: they count from any time.
  const since = typeof payload.notifiedAt === 'string' ? new Date(payload.notifiedAt) : new Date(0);
  if (!participantId || day === null || Number.isNaN(since.getTime())) return;
  await inTransaction(ctx, async (tx) => {
    // Serializes concurrent runs for this participant: the second waits, then sees the event.
    const p = await tx
      .selectFrom('case_participants')
      .selectAll()
      .where('id', '=', participantId)
      .forUpdate()
      .executeTakeFirst();
    // A removed participant is not reminded (it no longer has access).
    if (!p || !p.org_id || p.removed_at) return;
    // Notified again since this job was queued (removed and added back): that notification's jobs remind.
    if (p.notified_at && p.notified_at.getTime() > since.getTime()) return;
    const sent = await tx
      .selectFrom('case_events')
      .select('id')
      .where('participant_id', '=', p.id)
      .where('kind', '=', 'reminder_sent')
      .where(sql<boolean>`(data->>'day')::int = ${day}`)
      .where('created_at', '>=', since)
      .executeTakeFirst();
    if (sent) return;
    const answered = await tx
      .selectFrom('vendor_statuses')
      .select('id')
      .where('participant_id', '=', p.id)
      .executeTakeFirst();
    const c = await tx
      .selectFrom('cases')
      .select(['id', 'case_id', 'status'])
      .where('id', '=', p.case_id)
      .executeTakeFirstOrThrow();
    if (answered || p.rm_state !== 'S' || c.status !== 'open') return;
    const recipients = await reminderRecipients(tx, p.org_id, p.allowed_user_ids);
    for (const to of recipients) {
      await queueMail(tx, ctx, {
        priority: JOB_PRIORITY.bulk,
        to,
        subject: `[${c.case_id}] Reminder: a coordinated disclosure case awaits your answer`,
        text: [
          `${ctx.config.instanceName} notified your organization about case ${c.case_id} ${day} days ago and has not heard back.`,
          'Please sign in, accept the case terms and tell us whether your products are affected:',
          `${ctx.config.baseUrl}/cases/${c.case_id}`,
        ].join('\n'),
      });
    }
    await recordCaseEvent(tx, ctx, c.id, 'reminder_sent', { day, recipients: recipients.length }, p.id, {
      userId: null,
      label: 'system:reminders',
    });
  });
}

/** Named users of the participation (or all members), plus the org's approved security contacts. */
async function reminderRecipients(db: Db, orgId: string, allowed: string[]): Promise<string[]> {
  let members = db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('u.email')
    .where('m.org_id', '=', orgId)
    .where('u.disabled_at', 'is', null);
  if (allowed.length > 0) members = members.where('u.id', 'in', allowed);
  const contacts =
    allowed.length > 0
      ? []
      : await db
          .selectFrom('org_contacts')
          .select('email')
          .where('org_id', '=', orgId)
          .where('status', '=', 'approved')
          .where('role', 'in', ['security', 'psirt'])
          .execute();
  const emails = [...(await members.execute()).map((m) => m.email), ...contacts.map((c) => c.email)];
  return [...new Set(emails.map((e) => e.toLowerCase()))];
}

import type { Ctx, Db } from '../app/context.ts';
import { newId } from '../core/ids.ts';
import { JOB_PRIORITY } from '../jobs/priority.ts';
import { enqueueJob, enqueueJobs } from '../jobs/queue.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** A mail with the same key is written once only (notification jobs that run again). */
  uniqueKey?: string;
  /** The delivery job's priority (src/jobs/priority.ts): urgent mail goes out before a backlog. */
  priority?: number;
}

export const MAIL_JOB = 'mail.send';

/**
 * Every mail is first written to the outbox in the caller's transaction. With SMTP configured a
 * job delivers it; without, it stays readable by admins, so a fresh install still works.
 */
export async function queueMail(db: Db, ctx: Ctx, mail: OutgoingMail): Promise<string> {
  const id = newId();
  const smtp = ctx.config.smtp !== null;
  const written = await db
    .insertInto('outbox')
    .values({
      id,
      to_address: mail.to,
      subject: mail.subject,
      body_text: mail.text,
      status: smtp ? 'queued' : 'stored',
      created_at: ctx.now(),
      unique_key: mail.uniqueKey ?? null,
    })
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!written) {
    // Written before under the same key: nothing more to send.
    const earlier = await db
      .selectFrom('outbox')
      .select('id')
      .where('unique_key', '=', mail.uniqueKey ?? '')
      .executeTakeFirstOrThrow();
    return earlier.id;
  }
  if (smtp) {
    const priority = mail.priority ?? JOB_PRIORITY.normal;
    await enqueueJob(db, { kind: MAIL_JOB, payload: { outboxId: id }, priority }, ctx.now());
  }
  // The body may hold a one-time link, so the log names the mail and the outbox keeps the text.
  ctx.log.info({ outboxId: id, to: mail.to, subject: mail.subject, delivery: smtp ? 'smtp' : 'outbox' }, 'mail queued');
  return id;
}

/**
 * Many mails in one statement per 200 (a notification job writes hundreds), each written once by
 * its unique key, and their delivery jobs in one more: the same rows as `queueMail` one by one.
 */
export async function queueMails(db: Db, ctx: Ctx, mails: readonly OutgoingMail[]): Promise<void> {
  const smtp = ctx.config.smtp !== null;
  for (let i = 0; i < mails.length; i += 200) {
    const rows = mails.slice(i, i + 200).map((mail) => ({ mail, id: newId() }));
    const written = await db
      .insertInto('outbox')
      .values(
        rows.map(({ mail, id }) => ({
          id,
          to_address: mail.to,
          subject: mail.subject,
          body_text: mail.text,
          status: smtp ? ('queued' as const) : ('stored' as const),
          created_at: ctx.now(),
          unique_key: mail.uniqueKey ?? null,
        })),
      )
      .onConflict((oc) => oc.column('unique_key').doNothing())
      .returning('id')
      .execute();
    const ids = new Set(written.map((w) => w.id));
    const fresh = rows.filter((r) => ids.has(r.id));
    if (smtp) {
      const jobs = fresh.map(({ mail, id }) => ({
        kind: MAIL_JOB,
        payload: { outboxId: id },
        priority: mail.priority ?? JOB_PRIORITY.normal,
      }));
      await enqueueJobs(db, jobs, ctx.now());
    }
    for (const { mail, id } of fresh) {
      ctx.log.info(
        { outboxId: id, to: mail.to, subject: mail.subject, delivery: smtp ? 'smtp' : 'outbox' },
        'mail queued',
      );
    }
  }
}

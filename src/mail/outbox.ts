import type { Ctx, Db } from '../app/context.ts';
import { newId } from '../core/ids.ts';
import { enqueueJob } from '../jobs/queue.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** A mail with the same key is written once only (notification jobs that run again). */
  uniqueKey?: string;
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
  if (smtp) await enqueueJob(db, { kind: MAIL_JOB, payload: { outboxId: id } }, ctx.now());
  // The body may hold a one-time link, so the log names the mail and the outbox keeps the text.
  ctx.log.info({ outboxId: id, to: mail.to, subject: mail.subject, delivery: smtp ? 'smtp' : 'outbox' }, 'mail queued');
  return id;
}

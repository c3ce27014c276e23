import type { Ctx, Db } from '../app/context.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../db/schema.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { ensureInstanceKey } from '../keys/commands.ts';
import { instanceKeyHistory } from '../keys/queries.ts';
import { addFinderMessage, addStaffMessage, submitReport } from '../reports/commands.ts';
import { findReport } from '../reports/queries.ts';
import { typeAllowed, type AttachmentInput } from '../reports/rules.ts';
import type { Kysely } from 'kysely';
import type { IntakeEnvelope } from './smtp.ts';

export const INTAKE_JOB = 'intake.mail';

/**
 * The SMTP listener's hand-off: the raw mail is stored and a job queued in one transaction,
 * before the relay is told 250. Parsing happens in the job, so a mail that cannot be read
 * never makes the relay retry, and nothing is lost.
 */
export async function acceptIntakeMail(
  db: Kysely<Database>,
  raw: Buffer,
  envelope: IntakeEnvelope,
  now: Date,
): Promise<string> {
  const id = newId();
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('intake_mail')
      .values({
        id,
        raw,
        mail_from: envelope.mailFrom || null,
        rcpt_to: envelope.rcptTo.join(', '),
        remote_address: envelope.remoteAddress ?? null,
        status: 'pending',
        error: null,
        report_id: null,
        received_at: now,
        processed_at: null,
      })
      .execute();
    await enqueueJob(tx, { kind: INTAKE_JOB, payload: { id }, uniqueKey: `intake:${id}` }, now);
  });
  return id;
}

async function finish(
  db: Db,
  id: string,
  status: 'done' | 'failed',
  reportId: string | null,
  error: string | null,
  now: Date,
) {
  await db
    .updateTable('intake_mail')
    .set({ status, report_id: reportId, error, processed_at: now })
    .where('id', '=', id)
    .execute();
}

function titleFrom(subject: string): string {
  const s = subject.replace(/\s+/g, ' ').trim();
  if (s.length >= 5) return s.slice(0, 200);
  return `E-mail report${s ? `: ${s}` : ''}`.slice(0, 200);
}

function descriptionFrom(text: string): string {
  const t = text.trim();
  if (t.length >= 20) return t.slice(0, 100_000);
  return `${t || '(empty message body)'}\n\n(Received by e-mail; the body is shown as sent.)`;
}

/**
 * The job: parse and decrypt the mail, then either add it to the report whose tracking id is in
 * the subject (only when it comes from that report's finder) or open a new report. A mail that
 * cannot be read still becomes a report, with the raw message attached, so staff see it.
 * Nothing is ever mailed back to an unknown sender except the ordinary acknowledgement.
 */
export async function processIntakeMail(ctx: Ctx, id: string): Promise<void> {
  const row = await ctx.db.selectFrom('intake_mail').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.status !== 'pending') return;
  const limits = ctx.config.reports;
  await ensureInstanceKey(ctx);
  const keys = await instanceKeyHistory(ctx.db);
  const { parseIntakeMail } = await import('./mail.ts');
  const raw = Buffer.from(row.raw);
  let mail;
  try {
    mail = await parseIntakeMail(raw, {
      decryptionKeys: keys.map((k) => k.private_key),
      maxAttachmentBytes: limits.attachmentMaxBytes,
      maxAttachments: Math.max(1, limits.attachmentMaxCount),
      trackingPrefix: limits.idPrefix,
    });
  } catch (err) {
    const reason = err instanceof AppError ? err.message : 'the mail could not be parsed';
    const { report } = await submitReport(
      ctx,
      {
        title: `E-mail that could not be read, from ${row.mail_from ?? 'an unknown sender'}`.slice(0, 200),
        affected: [{ product: 'unknown (unreadable e-mail)' }],
        description: `Accord could not read this e-mail: ${reason}.\n\nThe original message is attached as message.eml.`,
        credit: { mode: 'anonymous' },
        attachments: [
          { filename: 'message.eml', contentType: 'message/rfc822', contentBase64: raw.toString('base64') },
        ],
      },
      { channel: 'email', submittedEncrypted: false, anyAttachmentType: true, acknowledge: false },
    );
    await finish(ctx.db, id, 'failed', report.id, reason, ctx.now());
    return;
  }

  const sender = (mail.from?.address ?? row.mail_from ?? '').toLowerCase() || null;
  const accepted = mail.attachments.filter((a) => typeAllowed(a.contentType, limits.attachmentTypes));
  const refused = [
    ...mail.rejectedAttachments.map((a) => `${a.filename} (${a.reason})`),
    ...mail.attachments
      .filter((a) => !accepted.includes(a))
      .map((a) => `${a.filename} (type ${a.contentType} not accepted)`),
  ];
  const attachments: AttachmentInput[] = accepted.map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    contentBase64: a.content.toString('base64'),
  }));

  // A reply to an existing report joins it, when it comes from that report's finder.
  if (mail.trackingId) {
    const report = await findReport(ctx.db, mail.trackingId);
    const finder = report?.finder_id
      ? await ctx.db.selectFrom('finders').select('email').where('id', '=', report.finder_id).executeTakeFirst()
      : undefined;
    if (report && report.rm_state !== 'C' && sender && finder?.email?.toLowerCase() === sender) {
      await addFinderMessage(ctx, report.id, { body: descriptionFrom(mail.text), attachments }, 'email');
      if (refused.length > 0) await noteRefused(ctx, report.id, refused);
      await finish(ctx.db, id, 'done', report.id, null, ctx.now());
      return;
    }
  }

  const { report } = await submitReport(
    ctx,
    {
      title: titleFrom(mail.subject),
      affected: [{ product: 'not stated (e-mail report)' }],
      description: descriptionFrom(mail.text),
      credit: { mode: 'anonymous' },
      contactEmail: sender ?? undefined,
      attachments,
    },
    { channel: 'email', submittedEncrypted: mail.encryption !== 'none', acknowledge: sender !== null },
  );
  if (refused.length > 0) await noteRefused(ctx, report.id, refused);
  await finish(ctx.db, id, 'done', report.id, null, ctx.now());
}

async function noteRefused(ctx: Ctx, reportId: string, refused: string[]): Promise<void> {
  await addStaffMessage(ctx, reportId, {
    body: `Attachments of the e-mail that were not kept:\n\n${refused.map((r) => `- ${r}`).join('\n')}`,
    visibility: 'internal',
  });
}

/** For the worker: the job handler. */
export async function intakeMailJob(ctx: Ctx, payload: Record<string, unknown>): Promise<void> {
  if (typeof payload.id === 'string') await processIntakeMail(ctx, payload.id);
}

import { sql, type Transaction } from 'kysely';
import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { newSecret } from '../auth/secrets.ts';
import { sha256 } from '../auth/secrets.ts';
import { AppError, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database, FinderRow, ReportMessageRow, ReportRow } from '../db/schema.ts';
import { ensureInstanceKey } from '../keys/commands.ts';
import { encryptText } from '../keys/pgp.ts';
import { currentInstanceKey, instanceKeyHistory } from '../keys/queries.ts';
import { queueMail } from '../mail/outbox.ts';
import { actorId, actorLabel } from '../policy/actor.ts';
import { authorize } from '../policy/policy.ts';
import { localDate } from '../sla/calendar.ts';
import { parsePublicKey } from '../users/pgp.ts';
import { orThrow } from '../vultron/result.ts';
import { rmStateLabels, rmTransition, type RmEvent, type RmState } from '../vultron/rm.ts';
import { findReport, isTriager, REPORT_LINK_PREFIX, reportColumns, reportEvents, reportResource } from './queries.ts';
import {
  checkAttachments,
  checkCloseReason,
  checkCredit,
  checkReport,
  formatTrackingId,
  invalidFields,
  pathToClosed,
  type AttachmentInput,
  type AttachmentLimits,
  type CheckedAttachment,
  type Credit,
  type FieldProblem,
  type ReportInput,
} from './rules.ts';
import { calendarOf, reportSlaColumns } from './sla.ts';
import { loadSlaSettings } from '../slapolicy/queries.ts';
import { policyFor, severityKey } from '../slapolicy/rules.ts';

type Tx = Transaction<Database>;

export function attachmentLimits(ctx: Ctx): AttachmentLimits {
  const r = ctx.config.reports;
  return { maxBytes: r.attachmentMaxBytes, maxCount: r.attachmentMaxCount, types: r.attachmentTypes };
}

/** Opens an armored OpenPGP message sent to the instance key (any key it ever had). */
export async function decryptForInstance(ctx: Ctx, armored: string, field = 'encrypted'): Promise<string> {
  const { createPgp } = await import('../intake/pgp.ts');
  await ensureInstanceKey(ctx);
  const keys = await instanceKeyHistory(ctx.db);
  const pgp = createPgp({
    decryptionKeys: keys.map((k) => k.private_key),
    maxDecryptedBytes: ctx.config.reports.attachmentMaxBytes * (ctx.config.reports.attachmentMaxCount + 1) * 2,
  });
  try {
    const { data } = await pgp.decrypt(Buffer.from(armored, 'utf8'), 'the encrypted report');
    return data.toString('utf8');
  } catch (err) {
    const why = err instanceof AppError ? err.message : 'it could not be decrypted';
    throw invalidFields([
      { field, message: `${why}; encrypt to the key at /.well-known/openpgp-key.asc, or send the report unencrypted` },
    ]);
  }
}

/** The plaintext of an encrypted submission must be the same JSON object as an unencrypted one. */
export function parseDecryptedJson<T>(text: string): T {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as T;
  } catch {
    /* fall through */
  }
  throw invalidFields([{ field: 'encrypted', message: 'the decrypted content is not a JSON object' }]);
}

async function nextTrackingId(tx: Tx, ctx: Ctx): Promise<string> {
  const year = Number(localDate(calendarOf(ctx.config.sla), ctx.now()).slice(0, 4));
  const row = await sql<{ value: number }>`
    insert into counters (name, value) values (${`report:${year}`}, 1)
    on conflict (name) do update set value = counters.value + 1
    returning value`.execute(tx);
  return formatTrackingId(ctx.config.reports.idPrefix, year, Number(row.rows[0]!.value));
}

/** The finder record: by account, else e-mail, else OpenPGP fingerprint; created when new. */
async function upsertFinder(
  tx: Tx,
  ctx: Ctx,
  who: {
    userId: string | null;
    email: string | null;
    key: { armored: string; fingerprint: string } | null;
    name: string | null;
    handle: string | null;
    publicAcknowledgement: boolean;
  },
): Promise<FinderRow | null> {
  let found: FinderRow | undefined;
  if (who.userId)
    found = await tx.selectFrom('finders').selectAll().where('user_id', '=', who.userId).executeTakeFirst();
  if (!found && who.email) {
    found = await tx
      .selectFrom('finders')
      .selectAll()
      .where(sql<string>`lower(email)`, '=', who.email.toLowerCase())
      .executeTakeFirst();
  }
  if (!found && who.key) {
    found = await tx
      .selectFrom('finders')
      .selectAll()
      .where('pgp_fingerprint', '=', who.key.fingerprint)
      .executeTakeFirst();
  }
  if (!found && !who.userId && !who.email && !who.key) return null; // anonymous: nothing links reports
  const now = ctx.now();
  if (found) {
    return tx
      .updateTable('finders')
      .set({
        user_id: found.user_id ?? who.userId,
        email: found.email ?? who.email,
        pgp_fingerprint: who.key?.fingerprint ?? found.pgp_fingerprint,
        pgp_public_key: who.key?.armored ?? found.pgp_public_key,
        name: who.name ?? found.name,
        handle: who.handle ?? found.handle,
        public_acknowledgement: who.publicAcknowledgement || found.public_acknowledgement,
        updated_at: now,
      })
      .where('id', '=', found.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  const inserted = await tx
    .insertInto('finders')
    .values({
      id: newId(),
      user_id: who.userId,
      email: who.email,
      pgp_fingerprint: who.key?.fingerprint ?? null,
      pgp_public_key: who.key?.armored ?? null,
      name: who.name,
      handle: who.handle,
      public_acknowledgement: who.publicAcknowledgement,
      created_at: now,
      updated_at: now,
    })
    // Two reports from a new address at once: the second finds the first's finder, no 500.
    .onConflict((oc) =>
      oc
        .expression(sql`lower(email)`)
        .where('email', 'is not', null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  if (inserted) return inserted;
  return (
    (await tx
      .selectFrom('finders')
      .selectAll()
      .where(sql<string>`lower(email)`, '=', (who.email ?? '').toLowerCase())
      .executeTakeFirst()) ?? null
  );
}

async function insertAttachments(
  tx: Tx,
  ctx: Ctx,
  reportId: string,
  messageId: string | null,
  visibility: 'shared' | 'internal',
  files: CheckedAttachment[],
): Promise<void> {
  if (files.length === 0) return;
  await tx
    .insertInto('attachments')
    .values(
      files.map((f) => ({
        id: newId(),
        report_id: reportId,
        message_id: messageId,
        visibility,
        filename: f.filename,
        content_type: f.contentType,
        size: f.size,
        sha256: f.sha256,
        content: f.content,
        created_at: ctx.now(),
      })),
    )
    .execute();
}

async function recordEvent(
  tx: Tx,
  ctx: Ctx,
  reportId: string,
  e: { kind: string; from?: string | null; to?: string | null; data?: Record<string, unknown> },
): Promise<void> {
  await tx
    .insertInto('report_events')
    .values({
      id: newId(),
      report_id: reportId,
      kind: e.kind,
      from_state: e.from ?? null,
      to_state: e.to ?? null,
      actor_user_id: actorId(ctx.actor),
      actor_label: actorLabel(ctx.actor),
      data: JSON.stringify(e.data ?? {}),
      created_at: ctx.now(),
    })
    .execute();
}

/**
 * Recomputes the stored SLA columns from the report's events (they are derived, never typed in),
 * with the SLA calendar and policies read in the same transaction as the change.
 */
async function refreshSla(tx: Tx, ctx: Ctx, report: Pick<ReportRow, 'id' | 'created_at' | 'severity'>): Promise<void> {
  const events = await reportEvents(tx, report.id);
  const cols = reportSlaColumns(await loadSlaSettings(tx, ctx.config.sla), report, events, ctx.now());
  await tx
    .updateTable('reports')
    .set({ ...cols, updated_at: ctx.now() })
    .where('id', '=', report.id)
    .execute();
}

/**
 * Derives every report's SLA columns again — after the SLA policies or calendar changed (the
 * `sla.refresh` job) — in chunks of `chunk` reports, each chunk in one transaction with its rows
 * locked, so a report changed meanwhile is derived from its newest events. Writes only the rows
 * whose columns change, and returns how many.
 */
export async function refreshAllReportSla(ctx: Ctx, chunk = 500): Promise<number> {
  let after: string | null = null;
  let changed = 0;
  for (;;) {
    const last: string | null = await inTransaction(ctx, async (tx) => {
      const sla = await loadSlaSettings(tx, ctx.config.sla);
      let q = tx.selectFrom('reports').select(['id', 'created_at', 'severity', ...slaColumnNames]);
      if (after !== null) q = q.where('id', '>', after);
      const rows = await q.orderBy('id').limit(chunk).forUpdate().execute();
      if (rows.length === 0) return null;
      const events = await tx
        .selectFrom('report_events')
        .select(['report_id', 'kind', 'to_state', 'created_at'])
        .where(
          'report_id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('seq')
        .execute();
      const byReport = new Map<string, typeof events>();
      for (const e of events) {
        const list = byReport.get(e.report_id);
        if (list) list.push(e);
        else byReport.set(e.report_id, [e]);
      }
      for (const r of rows) {
        const cols = reportSlaColumns(sla, r, byReport.get(r.id) ?? [], ctx.now());
        const same = slaColumnNames.every((k) => (r[k]?.getTime() ?? null) === (cols[k]?.getTime() ?? null));
        if (same) continue;
        await tx.updateTable('reports').set(cols).where('id', '=', r.id).execute();
        changed++;
      }
      return rows[rows.length - 1]!.id;
    });
    if (last === null) return changed;
    after = last;
  }
}

const slaColumnNames = [
  'ack_due_at',
  'ack_risk_at',
  'acknowledged_at',
  'triage_due_at',
  'triage_risk_at',
  'triaged_at',
  'awaiting_finder_since',
] as const;

/** The secret travels in the fragment, which browsers never send to a server or in a Referer. */
function followUpUrl(ctx: Ctx, trackingId: string, secret: string): string {
  return `${ctx.config.baseUrl}/report/follow-up#${trackingId}/${secret}`;
}

/** A mail to the finder; encrypted to their key when they gave one (then it may carry content). */
async function mailFinder(
  tx: Tx,
  ctx: Ctx,
  finder: { email: string | null; pgp_public_key: string | null } | null,
  subject: string,
  plain: string,
  sensitive?: string,
): Promise<void> {
  if (!finder?.email) return;
  let text = plain;
  if (finder.pgp_public_key) {
    try {
      // Read in this transaction: on the embedded engine a second connection would wait for it.
      const key = await currentInstanceKey(tx);
      text = await encryptText(sensitive ? `${plain}\n\n${sensitive}` : plain, finder.pgp_public_key, key?.private_key);
    } catch (err) {
      ctx.log.warn({ err }, 'could not encrypt mail to the finder; sending the notice without content');
    }
  }
  await queueMail(tx, ctx, { to: finder.email, subject, text });
}

export interface SubmitOptions {
  channel: 'web' | 'api' | 'email';
  submittedEncrypted: boolean;
  publicAcknowledgement?: boolean | undefined;
  /** Intake of an unreadable mail keeps the raw message/rfc822 whatever the allowed types. */
  anyAttachmentType?: boolean;
  /** Send the acknowledgement mail (default: yes, when there is a contact address). */
  acknowledge?: boolean;
}

export interface Submitted {
  report: ReportRow;
  followUpSecret: string;
  followUpUrl: string;
}

/**
 * A finder's report arrives (web form, API or e-mail): validated as a whole, stored with its
 * attachments in one transaction, received per Vultron RM (S→R), acknowledged by mail.
 */
export async function submitReport(ctx: Ctx, input: ReportInput, opts: SubmitOptions): Promise<Submitted> {
  const now = ctx.now();
  const limits = attachmentLimits(ctx);
  if (opts.anyAttachmentType) limits.types = ['message/rfc822', ...limits.types];
  const checked = checkReport(input, limits, localDate(calendarOf(ctx.config.sla), now));
  let key: { armored: string; fingerprint: string } | null = null;
  if (checked.pgpPublicKey) {
    try {
      const parsed = await parsePublicKey(checked.pgpPublicKey, now);
      key = { armored: parsed.armored, fingerprint: parsed.fingerprint };
    } catch (err) {
      throw invalidFields([
        { field: 'pgpPublicKey', message: err instanceof AppError ? err.message : 'the key could not be read' },
      ]);
    }
  }
  const secret = newSecret(REPORT_LINK_PREFIX);
  const userId = actorId(ctx.actor);
  const credit = checked.details.credit;
  const result = await inTransaction(ctx, async (tx) => {
    const finder = await upsertFinder(tx, ctx, {
      userId,
      email: checked.contactEmail,
      key,
      name: credit.mode === 'name' ? credit.value : null,
      handle: credit.mode === 'handle' ? credit.value : null,
      publicAcknowledgement: opts.publicAcknowledgement ?? false,
    });
    if (finder && ctx.actor.kind !== 'system') {
      // Per finder as well as per address: one sender rotating addresses is still one finder.
      const recent = await tx
        .selectFrom('reports')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('finder_id', '=', finder.id)
        .where('created_at', '>', new Date(now.getTime() - 3600_000))
        .executeTakeFirstOrThrow();
      if (Number(recent.n) >= ctx.config.rateLimit.reportsPerHour) {
        throw new AppError(
          'ERR_RATE_LIMITED',
          `this finder sent ${Number(recent.n)} reports in the last hour; please wait before sending more`,
          { retryAfter: 3600 },
        );
      }
    }
    const trackingId = await nextTrackingId(tx, ctx);
    const move = orThrow(rmTransition('S', 'receive'));
    // The SLA columns of a new report follow from its one event (received), computed here rather
    // than written and read back, with the SLA settings this transaction sees.
    const slaSettings = await loadSlaSettings(tx, ctx.config.sla);
    const severity = checked.details.cvss?.severity ?? null;
    const sla = reportSlaColumns(
      slaSettings,
      { created_at: now, severity },
      [{ kind: 'transition', to_state: move.to, created_at: ctx.now() }],
      ctx.now(),
    );
    const report = await tx
      .insertInto('reports')
      .values({
        ...sla,
        id: newId(),
        tracking_id: trackingId,
        title: checked.title,
        description: checked.description,
        products: checked.products,
        details: JSON.stringify(checked.details),
        language: checked.language,
        channel: opts.channel,
        rm_state: 'R',
        close_reason: null,
        duplicate_of: null,
        finder_id: finder?.id ?? null,
        submitted_by: userId,
        assignee_id: null,
        cvss_vector: checked.details.cvss?.vector ?? null,
        cvss_score: checked.details.cvss?.score ?? null,
        severity: checked.details.cvss?.severity ?? null,
        cwe: checked.details.cwe?.id ?? null,
        followup_hash: sha256(secret),
        submitted_encrypted: opts.submittedEncrypted,
        created_at: now,
        updated_at: now,
      })
      .returning(reportColumns)
      .executeTakeFirstOrThrow();
    await insertAttachments(tx, ctx, report.id, null, 'shared', checked.attachments);
    // Similar reports are suggested when staff open the report (GET …/similar and the report
    // view), not here: ranking against every stored report inside this transaction made each
    // intake wait for the one before it (docs/benchmarks.md).
    await recordEvent(tx, ctx, report.id, {
      kind: 'transition',
      from: 'S',
      to: move.to,
      data: {
        message: move.message,
        channel: opts.channel,
        encrypted: opts.submittedEncrypted,
        attachments: checked.attachments.map((a) => ({ filename: a.filename, sha256: a.sha256 })),
      },
    });
    const fresh = report;
    await recordAudit(tx, ctx, {
      action: 'report.create',
      subjectType: 'report',
      subjectId: report.id,
      summary: { trackingId, channel: opts.channel, encrypted: opts.submittedEncrypted },
    });
    const ackPolicy = policyFor(slaSettings.policies, slaSettings.defaults, 'acknowledge', severityKey(severity));
    const days = ackPolicy.targetBusinessDays;
    await mailFinder(
      tx,
      ctx,
      finder && checked.contactEmail && opts.acknowledge !== false
        ? { email: checked.contactEmail, pgp_public_key: key?.armored ?? null }
        : null,
      `[${trackingId}] Your report was received`,
      [
        `Thank you. ${ctx.config.instanceName} received your report "${checked.title}".`,
        '',
        `Tracking id: ${trackingId}`,
        `We will answer within ${days} business day${days === 1 ? '' : 's'} (by ${fresh.ack_due_at?.toISOString() ?? ''}).`,
        '',
        'Follow your report, read our questions and answer them here (keep this link private:',
        'anyone who has it can read the report):',
        followUpUrl(ctx, trackingId, secret),
        '',
        `Reply to this mail keeping "[${trackingId}]" in the subject to add to the report.`,
      ].join('\n'),
    );
    return fresh;
  });
  return { report: result, followUpSecret: secret, followUpUrl: followUpUrl(ctx, result.tracking_id, secret) };
}

export interface MessageInput {
  body: string;
  attachments?: AttachmentInput[] | undefined;
}

function checkBody(body: string, problems: FieldProblem[]): string {
  const text = body.trim();
  if (text.length < 1) problems.push({ field: 'body', message: 'the message is empty' });
  if (text.length > 100_000) problems.push({ field: 'body', message: 'the message is longer than 100,000 characters' });
  return text;
}

async function insertMessage(
  tx: Tx,
  ctx: Ctx,
  reportId: string,
  m: Pick<ReportMessageRow, 'kind' | 'visibility' | 'body' | 'via' | 'from_finder'>,
): Promise<ReportMessageRow> {
  return tx
    .insertInto('report_messages')
    .values({
      id: newId(),
      report_id: reportId,
      kind: m.kind,
      visibility: m.visibility,
      from_finder: m.from_finder,
      author_user_id: actorId(ctx.actor),
      author_label: ctx.actor.kind === 'user' ? ctx.actor.label : actorLabel(ctx.actor),
      body: m.body,
      via: m.via,
      created_at: ctx.now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The finder adds to their report (follow-up link, account or a reply mail); an answer resumes the triage clock. */
export async function addFinderMessage(
  ctx: Ctx,
  ref: string,
  input: MessageInput,
  via: 'web' | 'api' | 'email',
): Promise<ReportMessageRow> {
  const problems: FieldProblem[] = [];
  const body = checkBody(input.body, problems);
  const files = checkAttachments(problems, input.attachments, attachmentLimits(ctx));
  if (problems.length > 0) throw invalidFields(problems);
  return inTransaction(ctx, async (tx) => {
    const report = await findReport(tx, ref);
    if (!report) throw notFound('report', ref);
    authorize(ctx.actor, 'report:answer', reportResource(report), 'report:read');
    if (report.rm_state === 'C') {
      throw new AppError('ERR_CONFLICT', `report ${report.tracking_id} is closed; send a new report instead`);
    }
    const answering = report.awaiting_finder_since !== null;
    const msg = await insertMessage(tx, ctx, report.id, {
      kind: answering ? 'answer' : 'message',
      visibility: 'shared',
      from_finder: true,
      body,
      via,
    });
    await insertAttachments(tx, ctx, report.id, msg.id, 'shared', files);
    await recordEvent(tx, ctx, report.id, {
      kind: answering ? 'finder_answered' : 'finder_message',
      data: { messageId: msg.id, attachments: files.length },
    });
    await refreshSla(tx, ctx, report);
    await recordAudit(tx, ctx, {
      action: 'report.finder_message',
      subjectType: 'report',
      subjectId: report.id,
      summary: { trackingId: report.tracking_id, messageId: msg.id, attachments: files.length },
    });
    return msg;
  });
}

export interface CreditInput {
  credit: ReportInput['credit'];
  publicAcknowledgement: boolean;
}

/**
 * The finder changes how they are credited, and whether they are listed on the public acknowledgements page,
 * after submitting (follow-up link or account). Allowed in every state: credit matters most after publication.
 * An anonymous report gets a finder record here when its finder asks to be listed.
 */
export async function setReportCredit(ctx: Ctx, ref: string, input: CreditInput): Promise<Credit> {
  const problems: FieldProblem[] = [];
  const credit = checkCredit(problems, input.credit);
  if (input.publicAcknowledgement && credit.mode === 'anonymous') {
    problems.push({
      field: 'publicAcknowledgement',
      message: 'an anonymous credit cannot be listed publicly; choose a name or a handle to be listed',
    });
  }
  if (problems.length > 0) throw invalidFields(problems);
  return inTransaction(ctx, async (tx) => {
    const report = await findReport(tx, ref);
    if (!report) throw notFound('report', ref);
    authorize(ctx.actor, 'report:answer', reportResource(report), 'report:read');
    const now = ctx.now();
    await tx
      .updateTable('reports')
      .set({ details: JSON.stringify({ ...report.details, credit }), updated_at: now })
      .where('id', '=', report.id)
      .execute();
    const names = {
      name: credit.mode === 'name' ? credit.value : null,
      handle: credit.mode === 'handle' ? credit.value : null,
    };
    if (report.finder_id) {
      await tx
        .updateTable('finders')
        .set({
          ...(credit.mode === 'anonymous' ? {} : names),
          public_acknowledgement: input.publicAcknowledgement,
          updated_at: now,
        })
        .where('id', '=', report.finder_id)
        .execute();
    } else if (input.publicAcknowledgement) {
      const finderId = newId();
      await tx
        .insertInto('finders')
        .values({
          id: finderId,
          user_id: null,
          email: null,
          pgp_fingerprint: null,
          pgp_public_key: null,
          ...names,
          public_acknowledgement: true,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await tx.updateTable('reports').set({ finder_id: finderId }).where('id', '=', report.id).execute();
    }
    await recordEvent(tx, ctx, report.id, {
      kind: 'credit_changed',
      data: { mode: credit.mode, type: credit.type, publicAcknowledgement: input.publicAcknowledgement },
    });
    await recordAudit(tx, ctx, {
      action: 'report.credit',
      subjectType: 'report',
      subjectId: report.id,
      summary: {
        trackingId: report.tracking_id,
        mode: credit.mode,
        publicAcknowledgement: input.publicAcknowledgement,
      },
    });
    return credit;
  });
}

export interface StaffMessageInput extends MessageInput {
  visibility: 'shared' | 'internal';
  /** `question`: a request for more information; the triage clock pauses until the finder answers. */
  kind?: 'message' | 'question' | undefined;
}

async function loadFinder(tx: Tx, report: ReportRow): Promise<FinderRow | null> {
  if (!report.finder_id) return null;
  return (await tx.selectFrom('finders').selectAll().where('id', '=', report.finder_id).executeTakeFirst()) ?? null;
}

/** Staff write to the finder (shared) or to each other (internal note). */
export async function addStaffMessage(ctx: Ctx, ref: string, input: StaffMessageInput): Promise<ReportMessageRow> {
  const problems: FieldProblem[] = [];
  const body = checkBody(input.body, problems);
  const files = checkAttachments(problems, input.attachments, attachmentLimits(ctx));
  const kind = input.kind ?? 'message';
  if (kind === 'question' && input.visibility !== 'shared') {
    problems.push({ field: 'visibility', message: 'a question for the finder must be shared with them' });
  }
  if (problems.length > 0) throw invalidFields(problems);
  return inTransaction(ctx, async (tx) => {
    const report = await findReport(tx, ref);
    if (!report) throw notFound('report', ref);
    authorize(ctx.actor, 'report:triage', reportResource(report));
    const shared = input.visibility === 'shared';
    const msg = await insertMessage(tx, ctx, report.id, {
      kind: shared ? kind : 'note',
      visibility: input.visibility,
      from_finder: false,
      body,
      via: 'web',
    });
    await insertAttachments(tx, ctx, report.id, msg.id, input.visibility, files);
    if (shared) {
      await recordEvent(tx, ctx, report.id, { kind: 'staff_message', data: { messageId: msg.id } });
      if (kind === 'question') await recordEvent(tx, ctx, report.id, { kind: 'info_requested', data: {} });
      await refreshSla(tx, ctx, report);
      const finder = await loadFinder(tx, report);
      await mailFinder(
        tx,
        ctx,
        finder,
        `[${report.tracking_id}] ${kind === 'question' ? 'A question about' : 'News on'} your report`,
        [
          `${ctx.config.instanceName} ${kind === 'question' ? 'has a question about' : 'wrote about'} your report ${report.tracking_id}.`,
          'Read and answer it through your follow-up link, or reply to this mail keeping the tracking id in the subject.',
        ].join('\n'),
        finder?.pgp_public_key ? `---\n${body}` : undefined,
      );
    } else {
      await recordEvent(tx, ctx, report.id, { kind: 'note', data: { messageId: msg.id } });
    }
    await recordAudit(tx, ctx, {
      action: shared ? 'report.message' : 'report.note',
      subjectType: 'report',
      subjectId: report.id,
      summary: { trackingId: report.tracking_id, messageId: msg.id, kind },
    });
    return msg;
  });
}

async function applyRm(tx: Tx, ctx: Ctx, report: ReportRow, event: RmEvent, data: Record<string, unknown>) {
  const move = orThrow(rmTransition(report.rm_state as RmState, event), {
    trackingId: report.tracking_id,
    state: report.rm_state,
    event,
  });
  await recordEvent(tx, ctx, report.id, {
    kind: 'transition',
    from: report.rm_state,
    to: move.to,
    data: { message: move.message, event, ...data },
  });
  report.rm_state = move.to;
  return move;
}

export interface TransitionInput {
  event: RmEvent;
  reason?: string | undefined;
  duplicateOf?: string | undefined;
  note?: string | undefined;
}

/** A Vultron RM move decided by staff; illegal moves answer 409 naming the rule. */
export async function transitionReport(ctx: Ctx, ref: string, input: TransitionInput): Promise<ReportRow> {
  if (input.event === 'receive') {
    throw invalidFields([{ field: 'event', message: 'a report is received when it is submitted' }]);
  }
  if (input.event === 'close' && input.reason === 'duplicate') {
    return markDuplicate(ctx, ref, input.duplicateOf ?? '');
  }
  const reason = input.event === 'close' ? checkCloseReason(input.reason, input.duplicateOf) : null;
  return inTransaction(ctx, async (tx) => {
    const report = await findReport(tx, ref);
    if (!report) throw notFound('report', ref);
    authorize(ctx.actor, 'report:triage', reportResource(report));
    const from = report.rm_state;
    const move = await applyRm(tx, ctx, report, input.event, { reason, note: input.note?.slice(0, 2000) ?? null });
    await tx
      .updateTable('reports')
      .set({ rm_state: move.to, close_reason: reason ?? report.close_reason, updated_at: ctx.now() })
      .where('id', '=', report.id)
      .execute();
    await refreshSla(tx, ctx, report);
    const finder = await loadFinder(tx, report);
    await mailFinder(
      tx,
      ctx,
      finder,
      `[${report.tracking_id}] Your report is now ${rmStateLabels[move.to]}`,
      `The status of your report ${report.tracking_id} changed from ${rmStateLabels[from as RmState]} to ${rmStateLabels[move.to]}${reason ? ` (${reason.replace(/_/g, ' ')})` : ''}.\nSee your follow-up link for details.`,
    );
    await recordAudit(tx, ctx, {
      action: 'report.transition',
      subjectType: 'report',
      subjectId: report.id,
      summary: { trackingId: report.tracking_id, from, to: move.to, event: input.event, reason },
    });
    return (await findReport(tx, report.id))!;
  });
}

/** Closes a report as a duplicate of another, through legal RM moves, and tells the finder. */
export async function markDuplicate(ctx: Ctx, ref: string, originalRef: string): Promise<ReportRow> {
  if (!originalRef.trim()) {
    throw invalidFields([{ field: 'duplicateOf', message: 'name the original report (its tracking id)' }]);
  }
  return inTransaction(ctx, async (tx) => {
    const report = await findReport(tx, ref);
    if (!report) throw notFound('report', ref);
    authorize(ctx.actor, 'report:triage', reportResource(report));
    const original = await findReport(tx, originalRef.trim());
    if (!original) throw invalidFields([{ field: 'duplicateOf', message: `report ${originalRef} was not found` }]);
    if (original.id === report.id) {
      throw invalidFields([{ field: 'duplicateOf', message: 'a report cannot duplicate itself' }]);
    }
    if (original.duplicate_of === report.id) {
      throw invalidFields([
        { field: 'duplicateOf', message: `${original.tracking_id} is already a duplicate of this one` },
      ]);
    }
    const path = pathToClosed(report.rm_state as RmState);
    if (!path) {
      orThrow(rmTransition(report.rm_state as RmState, 'close'), { trackingId: report.tracking_id });
      throw new AppError('ERR_ILLEGAL_TRANSITION', `report ${report.tracking_id} cannot be closed`);
    }
    const from = report.rm_state;
    for (const event of path) {
      await applyRm(tx, ctx, report, event, { reason: 'duplicate', duplicateOf: original.tracking_id });
    }
    await tx
      .updateTable('reports')
      .set({ rm_state: 'C', close_reason: 'duplicate', duplicate_of: original.id, updated_at: ctx.now() })
      .where('id', '=', report.id)
      .execute();
    await refreshSla(tx, ctx, report);
    const text = `This report duplicates ${original.tracking_id}, which we already handle; we closed it and will follow up there. Thank you.`;
    await insertMessage(tx, ctx, report.id, {
      kind: 'message',
      visibility: 'shared',
      from_finder: false,
      body: text,
      via: 'system',
    });
    const finder = await loadFinder(tx, report);
    await mailFinder(tx, ctx, finder, `[${report.tracking_id}] Your report duplicates an earlier one`, text);
    await recordAudit(tx, ctx, {
      action: 'report.duplicate',
      subjectType: 'report',
      subjectId: report.id,
      summary: { trackingId: report.tracking_id, from, original: original.tracking_id },
    });
    return (await findReport(tx, report.id))!;
  });
}

export async function assignReport(ctx: Ctx, ref: string, assigneeId: string | null): Promise<ReportRow> {
  return inTransaction(ctx, async (tx) => {
    const report = await findReport(tx, ref);
    if (!report) throw notFound('report', ref);
    authorize(ctx.actor, 'report:triage', reportResource(report));
    if (assigneeId !== null && !(await isTriager(tx, assigneeId))) {
      throw invalidFields([
        {
          field: 'userId',
          message: 'reports can be assigned to active staff with the admin, coordinator or analyst role',
        },
      ]);
    }
    await tx
      .updateTable('reports')
      .set({ assignee_id: assigneeId, updated_at: ctx.now() })
      .where('id', '=', report.id)
      .execute();
    await recordEvent(tx, ctx, report.id, { kind: 'assigned', data: { assigneeId } });
    await recordAudit(tx, ctx, {
      action: 'report.assign',
      subjectType: 'report',
      subjectId: report.id,
      summary: { trackingId: report.tracking_id, assigneeId },
    });
    return (await findReport(tx, report.id))!;
  });
}

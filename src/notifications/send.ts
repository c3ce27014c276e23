import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { postRecipients } from '../cases/threads.ts';
import { newId } from '../core/ids.ts';
import type { CaseRow } from '../db/schema.ts';
import type { JobRow } from '../jobs/queue.ts';
import { textEncryptor } from '../keys/pgp.ts';
import { currentInstanceKey } from '../keys/queries.ts';
import { queueMails, type OutgoingMail } from '../mail/outbox.ts';
import { caseNoticeOnly, type NotifyPayload } from './dispatch.ts';
import { caseStateRecipients, embargoRecipients, statusRecipients } from './events.ts';
import {
  contentFor,
  defaultPreferences,
  finderNoticeText,
  noticeText,
  resolvePreferences,
  type NotificationKind,
  type Preferences,
} from './rules.ts';

/**
 * The notification job (`notifications.send`), queued by the change's transaction
 * (`enqueueNotification`, one job per change by its unique key) and run after the commit:
 *
 * 1. Outside any transaction, decide who hears of the change and compose each mail: the content
 *    OpenPGP-encrypted to the recipient's key and signed with the instance key, or a content-free
 *    notice (their preference, no key, or the case's policy). Encryption is the slow part, so no
 *    transaction (and, on the embedded engine, no connection) is held while it runs.
 * 2. In one transaction, decide the recipients again and write the mails (and digest items) of
 *    those who may still see the change: a participant removed, a user limited away or a post
 *    relabelled in between gets nothing. Each outbox row carries the key `<job key>:<recipient>`,
 *    so a job run again after a crash writes nothing twice.
 *
 * Finders (participants in the finder or reporter role) hear of what their view shows
 * (src/cases/finder.ts): at their account's address and key and by its preferences, else at the
 * address and key of their report; their notices link to the follow-up page, never with the secret.
 *
 * The mails take the job's priority (src/jobs/priority.ts), so an official post's mail is delivered
 * before a backlog of routine notices. They are written in a few statements (`queueMails`), and the
 * instance key is read once per job: with hundreds of recipients, per-mail round trips and key
 * parsing were a large part of the job's time on PostgreSQL.
 */

interface Plan {
  caseRow: CaseRow;
  subjectType: 'post' | 'status' | 'case_state';
  subjectId: string;
  users: Map<string, NotificationKind[]>;
  finders: Map<string, NotificationKind[]>;
  notice: (kind: NotificationKind) => { subject: string; text: string };
  detail: string;
  finderNotice: (trackingId: string | null) => { subject: string; text: string };
  finderDetail: (trackingId: string | null) => string;
  /** An alert: mailed now, never put in the digest. */
  immediate?: boolean;
  /** Whether a recipient (`u:<user>` / `f:<finder participation>`) may get the content; else a notice. */
  mayHaveContent?: (key: string) => boolean;
}

function parsePayload(raw: Record<string, unknown>): NotifyPayload | null {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  if (raw.source === 'post' && str(raw.postId)) {
    return {
      source: 'post',
      postId: str(raw.postId)!,
      ...(strings(raw.mentionsOnly) ? { mentionsOnly: strings(raw.mentionsOnly)! } : {}),
      ...(raw.findersOnly === true ? { findersOnly: true } : {}),
    };
  }
  if (raw.source === 'status' && str(raw.statusId))
    return { source: 'status', statusId: str(raw.statusId)!, actorUserId: str(raw.actorUserId) };
  if (raw.source === 'case_state' && str(raw.caseId)) {
    return {
      source: 'case_state',
      caseId: str(raw.caseId)!,
      event: str(raw.event) ?? '',
      participantId: str(raw.participantId),
      to: str(raw.to) ?? '',
      actorUserId: str(raw.actorUserId),
    };
  }
  if (raw.source === 'embargo' && str(raw.caseId) && (raw.audience === 'official' || raw.audience === 'everyone')) {
    return {
      source: 'embargo',
      caseId: str(raw.caseId)!,
      audience: raw.audience,
      actorUserId: str(raw.actorUserId),
      subject: str(raw.subject) ?? '',
      notice: str(raw.notice) ?? '',
      detail: str(raw.detail) ?? '',
    };
  }
  return null;
}

const threadWhere = (kind: string) =>
  kind === 'official' ? 'the official thread' : kind === 'private' ? 'a private thread' : 'the discussion';

/** Who hears of the change now, and what they are told. */
async function planFor(db: Db, ctx: Ctx, p: NotifyPayload): Promise<Plan | null> {
  const base = ctx.config.baseUrl;
  const followUp = `${base}/report/follow-up`;
  if (p.source === 'post') {
    const r = await postRecipients(db, p.postId, { mentionsOnly: p.mentionsOnly, findersOnly: p.findersOnly });
    if (!r) return null;
    const { caseRow: c, thread, post } = r;
    const link = `${base}/cases/${c.case_id}`;
    const byCoordinators = post.author_org_id
      ? (await db.selectFrom('organizations').select('kind').where('id', '=', post.author_org_id).executeTakeFirst())
          ?.kind === 'home'
      : false;
    return {
      caseRow: c,
      subjectType: 'post',
      subjectId: post.id,
      users: r.users,
      finders: r.finders,
      notice: (kind) =>
        noticeText({
          caseId: c.case_id,
          what: kind === 'mention' ? 'mention' : 'post',
          tlp: post.tlp,
          threadKind: thread.kind,
          link,
        }),
      detail: `TLP:${post.tlp}\nCase: ${c.case_id}\nThread: ${thread.title}\nFrom: ${post.author_label}\n\n${post.body}\n\n-- \n${link}`,
      finderNotice: (trackingId) =>
        finderNoticeText({ caseId: c.case_id, trackingId, what: 'post', tlp: post.tlp, link: followUp }),
      // Authors are not named to finders (as in their view): other participants' people are not their business.
      finderDetail: (trackingId) =>
        [
          `TLP:${post.tlp}`,
          `Case: ${c.case_id}${trackingId ? ` (your report ${trackingId})` : ''}`,
          `In ${threadWhere(thread.kind)}, from ${byCoordinators ? 'the coordinators' : 'a participant'}`,
          '',
          post.body,
          '',
          '-- ',
          followUp,
        ].join('\n'),
    };
  }
  if (p.source === 'status') {
    const r = await statusRecipients(db, p.statusId, p.actorUserId);
    if (!r) return null;
    const { caseRow: c, status } = r;
    const link = `${base}/cases/${c.case_id}`;
    const lines = [
      `Vendor: ${r.vendor ?? '—'}`,
      `Vulnerability: ${r.vulnerability?.title ?? '—'}${r.vulnerability?.cve_id ? ` (${r.vulnerability.cve_id})` : ''}`,
      `Product: ${status.product}`,
      `Status: ${status.status}`,
      ...(status.justification ? [`Justification: ${status.justification}`] : []),
      ...(status.fixed_versions ? [`Fixed versions: ${status.fixed_versions}`] : []),
      ...(status.statement ? ['', status.statement] : []),
    ];
    return {
      caseRow: c,
      subjectType: 'status',
      subjectId: status.id,
      users: r.users,
      finders: r.finders,
      notice: () => noticeText({ caseId: c.case_id, what: 'status', link }),
      detail: [`Case: ${c.case_id}`, ...lines, '', '-- ', link].join('\n'),
      finderNotice: (trackingId) => finderNoticeText({ caseId: c.case_id, trackingId, what: 'status', link: followUp }),
      // The finder's view lists shareable statements without the vulnerability's title.
      finderDetail: (trackingId) =>
        [
          `Case: ${c.case_id}${trackingId ? ` (your report ${trackingId})` : ''}`,
          `Vendor: ${r.vendor ?? '—'}`,
          `Product: ${status.product}`,
          `Status: ${status.status}`,
          ...(status.justification ? [`Justification: ${status.justification}`] : []),
          ...(status.fixed_versions ? [`Fixed versions: ${status.fixed_versions}`] : []),
          ...(status.statement ? ['', status.statement] : []),
          '',
          '-- ',
          followUp,
        ].join('\n'),
    };
  }
  if (p.source === 'embargo') {
    const r = await embargoRecipients(db, p.caseId, p.audience, p.actorUserId);
    if (!r) return null;
    const notice = { subject: p.subject, text: p.notice };
    return {
      caseRow: r.caseRow,
      subjectType: 'case_state',
      subjectId: r.caseRow.id,
      users: r.users,
      finders: r.finders,
      notice: () => notice,
      detail: p.detail,
      // Finders hear of an embargo alert by a notice only.
      finderNotice: () => notice,
      finderDetail: () => '',
      ...(p.audience === 'everyone'
        ? { immediate: true, mayHaveContent: (key: string) => key.startsWith('u:') && r.readers.has(key.slice(2)) }
        : {}),
    };
  }
  const r = await caseStateRecipients(db, p.caseId, p.participantId, p.actorUserId);
  if (!r) return null;
  const c = r.caseRow;
  const link = `${base}/cases/${c.case_id}`;
  return {
    caseRow: c,
    subjectType: 'case_state',
    subjectId: c.id,
    users: r.users,
    finders: new Map(),
    notice: () => noticeText({ caseId: c.case_id, what: 'case_state', link }),
    detail: [
      `Case: ${c.case_id}`,
      `Vultron case event: ${p.event}${r.vendor ? ` (${r.vendor})` : ''}`,
      `State now: ${p.to}`,
      '',
      '-- ',
      link,
    ].join('\n'),
    finderNotice: () => ({ subject: '', text: '' }),
    finderDetail: () => '',
  };
}

/** One composed mail, or a digest item, for one recipient (`u:<user>` or `f:<finder participation>`). */
interface Prepared {
  userId: string | null;
  kind: NotificationKind;
  digest: boolean;
  to: string;
  subject: string;
  notice: string;
  text: string;
  encrypted: boolean;
}

interface Contact {
  key: string;
  userId: string | null;
  email: string;
  pgpKey: string | null;
  prefs: Preferences;
  /** Finders without an account have no digest: they hear at once. */
  canDigest: boolean;
  finder: { trackingId: string | null } | null;
}

/** The addresses, keys and preferences of a plan's recipients (disabled users dropped). */
async function contactsOf(db: Db, plan: Plan): Promise<Contact[]> {
  const out: Contact[] = [];
  const ids = [...plan.users.keys()];
  if (ids.length > 0) {
    const users = await db
      .selectFrom('users as u')
      .leftJoin('notification_preferences as np', 'np.user_id', 'u.id')
      .select(['u.id', 'u.email', 'u.pgp_public_key', 'np.content_mode', 'np.kinds'])
      .where('u.id', 'in', ids)
      .where('u.disabled_at', 'is', null)
      .execute();
    for (const u of users) {
      out.push({
        key: `u:${u.id}`,
        userId: u.id,
        email: u.email,
        pgpKey: u.pgp_public_key,
        prefs: resolvePreferences(u.content_mode && u.kinds ? { content_mode: u.content_mode, kinds: u.kinds } : null),
        canDigest: true,
        finder: null,
      });
    }
  }
  const finderIds = [...plan.finders.keys()];
  if (finderIds.length > 0) {
    const rows = await db
      .selectFrom('case_participants as fp')
      .innerJoin('finders as f', 'f.id', 'fp.finder_id')
      .leftJoin('users as u', 'u.id', 'f.user_id')
      .leftJoin('notification_preferences as np', 'np.user_id', 'f.user_id')
      .select([
        'fp.id',
        'f.user_id',
        'f.email as finder_email',
        'f.pgp_public_key as finder_key',
        'u.email as user_email',
        'u.pgp_public_key as user_key',
        'u.disabled_at',
        'np.content_mode',
        'np.kinds',
        (eb) =>
          eb
            .selectFrom('case_reports as cr')
            .innerJoin('reports as r', 'r.id', 'cr.report_id')
            .select('r.tracking_id')
            .whereRef('cr.case_id', '=', 'fp.case_id')
            .whereRef('r.finder_id', '=', 'fp.finder_id')
            .orderBy('r.created_at')
            .limit(1)
            .as('tracking_id'),
      ])
      .where('fp.id', 'in', finderIds)
      .execute();
    for (const f of rows) {
      if (f.user_id && (f.disabled_at || !f.user_email)) continue;
      const email = f.user_id ? f.user_email : f.finder_email;
      if (!email) continue;
      out.push({
        key: `f:${f.id}`,
        userId: f.user_id,
        email,
        pgpKey: f.user_id ? f.user_key : f.finder_key,
        prefs:
          f.user_id && f.content_mode && f.kinds
            ? resolvePreferences({ content_mode: f.content_mode, kinds: f.kinds })
            : defaultPreferences,
        canDigest: false,
        finder: { trackingId: f.tracking_id },
      });
    }
  }
  return out;
}

/** Step 1: compose every mail (encrypting where the recipient and the case allow), outside any transaction. */
async function prepare(ctx: Ctx, plan: Plan): Promise<Map<string, Prepared>> {
  const out = new Map<string, Prepared>();
  const noticeOnly = await caseNoticeOnly(ctx.db, plan.caseRow.id);
  let encrypt: ((text: string, key: string) => Promise<string>) | undefined;
  for (const who of await contactsOf(ctx.db, plan)) {
    const kinds = (who.finder ? plan.finders : plan.users).get(who.finder ? who.key.slice(2) : who.userId!) ?? [];
    // The first kind they have not switched off decides (official posts cannot be switched off).
    const kind = kinds.find((k) => who.prefs.kinds[k] !== 'off');
    if (!kind) continue;
    const digest = who.canDigest && !plan.immediate && who.prefs.kinds[kind] === 'digest';
    const notice = who.finder ? plan.finderNotice(who.finder.trackingId) : plan.notice(kind);
    const prepared: Prepared = {
      userId: who.userId,
      kind,
      digest,
      to: who.email,
      subject: notice.subject,
      notice: notice.text,
      text: notice.text,
      encrypted: false,
    };
    const mayHaveContent = plan.mayHaveContent?.(who.key) ?? true;
    if (!digest && who.pgpKey && mayHaveContent && contentFor(who.prefs, true, noticeOnly) === 'encrypted') {
      encrypt ??= await textEncryptor((await currentInstanceKey(ctx.db))?.private_key ?? undefined);
      const detail = who.finder ? plan.finderDetail(who.finder.trackingId) : plan.detail;
      try {
        prepared.text = await encrypt(detail, who.pgpKey);
        prepared.encrypted = true;
      } catch (err) {
        ctx.log.warn({ err, recipient: who.key }, 'could not encrypt the notification; sending the notice only');
      }
    }
    out.set(who.key, prepared);
  }
  return out;
}

export async function notificationJob(ctx: Ctx, payload: Record<string, unknown>, job: JobRow): Promise<void> {
  const p = parsePayload(payload);
  if (!p) return;
  const jobKey = job.unique_key ?? `notify:job:${job.id}`;
  const before = await planFor(ctx.db, ctx, p);
  if (!before) return;
  const prepared = await prepare(ctx, before);
  if (prepared.size === 0) return;
  await inTransaction(ctx, async (tx) => {
    // Step 2: the recipients again, as of now, in the transaction that writes the mails.
    const now = await planFor(tx, ctx, p);
    if (!now) return;
    const noticeOnly = await caseNoticeOnly(tx, now.caseRow.id);
    const userIds = [...prepared.values()].map((m) => m.userId).filter((u): u is string => u !== null);
    const enabled = new Set(
      userIds.length === 0
        ? []
        : (
            await tx
              .selectFrom('users')
              .select('id')
              .where('id', 'in', userIds)
              .where('disabled_at', 'is', null)
              .execute()
          ).map((u) => u.id),
    );
    const counts = { mailed: 0, digested: 0, dropped: 0 };
    const mails: OutgoingMail[] = [];
    for (const [key, m] of prepared) {
      const still = key.startsWith('f:') ? now.finders.get(key.slice(2)) : now.users.get(key.slice(2));
      if (!still?.includes(m.kind) || (m.userId !== null && !enabled.has(m.userId))) {
        counts.dropped += 1;
        continue;
      }
      if (m.digest && m.userId) {
        const queued = await tx
          .selectFrom('digest_items')
          .select('id')
          .where('user_id', '=', m.userId)
          .where('subject_type', '=', now.subjectType)
          .where('subject_id', '=', now.subjectId)
          .where('kind', '=', m.kind)
          .where('created_at', '=', job.created_at)
          .executeTakeFirst();
        if (!queued) {
          await tx
            .insertInto('digest_items')
            .values({
              id: newId(),
              user_id: m.userId,
              case_id: now.caseRow.id,
              kind: m.kind,
              subject_type: now.subjectType,
              subject_id: now.subjectId,
              // The change's time (the job's), so the item belongs to the digest of the day it happened.
              created_at: job.created_at,
              sent_at: null,
            })
            .execute();
        }
        counts.digested += 1;
        continue;
      }
      // The case's policy may have changed to notices since the mail was composed, or (an alert) the
      // recipient may no longer read the full case: then the notice only.
      const text = m.encrypted && (noticeOnly || !(now.mayHaveContent?.(key) ?? true)) ? m.notice : m.text;
      mails.push({ to: m.to, subject: m.subject, text, uniqueKey: `${jobKey}:${key}`, priority: job.priority });
      counts.mailed += 1;
    }
    await queueMails(tx, ctx, mails);
    await recordAudit(tx, ctx, {
      action: 'notifications.sent',
      subjectType: 'case',
      subjectId: now.caseRow.id,
      summary: { job: jobKey, source: p.source, ...counts },
    });
  });
}

import type { Transaction } from 'kysely';
import type { Ctx, Db } from '../app/context.ts';
import { threadAudience } from '../cases/threads.ts';
import { newId } from '../core/ids.ts';
import type { CaseRow, Database, ParticipantRow, VendorStatusRow } from '../db/schema.ts';
import { actorId } from '../policy/actor.ts';
import { caseOrgAudience, emitWebhookEvent, enqueueNotification } from './dispatch.ts';
import type { NotificationKind } from './rules.ts';

/**
 * Notifications for case changes other than posts, called inside the change's transaction by
 * src/cases/commands.ts. The change's transaction only queues a job (src/notifications/send.ts):
 * the people told are decided when it runs, by who may see the change on the case page then.
 */

type Tx = Transaction<Database>;

/** Members of a participant's organization who read the full case (terms accepted, not limited away). */
async function participantReaders(db: Db, c: CaseRow, p: ParticipantRow): Promise<string[]> {
  if (!p.org_id || p.removed_at || p.terms_version !== c.terms_version) return [];
  const rows = await db.selectFrom('memberships').select('user_id').where('org_id', '=', p.org_id).execute();
  return rows.map((r) => r.user_id).filter((u) => p.allowed_user_ids.length === 0 || p.allowed_user_ids.includes(u));
}

/** The case lead, while they are still staff (a lead who left the home organization hears nothing). */
async function staffLead(db: Db, c: CaseRow): Promise<string | null> {
  if (!c.lead_id) return null;
  const row = await db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.org_id')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('m.user_id')
    .where('m.user_id', '=', c.lead_id)
    .where('o.kind', '=', 'home')
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
  return row?.user_id ?? null;
}

/**
 * A vendor's statement changed: the case lead and the vendor's own people are told (kind
 * `status_change`), and the case's finders when the vendor allowed sharing (their view shows
 * shareable statements). Webhooks: the vendor's organization, and every participant organization
 * when the vendor allowed sharing (as the status matrix shows it).
 */
export async function notifyStatusChange(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  p: ParticipantRow,
  status: VendorStatusRow,
): Promise<void> {
  await enqueueNotification(
    tx,
    ctx,
    { source: 'status', statusId: status.id, actorUserId: actorId(ctx.actor) },
    `notify:status:${status.id}:${newId()}`,
  );
  const orgIds = await caseOrgAudience(tx, c, { onlyOrgIds: status.may_share ? undefined : [p.org_id] });
  await emitWebhookEvent(tx, ctx, {
    kind: 'status.changed',
    caseRow: c,
    itemId: status.id,
    apiPath: `/api/v1/cases/${c.case_id}/statuses`,
    orgIds,
  });
}

export interface StatusRecipients {
  caseRow: CaseRow;
  status: VendorStatusRow;
  vendor: string | null;
  vulnerability: { title: string; cve_id: string | null } | null;
  users: Map<string, NotificationKind[]>;
  /** Finder participations (not removed) while the statement is shareable and its vendor still in the case. */
  finders: Map<string, NotificationKind[]>;
}

/** Who hears of a status change, as of now (the job runs after the change). */
export async function statusRecipients(
  db: Db,
  statusId: string,
  actorUserId: string | null,
): Promise<StatusRecipients | null> {
  const status = await db.selectFrom('vendor_statuses').selectAll().where('id', '=', statusId).executeTakeFirst();
  if (!status) return null;
  const [c, p] = await Promise.all([
    db.selectFrom('cases').selectAll().where('id', '=', status.case_id).executeTakeFirst(),
    db.selectFrom('case_participants').selectAll().where('id', '=', status.participant_id).executeTakeFirst(),
  ]);
  if (!c || !p) return null;
  const ids = new Set(await participantReaders(db, c, p));
  const lead = await staffLead(db, c);
  if (lead) ids.add(lead);
  if (actorUserId) ids.delete(actorUserId);
  const kinds: NotificationKind[] = ['status_change'];
  const finders = new Map<string, NotificationKind[]>();
  if (status.may_share && !p.removed_at && p.org_id) {
    const rows = await db
      .selectFrom('case_participants')
      .select('id')
      .where('case_id', '=', c.id)
      .where('role', 'in', ['finder', 'reporter'])
      .where('finder_id', 'is not', null)
      .where('removed_at', 'is', null)
      .execute();
    for (const r of rows) finders.set(r.id, kinds);
  }
  const [org, vuln] = await Promise.all([
    p.org_id
      ? db.selectFrom('organizations').select('name').where('id', '=', p.org_id).executeTakeFirst()
      : Promise.resolve(undefined),
    db
      .selectFrom('vulnerabilities')
      .select(['title', 'cve_id'])
      .where('id', '=', status.vulnerability_id)
      .executeTakeFirst(),
  ]);
  return {
    caseRow: c,
    status,
    vendor: org?.name ?? null,
    vulnerability: vuln ?? null,
    users: new Map([...ids].map((u) => [u, kinds])),
    finders,
  };
}

/**
 * A Vultron case-state event (V/F/D of one vendor, P/X/A of the case): everyone who reads the full
 * case sees the states on the case page, so everyone is told (kind `status_change`), and every
 * participant organization's webhook. Finders are not: their view shows their own RM state only.
 */
export async function notifyCaseState(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  change: { event: string; participantId?: string | undefined; to: string },
): Promise<void> {
  await enqueueNotification(
    tx,
    ctx,
    {
      source: 'case_state',
      caseId: c.id,
      event: change.event,
      participantId: change.participantId ?? null,
      to: change.to,
      actorUserId: actorId(ctx.actor),
    },
    `notify:case-state:${c.id}:${newId()}`,
  );
  await emitWebhookEvent(tx, ctx, {
    kind: 'case.state_changed',
    caseRow: c,
    itemId: change.participantId ?? c.id,
    apiPath: `/api/v1/cases/${c.case_id}`,
    orgIds: await caseOrgAudience(tx, c),
  });
}

/** Who hears of a case-state event now: those who read the official thread (the full case). */
export async function caseStateRecipients(
  db: Db,
  caseId: string,
  participantId: string | null,
  actorUserId: string | null,
): Promise<{ caseRow: CaseRow; vendor: string | null; users: Map<string, NotificationKind[]> } | null> {
  const c = await db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirst();
  if (!c) return null;
  const official = await db
    .selectFrom('case_threads')
    .select('id')
    .where('case_id', '=', c.id)
    .where('kind', '=', 'official')
    .executeTakeFirst();
  const ids = official ? await threadAudience(db, c, 'official', official.id) : new Set<string>();
  if (actorUserId) ids.delete(actorUserId);
  const vendor = participantId
    ? await db
        .selectFrom('case_participants as p')
        .leftJoin('organizations as o', 'o.id', 'p.org_id')
        .select('o.name')
        .where('p.id', '=', participantId)
        .executeTakeFirst()
    : undefined;
  const kinds: NotificationKind[] = ['status_change'];
  return { caseRow: c, vendor: vendor?.name ?? null, users: new Map([...ids].map((u) => [u, kinds])) };
}

/**
 * Who hears of an embargo change now (src/embargo/commands.ts queues the job). `official`: those
 * who read the full case (the official thread's audience) but the one who made the change, as for
 * an official post (mandatory; immediate or in their digest). `everyone`, the parachute-cord alert:
 * those readers and every other person of every participant (members not limited away, finders with
 * an account), the one who pulled it included, and finders without an account at their report's
 * address (once per address, and not when a user has it). Only `readers` may get the content.
 */
export async function embargoRecipients(
  db: Db,
  caseId: string,
  audience: 'official' | 'everyone',
  actorUserId: string | null,
): Promise<{
  caseRow: CaseRow;
  users: Map<string, NotificationKind[]>;
  finders: Map<string, NotificationKind[]>;
  readers: Set<string>;
} | null> {
  const c = await db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirst();
  if (!c) return null;
  const official = await db
    .selectFrom('case_threads')
    .select('id')
    .where('case_id', '=', c.id)
    .where('kind', '=', 'official')
    .executeTakeFirst();
  const readers = official ? await threadAudience(db, c, 'official', official.id) : new Set<string>();
  const kinds: NotificationKind[] = ['official_post'];
  const finders = new Map<string, NotificationKind[]>();
  if (audience === 'official') {
    const ids = new Set(readers);
    if (actorUserId) ids.delete(actorUserId);
    return { caseRow: c, users: new Map([...ids].map((u) => [u, kinds])), finders, readers };
  }
  const ids = new Set(readers);
  const participants = await db
    .selectFrom('case_participants as p')
    .leftJoin('memberships as m', 'm.org_id', 'p.org_id')
    .leftJoin('finders as f', 'f.id', 'p.finder_id')
    .select(['p.id', 'm.user_id', 'p.allowed_user_ids', 'f.user_id as finder_user', 'f.email as finder_email'])
    .where('p.case_id', '=', c.id)
    .where('p.removed_at', 'is', null)
    .orderBy('p.created_at')
    .execute();
  const finderAddresses = new Map<string, string>();
  for (const p of participants) {
    if (p.user_id && (p.allowed_user_ids.length === 0 || p.allowed_user_ids.includes(p.user_id))) ids.add(p.user_id);
    if (p.finder_user) ids.add(p.finder_user);
    else if (p.finder_email && !finderAddresses.has(p.finder_email.toLowerCase())) {
      finderAddresses.set(p.finder_email.toLowerCase(), p.id);
    }
  }
  if (finderAddresses.size > 0 && ids.size > 0) {
    const emails = await db
      .selectFrom('users')
      .select('email')
      .where('id', 'in', [...ids])
      .where('disabled_at', 'is', null)
      .execute();
    for (const u of emails) finderAddresses.delete(u.email.toLowerCase());
  }
  for (const participantId of finderAddresses.values()) finders.set(participantId, kinds);
  return { caseRow: c, users: new Map([...ids].map((u) => [u, kinds])), finders, readers };
}

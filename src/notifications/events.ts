import type { Transaction } from 'kysely';
import type { Ctx } from '../app/context.ts';
import { threadAudience } from '../cases/threads.ts';
import type { CaseRow, Database, ParticipantRow, VendorStatusRow } from '../db/schema.ts';
import { actorId } from '../policy/actor.ts';
import { caseOrgAudience, emitWebhookEvent, notifyUsers } from './dispatch.ts';
import { noticeText, type NotificationKind } from './rules.ts';

/**
 * Notifications for case changes other than posts, called inside the change's transaction by
 * src/cases/commands.ts. The people told are those who may see the change on the case page.
 */

type Tx = Transaction<Database>;

/** Members of a participant's organization who read the full case (terms accepted, not limited away). */
async function participantReaders(tx: Tx, c: CaseRow, p: ParticipantRow): Promise<string[]> {
  if (!p.org_id || p.terms_version !== c.terms_version) return [];
  const rows = await tx.selectFrom('memberships').select('user_id').where('org_id', '=', p.org_id).execute();
  return rows.map((r) => r.user_id).filter((u) => p.allowed_user_ids.length === 0 || p.allowed_user_ids.includes(u));
}

/** The case lead, while they are still staff (a lead who left the home organization hears nothing). */
async function staffLead(tx: Tx, c: CaseRow): Promise<string | null> {
  if (!c.lead_id) return null;
  const row = await tx
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
 * `status_change`). Webhooks: the vendor's organization, and every participant organization when
 * the vendor allowed sharing (as the status matrix shows it).
 */
export async function notifyStatusChange(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  p: ParticipantRow,
  status: VendorStatusRow,
): Promise<void> {
  const me = actorId(ctx.actor);
  const ids = new Set(await participantReaders(tx, c, p));
  const lead = await staffLead(tx, c);
  if (lead) ids.add(lead);
  if (me) ids.delete(me);
  const [org, vuln] = await Promise.all([
    p.org_id
      ? tx.selectFrom('organizations').select('name').where('id', '=', p.org_id).executeTakeFirst()
      : Promise.resolve(undefined),
    tx
      .selectFrom('vulnerabilities')
      .select(['title', 'cve_id'])
      .where('id', '=', status.vulnerability_id)
      .executeTakeFirst(),
  ]);
  const link = `${ctx.config.baseUrl}/cases/${c.case_id}`;
  const detail = [
    `Case: ${c.case_id}`,
    `Vendor: ${org?.name ?? '—'}`,
    `Vulnerability: ${vuln?.title ?? '—'}${vuln?.cve_id ? ` (${vuln.cve_id})` : ''}`,
    `Product: ${status.product}`,
    `Status: ${status.status}`,
    ...(status.justification ? [`Justification: ${status.justification}`] : []),
    ...(status.fixed_versions ? [`Fixed versions: ${status.fixed_versions}`] : []),
    ...(status.statement ? ['', status.statement] : []),
    '',
    '-- ',
    link,
  ].join('\n');
  await notifyUsers(
    tx,
    ctx,
    {
      caseRow: c,
      subjectType: 'status',
      subjectId: status.id,
      notice: () => noticeText({ caseId: c.case_id, what: 'status', link }),
      detail,
    },
    new Map([...ids].map((u) => [u, ['status_change'] as NotificationKind[]])),
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

/**
 * A Vultron case-state event (V/F/D of one vendor, P/X/A of the case): everyone who reads the full
 * case sees the states on the case page, so everyone is told (kind `status_change`), and every
 * participant organization's webhook.
 */
export async function notifyCaseState(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  change: { event: string; participantId?: string | undefined; to: string },
): Promise<void> {
  const me = actorId(ctx.actor);
  const official = await tx
    .selectFrom('case_threads')
    .select('id')
    .where('case_id', '=', c.id)
    .where('kind', '=', 'official')
    .executeTakeFirst();
  const ids = official ? await threadAudience(tx, c, 'official', official.id) : new Set<string>();
  if (me) ids.delete(me);
  const vendor = change.participantId
    ? await tx
        .selectFrom('case_participants as p')
        .leftJoin('organizations as o', 'o.id', 'p.org_id')
        .select('o.name')
        .where('p.id', '=', change.participantId)
        .executeTakeFirst()
    : undefined;
  const link = `${ctx.config.baseUrl}/cases/${c.case_id}`;
  const detail = [
    `Case: ${c.case_id}`,
    `Vultron case event: ${change.event}${vendor?.name ? ` (${vendor.name})` : ''}`,
    `State now: ${change.to}`,
    '',
    '-- ',
    link,
  ].join('\n');
  await notifyUsers(
    tx,
    ctx,
    {
      caseRow: c,
      subjectType: 'case_state',
      subjectId: c.id,
      notice: () => noticeText({ caseId: c.case_id, what: 'case_state', link }),
      detail,
    },
    new Map([...ids].map((u) => [u, ['status_change'] as NotificationKind[]])),
  );
  await emitWebhookEvent(tx, ctx, {
    kind: 'case.state_changed',
    caseRow: c,
    itemId: change.participantId ?? c.id,
    apiPath: `/api/v1/cases/${c.case_id}`,
    orgIds: await caseOrgAudience(tx, c),
  });
}

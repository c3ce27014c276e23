import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../app/context.ts';
import { clampLimit, decodeCursor, toPage, type Page } from '../app/pagination.ts';
import { AppError, notFound } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import type { CaseRow, Database, ParticipantRow } from '../db/schema.ts';
import type { Actor } from '../policy/actor.ts';
import { can, type CaseResource } from '../policy/policy.ts';

export async function findCase(db: Db, ref: string): Promise<CaseRow | undefined> {
  const q = db.selectFrom('cases').selectAll();
  if (isUuid(ref)) return q.where('id', '=', ref).executeTakeFirst();
  if (!/^[A-Z][A-Z0-9]*-\d{4}-\d{4,}$/.test(ref)) return undefined;
  return q.where('case_id', '=', ref).executeTakeFirst();
}

/** The caller's organizations' participations in a case, as the policy needs them. */
export async function caseResource(db: Db, actor: Actor, c: Pick<CaseRow, 'id' | 'lead_id' | 'terms_version'>) {
  let participation: CaseResource['participation'] = [];
  if (actor.kind === 'user' && actor.memberships.length > 0) {
    const rows = await db
      .selectFrom('case_participants')
      .select(['org_id', 'terms_version', 'allowed_user_ids'])
      .where('case_id', '=', c.id)
      .where('removed_at', 'is', null)
      .where(
        'org_id',
        'in',
        actor.memberships.map((m) => m.orgId),
      )
      .execute();
    participation = rows.map((r) => ({
      orgId: r.org_id ?? '',
      accepted: r.terms_version === c.terms_version,
      allowed: r.allowed_user_ids.length === 0 || r.allowed_user_ids.includes(actor.userId),
    }));
  }
  const resource: CaseResource = { type: 'case', id: c.id, leadId: c.lead_id, participation };
  return resource;
}

/** Loads a case the actor may at least see the minimal view of; otherwise 404 as for a missing one. */
export async function loadVisibleCase(
  db: Db,
  actor: Actor,
  ref: string,
): Promise<{ c: CaseRow; resource: CaseResource }> {
  const c = await findCase(db, ref);
  if (!c) {
    if (actor.kind === 'anonymous') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first: this needs an account');
    throw notFound('case', ref);
  }
  const resource = await caseResource(db, actor, c);
  if (!can(actor, 'case:read', resource)) {
    if (actor.kind === 'anonymous') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first: this needs an account');
    throw notFound('case', ref);
  }
  return { c, resource };
}

/**
 * The caller's participations in the case aliased `c`, in SQL: of one of their organizations, not
 * removed, not limited to other named users, and (`accepted`) with the current terms accepted.
 * `alias` names the participation row for conditions that go on from it.
 */
export function participationSql(actor: Extract<Actor, { kind: 'user' }>, opts: { accepted: boolean; alias?: string }) {
  const ap = sql.raw(opts.alias ?? 'ap');
  return sql`case_participants ${ap} where ${ap}.case_id = c.id and ${ap}.removed_at is null
    and ${ap}.org_id in (${sql.join(actor.memberships.map((m) => m.orgId))})
    and (jsonb_array_length(${ap}.allowed_user_ids) = 0 or ${ap}.allowed_user_ids ? ${actor.userId})
    ${opts.accepted ? sql`and ${ap}.terms_version = c.terms_version` : sql``}`;
}

/**
 * The SQL scope of cases (aliased `c`) a caller may see: staff all; others the cases where one
 * of their organizations participates (not removed, not limited to other named users). With
 * `full`, only where that participation accepted the current terms: the cases whose details
 * (title, summary, vulnerabilities, threads) the caller may read.
 */
export function caseScopeSql(actor: Actor, level: 'read' | 'full') {
  if (actor.kind === 'system' || (actor.kind === 'user' && actor.staffRole !== null)) return sql<boolean>`true`;
  if (actor.kind !== 'user' || actor.memberships.length === 0) return sql<boolean>`false`;
  return sql<boolean>`exists (select 1 from ${participationSql(actor, { accepted: level === 'full' })})`;
}

function visibleTo(actor: Actor) {
  return (_eb: ExpressionBuilder<Database & { c: Database['cases'] }, 'c'>) => caseScopeSql(actor, 'read');
}

export async function listCases(
  db: Db,
  actor: Actor,
  filter: { status?: string; cursor?: string; limit?: number },
): Promise<Page<CaseRow>> {
  const limit = clampLimit(filter.limit);
  const cursor = decodeCursor(filter.cursor);
  let q = db.selectFrom('cases as c').selectAll('c').where(visibleTo(actor));
  if (filter.status === 'open' || filter.status === 'closed') q = q.where('c.status', '=', filter.status);
  if (cursor) q = q.where(sql<boolean>`(c.created_at, c.id) < (${cursor.at}, ${cursor.id})`);
  const rows = await q
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => r);
}

export type ParticipantView = ParticipantRow & { org_name: string | null; org_kind: string | null };

/** The case's participants; removed ones only with `includeRemoved` (staff keep the history). */
export async function caseParticipants(
  db: Db,
  caseId: string,
  opts: { includeRemoved?: boolean } = {},
): Promise<ParticipantView[]> {
  let q = db
    .selectFrom('case_participants as p')
    .leftJoin('organizations as o', 'o.id', 'p.org_id')
    .selectAll('p')
    .select(['o.name as org_name', 'o.kind as org_kind'])
    .where('p.case_id', '=', caseId);
  if (!opts.includeRemoved) q = q.where('p.removed_at', 'is', null);
  return q.orderBy('p.created_at').execute();
}

export interface CaseInvitationView {
  id: string;
  participantId: string;
  email: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  state: 'pending' | 'expired' | 'accepted' | 'withdrawn';
}

/** The invitations sent for the participations (vendors not yet on the platform), newest first. */
export async function caseInvitations(
  db: Db,
  participantIds: readonly string[],
  now: Date,
): Promise<CaseInvitationView[]> {
  if (participantIds.length === 0) return [];
  const rows = await db
    .selectFrom('case_invitations as ci')
    .innerJoin('invitations as i', 'i.id', 'ci.invitation_id')
    .select(['i.id', 'ci.participant_id', 'i.email', 'i.created_at', 'i.expires_at', 'i.accepted_at', 'i.revoked_at'])
    .where('ci.participant_id', 'in', [...participantIds])
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    participantId: r.participant_id,
    email: r.email,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    acceptedAt: r.accepted_at,
    revokedAt: r.revoked_at,
    state: r.accepted_at
      ? 'accepted'
      : r.revoked_at
        ? 'withdrawn'
        : r.expires_at.getTime() <= now.getTime()
          ? 'expired'
          : 'pending',
  }));
}

/** A case's vulnerabilities in the order they were added (VULN-1 is the first). */
export async function caseVulnerabilities(db: Db, caseId: string) {
  return db
    .selectFrom('vulnerabilities')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Every vendor statement of a case (unfiltered: for callers that read the case as staff). */
export async function caseStatuses(db: Db, caseId: string) {
  return db
    .selectFrom('vendor_statuses')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Every event of a case, in order (unfiltered: for callers that read the case as staff). */
export async function caseTimeline(db: Db, caseId: string) {
  return db.selectFrom('case_events').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
}

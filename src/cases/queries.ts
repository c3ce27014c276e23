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
 * The SQL scope of cases a caller may see: staff all; others the cases where one of their
 * organizations participates and the participation is not limited to other named users.
 */
function visibleTo(actor: Actor) {
  return (eb: ExpressionBuilder<Database & { c: Database['cases'] }, 'c'>) => {
    if (actor.kind === 'system' || (actor.kind === 'user' && actor.staffRole !== null)) return eb.val(true);
    if (actor.kind !== 'user' || actor.memberships.length === 0) return eb.val(false);
    return eb.exists(
      eb
        .selectFrom('case_participants as p')
        .select('p.id')
        .whereRef('p.case_id', '=', 'c.id')
        .where(
          'p.org_id',
          'in',
          actor.memberships.map((m) => m.orgId),
        )
        .where(sql<boolean>`(jsonb_array_length(p.allowed_user_ids) = 0 or p.allowed_user_ids ? ${actor.userId})`),
    );
  };
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

export async function caseParticipants(db: Db, caseId: string): Promise<ParticipantView[]> {
  return db
    .selectFrom('case_participants as p')
    .leftJoin('organizations as o', 'o.id', 'p.org_id')
    .selectAll('p')
    .select(['o.name as org_name', 'o.kind as org_kind'])
    .where('p.case_id', '=', caseId)
    .orderBy('p.created_at')
    .execute();
}

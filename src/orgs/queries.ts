import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import { clampLimit, decodeCursor, keysetBefore, likePattern, toPage, type Page } from '../app/pagination.ts';
import { isUuid } from '../core/ids.ts';
import type { OrganizationRow } from '../db/schema.ts';
import type { Actor } from '../policy/actor.ts';
import { orgVisibility } from '../policy/policy.ts';

export async function findOrgById(db: Db, id: string): Promise<OrganizationRow | undefined> {
  if (!isUuid(id)) return undefined;
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findHomeOrg(db: Db): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('kind', '=', 'home').executeTakeFirst();
}

export async function findOrgByName(db: Db, name: string): Promise<OrganizationRow | undefined> {
  return db
    .selectFrom('organizations')
    .selectAll()
    .where(sql<string>`lower(name)`, '=', name.trim().toLowerCase())
    .executeTakeFirst();
}

export interface OrgListFilter {
  kind?: string;
  q?: string;
  cursor?: string;
  limit?: number;
}

/** Lists the organizations the actor may see; the visibility rule is applied in SQL. */
export async function listOrgs(db: Db, actor: Actor, filter: OrgListFilter): Promise<Page<OrganizationRow>> {
  const limit = clampLimit(filter.limit);
  const cursor = decodeCursor(filter.cursor);
  const vis = orgVisibility(actor);
  let q = db.selectFrom('organizations').selectAll();
  if (!vis.all) {
    if (vis.orgIds.length === 0) return { items: [], nextCursor: null };
    q = q.where('id', 'in', vis.orgIds);
  }
  if (filter.kind) q = q.where('kind', '=', filter.kind as OrganizationRow['kind']);
  if (filter.q) {
    const like = likePattern(filter.q);
    q = q.where('name', 'ilike', like);
  }
  if (cursor) q = q.where(keysetBefore(cursor));
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => r);
}

export interface MemberRow {
  userId: string;
  email: string;
  name: string;
  role: string;
  since: Date;
}

export async function listMembers(db: Db, orgId: string): Promise<MemberRow[]> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'm.role', 'm.created_at'])
    .where('m.org_id', '=', orgId)
    .orderBy('u.name')
    .execute();
  return rows.map((r) => ({ userId: r.id, email: r.email, name: r.name, role: r.role, since: r.created_at }));
}

import { sql, type ExpressionBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../app/context.ts';
import { AppError } from '../core/errors.ts';
import { REQUIRE_2FA_SETTING } from '../settings/keys.ts';
import { isUuid } from '../core/ids.ts';
import { clampLimit, decodeCursor, keysetBefore, likePattern, toPage, type Page } from '../app/pagination.ts';
import type { Database, UserRow } from '../db/schema.ts';
import {
  isOrgRole,
  isStaffRole,
  type Actor,
  type Membership,
  type StaffRole,
  type UserActor,
} from '../policy/actor.ts';
import { userVisibility } from '../policy/policy.ts';

export interface UserMembership {
  orgId: string;
  orgName: string;
  orgKind: string;
  role: string;
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  if (!isUuid(id)) return undefined;
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function membershipsOf(db: Db, userId: string): Promise<UserMembership[]> {
  return (await membershipsOfMany(db, [userId])).get(userId) ?? [];
}

/** Memberships of many users in one query (for list pages). */
export async function membershipsOfMany(db: Db, userIds: string[]): Promise<Map<string, UserMembership[]>> {
  const out = new Map<string, UserMembership[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.org_id')
    .select(['m.user_id', 'm.org_id', 'o.name', 'o.kind', 'm.role'])
    .where('m.user_id', 'in', userIds)
    .orderBy('o.name')
    .execute();
  for (const r of rows) out.get(r.user_id)?.push({ orgId: r.org_id, orgName: r.name, orgKind: r.kind, role: r.role });
  return out;
}

/**
 * The memberships of the user joined as `u`, as one JSON column, so that authentication loads the
 * caller in a single round trip (this runs on every API request).
 */
export function membershipsJson(eb: ExpressionBuilder<Database & { u: Database['users'] }, 'u'>) {
  return jsonArrayFrom(
    eb
      .selectFrom('memberships as m')
      .innerJoin('organizations as o', 'o.id', 'm.org_id')
      .select(['m.org_id as orgId', 'o.name as orgName', 'o.kind as orgKind', 'm.role'])
      .whereRef('m.user_id', '=', 'u.id')
      .orderBy('o.name'),
  ).as('memberships');
}

/** The stored "2FA mandatory for staff" setting (null when never set), as a column of the auth query. */
export function require2faSettingJson(eb: ExpressionBuilder<Database & { u: Database['users'] }, 'u'>) {
  return eb.selectFrom('settings').select('value').where('key', '=', REQUIRE_2FA_SETTING).as('require_2fa_setting');
}

/** Staff without TOTP while 2FA is mandatory may only reach their profile. */
export function mustEnrolTotp(actor: UserActor, user: UserRow, setting: unknown, fallback: boolean): boolean {
  if (actor.staffRole === null || user.totp_secret) return false;
  return typeof setting === 'boolean' ? setting : fallback;
}

/** Builds the actor for a signed-in user: staff role from the home org, other memberships as is. */
export function toActor(user: UserRow, memberships: UserMembership[], via: UserActor['via']): UserActor {
  let staffRole: StaffRole | null = null;
  const external: Membership[] = [];
  for (const m of memberships) {
    if (m.orgKind === 'home') {
      if (isStaffRole(m.role)) staffRole = m.role;
    } else if (isOrgRole(m.role)) {
      external.push({ orgId: m.orgId, role: m.role });
    }
  }
  return { kind: 'user', userId: user.id, label: user.email, staffRole, memberships: external, via };
}

export interface UserListFilter {
  q?: string;
  cursor?: string;
  limit?: number;
}

/** Lists the users the actor may see; the visibility rule is applied in SQL. */
export async function listUsers(db: Db, actor: Actor, filter: UserListFilter): Promise<Page<UserRow>> {
  const limit = clampLimit(filter.limit);
  const cursor = decodeCursor(filter.cursor);
  const vis = userVisibility(actor);
  let q = db.selectFrom('users').selectAll();
  if (!vis.all) {
    const { userId, orgIds } = vis;
    q = q.where((eb) =>
      eb.or([
        eb('id', '=', userId ?? '00000000-0000-0000-0000-000000000000'),
        ...(orgIds.length > 0
          ? [eb('id', 'in', eb.selectFrom('memberships').select('user_id').where('org_id', 'in', orgIds))]
          : []),
      ]),
    );
  }
  if (filter.q) {
    const like = likePattern(filter.q);
    q = q.where((eb) => eb.or([eb('email', 'ilike', like), eb('name', 'ilike', like)]));
  }
  if (cursor) q = q.where(keysetBefore(cursor));
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => r);
}

export async function countAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.org_id')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('o.kind', '=', 'home')
    .where('m.role', '=', 'admin')
    .where('u.disabled_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Refuses a change that would leave the instance with no active administrator. */
export async function assertAdminsRemain(db: Db): Promise<void> {
  if ((await countAdmins(db)) === 0) {
    throw new AppError(
      'ERR_LAST_ADMIN',
      'this would leave the instance without an administrator; make another user admin first',
    );
  }
}

import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { conflict, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { OrganizationRow } from '../db/schema.ts';
import { authorize, instance } from '../policy/policy.ts';
import { assertAdminsRemain, findUserById } from '../users/queries.ts';
import { findHomeOrg, findOrgById, findOrgByName } from './queries.ts';
import { checkOrgKind, checkOrgName, checkRoleForOrg, checkWebsite } from './rules.ts';

/** The home organization runs the instance; it is created once, at first start. */
export async function ensureHomeOrg(ctx: Ctx): Promise<OrganizationRow> {
  const existing = await findHomeOrg(ctx.db);
  if (existing) return existing;
  return inTransaction(ctx, async (tx) => {
    const again = await findHomeOrg(tx);
    if (again) return again;
    const now = ctx.now();
    const row = await tx
      .insertInto('organizations')
      .values({
        id: newId(),
        name: ctx.config.instanceName,
        kind: 'home',
        website: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) return (await findHomeOrg(tx))!;
    await recordAudit(tx, ctx, {
      action: 'org.create',
      subjectType: 'org',
      subjectId: row.id,
      summary: { name: row.name, kind: 'home' },
    });
    return row;
  });
}

export interface OrgInput {
  name: string;
  kind: string;
  website?: string | null;
}

export async function createOrg(ctx: Ctx, input: OrgInput): Promise<OrganizationRow> {
  authorize(ctx.actor, 'org:create', instance);
  const name = checkOrgName(input.name);
  const kind = checkOrgKind(input.kind);
  const website = checkWebsite(input.website);
  return inTransaction(ctx, async (tx) => {
    if (await findOrgByName(tx, name))
      throw conflict(`an organization named "${name}" exists already`, { field: 'name' });
    const now = ctx.now();
    const row = await tx
      .insertInto('organizations')
      .values({ id: newId(), name, kind, website, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, ctx, {
      action: 'org.create',
      subjectType: 'org',
      subjectId: row.id,
      summary: { name, kind, website },
    });
    return row;
  });
}

export async function updateOrg(
  ctx: Ctx,
  id: string,
  patch: { name?: string; website?: string | null },
): Promise<OrganizationRow> {
  return inTransaction(ctx, async (tx) => {
    const org = await findOrgById(tx, id);
    if (!org) throw notFound('organization', id);
    authorize(ctx.actor, 'org:update', { type: 'org', id: org.id, kind: org.kind });
    const changes: { name?: string; website?: string | null } = {};
    if (patch.name !== undefined) {
      changes.name = checkOrgName(patch.name);
      const clash = await findOrgByName(tx, changes.name);
      if (clash && clash.id !== id)
        throw conflict(`an organization named "${changes.name}" exists already`, { field: 'name' });
    }
    if (patch.website !== undefined) changes.website = checkWebsite(patch.website);
    const row = await tx
      .updateTable('organizations')
      .set({ ...changes, updated_at: ctx.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, ctx, {
      action: 'org.update',
      subjectType: 'org',
      subjectId: id,
      summary: { before: { name: org.name, website: org.website }, after: changes },
    });
    return row;
  });
}

export async function deleteOrg(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const org = await findOrgById(tx, id);
    if (!org) throw notFound('organization', id);
    authorize(ctx.actor, 'org:delete', { type: 'org', id: org.id, kind: org.kind });
    await tx.deleteFrom('organizations').where('id', '=', id).execute();
    await recordAudit(tx, ctx, {
      action: 'org.delete',
      subjectType: 'org',
      subjectId: id,
      summary: { name: org.name, kind: org.kind },
    });
  });
}

/** Adds or changes a member's role; the role must fit the org (staff roles only at home). */
export async function setMembership(ctx: Ctx, orgId: string, userId: string, role: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const org = await findOrgById(tx, orgId);
    if (!org) throw notFound('organization', orgId);
    authorize(ctx.actor, 'org:manage_members', { type: 'org', id: org.id, kind: org.kind });
    const checked = checkRoleForOrg(org.kind, role);
    const user = await findUserById(tx, userId);
    if (!user) throw notFound('user', userId);
    const before = await tx
      .selectFrom('memberships')
      .select('role')
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    await tx
      .insertInto('memberships')
      .values({ user_id: userId, org_id: orgId, role: checked, created_at: ctx.now() })
      .onConflict((oc) => oc.columns(['user_id', 'org_id']).doUpdateSet({ role: checked }))
      .execute();
    if (org.kind === 'home' && before?.role === 'admin' && checked !== 'admin') await assertAdminsRemain(tx);
    await recordAudit(tx, ctx, {
      action: 'org.member.set',
      subjectType: 'org',
      subjectId: orgId,
      summary: { userId, email: user.email, before: before?.role ?? null, after: checked },
    });
  });
}

export async function removeMembership(ctx: Ctx, orgId: string, userId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const org = await findOrgById(tx, orgId);
    if (!org) throw notFound('organization', orgId);
    authorize(ctx.actor, 'org:manage_members', { type: 'org', id: org.id, kind: org.kind });
    const removed = await tx
      .deleteFrom('memberships')
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .returning('role')
      .executeTakeFirst();
    if (!removed) throw notFound('membership', `${orgId}/${userId}`);
    if (org.kind === 'home' && removed.role === 'admin') await assertAdminsRemain(tx);
    await recordAudit(tx, ctx, {
      action: 'org.member.remove',
      subjectType: 'org',
      subjectId: orgId,
      summary: { userId, role: removed.role },
    });
  });
}

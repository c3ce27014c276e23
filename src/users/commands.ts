import type { Transaction } from 'kysely';
import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from '../auth/password.ts';
import { AppError, conflict, notFound, validation } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database, UserRow } from '../db/schema.ts';
import { findHomeOrg } from '../orgs/queries.ts';
import { isStaffRole, type StaffRole } from '../policy/actor.ts';
import { authorize, instance } from '../policy/policy.ts';
import { parsePublicKey } from './pgp.ts';
import { assertAdminsRemain, findUserByEmail, findUserById, membershipsOf } from './queries.ts';
import { checkLocale, checkName, checkTimeZone, normalizeEmail } from './rules.ts';

export interface NewUserInput {
  email: string;
  name: string;
  password?: string | null;
  staffRole?: string | null;
  locale?: string;
  timeZone?: string;
}

/** Creates a user inside a transaction the caller holds (and has authorized). */
export async function createUserInTx(tx: Transaction<Database>, ctx: Ctx, input: NewUserInput): Promise<UserRow> {
  const email = normalizeEmail(input.email);
  const name = checkName(input.name);
  const locale = checkLocale(input.locale ?? 'en');
  const timeZone = checkTimeZone(input.timeZone ?? 'UTC');
  let staffRole: StaffRole | null = null;
  if (input.staffRole) {
    if (!isStaffRole(input.staffRole)) {
      throw validation(`"${input.staffRole}" is not a staff role; use admin, coordinator, analyst or viewer`, {
        field: 'role',
      });
    }
    staffRole = input.staffRole;
  }
  if (input.password) checkPasswordPolicy(input.password, email);
  if (await findUserByEmail(tx, email)) {
    throw new AppError('ERR_EMAIL_TAKEN', `a user with e-mail ${email} exists already`, { field: 'email' });
  }
  const now = ctx.now();
  const user = await tx
    .insertInto('users')
    .values({
      id: newId(),
      email,
      name,
      locale,
      time_zone: timeZone,
      pgp_public_key: null,
      pgp_fingerprint: null,
      password_hash: input.password ? await hashPassword(input.password) : null,
      totp_secret: null,
      totp_pending_secret: null,
      totp_enabled_at: null,
      totp_last_step: null,
      locked_until: null,
      disabled_at: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (staffRole) {
    const home = await findHomeOrg(tx);
    if (!home) throw new AppError('ERR_INTERNAL', 'the home organization is missing; restart Accord to create it');
    await tx
      .insertInto('memberships')
      .values({ user_id: user.id, org_id: home.id, role: staffRole, created_at: now })
      .execute();
  }
  await recordAudit(tx, ctx, {
    action: 'user.create',
    subjectType: 'user',
    subjectId: user.id,
    summary: { email, name, staffRole },
  });
  return user;
}

export async function createUser(ctx: Ctx, input: NewUserInput): Promise<UserRow> {
  authorize(ctx.actor, 'user:create', instance);
  return inTransaction(ctx, (tx) => createUserInTx(tx, ctx, input));
}

export interface ProfilePatch {
  name?: string;
  locale?: string;
  timeZone?: string;
  pgpPublicKey?: string | null;
}

async function loadTarget(db: Db, id: string): Promise<{ user: UserRow; orgIds: string[] }> {
  const user = await findUserById(db, id);
  if (!user) throw notFound('user', id);
  const orgIds = (await membershipsOf(db, id)).map((m) => m.orgId);
  return { user, orgIds };
}

export interface UserPatch extends ProfilePatch {
  /** Admin only. */
  disabled?: boolean;
  /** Admin only: set a password directly (first admin, locked-out user). */
  password?: string;
}

/**
 * Changes a user in one transaction, so a refused part leaves nothing half-done. Profile fields:
 * the user themself or an admin; `disabled` and `password`: admins only.
 */
export async function updateUser(ctx: Ctx, id: string, patch: UserPatch): Promise<UserRow> {
  const { disabled, password, ...profile } = patch;
  return inTransaction(ctx, async (tx) => {
    const { user, orgIds } = await loadTarget(tx, id);
    const target = { type: 'user' as const, id, orgIds };
    authorize(ctx.actor, 'user:read', target);
    if (Object.keys(profile).length > 0) authorize(ctx.actor, 'user:update', target);
    if (disabled !== undefined || password !== undefined) authorize(ctx.actor, 'user:manage', target);
    let row = user;
    if (Object.keys(profile).length > 0) row = await applyProfile(tx, ctx, user, profile);
    if (disabled !== undefined) row = await applyDisabled(tx, ctx, user, disabled);
    if (password !== undefined) row = await applyPassword(tx, ctx, user, password);
    return row;
  });
}

export const updateProfile = (ctx: Ctx, id: string, patch: ProfilePatch) => updateUser(ctx, id, patch);
export const setUserDisabled = (ctx: Ctx, id: string, disabled: boolean) => updateUser(ctx, id, { disabled });
export const setPassword = (ctx: Ctx, id: string, password: string) => updateUser(ctx, id, { password });

async function applyProfile(tx: Transaction<Database>, ctx: Ctx, user: UserRow, patch: ProfilePatch): Promise<UserRow> {
  const changes: Partial<Pick<UserRow, 'name' | 'locale' | 'time_zone' | 'pgp_public_key' | 'pgp_fingerprint'>> = {};
  if (patch.name !== undefined) changes.name = checkName(patch.name);
  if (patch.locale !== undefined) changes.locale = checkLocale(patch.locale);
  if (patch.timeZone !== undefined) changes.time_zone = checkTimeZone(patch.timeZone);
  if (patch.pgpPublicKey !== undefined) {
    if (patch.pgpPublicKey === null || patch.pgpPublicKey.trim() === '') {
      changes.pgp_public_key = null;
      changes.pgp_fingerprint = null;
    } else {
      const key = await parsePublicKey(patch.pgpPublicKey, ctx.now());
      changes.pgp_public_key = key.armored;
      changes.pgp_fingerprint = key.fingerprint;
    }
  }
  const row = await tx
    .updateTable('users')
    .set({ ...changes, updated_at: ctx.now() })
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const summary: Record<string, unknown> = {};
  for (const k of Object.keys(changes) as (keyof typeof changes)[]) {
    summary[k] = k === 'pgp_public_key' ? (changes[k] ? '(set)' : null) : { before: user[k], after: changes[k] };
  }
  await recordAudit(tx, ctx, { action: 'user.update', subjectType: 'user', subjectId: user.id, summary });
  return row;
}

/** Disabling ends the account's sessions at once; nobody disables themself or the last admin. */
async function applyDisabled(tx: Transaction<Database>, ctx: Ctx, user: UserRow, disabled: boolean): Promise<UserRow> {
  if (disabled && ctx.actor.kind === 'user' && ctx.actor.userId === user.id) {
    throw conflict('you cannot disable your own account');
  }
  const row = await tx
    .updateTable('users')
    .set({ disabled_at: disabled ? ctx.now() : null, updated_at: ctx.now() })
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (disabled) {
    await tx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await assertAdminsRemain(tx);
  }
  await recordAudit(tx, ctx, {
    action: disabled ? 'user.disable' : 'user.enable',
    subjectType: 'user',
    subjectId: user.id,
    summary: {},
  });
  return row;
}

async function applyPassword(tx: Transaction<Database>, ctx: Ctx, user: UserRow, password: string): Promise<UserRow> {
  checkPasswordPolicy(password, user.email);
  const row = await tx
    .updateTable('users')
    .set({ password_hash: await hashPassword(password), failed_logins: 0, locked_until: null, updated_at: ctx.now() })
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await tx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
  await recordAudit(tx, ctx, { action: 'user.password.set', subjectType: 'user', subjectId: user.id, summary: {} });
  return row;
}

/** The user changes their own password; every other session of theirs ends. */
export async function changePassword(
  ctx: Ctx,
  input: { currentPassword: string; newPassword: string; keepSessionId?: string | null },
): Promise<void> {
  if (ctx.actor.kind !== 'user') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first');
  const userId = ctx.actor.userId;
  const user = await findUserById(ctx.db, userId);
  if (!user) throw notFound('user', userId);
  if (!(await verifyPassword(user.password_hash, input.currentPassword))) {
    throw validation('the current password is wrong', { field: 'currentPassword' });
  }
  checkPasswordPolicy(input.newPassword, user.email);
  const hash = await hashPassword(input.newPassword);
  await inTransaction(ctx, async (tx) => {
    await tx
      .updateTable('users')
      .set({ password_hash: hash, updated_at: ctx.now() })
      .where('id', '=', userId)
      .execute();
    let del = tx.deleteFrom('sessions').where('user_id', '=', userId);
    if (input.keepSessionId) del = del.where('id', '!=', input.keepSessionId);
    await del.execute();
    await recordAudit(tx, ctx, { action: 'user.password.change', subjectType: 'user', subjectId: userId, summary: {} });
  });
}

/**
 * Admin: delete an account (sessions, tokens, memberships go with it). The audit log keeps the
 * events it acted in, under its e-mail address. Nobody deletes themself or the last admin.
 */
export async function deleteUser(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const { user, orgIds } = await loadTarget(tx, id);
    authorize(ctx.actor, 'user:manage', { type: 'user', id, orgIds });
    if (ctx.actor.kind === 'user' && ctx.actor.userId === id) throw conflict('you cannot delete your own account');
    await tx.deleteFrom('users').where('id', '=', id).execute();
    await assertAdminsRemain(tx);
    await recordAudit(tx, ctx, {
      action: 'user.delete',
      subjectType: 'user',
      subjectId: id,
      summary: { email: user.email, name: user.name },
    });
  });
}

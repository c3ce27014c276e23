import { sql } from 'kysely';
import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { UserRow } from '../db/schema.ts';
import {
  findUserByEmail,
  membershipsJson,
  membershipsOf,
  mustEnrolTotp,
  require2faSettingJson,
  toActor,
  type UserMembership,
} from '../users/queries.ts';
import type { UserActor } from '../policy/actor.ts';
import { verifyPassword } from './password.ts';
import { backoffSeconds, TOUCH_INTERVAL_MS } from './rules.ts';
import { newSecret, SESSION_PREFIX, sha256 } from './secrets.ts';
import type { AuthCache } from './cache.ts';
import { verifySecondFactor } from './twofactor.ts';

export interface LoginInput {
  email: string;
  password: string;
  totp?: string | undefined;
}

export interface LoginResult {
  sessionId: string;
  token: string;
  csrfToken: string;
  expiresAt: Date;
  user: UserRow;
  /** The signed-in user as an actor, with their memberships. */
  actor: UserActor;
  memberships: UserMembership[];
}

const LOGIN_FAILED = 'the e-mail address or password is wrong';

/**
 * Password (+ TOTP or a recovery code) → a database session. Failures count per account and
 * slow it down exponentially; the same message is given for unknown e-mail and wrong password.
 */
export async function login(ctx: Ctx, input: LoginInput, userAgent: string | null): Promise<LoginResult> {
  const now = ctx.now();
  const user = await findUserByEmail(ctx.db, input.email.trim());
  if (user?.locked_until && user.locked_until.getTime() > now.getTime()) {
    const retryAfter = Math.ceil((user.locked_until.getTime() - now.getTime()) / 1000);
    throw new AppError('ERR_LOGIN_BACKOFF', `too many failed sign-ins: wait ${retryAfter} s and try again`, {
      retryAfter,
    });
  }
  const passwordOk = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!user || !passwordOk || user.disabled_at) {
    if (user) await recordFailure(ctx, user, 'password');
    throw new AppError('ERR_LOGIN_FAILED', LOGIN_FAILED);
  }
  if (user.totp_secret) {
    if (!input.totp) {
      throw new AppError(
        'ERR_TOTP_REQUIRED',
        'enter the 6-digit code from your authenticator app (or a recovery code)',
        { totpRequired: true },
      );
    }
    const ok = await verifySecondFactor(ctx, user, input.totp);
    if (!ok) {
      await recordFailure(ctx, user, 'totp');
      throw new AppError(
        'ERR_TOTP_INVALID',
        'the authentication code is wrong or was used already; enter the current code',
        { totpRequired: true },
      );
    }
  }
  const token = newSecret(SESSION_PREFIX);
  const csrfToken = newSecret('', 24);
  const expiresAt = new Date(now.getTime() + ctx.config.sessionTtlHours * 3600_000);
  const sessionId = newId();
  const memberships = await membershipsOf(ctx.db, user.id);
  const actor = toActor(user, memberships, 'session');
  await inTransaction(ctx, async (tx) => {
    await tx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    await tx
      .insertInto('sessions')
      .values({
        id: sessionId,
        token_hash: sha256(token),
        user_id: user.id,
        csrf_token: csrfToken,
        ip: ctx.meta.ip,
        user_agent: userAgent?.slice(0, 300) ?? null,
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
      })
      .execute();
    await recordAudit(
      tx,
      { ...ctx, actor },
      {
        action: 'session.create',
        subjectType: 'user',
        subjectId: user.id,
        summary: { sessionId, secondFactor: !!user.totp_secret },
      },
    );
  });
  return { sessionId, token, csrfToken, expiresAt, user, actor, memberships };
}

async function recordFailure(ctx: Ctx, user: UserRow, factor: 'password' | 'totp'): Promise<void> {
  const failures = user.failed_logins + 1;
  const wait = backoffSeconds(failures);
  const lockedUntil = wait > 0 ? new Date(ctx.now().getTime() + wait * 1000) : null;
  await inTransaction(ctx, async (tx) => {
    await tx
      .updateTable('users')
      .set({ failed_logins: sql<number>`failed_logins + 1`, locked_until: lockedUntil })
      .where('id', '=', user.id)
      .execute();
    await recordAudit(tx, ctx, {
      action: 'session.failed',
      subjectType: 'user',
      subjectId: user.id,
      summary: { factor, failures, backoffSeconds: wait },
    });
  });
}

export async function logout(ctx: Ctx, sessionId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const row = await tx.deleteFrom('sessions').where('id', '=', sessionId).returning('user_id').executeTakeFirst();
    if (row)
      await recordAudit(tx, ctx, {
        action: 'session.delete',
        subjectType: 'user',
        subjectId: row.user_id,
        summary: { sessionId },
      });
  });
}

export interface Authenticated {
  actor: UserActor;
  user: UserRow;
  /** Loaded once per request with the actor; presenters reuse it. */
  memberships: UserMembership[];
  /** Staff without TOTP while the admin setting makes it mandatory: only the profile is open. */
  totpEnrolmentRequired: boolean;
  session: { id: string; csrfToken: string } | null;
  tokenId: string | null;
}

function lookupSession(ctx: Ctx, tokenHash: string) {
  return ctx.db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .selectAll('u')
    .select(['s.id as session_id', 's.csrf_token', 's.expires_at', 's.last_seen_at'])
    .select((eb) => [membershipsJson(eb), require2faSettingJson(eb)])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
}
type SessionRow = NonNullable<Awaited<ReturnType<typeof lookupSession>>>;

/**
 * Resolves a session cookie to its user; idle sessions expire, and activity extends them.
 * With a cache (see cache.ts), a session seen recently costs no database round trip.
 */
export async function resolveSession(ctx: Ctx, token: string, cache?: AuthCache): Promise<Authenticated | null> {
  if (!token.startsWith(SESSION_PREFIX)) return null;
  const now = ctx.now();
  const tokenHash = sha256(token);
  const key = `s:${tokenHash}`;
  let row = cache?.get(key, now.getTime()) as SessionRow | undefined;
  if (!row) {
    const generation = cache?.generation() ?? 0;
    row = await lookupSession(ctx, tokenHash);
    if (row && cache) cache.set(key, generation, row, now.getTime());
  }
  if (!row || row.expires_at.getTime() <= now.getTime() || row.disabled_at) return null;
  if (now.getTime() - row.last_seen_at.getTime() > TOUCH_INTERVAL_MS) {
    const expiresAt = new Date(now.getTime() + ctx.config.sessionTtlHours * 3600_000);
    await ctx.db
      .updateTable('sessions')
      .set({ last_seen_at: now, expires_at: expiresAt })
      .where('id', '=', row.session_id)
      .execute();
    row.last_seen_at = now;
    row.expires_at = expiresAt;
  }
  const { session_id, csrf_token, expires_at: _e, last_seen_at: _l, memberships, require_2fa_setting, ...user } = row;
  const actor = toActor(user, memberships, 'session');
  return {
    actor,
    user,
    memberships,
    totpEnrolmentRequired: mustEnrolTotp(actor, user, require_2fa_setting, ctx.config.require2faForStaff),
    session: { id: session_id, csrfToken: csrf_token },
    tokenId: null,
  };
}

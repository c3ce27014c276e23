import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { AppError, notFound, validation } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import { membershipsJson, mustEnrolTotp, require2faSettingJson, toActor } from '../users/queries.ts';
import { API_TOKEN_MAX_DAYS, TOUCH_INTERVAL_MS } from './rules.ts';
import { API_TOKEN_PREFIX, newSecret, sha256 } from './secrets.ts';
import type { AuthCache } from './cache.ts';
import type { Authenticated } from './sessions.ts';

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function requireUser(ctx: Ctx): string {
  if (ctx.actor.kind !== 'user') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first');
  return ctx.actor.userId;
}

/** Creates a personal API token. The clear token is returned once and never stored. */
export async function createApiToken(
  ctx: Ctx,
  input: { name: string; expiresInDays?: number | null },
): Promise<{ token: string; view: ApiTokenView }> {
  const userId = requireUser(ctx);
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100)
    throw validation('the token name must be 1 to 100 characters', { field: 'name' });
  const days = input.expiresInDays ?? 90;
  if (!Number.isInteger(days) || days < 1 || days > API_TOKEN_MAX_DAYS) {
    throw validation(`expiresInDays must be a whole number from 1 to ${API_TOKEN_MAX_DAYS}`, {
      field: 'expiresInDays',
    });
  }
  const token = newSecret(API_TOKEN_PREFIX);
  const now = ctx.now();
  return inTransaction(ctx, async (tx) => {
    const row = await tx
      .insertInto('api_tokens')
      .values({
        id: newId(),
        user_id: userId,
        name,
        token_hash: sha256(token),
        prefix: token.slice(0, 10),
        created_at: now,
        expires_at: new Date(now.getTime() + days * 86400_000),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, ctx, {
      action: 'token.create',
      subjectType: 'api_token',
      subjectId: row.id,
      summary: { name, expiresAt: row.expires_at?.toISOString() ?? null },
    });
    return { token, view: present(row) };
  });
}

function present(r: {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): ApiTokenView {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export async function listApiTokens(ctx: Ctx): Promise<ApiTokenView[]> {
  const userId = requireUser(ctx);
  const rows = await ctx.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(present);
}

export async function revokeApiToken(ctx: Ctx, id: string): Promise<void> {
  const userId = requireUser(ctx);
  if (!isUuid(id)) throw notFound('token', id);
  await inTransaction(ctx, async (tx) => {
    const res = await tx
      .updateTable('api_tokens')
      .set({ revoked_at: ctx.now() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw notFound('token', id);
    await recordAudit(tx, ctx, { action: 'token.revoke', subjectType: 'api_token', subjectId: id, summary: {} });
  });
}

function lookupToken(ctx: Ctx, tokenHash: string) {
  return ctx.db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .selectAll('u')
    .select(['t.id as token_id', 't.expires_at as token_expires_at', 't.revoked_at', 't.last_used_at'])
    .select((eb) => [membershipsJson(eb), require2faSettingJson(eb)])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
}
type TokenRow = NonNullable<Awaited<ReturnType<typeof lookupToken>>>;

/**
 * Resolves `Authorization: Bearer acc_…`. Expired and revoked tokens get distinct messages.
 * With a cache (see cache.ts), a token seen recently costs no database round trip.
 */
export async function resolveApiToken(ctx: Ctx, token: string, cache?: AuthCache): Promise<Authenticated> {
  const invalid = new AppError(
    'ERR_TOKEN_INVALID',
    'the API token is not valid; create a new one under Profile → API tokens',
  );
  if (!token.startsWith(API_TOKEN_PREFIX)) throw invalid;
  const now = ctx.now();
  const tokenHash = sha256(token);
  const key = `t:${tokenHash}`;
  let row = cache?.get(key, now.getTime()) as TokenRow | undefined;
  if (!row) {
    const generation = cache?.generation() ?? 0;
    row = await lookupToken(ctx, tokenHash);
    if (row && cache) cache.set(key, generation, row, now.getTime());
  }
  if (!row || row.revoked_at || row.disabled_at) throw invalid;
  if (row.token_expires_at && row.token_expires_at.getTime() <= now.getTime()) {
    throw new AppError(
      'ERR_TOKEN_EXPIRED',
      `the API token expired on ${row.token_expires_at.toISOString()}; create a new one`,
    );
  }
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > TOUCH_INTERVAL_MS) {
    await ctx.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
    row.last_used_at = now;
  }
  const {
    token_id,
    token_expires_at: _e,
    revoked_at: _r,
    last_used_at: _l,
    memberships,
    require_2fa_setting,
    ...user
  } = row;
  const actor = toActor(user, memberships, 'token');
  return {
    actor,
    user,
    memberships,
    totpEnrolmentRequired: mustEnrolTotp(actor, user, require_2fa_setting, ctx.config.require2faForStaff),
    session: null,
    tokenId: token_id,
  };
}

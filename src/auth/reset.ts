import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { queueMail } from '../mail/outbox.ts';
import { findUserByEmail } from '../users/queries.ts';
import { normalizeEmail } from '../users/rules.ts';
import { checkPasswordPolicy, hashPassword } from './password.ts';
import { PASSWORD_RESET_TTL_MS } from './rules.ts';
import { newSecret, sha256 } from './secrets.ts';

/**
 * Sends a reset link when the address has an account. The answer is the same either way, so
 * the endpoint does not tell who has an account.
 */
export async function requestPasswordReset(ctx: Ctx, rawEmail: string): Promise<void> {
  const email = normalizeEmail(rawEmail);
  const user = await findUserByEmail(ctx.db, email);
  if (!user || user.disabled_at) return;
  const token = newSecret('accr_');
  const now = ctx.now();
  await inTransaction(ctx, async (tx) => {
    await tx
      .insertInto('password_resets')
      .values({
        id: newId(),
        user_id: user.id,
        token_hash: sha256(token),
        created_at: now,
        expires_at: new Date(now.getTime() + PASSWORD_RESET_TTL_MS),
        used_at: null,
      })
      .execute();
    const link = `${ctx.config.baseUrl}/reset-password#token=${token}`;
    await queueMail(tx, ctx, {
      to: user.email,
      subject: `[${ctx.config.instanceName}] Reset your password`,
      text:
        `Someone (hopefully you) asked to reset the password of ${user.email} on ${ctx.config.instanceName}.\n\n` +
        `Choose a new password within one hour:\n${link}\n\n` +
        'If you did not ask for this, ignore this message: your password stays as it is.\n',
    });
    await recordAudit(tx, ctx, {
      action: 'user.password.reset_request',
      subjectType: 'user',
      subjectId: user.id,
      summary: {},
    });
  });
}

/** Sets the new password, spends the link and ends every session of the account. */
export async function resetPassword(ctx: Ctx, token: string, password: string): Promise<void> {
  const now = ctx.now();
  const row = await ctx.db
    .selectFrom('password_resets as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.id', 'r.user_id', 'r.expires_at', 'r.used_at', 'u.email'])
    .where('r.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.used_at)
    throw new AppError('ERR_TOKEN_INVALID', 'this reset link is not valid or was used already; ask for a new one');
  if (row.expires_at.getTime() <= now.getTime())
    throw new AppError('ERR_TOKEN_EXPIRED', 'this reset link has expired; ask for a new one');
  checkPasswordPolicy(password, row.email);
  const hash = await hashPassword(password);
  await inTransaction(ctx, async (tx) => {
    const spent = await tx
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) throw new AppError('ERR_TOKEN_INVALID', 'this reset link was used already');
    await tx
      .updateTable('users')
      .set({ password_hash: hash, failed_logins: 0, locked_until: null, updated_at: now })
      .where('id', '=', row.user_id)
      .execute();
    await tx.deleteFrom('sessions').where('user_id', '=', row.user_id).execute();
    await recordAudit(tx, ctx, {
      action: 'user.password.reset',
      subjectType: 'user',
      subjectId: row.user_id,
      summary: {},
    });
  });
}

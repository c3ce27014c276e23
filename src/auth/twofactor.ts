import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { AppError, conflict, validation } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { UserRow } from '../db/schema.ts';
import { findUserById } from '../users/queries.ts';
import { verifyPassword } from './password.ts';
import { sha256 } from './secrets.ts';
import { checkTotp, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, totpUri } from './totp.ts';

/** Checks a TOTP code (refusing replays) or consumes a recovery code. */
export async function verifySecondFactor(ctx: Ctx, user: UserRow, code: string): Promise<boolean> {
  if (!user.totp_secret) return true;
  const step = checkTotp(user.totp_secret, code, ctx.now());
  if (step !== null) {
    const res = await ctx.db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', user.id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }
  const hash = sha256(normalizeRecoveryCode(code));
  const used = await ctx.db
    .updateTable('recovery_codes')
    .set({ used_at: ctx.now() })
    .where('user_id', '=', user.id)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1;
}

async function currentUser(ctx: Ctx): Promise<UserRow> {
  if (ctx.actor.kind !== 'user') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first');
  const user = await findUserById(ctx.db, ctx.actor.userId);
  if (!user) throw new AppError('ERR_UNAUTHENTICATED', 'sign in first');
  return user;
}

/** Step 1: a new secret, kept pending until the user proves their app reads it. */
export async function beginTotpEnrolment(ctx: Ctx): Promise<{ secret: string; uri: string; qrSvg: string }> {
  const user = await currentUser(ctx);
  if (user.totp_secret)
    throw conflict('two-factor authentication is on already; turn it off first to enrol a new device');
  const secret = newTotpSecret();
  await ctx.db.updateTable('users').set({ totp_pending_secret: secret }).where('id', '=', user.id).execute();
  const uri = totpUri(secret, user.email, ctx.config.instanceName);
  const { default: QRCode } = await import('qrcode'); // loaded on first use
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, uri, qrSvg };
}

/** Step 2: the first code switches TOTP on and returns recovery codes, shown this once. */
export async function confirmTotpEnrolment(ctx: Ctx, code: string): Promise<{ recoveryCodes: string[] }> {
  const user = await currentUser(ctx);
  if (!user.totp_pending_secret) throw conflict('start the enrolment first (POST /api/v1/me/totp)');
  const step = checkTotp(user.totp_pending_secret, code, ctx.now());
  if (step === null)
    throw new AppError(
      'ERR_TOTP_INVALID',
      'the code does not match; check the time on your phone and enter the current code',
    );
  const codes = newRecoveryCodes();
  await inTransaction(ctx, async (tx) => {
    await tx
      .updateTable('users')
      .set({
        totp_secret: user.totp_pending_secret,
        totp_pending_secret: null,
        totp_enabled_at: ctx.now(),
        totp_last_step: step,
        updated_at: ctx.now(),
      })
      .where('id', '=', user.id)
      .execute();
    await tx.deleteFrom('recovery_codes').where('user_id', '=', user.id).execute();
    await tx
      .insertInto('recovery_codes')
      .values(
        codes.map((c) => ({
          id: newId(),
          user_id: user.id,
          code_hash: sha256(normalizeRecoveryCode(c)),
          used_at: null,
          created_at: ctx.now(),
        })),
      )
      .execute();
    await recordAudit(tx, ctx, { action: 'user.totp.enable', subjectType: 'user', subjectId: user.id, summary: {} });
  });
  return { recoveryCodes: codes };
}

/** Turning 2FA off needs the password and a current code, so a stolen session cannot do it. */
export async function disableTotp(ctx: Ctx, input: { password: string; code: string }): Promise<void> {
  const user = await currentUser(ctx);
  if (!user.totp_secret) throw conflict('two-factor authentication is not on');
  if (!(await verifyPassword(user.password_hash, input.password)))
    throw validation('the password is wrong', { field: 'password' });
  if (!(await verifySecondFactor(ctx, user, input.code)))
    throw new AppError('ERR_TOTP_INVALID', 'the authentication code is wrong');
  await inTransaction(ctx, async (tx) => {
    await tx
      .updateTable('users')
      .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null, updated_at: ctx.now() })
      .where('id', '=', user.id)
      .execute();
    await tx.deleteFrom('recovery_codes').where('user_id', '=', user.id).execute();
    await recordAudit(tx, ctx, { action: 'user.totp.disable', subjectType: 'user', subjectId: user.id, summary: {} });
  });
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { actorOf, makeCtx, makeUser, PASSWORD, testClock } from '../../tests/support/factories.ts';
import { listOutbox } from '../mail/queries.ts';
import { requestPasswordReset, resetPassword } from './reset.ts';
import { backoffSeconds } from './rules.ts';
import { login, logout, resolveSession } from './sessions.ts';
import { createApiToken, listApiTokens, resolveApiToken, revokeApiToken } from './tokens.ts';
import { generateTotp } from './totp.ts';
import { beginTotpEnrolment, confirmTotpEnrolment, disableTotp } from './twofactor.ts';

describe('back-off rule', () => {
  it.each([
    [0, 0],
    [4, 0],
    [5, 2],
    [6, 4],
    [8, 16],
    [30, 900],
  ])('%i failures → %i s', (failures, seconds) => {
    expect(backoffSeconds(failures)).toBe(seconds);
  });
});

describe('sessions, tokens, TOTP and password reset', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => db.reset());

  it('signs in, resolves the session, and signs out', async () => {
    const ctx = makeCtx(db);
    const user = await makeUser(ctx, { role: 'analyst' });
    const s = await login(ctx, { email: user.email.toUpperCase(), password: PASSWORD }, 'test-agent');
    expect(s.token).toMatch(/^accs_/);
    const auth = await resolveSession(ctx, s.token);
    expect(auth?.actor).toMatchObject({ userId: user.id, staffRole: 'analyst' });
    expect(auth?.session?.csrfToken).toBe(s.csrfToken);
    const stored = await db.db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(s.token); // only the hash is stored
    await logout(ctx, s.sessionId);
    expect(await resolveSession(ctx, s.token)).toBeNull();
  });

  it('gives one message for unknown e-mail and wrong password, and slows down repeated failures', async () => {
    const clock = testClock();
    const ctx = makeCtx(db, { clock });
    const user = await makeUser(ctx);
    await expect(login(ctx, { email: 'nobody@example.org', password: PASSWORD }, null)).rejects.toMatchObject({
      code: 'ERR_LOGIN_FAILED',
    });
    for (let i = 0; i < 5; i++) {
      await expect(login(ctx, { email: user.email, password: 'wrong password!' }, null)).rejects.toMatchObject({
        code: 'ERR_LOGIN_FAILED',
      });
    }
    // Now locked for 2 s: even the right password waits.
    await expect(login(ctx, { email: user.email, password: PASSWORD }, null)).rejects.toMatchObject({
      code: 'ERR_LOGIN_BACKOFF',
      details: { retryAfter: 2 },
    });
    clock.advance(2_001);
    await expect(login(ctx, { email: user.email, password: PASSWORD }, null)).resolves.toMatchObject({
      user: { id: user.id },
    });
    const row = await db.db
      .selectFrom('users')
      .select(['failed_logins', 'locked_until'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_logins: 0, locked_until: null });
  });

  it('expires idle sessions', async () => {
    const clock = testClock();
    const ctx = makeCtx(db, { clock });
    const user = await makeUser(ctx);
    const s = await login(ctx, { email: user.email, password: PASSWORD }, null);
    clock.advance(13 * 3600_000);
    expect(await resolveSession(ctx, s.token)).toBeNull();
  });

  it('enrols TOTP, then requires and checks it at sign-in, refusing replays; recovery codes work once', async () => {
    const clock = testClock(new Date('2026-11-27T10:00:00Z'));
    const base = makeCtx(db, { clock });
    const user = await makeUser(base);
    const ctx = { ...base, actor: await actorOf(base, user.id) };
    const { secret, uri, qrSvg } = await beginTotpEnrolment(ctx);
    expect(uri).toContain('otpauth://totp/');
    expect(qrSvg).toContain('<svg');
    await expect(confirmTotpEnrolment(ctx, '000000')).rejects.toMatchObject({ code: 'ERR_TOTP_INVALID' });
    const { recoveryCodes } = await confirmTotpEnrolment(ctx, generateTotp(secret, clock.now()));
    expect(recoveryCodes).toHaveLength(10);

    await expect(login(base, { email: user.email, password: PASSWORD }, null)).rejects.toMatchObject({
      code: 'ERR_TOTP_REQUIRED',
    });
    // The enrolment code's time step is spent: the same code cannot sign in.
    await expect(
      login(base, { email: user.email, password: PASSWORD, totp: generateTotp(secret, clock.now()) }, null),
    ).rejects.toMatchObject({ code: 'ERR_TOTP_INVALID' });
    clock.advance(30_000);
    await expect(
      login(base, { email: user.email, password: PASSWORD, totp: generateTotp(secret, clock.now()) }, null),
    ).resolves.toBeTruthy();
    const code = recoveryCodes[0] ?? '';
    await expect(
      login(base, { email: user.email, password: PASSWORD, totp: code.toUpperCase() }, null),
    ).resolves.toBeTruthy();
    await expect(login(base, { email: user.email, password: PASSWORD, totp: code }, null)).rejects.toMatchObject({
      code: 'ERR_TOTP_INVALID',
    });

    clock.advance(30_000);
    await expect(
      disableTotp(ctx, { password: 'wrong password!', code: generateTotp(secret, clock.now()) }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await disableTotp(ctx, { password: PASSWORD, code: generateTotp(secret, clock.now()) });
    await expect(login(base, { email: user.email, password: PASSWORD }, null)).resolves.toBeTruthy();
  });

  it('API tokens: shown once, stored hashed, expire and can be revoked', async () => {
    const clock = testClock();
    const base = makeCtx(db, { clock });
    const user = await makeUser(base, { role: 'viewer' });
    const ctx = { ...base, actor: await actorOf(base, user.id) };
    const { token, view } = await createApiToken(ctx, { name: 'ci', expiresInDays: 1 });
    expect(token).toMatch(/^acc_/);
    expect(view.prefix).toBe(token.slice(0, 10));
    expect((await resolveApiToken(base, token)).actor).toMatchObject({ userId: user.id, via: 'token' });
    await expect(resolveApiToken(base, 'acc_nonsense')).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID' });
    await expect(createApiToken(ctx, { name: 'x', expiresInDays: 400 })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
    clock.advance(86400_000 + 1);
    await expect(resolveApiToken(base, token)).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
    const second = await createApiToken(ctx, { name: 'second' });
    await revokeApiToken(ctx, second.view.id);
    await expect(resolveApiToken(base, second.token)).rejects.toMatchObject({ code: 'ERR_TOKEN_INVALID' });
    expect((await listApiTokens(ctx)).map((t) => t.name)).toEqual(['second', 'ci']);
    // Another user cannot revoke my token: it is "not found" for them.
    const other = await makeUser(base);
    const otherCtx = { ...base, actor: await actorOf(base, other.id) };
    const third = await createApiToken(ctx, { name: 'third' });
    await expect(revokeApiToken(otherCtx, third.view.id)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('password reset: mails a link, sets the password once, ends sessions; unknown addresses get no mail', async () => {
    const clock = testClock();
    const ctx = makeCtx(db, { clock });
    const user = await makeUser(ctx);
    const s = await login(ctx, { email: user.email, password: PASSWORD }, null);
    await requestPasswordReset(ctx, 'nobody@example.org');
    await requestPasswordReset(ctx, user.email);
    const mails = (await listOutbox(db.db, {})).items;
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to_address).toBe(user.email);
    expect(mails[0]?.status).toBe('stored'); // no SMTP configured
    const token = /#token=(\S+)/.exec(mails[0]?.body_text ?? '')?.[1] ?? '';
    await expect(resetPassword(ctx, token, 'short')).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await resetPassword(ctx, token, 'a brand new passphrase');
    expect(await resolveSession(ctx, s.token)).toBeNull();
    await expect(login(ctx, { email: user.email, password: 'a brand new passphrase' }, null)).resolves.toBeTruthy();
    await expect(resetPassword(ctx, token, 'another new passphrase')).rejects.toMatchObject({
      code: 'ERR_TOKEN_INVALID',
    });

    clock.advance(1000);
    await requestPasswordReset(ctx, user.email);
    const second = /#token=(\S+)/.exec((await listOutbox(db.db, {})).items[0]?.body_text ?? '')?.[1] ?? '';
    clock.advance(3600_001);
    await expect(resetPassword(ctx, second, 'yet another passphrase')).rejects.toMatchObject({
      code: 'ERR_TOKEN_EXPIRED',
    });
  });
});

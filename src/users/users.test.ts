import { generateKey } from 'openpgp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { actorOf, makeCtx, makeUser, PASSWORD } from '../../tests/support/factories.ts';
import { login } from '../auth/sessions.ts';
import { changePassword, createUser, deleteUser, setUserDisabled, updateProfile } from './commands.ts';
import { checkLocale, checkName, checkTimeZone, normalizeEmail } from './rules.ts';

describe('user field rules', () => {
  it.each(['a@b.co', ' Alice@Example.ORG '])('accepts e-mail %s', (e) => {
    expect(normalizeEmail(e)).toBe(e.trim().toLowerCase());
  });
  it.each(['', 'no-at-sign', 'a@b', 'a b@c.org', '<script>@x.org', `${'a'.repeat(250)}@example.org`])(
    'refuses e-mail %s',
    (e) => {
      expect(() => normalizeEmail(e)).toThrow(/not an e-mail address/);
    },
  );
  it('checks names, locales and time zones', () => {
    expect(checkName('  Ada  ')).toBe('Ada');
    expect(() => checkName('a\u0007b')).toThrow(/control characters/);
    expect(checkLocale('ja')).toBe('ja');
    expect(() => checkLocale('fr')).toThrow(/use one of en, ja/);
    expect(checkTimeZone('Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(/IANA time zone/);
  });
});

describe('user commands', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => db.reset());

  it('only admins create users; duplicates and weak passwords are refused; nothing half-stored', async () => {
    const ctx = makeCtx(db);
    const admin = await makeUser(ctx, { role: 'admin' });
    const analyst = await makeUser(ctx, { role: 'analyst' });
    const actx = { ...ctx, actor: await actorOf(ctx, admin.id) };
    await expect(
      createUser({ ...ctx, actor: await actorOf(ctx, analyst.id) }, { email: 'x@example.org', name: 'X' }),
    ).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    await expect(createUser(actx, { email: admin.email.toUpperCase(), name: 'Dup' })).rejects.toMatchObject({
      code: 'ERR_EMAIL_TAKEN',
    });
    await expect(createUser(actx, { email: 'weak@example.org', name: 'Weak', password: 'short' })).rejects.toThrow(
      /at least 12/,
    );
    await expect(createUser(actx, { email: 'r@example.org', name: 'R', staffRole: 'superuser' })).rejects.toThrow(
      /not a staff role/,
    );
    const count = await db.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
    const created = await createUser(actx, {
      email: 'new@example.org',
      name: 'New',
      staffRole: 'viewer',
      timeZone: 'Asia/Tokyo',
      locale: 'ja',
    });
    expect(await actorOf(ctx, created.id)).toMatchObject({ staffRole: 'viewer' });
    expect(created.password_hash).toBeNull();
  });

  it('stores an OpenPGP public key with its fingerprint and refuses private keys and junk', async () => {
    const ctx = makeCtx(db);
    const user = await makeUser(ctx);
    const uctx = { ...ctx, actor: await actorOf(ctx, user.id) };
    const { publicKey, privateKey } = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: user.email }],
      format: 'armored',
    });
    const updated = await updateProfile(uctx, user.id, {
      pgpPublicKey: publicKey,
      timeZone: 'Europe/Paris',
      locale: 'ja',
    });
    expect(updated.pgp_fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(updated.time_zone).toBe('Europe/Paris');
    await expect(updateProfile(uctx, user.id, { pgpPublicKey: privateKey })).rejects.toThrow(/PUBLIC key block only/);
    await expect(updateProfile(uctx, user.id, { pgpPublicKey: 'hello' })).rejects.toThrow(/could not be read/);
    const other = await makeUser(ctx);
    await expect(
      updateProfile({ ...ctx, actor: await actorOf(ctx, other.id) }, user.id, { name: 'Hijack' }),
    ).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('disabling ends sessions and sign-in; admins cannot disable themselves', async () => {
    const ctx = makeCtx(db);
    const admin = await makeUser(ctx, { role: 'admin' });
    const user = await makeUser(ctx);
    const actx = { ...ctx, actor: await actorOf(ctx, admin.id) };
    await login(ctx, { email: user.email, password: PASSWORD }, null);
    await setUserDisabled(actx, user.id, true);
    expect(await db.db.selectFrom('sessions').selectAll().where('user_id', '=', user.id).execute()).toHaveLength(0);
    await expect(login(ctx, { email: user.email, password: PASSWORD }, null)).rejects.toMatchObject({
      code: 'ERR_LOGIN_FAILED',
    });
    await expect(setUserDisabled(actx, admin.id, true)).rejects.toThrow(/your own account/);
  });

  it('changing the password needs the current one and keeps only the current session', async () => {
    const ctx = makeCtx(db);
    const user = await makeUser(ctx);
    const a = await login(ctx, { email: user.email, password: PASSWORD }, null);
    await login(ctx, { email: user.email, password: PASSWORD }, null);
    const uctx = { ...ctx, actor: await actorOf(ctx, user.id) };
    await expect(
      changePassword(uctx, { currentPassword: 'nope nope nope', newPassword: 'new passphrase 1' }),
    ).rejects.toThrow(/current password is wrong/);
    await changePassword(uctx, {
      currentPassword: PASSWORD,
      newPassword: 'new passphrase 1',
      keepSessionId: a.sessionId,
    });
    const left = await db.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    expect(left.map((s) => s.id)).toEqual([a.sessionId]);
  });

  it('admins delete users; the audit log keeps who they were; nobody deletes themself or the last admin', async () => {
    const ctx = makeCtx(db);
    const admin = await makeUser(ctx, { role: 'admin' });
    const user = await makeUser(ctx);
    const actx = { ...ctx, actor: await actorOf(ctx, admin.id) };
    await login(ctx, { email: user.email, password: PASSWORD }, null);
    await deleteUser(actx, user.id);
    expect(await db.db.selectFrom('users').select('id').where('id', '=', user.id).execute()).toEqual([]);
    expect(await db.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
    const event = await db.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'user.delete')
      .executeTakeFirstOrThrow();
    expect(event.summary).toMatchObject({ email: user.email });
    await expect(deleteUser(actx, admin.id)).rejects.toThrow(/your own account/);
    await expect(deleteUser(ctx, admin.id)).rejects.toMatchObject({ code: 'ERR_LAST_ADMIN' });
    await expect(deleteUser(actx, user.id)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { actorOf, addMember, makeCtx, makeOrg, makeUser, PASSWORD } from '../../tests/support/factories.ts';
import { login } from '../auth/sessions.ts';
import { listOutbox } from '../mail/queries.ts';
import { listUsers } from '../users/queries.ts';
import { createOrg, deleteOrg, ensureHomeOrg, removeMembership, setMembership, updateOrg } from './commands.ts';
import { acceptInvitation, describeInvitation, inviteToOrg, revokeInvitation } from './invitations.ts';
import { findHomeOrg, listMembers, listOrgs } from './queries.ts';

describe('organizations, memberships and invitations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => db.reset());

  it('creates the home organization once, even when asked concurrently', async () => {
    const ctx = makeCtx(db);
    const [a, b] = await Promise.all([ensureHomeOrg(ctx), ensureHomeOrg(ctx)]);
    expect(a.id).toBe(b.id);
    expect((await listOrgs(db.db, ctx.actor, { kind: 'home' })).items).toHaveLength(1);
  });

  it('validates and refuses duplicates with clear messages', async () => {
    const ctx = makeCtx(db);
    await createOrg(ctx, { name: 'ACME', kind: 'vendor', website: 'https://acme.example' });
    await expect(createOrg(ctx, { name: 'acme', kind: 'vendor' })).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    await expect(createOrg(ctx, { name: 'X', kind: 'home' })).rejects.toThrow(/kind "home" is unknown/);
    await expect(createOrg(ctx, { name: 'Y', kind: 'vendor', website: 'javascript:alert(1)' })).rejects.toThrow(
      /not a web address/,
    );
    await expect(createOrg(ctx, { name: '   ', kind: 'vendor' })).rejects.toThrow(/1 to 200/);
  });

  it('lets staff see every org, a vendor only its own; a hidden org is "not found"', async () => {
    const ctx = makeCtx(db);
    const acme = await makeOrg(ctx, { name: 'ACME' });
    const globex = await makeOrg(ctx, { name: 'Globex' });
    const vendor = await makeUser(ctx);
    await addMember(ctx, acme.id, vendor.id, 'org_admin');
    const analyst = await makeUser(ctx, { role: 'analyst' });
    const vendorActor = await actorOf(ctx, vendor.id);
    expect((await listOrgs(db.db, vendorActor, {})).items.map((o) => o.name)).toEqual(['ACME']);
    expect((await listOrgs(db.db, await actorOf(ctx, analyst.id), {})).items).toHaveLength(3); // + home
    const vctx = { ...ctx, actor: vendorActor };
    await expect(updateOrg(vctx, globex.id, { name: 'Mine' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(updateOrg(vctx, acme.id, { website: 'https://acme.example/security' })).resolves.toMatchObject({
      website: 'https://acme.example/security',
    });
    await expect(deleteOrg(vctx, acme.id)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    // Users: the vendor sees itself and its org's members only.
    const colleague = await makeUser(ctx);
    await addMember(ctx, acme.id, colleague.id, 'member');
    const seen = (await listUsers(db.db, vendorActor, {})).items.map((u) => u.id).sort();
    expect(seen).toEqual([vendor.id, colleague.id].sort());
  });

  it('staff roles only at home, org roles only elsewhere; the last admin stays', async () => {
    const ctx = makeCtx(db);
    const home = await ensureHomeOrg(ctx);
    const acme = await makeOrg(ctx);
    const admin = await makeUser(ctx, { role: 'admin' });
    const u = await makeUser(ctx);
    await expect(setMembership(ctx, acme.id, u.id, 'admin')).rejects.toThrow(/not an organization role/);
    await expect(setMembership(ctx, home.id, u.id, 'org_admin')).rejects.toThrow(/not a staff role/);
    await expect(setMembership(ctx, home.id, admin.id, 'viewer')).rejects.toMatchObject({ code: 'ERR_LAST_ADMIN' });
    await expect(removeMembership(ctx, home.id, admin.id)).rejects.toMatchObject({ code: 'ERR_LAST_ADMIN' });
    await setMembership(ctx, home.id, u.id, 'admin');
    await removeMembership(ctx, home.id, admin.id);
    expect((await listMembers(db.db, home.id)).map((m) => m.userId)).toEqual([u.id]);
  });

  it('invites by e-mail: a new person creates an account and joins with the role', async () => {
    const ctx = makeCtx(db);
    const acme = await makeOrg(ctx, { name: 'ACME' });
    const coordinator = await makeUser(ctx, { role: 'coordinator' });
    const cctx = { ...ctx, actor: await actorOf(ctx, coordinator.id) };
    const { link } = await inviteToOrg(cctx, acme.id, { email: 'PSIRT@acme.example', role: 'org_admin' });
    const mail = (await listOutbox(db.db, { to: 'psirt@acme.example' })).items[0];
    expect(mail?.body_text).toContain(link);
    const token = link.split('#token=')[1] ?? '';
    await expect(describeInvitation(ctx, token)).resolves.toMatchObject({
      orgName: 'ACME',
      email: 'psirt@acme.example',
      hasAccount: false,
    });
    const anon = { ...ctx, actor: { kind: 'anonymous' as const } };
    await expect(acceptInvitation(anon, token, null)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    const { userId } = await acceptInvitation(anon, token, { name: 'ACME PSIRT', password: PASSWORD });
    expect(await actorOf(ctx, userId)).toMatchObject({ memberships: [{ orgId: acme.id, role: 'org_admin' }] });
    await expect(login(ctx, { email: 'psirt@acme.example', password: PASSWORD }, null)).resolves.toBeTruthy();
    await expect(acceptInvitation(anon, token, { name: 'Again', password: PASSWORD })).rejects.toMatchObject({
      code: 'ERR_TOKEN_INVALID',
    });
  });

  it('an existing account must sign in as the invited address; withdrawn invitations stop working', async () => {
    const ctx = makeCtx(db);
    const acme = await makeOrg(ctx);
    const invitee = await makeUser(ctx);
    const other = await makeUser(ctx);
    const first = await inviteToOrg(ctx, acme.id, { email: invitee.email, role: 'member' });
    const token = first.link.split('#token=')[1] ?? '';
    await expect(
      acceptInvitation({ ...ctx, actor: { kind: 'anonymous' } }, token, { name: 'x', password: PASSWORD }),
    ).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' });
    await expect(acceptInvitation({ ...ctx, actor: await actorOf(ctx, other.id) }, token, null)).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    await acceptInvitation({ ...ctx, actor: await actorOf(ctx, invitee.id) }, token, null);
    const second = await inviteToOrg(ctx, acme.id, { email: 'new@example.org', role: 'member' });
    await revokeInvitation(ctx, acme.id, second.invitation.id);
    await expect(describeInvitation(ctx, second.link.split('#token=')[1] ?? '')).rejects.toMatchObject({
      code: 'ERR_TOKEN_INVALID',
    });
  });

  it('a vendor member cannot invite; a vendor admin can, into its own org only', async () => {
    const ctx = makeCtx(db);
    const acme = await makeOrg(ctx);
    const globex = await makeOrg(ctx);
    const member = await makeUser(ctx);
    const admin = await makeUser(ctx);
    await addMember(ctx, acme.id, member.id, 'member');
    await addMember(ctx, acme.id, admin.id, 'org_admin');
    const home = await findHomeOrg(db.db);
    await expect(
      inviteToOrg({ ...ctx, actor: await actorOf(ctx, member.id) }, acme.id, {
        email: 'a@example.org',
        role: 'member',
      }),
    ).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    const actx = { ...ctx, actor: await actorOf(ctx, admin.id) };
    await expect(inviteToOrg(actx, acme.id, { email: 'a@example.org', role: 'member' })).resolves.toBeTruthy();
    await expect(inviteToOrg(actx, globex.id, { email: 'a@example.org', role: 'member' })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    await expect(inviteToOrg(actx, home?.id ?? '', { email: 'a@example.org', role: 'admin' })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
  });
});

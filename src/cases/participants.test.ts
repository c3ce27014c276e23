import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import {
  addMember,
  makeApp,
  makeCtx,
  makeOrg,
  makeUser,
  PASSWORD,
  signIn,
  testClock,
  userSession,
  type Clock,
  type Session,
} from '../../tests/support/factories.ts';
import { deliverNotifications } from '../../tests/support/notifications.ts';
import { sha256 } from '../auth/secrets.ts';
import { newId } from '../core/ids.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Participants: inviting a vendor not yet on the platform at its security contacts (it signs up
 * into its org and lands on the case, terms first), re-sending and expiry, named users within a
 * vendor org, and removing a participant (history kept, access gone at once).
 */
describe('case participants: invitations, named users, removal', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let clock: Clock;
  let lead: Session;
  let leadName: string;
  let leadEmail: string;
  let analyst: Session;
  let analystEmail: string;
  let acme: { id: string; admin: Session; adminId: string; adminEmail: string; other: Session; otherId: string };
  let globex: { id: string; admin: Session };
  let newco: { id: string };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    clock = testClock(new Date('2026-03-02T09:00:00Z'));
    app = await makeApp(db, { clock });
    const ctx = makeCtx(db, { clock });
    const leadUser = await makeUser(ctx, { role: 'coordinator', name: 'Lena Lead' });
    leadName = leadUser.name;
    leadEmail = leadUser.email;
    lead = await signIn(app, leadUser.email);
    const analystUser = await userSession(app, ctx, 'analyst');
    analyst = analystUser.session;
    analystEmail = analystUser.user.email;
    const member = async (orgId: string, role = 'member') => {
      const u = await makeUser(ctx);
      await addMember(ctx, orgId, u.id, role);
      return { user: u, session: await signIn(app, u.email) };
    };
    const acmeOrg = await makeOrg(ctx, { name: 'ACME' });
    const a1 = await member(acmeOrg.id, 'org_admin');
    const a2 = await member(acmeOrg.id);
    acme = {
      id: acmeOrg.id,
      admin: a1.session,
      adminId: a1.user.id,
      adminEmail: a1.user.email,
      other: a2.session,
      otherId: a2.user.id,
    };
    const globexOrg = await makeOrg(ctx, { name: 'Globex' });
    globex = { id: globexOrg.id, admin: (await member(globexOrg.id, 'org_admin')).session };
    newco = { id: (await makeOrg(ctx, { name: 'Newco' })).id };
    return () => app.close();
  });

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });

  async function openCase() {
    const created = await call('POST', '/api/v1/cases', lead, {
      title: 'Heap overflow in the Gizmo firmware',
      summary: 'Embargoed: the **BLE pairing** handler overflows.',
    });
    expect(created.statusCode).toBe(201);
    const caseId = created.json<Json>().caseId as string;
    await call('POST', `/api/v1/cases/${caseId}/vulnerabilities`, lead, {
      title: 'Pairing overflow',
      cveId: 'CVE-2026-20001',
    });
    return caseId;
  }

  /** Newco's directory entry: an approved security contact, an approved legal one, a pending one. */
  async function newcoContacts() {
    expect(
      (
        await call('POST', `/api/v1/directory/${newco.id}/contacts`, lead, {
          email: 'psirt@newco.example',
          role: 'security',
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await call('POST', `/api/v1/directory/${newco.id}/contacts`, lead, {
          email: 'legal@newco.example',
          role: 'legal',
        })
      ).statusCode,
    ).toBe(201);
    await db.db
      .insertInto('org_contacts')
      .values({
        id: newId(),
        org_id: newco.id,
        email: 'proposed@newco.example',
        role: 'security',
        name: null,
        phone: null,
        pgp_public_key: null,
        pgp_fingerprint: null,
        pgp_expires_at: null,
        status: 'pending',
        proposed_by: null,
        created_at: clock.now(),
        updated_at: clock.now(),
      })
      .execute();
  }

  const tokenOf = (text: string) => /#token=(acci_[A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
  const participant = async (caseId: string, name: string, who = lead) =>
    ((await call('GET', `/api/v1/cases/${caseId}`, who)).json<Json>().participants as Json[]).find(
      (p) => p.name === name,
    );

  it('invites a vendor not on the platform at its approved security contact; the mail holds no case detail; it signs up into its org and lands on the terms', async () => {
    const caseId = await openCase();
    await newcoContacts();
    const added = await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: newco.id, role: 'vendor' });
    expect(added.statusCode).toBe(201);

    const mails = await db.db.selectFrom('outbox').selectAll().where('subject', 'like', `[${caseId}]%`).execute();
    expect(mails.map((m) => m.to_address)).toEqual(['psirt@newco.example']); // not the legal, not the pending one
    const mail = mails[0]!;
    expect(mail.body_text).toContain(caseId);
    expect(mail.body_text).toContain(leadName);
    expect(mail.body_text).toContain('http://127.0.0.1:8080/accept-invitation#token=acci_');
    for (const secret of ['Gizmo', 'Heap', 'BLE', 'pairing', 'Pairing', 'CVE-2026', 'overflow', 'Newco']) {
      expect(mail.body_text).not.toContain(secret);
      expect(mail.subject).not.toContain(secret);
    }
    const token = tokenOf(mail.body_text);
    const stored = await db.db.selectFrom('invitations').selectAll().where('org_id', '=', newco.id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).toBe(sha256(token));
    expect(JSON.stringify(stored)).not.toContain(token);

    // The lead sees the pending invitation on the participant; other participants never see addresses.
    expect((await participant(caseId, 'Newco'))!.invitations).toEqual([
      expect.objectContaining({ email: 'psirt@newco.example', state: 'pending' }),
    ]);
    await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: globex.id, role: 'vendor' });
    await call('POST', `/api/v1/cases/${caseId}/terms/accept`, globex.admin, { version: 1 });
    const asGlobex = await call('GET', `/api/v1/cases/${caseId}`, globex.admin);
    expect(asGlobex.body).not.toContain('psirt@newco.example');
    expect((await participant(caseId, 'Newco', globex.admin))!.invitations).toBeUndefined();

    // The link names the case (id only); a new account joins Newco and lands on the terms.
    const lookup = await call('POST', '/api/v1/invitations/lookup', null, { token });
    expect(lookup.json<Json>()).toMatchObject({ orgName: 'Newco', caseId, hasAccount: false });
    const accepted = await call('POST', '/api/v1/invitations/accept', null, {
      token,
      name: 'Nina Newco',
      password: PASSWORD,
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json<Json>()).toMatchObject({ orgId: newco.id, caseId });
    const nina = await signIn(app, 'psirt@newco.example');
    const before = await call('GET', `/api/v1/cases/${caseId}`, nina);
    expect(before.statusCode).toBe(200);
    expect(before.json<Json>()).toMatchObject({ caseId, access: 'terms_only', lead: leadName });
    expect(before.body).not.toContain('Gizmo');
    expect(before.body).not.toContain('CVE-2026-20001');
    expect((await call('GET', `/api/v1/cases/${caseId}/threads`, nina)).statusCode).toBe(403);
    const after = await call('POST', `/api/v1/cases/${caseId}/terms/accept`, nina, { version: 1 });
    expect(after.json<Json>()).toMatchObject({ access: 'participant', title: 'Heap overflow in the Gizmo firmware' });

    expect((await participant(caseId, 'Newco'))!.invitations[0].state).toBe('accepted');
    const timeline = (await call('GET', `/api/v1/cases/${caseId}/timeline`, lead)).json<Json>().items as Json[];
    expect(timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['invitation_accepted', 'terms_accepted']));
    // The invitee accepted (not the anonymous request): the timeline names their address.
    expect(timeline.find((e) => e.kind === 'invitation_accepted')!.actorLabel).toBe('psirt@newco.example');
    expect(timeline.find((e) => e.kind === 'participant_added' && e.data.orgId === newco.id)!.data).toMatchObject({
      invited: 1,
      notified: 0,
    });
  });

  it('a community invitation reaches the security contacts of its members that are not on the platform', async () => {
    const caseId = await openCase();
    await newcoContacts();
    const community = await call('POST', '/api/v1/communities', lead, {
      name: 'Gizmo makers',
      orgIds: [newco.id, acme.id],
    });
    expect(community.statusCode).toBe(201);
    const invited = await call('POST', `/api/v1/cases/${caseId}/communities`, lead, {
      communityId: community.json<Json>().id,
    });
    expect(invited.statusCode).toBe(200);
    const to = (
      await db.db.selectFrom('outbox').select('to_address').where('subject', 'like', `[${caseId}]%`).execute()
    )
      .map((m) => m.to_address)
      .sort();
    expect(to).toContain('psirt@newco.example'); // Newco has nobody: its contact is invited
    expect(to).toHaveLength(3); // ACME's two members get the usual notice
    expect((await participant(caseId, 'Newco'))!.invitations).toHaveLength(1);
    expect((await participant(caseId, 'ACME'))!.invitations).toEqual([]);
  });

  it('invitations expire after 14 days; re-sending withdraws the old link and sends a new one', async () => {
    const caseId = await openCase();
    await newcoContacts();
    const p = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: newco.id, role: 'vendor' })
    ).json<Json>();
    const first = tokenOf((await db.db.selectFrom('outbox').select('body_text').executeTakeFirstOrThrow()).body_text);

    clock.advance(15 * 86400_000);
    lead = await signIn(app, leadEmail); // the session expired meanwhile
    acme.admin = await signIn(app, acme.adminEmail);
    analyst = await signIn(app, analystEmail);
    expect((await participant(caseId, 'Newco'))!.invitations[0].state).toBe('expired');
    const expired = await call('POST', '/api/v1/invitations/lookup', null, { token: first });
    expect(expired.statusCode).toBe(401);
    expect(expired.json<Json>().error.code).toBe('ERR_TOKEN_EXPIRED');

    await db.db.deleteFrom('outbox').execute();
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/participants/${p.id}/invitations`, acme.admin)).statusCode,
    ).toBe(404);
    expect((await call('POST', `/api/v1/cases/${caseId}/participants/${p.id}/invitations`, analyst)).statusCode).toBe(
      403,
    );
    const resent = await call('POST', `/api/v1/cases/${caseId}/participants/${p.id}/invitations`, lead);
    expect(resent.statusCode).toBe(201);
    expect(resent.json<Json>().items).toEqual([expect.objectContaining({ email: 'psirt@newco.example' })]);
    const mail = await db.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(mail.body_text).not.toContain('Gizmo');
    const second = tokenOf(mail.body_text);
    expect(second).not.toBe(first);
    expect((await call('POST', '/api/v1/invitations/lookup', null, { token: second })).statusCode).toBe(200);
    expect(((await participant(caseId, 'Newco'))!.invitations as Json[]).map((i) => i.state).sort()).toEqual([
      'pending',
      'withdrawn',
    ]);
    const timeline = (await call('GET', `/api/v1/cases/${caseId}/timeline`, lead)).json<Json>().items as Json[];
    expect(timeline.find((e) => e.kind === 'invitations_resent')!.data).toMatchObject({ invited: 1, withdrawn: 1 });
    const audit = await db.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'case.invitations_resend')
      .execute();
    expect(audit).toHaveLength(1);

    // Once someone of Newco is on the platform, there is nothing to re-send.
    await call('POST', '/api/v1/invitations/accept', null, { token: second, name: 'Nina', password: PASSWORD });
    const refused = await call('POST', `/api/v1/cases/${caseId}/participants/${p.id}/invitations`, lead);
    expect(refused.statusCode).toBe(409);
  });

  it('re-sending needs an approved security contact', async () => {
    const caseId = await openCase();
    const p = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: newco.id, role: 'vendor' })
    ).json<Json>();
    expect((await participant(caseId, 'Newco'))!.invitations).toEqual([]);
    const res = await call('POST', `/api/v1/cases/${caseId}/participants/${p.id}/invitations`, lead);
    expect(res.statusCode).toBe(400);
    expect(res.json<Json>().error.message).toContain('no approved security contact');
  });

  it('limits a vendor to named users and changes them later, with audit; others lose access at once', async () => {
    const caseId = await openCase();
    const p = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: acme.id, role: 'vendor' })
    ).json<Json>();
    expect((await call('GET', `/api/v1/cases/${caseId}`, acme.other)).statusCode).toBe(200);

    const set = (who: Session, userIds: string[]) =>
      call('PUT', `/api/v1/cases/${caseId}/participants/${p.id}/users`, who, { userIds });
    expect((await set(acme.admin, [acme.adminId])).statusCode).toBe(403); // not before accepting the terms
    expect((await set(globex.admin, [acme.adminId])).statusCode).toBe(404); // nor see one they are not in
    expect((await set(analyst, [acme.adminId])).statusCode).toBe(403);
    const stranger = await makeUser(makeCtx(db));
    expect((await set(lead, [stranger.id])).statusCode).toBe(400);

    await db.db.deleteFrom('outbox').execute();
    const limited = await set(lead, [acme.adminId]);
    expect(limited.statusCode).toBe(200);
    expect(limited.json<Json>().allowedUserIds).toEqual([acme.adminId]);
    expect((await call('GET', `/api/v1/cases/${caseId}`, acme.other)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/cases', acme.other)).json<Json>().items).toEqual([]);
    expect((await call('GET', `/api/v1/cases/${caseId}`, acme.admin)).statusCode).toBe(200);
    expect(await db.db.selectFrom('outbox').selectAll().execute()).toEqual([]); // the admin had access already

    const widened = await set(lead, [acme.adminId, acme.otherId]);
    expect(widened.statusCode).toBe(200);
    expect((await call('GET', `/api/v1/cases/${caseId}`, acme.other)).statusCode).toBe(200);
    const notices = await db.db.selectFrom('outbox').selectAll().execute();
    expect(notices).toHaveLength(1); // the newly named user gets the content-free notice
    expect(notices[0]!.body_text).not.toContain('Gizmo');
    expect((await participant(caseId, 'ACME'))!.allowedUserIds).toEqual([acme.adminId, acme.otherId]);

    const events = (await call('GET', `/api/v1/cases/${caseId}/timeline`, lead)).json<Json>().items as Json[];
    expect(events.filter((e) => e.kind === 'participant_users_changed').map((e) => e.data.after)).toEqual([
      [acme.adminId],
      [acme.adminId, acme.otherId],
    ]);
    const audit = await db.db
      .selectFrom('audit_events')
      .select('summary')
      .where('action', '=', 'case.participant_users')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.summary)).toEqual([
      expect.objectContaining({ before: [], after: [acme.adminId] }),
      expect.objectContaining({ before: [acme.adminId], after: [acme.adminId, acme.otherId] }),
    ]);
  });

  it("lets a vendor's own admin, once in the case, limit it to named users of the vendor — and nobody else's", async () => {
    const caseId = await openCase();
    const acmeP = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: acme.id, role: 'vendor' })
    ).json<Json>();
    const globexP = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: globex.id, role: 'vendor' })
    ).json<Json>();
    for (const who of [acme.admin, globex.admin]) {
      expect((await call('POST', `/api/v1/cases/${caseId}/terms/accept`, who, { version: 1 })).statusCode).toBe(200);
    }
    const rows = (await call('GET', `/api/v1/cases/${caseId}`, acme.admin)).json<Json>().participants as Json[];
    expect(rows.find((r) => r.id === acmeP.id)).toMatchObject({ canNameUsers: true, allowedUserIds: [] });
    expect(rows.find((r) => r.id === globexP.id)).toMatchObject({ canNameUsers: false });
    expect(rows.find((r) => r.id === globexP.id)!.allowedUserIds).toBeUndefined();
    const memberRows = (await call('GET', `/api/v1/cases/${caseId}`, acme.other)).json<Json>().participants as Json[];
    expect(memberRows.find((r) => r.id === acmeP.id)).toMatchObject({ canNameUsers: false });

    const set = (who: Session, pid: string, userIds: string[]) =>
      call('PUT', `/api/v1/cases/${caseId}/participants/${pid}/users`, who, { userIds });
    expect((await set(acme.other, acmeP.id, [acme.otherId])).statusCode).toBe(403); // a member, not its admin
    expect((await set(globex.admin, acmeP.id, [])).statusCode).toBe(403); // another vendor's admin
    expect((await set(acme.admin, globexP.id, [])).statusCode).toBe(403);
    const stranger = await makeUser(makeCtx(db));
    expect((await set(acme.admin, acmeP.id, [stranger.id])).statusCode).toBe(400); // only its own members

    const limited = await set(acme.admin, acmeP.id, [acme.adminId]);
    expect(limited.statusCode).toBe(200);
    expect((await call('GET', `/api/v1/cases/${caseId}`, acme.other)).statusCode).toBe(404);
    const events = (await call('GET', `/api/v1/cases/${caseId}/timeline`, lead)).json<Json>().items as Json[];
    expect(events.find((e) => e.kind === 'participant_users_changed')).toMatchObject({
      data: { orgId: acme.id, after: [acme.adminId] },
    });
    // And opens it again to every member.
    expect((await set(acme.admin, acmeP.id, [])).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/cases/${caseId}`, acme.other)).statusCode).toBe(200);
  });

  it('removes a participant: its org gets 404 at once, the history stays, and it can be added again (terms anew)', async () => {
    const caseId = await openCase();
    const pa = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: acme.id, role: 'vendor' })
    ).json<Json>();
    const pg = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: globex.id, role: 'vendor' })
    ).json<Json>();
    for (const who of [acme.admin, globex.admin])
      await call('POST', `/api/v1/cases/${caseId}/terms/accept`, who, { version: 1 });
    const priv = (
      await call('POST', `/api/v1/cases/${caseId}/threads`, globex.admin, {
        title: 'Globex only',
        participantIds: [pg.id],
      })
    ).json<Json>();
    await call('POST', `/api/v1/cases/${caseId}/threads/${priv.id}/posts`, globex.admin, {
      body: 'Globex patch notes',
    });
    const official = ((await call('GET', `/api/v1/cases/${caseId}/threads`, lead)).json<Json>().items as Json[]).find(
      (t) => t.kind === 'official',
    )!;

    expect((await call('DELETE', `/api/v1/cases/${caseId}/participants/${pg.id}`, acme.admin)).statusCode).toBe(403);
    expect((await call('DELETE', `/api/v1/cases/${caseId}/participants/${pg.id}`, analyst)).statusCode).toBe(403);
    const removed = await call('DELETE', `/api/v1/cases/${caseId}/participants/${pg.id}`, lead);
    expect(removed.statusCode).toBe(204);

    for (const url of [
      `/api/v1/cases/${caseId}`,
      `/api/v1/cases/${caseId}/threads`,
      `/api/v1/cases/${caseId}/statuses`,
      `/api/v1/cases/${caseId}/threads/${priv.id}/posts`,
      `/api/v1/cases/${caseId}/threads/${official.id}/posts`,
    ]) {
      expect((await call('GET', url, globex.admin)).statusCode, url).toBe(404);
    }
    expect((await call('GET', '/api/v1/cases', globex.admin)).json<Json>().items).toEqual([]);
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/threads/${priv.id}/posts`, globex.admin, { body: 'still here?' }))
        .statusCode,
    ).toBe(404);
    // No more notifications either.
    await db.db.deleteFrom('outbox').execute();
    await call('POST', `/api/v1/cases/${caseId}/threads/${official.id}/posts`, lead, { body: 'Embargo moved' });
    await deliverNotifications(db); // the post's notification job decides its recipients when it runs
    const globexEmail = (await call('GET', '/api/v1/me', globex.admin)).json<Json>().user.email as string;
    const to = (await db.db.selectFrom('outbox').select('to_address').execute()).map((m) => m.to_address);
    expect(to).not.toContain(globexEmail);
    expect(to.length).toBeGreaterThan(0);

    // The history stays: staff see the removed participant and its posts; ACME no longer sees it listed.
    expect(await participant(caseId, 'Globex')).toMatchObject({ removedAt: expect.any(String) });
    expect(await participant(caseId, 'Globex', acme.admin)).toBeUndefined();
    expect(
      ((await call('GET', `/api/v1/cases/${caseId}/threads/${priv.id}/posts`, lead)).json<Json>().items as Json[]).map(
        (p) => p.body,
      ),
    ).toEqual(['Globex patch notes']);
    const timeline = (await call('GET', `/api/v1/cases/${caseId}/timeline`, lead)).json<Json>().items as Json[];
    expect(timeline.find((e) => e.kind === 'participant_removed')).toMatchObject({
      participantId: pg.id,
      data: expect.objectContaining({ orgName: 'Globex' }),
    });
    expect(
      await db.db.selectFrom('audit_events').select('id').where('action', '=', 'case.participant_remove').execute(),
    ).toHaveLength(1);
    // Gone is gone: no second removal, no moves on its behalf.
    expect((await call('DELETE', `/api/v1/cases/${caseId}/participants/${pg.id}`, lead)).statusCode).toBe(404);
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/participants/${pg.id}/rm`, lead, { event: 'receive' })).statusCode,
    ).toBe(404);
    expect((await call('GET', `/api/v1/cases/${caseId}`, acme.admin)).statusCode).toBe(200);
    expect(pa.id).not.toBe(pg.id);

    // Added again: the same participation returns, and the terms must be accepted anew.
    const again = await call('POST', `/api/v1/cases/${caseId}/participants`, lead, {
      orgId: globex.id,
      role: 'vendor',
    });
    expect(again.statusCode).toBe(201);
    expect(again.json<Json>().id).toBe(pg.id);
    expect((await call('GET', `/api/v1/cases/${caseId}`, globex.admin)).json<Json>().access).toBe('terms_only');
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: globex.id, role: 'vendor' }))
        .statusCode,
    ).toBe(409);
  });
});

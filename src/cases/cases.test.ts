import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import {
  addMember,
  makeApp,
  makeCtx,
  makeOrg,
  makeUser,
  signIn,
  userSession,
  type Session,
} from '../../tests/support/factories.ts';
import { deliverNotifications } from '../../tests/support/notifications.ts';
import { sampleReport } from '../../tests/support/reports.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('multi-party cases over HTTP', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let lead: Session;
  let analyst: Session;
  let acme: { id: string; admin: Session; other: Session; otherId: string };
  let globex: { id: string; admin: Session };
  let stranger: Session;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    app = await makeApp(db);
    const ctx = makeCtx(db);
    lead = (await userSession(app, ctx, 'coordinator')).session;
    analyst = (await userSession(app, ctx, 'analyst')).session;
    const acmeOrg = await makeOrg(ctx, { name: 'ACME' });
    const globexOrg = await makeOrg(ctx, { name: 'Globex' });
    const initech = await makeOrg(ctx, { name: 'Initech' });
    const member = async (orgId: string, role = 'member') => {
      const u = await makeUser(ctx);
      await addMember(ctx, orgId, u.id, role);
      return { user: u, session: await signIn(app, u.email) };
    };
    const acmeAdmin = await member(acmeOrg.id, 'org_admin');
    const acmeOther = await member(acmeOrg.id);
    acme = { id: acmeOrg.id, admin: acmeAdmin.session, other: acmeOther.session, otherId: acmeOther.user.id };
    globex = { id: globexOrg.id, admin: (await member(globexOrg.id, 'org_admin')).session };
    stranger = (await member(initech.id, 'org_admin')).session;
    return () => app.close();
  });

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });

  /** A case with a vulnerability and two vendors (ACME limited to its admin). */
  async function setUp() {
    const created = await call('POST', '/api/v1/cases', lead, {
      title: 'Stored XSS in the Helpdesk family',
      summary: 'Embargoed details: **SVG onload** in comments.',
    });
    expect(created.statusCode).toBe(201);
    const c = created.json<Json>();
    const v = await call('POST', `/api/v1/cases/${c.caseId}/vulnerabilities`, lead, {
      title: 'XSS in comments',
      cwe: 'CWE-79',
      cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N',
      cveId: 'CVE-2026-10001',
    });
    expect(v.statusCode).toBe(201);
    const me = (await call('GET', '/api/v1/me', acme.admin)).json<Json>().user.id as string;
    const pa = await call('POST', `/api/v1/cases/${c.caseId}/participants`, lead, {
      orgId: acme.id,
      role: 'vendor',
      allowedUserIds: [me],
    });
    expect(pa.statusCode).toBe(201);
    const pg = await call('POST', `/api/v1/cases/${c.caseId}/participants`, lead, { orgId: globex.id, role: 'vendor' });
    return {
      caseId: c.caseId as string,
      vulnId: v.json<Json>().id as string,
      acmeP: pa.json<Json>().id as string,
      globexP: pg.json<Json>().id as string,
    };
  }

  it('opens a case, invites vendors with a content-free notice, and shows each participant its Vultron states', async () => {
    const { caseId } = await setUp();
    expect(caseId).toMatch(/^CASE-\d{4}-0001$/);
    const mails = await db.db.selectFrom('outbox').selectAll().where('subject', 'like', `[${caseId}]%`).execute();
    expect(mails.length).toBe(2); // ACME's admin only (limited), Globex's admin
    for (const m of mails) {
      expect(m.body_text).not.toContain('XSS');
      expect(m.body_text).not.toContain('Helpdesk');
    }
    const view = (await call('GET', `/api/v1/cases/${caseId}`, analyst)).json<Json>();
    expect(view.access).toBe('staff');
    expect(view.participants.map((p: Json) => [p.name, p.role, p.rmState, p.caseState])).toEqual([
      ['ACME', 'vendor', 'S', 'vfdpxa'],
      ['Globex', 'vendor', 'S', 'vfdpxa'],
    ]);
  });

  it('before accepting the terms a vendor sees only the id, lead and terms; acceptance is recorded', async () => {
    const { caseId } = await setUp();
    const before = await call('GET', `/api/v1/cases/${caseId}`, globex.admin);
    expect(before.statusCode).toBe(200);
    const minimal = before.json<Json>();
    expect(minimal).toMatchObject({ caseId, access: 'terms_only', terms: { version: 1 } });
    expect(minimal.title).toBeUndefined();
    expect(before.body).not.toContain('SVG onload');
    expect(before.body).not.toContain('CVE-2026-10001');
    expect((await call('GET', `/api/v1/cases/${caseId}/statuses`, globex.admin)).statusCode).toBe(403);
    // The list names the case but not its title, and says what to do.
    expect((await call('GET', '/api/v1/cases', globex.admin)).json<Json>().items[0]).toMatchObject({
      caseId,
      title: null,
      termsAccepted: false,
      needsAction: 'accept_terms',
    });

    expect((await call('POST', `/api/v1/cases/${caseId}/terms/accept`, globex.admin, { version: 2 })).statusCode).toBe(
      409,
    );
    const accepted = await call('POST', `/api/v1/cases/${caseId}/terms/accept`, globex.admin, { version: 1 });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json<Json>()).toMatchObject({ access: 'participant', title: 'Stored XSS in the Helpdesk family' });
    const timeline = (await call('GET', `/api/v1/cases/${caseId}/timeline`, lead)).json<Json>();
    expect(timeline.items.find((e: Json) => e.kind === 'terms_accepted').data).toMatchObject({
      version: 1,
      orgId: globex.id,
    });
    // Participants do not read the staff timeline.
    expect((await call('GET', `/api/v1/cases/${caseId}/timeline`, globex.admin)).statusCode).toBe(403);
    expect((await call('GET', `/api/v1/cases/${caseId}/timeline?format=csv`, globex.admin)).statusCode).toBe(403);

    // The export: one CSV row per event, in order, with a header, as a download.
    const csv = await call('GET', `/api/v1/cases/${caseId}/timeline?format=csv`, lead);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="[^"]+-timeline\.csv"$/);
    const lines = csv.body.trimEnd().split('\n');
    expect(lines[0]).toBe('time,event,actor,participant_id,data');
    expect(lines).toHaveLength(timeline.items.length + 1);
    expect(lines.findIndex((l) => l.includes(',terms_accepted,'))).toBe(
      timeline.items.findIndex((e: Json) => e.kind === 'terms_accepted') + 1,
    );
    expect((await call('GET', `/api/v1/cases/${caseId}/timeline?format=xml`, lead)).statusCode).toBe(400);
  });

  it('hides a case from uninvited orgs and from users the vendor access is not granted to (404)', async () => {
    const { caseId } = await setUp();
    expect((await call('GET', `/api/v1/cases/${caseId}`, stranger)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/cases/${caseId}`, acme.other)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/cases/${caseId}`, null)).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/cases', stranger)).json<Json>().items).toEqual([]);
    expect((await call('GET', '/api/v1/cases', acme.other)).json<Json>().items).toEqual([]);
    expect((await call('GET', '/api/v1/cases', acme.admin)).json<Json>().items.map((c: Json) => c.caseId)).toEqual([
      caseId,
    ]);
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/participants`, acme.admin, { orgId: globex.id, role: 'vendor' }))
        .statusCode,
    ).toBe(403);
  });

  it('vendors state per product; not affected needs a justification; others see it only when sharing is allowed', async () => {
    const { caseId, vulnId, acmeP, globexP } = await setUp();
    for (const who of [acme.admin, globex.admin])
      await call('POST', `/api/v1/cases/${caseId}/terms/accept`, who, { version: 1 });
    const put = (who: Session, body: object) => call('PUT', `/api/v1/cases/${caseId}/statuses`, who, body);
    const bad = await put(acme.admin, {
      participantId: acmeP,
      vulnerabilityId: vulnId,
      product: 'Helpdesk',
      status: 'not_affected',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<Json>().error.details.problems[0].field).toBe('justification');
    expect(
      (
        await put(acme.admin, {
          participantId: acmeP,
          vulnerabilityId: vulnId,
          product: 'Helpdesk',
          status: 'not_affected',
          justification: 'vulnerable_code_not_present',
        })
      ).statusCode,
    ).toBe(200);
    // ACME may not speak for Globex.
    expect(
      (
        await put(acme.admin, {
          participantId: globexP,
          vulnerabilityId: vulnId,
          product: 'X',
          status: 'affected',
          statement: 'y',
        })
      ).statusCode,
    ).toBe(403);

    const asGlobex = (await call('GET', `/api/v1/cases/${caseId}/statuses`, globex.admin)).json<Json>();
    expect(asGlobex.vendors.find((v: Json) => v.name === 'ACME').cells).toEqual([]); // not shared
    // Not even whether ACME answered: that too is case information.
    expect(asGlobex.vendors.find((v: Json) => v.name === 'ACME').silent).toBeNull();
    expect(asGlobex.vendors.find((v: Json) => v.name === 'Globex').silent).toBe(true);
    // Nor ACME's progress (RM and V/F/D states, terms accepted): only the lead and staff see it.
    expect(asGlobex.vendors.find((v: Json) => v.name === 'ACME')).toMatchObject({ rmState: null, caseState: null });
    expect(asGlobex.vendors.find((v: Json) => v.name === 'Globex').rmState).not.toBeNull();
    const pageAsGlobex = (await call('GET', `/api/v1/cases/${caseId}`, globex.admin)).json<Json>();
    expect(pageAsGlobex.participants.find((p: Json) => p.name === 'ACME')).toMatchObject({
      rmState: null,
      rmStateLabel: null,
      caseState: null,
      termsAccepted: null,
      termsAcceptedAt: null,
    });
    expect(pageAsGlobex.participants.find((p: Json) => p.name === 'Globex')).toMatchObject({ termsAccepted: true });
    const pageAsLead = (await call('GET', `/api/v1/cases/${caseId}`, lead)).json<Json>();
    expect(pageAsLead.participants.find((p: Json) => p.name === 'ACME')).toMatchObject({ termsAccepted: true });
    expect(pageAsLead.participants.find((p: Json) => p.name === 'ACME').rmState).not.toBeNull();
    await put(acme.admin, {
      participantId: acmeP,
      vulnerabilityId: vulnId,
      product: 'Helpdesk',
      status: 'not_affected',
      justification: 'vulnerable_code_not_present',
      mayShare: true,
    });
    const shared = (await call('GET', `/api/v1/cases/${caseId}/statuses`, globex.admin)).json<Json>();
    expect(shared.vendors.find((v: Json) => v.name === 'ACME').cells[0]).toMatchObject({
      status: 'not_affected',
      approved: false,
    });
    const matrix = (await call('GET', `/api/v1/cases/${caseId}/statuses`, lead)).json<Json>();
    expect(matrix.vendors.map((v: Json) => [v.name, v.silent])).toEqual([
      ['ACME', false],
      ['Globex', true],
    ]);
    const history = await db.db.selectFrom('vendor_status_history').select('status').execute();
    expect(history).toHaveLength(2);
  });

  it('follows Vultron: RM and V/F/D per vendor, P/X/A for the case with forced follow-ups; illegal moves 409', async () => {
    const { caseId, acmeP, globexP } = await setUp();
    await call('POST', `/api/v1/cases/${caseId}/terms/accept`, acme.admin, { version: 1 });
    const rm = (who: Session, p: string, event: string) =>
      call('POST', `/api/v1/cases/${caseId}/participants/${p}/rm`, who, { event });
    const before = (await call('GET', `/api/v1/cases/${caseId}`, acme.admin)).json<Json>();
    expect(before.participants.find((p: Json) => p.id === acmeP)).toMatchObject({
      allowedRmEvents: ['receive'],
      allowedCaseEvents: ['V'],
    });
    expect(before.participants.find((p: Json) => p.id === globexP)).toMatchObject({
      allowedRmEvents: [],
      allowedCaseEvents: [],
    });
    expect(before.allowedCaseEvents).toEqual([]); // P/X/A belong to the lead
    expect((await rm(acme.admin, acmeP, 'receive')).json<Json>()).toMatchObject({ rmState: 'R' });
    const illegal = await rm(acme.admin, acmeP, 'close');
    expect(illegal.statusCode).toBe(409);
    expect(illegal.json<Json>().error.message).toContain('RM:');
    expect((await rm(acme.admin, globexP, 'receive')).statusCode).toBe(403); // not its own
    expect((await rm(lead, globexP, 'receive')).statusCode).toBe(200); // the lead records it

    const cs = (who: Session, body: object) => call('POST', `/api/v1/cases/${caseId}/state`, who, body);
    expect((await cs(acme.admin, { event: 'V', participantId: acmeP })).statusCode).toBe(200);
    const early = await cs(acme.admin, { event: 'D', participantId: acmeP });
    expect(early.statusCode).toBe(409);
    expect((await cs(acme.admin, { event: 'F', participantId: acmeP })).statusCode).toBe(200);
    expect((await cs(acme.admin, { event: 'X' })).statusCode).toBe(403); // case-wide events belong to the lead
    const exploited = (await cs(lead, { event: 'X' })).json<Json>();
    // An exploit made public makes the case public, and a public case makes every vendor aware.
    expect(exploited.pxaState).toBe('PXa');
    expect(exploited.participants.map((p: Json) => p.caseState)).toEqual(['VFdPXa', 'VfdPXa']);
    expect((await cs(lead, { event: 'P' })).statusCode).toBe(409); // already public
  });

  it('opens a case only from accepted reports, bringing the finder in; a vendor can ask for coordination', async () => {
    const report = (await call('POST', '/api/v1/reports', null, sampleReport())).json<Json>().report;
    const refused = await call('POST', '/api/v1/cases', lead, {
      title: 'From a report',
      reportIds: [report.trackingId],
    });
    expect(refused.statusCode).toBe(409);
    await call('POST', `/api/v1/reports/${report.trackingId}/transitions`, lead, { event: 'validate' });
    await call('POST', `/api/v1/reports/${report.trackingId}/transitions`, lead, { event: 'accept' });
    const ok = await call('POST', '/api/v1/cases', lead, { title: 'From a report', reportIds: [report.trackingId] });
    expect(ok.statusCode).toBe(201);
    expect(ok.json<Json>().participants).toEqual([expect.objectContaining({ role: 'finder', rmState: 'A' })]);

    const requested = await call('POST', '/api/v1/cases/request', globex.admin, {
      orgId: globex.id,
      title: 'Please coordinate our bug',
    });
    expect(requested.statusCode).toBe(201);
    expect(requested.json<Json>()).toMatchObject({
      access: 'participant',
      participants: [expect.objectContaining({ name: 'Globex', mine: true })],
    });
    expect(
      (await call('POST', '/api/v1/cases/request', globex.admin, { orgId: acme.id, title: 'For someone else' }))
        .statusCode,
    ).toBe(400);
    expect((await call('POST', '/api/v1/cases', globex.admin, { title: 'Not staff' })).statusCode).toBe(403);
  });

  it('scopes threads and posts: private threads, TLP:AMBER+STRICT and TLP:RED reach only their audience', async () => {
    const { caseId, acmeP, globexP } = await setUp();
    for (const who of [acme.admin, globex.admin])
      await call('POST', `/api/v1/cases/${caseId}/terms/accept`, who, { version: 1 });
    const threads = async (who: Session) =>
      (await call('GET', `/api/v1/cases/${caseId}/threads`, who)).json<Json>().items as Json[];
    const official = (await threads(lead)).find((t) => t.kind === 'official')!;
    const discussion = (await threads(lead)).find((t) => t.kind === 'discussion')!;
    const post = (who: Session, threadId: string, body: object) =>
      call('POST', `/api/v1/cases/${caseId}/threads/${threadId}/posts`, who, body);
    const read = async (who: Session, threadId: string) => {
      const res = await call('GET', `/api/v1/cases/${caseId}/threads/${threadId}/posts`, who);
      return {
        status: res.statusCode,
        bodies: res.statusCode === 200 ? (res.json<Json>().items as Json[]).map((p) => p.body) : [],
      };
    };

    expect((await post(lead, official.id, { body: 'Embargo proposed for 2027-01-12', tlp: 'AMBER' })).statusCode).toBe(
      201,
    );
    expect((await post(acme.admin, official.id, { body: 'vendors cannot write here' })).statusCode).toBe(403);
    expect((await read(globex.admin, official.id)).bodies).toEqual(['Embargo proposed for 2027-01-12']);

    // A private thread between ACME and the coordinators.
    const priv = await call('POST', `/api/v1/cases/${caseId}/threads`, acme.admin, {
      title: 'ACME only',
      participantIds: [acmeP],
    });
    expect(priv.statusCode).toBe(201);
    const privId = priv.json<Json>().id as string;
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/threads`, acme.admin, { title: 'x', participantIds: [globexP] }))
        .statusCode,
    ).toBe(403);
    await post(acme.admin, privId, { body: 'Our patch is in QA' });
    expect((await read(lead, privId)).bodies).toEqual(['Our patch is in QA']);
    expect((await read(globex.admin, privId)).status).toBe(404);
    expect((await threads(globex.admin)).map((t) => t.title)).not.toContain('ACME only');

    // AMBER+STRICT to ACME: ACME and the author's org (the coordinators) only.
    expect(
      (await post(lead, discussion.id, { body: 'ACME-only detail', tlp: 'AMBER+STRICT', recipientOrgId: acme.id }))
        .statusCode,
    ).toBe(201);
    const globexAdminId = (await call('GET', '/api/v1/me', globex.admin)).json<Json>().user.id as string;
    const outsiderId = (await call('GET', '/api/v1/me', stranger)).json<Json>().user.id as string;
    expect(
      (await post(lead, discussion.id, { body: 'x', tlp: 'RED', recipientUserIds: [outsiderId] })).statusCode,
    ).toBe(400);
    expect(
      (await post(lead, discussion.id, { body: 'RED for Globex admin', tlp: 'RED', recipientUserIds: [globexAdminId] }))
        .statusCode,
    ).toBe(201);
    expect((await post(acme.admin, discussion.id, { body: 'missing org', tlp: 'AMBER+STRICT' })).statusCode).toBe(400);
    expect((await read(acme.admin, discussion.id)).bodies).toEqual(['ACME-only detail']);
    expect((await read(globex.admin, discussion.id)).bodies).toEqual(['RED for Globex admin']);
    expect((await read(lead, discussion.id)).bodies).toEqual(['ACME-only detail', 'RED for Globex admin']);
    expect((await read(analyst, discussion.id)).bodies).toEqual(['ACME-only detail']); // RED: named people only

    // Edits keep history; only the author edits.
    const mine =
      (await read(acme.admin, privId)).status === 200
        ? ((await call('GET', `/api/v1/cases/${caseId}/threads/${privId}/posts`, acme.admin)).json<Json>().items[0]
            .id as string)
        : '';
    expect((await call('PATCH', `/api/v1/cases/${caseId}/posts/${mine}`, lead, { body: 'not mine' })).statusCode).toBe(
      403,
    );
    const edited = await call('PATCH', `/api/v1/cases/${caseId}/posts/${mine}`, acme.admin, {
      body: 'Our patch passed QA',
    });
    expect(edited.json<Json>()).toMatchObject({
      body: 'Our patch passed QA',
      revisions: [{ body: 'Our patch is in QA' }],
    });
    // The timeline records posts without their text.
    const timeline = JSON.stringify((await call('GET', `/api/v1/cases/${caseId}/timeline`, lead)).json<Json>());
    expect(timeline).not.toContain('ACME-only detail');
  });

  it('notifies official posts encrypted to recipients with a key (signed by the instance), others by a content-free notice', async () => {
    const { caseId } = await setUp();
    for (const who of [acme.admin, globex.admin])
      await call('POST', `/api/v1/cases/${caseId}/terms/accept`, who, { version: 1 });
    const openpgp = await import('openpgp');
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: 'acme-admin@example.org' }],
      format: 'armored',
    });
    expect((await call('PATCH', '/api/v1/me', acme.admin, { pgpPublicKey: publicKey })).statusCode).toBe(200);
    const official = ((await call('GET', `/api/v1/cases/${caseId}/threads`, lead)).json<Json>().items as Json[]).find(
      (t) => t.kind === 'official',
    )!;
    // The instance key exists from the first start on; here the first request creates it.
    const instanceKey = (await call('GET', '/api/v1/instance-key', null)).json<Json>().publicKey as string;
    await deliverNotifications(db);
    await db.db.deleteFrom('outbox').execute();
    const posted = await call('POST', `/api/v1/cases/${caseId}/threads/${official.id}/posts`, lead, {
      body: 'The fix ships in 4.2.1 on 2027-01-12',
      tlp: 'AMBER',
    });
    expect(posted.statusCode).toBe(201);
    expect(await deliverNotifications(db)).toBe(1); // the post's notification job composes and encrypts
    const acmeEmail = (await call('GET', '/api/v1/me', acme.admin)).json<Json>().user.email as string;
    const mails = await db.db.selectFrom('outbox').selectAll().execute();
    const toAcme = mails.find((m) => m.to_address === acmeEmail)!;
    expect(toAcme.body_text).toContain('-----BEGIN PGP MESSAGE-----');
    expect(toAcme.body_text).not.toContain('4.2.1');
    const opened = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: toAcme.body_text }),
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: privateKey }),
      verificationKeys: await openpgp.readKey({ armoredKey: instanceKey }),
      expectSigned: true,
    });
    expect(opened.data).toContain('The fix ships in 4.2.1 on 2027-01-12');
    const others = mails.filter((m) => m.to_address !== acmeEmail);
    expect(others.length).toBeGreaterThan(0);
    for (const m of others) {
      expect(m.body_text).not.toContain('4.2.1');
      expect(m.body_text).toContain(`/cases/${caseId}`);
    }
  });
});

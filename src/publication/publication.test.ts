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
  testConfig,
  userSession,
  type Session,
} from '../../tests/support/factories.ts';
import { sampleReport } from '../../tests/support/reports.ts';
import { inTransaction } from '../app/context.ts';
import { startWorker } from '../jobs/worker.ts';
import { onEmbargoChanged } from './commands.ts';
import { publicationJobHandlers } from './jobs.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const config = testConfig({ ACCORD_RATE_LIMIT_PUBLIC: '100000' });

/**
 * The release over HTTP: the plan, readiness and checklist, staff approval of statements, the
 * two-person rule, scheduled publication from the embargo hook, the public pages, feed and sitemap,
 * and subscriptions with double opt-in and a signed advisory mail.
 */
describe('the coordinated release', { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let lead: Session;
  let leadId: string;
  let second: Session;
  let acme: { id: string; admin: Session };
  let globex: { id: string; admin: Session };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    app = await makeApp(db, { config });
    const ctx = makeCtx(db, { config });
    const l = await userSession(app, ctx, 'coordinator');
    lead = l.session;
    leadId = l.user.id;
    second = (await userSession(app, ctx, 'coordinator')).session;
    const member = async (orgId: string) => {
      const u = await makeUser(ctx);
      await addMember(ctx, orgId, u.id, 'org_admin');
      return signIn(app, u.email);
    };
    const acmeOrg = await makeOrg(ctx, { name: 'ACME' });
    acme = { id: acmeOrg.id, admin: await member(acmeOrg.id) };
    const globexOrg = await makeOrg(ctx, { name: 'Globex' });
    globex = { id: globexOrg.id, admin: await member(globexOrg.id) };
    return () => app.close();
  });

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });

  async function setUp() {
    const submitted = await call('POST', '/api/v1/reports', null, sampleReport());
    const { report } = submitted.json<Json>();
    for (const event of ['validate', 'accept'])
      await call('POST', `/api/v1/reports/${report.trackingId}/transitions`, lead, { event });
    const opened = await call('POST', '/api/v1/cases', lead, {
      title: 'Stored XSS in Helpdesk',
      summary: 'Internal: the comment renderer',
      reportIds: [report.trackingId],
    });
    expect(opened.statusCode).toBe(201);
    const caseId = opened.json<Json>().caseId as string;
    await call('PUT', `/api/v1/cases/${caseId}/public-summary`, lead, { publicSummary: 'A comment can run script.' });
    const vuln = (
      await call('POST', `/api/v1/cases/${caseId}/vulnerabilities`, lead, {
        title: 'Comment XSS',
        cveId: 'CVE-2026-30001',
        cwe: 'CWE-79',
        cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N',
      })
    ).json<Json>();
    const pa = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: acme.id, role: 'vendor' })
    ).json<Json>();
    const pg = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: globex.id, role: 'vendor' })
    ).json<Json>();
    for (const who of [acme.admin, globex.admin])
      await call('POST', `/api/v1/cases/${caseId}/terms/accept`, who, { version: 1 });
    return { caseId, vulnId: vuln.id as string, acmeP: pa.id as string, globexP: pg.id as string };
  }

  async function statement(caseId: string, who: Session, participantId: string, vulnId: string, extra: Json) {
    const res = await call('PUT', `/api/v1/cases/${caseId}/statuses`, who, {
      participantId,
      vulnerabilityId: vulnId,
      product: 'Helpdesk',
      status: 'fixed',
      fixedVersions: '4.2.1',
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Json>().id as string;
  }

  const release = async (caseId: string, who: Session) =>
    (await call('GET', `/api/v1/cases/${caseId}/release`, who)).json<Json>();

  async function embargo(caseId: string, change: Parameters<typeof onEmbargoChanged>[3]) {
    const ctx = makeCtx(db, { config });
    await inTransaction(ctx, (tx) => onEmbargoChanged(tx, ctx, caseId, change));
  }

  it('keeps a plan: staff set the time, participants their own readiness, the lead ticks the checklist', async () => {
    const { caseId, acmeP, globexP } = await setUp();
    const plan = await release(caseId, lead);
    expect(plan).toMatchObject({ publishAt: null, embargo: { state: 'none' }, published: null });
    expect(plan.checklist.map((i: Json) => i.key)).toContain('statements_approved');

    const future = new Date(Date.now() + 3 * 86400_000).toISOString();
    const set = await call('PATCH', `/api/v1/cases/${caseId}/release`, lead, { publishAt: future, notes: 'Go at 9' });
    expect(set.statusCode).toBe(200);
    expect(set.json<Json>()).toMatchObject({ publishAt: future, notes: 'Go at 9' });
    // A past time is refused with a message that says what to do.
    const past = await call('PATCH', `/api/v1/cases/${caseId}/release`, lead, { publishAt: '2020-01-01T00:00:00Z' });
    expect(past.statusCode).toBe(400);
    expect(past.json<Json>().error.message).toMatch(/past/);
    // Vendors may not move the date.
    expect((await call('PATCH', `/api/v1/cases/${caseId}/release`, acme.admin, { publishAt: future })).statusCode).toBe(
      403,
    );

    // ACME sets its own readiness, not Globex's; it sees only its own row and no notes.
    const own = await call('PUT', `/api/v1/cases/${caseId}/release/readiness/${acmeP}`, acme.admin, {
      advisoryReady: true,
      fixAvailable: true,
    });
    expect(own.statusCode).toBe(200);
    expect(own.json<Json>().readiness).toEqual([
      expect.objectContaining({ participantId: acmeP, advisoryReady: true, fixAvailable: true, mine: true }),
    ]);
    expect(own.json<Json>().notes).toBeNull();
    expect(
      (await call('PUT', `/api/v1/cases/${caseId}/release/readiness/${globexP}`, acme.admin, { fixAvailable: true }))
        .statusCode,
    ).toBe(403);
    const staffView = await release(caseId, lead);
    expect(staffView.readiness.map((r: Json) => [r.name, r.fixAvailable])).toEqual(
      expect.arrayContaining([
        ['ACME', true],
        ['Globex', false],
      ]),
    );

    const added = await call('POST', `/api/v1/cases/${caseId}/release/checklist`, lead, { label: 'Tell the press' });
    const item = added.json<Json>().checklist.find((i: Json) => i.label === 'Tell the press');
    const ticked = await call('PATCH', `/api/v1/cases/${caseId}/release/checklist/${item.id}`, lead, { done: true });
    expect(ticked.json<Json>().checklist.find((i: Json) => i.id === item.id)).toMatchObject({ done: true });
    expect(
      (await call('PATCH', `/api/v1/cases/${caseId}/release/checklist/${item.id}`, acme.admin, { done: false }))
        .statusCode,
    ).toBe(403);

    const timeline = (await call('GET', `/api/v1/cases/${caseId}/timeline`, lead)).json<Json>();
    const kinds = timeline.items.map((e: Json) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['release_planned', 'release_readiness', 'release_checklist']));
  });

  it('publishing early needs two different staff members; the landing page shows approved statements only', async () => {
    const { caseId, vulnId, acmeP, globexP } = await setUp();
    const approvedId = await statement(caseId, acme.admin, acmeP, vulnId, {
      statement: 'Update to 4.2.1.',
      fixedVersions: '4.2.1',
      references: ['https://acme.example/sa-1'],
    });
    await statement(caseId, globex.admin, globexP, vulnId, { statement: 'Globex draft wording <b>x</b>' });
    const approve = await call('PUT', `/api/v1/cases/${caseId}/release/statements/${approvedId}/approval`, lead, {
      approved: true,
    });
    expect(approve.statusCode).toBe(200);
    expect(
      (
        await call('PUT', `/api/v1/cases/${caseId}/release/statements/${approvedId}/approval`, acme.admin, {
          approved: true,
        })
      ).statusCode,
    ).toBe(403);

    expect((await call('POST', `/api/v1/cases/${caseId}/release/publish-confirm`, lead)).statusCode).toBe(409);
    const asked = await call('POST', `/api/v1/cases/${caseId}/release/publish-request`, lead, {
      reason: 'exploit seen in the wild',
    });
    expect(asked.statusCode).toBe(200);
    expect(asked.json<Json>().abilities).toMatchObject({ confirmEarly: false });
    // The one who asked cannot confirm; a vendor cannot either.
    const self = await call('POST', `/api/v1/cases/${caseId}/release/publish-confirm`, lead);
    expect(self.statusCode).toBe(403);
    expect(self.json<Json>().error.message).toMatch(/another staff member/);
    expect((await call('POST', `/api/v1/cases/${caseId}/release/publish-confirm`, acme.admin)).statusCode).toBe(403);
    expect((await call('GET', `/advisories/${caseId}`, null)).statusCode).toBe(404);

    expect((await release(caseId, second)).abilities).toMatchObject({ confirmEarly: true });
    const confirmed = await call('POST', `/api/v1/cases/${caseId}/release/publish-confirm`, second);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json<Json>().published).toMatchObject({ via: 'two_person', url: `/advisories/${caseId}` });
    expect((await call('POST', `/api/v1/cases/${caseId}/release/publish-confirm`, second)).statusCode).toBe(409);

    const page = await call('GET', `/advisories/${caseId}`, null);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.body).toContain('Stored XSS in Helpdesk');
    expect(page.body).toContain('A comment can run script.');
    expect(page.body).toContain('CVE-2026-30001');
    expect(page.body).toContain('CWE-79');
    expect(page.body).toContain('CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N');
    expect(page.body).toContain('Update to 4.2.1.');
    expect(page.body).toContain('<a href="https://acme.example/sa-1"');
    expect(page.body).not.toContain('href="javascript:');
    expect(page.body).toContain('@finder42'); // the finder's credit choice
    expect(page.body).not.toContain('Globex draft wording');
    expect(page.body).not.toContain('Internal: the comment renderer');
    expect(page.body).not.toContain('<script');

    const audit = await db.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'release.publish')
      .execute();
    expect(audit.length).toBe(1);
    const events = (await call('GET', `/api/v1/cases/${caseId}/timeline`, lead)).json<Json>().items as Json[];
    expect(events.filter((e) => e.kind === 'published').length).toBe(1);
    // Published is public (Vultron CP): the case moves to P for every vendor at once, in the timeline.
    expect((await call('GET', `/api/v1/cases/${caseId}`, lead)).json<Json>().pxaState).toBe('Pxa');
    expect(events.filter((e) => e.kind === 'cs_event').map((e) => e.data.event)).toEqual(['P']);
    expect(leadId).toBeTruthy();
  });

  it('the embargo schedules the publication; the job publishes at the end, and the index, feed and sitemap list it', async () => {
    const { caseId, vulnId, acmeP } = await setUp();
    const sid = await statement(caseId, acme.admin, acmeP, vulnId, { statement: 'Fixed in 4.2.1.' });
    await call('PUT', `/api/v1/cases/${caseId}/release/statements/${sid}/approval`, lead, { approved: true });
    const endsAt = new Date(Date.now() + 4000);
    await embargo(caseId, { kind: 'active', endsAt });
    const plan = await release(caseId, lead);
    expect(plan).toMatchObject({ publishAt: endsAt.toISOString(), embargo: { state: 'active' } });
    // Before the end a staff member may not move the date earlier than the embargo.
    const early = await call('PATCH', `/api/v1/cases/${caseId}/release`, lead, {
      publishAt: new Date(Date.now() + 100).toISOString(),
    });
    expect(early.statusCode).toBe(400);

    const worker = startWorker(makeCtx(db, { config }), publicationJobHandlers, 0);
    await worker.drain();
    expect((await release(caseId, lead)).published).toBeNull();
    await new Promise((r) => setTimeout(r, Math.max(0, endsAt.getTime() - Date.now() + 50)));
    await worker.drain();
    await worker.stop();
    expect((await release(caseId, lead)).published).toMatchObject({ via: 'schedule' });

    const index = await call('GET', '/advisories', null);
    expect(index.body).toContain(`href="/advisories/${caseId}"`);
    expect((await call('GET', '/advisories?vendor=ACME', null)).body).toContain(caseId);
    expect((await call('GET', '/advisories?vendor=Globex', null)).body).not.toContain(`/advisories/${caseId}`);
    expect((await call('GET', '/advisories?product=helpdesk', null)).body).toContain(caseId);
    expect((await call('GET', '/advisories?q=CVE-2026-30001', null)).body).toContain(caseId);
    expect((await call('GET', '/advisories?q=nothing-like-this', null)).body).not.toContain(`/advisories/${caseId}`);
    const feed = await call('GET', '/advisories/feed.atom', null);
    expect(feed.headers['content-type']).toMatch(/application\/atom\+xml/);
    expect(feed.body).toContain(`<id>http://127.0.0.1:8080/advisories/${caseId}</id>`);
    const map = await call('GET', '/sitemap.xml', null);
    expect(map.body).toContain(`<loc>http://127.0.0.1:8080/advisories/${caseId}</loc>`);
  });

  it('a pulled cord opens the checklist and makes the publication due at once', async () => {
    const { caseId } = await setUp();
    await embargo(caseId, { kind: 'active', endsAt: new Date(Date.now() + 30 * 86400_000) });
    const at = new Date(Date.now() - 10);
    await embargo(caseId, { kind: 'exited', at, reason: 'cord' });
    const plan = await release(caseId, lead);
    expect(plan).toMatchObject({
      checklistOpen: true,
      embargo: { state: 'exited', exitReason: 'cord' },
      publishAt: at.toISOString(),
    });
    const worker = startWorker(makeCtx(db, { config }), publicationJobHandlers, 0);
    await worker.drain();
    await worker.stop();
    expect((await release(caseId, lead)).published).toMatchObject({ via: 'schedule' });
    expect((await call('GET', `/advisories/${caseId}`, null)).statusCode).toBe(200);
  });

  it('subscriptions: double opt-in, one signed advisory mail per subscriber, unsubscribe link', async () => {
    const { caseId, vulnId, acmeP } = await setUp();
    const sid = await statement(caseId, acme.admin, acmeP, vulnId, { statement: 'Fixed.' });
    await call('PUT', `/api/v1/cases/${caseId}/release/statements/${sid}/approval`, lead, { approved: true });
    const form = (url: string, body: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(body).toString(),
      });
    const foreign = await app.inject({
      method: 'POST',
      url: '/advisories/subscribe',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      payload: 'email=a%40example.org&scope=all',
    });
    expect(foreign.statusCode).toBe(403);
    expect((await form('/advisories/subscribe', { email: 'not-an-address', scope: 'all' })).statusCode).toBe(400);
    // A vendor that appears in no published advisory cannot be chosen (no probing of the directory).
    expect(
      (await form('/advisories/subscribe', { email: 'v@example.org', scope: 'vendor', vendor: 'ACME' })).statusCode,
    ).toBe(400);

    for (const email of ['all@example.org', 'product@example.org', 'other@example.org', 'unconfirmed@example.org']) {
      const scope = email.startsWith('product') ? 'product' : email.startsWith('other') ? 'product' : 'all';
      const product = email.startsWith('product') ? 'HELPDESK' : 'Toaster';
      const res = await form('/advisories/subscribe', { email, scope, ...(scope === 'product' ? { product } : {}) });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Check your mail');
      if (email === 'unconfirmed@example.org') continue;
      const mail = await db.db
        .selectFrom('outbox')
        .selectAll()
        .where('to_address', '=', email)
        .executeTakeFirstOrThrow();
      const token = /confirm\?token=([\w-]+)/.exec(mail.body_text)?.[1] ?? '';
      expect(token).not.toBe('');
      // Opening the link shows a button; only the POST confirms (mail scanners open links).
      const shown = await call('GET', `/advisories/subscription/confirm?token=${token}`, null);
      expect(shown.body).toContain('<form method="post"');
      expect((await form('/advisories/subscription/confirm', { token })).statusCode).toBe(200);
      expect((await form('/advisories/subscription/confirm', { token })).statusCode).toBe(400);
    }
    const stored = await db.db.selectFrom('advisory_subscriptions').select(['confirm_hash']).execute();
    for (const s of stored) expect(s.confirm_hash).toMatch(/^[0-9a-f]{64}$/);

    await call('POST', `/api/v1/cases/${caseId}/release/publish-request`, lead, { reason: 'now' });
    await call('POST', `/api/v1/cases/${caseId}/release/publish-confirm`, second);
    const worker = startWorker(makeCtx(db, { config }), publicationJobHandlers, 0);
    await worker.drain();
    await worker.drain();
    await worker.stop();

    const advisoryMails = await db.db
      .selectFrom('outbox')
      .selectAll()
      .where('id', 'in', db.db.selectFrom('advisory_mails').select('outbox_id'))
      .execute();
    const recipients = advisoryMails.map((m) => m.to_address).sort();
    expect(recipients).toEqual(['all@example.org', 'product@example.org']);
    const mail = advisoryMails[0]!;
    expect(mail.body_text).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----/);
    const openpgp = await import('openpgp');
    const key = await db.db
      .selectFrom('instance_keys')
      .selectAll()
      .where('retired_at', 'is', null)
      .executeTakeFirstOrThrow();
    const verified = await openpgp.verify({
      message: await openpgp.readCleartextMessage({ cleartextMessage: mail.body_text }),
      verificationKeys: await openpgp.readKey({ armoredKey: key.public_key }),
    });
    await expect(verified.signatures[0]!.verified).resolves.toBe(true);
    expect(mail.body_text).toContain('CVE-2026-30001');
    const unsub = /unsubscribe\?token=([\w-]+)/.exec(mail.body_text)?.[1] ?? '';
    expect((await form('/advisories/subscription/unsubscribe', { token: unsub })).statusCode).toBe(200);
    const left = await db.db
      .selectFrom('advisory_subscriptions')
      .select('email')
      .where('unsubscribed_at', 'is', null)
      .where('confirmed_at', 'is not', null)
      .execute();
    expect(left.map((s) => s.email).sort()).toEqual(
      ['all@example.org', 'other@example.org', 'product@example.org'].filter((e) => e !== mail.to_address),
    );
  });
});

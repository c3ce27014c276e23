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
import { sampleReport } from '../../tests/support/reports.ts';
import { newId } from '../core/ids.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The finder's view of a case opened from their report: only what is shared with reporters
 * (official posts and posts labelled for reporters up to TLP:AMBER, the public-safe summary, their
 * own RM state, vendor statuses marked shareable), by follow-up link or by account.
 */
describe("the finder's view of a case", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let lead: Session;
  let acme: { id: string; admin: Session; adminId: string };
  let globex: { id: string; admin: Session };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    app = await makeApp(db);
    const ctx = makeCtx(db);
    lead = (await userSession(app, ctx, 'coordinator')).session;
    const member = async (orgId: string) => {
      const u = await makeUser(ctx);
      await addMember(ctx, orgId, u.id, 'org_admin');
      return { user: u, session: await signIn(app, u.email) };
    };
    const acmeOrg = await makeOrg(ctx, { name: 'ACME' });
    const a = await member(acmeOrg.id);
    acme = { id: acmeOrg.id, admin: a.session, adminId: a.user.id };
    const globexOrg = await makeOrg(ctx, { name: 'Globex' });
    globex = { id: globexOrg.id, admin: (await member(globexOrg.id)).session };
    return () => app.close();
  });

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });
  const asLink = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const viaLink = (url: string, secret: string) => app.inject({ method: 'GET', url, headers: asLink(secret) });

  /** A report accepted and made a case, with ACME and Globex in it (terms accepted). */
  async function setUp(finder: Session | null = null) {
    const submitted = await call('POST', '/api/v1/reports', finder, sampleReport());
    expect(submitted.statusCode).toBe(201);
    const { report, followUpSecret } = submitted.json<Json>();
    for (const event of ['validate', 'accept'])
      await call('POST', `/api/v1/reports/${report.trackingId}/transitions`, lead, { event });
    const opened = await call('POST', '/api/v1/cases', lead, {
      title: 'Stored XSS in the Helpdesk family',
      summary: 'Embargoed: the comment renderer of Helpdesk 4.x',
      reportIds: [report.trackingId],
    });
    expect(opened.statusCode).toBe(201);
    const caseId = opened.json<Json>().caseId as string;
    const vuln = (
      await call('POST', `/api/v1/cases/${caseId}/vulnerabilities`, lead, {
        title: 'Comment XSS',
        cveId: 'CVE-2026-30001',
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
    const threads = (await call('GET', `/api/v1/cases/${caseId}/threads`, lead)).json<Json>().items as Json[];
    return {
      trackingId: report.trackingId as string,
      secret: followUpSecret as string,
      caseId,
      vulnId: vuln.id as string,
      acmeP: pa.id as string,
      globexP: pg.id as string,
      official: threads.find((t) => t.kind === 'official')!.id as string,
      discussion: threads.find((t) => t.kind === 'discussion')!.id as string,
    };
  }

  const post = async (who: Session, caseId: string, threadId: string, body: object) => {
    const res = await call('POST', `/api/v1/cases/${caseId}/threads/${threadId}/posts`, who, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Json>().id as string;
  };

  it('shows the finder official posts, posts labelled for reporters, the public summary and their RM state, and nothing else', async () => {
    const s = await setUp();
    await post(lead, s.caseId, s.official, { body: 'Coordination has started', tlp: 'GREEN' });
    await post(lead, s.caseId, s.official, {
      body: 'ACME only: patch branch',
      tlp: 'AMBER+STRICT',
      recipientOrgId: acme.id,
    });
    await post(lead, s.caseId, s.official, {
      body: 'RED for the ACME admin',
      tlp: 'RED',
      recipientUserIds: [acme.adminId],
    });
    const chatter = await post(acme.admin, s.caseId, s.discussion, { body: 'Vendor chatter about internals' });
    const forReporters = await post(lead, s.caseId, s.discussion, { body: 'Fix expected in March', tlp: 'AMBER' });
    const strict = await post(lead, s.caseId, s.discussion, {
      body: 'strict one',
      tlp: 'AMBER+STRICT',
      recipientOrgId: globex.id,
    });
    const priv = (
      await call('POST', `/api/v1/cases/${s.caseId}/threads`, acme.admin, {
        title: 'ACME private',
        participantIds: [s.acmeP],
      })
    ).json<Json>().id as string;
    const privPost = await post(acme.admin, s.caseId, priv, { body: 'ACME private patch notes' });

    // Labelling for reporters: the lead only, never a private thread, never a post for one org or named people.
    const share = (who: Session, postId: string, shared = true) =>
      call('PUT', `/api/v1/cases/${s.caseId}/posts/${postId}/reporters`, who, { shared });
    expect((await share(acme.admin, forReporters)).statusCode).toBe(403);
    expect((await share(lead, privPost)).statusCode).toBe(400);
    expect((await share(lead, strict)).statusCode).toBe(400);
    const shared = await share(lead, forReporters);
    expect(shared.json<Json>()).toMatchObject({ forReporters: true });
    expect((await share(lead, chatter)).statusCode).toBe(200);
    expect((await share(lead, chatter, false)).json<Json>()).toMatchObject({ forReporters: false });

    expect(
      (await call('PUT', `/api/v1/cases/${s.caseId}/public-summary`, acme.admin, { publicSummary: 'x' })).statusCode,
    ).toBe(403);
    expect(
      (
        await call('PUT', `/api/v1/cases/${s.caseId}/public-summary`, lead, {
          publicSummary: 'A cross-site scripting issue in a **helpdesk** product.',
        })
      ).statusCode,
    ).toBe(200);

    const res = await viaLink(`/api/v1/reports/${s.trackingId}/cases`, s.secret);
    expect(res.statusCode).toBe(200);
    const [view] = res.json<Json>().items as Json[];
    expect(view).toMatchObject({
      caseId: s.caseId,
      status: 'open',
      publicSummary: 'A cross-site scripting issue in a **helpdesk** product.',
      you: { rmState: 'A' },
    });
    expect(view!.publicSummaryHtml).toContain('<strong>helpdesk</strong>');
    expect((view!.posts as Json[]).map((p) => p.body)).toEqual(['Coordination has started', 'Fix expected in March']);
    expect(view!.posts[0]).toMatchObject({ thread: 'official', tlp: 'GREEN', byCoordinators: true });
    for (const hidden of [
      'ACME only',
      'RED for the ACME admin',
      'Vendor chatter',
      'strict one',
      'ACME private',
      'Stored XSS in the Helpdesk family', // the title is case detail
      'Embargoed',
      'CVE-2026-30001',
      'Comment XSS',
      'Globex',
      'ACME', // other participants are not listed
      '@example.org', // nobody's address
    ]) {
      expect(res.body, hidden).not.toContain(hidden);
    }
  });

  it('shows vendor statuses only where the vendor allowed sharing and staff approved the statement', async () => {
    const s = await setUp();
    const put = (who: Session, body: object) => call('PUT', `/api/v1/cases/${s.caseId}/statuses`, who, body);
    const acmeStatement = {
      participantId: s.acmeP,
      vulnerabilityId: s.vulnId,
      product: 'Helpdesk',
      status: 'fixed',
      fixedVersions: '4.2.1',
      mayShare: true,
    };
    const first = await put(acme.admin, acmeStatement);
    expect(first.statusCode).toBe(200);
    const statusId = first.json<Json>().id as string;
    const statuses = async () =>
      ((await viaLink(`/api/v1/reports/${s.trackingId}/cases`, s.secret)).json<Json>().items[0] as Json).statuses;
    // Not before staff approved it…
    expect(await statuses()).toEqual([]);
    const approve = () =>
      call('PUT', `/api/v1/cases/${s.caseId}/release/statements/${statusId}/approval`, lead, { approved: true });
    expect((await approve()).statusCode).toBe(200);
    expect(await statuses()).toHaveLength(1);
    // …and not again after the vendor changed it, until it is approved anew.
    expect((await put(acme.admin, { ...acmeStatement, statement: 'Update to 4.2.1 now.' })).statusCode).toBe(200);
    expect(await statuses()).toEqual([]);
    expect((await approve()).statusCode).toBe(200);
    expect(
      (
        await put(globex.admin, {
          participantId: s.globexP,
          vulnerabilityId: s.vulnId,
          product: 'Globex Desk',
          status: 'affected',
          statement: 'Globex internal statement',
        })
      ).statusCode,
    ).toBe(200);
    const res = await viaLink(`/api/v1/reports/${s.trackingId}/cases`, s.secret);
    const view = res.json<Json>().items[0] as Json;
    expect(view.statuses).toEqual([
      expect.objectContaining({ vendor: 'ACME', product: 'Helpdesk', status: 'fixed', fixedVersions: '4.2.1' }),
    ]);
    expect(res.body).not.toContain('Globex');
  });

  it('refuses the finder everything else: vendor private threads, the case pages, other reports (404)', async () => {
    const s = await setUp();
    const priv = (
      await call('POST', `/api/v1/cases/${s.caseId}/threads`, acme.admin, {
        title: 'ACME private',
        participantIds: [s.acmeP],
      })
    ).json<Json>().id as string;
    await post(acme.admin, s.caseId, priv, { body: 'ACME private patch notes' });
    for (const url of [
      `/api/v1/cases/${s.caseId}`,
      `/api/v1/cases/${s.caseId}/threads`,
      `/api/v1/cases/${s.caseId}/threads/${priv}/posts`,
      `/api/v1/cases/${s.caseId}/threads/${s.official}/posts`,
      `/api/v1/cases/${s.caseId}/statuses`,
    ]) {
      const res = await viaLink(url, s.secret);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('ACME private patch notes');
    }
    // A link opens its own report only.
    const other = (
      await call('POST', '/api/v1/reports', null, sampleReport({ title: 'Another report here' }))
    ).json<Json>();
    expect((await viaLink(`/api/v1/reports/${s.trackingId}/cases`, other.followUpSecret)).statusCode).toBe(404);
    expect(
      (await viaLink(`/api/v1/reports/${other.report.trackingId}/cases`, other.followUpSecret)).json<Json>(),
    ).toEqual({
      items: [],
    });
    expect((await viaLink(`/api/v1/reports/${s.trackingId}/cases`, 'accf_forged-secret-value')).statusCode).toBe(401);
    // A vendor of the case does not read the finder's view either.
    expect((await call('GET', `/api/v1/reports/${s.trackingId}/cases`, acme.admin)).statusCode).toBe(404);
  });

  it('a finder with an account sees the same, and a TLP:RED post only when it names them', async () => {
    const ctx = makeCtx(db);
    const finderUser = await makeUser(ctx, { email: 'finder-account@example.net' });
    const finder = await signIn(app, finderUser.email);
    const s = await setUp(finder);
    await post(lead, s.caseId, s.official, { body: 'Thanks for the report', tlp: 'CLEAR' });
    await post(lead, s.caseId, s.official, {
      body: 'RED for the ACME admin',
      tlp: 'RED',
      recipientUserIds: [acme.adminId],
    });
    // A RED post naming the finder's account (written straight to the table: the thread audience
    // of the API does not offer finders as recipients).
    const thread = await db.db
      .selectFrom('case_threads')
      .selectAll()
      .where('id', '=', s.official)
      .executeTakeFirstOrThrow();
    await db.db
      .insertInto('case_posts')
      .values({
        id: newId(),
        thread_id: thread.id,
        case_id: thread.case_id,
        reply_to: null,
        author_user_id: null,
        author_org_id: null,
        author_label: 'system',
        body: 'RED for the finder',
        tlp: 'RED',
        recipient_org_id: null,
        recipient_user_ids: JSON.stringify([finderUser.id]),
        mentions: JSON.stringify([]),
        edited_at: null,
        created_at: new Date(),
      })
      .execute();
    const mine = await call('GET', `/api/v1/reports/${s.trackingId}/cases`, finder);
    expect(mine.statusCode).toBe(200);
    expect((mine.json<Json>().items[0].posts as Json[]).map((p) => p.body)).toEqual([
      'Thanks for the report',
      'RED for the finder',
    ]);
    // The follow-up link is not the account: a RED post names people, so it stays hidden there.
    const link = await viaLink(`/api/v1/reports/${s.trackingId}/cases`, s.secret);
    expect((link.json<Json>().items[0].posts as Json[]).map((p) => p.body)).toEqual(['Thanks for the report']);
    // The finder's account is no way into the case pages.
    expect((await call('GET', `/api/v1/cases/${s.caseId}`, finder)).statusCode).toBe(404);
  });

  it('a removed finder participant no longer sees the case', async () => {
    const s = await setUp();
    const finderP = ((await call('GET', `/api/v1/cases/${s.caseId}`, lead)).json<Json>().participants as Json[]).find(
      (p) => p.role === 'finder',
    )!;
    expect((await call('DELETE', `/api/v1/cases/${s.caseId}/participants/${finderP.id}`, lead)).statusCode).toBe(204);
    expect((await viaLink(`/api/v1/reports/${s.trackingId}/cases`, s.secret)).json<Json>()).toEqual({ items: [] });
  });
});

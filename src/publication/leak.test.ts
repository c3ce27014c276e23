import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const config = testConfig({ ACCORD_RATE_LIMIT_PUBLIC: '1000000' });

/**
 * The leak test: a unique canary in every text field of an embargoed case (its report, title,
 * summaries, vulnerability, statements, posts, release plan), then every public page, the feed,
 * the sitemap, public search and every GET route of the API (from the OpenAPI document, each
 * path parameter tried with every id of the case) as an anonymous caller and as a vendor that is
 * not in the case. The canary appears nowhere, and no mail to a non-participant carries it. After
 * the publication the public parts appear, and the private ones still do not.
 */
describe('nothing embargoed is public before release', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  const canary = `CANARY${randomBytes(6).toString('hex')}`;
  const field = (name: string) => `${canary}-${name}`;
  const decoy = `CANARY${'0'.repeat(12)}`;
  let lead: Session;
  let second: Session;
  let outsider: Session;
  let participantEmails: Set<string>;
  let ids: Record<string, string>;
  let caseId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await makeApp(db, { config });
    const ctx = makeCtx(db, { config });
    const l = await userSession(app, ctx, 'coordinator');
    lead = l.session;
    const s = await userSession(app, ctx, 'coordinator');
    second = s.session;
    participantEmails = new Set([l.user.email, s.user.email, 'finder@example.net']);
    const member = async (orgId: string) => {
      const u = await makeUser(ctx);
      await addMember(ctx, orgId, u.id, 'org_admin');
      return { email: u.email, session: await signIn(app, u.email) };
    };
    const acme = await makeOrg(ctx, { name: 'ACME' });
    const globex = await makeOrg(ctx, { name: 'Globex' });
    const initech = await makeOrg(ctx, { name: 'Initech' });
    const acmeAdmin = await member(acme.id);
    const globexAdmin = await member(globex.id);
    participantEmails.add(acmeAdmin.email).add(globexAdmin.email);
    outsider = (await member(initech.id)).session;

    const call = (method: string, url: string, who: Session | null, payload?: object) =>
      app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });
    const ok = async (p: ReturnType<typeof call>) => {
      const res = await p;
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json<Json>();
    };

    // A confirmed subscriber to everything: before the release it must receive nothing about the case.
    await app.inject({
      method: 'POST',
      url: '/advisories/subscribe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=subscriber%40example.org&scope=all',
    });
    const confirmMail = await db.db
      .selectFrom('outbox')
      .select('body_text')
      .where('to_address', '=', 'subscriber@example.org')
      .executeTakeFirstOrThrow();
    const token = /confirm\?token=([\w-]+)/.exec(confirmMail.body_text)?.[1] ?? '';
    await app.inject({
      method: 'POST',
      url: '/advisories/subscription/confirm',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${token}`,
    });

    const { report } = await ok(
      call(
        'POST',
        '/api/v1/reports',
        null,
        sampleReport({
          title: field('report-title'),
          description: `${field('report-description')} rendered unescaped in the agent view of the helpdesk`,
          reproduction: field('report-reproduction'),
          impact: field('report-impact'),
          affected: [{ vendor: 'ACME', product: field('report-product'), versions: '< 4.2.1' }],
          credit: { mode: 'handle', value: field('credit'), type: 'FINDER' },
        }),
      ),
    );
    for (const event of ['validate', 'accept'])
      await ok(call('POST', `/api/v1/reports/${report.trackingId}/transitions`, lead, { event }));
    await ok(
      call('POST', `/api/v1/reports/${report.trackingId}/messages`, lead, {
        body: field('report-message'),
        visibility: 'shared',
      }),
    );
    const opened = await ok(
      call('POST', '/api/v1/cases', lead, {
        title: field('title'),
        summary: field('summary'),
        reportIds: [report.trackingId],
      }),
    );
    caseId = opened.caseId as string;
    await ok(call('PUT', `/api/v1/cases/${caseId}/public-summary`, lead, { publicSummary: field('public-summary') }));
    const vuln = await ok(
      call('POST', `/api/v1/cases/${caseId}/vulnerabilities`, lead, {
        title: field('vuln-title'),
        description: field('vuln-description'),
        cveId: 'CVE-2026-41234',
        cwe: 'CWE-79',
      }),
    );
    const pa = await ok(call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: acme.id, role: 'vendor' }));
    const pg = await ok(
      call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: globex.id, role: 'vendor' }),
    );
    for (const who of [acmeAdmin.session, globexAdmin.session])
      await ok(call('POST', `/api/v1/cases/${caseId}/terms/accept`, who, { version: 1 }));
    const approved = await ok(
      call('PUT', `/api/v1/cases/${caseId}/statuses`, acmeAdmin.session, {
        participantId: pa.id,
        vulnerabilityId: vuln.id,
        product: field('product'),
        status: 'fixed',
        statement: field('statement'),
        fixedVersions: field('fixed'),
        references: [`https://acme.example/${field('ref')}`],
        vendorTrackingId: field('tracking'),
        mayShare: true,
      }),
    );
    await ok(
      call('PUT', `/api/v1/cases/${caseId}/statuses`, globexAdmin.session, {
        participantId: pg.id,
        vulnerabilityId: vuln.id,
        product: field('globex-product'),
        status: 'affected',
        statement: field('unapproved-statement'),
      }),
    );
    await ok(
      call('PUT', `/api/v1/cases/${caseId}/release/statements/${approved.id}/approval`, lead, { approved: true }),
    );
    const threads = (await ok(call('GET', `/api/v1/cases/${caseId}/threads`, lead))).items as Json[];
    const official = threads.find((t) => t.kind === 'official')!;
    const post = await ok(
      call('POST', `/api/v1/cases/${caseId}/threads/${official.id}/posts`, lead, { body: field('post') }),
    );
    await ok(call('PATCH', `/api/v1/cases/${caseId}/release`, lead, { notes: field('notes') }));
    await ok(call('POST', `/api/v1/cases/${caseId}/release/checklist`, lead, { label: field('checklist') }));
    await ok(
      call('PUT', `/api/v1/cases/${caseId}/release/readiness/${pa.id}`, acmeAdmin.session, {
        advisoryReady: true,
        note: field('readiness'),
      }),
    );
    const embargoCtx = makeCtx(db, { config });
    await inTransaction(embargoCtx, (tx) =>
      onEmbargoChanged(tx, embargoCtx, caseId, { kind: 'active', endsAt: new Date(Date.now() + 30 * 86400_000) }),
    );
    await ok(call('POST', `/api/v1/cases/${caseId}/release/publish-request`, lead, { reason: field('early-reason') }));
    // Jobs that are due (mail, digests, webhooks): run them, so that nothing waits to leak later.
    const worker = startWorker(makeCtx(db, { config }), publicationJobHandlers, 0);
    await worker.drain();
    await worker.stop();

    const c = await db.db.selectFrom('cases').select('id').where('case_id', '=', caseId).executeTakeFirstOrThrow();
    ids = {
      caseRef: caseId,
      caseId: c.id,
      report: report.trackingId as string,
      reportId: report.id as string,
      vuln: vuln.id as string,
      acmeP: pa.id as string,
      globexP: pg.id as string,
      thread: official.id as string,
      post: post.id as string,
      status: approved.id as string,
    };
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  /** Every GET path of the API, with each path parameter tried with every id of the case. */
  async function apiUrls(): Promise<string[]> {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<Json>();
    const urls = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Json>)) {
      if (!ops.get) continue;
      let variants = [path];
      for (const param of path.match(/\{[^}]+\}/g) ?? []) {
        variants = variants.flatMap((v) => Object.values(ids).map((id) => v.replace(param, encodeURIComponent(id))));
      }
      for (const v of variants) {
        urls.add(v);
        urls.add(`${v}?q=${canary}`);
      }
    }
    return [...urls];
  }

  function publicUrls(): string[] {
    return [
      '/advisories',
      `/advisories?q=${canary}`,
      `/advisories?q=CVE-2026-41234`,
      `/advisories?vendor=ACME`,
      `/advisories?product=${field('product')}`,
      `/advisories/${caseId}`,
      `/advisories/feed.atom`,
      `/advisories/feed.atom?vendor=ACME`,
      '/sitemap.xml',
      '/acknowledgements',
      '/policy',
      '/.well-known/security.txt',
      `/advisories/subscription/confirm?token=${canary}`,
    ];
  }

  async function bodies(who: Session | null, urls: string[]): Promise<{ url: string; status: number; body: string }[]> {
    const out = [];
    for (const url of urls) {
      const res = await app.inject({ method: 'GET', url, headers: who?.headers ?? {} });
      out.push({ url, status: res.statusCode, body: res.body });
    }
    return out;
  }

  async function mailsToOutsiders(): Promise<string[]> {
    const rows = await db.db.selectFrom('outbox').select(['to_address', 'subject', 'body_text']).execute();
    return rows
      .filter((m) => !participantEmails.has(m.to_address))
      .filter((m) => m.subject.includes(canary) || m.body_text.includes(canary))
      .map((m) => m.to_address);
  }

  it('before the release: no page, feed, sitemap, search result, API answer or mail to an outsider shows it', async () => {
    const urls = [...publicUrls(), ...(await apiUrls())];
    expect(urls.length).toBeGreaterThan(100);
    for (const who of [null, outsider]) {
      const seen = await bodies(who, urls);
      const leaks: string[] = [];
      for (const r of seen) {
        if (!r.body.includes(canary)) continue;
        // A page may echo the caller's own query (the search box, a filter): then it must answer
        // exactly as for a string that matches nothing.
        if (r.url.includes(canary)) {
          const decoyUrl = r.url.replaceAll(canary, decoy);
          const [other] = await bodies(who, [decoyUrl]);
          if (other && r.body.replaceAll(canary, decoy) === other.body) continue;
        }
        leaks.push(`${r.status} ${r.url}`);
      }
      expect(leaks).toEqual([]);
      // The landing page of an embargoed case is the same 404 as for a case that does not exist.
      const page = seen.find((r) => r.url === `/advisories/${caseId}`)!;
      expect(page.status).toBe(404);
      expect(page.body.replace(caseId, 'X')).toBe(
        (await app.inject({ method: 'GET', url: '/advisories/CASE-2099-9999' })).body.replace('CASE-2099-9999', 'X'),
      );
    }
    expect(await mailsToOutsiders()).toEqual([]);
    // The participants themselves do see it (so the canary really is in the case).
    const own = await app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}/release`, headers: lead.headers });
    expect(own.body).toContain(field('notes'));
  }, 300_000);

  it('after the release: the public parts appear, the private ones still do not', async () => {
    const confirmed = await app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/release/publish-confirm`,
      headers: second.headers,
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const worker = startWorker(makeCtx(db, { config }), publicationJobHandlers, 0);
    await worker.drain();
    await worker.stop();

    const page = (await bodies(null, [`/advisories/${caseId}`]))[0]!;
    expect(page.status).toBe(200);
    for (const shown of [
      'title',
      'public-summary',
      'vuln-title',
      'vuln-description',
      'product',
      'statement',
      'fixed',
      'ref',
      'credit',
    ]) {
      expect(page.body, shown).toContain(field(shown));
    }
    const all = await bodies(null, [...publicUrls(), ...(await apiUrls())]);
    const allText = all.map((r) => r.body).join('\n');
    for (const hidden of [
      'summary',
      'report-title',
      'report-description',
      'report-reproduction',
      'report-impact',
      'report-message',
      'unapproved-statement',
      'globex-product',
      'tracking',
      'post',
      'notes',
      'checklist',
      'readiness',
      'early-reason',
    ]) {
      expect(allText.includes(field(hidden)), hidden).toBe(false);
    }
    for (const url of ['/advisories', '/advisories/feed.atom', '/sitemap.xml', `/advisories?q=${field('title')}`]) {
      expect(all.find((r) => r.url === url)?.body ?? (await bodies(null, [url]))[0]!.body, url).toContain(caseId);
    }
    // The subscriber got the advisory, and it carries only public text.
    const mails = await db.db
      .selectFrom('outbox')
      .select('body_text')
      .where('to_address', '=', 'subscriber@example.org')
      .execute();
    const advisory = mails.find((m) => m.body_text.includes(field('title')));
    expect(advisory).toBeDefined();
    expect(advisory!.body_text).not.toContain(field('notes'));
    expect(advisory!.body_text).not.toContain(field('unapproved-statement'));
  }, 300_000);
});

import { createHash } from 'node:crypto';
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
import { inTransaction } from '../app/context.ts';
import { validateDocument } from '../formats/validate.ts';
import { systemActor } from '../policy/actor.ts';
import { startWorker } from '../jobs/worker.ts';
import { publicationJobHandlers } from '../publication/jobs.ts';
import { publishCaseAdvisories } from './commands.ts';
import { sampleAdvisory } from './sample.ts';
import { verifyDetached } from './sign.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const config = testConfig({
  ACCORD_CVE_ORG_ID: '6b8e2c1a-2f86-4a53-9d4c-3d1c7c5b1e11',
  ACCORD_CVE_SHORT_NAME: 'example',
});

describe('advisories over HTTP and the CSAF trusted provider', { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let analyst: Session;
  let coordinator: Session;
  let viewer: Session;
  let acme: { id: string; admin: Session };
  let globex: { id: string; admin: Session };
  let stranger: Session;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    app = await makeApp(db, { config });
    const ctx = makeCtx(db, { config });
    analyst = (await userSession(app, ctx, 'analyst')).session;
    coordinator = (await userSession(app, ctx, 'coordinator')).session;
    viewer = (await userSession(app, ctx, 'viewer')).session;
    const member = async (name: string) => {
      const org = await makeOrg(ctx, { name });
      const u = await makeUser(ctx);
      await addMember(ctx, org.id, u.id, 'org_admin');
      return { id: org.id, admin: await signIn(app, u.email) };
    };
    acme = await member('ACME');
    globex = await member('Globex');
    stranger = (await member('Initech')).admin;
    return () => app.close();
  });

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });

  /** A case with a CVE, two vendors that accepted the terms, and their statuses. */
  async function caseWithStatuses() {
    const c = (
      await call('POST', '/api/v1/cases', coordinator, {
        title: 'Stored XSS in the Helpdesk family',
        summary: 'Comments in Helpdesk run script.',
      })
    ).json<Json>();
    const v = await call('POST', `/api/v1/cases/${c.caseId}/vulnerabilities`, coordinator, {
      title: 'XSS in comments',
      description: 'SVG onload in comments runs script.',
      cwe: 'CWE-79',
      cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N',
      cveId: 'CVE-2026-10001',
    });
    const participants: string[] = [];
    for (const org of [acme, globex]) {
      const p = await call('POST', `/api/v1/cases/${c.caseId}/participants`, coordinator, {
        orgId: org.id,
        role: 'vendor',
      });
      participants.push(p.json<Json>().id as string);
      await call('POST', `/api/v1/cases/${c.caseId}/terms/accept`, org.admin, { version: 1 });
    }
    const vulnerabilityId = v.json<Json>().id as string;
    const put = (who: Session, body: object) =>
      call('PUT', `/api/v1/cases/${c.caseId}/statuses`, who, { vulnerabilityId, ...body });
    expect(
      (
        await put(acme.admin, {
          participantId: participants[0],
          product: 'Helpdesk',
          status: 'affected',
          statement: 'Disable comments until you update.',
          fixedVersions: '4.2.1',
          references: ['https://acme.example/fix'],
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await put(globex.admin, {
          participantId: participants[1],
          product: 'Desk',
          status: 'not_affected',
          justification: 'component_not_present',
        })
      ).statusCode,
    ).toBe(200);
    return { caseRef: c.caseId as string, caseUuid: c.id as string };
  }

  it('creates a case-linked advisory from the status matrix; the case scope and staff rules decide who sees it', async () => {
    const { caseRef } = await caseWithStatuses();
    const created = await call('POST', '/api/v1/advisories', analyst, { caseId: caseRef });
    expect(created.statusCode).toBe(201);
    const a = created.json<Json>();
    expect(a).toMatchObject({
      caseRef,
      state: 'draft',
      tlp: 'AMBER',
      trackingId: expect.stringMatching(/^ACC-SA-\d{4}-0001$/),
    });
    expect(a.content.products.map((p: Json) => `${p.vendor}/${p.name}`)).toEqual(['ACME/Helpdesk', 'Globex/Desk']);
    expect(a.content.vulnerabilities[0]).toMatchObject({
      cve: 'CVE-2026-10001',
      statuses: [
        { productId: 'CSAFPID-0001', status: 'known_affected' },
        { productId: 'CSAFPID-0002', status: 'known_not_affected', justification: 'component_not_present' },
      ],
      remediations: [{ category: 'vendor_fix', url: 'https://acme.example/fix', productIds: ['CSAFPID-0001'] }],
    });
    // Vendors in the case, strangers: as if it did not exist. Viewers read but may not edit.
    for (const who of [acme.admin, stranger]) {
      expect((await call('GET', `/api/v1/advisories/${a.id}`, who)).statusCode).toBe(404);
      expect((await call('GET', '/api/v1/advisories', who)).json<Json>().items).toEqual([]);
    }
    expect((await call('GET', `/api/v1/advisories/${a.trackingId}`, viewer)).statusCode).toBe(200);
    const edit = await call('PUT', `/api/v1/advisories/${a.id}`, viewer, {
      content: a.content,
      lockVersion: a.lockVersion,
    });
    expect(edit.statusCode).toBe(403);
  });

  it('edits report problems on their fields; a stale save is refused; the editor checks without saving', async () => {
    const { caseRef } = await caseWithStatuses();
    const a = (await call('POST', '/api/v1/advisories', analyst, { caseId: caseRef })).json<Json>();
    const bad = structuredClone(a.content);
    bad.vulnerabilities[0].cvssV3 = 'CVSS:3.1/AV:X';
    bad.products[0].purl = 'not-a-purl';
    const res = await call('PUT', `/api/v1/advisories/${a.id}`, analyst, { content: bad, lockVersion: a.lockVersion });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json<Json>()
        .error.details.problems.map((p: Json) => p.field)
        .sort(),
    ).toEqual(['products[0].purl', 'vulnerabilities[0].cvssV3']);
    const check = (await call('POST', '/api/v1/advisories/check', analyst, { content: bad })).json<Json>();
    expect(check.valid).toBe(false);
    const good = structuredClone(a.content);
    good.products[0].purl = 'pkg:npm/acme-helpdesk';
    const saved = await call('PUT', `/api/v1/advisories/${a.id}`, analyst, {
      content: good,
      lockVersion: a.lockVersion,
    });
    expect(saved.statusCode).toBe(200);
    const stale = await call('PUT', `/api/v1/advisories/${a.id}`, coordinator, {
      content: good,
      lockVersion: a.lockVersion,
    });
    expect(stale.statusCode).toBe(409);
  });

  it('review and approval by someone else; an embargoed case publishes its advisory with the case', async () => {
    const { caseRef, caseUuid } = await caseWithStatuses();
    const a = (await call('POST', '/api/v1/advisories', analyst, { caseId: caseRef })).json<Json>();
    const act = (who: Session, action: string) => call('POST', `/api/v1/advisories/${a.id}/actions`, who, { action });
    expect((await act(coordinator, 'approve')).statusCode).toBe(409); // not in review yet
    expect((await act(analyst, 'submit')).json<Json>().state).toBe('review');
    expect((await act(analyst, 'approve')).statusCode).toBe(403); // the author
    expect((await act(coordinator, 'approve')).json<Json>().state).toBe('approved');
    const early = await act(coordinator, 'publish');
    expect(early.statusCode).toBe(409);
    expect(early.json<Json>().error.message).toContain('embargoed');

    // The case's release publishes it (here early, by two staff members), and the release's job publishes the
    // approved advisory right after: exactly once, however often the job runs.
    const admin = (await userSession(app, makeCtx(db, { config }), 'admin')).session;
    const req = await call('POST', `/api/v1/cases/${caseRef}/release/publish-request`, coordinator, {
      reason: 'Details leaked on a mailing list',
    });
    expect(req.statusCode, req.body).toBe(200);
    const conf = await call('POST', `/api/v1/cases/${caseRef}/release/publish-confirm`, admin, {});
    expect(conf.statusCode, conf.body).toBe(200);
    const ctx = makeCtx(db, { config, actor: systemActor('jobs') });
    const worker = startWorker(ctx, publicationJobHandlers, 0);
    await worker.drain();
    await worker.stop();
    const job = await db.db
      .selectFrom('jobs')
      .select(['status', 'attempts'])
      .where('kind', '=', 'publication.advisories')
      .executeTakeFirstOrThrow();
    expect(job.status).toBe('done');
    expect(await inTransaction(ctx, (tx) => publishCaseAdvisories(tx, ctx, caseUuid))).toEqual([]); // nothing twice
    const after = (await call('GET', `/api/v1/advisories/${a.id}`, coordinator)).json<Json>();
    expect(after).toMatchObject({
      state: 'published',
      publishedRevision: 1,
      revisions: [{ number: 1, summary: 'Initial public release' }],
    });

    // TLP:AMBER: not in the public folder; in the restricted one for staff and the case's participants only.
    expect((await call('GET', '/.well-known/csaf/white/index.txt', null)).body).toBe('');
    const amber = (who: Session | null) => call('GET', '/api/v1/csaf/amber/index.txt', who);
    const file = `${new Date().getUTCFullYear()}/${String(a.trackingId).toLowerCase()}.json`;
    expect((await amber(coordinator)).body).toBe(`${file}\n`);
    expect((await amber(acme.admin)).body).toBe(`${file}\n`);
    expect((await amber(stranger)).body).toBe('');
    expect((await amber(null)).statusCode).toBe(401);
    expect((await call('GET', `/api/v1/csaf/amber/${file}`, stranger)).statusCode).toBe(404);
    const doc = await call('GET', `/api/v1/csaf/amber/${file}`, globex.admin);
    expect(doc.statusCode).toBe(200);
    expect((await validateDocument(doc.json(), 'csaf')).valid).toBe(true);
    expect((await call('GET', `/api/v1/csaf/red/index.txt`, acme.admin)).body).toBe('');
  });

  it('publishes a standalone TLP:CLEAR advisory as a trusted provider: folders, index, changes, feed, hashes, signature', async () => {
    const sample = sampleAdvisory();
    const created = await call('POST', '/api/v1/advisories', analyst, { tlp: 'CLEAR', content: sample.content });
    expect(created.statusCode).toBe(201);
    const a = created.json<Json>();
    for (const [who, action] of [
      [analyst, 'submit'],
      [coordinator, 'approve'],
      [coordinator, 'publish'],
    ] as const) {
      const res = await call('POST', `/api/v1/advisories/${a.id}/actions`, who, { action });
      expect(res.statusCode, res.body).toBe(200);
    }
    const year = new Date().getUTCFullYear();
    const name = `${String(a.trackingId).toLowerCase()}.json`;
    const base = '/.well-known/csaf';
    const meta = (await call('GET', `${base}/provider-metadata.json`, null)).json<Json>();
    expect(meta).toMatchObject({ role: 'csaf_trusted_provider', publisher: { name: 'Accord' } });
    expect((await call('GET', `${base}/white/index.txt`, null)).body).toBe(`${year}/${name}\n`);
    expect((await call('GET', `${base}/white/changes.csv`, null)).body).toMatch(
      new RegExp(`^"${year}/${name}","[^"]+"\\n$`),
    );
    const feed = (await call('GET', `${base}/white/feed-tlp-white.json`, null)).json<Json>();
    expect(feed.feed.entry[0]).toMatchObject({ id: a.trackingId });
    expect(
      (await call('GET', `${base}/service.json`, null)).json<Json>().service.workspace[0].collection[0].href,
    ).toContain('feed-tlp-white.json');
    expect((await call('GET', `${base}/white/category-vendors.json`, null)).json<Json>().categories.category).toEqual([
      { scheme: 'urn:accord:csaf:vendor', term: 'ACME' },
      { scheme: 'urn:accord:csaf:vendor', term: 'Globex' },
    ]);
    const doc = await call('GET', `${base}/white/${year}/${name}`, null);
    expect(doc.statusCode).toBe(200);
    const sha256 = (await call('GET', `${base}/white/${year}/${name}.sha256`, null)).body;
    expect(sha256).toBe(`${createHash('sha256').update(doc.body).digest('hex')}  ${name}\n`);
    const sha512 = (await call('GET', `${base}/white/${year}/${name}.sha512`, null)).body;
    expect(sha512).toBe(`${createHash('sha512').update(doc.body).digest('hex')}  ${name}\n`);
    const signature = (await call('GET', `${base}/white/${year}/${name}.asc`, null)).body;
    const key = (await call('GET', `${base}/openpgp/${meta.public_openpgp_keys[0].fingerprint}.asc`, null)).body;
    expect(await verifyDetached(doc.body, signature, key)).toBe(true);
    expect(await verifyDetached(`${doc.body} `, signature, key)).toBe(false);
    expect(doc.json<Json>().document.tracking).toMatchObject({ status: 'final', version: '1.0.0' });

    // The public page; then an edit makes a draft of revision 2, diffed and published again.
    const page = await call('GET', `/security-advisories/${a.trackingId}`, null);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Stored XSS in ticket comments');
    const current = (await call('GET', `/api/v1/advisories/${a.id}`, analyst)).json<Json>();
    const next = structuredClone(current.content);
    next.title = 'Stored XSS and path traversal in the Helpdesk family (updated)';
    const edited = await call('PUT', `/api/v1/advisories/${a.id}`, analyst, {
      content: next,
      lockVersion: current.lockVersion,
      revisionSummary: 'Clarified the title',
    });
    expect(edited.json<Json>()).toMatchObject({ state: 'draft', publishedRevision: 1 });
    const diff = (await call('GET', `/api/v1/advisories/${a.id}/diff?from=1&to=current`, analyst)).json<Json>();
    expect(diff.changes).toEqual([{ path: 'title', before: current.content.title, after: next.title }]);
    const draft = await call('GET', `/api/v1/advisories/${a.id}/export?format=csaf`, analyst);
    expect(draft.json<Json>().document.tracking).toMatchObject({ status: 'draft', version: '2.0.0-draft' });
    // The public page still shows the published revision.
    expect((await call('GET', `/security-advisories/${a.trackingId}`, null)).body).not.toContain('(updated)');
    const admin = (await userSession(app, makeCtx(db, { config }), 'admin')).session;
    expect((await call('POST', `/api/v1/advisories/${a.id}/actions`, analyst, { action: 'submit' })).statusCode).toBe(
      200,
    );
    // The analyst edited and submitted: neither role nor authorship lets them approve.
    expect((await call('POST', `/api/v1/advisories/${a.id}/actions`, analyst, { action: 'approve' })).statusCode).toBe(
      403,
    );
    expect((await call('POST', `/api/v1/advisories/${a.id}/actions`, admin, { action: 'approve' })).statusCode).toBe(
      200,
    );
    expect((await call('POST', `/api/v1/advisories/${a.id}/actions`, admin, { action: 'publish' })).statusCode).toBe(
      200,
    );
    const v2 = (await call('GET', `${base}/white/${year}/${name}`, null)).json<Json>();
    expect(v2.document.tracking).toMatchObject({
      version: '2.0.0',
      revision_history: [{ number: '1.0.0' }, { number: '2.0.0', summary: 'Clarified the title' }],
    });
    expect((await call('GET', `${base}/white/index.txt`, null)).body).toBe(`${year}/${name}\n`);
  });

  it('exports every format validated, and says what is missing', async () => {
    const sample = sampleAdvisory();
    const a = (
      await call('POST', '/api/v1/advisories', analyst, { tlp: 'CLEAR', content: sample.content })
    ).json<Json>();
    for (const format of ['csaf', 'csaf-vex', 'cve', 'cve-cna', 'osv', 'openvex', 'md', 'html']) {
      const res = await call('GET', `/api/v1/advisories/${a.trackingId}/export?format=${format}`, viewer);
      expect(res.statusCode, `${format}: ${res.body.slice(0, 300)}`).toBe(200);
    }
    const one = await call('GET', `/api/v1/advisories/${a.id}/export?format=cve&vulnerability=CVE-2026-10002`, viewer);
    expect(one.json<Json>().cveMetadata.cveId).toBe('CVE-2026-10002');
    const missing = await call('GET', `/api/v1/advisories/${a.id}/export?format=osv&vulnerability=VULN-9`, viewer);
    expect(missing.statusCode).toBe(400);
    expect(missing.json<Json>().error.message).toContain('use one of CVE-2026-10001, CVE-2026-10002');
    const preview = (await call('GET', `/api/v1/advisories/${a.id}/preview`, viewer)).json<Json>();
    expect(preview.html).toContain('<h1>');
  });
});

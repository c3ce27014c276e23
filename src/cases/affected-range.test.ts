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
import { validateDocument } from '../formats/validate.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const config = testConfig({
  ACCORD_CVE_ORG_ID: '6b8e2c1a-2f86-4a53-9d4c-3d1c7c5b1e11',
  ACCORD_CVE_SHORT_NAME: 'example',
});

/**
 * A vendor status row's affected range (vers): validated and stored canonical by the status command, refused when a
 * "fixed" statement's fixed version lies inside it, shown in the matrix, and carried into the advisory exports (CSAF
 * product_version_range, OSV ranges) that still validate.
 */
describe('affected ranges on vendor statuses', { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let coordinator: Session;
  let analyst: Session;
  let acme: { id: string; admin: Session };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    app = await makeApp(db, { config });
    const ctx = makeCtx(db, { config });
    coordinator = (await userSession(app, ctx, 'coordinator')).session;
    analyst = (await userSession(app, ctx, 'analyst')).session;
    const org = await makeOrg(ctx, { name: 'ACME' });
    const u = await makeUser(ctx);
    await addMember(ctx, org.id, u.id, 'org_admin');
    acme = { id: org.id, admin: await signIn(app, u.email) };
    return () => app.close();
  });

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });

  async function setUp() {
    const c = (
      await call('POST', '/api/v1/cases', coordinator, {
        title: 'Prototype pollution in acme-merge',
        summary: 'Merging untrusted JSON pollutes Object.prototype.',
      })
    ).json<Json>();
    const v = await call('POST', `/api/v1/cases/${c.caseId}/vulnerabilities`, coordinator, {
      title: 'Prototype pollution in merge()',
      description: 'A __proto__ key in merged input changes every object.',
      cwe: 'CWE-1321',
      cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N',
      cveId: 'CVE-2026-20001',
    });
    const p = await call('POST', `/api/v1/cases/${c.caseId}/participants`, coordinator, {
      orgId: acme.id,
      role: 'vendor',
    });
    await call('POST', `/api/v1/cases/${c.caseId}/terms/accept`, acme.admin, { version: 1 });
    const vulnerabilityId = v.json<Json>().id as string;
    const participantId = p.json<Json>().id as string;
    const put = (body: object) =>
      call('PUT', `/api/v1/cases/${c.caseId}/statuses`, acme.admin, { vulnerabilityId, participantId, ...body });
    return { caseRef: c.caseId as string, put };
  }

  it('validates the range, stores it canonical, refuses a fixed version inside it, and shows it in the matrix', async () => {
    const { caseRef, put } = await setUp();
    const bad = await put({
      product: 'acme-merge',
      status: 'affected',
      statement: 'Update.',
      affectedRange: 'vers:npm/>=1.0.0|<1.x.2',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<Json>().error.details.problems[0]).toEqual({
      field: 'affectedRange',
      message: 'constraint 2 ("<1.x.2"): "1.x.2" is not a semantic version such as 1.2.3 or 2.0.0-rc.1',
    });
    const scheme = await put({
      product: 'acme-merge',
      status: 'affected',
      statement: 'Update.',
      affectedRange: 'vers:cobol/<2',
    });
    expect(scheme.statusCode).toBe(400);
    expect(scheme.json<Json>().error.message).toContain('the versioning scheme "cobol" is not supported');

    // Written loosely (spaces, any order): stored canonical.
    const ok = await put({
      product: 'acme-merge',
      status: 'affected',
      statement: 'Update to 1.4.2.',
      affectedRange: 'vers:NPM/<1.4.2 | >=1.0.0',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<Json>().affectedRange).toBe('vers:npm/>=1.0.0|<1.4.2');

    // "fixed" whose fixed version the range still contains: the consistency check refuses it.
    const inside = await put({
      product: 'acme-merge',
      status: 'fixed',
      fixedVersions: '1.4.2, 1.3.9',
      affectedRange: 'vers:npm/>=1.0.0|<1.4.2',
    });
    expect(inside.statusCode).toBe(400);
    expect(inside.json<Json>().error.details.problems).toEqual([
      {
        field: 'fixedVersions',
        message:
          'fixed version "1.3.9" is inside the affected range vers:npm/>=1.0.0|<1.4.2: a version that fixes the vulnerability cannot be affected by it; correct the range or the fixed versions',
      },
    ]);
    const notVersion = await put({
      product: 'acme-merge',
      status: 'fixed',
      fixedVersions: 'the next release',
      affectedRange: 'vers:npm/>=1.0.0|<1.4.2',
    });
    expect(notVersion.statusCode).toBe(400);
    expect(notVersion.json<Json>().error.details.problems[0].message).toContain('fixed version "the"');
    const notAffected = await put({
      product: 'acme-merge',
      status: 'not_affected',
      justification: 'vulnerable_code_not_present',
      affectedRange: 'vers:npm/<1.0.0',
    });
    expect(notAffected.statusCode).toBe(400);
    expect(notAffected.json<Json>().error.details.problems[0].field).toBe('affectedRange');

    const fixed = await put({
      product: 'acme-merge',
      status: 'fixed',
      statement: 'Fixed in 1.4.2.',
      fixedVersions: '1.4.2',
      affectedRange: 'vers:npm/>=1.0.0|<1.4.2',
    });
    expect(fixed.statusCode).toBe(200);
    const matrix = (await call('GET', `/api/v1/cases/${caseRef}/statuses`, coordinator)).json<Json>();
    expect(matrix.vendors[0].cells[0]).toMatchObject({
      product: 'acme-merge',
      status: 'fixed',
      fixedVersions: '1.4.2',
      affectedRange: 'vers:npm/>=1.0.0|<1.4.2',
    });
    const history = await db.db
      .selectFrom('vendor_status_history')
      .select(['status', 'affected_range'])
      .orderBy('seq')
      .execute();
    expect(history).toEqual([
      { status: 'affected', affected_range: 'vers:npm/>=1.0.0|<1.4.2' },
      { status: 'fixed', affected_range: 'vers:npm/>=1.0.0|<1.4.2' },
    ]);
    // Removing it: null.
    const cleared = await put({
      product: 'acme-merge',
      status: 'fixed',
      statement: 'Fixed in 1.4.2.',
      fixedVersions: '1.4.2',
      affectedRange: null,
    });
    expect(cleared.json<Json>().affectedRange).toBeNull();
  });

  it('carries the range into CSAF (product_version_range) and OSV (SEMVER events), both still valid', async () => {
    const { caseRef, put } = await setUp();
    expect(
      (
        await put({
          product: 'acme-merge',
          status: 'fixed',
          statement: 'Update to 1.4.2 or 2.0.1.',
          fixedVersions: '1.4.2',
          affectedRange: 'vers:npm/>=1.0.0|<1.4.2|>=2.0.0|<=2.0.0',
        })
      ).statusCode,
    ).toBe(200);
    const created = await call('POST', '/api/v1/advisories', analyst, { caseId: caseRef });
    expect(created.statusCode).toBe(201);
    const a = created.json<Json>();
    expect(a.content.products.map((p: Json) => p.version)).toEqual([
      '1.4.2',
      'vers:npm/>=1.0.0|<1.4.2|>=2.0.0|<=2.0.0',
    ]);
    expect(a.content.vulnerabilities[0].statuses).toEqual([
      expect.objectContaining({ productId: 'CSAFPID-0002', status: 'known_affected' }),
      expect.objectContaining({ productId: 'CSAFPID-0001', status: 'fixed' }),
    ]);

    for (const format of ['csaf', 'csaf-vex']) {
      const res = await call('GET', `/api/v1/advisories/${a.id}/export?format=${format}`, analyst);
      expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
      const doc = res.json<Json>();
      expect((await validateDocument(doc, 'csaf')).valid).toBe(true);
      const versions = doc.product_tree.branches[0].branches[0].branches;
      expect(versions).toEqual([
        expect.objectContaining({ category: 'product_version', name: '1.4.2' }),
        expect.objectContaining({
          category: 'product_version_range',
          name: 'vers:npm/>=1.0.0|<1.4.2|>=2.0.0|<=2.0.0',
          product: expect.objectContaining({ product_id: 'CSAFPID-0002' }),
        }),
      ]);
    }

    // CVE JSON 5: the range as lessThan / lessThanOrEqual intervals with their versionType.
    const cve = await call('GET', `/api/v1/advisories/${a.id}/export?format=cve`, analyst);
    expect(cve.statusCode, cve.body.slice(0, 500)).toBe(200);
    const cveDoc = cve.json<Json>();
    const cveRecord = Array.isArray(cveDoc) ? cveDoc[0] : cveDoc;
    expect((await validateDocument(cveRecord, 'cve')).valid).toBe(true);
    const cna = cveRecord.containers?.cna ?? cveRecord.cnaContainer ?? cveRecord;
    expect(cna.affected[0].versions).toEqual([
      { version: '1.0.0', lessThan: '1.4.2', status: 'affected', versionType: 'semver' },
      { version: '2.0.0', lessThanOrEqual: '2.0.0', status: 'affected', versionType: 'semver' },
      { version: '1.4.2', status: 'unaffected' },
    ]);

    // OSV describes packages: with a package URL on the product, the range becomes SEMVER events.
    const current = (await call('GET', `/api/v1/advisories/${a.id}`, analyst)).json<Json>();
    const content = structuredClone(current.content);
    for (const p of content.products) p.purl = 'pkg:npm/acme-merge';
    const edited = await call('PUT', `/api/v1/advisories/${a.id}`, analyst, {
      content,
      lockVersion: current.lockVersion,
      revisionSummary: 'Package URL',
    });
    expect(edited.statusCode, edited.body.slice(0, 500)).toBe(200);
    const osv = await call('GET', `/api/v1/advisories/${a.id}/export?format=osv`, analyst);
    expect(osv.statusCode, osv.body.slice(0, 500)).toBe(200);
    const record = osv.json<Json>();
    expect((await validateDocument(record, 'osv')).valid).toBe(true);
    expect(record.affected).toEqual([
      {
        package: { ecosystem: 'npm', name: 'acme-merge', purl: 'pkg:npm/acme-merge' },
        ranges: [
          { type: 'SEMVER', events: [{ introduced: '1.0.0' }, { fixed: '1.4.2' }] },
          { type: 'SEMVER', events: [{ introduced: '2.0.0' }, { last_affected: '2.0.0' }] },
        ],
      },
    ]);
  });

  it('refuses an advisory product version that is a malformed range, naming the field', async () => {
    const created = await call('POST', '/api/v1/advisories', analyst, {
      tlp: 'CLEAR',
      content: {
        title: 'A standalone advisory',
        lang: 'en',
        summary: 'x',
        products: [{ id: 'P1', vendor: 'ACME', name: 'acme-merge', version: 'vers:npm/>=1.0.0||<2' }],
        vulnerabilities: [],
      },
    });
    expect(created.statusCode).toBe(400);
    expect(created.json<Json>().error.details.problems).toContainEqual({
      field: 'products[0].version',
      message: 'consecutive pipes are not permitted (vers separates constraints with one |)',
    });
  });
});

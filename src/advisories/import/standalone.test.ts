import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db.ts';
import {
  actorOf,
  addMember,
  makeApp,
  makeCtx,
  makeOrg,
  makeUser,
  signIn,
  testConfig,
} from '../../../tests/support/factories.ts';
import type { Ctx } from '../../app/context.ts';
import { toCsaf } from '../csaf.ts';
import { toCveRecord } from '../cve.ts';
import { exportAdvisory } from '../export.ts';
import { toOsv } from '../osv.ts';
import { loadAdvisory } from '../queries.ts';
import type { AdvisoryContent } from '../rules.ts';
import { sampleAdvisory } from '../sample.ts';
import { importStandaloneAdvisory } from './commands.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const config = testConfig({
  ACCORD_CVE_ORG_ID: '6b8e2c1a-2f86-4a53-9d4c-3d1c7c5b1e11',
  ACCORD_CVE_SHORT_NAME: 'example',
});
const assigner = { orgId: '6b8e2c1a-2f86-4a53-9d4c-3d1c7c5b1e11', shortName: 'example' };

describe('advisory imports as standalone drafts', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let analyst: Ctx;
  const sample = sampleAdvisory();
  const csaf = toCsaf(sample);

  beforeAll(async () => {
    db = await createTestDatabase();
    const system = makeCtx(db, { config });
    analyst = { ...system, actor: await actorOf(system, (await makeUser(system, { role: 'analyst' })).id) };
  }, 120_000);
  afterAll(async () => db.close());

  const count = async (table: 'advisories' | 'audit_events') =>
    Number((await db.db.selectFrom(table).select(db.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('a dry run answers the draft it would create and creates nothing', async () => {
    const before = [await count('advisories'), await count('audit_events')];
    const r = await importStandaloneAdvisory(analyst, { document: csaf, dryRun: true });
    expect([await count('advisories'), await count('audit_events')]).toEqual(before);
    expect(r).toMatchObject({
      dryRun: true,
      format: 'csaf',
      source: { id: 'ADV-2026-0001', label: 'CSAF document ADV-2026-0001 (Example PSIRT)' },
      advisory: { id: null, trackingId: null, title: sample.content.title, tlp: 'CLEAR' },
    });
    expect(r.vulnerabilities.map((v) => [v.key, v.cveId, v.action])).toEqual([
      ['VULN-1', 'CVE-2026-10001', 'created'],
      ['VULN-2', 'CVE-2026-10002', 'created'],
    ]);
    expect(r.statuses.map((s) => [s.vulnerability, s.vendor, s.product, s.status, s.justification]).sort()).toEqual([
      ['CVE-2026-10001', 'ACME', 'Helpdesk 4.2.0', 'known_affected', null],
      ['CVE-2026-10001', 'ACME', 'Helpdesk 4.2.1', 'fixed', null],
      ['CVE-2026-10001', 'Globex', 'Helpdesk Mobile', 'known_affected', null],
      ['CVE-2026-10001', 'Globex', 'Ticket Bridge 2.0', 'known_not_affected', 'component_not_present'],
      ['CVE-2026-10002', 'ACME', 'Helpdesk 4.2.0', 'known_affected', null],
      ['CVE-2026-10002', 'ACME', 'Helpdesk 4.2.1', 'fixed', null],
      ['CVE-2026-10002', 'Globex', 'Helpdesk Mobile', 'under_investigation', null],
      ['CVE-2026-10002', 'Globex', 'Ticket Bridge 2.0', 'known_not_affected', 'vulnerable_code_not_present'],
    ]);
    expect(r.unmapped).toEqual([]);
  });

  it('CSAF round trip: product tree, vulnerabilities, statuses, remediations, notes and references are kept', async () => {
    const r = await importStandaloneAdvisory(analyst, { document: csaf });
    expect(r.dryRun).toBe(false);
    expect(r.advisory.trackingId).toMatch(/-SA-\d{4}-\d{4}$/);
    const row = await loadAdvisory(db.db, analyst.actor, r.advisory.trackingId!);
    expect(row).toMatchObject({ state: 'draft', case_id: null, tlp: 'CLEAR', title: sample.content.title });
    const content = row.content as unknown as AdvisoryContent;
    const want = sample.content;
    expect(content.summary).toBe(want.summary);
    expect(content.products).toEqual(want.products);
    // The supplier's own references (its document and page) are external ones here.
    expect(content.references).toEqual([
      { category: 'external', summary: 'The CSAF document', url: sample.csafUrl },
      { category: 'external', summary: 'The advisory page', url: sample.selfUrl },
      ...want.references,
    ]);
    expect(content.notes).toEqual([
      ...want.notes,
      { category: 'other', title: 'Source', text: 'Imported from CSAF document ADV-2026-0001 (Example PSIRT).' },
    ]);
    expect(content.acknowledgements).toEqual(want.acknowledgements);
    const core = (v: Json) => ({
      id: v.id,
      cve: v.cve,
      title: v.title,
      description: v.description,
      cwe: v.cwe,
      cvssV3: v.cvssV3,
      cvssV4: v.cvssV4,
      references: v.references,
      remediations: v.remediations,
      // CSAF carries an affected product's action statement in its remediations (compared above).
      statuses: [...v.statuses]
        .map((x: Json) => ({ ...x, statement: x.status === 'known_affected' ? '' : x.statement }))
        .sort((a: Json, b: Json) => a.productId.localeCompare(b.productId)),
    });
    expect(content.vulnerabilities.map(core)).toEqual(want.vulnerabilities.map(core));
    const audit = await db.db
      .selectFrom('audit_events')
      .select(['action', 'summary'])
      .where('subject_id', '=', row.id)
      .execute();
    expect(audit).toMatchObject([
      { action: 'advisory.import', summary: { format: 'csaf', source: 'ADV-2026-0001', unmapped: 0, tlp: 'CLEAR' } },
    ]);
    // The draft exports as a valid CSAF document again.
    const out = await exportAdvisory(analyst, row.tracking_id, 'csaf');
    expect((out.documents[0] as Json).vulnerabilities).toHaveLength(2);
  });

  it('takes a CVE record and an OSV entry (statements become statuses and remediations)', async () => {
    const cve = await importStandaloneAdvisory(analyst, {
      document: toCveRecord(sample, sample.content.vulnerabilities[1]!, assigner),
      dryRun: true,
    });
    expect(cve.format).toBe('cve');
    expect(cve.vulnerabilities.map((v) => v.cveId)).toEqual(['CVE-2026-10002']);
    expect(cve.products.map((p) => [p.vendor, p.name])).toContainEqual(['ACME', 'Helpdesk']);
    expect(cve.statuses.some((s) => s.status === 'known_affected')).toBe(true);

    const osv = await importStandaloneAdvisory(analyst, {
      document: toOsv(sample, sample.content.vulnerabilities[0]!),
      tlp: 'GREEN',
    });
    expect(osv.advisory).toMatchObject({ tlp: 'GREEN' });
    const row = await loadAdvisory(db.db, analyst.actor, osv.advisory.trackingId!);
    const content = row.content as unknown as AdvisoryContent;
    expect(content.vulnerabilities[0]).toMatchObject({ cve: 'CVE-2026-10001', cwe: 'CWE-79' });
    // OSV names packages, not vendors.
    expect(content.products.map((p) => p.purl)).toContain('pkg:npm/%40acme/helpdesk');
    for (const s of content.vulnerabilities[0]!.statuses.filter((x) => x.status === 'known_affected')) {
      expect(content.vulnerabilities[0]!.remediations.some((m) => m.productIds.includes(s.productId))).toBe(true);
    }
  });

  it('says what it had to add or leave out, with the JSON path', async () => {
    const doc = structuredClone<Json>(csaf);
    const v = doc.vulnerabilities[1];
    delete v.remediations;
    v.references = [{ category: 'external', summary: 'mail', url: 'mailto:psirt@acme.example' }];
    const r = await importStandaloneAdvisory(analyst, { document: doc, dryRun: true });
    expect(r.unmapped).toContainEqual({
      path: '/vulnerabilities/1/references/0/url',
      reason: 'a reference is kept when it is an http(s) address',
    });
    const missing = r.unmapped.find((u) => u.reason.startsWith('the document gives no remediation'));
    expect(missing?.path).toMatch(/^\/vulnerabilities\/1\/product_status\/known_affected\/\d$/);
  });

  it('refuses an invalid document with the validator’s findings, and creates nothing', async () => {
    const before = await count('advisories');
    const doc = structuredClone<Json>(csaf);
    doc.vulnerabilities[0].product_status.known_affected.push('CSAFPID-9999');
    const err = await importStandaloneAdvisory(analyst, { document: doc }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_VALIDATION' });
    const findings = (err as { details: { findings: Json[] } }).details.findings;
    expect(findings.some((f) => f.test === '6.1.1' && f.severity === 'error')).toBe(true);
    expect(await count('advisories')).toBe(before);
  });

  it('POST /api/v1/advisories/imports: staff only; the report and the draft', async () => {
    const app = await makeApp(db, { config });
    try {
      const system = makeCtx(db, { config });
      const vendorUser = await makeUser(system);
      await addMember(system, (await makeOrg(system, { name: 'Initech' })).id, vendorUser.id, 'org_admin');
      const coordinator = await makeUser(system, { role: 'coordinator' });
      const post = async (email: string, body: Json) => {
        const s = await signIn(app, email);
        return app.inject({
          method: 'POST',
          url: '/api/v1/advisories/imports',
          headers: s.headers,
          payload: body,
        });
      };
      expect((await post(vendorUser.email, { document: csaf, dryRun: true })).statusCode).toBe(403);
      const bad = await post(coordinator.email, { document: csaf, tlp: 'PURPLE' });
      expect(bad.statusCode).toBe(400);
      const res = await post(coordinator.email, { document: csaf, tlp: 'AMBER' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ dryRun: false, advisory: { tlp: 'AMBER' } });
      const got = await post(coordinator.email, { document: { not: 'an advisory' } });
      expect(got.statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });
});

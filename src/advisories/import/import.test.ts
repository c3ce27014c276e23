import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { addParticipant, addVulnerability, openCase, setVendorStatus } from '../../cases/commands.ts';
import { addProduct } from '../../directory/commands.ts';
import { createAdvisory, updateAdvisory } from '../commands.ts';
import { exportAdvisory } from '../export.ts';
import { toCsaf } from '../csaf.ts';
import { sampleAdvisory } from '../sample.ts';
import { importIntoCase, type ImportResult } from './commands.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const config = testConfig({
  ACCORD_CVE_ORG_ID: '6b8e2c1a-2f86-4a53-9d4c-3d1c7c5b1e11',
  ACCORD_CVE_SHORT_NAME: 'example',
});

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const corpusDir = path.resolve(repoRoot, process.env.ACCORD_CONFORMANCE_DIR ?? '../shared/testdata');
const csafExamples = path.join(corpusDir, 'csaf-2.0/examples/csaf');

/** Directory products of the two vendors: how OSV packages (which name no vendor) find theirs. */
const directory = {
  ACME: [
    { name: 'Helpdesk', identifier: 'pkg:npm/%40acme/helpdesk' },
    { name: 'Helpdesk Server', identifier: 'pkg:maven/com.acme/helpdesk-server' },
  ],
  Globex: [
    { name: 'Desk', identifier: 'pkg:pypi/globex-desk' },
    { name: 'Ticket Bridge', identifier: 'pkg:pypi/ticket-bridge' },
  ],
} as const;

describe('advisory imports into a case', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let system: Ctx;
  let lead: Ctx;

  beforeAll(async () => {
    db = await createTestDatabase();
  }, 120_000);
  afterAll(async () => db.close());

  /** A fresh instance: ACME and Globex with their directory products, and a coordinator. */
  async function instance() {
    await db.reset();
    system = makeCtx(db, { config });
    const orgs: Record<string, string> = {};
    for (const [name, products] of Object.entries(directory)) {
      const org = await makeOrg(system, { name });
      orgs[name] = org.id;
      for (const p of products) await addProduct(system, org.id, { name: p.name, identifier: p.identifier });
    }
    const coordinator = await makeUser(system, { role: 'coordinator' });
    lead = { ...system, actor: await actorOf(system, coordinator.id) };
    return orgs;
  }

  /** A case with ACME and Globex as vendors; returns the case id and the participant ids by org name. */
  async function caseWithVendors(orgs: Record<string, string>, title = 'Helpdesk family vulnerabilities') {
    const c = await openCase(lead, { title });
    const participants: Record<string, string> = {};
    for (const [name, orgId] of Object.entries(orgs)) {
      participants[name] = (await addParticipant(lead, c.case_id, { orgId, role: 'vendor' })).id;
    }
    return { ref: c.case_id, id: c.id, participants };
  }

  /** The case's vulnerabilities and status matrix, comparable across instances. */
  async function snapshot(caseId: string) {
    const vulnerabilities = await db.db
      .selectFrom('vulnerabilities')
      .select(['cve_id', 'title', 'cwe', 'cvss_v3', 'cvss_v4', 'description'])
      .where('case_id', '=', caseId)
      .orderBy('cve_id')
      .execute();
    const statuses = await db.db
      .selectFrom('vendor_statuses as s')
      .innerJoin('vulnerabilities as v', 'v.id', 's.vulnerability_id')
      .innerJoin('case_participants as p', 'p.id', 's.participant_id')
      .innerJoin('organizations as o', 'o.id', 'p.org_id')
      .select(['v.cve_id', 'o.name', 's.product', 's.status', 's.justification', 's.fixed_versions', 's.statement'])
      .where('s.case_id', '=', caseId)
      .orderBy('v.cve_id')
      .orderBy('o.name')
      .orderBy('s.product')
      .execute();
    return { vulnerabilities, statuses };
  }

  const rows = (s: Awaited<ReturnType<typeof snapshot>>['statuses']) =>
    s.map((r) => [r.cve_id, r.name, r.product, r.status].join(' | '));

  /**
   * The upstream case of the round trips: two vulnerabilities, ACME and Globex, every status.
   * Its advisory is derived from the case, and the editor adds the package URLs OSV needs.
   */
  async function upstreamExports(): Promise<{
    before: Awaited<ReturnType<typeof snapshot>>;
    docs: Record<string, unknown[]>;
  }> {
    const orgs = await instance();
    const c = await caseWithVendors(orgs);
    const v1 = await addVulnerability(lead, c.ref, {
      title: 'Stored XSS in ticket comments',
      description: 'An SVG with an onload handler in a comment runs script in the agent’s browser.',
      cwe: 'CWE-79',
      cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N',
      cveId: 'CVE-2026-10001',
    });
    const v2 = await addVulnerability(lead, c.ref, {
      title: 'Path traversal in attachment download',
      description: 'A crafted attachment name reads files outside the storage folder.',
      cwe: 'CWE-22',
      cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
      cvssV4: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N',
      cveId: 'CVE-2026-10002',
    });
    const acme = c.participants.ACME!;
    const globex = c.participants.Globex!;
    const set = (participantId: string, vulnerabilityId: string, product: string, s: Json) =>
      setVendorStatus(lead, c.ref, { participantId, vulnerabilityId, product, ...s } as Parameters<
        typeof setVendorStatus
      >[2]);
    await set(acme, v1.id, 'Helpdesk', {
      status: 'affected',
      statement: 'Disable comments until you update.',
      fixedVersions: '4.2.1',
      references: ['https://acme.example/fix'],
    });
    await set(acme, v1.id, 'Helpdesk Server', { status: 'fixed', fixedVersions: '3.0.2' });
    await set(globex, v1.id, 'Desk', { status: 'not_affected', justification: 'component_not_present' });
    await set(globex, v1.id, 'Ticket Bridge', { status: 'under_investigation' });
    await set(acme, v2.id, 'Helpdesk', { status: 'fixed', fixedVersions: '4.2.1' });
    await set(globex, v2.id, 'Desk', { status: 'affected', statement: 'Block attachments with ".." in their name.' });
    await set(globex, v2.id, 'Ticket Bridge', {
      status: 'not_affected',
      justification: 'vulnerable_code_not_present',
      statement: 'Bridge stores no attachments.',
    });

    const advisory = await createAdvisory(lead, { caseId: c.ref, tlp: 'CLEAR' });
    const content = advisory.content as unknown as Json;
    const purls = new Map<string, string>(
      Object.values(directory)
        .flat()
        .map((p) => [p.name, p.identifier]),
    );
    for (const p of content.products as Json[]) p.purl = purls.get(p.name as string) ?? null;
    await updateAdvisory(lead, advisory.id, { content, lockVersion: advisory.lock_version });
    const docs: Record<string, unknown[]> = {};
    for (const format of ['csaf', 'cve', 'osv'] as const) {
      docs[format] = (await exportAdvisory(lead, advisory.tracking_id, format)).documents;
    }
    return { before: await snapshot(c.id), docs };
  }

  let upstream: Awaited<ReturnType<typeof upstreamExports>>;
  // Exports load and compile the CSAF validator library first: slow on a busy machine.
  beforeAll(async () => {
    upstream = await upstreamExports();
  }, 280_000);

  /** Imports each document into a fresh case of a fresh instance with the same vendors. */
  async function importFresh(docs: unknown[], dryRun = false) {
    const orgs = await instance();
    const c = await caseWithVendors(orgs, 'Imported from upstream');
    const results: ImportResult[] = [];
    for (const document of docs) results.push(await importIntoCase(lead, c.ref, { document, dryRun }));
    return { c, results, after: await snapshot(c.id) };
  }

  it('the upstream case has what the round trips check', () => {
    expect(rows(upstream.before.statuses)).toEqual([
      'CVE-2026-10001 | ACME | Helpdesk | affected',
      'CVE-2026-10001 | ACME | Helpdesk Server | fixed',
      'CVE-2026-10001 | Globex | Desk | not_affected',
      'CVE-2026-10001 | Globex | Ticket Bridge | under_investigation',
      'CVE-2026-10002 | ACME | Helpdesk | fixed',
      'CVE-2026-10002 | Globex | Desk | affected',
      'CVE-2026-10002 | Globex | Ticket Bridge | not_affected',
    ]);
    expect(upstream.docs.cve).toHaveLength(2);
    expect(upstream.docs.osv).toHaveLength(2);
  });

  function expectSameVulnerabilities(after: Awaited<ReturnType<typeof snapshot>>) {
    const strip = (v: Json) => ({ ...v, description: undefined });
    expect(after.vulnerabilities.map(strip)).toEqual(upstream.before.vulnerabilities.map(strip));
    after.vulnerabilities.forEach((v, i) =>
      expect(v.description.startsWith(upstream.before.vulnerabilities[i]!.description)).toBe(true),
    );
  }

  it('CSAF round trip: the same vulnerabilities, products, statuses, justifications and fixed versions', async () => {
    const { c, results, after } = await importFresh(upstream.docs.csaf!);
    expectSameVulnerabilities(after);
    const full = (s: typeof after.statuses) =>
      s.map((r) =>
        [r.cve_id, r.name, r.product, r.status, r.justification, r.status === 'fixed' ? r.fixed_versions : ''].join(
          ' | ',
        ),
      );
    expect(full(after.statuses)).toEqual(full(upstream.before.statuses));
    expect(results[0]!.unmapped).toEqual([]);
    expect(results[0]!.vendors.map((v) => [v.name, v.matchedBy])).toEqual([
      ['ACME', 'name'],
      ['Globex', 'name'],
    ]);
    // Action and impact statements come back from the remediations and threats.
    const desk = after.statuses.find((s) => s.cve_id === 'CVE-2026-10002' && s.product === 'Desk');
    expect(desk?.statement).toContain('Block attachments with ".." in their name.');
    const bridge = after.statuses.find((s) => s.cve_id === 'CVE-2026-10002' && s.product === 'Ticket Bridge');
    expect(bridge?.statement).toBe('Bridge stores no attachments.');

    // Each status has its history and timeline entry; the import has its summary event and audit entry.
    const history = await db.db.selectFrom('vendor_status_history').select('id').execute();
    expect(history).toHaveLength(7);
    const events = await db.db
      .selectFrom('case_events')
      .select(['kind', 'data'])
      .where('case_id', '=', c.id)
      .orderBy('seq')
      .execute();
    expect(events.filter((e) => e.kind === 'status_changed')).toHaveLength(7);
    expect(events.filter((e) => e.kind === 'vulnerability_added')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({
      kind: 'advisory_imported',
      data: { format: 'csaf', vulnerabilitiesCreated: 2, statusesChanged: 7, unmapped: 0 },
    });
    const audit = await db.db
      .selectFrom('audit_events')
      .select(['action'])
      .where('action', '=', 'case.advisory_import')
      .execute();
    expect(audit).toHaveLength(1);

    // Importing the same document again changes nothing.
    const again = await importIntoCase(lead, c.ref, { document: upstream.docs.csaf![0] });
    expect(again.vulnerabilities.map((v) => v.action)).toEqual(['matched', 'matched']);
    expect(again.statuses.every((s) => s.action === 'unchanged')).toBe(true);
    expect(await db.db.selectFrom('vendor_status_history').select('id').execute()).toHaveLength(7);
  });

  it('CVE round trip: the same vulnerabilities, products and statuses (CVE records carry no VEX justification)', async () => {
    const { results, after } = await importFresh(upstream.docs.cve!);
    expectSameVulnerabilities(after);
    expect(rows(after.statuses)).toEqual(rows(upstream.before.statuses));
    const fixed = (s: typeof after.statuses) => s.filter((r) => r.status === 'fixed').map((r) => r.fixed_versions);
    expect(fixed(after.statuses)).toEqual(fixed(upstream.before.statuses));
    expect(after.statuses.filter((s) => s.status === 'not_affected').map((s) => s.statement)).toEqual([
      'Not affected according to CVE record CVE-2026-10001 (example), which gives no justification.',
      'Not affected according to CVE record CVE-2026-10002 (example), which gives no justification.',
    ]);
    expect(results.flatMap((r) => r.unmapped)).toEqual([]);
  });

  it('OSV round trip: the same vulnerabilities and the affected and fixed packages (OSV has no other statuses)', async () => {
    const { results, after } = await importFresh(upstream.docs.osv!);
    expectSameVulnerabilities(after);
    const kept = upstream.before.statuses.filter((s) => s.status === 'affected' || s.status === 'fixed');
    expect(rows(after.statuses)).toEqual(rows(kept));
    const fixed = (s: typeof after.statuses) => s.filter((r) => r.status === 'fixed').map((r) => r.fixed_versions);
    expect(fixed(after.statuses)).toEqual(fixed(kept));
    // OSV names no vendor: each package found its vendor by its package URL in the directory.
    expect(results.map((r) => r.vendors.map((v) => `${v.orgName} by ${v.matchedBy}`))).toEqual([
      ['ACME by identifier'],
      ['ACME by identifier', 'Globex by identifier'],
    ]);
    expect(results.flatMap((r) => r.unmapped)).toEqual([]);
  });

  it('stores the affected range an OSV record gives, canonical, in the status and its history', async () => {
    const orgs = await instance();
    const c = await caseWithVendors(orgs, 'Ranges from upstream');
    const osv = (id: string, affected: Json[]) => ({
      schema_version: '1.6.0',
      id,
      modified: '2026-11-01T00:00:00Z',
      summary: 'Prototype pollution in the helpdesk merge helper',
      aliases: [`CVE-2026-2${id.slice(-4)}`],
      affected,
    });
    const npm = { ecosystem: 'npm', name: '@acme/helpdesk', purl: 'pkg:npm/%40acme/helpdesk' };
    const first = await importIntoCase(lead, c.ref, {
      document: osv('OSV-2026-0001', [
        { package: npm, ranges: [{ type: 'SEMVER', events: [{ introduced: '4.0.0' }, { fixed: '4.2.1' }] }] },
      ]),
    });
    expect(first.unmapped).toEqual([]);
    const second = await importIntoCase(lead, c.ref, {
      document: osv('OSV-2026-0002', [
        {
          package: { ecosystem: 'PyPI', name: 'globex-desk', purl: 'pkg:pypi/globex-desk' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '2.1' }] }],
          versions: ['2.0', '2.1'],
        },
      ]),
    });
    const stored = await db.db
      .selectFrom('vendor_statuses')
      .select(['product', 'status', 'fixed_versions', 'affected_range'])
      .where('case_id', '=', c.id)
      .orderBy('product')
      .execute();
    expect(stored).toEqual([
      {
        product: 'Desk',
        status: 'affected',
        fixed_versions: '',
        affected_range: expect.stringMatching(/^vers:pypi\//),
      },
      { product: 'Helpdesk', status: 'fixed', fixed_versions: '4.2.1', affected_range: 'vers:npm/>=4.0.0|<4.2.1' },
    ]);
    expect(second.unmapped).toEqual([]);
    const history = await db.db
      .selectFrom('vendor_status_history as h')
      .innerJoin('vendor_statuses as s', 's.id', 'h.status_id')
      .select(['s.product', 'h.affected_range'])
      .where('s.case_id', '=', c.id)
      .where('s.product', '=', 'Helpdesk')
      .execute();
    expect(history.map((h) => h.affected_range)).toEqual(['vers:npm/>=4.0.0|<4.2.1']);
  });

  it('a dry run answers the plan and the unmapped report and changes nothing', async () => {
    const orgs = await instance();
    const c = await openCase(lead, { title: 'Only ACME takes part' });
    await addParticipant(lead, c.case_id, { orgId: orgs.ACME!, role: 'vendor' });
    const count = async () =>
      Promise.all(
        (['vulnerabilities', 'vendor_statuses', 'case_events', 'case_participants', 'audit_events'] as const).map(
          async (t) =>
            (await db.db.selectFrom(t).select(db.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
        ),
      );
    const before = await count();
    const r = await importIntoCase(lead, c.case_id, { document: upstream.docs.csaf![0], dryRun: true });
    expect(await count()).toEqual(before);
    expect(r.dryRun).toBe(true);
    expect(r.vulnerabilities).toEqual([
      expect.objectContaining({ cveId: 'CVE-2026-10001', action: 'created', id: null }),
      expect.objectContaining({ cveId: 'CVE-2026-10002', action: 'created', id: null }),
    ]);
    expect(r.statuses.map((s) => `${s.vendor} ${s.product} ${s.status} ${s.action}`)).toEqual([
      'ACME Helpdesk affected created',
      'ACME Helpdesk Server fixed created',
      'ACME Helpdesk fixed created',
    ]);
    // Globex is not a participant: its four statuses are reported, and it is not invited.
    expect(r.unmapped).toHaveLength(4);
    expect(
      r.unmapped.every((u) =>
        u.reason.startsWith('vendor "Globex" is in the directory but not a vendor participant of the case'),
      ),
    ).toBe(true);
    expect(r.unmapped.map((u) => u.path)).toContain('/vulnerabilities/0/product_status/known_not_affected/0');
  });

  it('refuses an invalid document with the validator findings, and OpenVEX', async () => {
    const orgs = await instance();
    const c = await caseWithVendors(orgs);
    const broken = toCsaf(sampleAdvisory());
    (broken.vulnerabilities as Json[])[0]!.cve = 'CVE-2026-10002'; // the same CVE twice: CSAF test 6.1.23
    await expect(importIntoCase(lead, c.ref, { document: broken })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringMatching(/^the CSAF 2\.0 document is not valid, so nothing was imported: .*6\.1\.23/),
      details: { format: 'csaf', findings: expect.arrayContaining([expect.objectContaining({ test: '6.1.23' })]) },
    });
    await expect(importIntoCase(lead, c.ref, { document: { hello: 'world' } })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
    await expect(
      importIntoCase(lead, c.ref, {
        document: {
          '@context': 'https://openvex.dev/ns/v0.2.0',
          '@id': 'x',
          author: 'a',
          timestamp: 't',
          version: 1,
          statements: [],
        },
      }),
    ).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringContaining('OpenVEX documents are not imported'),
    });
    expect(await db.db.selectFrom('vulnerabilities').select('id').execute()).toEqual([]);
  });

  it('a CVE id of another case is reported, with its statuses, not taken over', async () => {
    const orgs = await instance();
    const other = await caseWithVendors(orgs, 'The case that owns the CVE');
    await addVulnerability(lead, other.ref, { title: 'Owned elsewhere', cveId: 'CVE-2026-10001' });
    const c = await caseWithVendors(orgs);
    const r = await importIntoCase(lead, c.ref, { document: upstream.docs.cve![0] });
    expect(r.vulnerabilities).toEqual([]);
    expect(r.unmapped[0]).toEqual({
      path: '',
      reason: 'CVE-2026-10001 is already a vulnerability of another case: a CVE id belongs to one case',
    });
    expect(r.unmapped.slice(1).every((u) => u.reason === 'its vulnerability could not be imported')).toBe(true);
    expect(r.statuses).toEqual([]);
  });

  it('only the case lead and coordinators import; a participant is refused, a stranger told nothing exists', async () => {
    const orgs = await instance();
    const c = await caseWithVendors(orgs);
    const analyst = await makeUser(system, { role: 'analyst' });
    const vendor = await makeUser(system);
    await addMember(system, orgs.ACME!, vendor.id, 'org_admin');
    const as = async (userId: string) => ({ ...system, actor: await actorOf(system, userId) });
    const document = upstream.docs.osv![0];
    await expect(importIntoCase(await as(analyst.id), c.ref, { document })).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    await expect(importIntoCase(await as(vendor.id), c.ref, { document })).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    const stranger = await makeUser(system);
    await addMember(system, (await makeOrg(system, { name: 'Initech' })).id, stranger.id, 'org_admin');
    await expect(importIntoCase(await as(stranger.id), c.ref, { document })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    await expect(importIntoCase(lead, 'ACC-2026-9999', { document })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('over HTTP: POST /api/v1/cases/:ref/imports answers the report; a dry run first', async () => {
    const orgs = await instance();
    const c = await caseWithVendors(orgs);
    const app = await makeApp(db, { config });
    try {
      const coordinator = await makeUser(system, { role: 'coordinator' });
      const session = await signIn(app, coordinator.email);
      const post = (payload: object) =>
        app.inject({ method: 'POST', url: `/api/v1/cases/${c.ref}/imports`, headers: session.headers, payload });
      const dry = await post({ document: upstream.docs.osv![0], dryRun: true });
      expect(dry.statusCode).toBe(200);
      expect(dry.json<Json>()).toMatchObject({ dryRun: true, format: 'osv', unmapped: [] });
      const applied = await post({ document: upstream.docs.osv![0] });
      expect(applied.statusCode).toBe(200);
      expect(applied.json<Json>()).toMatchObject({
        dryRun: false,
        source: { id: expect.stringMatching(/^x_/) },
        vulnerabilities: [{ cveId: 'CVE-2026-10001', action: 'created', id: expect.any(String) }],
        statuses: [
          { vendor: 'ACME', product: 'Helpdesk', status: 'affected', action: 'created' },
          { vendor: 'ACME', product: 'Helpdesk Server', status: 'fixed', fixedVersions: '3.0.2', action: 'created' },
        ],
      });
      const invalid = await post({ document: { id: 'OSV-1', modified: 'yesterday' } });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json<Json>().error).toMatchObject({
        code: 'ERR_VALIDATION',
        details: { format: 'osv', findings: expect.arrayContaining([expect.objectContaining({ path: '/modified' })]) },
      });
    } finally {
      await app.close();
    }
  });

  it.skipIf(!fs.existsSync(csafExamples))(
    'a dry run of an OASIS CSAF example into a case without its vendors reports every status',
    async () => {
      const orgs = await instance();
      const c = await caseWithVendors(orgs);
      const document = JSON.parse(fs.readFileSync(path.join(csafExamples, 'bsi-2022-0001.json'), 'utf8')) as Json;
      const r = await importIntoCase(lead, c.ref, { document, dryRun: true });
      expect(r.statuses).toEqual([]);
      const statusCount = Object.values(document.vulnerabilities[0].product_status as Record<string, string[]>).flat()
        .length;
      expect(r.unmapped).toHaveLength(statusCount);
    },
  );
});

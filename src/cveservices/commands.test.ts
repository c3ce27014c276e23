import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { actorOf, makeCtx, makeOrg, makeUser, addMember, testConfig } from '../../tests/support/factories.ts';
import type { Ctx } from '../app/context.ts';
import { advisoryAction, createAdvisory, updateAdvisory } from '../advisories/commands.ts';
import { renderExport } from '../advisories/export.ts';
import { advisoryDocument } from '../advisories/queries.ts';
import { sampleAdvisory } from '../advisories/sample.ts';
import { addVulnerability, openCase } from '../cases/commands.ts';
import type { Config } from '../config/config.ts';
import { CveServicesClient } from './client.ts';
import { publishCveRecord, rejectCveId, reserveCveIds, syncCveIds } from './commands.ts';
import { listReservations } from './queries.ts';
import { startCveServicesStandIn, type CveServicesStandIn } from './standin.ts';

const ORG_ID = '6b8e2c1a-2f86-4a53-9d4c-3d1c7c5b1e11';
const KEY = 'stand-in-api-key';

describe('CVE Services commands (against the stand-in)', { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let standIn: CveServicesStandIn;
  let config: Config;
  let lead: Ctx;
  let coordinator: Ctx;
  let viewer: Ctx;
  let outsider: Ctx;
  const year = new Date().getUTCFullYear();

  beforeAll(async () => {
    db = await createTestDatabase();
    standIn = await startCveServicesStandIn({
      orgs: [{ shortName: 'example', orgId: ORG_ID, users: [{ username: 'psirt@example.org', key: KEY }] }],
    });
    config = testConfig({
      ACCORD_CVE_ORG_ID: ORG_ID,
      ACCORD_CVE_SHORT_NAME: 'example',
      ACCORD_CVE_SERVICES_URL: standIn.url,
      ACCORD_CVE_SERVICES_USER: 'psirt@example.org',
      ACCORD_CVE_SERVICES_KEY: KEY,
    });
  });
  afterAll(async () => {
    await standIn.close();
    await db.close();
  });
  beforeEach(async () => {
    await db.reset();
    standIn.ids.clear();
    standIn.records.clear();
    standIn.requests.length = 0;
    const base = makeCtx(db, { config });
    const as = async (role: string | null) => ({
      ...base,
      actor: await actorOf(base, (await makeUser(base, { role })).id),
    });
    lead = await as('analyst');
    coordinator = await as('coordinator');
    viewer = await as('viewer');
    outsider = await as(null);
    const org = await makeOrg(base, { name: 'ACME' });
    await addMember(base, org.id, (outsider.actor as { userId: string }).userId, 'org_admin');
    outsider = { ...base, actor: await actorOf(base, (outsider.actor as { userId: string }).userId) };
  });

  async function caseWithVulnerability(ctx: Ctx) {
    const c = await openCase(ctx, { title: 'Helpdesk XSS' });
    const v = await addVulnerability(ctx, c.case_id, { title: 'Stored XSS', description: 'Script in tickets.' });
    return { c, v };
  }

  /** A standalone advisory carrying `cve`, taken through review to approval. */
  async function approvedAdvisory(cve: string, opts: { tlp?: string } = {}) {
    const sample = sampleAdvisory();
    const content = {
      ...sample.content,
      vulnerabilities: sample.content.vulnerabilities.map((v, i) => ({ ...v, cve: i === 0 ? cve : null })),
    };
    const a = await createAdvisory(lead, { tlp: opts.tlp ?? 'CLEAR', content });
    await advisoryAction(lead, a.id, 'submit');
    return advisoryAction(coordinator, a.id, 'approve');
  }

  it('reserves an id for a case vulnerability (the case lead) and stores it on the vulnerability', async () => {
    const { c, v } = await caseWithVulnerability(lead);
    const { reservations, fromPool } = await reserveCveIds(lead, { caseRef: c.case_id, vulnerabilityId: v.id });
    expect(fromPool).toBe(false);
    expect(reservations).toHaveLength(1);
    const cveId = reservations[0]!.cve_id;
    expect(cveId).toMatch(new RegExp(`^CVE-${year}-\\d+$`));
    expect(reservations[0]).toMatchObject({ state: 'RESERVED', vulnerability_id: v.id });
    const stored = await db.db.selectFrom('vulnerabilities').select('cve_id').where('id', '=', v.id).executeTakeFirst();
    expect(stored?.cve_id).toBe(cveId);
    expect(standIn.ids.get(cveId)?.state).toBe('RESERVED');
    const event = await db.db
      .selectFrom('case_events')
      .select('kind')
      .where('case_id', '=', c.id)
      .where('kind', '=', 'cve_reserved')
      .executeTakeFirst();
    expect(event).toBeDefined();
    const audit = await db.db.selectFrom('audit_events').selectAll().where('action', '=', 'cve.reserve').execute();
    expect(audit).toHaveLength(1);

    // A second reservation for it is refused; the case's other staff and outsiders are refused too.
    await expect(reserveCveIds(lead, { vulnerabilityId: v.id })).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    const other = await addVulnerability(lead, c.case_id, { title: 'Path traversal' });
    await expect(reserveCveIds(viewer, { vulnerabilityId: other.id })).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    await expect(reserveCveIds(outsider, { vulnerabilityId: other.id })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    await expect(reserveCveIds(lead, { caseRef: 'CASE-1999-0001', vulnerabilityId: other.id })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    await expect(reserveCveIds(lead, { vulnerabilityId: other.id, amount: 2 })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
  });

  it('reserves a pool (coordinators only) that vulnerabilities draw from before reserving new ids', async () => {
    await expect(reserveCveIds(lead, { amount: 2 })).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    const pool = await reserveCveIds(coordinator, { amount: 3, year });
    expect(pool.reservations.map((r) => r.cve_id)).toHaveLength(3);
    const reserveCalls = () => standIn.requests.filter((r) => r.method === 'POST' && r.path === '/api/cve-id').length;
    expect(reserveCalls()).toBe(1);

    const { v } = await caseWithVulnerability(lead);
    const taken = await reserveCveIds(lead, { vulnerabilityId: v.id });
    expect(taken.fromPool).toBe(true);
    expect(taken.reservations[0]!.cve_id).toBe(pool.reservations[0]!.cve_id);
    expect(reserveCalls()).toBe(1);

    const page = await listReservations(db.db, coordinator.actor, {});
    expect(page.items).toHaveLength(3);
    expect(page.items.find((i) => i.vulnerabilityId === v.id)?.caseRef).toMatch(/^CASE-/);
    expect((await listReservations(db.db, outsider.actor, {})).items).toHaveLength(0);
  });

  it('publishes the CVE record of an approved TLP:CLEAR advisory, then updates it', async () => {
    const { reservations } = await reserveCveIds(coordinator, { amount: 1 });
    const cveId = reservations[0]!.cve_id;
    const sample = sampleAdvisory();
    const draft = await createAdvisory(lead, {
      tlp: 'CLEAR',
      content: { ...sample.content, vulnerabilities: [{ ...sample.content.vulnerabilities[0]!, cve: cveId }] },
    });
    await expect(publishCveRecord(coordinator, cveId, { advisory: draft.id })).rejects.toMatchObject({
      code: 'ERR_ILLEGAL_TRANSITION',
    });
    await advisoryAction(lead, draft.id, 'submit');
    await advisoryAction(coordinator, draft.id, 'approve');
    // Publishing is the advisory:publish permission: the analyst author may not.
    await expect(publishCveRecord(lead, cveId, { advisory: draft.id })).rejects.toMatchObject({
      code: 'ERR_FORBIDDEN',
    });
    await expect(publishCveRecord(outsider, cveId, { advisory: draft.id })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });

    const created = await publishCveRecord(coordinator, cveId, { advisory: draft.tracking_id });
    expect(created.action).toBe('created');
    const rec = standIn.records.get(cveId) as {
      cveMetadata: { state: string };
      containers: { cna: { title: string } };
    };
    expect(rec.cveMetadata.state).toBe('PUBLISHED');
    expect(rec.containers.cna.title).toBe(sample.content.vulnerabilities[0]!.title);
    const row = await db.db.selectFrom('cve_reservations').selectAll().where('cve_id', '=', cveId).executeTakeFirst();
    expect(row).toMatchObject({ state: 'PUBLISHED', advisory_id: draft.id });

    const again = await publishCveRecord(coordinator, cveId, { advisory: draft.id });
    expect(again.action).toBe('updated');
    expect(standIn.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    const audit = await db.db.selectFrom('audit_events').select('action').where('action', '=', 'cve.publish').execute();
    expect(audit).toHaveLength(2);
  });

  it('retries safely: a record the service has but Accord did not record is updated in place', async () => {
    const client = new CveServicesClient(config.cveServices!);
    // The service reserved and published, and recording failed: Accord knows nothing of the id.
    const [id] = (await client.reserve({ amount: 1, year })).ids;
    const a = await approvedAdvisory(id!.cveId);
    const doc = await advisoryDocument(db.db, config, a, new Date());
    const cna = (await renderExport(doc, 'cve-cna', { vulnerability: id!.cveId, cve: config.cve })).documents[0];
    await client.publish(id!.cveId, cna as Record<string, unknown>);

    const result = await publishCveRecord(coordinator, id!.cveId, { advisory: a.id });
    expect(result.action).toBe('updated');
    expect(
      await db.db.selectFrom('cve_reservations').select('state').where('cve_id', '=', id!.cveId).executeTakeFirst(),
    ).toEqual({ state: 'PUBLISHED' });

    // Ids reserved but not recorded are recorded by sync, then used by the next vulnerability.
    const [lost] = (await client.reserve({ amount: 1, year })).ids;
    await expect(syncCveIds(lead)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    const synced = await syncCveIds(coordinator);
    expect(synced.added).toEqual([id!.cveId, lost!.cveId].sort().filter((x) => x !== id!.cveId));
    const { v } = await caseWithVulnerability(lead);
    const taken = await reserveCveIds(lead, { vulnerabilityId: v.id });
    expect(taken).toMatchObject({ fromPool: true, reservations: [{ cve_id: lost!.cveId }] });
  });

  it('never sends the record of a TLP:AMBER advisory or of a case still under embargo', async () => {
    const { reservations } = await reserveCveIds(coordinator, { amount: 2 });
    const amber = await approvedAdvisory(reservations[0]!.cve_id, { tlp: 'AMBER' });
    await expect(publishCveRecord(coordinator, reservations[0]!.cve_id, { advisory: amber.id })).rejects.toThrow(
      /TLP:AMBER/,
    );

    const { c, v } = await caseWithVulnerability(lead);
    const cveId = (await reserveCveIds(lead, { vulnerabilityId: v.id })).reservations[0]!.cve_id;
    const linked = await createAdvisory(lead, { caseId: c.case_id, tlp: 'CLEAR' });
    const sample = sampleAdvisory();
    await updateAdvisory(lead, linked.id, {
      lockVersion: linked.lock_version,
      content: { ...sample.content, vulnerabilities: [{ ...sample.content.vulnerabilities[0]!, cve: cveId }] },
    });
    await advisoryAction(lead, linked.id, 'submit');
    await advisoryAction(coordinator, linked.id, 'approve');
    const err = await publishCveRecord(coordinator, cveId, { vulnerabilityId: v.id }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_ILLEGAL_TRANSITION' });
    expect(String((err as Error).message)).toContain('still embargoed');
    // A standalone advisory naming the embargoed case's CVE id is refused as well.
    const standalone = await approvedAdvisory(cveId);
    await expect(publishCveRecord(coordinator, cveId, { advisory: standalone.id })).rejects.toThrow(
      `case ${c.case_id} is still embargoed`,
    );
    expect(standIn.records.size).toBe(0);
    expect(standIn.requests.filter((r) => r.path.startsWith('/api/cve/'))).toHaveLength(0);
  });

  it('rejects a reserved id, and is off without configuration', async () => {
    const { c, v } = await caseWithVulnerability(lead);
    const cveId = (await reserveCveIds(lead, { caseRef: c.case_id, vulnerabilityId: v.id })).reservations[0]!.cve_id;
    await expect(rejectCveId(lead, cveId, 'Reserved by mistake.')).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    const row = await rejectCveId(coordinator, cveId, 'Reserved by mistake.');
    expect(row.state).toBe('REJECTED');
    expect(standIn.ids.get(cveId)?.state).toBe('REJECTED');
    const stored = await db.db.selectFrom('vulnerabilities').select('cve_id').where('id', '=', v.id).executeTakeFirst();
    expect(stored?.cve_id).toBeNull();

    const off = { ...coordinator, config: testConfig() };
    await expect(reserveCveIds(off, { amount: 1 })).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    expect(() => testConfig({ ACCORD_CVE_SERVICES_URL: 'http://cve.example.org/api' })).toThrow(
      /must be https:\/\/[\s\S]*ACCORD_CVE_SERVICES_USER/,
    );
  });
});

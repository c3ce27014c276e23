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
  testClock,
  type Clock,
  type Session,
} from '../../tests/support/factories.ts';
import { sampleReport } from '../../tests/support/reports.ts';
import type { Ctx } from '../app/context.ts';
import { addParticipant, openCase } from '../cases/commands.ts';
import { recordCaseState } from '../embargo/commands.ts';
import type { UserRow } from '../db/schema.ts';
import { actorOf } from '../../tests/support/factories.ts';
import {
  addFinderMessage,
  addStaffMessage,
  assignReport,
  submitReport,
  transitionReport,
} from '../reports/commands.ts';
import { SLA_ALERT_JOB, slaAlertJob, sweepSlaAlerts } from '../slapolicy/commands.ts';
import { reportFacts } from '../slapolicy/rules.ts';
import { recomputeMetrics } from './commands.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * One constructed timeline through the real commands (UTC calendar, Monday to Friday):
 * - report 1, Mon 2 Nov 08:00: a question at 10:00 (acknowledged; triage paused), the finder
 *   answers Tue 10:00, validated Wed 10:00 (2 1/12 business days), accepted Thu 10:00; a case is opened
 *   from it with vendor ACME; V Fri 6 Nov 10:00, F Mon 9 Nov 10:00, P Wed 11 Nov 10:00;
 * - report 2, Mon 2 Nov 08:00, assigned to the analyst, never answered: its acknowledgement
 *   (3 business days) is breached from Fri 6 Nov 00:00, its triage (10) at risk from Thu 12 Nov 20:48
 *   (80 % of 16 h + 10 × 24 h).
 */
describe('metrics and SLA clocks derived from recorded events', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let clock: Clock;
  let ctx: Ctx;
  let admin: Session;
  let adminEmail: string;
  let analystSession: Session;
  let analyst: UserRow;
  let lead: UserRow;
  let report1: { id: string; tracking_id: string };
  let report2: { id: string; tracking_id: string };
  let caseId: string;

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });
  const at = (iso: string) => clock.set(new Date(iso));

  beforeAll(async () => {
    db = await createTestDatabase();
    clock = testClock(new Date('2026-11-02T08:00:00Z'));
    app = await makeApp(db, { clock });
    ctx = makeCtx(db, { clock });
    const adminUser = await makeUser(ctx, { role: 'admin' });
    analyst = await makeUser(ctx, { role: 'analyst', name: 'Ana Lyst' });
    lead = await makeUser(ctx, { role: 'coordinator', name: 'Lea Coordinator' });
    const acme = await makeOrg(ctx, { name: 'ACME' });
    const vendorUser = await makeUser(ctx);
    await addMember(ctx, acme.id, vendorUser.id, 'member');

    const anon = { ...ctx, actor: { kind: 'anonymous' as const } };
    report1 = (await submitReport(anon, sampleReport(), { channel: 'api', submittedEncrypted: false })).report;
    report2 = (
      await submitReport(anon, sampleReport({ title: 'SQL injection in the search box of Helpdesk' }), {
        channel: 'api',
        submittedEncrypted: false,
      })
    ).report;
    const asAnalyst = { ...ctx, actor: await actorOf(ctx, analyst.id) };
    const asLead = { ...ctx, actor: await actorOf(ctx, lead.id) };
    await assignReport(asAnalyst, report2.tracking_id, analyst.id);
    at('2026-11-02T10:00:00Z');
    await addStaffMessage(asAnalyst, report1.tracking_id, {
      body: 'Which version did you test?',
      visibility: 'shared',
      kind: 'question',
    });
    at('2026-11-03T10:00:00Z');
    const link = { kind: 'report_link' as const, reportId: report1.id, trackingId: report1.tracking_id };
    await addFinderMessage({ ...ctx, actor: link }, report1.tracking_id, { body: 'Version 4.2.0.' }, 'web');
    at('2026-11-04T10:00:00Z');
    await transitionReport(asAnalyst, report1.tracking_id, { event: 'validate' });
    at('2026-11-05T10:00:00Z');
    await transitionReport(asAnalyst, report1.tracking_id, { event: 'accept' });
    const c = await openCase(asLead, { title: 'Stored XSS in Helpdesk', reportIds: [report1.id] });
    caseId = c.case_id;
    const vendor = await addParticipant(asLead, caseId, { orgId: acme.id, role: 'vendor' });
    at('2026-11-06T10:00:00Z');
    await recordCaseState(asLead, caseId, { event: 'V', participantId: vendor.id });
    at('2026-11-09T10:00:00Z');
    await recordCaseState(asLead, caseId, { event: 'F', participantId: vendor.id });
    at('2026-11-11T10:00:00Z');
    await recordCaseState(asLead, caseId, { event: 'P' });
    at('2026-11-11T11:00:00Z');
    // Signed in now: a session from 2 November would have expired on the moved clock.
    adminEmail = adminUser.email;
    admin = await signIn(app, adminEmail);
    analystSession = await signIn(app, analyst.email);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('the full recomputation derives per-item facts that match the pure rules on the same events', async () => {
    const run = await recomputeMetrics(ctx);
    expect(run).toMatchObject({ reports: 2, cases: 1, vendors: 1, clocks: 6 });
    const r1 = await db.db
      .selectFrom('metric_reports')
      .selectAll()
      .where('report_id', '=', report1.id)
      .executeTakeFirstOrThrow();
    expect(r1.acknowledged_at?.toISOString()).toBe('2026-11-02T10:00:00.000Z');
    expect(r1.triaged_at?.toISOString()).toBe('2026-11-04T10:00:00.000Z');
    expect(r1.ack_business_days).toBeCloseTo(2 / 24, 9);
    expect(r1.triage_business_days).toBeCloseTo(2 + 2 / 24, 9); // Mon 16 of 24 h + Tue + Wed 10 of 24 h
    expect(r1).toMatchObject({ valid: true, ack_sla: 'met', triage_sla: 'met', severity: 'high', cwe: 'CWE-79' });
    const events = await db.db
      .selectFrom('report_events')
      .select(['kind', 'to_state', 'created_at'])
      .where('report_id', '=', report1.id)
      .execute();
    const facts = reportFacts(events);
    expect(r1.acknowledged_at).toEqual(facts.acknowledgedAt);
    expect(r1.triaged_at).toEqual(facts.triagedAt);
    expect(facts.awaitingFinder).toEqual([
      { from: new Date('2026-11-02T10:00:00Z'), to: new Date('2026-11-03T10:00:00Z') },
    ]);

    const c = await db.db.selectFrom('metric_cases').selectAll().executeTakeFirstOrThrow();
    expect(c).toMatchObject({
      label: caseId,
      severity: 'high',
      remediation_sla: 'met',
      release_sla: 'met',
      fix_before_public: true,
      desiderata_met: 8,
      desiderata_violated: 1, // D before P: the fix was not deployed before publication
    });
    expect(c.first_report_at.toISOString()).toBe('2026-11-02T08:00:00.000Z');
    expect(c.vendor_aware_at?.toISOString()).toBe('2026-11-06T10:00:00.000Z');
    expect(c.fix_ready_at?.toISOString()).toBe('2026-11-09T10:00:00.000Z');
    expect(c.public_at?.toISOString()).toBe('2026-11-11T10:00:00.000Z');
    expect(c.desiderata['F before P']).toBe('met');
    expect(c.desiderata['D before P']).toBe('violated');
  });

  it('the dashboard API: known figures, filters, CSV and JSON export', async () => {
    const res = await call('GET', '/api/v1/metrics/summary', analystSession);
    expect(res.statusCode).toBe(200);
    const s = res.json<Json>();
    expect(s.counts).toEqual({ reports: 2, cases: 1, vendorParticipations: 1 });
    expect(s.timeToAcknowledge.hours).toMatchObject({ count: 1, median: 2 });
    expect(s.timeToTriage.businessDays).toMatchObject({ count: 1, median: 2.083 });
    expect(s.reportToPublicDays.median).toBeCloseTo(9 + 2 / 24, 3);
    expect(s.vendorAwareToFixReadyDays.median).toBe(3);
    expect(s.fixReadyToPublicDays.median).toBe(2);
    expect(s.slaAdherence.acknowledge).toEqual({ met: 1, breached: 1, open: 0, rate: 0.5 });
    expect(s.vendors).toMatchObject({ notified: 1, answered: 1, silent: 0, silentShare: 0 });
    expect(s.vendors.firstAnswerDays.median).toBe(1);
    expect(s.finders.distinctFinders).toBe(1);
    expect(s.finders.returningFinders).toBe(1);
    expect(s.desiderata.fixBeforePublic).toEqual({ met: 1, violated: 0, pending: 0 });

    const owned = (await call('GET', `/api/v1/metrics/summary?owner=${analyst.id}`, admin)).json<Json>();
    expect(owned.counts).toEqual({ reports: 1, cases: 0, vendorParticipations: 0 });
    const none = (await call('GET', '/api/v1/metrics/summary?product=no-such-product', admin)).json<Json>();
    expect(none.counts.reports).toBe(0);
    const later = (await call('GET', '/api/v1/metrics/summary?from=2026-11-03', admin)).json<Json>();
    expect(later.counts).toEqual({ reports: 0, cases: 0, vendorParticipations: 0 });
    const bad = await call('GET', '/api/v1/metrics/summary?from=last-week', admin);
    expect(bad.statusCode).toBe(400);
    expect(bad.json<Json>().error.details.field).toBe('from');

    const csv = await call('GET', '/api/v1/metrics/export?format=csv&dataset=reports', admin);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('trackingId');
    expect(csv.body).toContain(report1.tracking_id);
    const summaryCsv = await call('GET', '/api/v1/metrics/export?format=csv', admin);
    expect(summaryCsv.body).toContain('timeToAcknowledge.hours.median,2');
    const json = await call('GET', '/api/v1/metrics/export?format=json&dataset=cases', admin);
    expect(json.json<Json[]>()[0]).toMatchObject({ label: caseId, fixBeforePublic: true });
    const owners = (await call('GET', '/api/v1/metrics/owners', admin)).json<Json>();
    expect(owners.items.map((o: Json) => o.name).sort()).toEqual(['Ana Lyst', 'Lea Coordinator']);
  });

  it('at-risk and breached lists; each threshold crossing alerts the assignee exactly once', async () => {
    const breached = (await call('GET', '/api/v1/sla/clocks?state=breached', analystSession)).json<Json>();
    expect(breached.items.map((c: Json) => `${c.label}/${c.stage}`)).toEqual([`${report2.tracking_id}/acknowledge`]);
    expect(breached.items[0]).toMatchObject({
      state: 'breached',
      ownerName: 'Ana Lyst',
      dueAt: '2026-11-06T00:00:00.000Z',
    });
    expect((await call('GET', '/api/v1/sla/clocks?state=at_risk', admin)).json<Json>().items).toEqual([]);

    const alertJobs = () =>
      db.db.selectFrom('jobs').select(['payload', 'unique_key']).where('kind', '=', SLA_ALERT_JOB).execute();
    expect(await sweepSlaAlerts(ctx)).toBe(1);
    expect(await sweepSlaAlerts(ctx)).toBe(0);
    await recomputeMetrics(ctx);
    expect(await sweepSlaAlerts(ctx)).toBe(0);
    const jobs = await alertJobs();
    expect(jobs).toHaveLength(1);
    await slaAlertJob(ctx, jobs[0]!.payload);
    const mails = await db.db
      .selectFrom('outbox')
      .selectAll()
      .where('to_address', '=', analyst.email)
      .where('subject', 'like', '%SLA%')
      .execute();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`[${report2.tracking_id}] SLA breached: acknowledge`);
    expect(mails[0]!.body_text).toContain('Due: 2026-11-06T00:00:00.000Z');
    expect(mails[0]!.body_text).not.toContain('SQL injection'); // a notice: no report content

    // Friday 13 November, 06:00: triage has used more than 80 % of its 10 business days.
    at('2026-11-13T06:00:00Z');
    analystSession = await signIn(app, analyst.email); // a fresh session on the moved clock
    admin = await signIn(app, adminEmail);
    const risky = (await call('GET', '/api/v1/sla/clocks?state=at_risk&mine=true', analystSession)).json<Json>();
    expect(risky.items.map((c: Json) => c.stage)).toEqual(['triage']);
    expect(await sweepSlaAlerts(ctx)).toBe(1);
    expect(await sweepSlaAlerts(ctx)).toBe(0);
    expect(await alertJobs()).toHaveLength(2);
  });

  it('admins edit policies and the calendar (audited); the next recomputation applies them', async () => {
    const refused = await call('PUT', '/api/v1/sla/policies', analystSession, { policies: [] });
    expect(refused.statusCode).toBe(403);
    const invalid = await call('PUT', '/api/v1/sla/calendar', admin, { timeZone: 'Mars/Olympus' });
    expect(invalid.statusCode).toBe(400);
    const res = await call('PUT', '/api/v1/sla/policies', admin, {
      policies: [
        { stage: 'acknowledge', severity: 'any', targetBusinessDays: 10, atRiskFraction: 0.9 },
        { stage: 'triage', severity: 'high', targetBusinessDays: 20, atRiskFraction: 0.8, pauseAwaitingFinder: true },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<Json>().usingDefaults).toBe(false);
    const cal = await call('PUT', '/api/v1/sla/calendar', admin, {
      timeZone: 'Asia/Tokyo',
      holidays: ['2026-11-03', '2026-11-23'],
    });
    expect(cal.statusCode).toBe(200);
    expect(cal.json<Json>().calendar).toMatchObject({ timeZone: 'Asia/Tokyo', workdays: [1, 2, 3, 4, 5] });
    const audit = await db.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'in', ['sla.policies_set', 'sla.calendar_set'])
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['sla.calendar_set', 'sla.policies_set']);

    const refresh = await call('POST', '/api/v1/metrics/refresh', admin);
    expect(refresh.statusCode).toBe(200);
    expect(refresh.json<Json>()).toMatchObject({ reports: 2, cases: 1 });
    // With 10 business days to acknowledge (Tokyo, 3 Nov a holiday), report 2 is no longer breached.
    const list = (await call('GET', '/api/v1/sla/clocks', admin)).json<Json>();
    expect(list.items).toEqual([]);
    const clock2 = await db.db
      .selectFrom('sla_clocks')
      .selectAll()
      .where('subject_id', '=', report2.id)
      .where('stage', '=', 'acknowledge')
      .executeTakeFirstOrThrow();
    // Received Mon 2 Nov 17:00 JST; ten business days without 3 Nov: 4–6, 9–13, 16, 17 → end of Tue 17 Nov JST.
    expect(clock2.due_at.toISOString()).toBe('2026-11-17T15:00:00.000Z');
  });
});

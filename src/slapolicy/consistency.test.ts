import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import {
  actorOf,
  makeApp,
  makeCtx,
  makeUser,
  signIn,
  testClock,
  type Clock,
  type Session,
} from '../../tests/support/factories.ts';
import { sampleReport } from '../../tests/support/reports.ts';
import type { Ctx } from '../app/context.ts';
import type { UserRow } from '../db/schema.ts';
import { recomputeMetrics } from '../metrics/commands.ts';
import { addFinderMessage, addStaffMessage, submitReport, transitionReport } from '../reports/commands.ts';
import { SLA_REFRESH_JOB, slaRefreshJob } from './commands.ts';
import { clockStateAt } from './rules.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H';

/**
 * One constructed timeline on which the report queue's former derivation (configured UTC calendar and
 * targets, every question pausing triage, the at-risk instant by bisection) and the SLA views'
 * disagreed. The stored calendar is Europe/Berlin with Tuesday 27 October 2026 a holiday; summer time
 * ends on Sunday 25 October. Stored policies: acknowledge 2 business days (at risk at 50 %), triage
 * 5 days (80 %) without pausing, and critical reports their own triage policy: 3 days (50 %), paused
 * while waiting for the finder. The configuration says UTC, no holidays, 3 and 10 days.
 *
 * - R1 (critical), Fri 23 Oct 16:00 CEST; a question at 22:00 CEST (acknowledged, triage paused)
 *   across the weekend's DST change and the holiday, answered Wed 28 Oct 10:00 CET; never triaged.
 *   Triage: deadline end of Thu 29 Oct (Mon, Wed, Thu) + 36 h of paused business time (Fri 2 h,
 *   Mon 24 h, Wed 10 h) → Mon 2 Nov 12:00 CET; at risk after 40 of 80 active hours: Fri 6 h, Wed 14 h,
 *   Thu 20 h → Thu 29 Oct 20:00 CET.
 * - R2 (high), Mon 26 Oct 09:00 CET; a question at 13:00 CET never answered. Its policy does not
 *   pause: triage due at the end of Tue 3 Nov (Wed, Thu, Fri, Mon, Tue), breached after that — the
 *   old queue showed it paused for ever.
 * - R3 (critical), Mon 26 Oct 09:00 CET, invalidated and closed on the holiday: both clocks stopped, met.
 * - R4 (high), Wed 28 Oct 09:00 CET, untouched: acknowledgement breached after Fri 30 Oct; triage due
 *   end of Wed 4 Nov, at risk from Tue 3 Nov 21:00 CET (108 of 135 hours).
 * - R5 (critical), Mon 2 Nov 09:00 CET; a question at 11:00 CET still open: triage paused.
 */
describe('one source of truth for SLA clocks: the queue, the report page and the SLA views agree', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let clock: Clock;
  let ctx: Ctx;
  let admin: Session;
  let adminUser: UserRow;
  let analyst: UserRow;
  const ids: Record<string, string> = {};

  const at = (iso: string) => {
    const d = new Date(iso);
    clock.set(d);
    return d;
  };
  const call = (method: string, url: string, who: Session, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who.headers, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    db = await createTestDatabase();
    clock = testClock(new Date('2026-10-23T12:00:00Z'));
    app = await makeApp(db, { clock });
    ctx = makeCtx(db, { clock });
    adminUser = await makeUser(ctx, { role: 'admin' });
    analyst = await makeUser(ctx, { role: 'analyst', name: 'Ana Lyst' });
    admin = await signIn(app, adminUser.email);
    const cal = await call('PUT', '/api/v1/sla/calendar', admin, {
      timeZone: 'Europe/Berlin',
      holidays: ['2026-10-27'],
    });
    expect(cal.statusCode).toBe(200);
    const pol = await call('PUT', '/api/v1/sla/policies', admin, {
      policies: [
        { stage: 'acknowledge', severity: 'any', targetBusinessDays: 2, atRiskFraction: 0.5 },
        { stage: 'triage', severity: 'any', targetBusinessDays: 5, atRiskFraction: 0.8, pauseAwaitingFinder: false },
        {
          stage: 'triage',
          severity: 'critical',
          targetBusinessDays: 3,
          atRiskFraction: 0.5,
          pauseAwaitingFinder: true,
        },
      ],
    });
    expect(pol.statusCode).toBe(200);

    const anon = { ...ctx, actor: { kind: 'anonymous' as const } };
    const asAnalyst = { ...ctx, actor: await actorOf(ctx, analyst.id) };
    const submit = async (name: string, iso: string, cvss?: string) => {
      at(iso);
      const input = sampleReport({ title: `Report ${name} about the helpdesk`, ...(cvss ? { cvss } : {}) });
      const { report } = await submitReport(anon, input, { channel: 'api', submittedEncrypted: false });
      ids[name] = report.tracking_id;
    };
    const ask = async (name: string, iso: string) => {
      at(iso);
      await addStaffMessage(asAnalyst, ids[name]!, { body: 'Which version?', visibility: 'shared', kind: 'question' });
    };

    await submit('R1', '2026-10-23T14:00:00Z', CRITICAL);
    await ask('R1', '2026-10-23T20:00:00Z');
    await submit('R2', '2026-10-26T08:00:00Z');
    await submit('R3', '2026-10-26T08:00:00Z', CRITICAL);
    await ask('R2', '2026-10-26T12:00:00Z');
    at('2026-10-27T10:00:00Z');
    await transitionReport(asAnalyst, ids['R3']!, { event: 'invalidate' });
    await transitionReport(asAnalyst, ids['R3']!, { event: 'close', reason: 'not_a_vulnerability' });
    await submit('R4', '2026-10-28T08:00:00Z');
    at('2026-10-28T09:00:00Z');
    const r1 = await db.db
      .selectFrom('reports')
      .select('id')
      .where('tracking_id', '=', ids['R1']!)
      .executeTakeFirstOrThrow();
    const link = { kind: 'report_link' as const, reportId: r1.id, trackingId: ids['R1']! };
    await addFinderMessage({ ...ctx, actor: link }, ids['R1']!, { body: 'Version 4.2.0.' }, 'web');
    await submit('R5', '2026-11-02T08:00:00Z', CRITICAL);
    await ask('R5', '2026-11-02T10:00:00Z');
  }, 240_000);
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  type View = { state: string; dueAt: string | null };

  /** Every clock as the queue API, the staff report API, the SLA view API and the sla_clocks rows show it. */
  async function views(now: Date) {
    const session = await signIn(app, adminUser.email); // a fresh session on the moved clock
    const queue = (await call('GET', '/api/v1/reports?limit=50', session)).json<Json>();
    const attention = (await call('GET', '/api/v1/sla/clocks?state=attention', session)).json<Json>();
    const rows = await db.db.selectFrom('sla_clocks').selectAll().where('subject_type', '=', 'report').execute();
    const out: Record<string, { queue: View; page: View; stored: View; listed: string | null }> = {};
    for (const item of queue.items as Json[]) {
      const page = (await call('GET', `/api/v1/reports/${item.trackingId as string}`, session)).json<Json>();
      for (const stage of ['acknowledge', 'triage'] as const) {
        const row = rows.find((r) => r.label === item.trackingId && r.stage === stage)!;
        const stored = {
          state: clockStateAt(
            { stoppedAt: row.stopped_at, pausedSince: row.paused_since, dueAt: row.due_at, riskAt: row.risk_at },
            now,
          ),
          dueAt: row.due_at.toISOString(),
        };
        const listed = (attention.items as Json[]).find((c) => c.label === item.trackingId && c.stage === stage);
        out[`${item.trackingId as string}/${stage}`] = {
          queue: { state: item.sla[stage].state, dueAt: item.sla[stage].dueAt },
          page: { state: page.sla[stage].state, dueAt: page.sla[stage].dueAt },
          stored,
          listed: (listed?.state as string | undefined) ?? null,
        };
      }
    }
    return out;
  }

  function expectAgreement(all: Awaited<ReturnType<typeof views>>) {
    for (const [key, v] of Object.entries(all)) {
      expect(v.queue, key).toEqual(v.stored);
      expect(v.page.state, key).toBe(v.stored.state);
      if (v.stored.state !== 'paused') expect(v.page.dueAt, key).toBe(v.stored.dueAt);
      const attention = v.stored.state === 'at_risk' || v.stored.state === 'breached' ? v.stored.state : null;
      expect(v.listed, key).toBe(attention);
    }
  }

  const clockOf = (all: Awaited<ReturnType<typeof views>>, name: string, stage: string) =>
    all[`${ids[name]!}/${stage}`]!.queue;

  it('gives identical deadlines and states in the queue API, the report page and the SLA view API', async () => {
    const now = at('2026-11-04T10:00:00Z');
    await recomputeMetrics(ctx);
    const all = await views(now);
    expectAgreement(all);

    expect(clockOf(all, 'R1', 'acknowledge')).toEqual({ state: 'met', dueAt: '2026-10-28T23:00:00.000Z' });
    expect(clockOf(all, 'R1', 'triage')).toEqual({ state: 'breached', dueAt: '2026-11-02T11:00:00.000Z' });
    expect(clockOf(all, 'R2', 'triage')).toEqual({ state: 'breached', dueAt: '2026-11-03T23:00:00.000Z' });
    expect(clockOf(all, 'R3', 'acknowledge').state).toBe('met');
    expect(clockOf(all, 'R3', 'triage').state).toBe('met');
    expect(clockOf(all, 'R4', 'acknowledge')).toEqual({ state: 'breached', dueAt: '2026-10-30T23:00:00.000Z' });
    expect(clockOf(all, 'R4', 'triage')).toEqual({ state: 'at_risk', dueAt: '2026-11-04T23:00:00.000Z' });
    expect(clockOf(all, 'R5', 'triage').state).toBe('paused');

    // The at-risk instants are the same instant in the queue's columns and the SLA clocks.
    const reports = await db.db.selectFrom('reports').selectAll().execute();
    const clocks = await db.db.selectFrom('sla_clocks').selectAll().where('subject_type', '=', 'report').execute();
    for (const r of reports) {
      const tri = clocks.find((c) => c.subject_id === r.id && c.stage === 'triage')!;
      const ack = clocks.find((c) => c.subject_id === r.id && c.stage === 'acknowledge')!;
      if (r.triaged_at === null)
        expect(r.triage_risk_at?.getTime() ?? null, r.tracking_id).toBe(tri.risk_at?.getTime() ?? null);
      if (r.acknowledged_at === null)
        expect(r.ack_risk_at?.getTime() ?? null, r.tracking_id).toBe(ack.risk_at?.getTime() ?? null);
    }
    const r1 = reports.find((r) => r.tracking_id === ids['R1'])!;
    expect(r1.triage_risk_at?.toISOString()).toBe('2026-10-29T19:00:00.000Z');
    const r4 = reports.find((r) => r.tracking_id === ids['R4'])!;
    expect(r4.triage_risk_at?.toISOString()).toBe('2026-11-03T20:00:00.000Z');

    // The queue's SQL filters decide as the SLA view does.
    const session = await signIn(app, adminUser.email);
    const filtered = async (sla: string) =>
      ((await call('GET', `/api/v1/reports?sla=${sla}`, session)).json<Json>().items as Json[])
        .map((i) => i.trackingId as string)
        .sort();
    expect(await filtered('breached')).toEqual([ids['R1']!, ids['R2']!, ids['R4']!].sort());
    expect(await filtered('at_risk')).toEqual([]);
  });

  it('a clock paused before its deadline stays paused, not breached, long after its stored deadline', async () => {
    const now = at('2026-11-30T10:00:00Z'); // no events and no recomputation since 4 November
    const all = await views(now);
    expectAgreement(all);
    expect(clockOf(all, 'R5', 'triage').state).toBe('paused');
  });

  it('changing a policy or the calendar refreshes the queue columns through a job', async () => {
    at('2026-11-04T10:00:00Z');
    admin = await signIn(app, adminUser.email);
    const res = await call('PUT', '/api/v1/sla/policies', admin, {
      policies: [
        { stage: 'acknowledge', severity: 'any', targetBusinessDays: 10, atRiskFraction: 0.5 },
        { stage: 'triage', severity: 'any', targetBusinessDays: 20, atRiskFraction: 0.8, pauseAwaitingFinder: true },
        {
          stage: 'triage',
          severity: 'critical',
          targetBusinessDays: 3,
          atRiskFraction: 0.5,
          pauseAwaitingFinder: true,
        },
      ],
    });
    expect(res.statusCode).toBe(200);
    const jobs = await db.db.selectFrom('jobs').selectAll().where('kind', '=', SLA_REFRESH_JOB).execute();
    expect(jobs.length).toBe(3); // one per change: the calendar, the first and the second policies
    expect(new Set(jobs.map((j) => j.unique_key)).size).toBe(3);
    await slaRefreshJob(ctx, {});

    const all = await views(clock.now());
    expectAgreement(all);
    // Ten business days to acknowledge: R4 is no longer breached; R2 now pauses while the question is open.
    expect(clockOf(all, 'R4', 'acknowledge')).toEqual({ state: 'running', dueAt: '2026-11-11T23:00:00.000Z' });
    expect(clockOf(all, 'R2', 'triage').state).toBe('paused');

    const cal = await call('PUT', '/api/v1/sla/calendar', admin, {
      timeZone: 'Europe/Berlin',
      holidays: ['2026-10-27', '2026-10-29'],
    });
    expect(cal.statusCode).toBe(200);
    await slaRefreshJob(ctx, {});
    const after = await views(clock.now());
    expectAgreement(after);
    // Thursday 29 October a holiday too: R1's 74 active hours after the pause end on Tue 3 Nov 12:00 CET.
    expect(clockOf(after, 'R1', 'triage')).toEqual({ state: 'breached', dueAt: '2026-11-03T11:00:00.000Z' });
  });
});

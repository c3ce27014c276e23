import { sql, type Transaction } from 'kysely';
import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../db/schema.ts';
import { authorize, instance } from '../policy/policy.ts';
import { sweepSlaAlerts } from '../slapolicy/commands.ts';
import { effectivePolicies, loadCalendar } from '../slapolicy/queries.ts';
import {
  caseClockInputs,
  caseFacts,
  deriveClock,
  finderPauses,
  policyFor,
  severityKey,
  severityOfScore,
  worstSeverity,
  type ClockInput,
  type CsEventLike,
  type DerivedClock,
  type SlaStage,
} from '../slapolicy/rules.ts';
import { BusinessTimeline } from '../slapolicy/timeline.ts';
import { businessDays, caseDesiderata } from './rules.ts';

type Tx = Transaction<Database>;

export const METRICS_REFRESH_JOB = 'metrics.refresh';

export interface RecomputeResult {
  runId: string;
  startedAt: Date;
  durationMs: number;
  reports: number;
  cases: number;
  vendors: number;
  clocks: number;
}

interface ClockRow {
  subject_type: 'report' | 'case';
  subject_id: string;
  stage: string;
  label: string;
  severity: string;
  owner_id: string | null;
  lead_id: string | null;
  started_at: Date;
  stopped_at: Date | null;
  paused_since: Date | null;
  due_at: Date;
  risk_at: Date | null;
  computed_at: Date;
}

const toDate = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string | Date));

/**
 * Full recomputation: every metric row and SLA clock rebuilt from the recorded events in one
 * transaction (readers see the previous set until it commits). Nothing is carried over from the
 * previous run, so a changed policy or calendar applies to past items too.
 */
export async function recomputeMetrics(ctx: Ctx): Promise<RecomputeResult> {
  const started = Date.now();
  const now = ctx.now();
  return inTransaction(ctx, async (tx) => {
    // One recomputation at a time across nodes; a second waits and then rebuilds from the newer events.
    await sql`select pg_advisory_xact_lock(7307001)`.execute(tx);
    const cal = await loadCalendar(tx, ctx.config.sla);
    const { policies, defaults } = await effectivePolicies(tx, ctx.config.sla);
    const policy = (stage: SlaStage, severity: string) => policyFor(policies, defaults, stage, severity);
    // Index the calendar once over every instant a clock can touch: its earliest start up to the
    // furthest deadline (now + the longest target, with weekends and holidays, + paused time ≤ now).
    const first = await sql<{ at: Date | null }>`
      select least((select min(created_at) from reports), (select min(created_at) from cases)) as at`.execute(tx);
    const longest = Math.max(
      ...policies.map((p) => p.targetBusinessDays),
      ...defaults.map((p) => p.targetBusinessDays),
    );
    const spanDays = Math.ceil(longest * 1.5) + (cal.holidays?.length ?? 0) + 30;
    const timeline = new BusinessTimeline(
      cal,
      first.rows[0]?.at ? new Date(first.rows[0].at) : now,
      new Date(now.getTime() + spanDays * 86_400_000),
    );
    const clocks: ClockRow[] = [];
    const clock = (
      subject: { type: 'report' | 'case'; id: string; label: string; severity: string; owner: string | null },
      lead: string | null,
      stage: SlaStage,
      input: ClockInput | null,
    ): DerivedClock | null => {
      if (!input) return null;
      const p = policy(stage, subject.severity);
      const d = timeline.clock(p, input, now) ?? deriveClock(cal, p, input, now);
      clocks.push({
        subject_type: subject.type,
        subject_id: subject.id,
        stage,
        label: subject.label,
        severity: subject.severity,
        owner_id: subject.owner,
        lead_id: lead,
        started_at: d.startedAt,
        stopped_at: d.stoppedAt,
        paused_since: d.pausedSince,
        due_at: d.dueAt,
        risk_at: d.riskAt,
        computed_at: now,
      });
      return d;
    };

    const days = (a: Date, b: Date) => timeline.businessDays(a.getTime(), b.getTime()) ?? businessDays(cal, a, b);
    const reports = await reportItems(tx, days, clock);
    const caseLeads = new Map<string, string | null>();
    const cases = await caseItems(tx, now, clock, caseLeads);
    // A report's clocks alert its case's lead too.
    for (const c of clocks) {
      if (c.subject_type === 'report' && c.lead_id) c.lead_id = caseLeads.get(c.lead_id) ?? null;
    }
    const vendors = await vendorItems(tx);

    await tx.deleteFrom('metric_reports').execute();
    await tx.deleteFrom('metric_cases').execute();
    await tx.deleteFrom('metric_vendors').execute();
    await tx.deleteFrom('sla_clocks').execute();
    await insertJson(tx, 'metric_reports', reports);
    await insertJson(tx, 'metric_cases', cases);
    await insertJson(tx, 'metric_vendors', vendors);
    await insertJson(tx, 'sla_clocks', clocks);

    const result: RecomputeResult = {
      runId: newId(),
      startedAt: now,
      durationMs: Date.now() - started,
      reports: reports.length,
      cases: cases.length,
      vendors: vendors.length,
      clocks: clocks.length,
    };
    await tx
      .insertInto('metric_runs')
      .values({
        id: result.runId,
        started_at: now,
        finished_at: new Date(now.getTime() + result.durationMs),
        duration_ms: result.durationMs,
        reports: result.reports,
        cases: result.cases,
        vendors: result.vendors,
        clocks: result.clocks,
      })
      .execute();
    await tx
      .deleteFrom('metric_runs')
      .where('finished_at', '<', new Date(now.getTime() - 30 * 86_400_000))
      .execute();
    return result;
  });
}

type ClockFn = (
  subject: { type: 'report' | 'case'; id: string; label: string; severity: string; owner: string | null },
  lead: string | null,
  stage: SlaStage,
  input: ClockInput | null,
) => DerivedClock | null;

async function reportItems(tx: Tx, days: (a: Date, b: Date) => number, clock: ClockFn) {
  const rows = await sql<{
    id: string;
    tracking_id: string;
    created_at: Date;
    rm_state: string;
    severity: string | null;
    cwe: string | null;
    products: string;
    finder_id: string | null;
    assignee_id: string | null;
    case_id: string | null;
    acknowledged_at: Date | null;
    triaged_at: Date | null;
    triaged_to: string | null;
    pauses: [string, string][] | string | null;
  }>`
    select r.id, r.tracking_id, r.created_at, r.rm_state, r.severity, r.cwe, r.products, r.finder_id, r.assignee_id,
      min(cr.case_id) as case_id,
      min(e.created_at) filter (where e.kind = 'staff_message' or (e.kind = 'transition' and e.to_state <> 'R'))
        as acknowledged_at,
      min(e.created_at) filter (where e.kind = 'transition' and e.to_state in ('V', 'I', 'C')) as triaged_at,
      (array_agg(e.to_state order by e.created_at, e.seq)
        filter (where e.kind = 'transition' and e.to_state in ('V', 'I', 'C')))[1] as triaged_to,
      json_agg(json_build_array(e.kind, e.created_at) order by e.created_at, e.seq)
        filter (where e.kind in ('info_requested', 'finder_answered')) as pauses
    from reports r
      left join report_events e on e.report_id = r.id
      left join (select report_id, min(case_id::text) as case_id from case_reports group by report_id) cr
        on cr.report_id = r.id
    group by r.id`.execute(tx);
  return rows.rows.map((r) => {
    const receivedAt = new Date(r.created_at);
    const acknowledgedAt = toDate(r.acknowledged_at);
    const triagedAt = toDate(r.triaged_at);
    const pauseEvents = (typeof r.pauses === 'string' ? (JSON.parse(r.pauses) as [string, string][]) : r.pauses) ?? [];
    const pauses = finderPauses(pauseEvents.map(([kind, at]) => ({ kind, created_at: new Date(at) })));
    const severity = severityKey(r.severity);
    const subject = { type: 'report' as const, id: r.id, label: r.tracking_id, severity, owner: r.assignee_id };
    // lead_id carries the case id until the case leads are known (replaced by the caller).
    const ack = clock(subject, r.case_id, 'acknowledge', { start: receivedAt, stop: acknowledgedAt, pauses: [] });
    const triage = clock(subject, r.case_id, 'triage', { start: receivedAt, stop: triagedAt, pauses });
    return {
      report_id: r.id,
      tracking_id: r.tracking_id,
      received_at: receivedAt,
      acknowledged_at: acknowledgedAt,
      triaged_at: triagedAt,
      ack_business_days: acknowledgedAt ? days(receivedAt, acknowledgedAt) : null,
      triage_business_days: triagedAt ? days(receivedAt, triagedAt) : null,
      valid: r.triaged_to === 'V' ? true : r.triaged_to === 'I' ? false : null,
      rm_state: r.rm_state,
      severity,
      cwe: r.cwe,
      product: r.products.trim().slice(0, 300),
      finder_id: r.finder_id,
      owner_id: r.assignee_id,
      case_id: r.case_id,
      ack_sla: ack?.state ?? 'none',
      triage_sla: triage?.state ?? 'none',
    };
  });
}

async function caseItems(tx: Tx, now: Date, clock: ClockFn, leads: Map<string, string | null>) {
  // One connection per transaction: the reads run one after the other.
  const cases = await tx.selectFrom('cases').select(['id', 'case_id', 'created_at', 'lead_id']).execute();
  const reportAgg = await sql<{ case_id: string; first_at: Date; severities: string[] | string | null }>`
      select cr.case_id, min(r.created_at) as first_at, json_agg(r.severity) as severities
      from case_reports cr join reports r on r.id = cr.report_id group by cr.case_id`.execute(tx);
  const vulnAgg = await sql<{ case_id: string; score: number | string | null; cwe: string | null }>`
      select case_id, max(coalesce(cvss_v4_score, cvss_v3_score)) as score, min(cwe) as cwe
      from vulnerabilities group by case_id`.execute(tx);
  const productAgg = await sql<{ case_id: string; products: string[] | string }>`
      select case_id, json_agg(distinct product) as products from vendor_statuses group by case_id`.execute(tx);
  const advisoryAgg = await sql<{ case_id: string; at: Date }>`
      select case_id, min(initial_release_at) as at from advisories
      where case_id is not null and initial_release_at is not null group by case_id`.execute(tx);
  const events = await sql<{ case_id: string; participant_id: string | null; event: string | null; created_at: Date }>`
      select case_id, participant_id, data->>'event' as event, created_at from case_events
      where kind = 'cs_event' order by case_id, created_at, seq`.execute(tx);
  const vendorRows = await tx
    .selectFrom('case_participants')
    .select(['id', 'case_id'])
    .where('role', '=', 'vendor')
    .where('removed_at', 'is', null)
    .execute();
  const json = <T>(v: T | string | null): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
  const byCase = <R extends { case_id: string }>(rows: R[]) => new Map(rows.map((r) => [r.case_id, r]));
  const reportsBy = byCase(reportAgg.rows);
  const vulnsBy = byCase(vulnAgg.rows);
  const productsBy = byCase(productAgg.rows);
  const advisoriesBy = byCase(advisoryAgg.rows);
  const eventsBy = new Map<string, CsEventLike[]>();
  for (const e of events.rows) {
    if (!e.event) continue;
    let list = eventsBy.get(e.case_id);
    if (!list) eventsBy.set(e.case_id, (list = []));
    list.push({ event: e.event, participantId: e.participant_id, at: new Date(e.created_at) });
  }
  const vendorsBy = new Map<string, string[]>();
  for (const v of vendorRows) vendorsBy.set(v.case_id, [...(vendorsBy.get(v.case_id) ?? []), v.id]);

  return cases.map((c) => {
    leads.set(c.id, c.lead_id);
    const openedAt = new Date(c.created_at);
    const rep = reportsBy.get(c.id);
    const vul = vulnsBy.get(c.id);
    const score = vul?.score === null || vul?.score === undefined ? null : Number(vul.score);
    const severity = worstSeverity([
      severityOfScore(score),
      ...(json<(string | null)[]>(rep?.severities ?? null) ?? []).map(severityKey),
    ]);
    const facts = caseFacts(eventsBy.get(c.id) ?? [], vendorsBy.get(c.id) ?? []);
    const inputs = caseClockInputs(openedAt, facts);
    const subject = { type: 'case' as const, id: c.id, label: c.case_id, severity, owner: c.lead_id };
    const remediation = clock(subject, c.lead_id, 'remediation', inputs.remediation);
    const release = clock(subject, c.lead_id, 'release', inputs.release);
    const d = caseDesiderata(facts.history);
    return {
      case_id: c.id,
      label: c.case_id,
      opened_at: openedAt,
      first_report_at: rep ? new Date(rep.first_at) : openedAt,
      vendor_aware_at: facts.first.V ?? null,
      fix_ready_at: facts.first.F ?? null,
      all_fixed_at: facts.allFixedAt,
      deployed_at: facts.first.D ?? null,
      public_at: facts.first.P ?? null,
      exploit_public_at: facts.first.X ?? null,
      attacks_at: facts.first.A ?? null,
      advisory_at: toDate(advisoriesBy.get(c.id)?.at),
      owner_id: c.lead_id,
      severity,
      cwe: vul?.cwe ?? null,
      products: (json<string[]>(productsBy.get(c.id)?.products ?? null) ?? []).slice(0, 50),
      remediation_sla: remediation?.state ?? 'none',
      release_sla: release?.state ?? 'none',
      desiderata: d.results,
      desiderata_met: d.met,
      desiderata_violated: d.violated,
      fix_before_public: d.fixBeforePublic,
    };
  });
}

/**
 * Vendor responsiveness: notified (invited to the case) → first answer, which is the vendor's
 * first own move in the case (accepting the terms, an RM or CS move, a status) or its first post.
 */
async function vendorItems(tx: Tx) {
  const rows = await sql<{
    participant_id: string;
    case_id: string;
    org_id: string | null;
    notified_at: Date;
    first_answer_at: Date | null;
  }>`
    with moves as (
      select participant_id, min(created_at) as at from case_events
      where participant_id is not null and kind in ('terms_accepted', 'rm_transition', 'cs_event', 'status_changed')
      group by participant_id
    ), posts as (
      select p.id, min(cp.created_at) as at
      from case_participants p join case_posts cp on cp.case_id = p.case_id and cp.author_org_id = p.org_id
      where p.role = 'vendor'
      group by p.id
    )
    select p.id as participant_id, p.case_id, p.org_id, coalesce(p.notified_at, p.created_at) as notified_at,
      least(moves.at, posts.at) as first_answer_at
    from case_participants p
      left join moves on moves.participant_id = p.id
      left join posts on posts.id = p.id
    where p.role = 'vendor' and p.removed_at is null`.execute(tx);
  return rows.rows.map((r) => ({
    participant_id: r.participant_id,
    case_id: r.case_id,
    org_id: r.org_id,
    notified_at: new Date(r.notified_at),
    first_answer_at: toDate(r.first_answer_at),
  }));
}

/**
 * Inserts rows as one JSON parameter per 5,000 (jsonb_populate_recordset maps keys to columns by
 * name): far fewer bind parameters than a multi-row VALUES, which matters most on the embedded engine.
 */
async function insertJson(
  tx: Tx,
  table: 'metric_reports' | 'metric_cases' | 'metric_vendors' | 'sla_clocks',
  rows: readonly object[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const json = JSON.stringify(rows.slice(i, i + 5000));
    await sql`insert into ${sql.table(table)} select * from jsonb_populate_recordset(null::${sql.table(table)}, ${json}::jsonb)`.execute(
      tx,
    );
  }
}

/** Staff with the right recompute on demand (e.g. right after fixing a policy); audited. */
export async function refreshMetrics(ctx: Ctx): Promise<{ run: RecomputeResult; alerts: number }> {
  authorize(ctx.actor, 'metrics:refresh', instance);
  const run = await recomputeMetrics(ctx);
  const alerts = await sweepSlaAlerts(ctx);
  await inTransaction(ctx, async (tx) => {
    await recordAudit(tx, ctx, {
      action: 'metrics.refreshed',
      subjectType: 'metrics',
      subjectId: run.runId,
      summary: { durationMs: run.durationMs, reports: run.reports, cases: run.cases, alerts },
    });
  });
  return { run, alerts };
}

/** The scheduled job: recompute, then alert every newly crossed SLA threshold once. */
export async function metricsRefreshJob(ctx: Ctx): Promise<void> {
  await recomputeMetrics(ctx);
  await sweepSlaAlerts(ctx);
}

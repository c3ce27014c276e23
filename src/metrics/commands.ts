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
import {
  addRow,
  emptyRows,
  rememberWritten,
  runFingerprint,
  storedRows,
  writeRows,
  type DerivedRows,
} from './store.ts';

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
  /** Rows inserted, updated or deleted in the four derived tables. */
  rowsWritten: number;
  /** Whether every row was rewritten (first run in this process, or another wrote since) or only the changes. */
  rewrite: boolean;
}

/** Epoch milliseconds of a timestamp in SQL, for the compact JSON reads (the columns hold milliseconds). */
const ms = (column: string) => sql.raw(`floor(extract(epoch from ${column}) * 1000)::int8`);
const at = (t: number | null): Date | null => (t === null ? null : new Date(t));
const time = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

/**
 * Full recomputation: every metric row and SLA clock derived again from the recorded events in one
 * transaction (readers see the previous set until it commits). Nothing is carried over from the
 * previous run, so a changed policy or calendar applies to past items too; only the writing skips
 * rows that come out as stored (see store.ts).
 *
 * Each read is one set-based query returning one JSON value (instants as epoch ms): the cost of a
 * result on the embedded engine is per value decoded, so one text beats 10,000 rows of 10 columns.
 */
export async function recomputeMetrics(ctx: Ctx): Promise<RecomputeResult> {
  const started = Date.now();
  const now = ctx.now();
  let derived: DerivedRows | null = null;
  let fingerprint = '';
  const result = await inTransaction(ctx, async (tx) => {
    // One recomputation at a time across nodes; a second waits and then rebuilds from the newer events.
    await sql`select pg_advisory_xact_lock(7307001)`.execute(tx);
    const previous = await storedRows(tx);
    const cal = await loadCalendar(tx, ctx.config.sla);
    const { policies, defaults } = await effectivePolicies(tx, ctx.config.sla);
    const policy = (stage: SlaStage, severity: string) => policyFor(policies, defaults, stage, severity);
    const cases = await readCases(tx);
    const reports = await readReports(tx);
    const vendors = await readVendors(tx);

    // Index the calendar once over every instant a clock can touch: its earliest start up to the
    // furthest deadline (now + the longest target, with weekends and holidays, + paused time ≤ now).
    let first = Infinity;
    for (const r of reports) first = Math.min(first, r[2]);
    for (const c of cases) first = Math.min(first, c[2]);
    const longest = Math.max(
      ...policies.map((p) => p.targetBusinessDays),
      ...defaults.map((p) => p.targetBusinessDays),
    );
    const spanDays = Math.ceil(longest * 1.5) + (cal.holidays?.length ?? 0) + 30;
    const timeline = new BusinessTimeline(
      cal,
      Number.isFinite(first) ? new Date(first) : now,
      new Date(now.getTime() + spanDays * 86_400_000),
    );
    const rows = emptyRows();
    const clock = (
      subject: { type: 'report' | 'case'; id: string; label: string; severity: string; owner: string | null },
      lead: string | null,
      stage: SlaStage,
      input: ClockInput | null,
    ): DerivedClock | null => {
      if (!input) return null;
      const p = policy(stage, subject.severity);
      const d = timeline.clock(p, input, now) ?? deriveClock(cal, p, input, now);
      addRow(rows, 'sla_clocks', [
        subject.type,
        subject.id,
        stage,
        subject.label,
        subject.severity,
        subject.owner,
        lead,
        d.startedAt.getTime(),
        time(d.stoppedAt),
        time(d.pausedSince),
        d.dueAt.getTime(),
        time(d.riskAt),
      ]);
      return d;
    };
    const days = (a: number, b: number) => timeline.businessDays(a, b) ?? businessDays(cal, new Date(a), new Date(b));

    // A report's clocks alert its case's lead too.
    const leads = new Map<string, string | null>();
    for (const c of cases) leads.set(c[0], c[3]);
    for (const r of reports) reportRow(rows, r, days, clock, r[9] === null ? null : (leads.get(r[9]) ?? null));
    const desiderata = new Map<string, Desiderata>();
    for (const c of cases) caseRow(rows, c, clock, desiderata);
    for (const v of vendors) addRow(rows, 'metric_vendors', v);

    let rowsWritten = 0;
    for (const table of ['metric_reports', 'metric_cases', 'metric_vendors', 'sla_clocks'] as const) {
      rowsWritten += await writeRows(tx, table, rows[table], previous?.[table] ?? null, now);
    }

    const result: RecomputeResult = {
      runId: newId(),
      startedAt: now,
      durationMs: Date.now() - started,
      reports: rows.metric_reports.size,
      cases: rows.metric_cases.size,
      vendors: rows.metric_vendors.size,
      clocks: rows.sla_clocks.size,
      rowsWritten,
      rewrite: previous === null,
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
    derived = rows;
    fingerprint = await runFingerprint(tx);
    return result;
  });
  if (derived) rememberWritten(fingerprint, derived);
  return result;
}

/** A case's desiderata, with the per-desideratum results as JSON text (a jsonb column). */
type Desiderata = Omit<ReturnType<typeof caseDesiderata>, 'results'> & { results: string };

type ClockFn = (
  subject: { type: 'report' | 'case'; id: string; label: string; severity: string; owner: string | null },
  lead: string | null,
  stage: SlaStage,
  input: ClockInput | null,
) => DerivedClock | null;

/** id, tracking id, received, RM state, severity, CWE, products, finder, assignee, case, acknowledged, triaged, triaged to, pauses. */
type ReportIn = [
  string,
  string,
  number,
  string,
  string | null,
  string | null,
  string,
  string | null,
  string | null,
  string | null,
  number | null,
  number | null,
  string | null,
  [boolean, number][] | null,
];

async function readReports(tx: Tx): Promise<ReportIn[]> {
  const r = await sql<{ j: string }>`
    with ev as (
      select report_id,
        min(created_at) filter (where kind = 'staff_message' or (kind = 'transition' and to_state <> 'R')) as ack,
        min(created_at) filter (where kind = 'transition' and to_state in ('V', 'I', 'C')) as tri,
        (array_agg(to_state order by created_at, seq)
          filter (where kind = 'transition' and to_state in ('V', 'I', 'C')))[1] as tri_to,
        json_agg(json_build_array(kind = 'info_requested', ${ms('created_at')}) order by created_at, seq)
          filter (where kind in ('info_requested', 'finder_answered')) as pauses
      from report_events group by report_id
    ), cr as (
      select report_id, min(case_id::text) as case_id from case_reports group by report_id
    )
    select coalesce(json_agg(json_build_array(r.id, r.tracking_id, ${ms('r.created_at')}, r.rm_state, r.severity, r.cwe,
      r.products, r.finder_id, r.assignee_id, cr.case_id, ${ms('ev.ack')}, ${ms('ev.tri')}, ev.tri_to, ev.pauses)), '[]')::text as j
    from reports r
      left join ev on ev.report_id = r.id
      left join cr on cr.report_id = r.id`.execute(tx);
  return JSON.parse(r.rows[0]?.j ?? '[]') as ReportIn[];
}

function reportRow(
  rows: DerivedRows,
  r: ReportIn,
  days: (a: number, b: number) => number,
  clock: ClockFn,
  lead: string | null,
): void {
  const [id, trackingId, received, rmState, sev, cwe, products, finderId, assigneeId, caseId, ack, tri, triTo, p] = r;
  const receivedAt = new Date(received);
  const pauses = p
    ? finderPauses(
        p.map(([asked, t]) => ({ kind: asked ? 'info_requested' : 'finder_answered', created_at: new Date(t) })),
      )
    : [];
  const severity = severityKey(sev);
  const subject = { type: 'report' as const, id, label: trackingId, severity, owner: assigneeId };
  const a = clock(subject, lead, 'acknowledge', { start: receivedAt, stop: at(ack), pauses: [] });
  const t = clock(subject, lead, 'triage', { start: receivedAt, stop: at(tri), pauses });
  addRow(rows, 'metric_reports', [
    id,
    trackingId,
    received,
    ack,
    tri,
    ack === null ? null : days(received, ack),
    tri === null ? null : days(received, tri),
    triTo === 'V' ? true : triTo === 'I' ? false : null,
    rmState,
    severity,
    cwe,
    products.trim().slice(0, 300),
    finderId,
    assigneeId,
    caseId,
    a?.state ?? 'none',
    t?.state ?? 'none',
  ]);
}

/** id, label, opened, lead, first report, report severities, worst score, CWE, products, advisory, CS events, vendors. */
type CaseIn = [
  string,
  string,
  number,
  string | null,
  number | null,
  (string | null)[] | null,
  number | null,
  string | null,
  string[] | null,
  number | null,
  [string, string | null, number][] | null,
  string[] | null,
];

async function readCases(tx: Tx): Promise<CaseIn[]> {
  const r = await sql<{ j: string }>`
    with rep as (
      select cr.case_id, min(r.created_at) as first_at, json_agg(r.severity) as severities
      from case_reports cr join reports r on r.id = cr.report_id group by cr.case_id
    ), vul as (
      select case_id, max(coalesce(cvss_v4_score, cvss_v3_score)) as score, min(cwe) as cwe
      from vulnerabilities group by case_id
    ), prod as (
      select case_id, json_agg(distinct product) as products from vendor_statuses group by case_id
    ), adv as (
      select case_id, min(initial_release_at) as at from advisories
      where case_id is not null and initial_release_at is not null group by case_id
    ), ev as (
      select case_id, json_agg(json_build_array(data->>'event', participant_id, ${ms('created_at')})
        order by created_at, seq) as events
      from case_events where kind = 'cs_event' and data->>'event' <> '' group by case_id
    ), ven as (
      select case_id, json_agg(id) as vendors from case_participants
      where role = 'vendor' and removed_at is null group by case_id
    )
    select coalesce(json_agg(json_build_array(c.id, c.case_id, ${ms('c.created_at')}, c.lead_id, ${ms('rep.first_at')},
      rep.severities, vul.score, vul.cwe, prod.products, ${ms('adv.at')}, ev.events, ven.vendors)), '[]')::text as j
    from cases c
      left join rep on rep.case_id = c.id
      left join vul on vul.case_id = c.id
      left join prod on prod.case_id = c.id
      left join adv on adv.case_id = c.id
      left join ev on ev.case_id = c.id
      left join ven on ven.case_id = c.id`.execute(tx);
  return JSON.parse(r.rows[0]?.j ?? '[]') as CaseIn[];
}

function caseRow(rows: DerivedRows, c: CaseIn, clock: ClockFn, memo: Map<string, Desiderata>): void {
  const [id, label, opened, leadId, firstReport, severities, score, cwe, products, advisory, events, vendors] = c;
  const openedAt = new Date(opened);
  const severity = worstSeverity([
    severityOfScore(score === null ? null : Number(score)),
    ...(severities ?? []).map(severityKey),
  ]);
  const csEvents: CsEventLike[] = (events ?? []).map(([event, participantId, t]) => ({
    event,
    participantId,
    at: new Date(t),
  }));
  const facts = caseFacts(csEvents, vendors ?? []);
  const inputs = caseClockInputs(openedAt, facts);
  const subject = { type: 'case' as const, id, label, severity, owner: leadId };
  const remediation = clock(subject, leadId, 'remediation', inputs.remediation);
  const release = clock(subject, leadId, 'release', inputs.release);
  // Few distinct orders of first events exist: each is evaluated once per run.
  const key = facts.history.join('');
  let d = memo.get(key);
  if (!d) {
    const e = caseDesiderata(facts.history);
    memo.set(key, (d = { ...e, results: JSON.stringify(e.results) }));
  }
  addRow(rows, 'metric_cases', [
    id,
    label,
    opened,
    firstReport ?? opened,
    time(facts.first.V),
    time(facts.first.F),
    time(facts.allFixedAt),
    time(facts.first.D),
    time(facts.first.P),
    time(facts.first.X),
    time(facts.first.A),
    advisory,
    leadId,
    severity,
    cwe,
    JSON.stringify((products ?? []).slice(0, 50)),
    remediation?.state ?? 'none',
    release?.state ?? 'none',
    d.results,
    d.met,
    d.violated,
    d.fixBeforePublic,
  ]);
}

/**
 * Vendor responsiveness: notified (invited to the case) → first answer, which is the vendor's
 * first own move in the case (accepting the terms, an RM or CS move, a status) or its first post.
 * Rows in metric_vendors column order.
 */
async function readVendors(tx: Tx): Promise<[string, string, string | null, number, number | null][]> {
  const r = await sql<{ j: string }>`
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
    select coalesce(json_agg(json_build_array(p.id, p.case_id, p.org_id, ${ms('coalesce(p.notified_at, p.created_at)')},
      ${ms('least(moves.at, posts.at)')})), '[]')::text as j
    from case_participants p
      left join moves on moves.participant_id = p.id
      left join posts on posts.id = p.id
    where p.role = 'vendor' and p.removed_at is null`.execute(tx);
  return JSON.parse(r.rows[0]?.j ?? '[]') as [string, string, string | null, number, number | null][];
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

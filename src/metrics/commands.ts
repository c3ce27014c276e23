import { performance } from 'node:perf_hooks';
import { sql, type Transaction } from 'kysely';
import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../db/schema.ts';
import { authorize, instance } from '../policy/policy.ts';
import { sweepSlaAlerts } from '../slapolicy/commands.ts';
import { effectivePolicies, loadCalendar } from '../slapolicy/queries.ts';
import type { BusinessCalendar } from '../sla/calendar.ts';
import {
  caseClockInputs,
  caseFacts,
  deriveClock,
  finderPauses,
  policyFor,
  severityKey,
  severityOfScore,
  slaStages,
  worstSeverity,
  type ClockInput,
  type CsEventLike,
  type SlaStage,
  type StagePolicy,
} from '../slapolicy/rules.ts';
import { BusinessTimeline, type ClockMs, type PauseMs } from '../slapolicy/timeline.ts';
import { businessDays, caseDesiderata } from './rules.ts';
import {
  addRow,
  emptyRows,
  rememberWritten,
  runFingerprint,
  storedRows,
  writeRows,
  type DerivedRows,
  type RunRows,
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
  phases: RecomputePhases;
}

/** Phases of a run in milliseconds (reads, derivation, writes), for the benchmark's breakdown. */
export interface RecomputePhases {
  readMs: number;
  deriveMs: number;
  writeMs: number;
}

/**
 * Full recomputation: every metric row and SLA clock derived again from the recorded events in one
 * transaction (readers see the previous set until it commits). Nothing is carried over from the
 * previous run, so a changed policy or calendar applies to past items too; only the writing skips
 * rows that come out as stored (see store.ts).
 *
 * Three reads, one per subject (reports with their events, cases with their CS events, vendor
 * participations with their first answer), each a set-based query that aggregates the events in SQL
 * and returns one JSON text assembled by string concatenation (instants as epoch ms): on the embedded
 * engine a result costs per value decoded, so one text beats 10,000 rows, and concatenation is
 * cheaper than json_build_array. The derivation works in epoch milliseconds on the calendar indexed
 * once (BusinessTimeline.clockAt), with policies and severities looked up once per distinct value.
 */
export async function recomputeMetrics(ctx: Ctx): Promise<RecomputeResult> {
  const started = Date.now();
  const now = ctx.now();
  let derived: DerivedRows | null = null;
  let fingerprint = '';
  const result = await inTransaction(ctx, async (tx) => {
    // One recomputation at a time across nodes; a second waits and then rebuilds from the newer events.
    await sql`select pg_advisory_xact_lock(7307001)`.execute(tx);
    const t0 = performance.now();
    const previous = await storedRows(tx);
    const cal = await loadCalendar(tx, ctx.config.sla);
    const { policies, defaults } = await effectivePolicies(tx, ctx.config.sla);
    const reports = await readReports(tx);
    const cases = await readCases(tx);
    const vendors = await readVendors(tx);
    const t1 = performance.now();
    const run = deriveRows({ cal, policies, defaults, now, reports, cases, vendors }, previous);
    const rows = run.rows;
    const t2 = performance.now();

    let rowsWritten = 0;
    for (const table of ['metric_reports', 'metric_cases', 'metric_vendors', 'sla_clocks'] as const) {
      rowsWritten += await writeRows(tx, table, run, now);
    }
    const t3 = performance.now();

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
      phases: { readMs: Math.round(t1 - t0), deriveMs: Math.round(t2 - t1), writeMs: Math.round(t3 - t2) },
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

// --- Reads: one JSON text each ---------------------------------------------------------------------

/** Epoch milliseconds of a non-null timestamp, as JSON text (floor: the columns hold milliseconds). */
const ms = (column: string) => `floor(extract(epoch from ${column}) * 1000)::int8`;
/** The same for a nullable timestamp. */
const msOrNull = (column: string) => `coalesce(${ms(column)}::text, 'null')`;
/** A text value as a JSON string (escaped), or null. */
const str = (column: string) => `coalesce(to_json(${column})::text, 'null')`;
/** A uuid as a JSON string (needs no escaping), or null. */
const uuid = (column: string) => `coalesce('"' || ${column} || '"', 'null')`;
/** A JSON array of the aggregated elements (`string_agg` of JSON texts). */
const array = (elements: string) => `'[' || coalesce(${elements}, '') || ']'`;

async function readJson<T>(tx: Tx, query: string): Promise<T[]> {
  const r = await sql<{ j: string }>`${sql.raw(query)}`.execute(tx);
  return JSON.parse(r.rows[0]?.j ?? '[]') as T[];
}

/**
 * id, tracking id, received, RM state, severity, CWE, products, finder, assignee, case, acknowledged,
 * triaged, triaged to, pauses (flat: 1 for a question or 0 for an answer, then its instant; in order).
 */
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
  number[],
];

export function readReports(tx: Tx): Promise<ReportIn[]> {
  return readJson<ReportIn>(
    tx,
    `with ev as (
      select report_id,
        min(created_at) filter (where kind = 'staff_message' or (kind = 'transition' and to_state <> 'R')) as ack,
        min(created_at) filter (where kind = 'transition' and to_state in ('V', 'I', 'C')) as tri,
        (array_agg(to_state order by created_at, seq)
          filter (where kind = 'transition' and to_state in ('V', 'I', 'C')))[1] as tri_to,
        string_agg((kind = 'info_requested')::int || ',' || ${ms('created_at')}, ',' order by created_at, seq)
          filter (where kind in ('info_requested', 'finder_answered')) as pauses
      from report_events group by report_id
    ), cr as (
      select report_id, min(case_id::text) as case_id from case_reports group by report_id
    )
    select ${array(`string_agg('[' || ${uuid('r.id')} || ',' || ${str('r.tracking_id')} || ',' || ${msOrNull('r.created_at')}
      || ',' || ${str('r.rm_state')} || ',' || ${str('r.severity')} || ',' || ${str('r.cwe')} || ',' || ${str('r.products')}
      || ',' || ${uuid('r.finder_id')} || ',' || ${uuid('r.assignee_id')} || ',' || ${uuid('cr.case_id')}
      || ',' || ${msOrNull('ev.ack')} || ',' || ${msOrNull('ev.tri')} || ',' || ${str('ev.tri_to')}
      || ',' || ${array('ev.pauses')} || ']', ',')`)} as j
    from reports r
      left join ev on ev.report_id = r.id
      left join cr on cr.report_id = r.id`,
  );
}

/**
 * id, label, opened, lead, first report, report severities, worst score, CWE, products, advisory,
 * CS events (flat: letter, instant, and for F the participant, else null; in recorded order).
 */
type CaseIn = [
  string,
  string,
  number,
  string | null,
  number | null,
  (string | null)[],
  number | string | null,
  string | null,
  string[],
  number | null,
  (string | number | null)[],
];

export function readCases(tx: Tx): Promise<CaseIn[]> {
  // Only the six CS letters count (caseFacts skips others), and only an F's participant (who has a fix).
  return readJson<CaseIn>(
    tx,
    `with rep as (
      select cr.case_id, min(r.created_at) as first_at, string_agg(${str('r.severity')}, ',') as severities
      from case_reports cr join reports r on r.id = cr.report_id group by cr.case_id
    ), vul as (
      select case_id, max(coalesce(cvss_v4_score, cvss_v3_score)) as score, min(cwe) as cwe
      from vulnerabilities group by case_id
    ), prod as (
      select case_id, json_agg(distinct product)::text as products from vendor_statuses group by case_id
    ), adv as (
      select case_id, min(initial_release_at) as at from advisories
      where case_id is not null and initial_release_at is not null group by case_id
    ), ev as (
      select case_id, string_agg('"' || e || '",' || ${ms('created_at')} || ','
        || case when e = 'F' then ${uuid('participant_id')} else 'null' end, ',' order by created_at, seq) as events
      from (select case_id, participant_id, created_at, seq, data->>'event' as e from case_events where kind = 'cs_event') x
      where e in ('V', 'F', 'D', 'P', 'X', 'A') group by case_id
    )
    select ${array(`string_agg('[' || ${uuid('c.id')} || ',' || ${str('c.case_id')} || ',' || ${msOrNull('c.created_at')}
      || ',' || ${uuid('c.lead_id')} || ',' || ${msOrNull('rep.first_at')} || ',' || ${array('rep.severities')}
      || ',' || coalesce(to_json(vul.score)::text, 'null') || ',' || ${str('vul.cwe')} || ',' || coalesce(prod.products, '[]')
      || ',' || ${msOrNull('adv.at')} || ',' || ${array('ev.events')} || ']', ',')`)} as j
    from cases c
      left join rep on rep.case_id = c.id
      left join vul on vul.case_id = c.id
      left join prod on prod.case_id = c.id
      left join adv on adv.case_id = c.id
      left join ev on ev.case_id = c.id`,
  );
}

/** A vendor participation (not removed): metric_vendors' columns (participant, case, org, notified, first answer). */
type VendorIn = [string, string, string | null, number, number | null];

/**
 * Vendor responsiveness: notified (invited to the case) → first answer, which is the vendor's
 * first own move in the case (accepting the terms, an RM or CS move, a status) or its first post.
 * These are also the vendors whose fixes a case's remediation clock waits for.
 */
export function readVendors(tx: Tx): Promise<VendorIn[]> {
  return readJson<VendorIn>(
    tx,
    `with moves as (
      select participant_id, min(created_at) as at from case_events
      where participant_id is not null and kind in ('terms_accepted', 'rm_transition', 'cs_event', 'status_changed')
      group by participant_id
    ), posts as (
      select p.id, min(cp.created_at) as at
      from case_participants p join case_posts cp on cp.case_id = p.case_id and cp.author_org_id = p.org_id
      where p.role = 'vendor'
      group by p.id
    )
    select ${array(`string_agg('[' || ${uuid('p.id')} || ',' || ${uuid('p.case_id')} || ',' || ${uuid('p.org_id')}
      || ',' || ${msOrNull('coalesce(p.notified_at, p.created_at)')} || ',' || ${msOrNull('least(moves.at, posts.at)')}
      || ']', ',')`)} as j
    from case_participants p
      left join moves on moves.participant_id = p.id
      left join posts on posts.id = p.id
    where p.role = 'vendor' and p.removed_at is null`,
  );
}

// --- Derivation ------------------------------------------------------------------------------------

export interface DeriveInput {
  cal: BusinessCalendar;
  policies: readonly StagePolicy[];
  defaults: readonly StagePolicy[];
  now: Date;
  reports: readonly ReportIn[];
  cases: readonly CaseIn[];
  vendors: readonly VendorIn[];
}

const noPauses: readonly PauseMs[] = [];

/** Every derived row of a run, compared with the previous run's as they come (pure). */
export function deriveRows(input: DeriveInput, previous: DerivedRows | null): RunRows {
  const { cal, policies, defaults, now, reports, cases, vendors } = input;
  const at = now.getTime();

  // Index the calendar once over every instant a clock can touch: its earliest start up to the
  // furthest deadline (now + the longest target, with weekends and holidays, + paused time ≤ now).
  let first = Infinity;
  for (const r of reports) first = Math.min(first, r[2]);
  for (const c of cases) first = Math.min(first, c[2]);
  const longest = Math.max(...policies.map((p) => p.targetBusinessDays), ...defaults.map((p) => p.targetBusinessDays));
  const spanDays = Math.ceil(longest * 1.5) + (cal.holidays?.length ?? 0) + 30;
  const timeline = new BusinessTimeline(
    cal,
    Number.isFinite(first) ? new Date(first) : now,
    new Date(at + spanDays * 86_400_000),
  );

  // Few distinct severities and policies exist: each is looked up once per run.
  const severityKeys = new Map<string | null, string>();
  const sevKey = (s: string | null): string => {
    let k = severityKeys.get(s);
    if (k === undefined) severityKeys.set(s, (k = severityKey(s)));
    return k;
  };
  const policyMemo = new Map<SlaStage, Map<string, StagePolicy>>(slaStages.map((stage) => [stage, new Map()]));
  const policy = (stage: SlaStage, severity: string): StagePolicy => {
    const memo = policyMemo.get(stage)!;
    let p = memo.get(severity);
    if (!p) memo.set(severity, (p = policyFor(policies, defaults, stage, severity)));
    return p;
  };

  const rows = emptyRows(previous);
  /** Derives and adds one clock; its state (or 'none' when the stage has no clock yet). */
  const clock = (
    type: 'report' | 'case',
    id: string,
    stage: SlaStage,
    label: string,
    severity: string,
    owner: string | null,
    lead: string | null,
    start: number,
    stop: number | null,
    pauses: readonly PauseMs[],
  ): string => {
    const p = policy(stage, severity);
    const d = timeline.clockAt(p, start, stop, pauses, at) ?? fallbackClock(cal, p, start, stop, pauses, now);
    addRow(rows, 'sla_clocks', [
      type,
      id,
      stage,
      label,
      severity,
      owner,
      lead,
      d.startedAt,
      d.stoppedAt,
      d.pausedSince,
      d.dueAt,
      d.riskAt,
    ]);
    return d.state;
  };
  const days = (a: number, b: number) => timeline.businessDays(a, b) ?? businessDays(cal, new Date(a), new Date(b));

  // A report's clocks alert its case's lead too.
  const leads = new Map<string, string | null>();
  for (const c of cases) leads.set(c[0], c[3]);
  for (const r of reports) {
    const [id, trackingId, received, rmState, sev, cwe, products, finderId, assigneeId, caseId, ack, tri, triTo, p] = r;
    const severity = sevKey(sev);
    const lead = caseId === null ? null : (leads.get(caseId) ?? null);
    let pauses = noPauses;
    if (p.length > 0) {
      const events: { kind: string; created_at: Date }[] = [];
      for (let i = 0; i < p.length; i += 2) {
        events.push({ kind: p[i] === 1 ? 'info_requested' : 'finder_answered', created_at: new Date(p[i + 1]!) });
      }
      pauses = finderPauses(events).map((x): PauseMs => [x.from.getTime(), x.to === null ? null : x.to.getTime()]);
    }
    const ackSla = clock('report', id, 'acknowledge', trackingId, severity, assigneeId, lead, received, ack, noPauses);
    const triageSla = clock('report', id, 'triage', trackingId, severity, assigneeId, lead, received, tri, pauses);
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
      ackSla,
      triageSla,
    ]);
  }

  const vendorsOf = new Map<string, string[]>();
  for (const v of vendors) {
    addRow(rows, 'metric_vendors', v);
    const list = vendorsOf.get(v[1]);
    if (list) list.push(v[0]);
    else vendorsOf.set(v[1], [v[0]]);
  }

  // Few distinct orders of first events exist: each is evaluated once per run.
  const desiderata = new Map<string, Desiderata>();
  const none: string[] = [];
  for (const c of cases) {
    const [id, label, opened, leadId, firstReport, severities, score, cwe, products, advisory, ev] = c;
    let severity = severityOfScore(score === null ? null : Number(score));
    for (const s of severities) severity = worstSeverity([severity, sevKey(s)]);
    const csEvents: CsEventLike[] = [];
    for (let i = 0; i < ev.length; i += 3) {
      csEvents.push({ event: ev[i] as string, participantId: ev[i + 2] as string | null, at: new Date(ev[i + 1]!) });
    }
    const facts = caseFacts(csEvents, vendorsOf.get(id) ?? none);
    const inputs = caseClockInputs(new Date(opened), facts);
    const states = [inputs.remediation, inputs.release].map((input, i) =>
      input
        ? clock(
            'case',
            id,
            slaStages[i + 2]!,
            label,
            severity,
            leadId,
            leadId,
            input.start.getTime(),
            time(input.stop),
            noPauses,
          )
        : 'none',
    );
    const key = facts.history.join('');
    let d = desiderata.get(key);
    if (!d) {
      const e = caseDesiderata(facts.history);
      desiderata.set(key, (d = { ...e, results: JSON.stringify(e.results) }));
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
      JSON.stringify(products.slice(0, 50)),
      states[0]!,
      states[1]!,
      d.results,
      d.met,
      d.violated,
      d.fixBeforePublic,
    ]);
  }
  return rows;
}

const time = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

/** A clock outside the indexed span (far past or future): the calendar walk of deriveClock. */
function fallbackClock(
  cal: BusinessCalendar,
  policy: StagePolicy,
  start: number,
  stop: number | null,
  pauses: readonly PauseMs[],
  now: Date,
): ClockMs {
  const input: ClockInput = {
    start: new Date(start),
    stop: stop === null ? null : new Date(stop),
    pauses: pauses.map(([from, to]) => ({ from: new Date(from), to: to === null ? null : new Date(to) })),
  };
  const d = deriveClock(cal, policy, input, now);
  return {
    startedAt: d.startedAt.getTime(),
    stoppedAt: time(d.stoppedAt),
    pausedSince: time(d.pausedSince),
    dueAt: d.dueAt.getTime(),
    riskAt: time(d.riskAt),
    state: d.state,
  };
}

/** A case's desiderata, with the per-desideratum results as JSON text (a jsonb column). */
type Desiderata = Omit<ReturnType<typeof caseDesiderata>, 'results'> & { results: string };

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

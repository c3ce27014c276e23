/**
 * SLA policies per ISO/IEC 30111 stage and severity, and the clocks they give, derived only from
 * recorded events (pure: no I/O).
 *
 * Stages and what starts and stops their clocks:
 * - **acknowledge** (receipt): a report's receipt → staff first answer the finder or move it out of Received;
 * - **triage** (verification): receipt → the report is validated or invalidated; may pause while
 *   staff wait for the finder's answer to a question (info_requested → finder_answered);
 * - **remediation**: the case is opened → every vendor in it has a fix ready (Vultron F);
 * - **release**: every vendor has a fix ready → the case is public (Vultron P, or X which makes it public).
 *
 * A policy for a severity wins over the 'any' policy of its stage; without either, the built-in
 * default applies. Severity is the CVSS qualitative rating, lower-cased ('unknown' when unscored).
 */
import { validation } from '../core/errors.ts';
import { validateCalendar, type BusinessCalendar } from '../sla/calendar.ts';
import { activeInstant, atRiskAmount, slaClock, type PauseInterval, type SlaState } from '../sla/clock.ts';

export const slaStages = ['acknowledge', 'triage', 'remediation', 'release'] as const;
export type SlaStage = (typeof slaStages)[number];

/** The ISO/IEC 30111 phase each stage measures. */
export const stagePhases: Record<SlaStage, string> = {
  acknowledge: 'receipt',
  triage: 'verification',
  remediation: 'remediation development',
  release: 'release',
};

export const policySeverities = ['any', 'critical', 'high', 'medium', 'low', 'none', 'unknown'] as const;
export type PolicySeverity = (typeof policySeverities)[number];

export interface StagePolicy {
  stage: SlaStage;
  severity: PolicySeverity;
  targetBusinessDays: number;
  atRiskFraction: number;
  pauseAwaitingFinder: boolean;
}

export const DEFAULT_AT_RISK_FRACTION = 0.8;

/**
 * The seed of the stored SLA settings — the one place configuration enters them. Until admins store
 * a calendar (`sla_calendar`) the clocks run on the configured zone and holidays (ACCORD_TIME_ZONE,
 * ACCORD_HOLIDAYS); until they store policies (`sla_policies`), on these built-in policies, whose
 * acknowledge and triage targets are ACCORD_SLA_ACKNOWLEDGE_DAYS and ACCORD_SLA_TRIAGE_DAYS.
 * Every clock (report queue, SLA views, alerts, metrics) reads the settings through
 * `loadSlaSettings` (queries.ts), never the configuration itself.
 */
export function seedCalendar(sla: { timeZone: string; holidays: readonly string[] }): BusinessCalendar {
  return { timeZone: sla.timeZone, holidays: [...sla.holidays] };
}

/** Built-in policies (the seed: see seedCalendar); acknowledge and triage take ACCORD_SLA_*_DAYS. */
export function defaultPolicies(targets: { acknowledgeDays: number; triageDays: number }): StagePolicy[] {
  const p = (stage: SlaStage, severity: PolicySeverity, days: number, pause = false): StagePolicy => ({
    stage,
    severity,
    targetBusinessDays: days,
    atRiskFraction: DEFAULT_AT_RISK_FRACTION,
    pauseAwaitingFinder: pause,
  });
  return [
    p('acknowledge', 'any', targets.acknowledgeDays),
    p('triage', 'any', targets.triageDays, true),
    p('remediation', 'any', 60),
    p('remediation', 'critical', 20),
    p('remediation', 'high', 40),
    p('release', 'any', 10),
  ];
}

/** The policy for a stage and severity: an exact row, else the stage's 'any' row, else the default's. */
export function policyFor(
  policies: readonly StagePolicy[],
  defaults: readonly StagePolicy[],
  stage: SlaStage,
  severity: string,
): StagePolicy {
  const find = (list: readonly StagePolicy[], sev: string) => list.find((p) => p.stage === stage && p.severity === sev);
  const found = find(policies, severity) ?? find(policies, 'any') ?? find(defaults, severity) ?? find(defaults, 'any');
  if (!found) throw new Error(`no SLA policy for stage ${stage}`); // defaults cover every stage
  return found;
}

/** Every problem with a list of policies from a request, as messages a person can act on. */
export function validatePolicies(input: readonly Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  input.forEach((p, i) => {
    const at = `policies[${i}]`;
    if (!(slaStages as readonly unknown[]).includes(p['stage'])) {
      problems.push(`${at}.stage must be one of ${slaStages.join(', ')}`);
    }
    if (!(policySeverities as readonly unknown[]).includes(p['severity'])) {
      problems.push(`${at}.severity must be one of ${policySeverities.join(', ')}`);
    }
    const days = p['targetBusinessDays'];
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > 3650) {
      problems.push(`${at}.targetBusinessDays must be a whole number of business days from 0 to 3650`);
    }
    const f = p['atRiskFraction'];
    if (typeof f !== 'number' || !(f > 0 && f <= 1)) {
      problems.push(`${at}.atRiskFraction must be above 0 and at most 1 (e.g. 0.8 for "at risk at 80 %")`);
    }
    const key = `${String(p['stage'])}/${String(p['severity'])}`;
    if (seen.has(key)) problems.push(`${at} repeats stage ${String(p['stage'])} for severity ${String(p['severity'])}`);
    seen.add(key);
  });
  return problems;
}

/** The checked policies of a request; throws ERR_VALIDATION listing every problem. */
export function checkPolicies(input: readonly Record<string, unknown>[]): StagePolicy[] {
  const problems = validatePolicies(input);
  if (problems.length > 0) {
    throw validation(`invalid SLA policies: ${problems.join('; ')}`, withFields(problems));
  }
  return input.map((p) => ({
    stage: p['stage'] as SlaStage,
    severity: p['severity'] as PolicySeverity,
    targetBusinessDays: p['targetBusinessDays'] as number,
    atRiskFraction: p['atRiskFraction'] as number,
    pauseAwaitingFinder: p['pauseAwaitingFinder'] === true,
  }));
}

export function assertCalendarInput(input: unknown): asserts input is BusinessCalendar {
  const problems = validateCalendar(input);
  if (problems.length > 0) throw validation(`invalid business calendar: ${problems.join('; ')}`, withFields(problems));
}

/**
 * The field a validation message is about: every message above and in `validateCalendar` starts
 * with its path ("policies[1].targetBusinessDays must…", "holidays[0] = …", "timeZone 'x' is…").
 */
export function problemField(message: string): string {
  return /^[A-Za-z]+(?:\[\d+\])?(?:\.[A-Za-z]+)?/.exec(message)?.[0] ?? 'input';
}

/** Error details a form can place on its fields: `field` (the first) and `problems` as `{ field, message }`. */
function withFields(problems: readonly string[]) {
  const list = problems.map((message) => ({ field: problemField(message), message }));
  return { field: list[0]?.field, problems: list };
}

/** The lower-cased CVSS rating used to pick a policy; 'unknown' when there is none. */
export function severityKey(severity: string | null | undefined): string {
  const s = (severity ?? '').trim().toLowerCase();
  return ['critical', 'high', 'medium', 'low', 'none'].includes(s) ? s : 'unknown';
}

/** The CVSS rating of a base score (CVSS v3/v4 bands). */
export function severityOfScore(score: number | null | undefined): string {
  if (score === null || score === undefined || Number.isNaN(score)) return 'unknown';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

const severityRank: Record<string, number> = { critical: 5, high: 4, medium: 3, low: 2, none: 1, unknown: 0 };

/** The most severe of several ratings. */
export function worstSeverity(list: readonly string[]): string {
  let best = 'unknown';
  for (const s of list) if ((severityRank[s] ?? 0) > (severityRank[best] ?? 0)) best = s;
  return best;
}

// --- Facts from events ---------------------------------------------------------------------------

export interface ReportEventLike {
  kind: string;
  to_state: string | null;
  created_at: Date;
}

export interface ReportFacts {
  acknowledgedAt: Date | null;
  /** The first triage decision: validated (V), invalidated (I) or closed (C, e.g. as a duplicate). */
  triagedAt: Date | null;
  triagedTo: 'V' | 'I' | 'C' | null;
  /** Waiting for the finder: a question asked until the finder answered (the last one may be open). */
  awaitingFinder: PauseInterval[];
}

/**
 * A report's facts for its clocks (the report queue's columns, the SLA views and the metrics all
 * use these): closing a report (e.g. as a duplicate) also ends its triage, so a closed report
 * stops its clock there rather than breaching later.
 */
export function reportFacts(events: readonly ReportEventLike[]): ReportFacts {
  const sorted = [...events].sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
  const ack = sorted.find((e) => e.kind === 'staff_message' || (e.kind === 'transition' && e.to_state !== 'R'));
  const triaged = sorted.find((e) => e.kind === 'transition' && isTriageDecision(e.to_state));
  return {
    acknowledgedAt: ack?.created_at ?? null,
    triagedAt: triaged?.created_at ?? null,
    triagedTo: (triaged?.to_state as ReportFacts['triagedTo'] | undefined) ?? null,
    awaitingFinder: finderPauses(sorted),
  };
}

export function isTriageDecision(toState: string | null): boolean {
  return toState === 'V' || toState === 'I' || toState === 'C';
}

/** Pause intervals from (sorted) question and answer events. */
export function finderPauses(sorted: readonly { kind: string; created_at: Date }[]): PauseInterval[] {
  const pauses: PauseInterval[] = [];
  let open: Date | null = null;
  for (const e of sorted) {
    if (e.kind === 'info_requested' && open === null) open = e.created_at;
    if (e.kind === 'finder_answered' && open !== null) {
      pauses.push({ from: open, to: e.created_at });
      open = null;
    }
  }
  if (open !== null) pauses.push({ from: open, to: null });
  return pauses;
}

export type CsLetter = 'V' | 'F' | 'D' | 'P' | 'X' | 'A';

/** A recorded Vultron CS event of a case: a vendor's V/F/D (participantId set) or the case's P/X/A. */
export interface CsEventLike {
  event: string;
  participantId: string | null;
  at: Date;
}

export interface CaseFacts {
  /** The first time each event happened in the case (any vendor for V/F/D), with forced follow-ups. */
  first: Partial<Record<CsLetter, Date>>;
  /** The order in which the events first happened (for the desiderata). */
  history: CsLetter[];
  /** When the last of the vendors reached Fix ready; null while one has not (or there are none). */
  allFixedAt: Date | null;
}

/**
 * Case facts from its CS events in recorded order. X makes the case public (P follows at once);
 * P makes every vendor aware, so a case-level V that had not happened happens with P.
 */
export function caseFacts(events: readonly CsEventLike[], vendorIds: readonly string[]): CaseFacts {
  const first: Partial<Record<CsLetter, Date>> = {};
  const history: CsLetter[] = [];
  const fixedBy = new Map<string, Date>();
  const happen = (e: CsLetter, at: Date) => {
    if (first[e] !== undefined) return;
    first[e] = at;
    history.push(e);
  };
  for (const e of events) {
    const letter = e.event as CsLetter;
    if (!['V', 'F', 'D', 'P', 'X', 'A'].includes(letter)) continue;
    happen(letter, e.at);
    if (letter === 'X') happen('P', e.at);
    if (letter === 'P' || letter === 'X') happen('V', e.at);
    if (letter === 'F' && e.participantId && !fixedBy.has(e.participantId)) fixedBy.set(e.participantId, e.at);
  }
  let allFixedAt: Date | null = null;
  if (vendorIds.length > 0 && vendorIds.every((id) => fixedBy.has(id))) {
    allFixedAt = new Date(Math.max(...vendorIds.map((id) => fixedBy.get(id)!.getTime())));
  }
  return { first, history, allFixedAt };
}

// --- Clocks --------------------------------------------------------------------------------------

export interface ClockInput {
  start: Date;
  stop: Date | null;
  pauses: readonly PauseInterval[];
}

/** What is stored per clock: enough to tell its state at any later instant in SQL (see clockStateAt). */
export interface DerivedClock {
  startedAt: Date;
  stoppedAt: Date | null;
  /** Set while the clock is paused at `now`. */
  pausedSince: Date | null;
  /**
   * The deadline, extended by the business time of past pauses. A paused clock keeps the deadline it
   * had when the pause began (the pause moves it out once it ends), so the value does not depend on
   * when the clock was derived: stored copies (the report queue's columns, sla_clocks) agree.
   */
  dueAt: Date;
  /** When a running clock turns at risk (null when stopped or paused). */
  riskAt: Date | null;
  /** The state at `now`. */
  state: SlaState;
}

/** The clock of one stage as of `now`: slaClock's verdict plus the instant it turns at risk. */
export function deriveClock(cal: BusinessCalendar, policy: StagePolicy, input: ClockInput, now: Date): DerivedClock {
  const pauses = policy.pauseAwaitingFinder ? input.pauses : [];
  const stop = input.stop && input.stop.getTime() <= now.getTime() ? input.stop : null;
  const slaPolicy = {
    stage: policy.stage,
    targetBusinessDays: policy.targetBusinessDays,
    atRiskFraction: policy.atRiskFraction,
  };
  const clock = slaClock(cal, slaPolicy, { start: input.start, stop, pauses }, now);
  const open = pauses.find((p) => p.from.getTime() <= now.getTime() && (p.to === null || p.to > now));
  const pausedSince = stop === null && open ? open.from : null;
  const riskAt =
    stop !== null || pausedSince !== null
      ? null
      : activeInstant(cal, input.start, pauses, atRiskAmount(policy.atRiskFraction, clock.budgetBusinessMs));
  // A paused clock keeps the deadline it had when the pause began: the same whenever it is derived.
  const dueAt =
    pausedSince === null
      ? clock.dueAt
      : slaClock(cal, slaPolicy, { start: input.start, pauses: pauses.filter((p) => p !== open) }, now).dueAt;
  return { startedAt: input.start, stoppedAt: stop, pausedSince, dueAt, riskAt, state: clock.state };
}

/**
 * A stored clock's state at `now` (the same rule as the SQL of the at-risk and breached lists and of
 * the report queue's filter). A clock paused before its deadline stays paused however long the
 * pause lasts; one paused at or after its deadline was breached already.
 */
export function clockStateAt(
  c: { stoppedAt: Date | null; pausedSince: Date | null; dueAt: Date; riskAt: Date | null },
  now: Date,
): SlaState {
  if (c.stoppedAt) return c.stoppedAt.getTime() <= c.dueAt.getTime() ? 'met' : 'breached';
  const pausedInTime = c.pausedSince !== null && c.pausedSince.getTime() < c.dueAt.getTime();
  if (now.getTime() > c.dueAt.getTime() && !pausedInTime) return 'breached';
  if (c.pausedSince) return 'paused';
  if (c.riskAt && now.getTime() >= c.riskAt.getTime()) return 'at_risk';
  return 'running';
}

/** The clock inputs of a report's two stages. */
export function reportClockInputs(receivedAt: Date, facts: ReportFacts): Record<'acknowledge' | 'triage', ClockInput> {
  return {
    acknowledge: { start: receivedAt, stop: facts.acknowledgedAt, pauses: [] },
    triage: { start: receivedAt, stop: facts.triagedAt, pauses: facts.awaitingFinder },
  };
}

/** What every clock is computed with: the business calendar and the policies in force (see seedCalendar). */
export interface SlaSettings {
  calendar: BusinessCalendar;
  /** The stored policies, or the defaults while none are stored. */
  policies: readonly StagePolicy[];
  defaults: readonly StagePolicy[];
}

export interface ReportClocks {
  acknowledge: DerivedClock;
  triage: DerivedClock;
}

/**
 * A report's two clocks as of `now`, from its facts (reportFacts), with the policy of its severity:
 * the one derivation the report queue's columns, the report page, the SLA views and the metrics share.
 */
export function deriveReportClocks(
  sla: SlaSettings,
  report: { receivedAt: Date; severity: string | null },
  facts: ReportFacts,
  now: Date,
): ReportClocks {
  const inputs = reportClockInputs(report.receivedAt, facts);
  const severity = severityKey(report.severity);
  const clock = (stage: 'acknowledge' | 'triage') =>
    deriveClock(sla.calendar, policyFor(sla.policies, sla.defaults, stage, severity), inputs[stage], now);
  return { acknowledge: clock('acknowledge'), triage: clock('triage') };
}

/** The clock inputs of a case's two stages; release has no clock until every vendor has a fix ready. */
export function caseClockInputs(
  openedAt: Date,
  facts: CaseFacts,
): { remediation: ClockInput; release: ClockInput | null } {
  const publicAt = facts.first.P ?? null;
  return {
    remediation: { start: openedAt, stop: facts.allFixedAt, pauses: [] },
    release:
      facts.allFixedAt === null
        ? null
        : {
            start: facts.allFixedAt,
            stop: publicAt && publicAt >= facts.allFixedAt ? publicAt : publicAt ? facts.allFixedAt : null,
            pauses: [],
          },
  };
}

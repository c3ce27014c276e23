import type { BusinessCalendar } from '../sla/calendar.ts';
import {
  deriveReportClocks,
  reportFacts,
  seedCalendar,
  type ReportClocks,
  type ReportEventLike,
  type SlaSettings,
} from '../slapolicy/rules.ts';

/**
 * The report queue's SLA columns (pure). They are the clocks of src/slapolicy — `reportFacts` and
 * `deriveClock` with the stored calendar and the policy of the report's stage and severity — kept
 * on the report row so that the queue filters at-risk and breached in SQL. Nothing here computes
 * business time: the columns are the derived clocks' instants, and their state at a later instant
 * is `clockStateAt`, the rule of the SLA views.
 */
export interface ReportSlaColumns {
  ack_due_at: Date;
  /** Null when the clock is stopped or paused. */
  ack_risk_at: Date | null;
  acknowledged_at: Date | null;
  triage_due_at: Date;
  triage_risk_at: Date | null;
  triaged_at: Date | null;
  /** The open question to the finder (a fact; whether it pauses a clock is the policy's). */
  awaiting_finder_since: Date | null;
}

export type { ReportClocks };

/** A report's clocks as of `now`, from its events (the staff report page shows these). */
export function reportClocks(
  sla: SlaSettings,
  report: { created_at: Date; severity: string | null },
  events: readonly ReportEventLike[],
  now: Date,
): ReportClocks {
  return deriveReportClocks(
    sla,
    { receivedAt: report.created_at, severity: report.severity },
    reportFacts(events),
    now,
  );
}

/** The stored columns of a report's clocks as of `now`. */
export function reportSlaColumns(
  sla: SlaSettings,
  report: { created_at: Date; severity: string | null },
  events: readonly ReportEventLike[],
  now: Date,
): ReportSlaColumns {
  const facts = reportFacts(events);
  const c = deriveReportClocks(sla, { receivedAt: report.created_at, severity: report.severity }, facts, now);
  return {
    ack_due_at: c.acknowledge.dueAt,
    ack_risk_at: c.acknowledge.riskAt,
    acknowledged_at: facts.acknowledgedAt,
    triage_due_at: c.triage.dueAt,
    triage_risk_at: c.triage.riskAt,
    triaged_at: facts.triagedAt,
    awaiting_finder_since: facts.awaitingFinder.find((p) => p.to === null)?.from ?? null,
  };
}

export interface StoredClock {
  stoppedAt: Date | null;
  pausedSince: Date | null;
  dueAt: Date;
  riskAt: Date | null;
}

/**
 * The stored clocks of a queue row. A running clock always has a risk instant, so an open clock
 * without one is paused — since the open question to the finder, the only pause there is
 * (`listReports` applies the same reading in SQL).
 */
export function storedReportClocks(r: {
  [K in keyof ReportSlaColumns]: Date | null;
}): { acknowledge: StoredClock | null; triage: StoredClock | null } {
  const clock = (stoppedAt: Date | null, dueAt: Date | null, riskAt: Date | null): StoredClock | null =>
    dueAt === null
      ? null // not derived yet
      : {
          stoppedAt,
          pausedSince: stoppedAt === null && riskAt === null ? r.awaiting_finder_since : null,
          dueAt,
          riskAt,
        };
  return {
    acknowledge: clock(r.acknowledged_at, r.ack_due_at, r.ack_risk_at),
    triage: clock(r.triaged_at, r.triage_due_at, r.triage_risk_at),
  };
}

/**
 * The configured business calendar (ACCORD_TIME_ZONE, ACCORD_HOLIDAYS): the seed of the stored SLA
 * calendar, used where only a local date is wanted without a database read. SLA clocks use the
 * stored calendar (slapolicy/queries.ts loadSlaSettings).
 */
export function calendarOf(sla: { timeZone: string; holidays: readonly string[] }): BusinessCalendar {
  return seedCalendar(sla);
}

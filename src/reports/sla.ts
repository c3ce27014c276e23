import type { BusinessCalendar } from '../sla/calendar.ts';
import { slaClock, type PauseInterval, type SlaClock, type SlaPolicy } from '../sla/clock.ts';

/**
 * A report's SLA clocks (ISO/IEC 30111 receipt and verification), derived only from its recorded
 * events — never typed in. Pure.
 *
 * - **acknowledge** runs from receipt until staff first answer the finder (a shared message) or
 *   first move the report out of Received;
 * - **triage** runs from receipt until the report is validated or invalidated; it is paused
 *   while staff wait for the finder's answer to a question.
 */
export interface ReportEventLike {
  kind: string;
  to_state: string | null;
  created_at: Date;
}

export interface SlaTargets {
  acknowledgeDays: number;
  triageDays: number;
}

export const AT_RISK_FRACTION = 0.8;

export interface ReportClocks {
  acknowledge: SlaClock;
  triage: SlaClock;
}

/** Derived columns stored on the report so that the queue can filter at-risk and breached in SQL. */
export interface ReportSlaColumns {
  ack_due_at: Date;
  ack_risk_at: Date | null;
  acknowledged_at: Date | null;
  triage_due_at: Date;
  triage_risk_at: Date | null;
  triaged_at: Date | null;
  awaiting_finder_since: Date | null;
}

function facts(events: readonly ReportEventLike[]) {
  const sorted = [...events].sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
  const acknowledged = sorted.find(
    (e) => e.kind === 'staff_message' || (e.kind === 'transition' && e.to_state !== 'R'),
  );
  const triaged = sorted.find((e) => e.kind === 'transition' && (e.to_state === 'V' || e.to_state === 'I'));
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
  return { acknowledged: acknowledged?.created_at ?? null, triaged: triaged?.created_at ?? null, pauses, open };
}

function policies(targets: SlaTargets): { acknowledge: SlaPolicy; triage: SlaPolicy } {
  return {
    acknowledge: {
      stage: 'acknowledge',
      targetBusinessDays: targets.acknowledgeDays,
      atRiskFraction: AT_RISK_FRACTION,
    },
    triage: { stage: 'triage', targetBusinessDays: targets.triageDays, atRiskFraction: AT_RISK_FRACTION },
  };
}

export function reportClocks(
  cal: BusinessCalendar,
  targets: SlaTargets,
  receivedAt: Date,
  events: readonly ReportEventLike[],
  now: Date,
): ReportClocks {
  const f = facts(events);
  const p = policies(targets);
  return {
    acknowledge: slaClock(cal, p.acknowledge, { start: receivedAt, stop: f.acknowledged }, now),
    triage: slaClock(cal, p.triage, { start: receivedAt, stop: f.triaged, pauses: f.pauses }, now),
  };
}

/**
 * The earliest instant at which a running clock turns at risk, found by bisection over the pure
 * clock (to the second); null when the stage is done or paused.
 */
function riskAt(clockAt: (t: Date) => SlaClock, from: Date, due: Date): Date | null {
  let lo = from.getTime();
  let hi = due.getTime();
  if (clockAt(new Date(hi)).state !== 'at_risk') return null;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    if (clockAt(new Date(mid)).state === 'at_risk') hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

export function reportSlaColumns(
  cal: BusinessCalendar,
  targets: SlaTargets,
  receivedAt: Date,
  events: readonly ReportEventLike[],
  now: Date,
): ReportSlaColumns {
  const f = facts(events);
  const p = policies(targets);
  const ack = (t: Date) => slaClock(cal, p.acknowledge, { start: receivedAt, stop: f.acknowledged }, t);
  const triage = (t: Date) => slaClock(cal, p.triage, { start: receivedAt, stop: f.triaged, pauses: f.pauses }, t);
  const ackNow = ack(now);
  const triageNow = triage(now);
  return {
    ack_due_at: ackNow.dueAt,
    ack_risk_at: f.acknowledged ? null : riskAt(ack, receivedAt, ackNow.dueAt),
    acknowledged_at: f.acknowledged,
    triage_due_at: triageNow.dueAt,
    triage_risk_at: f.triaged || f.open ? null : riskAt(triage, receivedAt, triageNow.dueAt),
    triaged_at: f.triaged,
    awaiting_finder_since: f.open,
  };
}

export function calendarOf(sla: { timeZone: string; holidays: readonly string[] }): BusinessCalendar {
  return { timeZone: sla.timeZone, holidays: sla.holidays };
}

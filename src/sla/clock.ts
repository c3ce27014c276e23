/**
 * SLA clocks from recorded events (pure). A clock starts at an instant, may stop (the stage was
 * done), and may be paused (e.g. waiting for the finder). Its budget is the business time from the
 * start to the calendar deadline (addBusinessDays); paused business time does not count against
 * it, so it pushes the deadline out. Everything is evaluated "as of" `now`: events after `now` are
 * ignored, and an open pause is taken to end at `now` — dueAt is then where the deadline will be if
 * the clock resumes now.
 */
import { validation } from '../core/errors.ts';
import { addBusinessDays, businessMillisBetween, businessPeriods, type BusinessCalendar } from './calendar.ts';

export interface SlaPolicy {
  /** The stage this clock measures, e.g. 'acknowledge', 'triage', 'fix'. */
  stage: string;
  targetBusinessDays: number;
  /** Share of the budget used (0 < x ≤ 1) from which a running clock is at risk, e.g. 0.8. */
  atRiskFraction: number;
}

export interface PauseInterval {
  from: Date;
  /** null while the pause lasts. */
  to: Date | null;
}

export interface SlaEvents {
  start: Date;
  /** When the stage was done; absent or null while it is not. */
  stop?: Date | null;
  pauses?: readonly PauseInterval[];
}

export type SlaState = 'running' | 'paused' | 'at_risk' | 'met' | 'breached';

export interface SlaClock {
  stage: string;
  state: SlaState;
  /** The deadline, extended by paused business time. Met by an instant at or before it. */
  dueAt: Date;
  /** Business time left (budget − elapsed); negative by how much a breached clock is over. */
  remainingMs: number;
  /** Business time counted against the SLA so far (paused time excluded). */
  elapsedBusinessMs: number;
  /** Business time spent paused so far. */
  pausedBusinessMs: number;
  /** Business time from the start to the unextended deadline. */
  budgetBusinessMs: number;
}

/** The state of one SLA clock at `now`; precedence: met/breached, then paused, then at risk. */
export function slaClock(cal: BusinessCalendar, policy: SlaPolicy, events: SlaEvents, now: Date): SlaClock {
  checkPolicy(policy);
  const start = instant(events.start, 'start');
  const at = instant(now, 'now');
  const stop = events.stop == null ? null : instant(events.stop, 'stop');
  if (stop !== null && stop < start) throw validation(`the ${policy.stage} clock stops before it starts`);
  const stopped = stop !== null && stop <= at;
  const end = Math.max(start, stopped ? stop : at); // events are known up to here

  const pauses = mergePauses(events.pauses ?? [], start, end);
  const pausedNow =
    !stopped &&
    at >= start &&
    (events.pauses ?? []).some((p) => p.from.getTime() <= at && (p.to === null || p.to.getTime() > at));

  const deadline = addBusinessDays(cal, events.start, policy.targetBusinessDays);
  const budget = businessMillisBetween(cal, events.start, deadline);

  let elapsed = 0;
  let paused = 0;
  let used = 0; // active business time walked so far
  let due: number | null = null;
  for (const period of businessPeriods(cal, events.start)) {
    const [ps, pe] = [period.start.getTime(), period.end.getTime()];
    for (const [s, e] of subtract(ps, pe, pauses)) {
      elapsed += Math.max(0, Math.min(e, end) - s);
      if (due === null) {
        if (used + (e - s) >= budget) due = s + (budget - used);
        else used += e - s;
      }
    }
    for (const [s, e] of pauses) paused += Math.max(0, Math.min(e, pe) - Math.max(s, ps));
    if (due !== null && pe >= end) break;
  }
  const dueAt = due ?? deadline.getTime(); // unreachable fallback: the loop always finds the deadline

  let state: SlaState;
  if (stopped) state = stop <= dueAt ? 'met' : 'breached';
  else if (at > dueAt) state = 'breached';
  else if (pausedNow) state = 'paused';
  else if (elapsed >= atRiskAmount(policy.atRiskFraction, budget)) state = 'at_risk';
  else state = 'running';

  return {
    stage: policy.stage,
    state,
    dueAt: new Date(dueAt),
    remainingMs: budget - elapsed,
    elapsedBusinessMs: elapsed,
    pausedBusinessMs: paused,
    budgetBusinessMs: budget,
  };
}

/**
 * The active business time (whole ms) at which a clock turns at risk: the first whole millisecond
 * where `elapsed ≥ atRiskFraction × budget`, so that every evaluation of a clock (slaClock's state,
 * the derived risk instant, the indexed timeline) lands on the same instant.
 */
export function atRiskAmount(atRiskFraction: number, budgetBusinessMs: number): number {
  return Math.ceil(atRiskFraction * budgetBusinessMs);
}

/**
 * The instant at which `amountMs` of active business time (business time outside the pauses) has
 * passed since `start`; null when a pause without an end comes first. Exact (no search): it is how
 * the instant a clock turns at risk is found (`atRiskAmount`).
 */
export function activeInstant(
  cal: BusinessCalendar,
  start: Date,
  pauses: readonly PauseInterval[],
  amountMs: number,
): Date | null {
  let left = amountMs;
  const sorted = [...pauses].sort((a, b) => a.from.getTime() - b.from.getTime());
  let days = 0;
  for (const period of businessPeriods(cal, start)) {
    let cursor = period.start.getTime();
    const end = period.end.getTime();
    for (const p of sorted) {
      const ps = p.from.getTime();
      const pe = p.to === null ? Infinity : p.to.getTime();
      if (pe <= cursor || ps >= end) continue;
      if (ps > cursor) {
        if (ps - cursor >= left) return new Date(cursor + left);
        left -= ps - cursor;
      }
      if (pe === Infinity) return null;
      cursor = Math.max(cursor, pe);
    }
    if (cursor < end) {
      if (end - cursor >= left) return new Date(cursor + left);
      left -= end - cursor;
    }
    if (++days > 40_000) return null; // ~110 years of business days: no such instant
  }
  return null;
}

function checkPolicy(policy: SlaPolicy): void {
  const { stage, targetBusinessDays: days, atRiskFraction: f } = policy;
  const problems: string[] = [];
  if (!Number.isInteger(days) || days < 0) {
    problems.push(`targetBusinessDays must be a whole number of days, 0 or more, not ${days}`);
  }
  if (!(f > 0 && f <= 1)) problems.push(`atRiskFraction must be above 0 and at most 1 (e.g. 0.8), not ${f}`);
  if (problems.length > 0) throw validation(`invalid SLA policy '${stage}': ${problems.join('; ')}`, { problems });
}

/** Pauses clipped to [start, end], sorted and merged, as [from, to) millisecond pairs. */
function mergePauses(pauses: readonly PauseInterval[], start: number, end: number): [number, number][] {
  const clipped: [number, number][] = [];
  pauses.forEach((p, i) => {
    const from = instant(p.from, `pauses[${i}].from`);
    const to = p.to === null ? Infinity : instant(p.to, `pauses[${i}].to`);
    if (to < from) throw validation(`pauses[${i}] ends before it begins`);
    const s = Math.max(from, start);
    const e = Math.min(to, end);
    if (e > s) clipped.push([s, e]);
  });
  clipped.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of clipped) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** [s, e) without the (sorted, disjoint) pauses. */
function subtract(s: number, e: number, pauses: readonly [number, number][]): [number, number][] {
  const pieces: [number, number][] = [];
  let cursor = s;
  for (const [ps, pe] of pauses) {
    if (pe <= cursor || ps >= e) continue;
    if (ps > cursor) pieces.push([cursor, ps]);
    cursor = Math.max(cursor, pe);
  }
  if (cursor < e) pieces.push([cursor, e]);
  return pieces;
}

function instant(date: Date, name: string): number {
  const t = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(t)) throw validation(`${name} is not a valid instant`);
  return t;
}

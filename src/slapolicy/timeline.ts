/**
 * A calendar's business periods over a span, indexed once, so that thousands of SLA clocks are
 * evaluated with binary searches instead of time-zone look-ups per clock (pure). It gives the same
 * answers as slaClock/deriveClock (a property test checks them against each other); a question
 * outside the indexed span returns null and the caller falls back to deriveClock.
 */
import { businessPeriods, type BusinessCalendar } from '../sla/calendar.ts';
import { atRiskAmount, type SlaState } from '../sla/clock.ts';
import type { ClockInput, DerivedClock, StagePolicy } from './rules.ts';

const DAY_MS = 86_400_000;

export class BusinessTimeline {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Business ms before each period. */
  private readonly before: number[] = [];
  readonly from: number;
  readonly to: number;

  /** Indexes [from − 3 days, to + 3 days); periods touching the edges are dropped, so they are never clipped. */
  constructor(cal: BusinessCalendar, from: Date, to: Date) {
    const lo = from.getTime() - 3 * DAY_MS;
    const hi = to.getTime() + 3 * DAY_MS;
    let total = 0;
    for (const p of businessPeriods(cal, new Date(lo), new Date(hi))) {
      const [s, e] = [p.start.getTime(), p.end.getTime()];
      if (s <= lo || e >= hi) continue;
      this.starts.push(s);
      this.ends.push(e);
      this.before.push(total);
      total += e - s;
    }
    this.from = this.starts[0] ?? hi;
    this.to = this.ends[this.ends.length - 1] ?? lo;
  }

  private covers(t: number): boolean {
    return t >= this.from && t <= this.to;
  }

  /** Index of the first period ending after t. */
  private firstEndingAfter(t: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Business ms from the start of the span to t. */
  cum(t: number): number {
    const i = this.firstEndingAfter(t);
    if (i >= this.ends.length) return this.before[i - 1]! + (this.ends[i - 1]! - this.starts[i - 1]!);
    return this.before[i]! + Math.max(0, t - this.starts[i]!);
  }

  /** The first instant at which `cum` reaches x (within the period where it is reached, at its end if exactly). */
  inv(x: number): number | null {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.before[mid]! + (this.ends[mid]! - this.starts[mid]!) >= x) hi = mid;
      else lo = mid + 1;
    }
    if (lo >= this.ends.length) return null;
    return this.starts[lo]! + Math.max(0, x - this.before[lo]!);
  }

  /** addBusinessDays: the end of the N-th business day after the deemed receipt day. */
  deadline(start: number, days: number): number | null {
    const r = this.firstEndingAfter(start);
    return this.ends[r + days] ?? null;
  }

  /** Business days between a and b, counting each day's covered share (as metrics/rules businessDays). */
  businessDays(a: number, b: number): number | null {
    if (b <= a) return 0;
    if (!this.covers(a) || !this.covers(b)) return null;
    let total = 0;
    for (let i = this.firstEndingAfter(a); i < this.ends.length && this.starts[i]! < b; i++) {
      const [s, e] = [this.starts[i]!, this.ends[i]!];
      total += (Math.min(e, b) - Math.max(s, a)) / (e - s);
    }
    return total;
  }

  /**
   * The clock of deriveClock(cal, policy, input, now), or null when it reaches outside the span.
   * Active time is business time outside the pauses; pauses count up to `now` (or the stop).
   */
  clock(policy: StagePolicy, input: ClockInput, now: Date): DerivedClock | null {
    const pauses = input.pauses.map((p): PauseMs => [p.from.getTime(), p.to === null ? null : p.to.getTime()]);
    const c = this.clockAt(
      policy,
      input.start.getTime(),
      input.stop ? input.stop.getTime() : null,
      pauses,
      now.getTime(),
    );
    if (!c) return null;
    return {
      startedAt: input.start,
      stoppedAt: c.stoppedAt === null ? null : new Date(c.stoppedAt),
      pausedSince: c.pausedSince === null ? null : new Date(c.pausedSince),
      dueAt: new Date(c.dueAt),
      riskAt: c.riskAt === null ? null : new Date(c.riskAt),
      state: c.state,
    };
  }

  /** The instant where cum reaches `target` plus the business time of the (merged) pauses before it. */
  private reach(target: number, merged: readonly [number, number][]): number | null {
    let t = target;
    for (const [s, e] of merged) {
      const at = this.inv(t);
      if (at === null) return null;
      if (at <= s) break;
      t += this.cum(e) - this.cum(s);
    }
    return this.inv(t);
  }

  /**
   * `clock` in epoch milliseconds, without Date objects (the metrics recomputation derives tens of
   * thousands of clocks per run): start, stop (null while not done) and pauses [from, to | null].
   */
  clockAt(
    policy: StagePolicy,
    start: number,
    stop: number | null,
    pauses: readonly PauseMs[],
    at: number,
  ): ClockMs | null {
    if (!this.covers(start) || !this.covers(at)) return null;
    const rawStop = stop !== null && stop <= at ? stop : null;
    const end = Math.max(start, rawStop ?? at);
    const deadline = this.deadline(start, policy.targetBusinessDays);
    if (deadline === null) return null;
    const c0 = this.cum(start);
    const budget = this.cum(deadline) - c0;
    const pausing = policy.pauseAwaitingFinder && pauses.length > 0;
    const merged = pausing ? merge(pauses, start, end) : noPauses;
    let pausedMs = 0;
    for (const [s, e] of merged) pausedMs += this.cum(e) - this.cum(s);
    const elapsed = this.cum(end) - c0 - pausedMs;
    // The instant where active time reaches `amount`: each pause before it pushes it out.
    let target = c0 + budget;
    let due: number | null = null;
    for (const [s, e] of merged) {
      due = this.inv(target);
      if (due === null) return null;
      if (due <= s) break;
      target += this.cum(e) - this.cum(s);
    }
    due = this.inv(target);
    if (due === null) return null;
    let pausedSince: number | null = null;
    let dueAt = due;
    if (pausing && rawStop === null && at >= start) {
      const open = pauses.find(([from, to]) => from <= at && (to === null || to > at));
      if (open) {
        pausedSince = open[0];
        // A paused clock keeps the deadline it had when the pause began (as deriveClock).
        const others = pauses.filter((p) => p !== open);
        const kept = this.reach(c0 + budget, merge(others, start, end));
        if (kept === null) return null;
        dueAt = kept;
      }
    }
    let state: SlaState;
    if (rawStop !== null) state = rawStop <= due ? 'met' : 'breached';
    else if (at > due) state = 'breached';
    else if (pausedSince !== null) state = 'paused';
    else if (elapsed >= atRiskAmount(policy.atRiskFraction, budget)) state = 'at_risk';
    else state = 'running';
    let riskAt: number | null = null;
    if (rawStop === null && pausedSince === null) {
      const unending = pausing && pauses.some(([, to]) => to === null);
      if (!unending) {
        const allPauses = pausing ? merge(pauses, start, Infinity) : noPauses;
        let target = c0 + atRiskAmount(policy.atRiskFraction, budget);
        let t = this.inv(target);
        for (const [s, e] of allPauses) {
          if (t === null || t <= s) break;
          target += this.cum(e) - this.cum(s);
          t = this.inv(target);
        }
        if (t === null) return null;
        riskAt = t;
      }
    }
    // Whole milliseconds, as a Date would hold them.
    return {
      startedAt: start,
      stoppedAt: rawStop,
      pausedSince,
      dueAt: Math.trunc(dueAt),
      riskAt: riskAt === null ? null : Math.trunc(riskAt),
      state,
    };
  }
}

/** A pause in epoch milliseconds: [from, to], to null while it lasts. */
export type PauseMs = readonly [number, number | null];

/** A derived clock in epoch milliseconds (see DerivedClock). */
export interface ClockMs {
  startedAt: number;
  stoppedAt: number | null;
  pausedSince: number | null;
  dueAt: number;
  riskAt: number | null;
  state: SlaState;
}

const noPauses: readonly [number, number][] = [];

/** Pauses clipped to [start, end], sorted and merged. */
function merge(pauses: readonly PauseMs[], start: number, end: number): [number, number][] {
  const clipped: [number, number][] = [];
  for (const [from, to] of pauses) {
    const s = Math.max(from, start);
    const e = Math.min(to === null ? Infinity : to, end);
    if (e > s && Number.isFinite(e)) clipped.push([s, e]);
  }
  clipped.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of clipped) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

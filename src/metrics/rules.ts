/**
 * PSIRT metrics (pure). Every figure is computed from per-item facts that the full recomputation
 * derives from recorded events (report_events, case_events, vendor answers), never typed in.
 * Durations in business days count each business day's share covered, so a day with a DST change
 * (23 or 25 hours) still counts as one day, and weekends and holidays count as nothing.
 */
import { desiderata as allDesiderata, evaluateDesiderata } from '../vultron/desiderata.ts';
import type { CsEvent } from '../vultron/cs.ts';
import { businessPeriods, localDate, type BusinessCalendar } from '../sla/calendar.ts';
import { instantAt, parseDay } from '../sla/zone.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Business days between two instants, counting the covered share of each business period. */
export function businessDays(cal: BusinessCalendar, a: Date, b: Date): number {
  if (b.getTime() <= a.getTime()) return 0;
  // Widen the window by two days on each side so that the periods around a and b come whole.
  const from = new Date(a.getTime() - 2 * DAY_MS);
  const to = new Date(b.getTime() + 2 * DAY_MS);
  let total = 0;
  for (const p of businessPeriods(cal, from, to)) {
    const len = p.end.getTime() - p.start.getTime();
    const overlap = Math.min(p.end.getTime(), b.getTime()) - Math.max(p.start.getTime(), a.getTime());
    if (overlap > 0 && len > 0) total += overlap / len;
  }
  return total;
}

/** Per report, as the recomputation stores it (metric_reports). */
export interface ReportItem {
  reportId: string;
  trackingId: string;
  receivedAt: Date;
  acknowledgedAt: Date | null;
  triagedAt: Date | null;
  ackBusinessDays: number | null;
  triageBusinessDays: number | null;
  /** Validated (true), invalidated (false), not yet decided (null). */
  valid: boolean | null;
  rmState: string;
  severity: string;
  cwe: string | null;
  product: string;
  finderId: string | null;
  ownerId: string | null;
  caseId: string | null;
  ackSla: string;
  triageSla: string;
}

/** Per case (metric_cases). */
export interface CaseItem {
  caseId: string;
  label: string;
  openedAt: Date;
  firstReportAt: Date;
  vendorAwareAt: Date | null;
  fixReadyAt: Date | null;
  allFixedAt: Date | null;
  deployedAt: Date | null;
  publicAt: Date | null;
  exploitPublicAt: Date | null;
  attacksAt: Date | null;
  advisoryAt: Date | null;
  ownerId: string | null;
  severity: string;
  cwe: string | null;
  products: string[];
  remediationSla: string;
  releaseSla: string;
  /** Desideratum label ("F before P") → met, violated or pending. */
  desiderata: Record<string, string>;
  desiderataMet: number;
  desiderataViolated: number;
  fixBeforePublic: boolean | null;
}

/** Per vendor participant (metric_vendors). */
export interface VendorItem {
  participantId: string;
  caseId: string;
  orgId: string | null;
  notifiedAt: Date;
  firstAnswerAt: Date | null;
}

/** The desiderata of a case from the order its CS events first happened. */
export function caseDesiderata(history: readonly string[]): {
  results: Record<string, string>;
  met: number;
  violated: number;
  fixBeforePublic: boolean | null;
} {
  const report = evaluateDesiderata(history as CsEvent[]);
  const results: Record<string, string> = {};
  for (const r of report.results) results[r.label] = r.status;
  const fp = results['F before P'];
  return {
    results,
    met: report.met,
    violated: report.violated,
    fixBeforePublic: fp === 'met' ? true : fp === 'violated' ? false : null,
  };
}

export interface Stats {
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
  min: number | null;
  max: number | null;
}

/** Count, mean, median, 90th percentile (linear interpolation, as SQL percentile_cont), min and max. */
export function stats(values: readonly number[]): Stats {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { count: 0, mean: null, median: null, p90: null, min: null, max: null };
  const q = (p: number) => {
    const pos = (v.length - 1) * p;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return round(v[lo]! + (v[hi]! - v[lo]!) * (pos - lo));
  };
  return {
    count: v.length,
    mean: round(v.reduce((s, x) => s + x, 0) / v.length),
    median: q(0.5),
    p90: q(0.9),
    min: round(v[0]!),
    max: round(v[v.length - 1]!),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const span = (a: Date | null, b: Date | null, unit: number): number | null =>
  a && b && b.getTime() >= a.getTime() ? (b.getTime() - a.getTime()) / unit : null;
const present = <T>(x: T | null): x is T => x !== null;

export interface Adherence {
  met: number;
  breached: number;
  /** Clocks still running (running, at risk or paused). */
  open: number;
  /** met / (met + breached); null when none has finished. */
  rate: number | null;
}

export function adherence(states: readonly string[]): Adherence {
  let met = 0;
  let breached = 0;
  let open = 0;
  for (const s of states) {
    if (s === 'met') met++;
    else if (s === 'breached') breached++;
    else if (s !== 'none') open++;
  }
  return { met, breached, open, rate: met + breached === 0 ? null : round(met / (met + breached)) };
}

export interface Volume {
  key: string;
  count: number;
}

function volumes(keys: readonly string[], limit = 20): Volume[] {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, limit);
}

export interface Summary {
  counts: { reports: number; cases: number; vendorParticipations: number };
  /** Receipt → acknowledgement, in hours and business days. */
  timeToAcknowledge: { hours: Stats; businessDays: Stats };
  /** Receipt → validated or invalidated. */
  timeToTriage: { hours: Stats; businessDays: Stats };
  /** Calendar days, first report of a case → its first published advisory, and → public. */
  reportToAdvisoryDays: Stats;
  reportToPublicDays: Stats;
  /** Calendar days along the case lifecycle: first vendor aware → first fix ready → public. */
  vendorAwareToFixReadyDays: Stats;
  fixReadyToPublicDays: Stats;
  vendorAwareToPublicDays: Stats;
  slaAdherence: Record<'acknowledge' | 'triage' | 'remediation' | 'release', Adherence>;
  vendors: {
    notified: number;
    answered: number;
    silent: number;
    /** Share of notified vendor participations that never answered; null without any. */
    silentShare: number | null;
    firstAnswerDays: Stats;
  };
  finders: {
    reports: number;
    distinctFinders: number;
    /** Finders with more than one report in the period. */
    returningFinders: number;
    /** Reports without a known finder (e.g. anonymous mail). */
    withoutFinder: number;
    /** Validated share of the decided reports. */
    validShare: number | null;
    reportsPerFinder: Stats;
  };
  volumes: {
    byProduct: Volume[];
    byCwe: Volume[];
    bySeverity: Volume[];
    /** Local month ('YYYY-MM' in the calendar's zone) → reports received and cases opened. */
    byMonth: { month: string; reports: number; cases: number }[];
  };
  desiderata: {
    cases: number;
    fixBeforePublic: { met: number; violated: number; pending: number };
    byDesideratum: { label: string; baseline: number; met: number; violated: number; pending: number }[];
  };
}

/** The dashboard figures over already filtered items. */
export function summarize(
  cal: BusinessCalendar,
  reports: readonly ReportItem[],
  cases: readonly CaseItem[],
  vendors: readonly VendorItem[],
): Summary {
  const ackHours = reports.map((r) => span(r.receivedAt, r.acknowledgedAt, HOUR_MS)).filter(present);
  const triageHours = reports.map((r) => span(r.receivedAt, r.triagedAt, HOUR_MS)).filter(present);
  const days = (f: (c: CaseItem) => number | null) => stats(cases.map(f).filter(present));

  const answered = vendors.filter((v) => v.firstAnswerAt !== null);
  const byFinder = new Map<string, number>();
  for (const r of reports) if (r.finderId) byFinder.set(r.finderId, (byFinder.get(r.finderId) ?? 0) + 1);
  const decided = reports.filter((r) => r.valid !== null);

  const months = new Map<string, { reports: number; cases: number }>();
  const month = (d: Date) => {
    const key = localDate(cal, d).slice(0, 7);
    let m = months.get(key);
    if (!m) months.set(key, (m = { reports: 0, cases: 0 }));
    return m;
  };
  for (const r of reports) month(r.receivedAt).reports++;
  for (const c of cases) month(c.firstReportAt).cases++;

  const fbp = { met: 0, violated: 0, pending: 0 };
  for (const c of cases) {
    if (c.fixBeforePublic === true) fbp.met++;
    else if (c.fixBeforePublic === false) fbp.violated++;
    else fbp.pending++;
  }

  return {
    counts: { reports: reports.length, cases: cases.length, vendorParticipations: vendors.length },
    timeToAcknowledge: {
      hours: stats(ackHours),
      businessDays: stats(reports.map((r) => r.ackBusinessDays).filter(present)),
    },
    timeToTriage: {
      hours: stats(triageHours),
      businessDays: stats(reports.map((r) => r.triageBusinessDays).filter(present)),
    },
    reportToAdvisoryDays: days((c) => span(c.firstReportAt, c.advisoryAt, DAY_MS)),
    reportToPublicDays: days((c) => span(c.firstReportAt, c.publicAt, DAY_MS)),
    vendorAwareToFixReadyDays: days((c) => span(c.vendorAwareAt, c.fixReadyAt, DAY_MS)),
    fixReadyToPublicDays: days((c) => span(c.fixReadyAt, c.publicAt, DAY_MS)),
    vendorAwareToPublicDays: days((c) => span(c.vendorAwareAt, c.publicAt, DAY_MS)),
    slaAdherence: {
      acknowledge: adherence(reports.map((r) => r.ackSla)),
      triage: adherence(reports.map((r) => r.triageSla)),
      remediation: adherence(cases.map((c) => c.remediationSla)),
      release: adherence(cases.map((c) => c.releaseSla)),
    },
    vendors: {
      notified: vendors.length,
      answered: answered.length,
      silent: vendors.length - answered.length,
      silentShare: vendors.length === 0 ? null : round((vendors.length - answered.length) / vendors.length),
      firstAnswerDays: stats(answered.map((v) => span(v.notifiedAt, v.firstAnswerAt, DAY_MS)).filter(present)),
    },
    finders: {
      reports: reports.length,
      distinctFinders: byFinder.size,
      returningFinders: [...byFinder.values()].filter((n) => n > 1).length,
      withoutFinder: reports.filter((r) => !r.finderId).length,
      validShare: decided.length === 0 ? null : round(decided.filter((r) => r.valid).length / decided.length),
      reportsPerFinder: stats([...byFinder.values()]),
    },
    volumes: {
      byProduct: volumes([...reports.map((r) => r.product), ...cases.flatMap((c) => c.products)].filter(Boolean)),
      byCwe: volumes(reports.map((r) => r.cwe ?? 'unknown')),
      bySeverity: volumes(reports.map((r) => r.severity)),
      byMonth: [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([m, v]) => ({ month: m, ...v })),
    },
    desiderata: {
      cases: cases.length,
      fixBeforePublic: fbp,
      byDesideratum: allDesiderata.map((d) => {
        const counts = { met: 0, violated: 0, pending: 0 };
        for (const c of cases) {
          const s = c.desiderata[d.label];
          if (s === 'met' || s === 'violated' || s === 'pending') counts[s]++;
        }
        return { label: d.label, baseline: d.baseline, ...counts };
      }),
    },
  };
}

export interface MetricsFilter {
  from?: Date | undefined;
  to?: Date | undefined;
  /** Substring of a product name (case-insensitive). */
  product?: string | undefined;
  /** A staff member: the report's assignee or the case's lead ("team" until teams exist). */
  owner?: string | undefined;
}

/**
 * A filter bound from a request: a local date ('YYYY-MM-DD', midnight in the calendar's zone; an
 * end date counts whole, so it gives the next midnight) or an ISO 8601 instant with its offset.
 */
export function parseBound(cal: BusinessCalendar, text: string, end: boolean): Date | null {
  const day = parseDay(text);
  if (day !== null) return new Date(instantAt(cal.timeZone, end ? day + 1 : day, 0));
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const t = new Date(text);
  return Number.isNaN(t.getTime()) ? null : t;
}

/** A CSV cell that spreadsheets will not run as a formula (text from finders ends up here). */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'string') text = value;
  else text = JSON.stringify(value);
  return /^[=+\-@\t\r]/.test(text) && typeof value !== 'number' ? `'${text}` : text;
}

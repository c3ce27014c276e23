import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from '../sla/calendar.ts';
import {
  businessDays,
  caseDesiderata,
  csvCell,
  parseBound,
  stats,
  summarize,
  type CaseItem,
  type ReportItem,
} from './rules.ts';

const d = (iso: string) => new Date(iso);

describe('business days on constructed timelines', () => {
  it('New York: Friday 10:00 → Tuesday 10:00 over a weekend with the DST change and a Monday holiday is 1 day', () => {
    // 2026-03-08 (Sunday) clocks go forward; 2026-03-09 is declared a holiday.
    const cal: BusinessCalendar = { timeZone: 'America/New_York', holidays: ['2026-03-09'] };
    const received = d('2026-03-06T15:00:00Z'); // Fri 10:00 EST
    const acknowledged = d('2026-03-10T14:00:00Z'); // Tue 10:00 EDT
    // Friday 14 of 24 hours + Tuesday 10 of 24 hours = exactly one business day.
    expect(businessDays(cal, received, acknowledged)).toBeCloseTo(1, 9);
    // On the wall clock it is 95 hours, not 96: the weekend lost an hour.
    expect((acknowledged.getTime() - received.getTime()) / 3_600_000).toBe(95);
  });

  it('Berlin, every day a workday: a 25-hour DST day counts as one day, the holiday as none', () => {
    const cal: BusinessCalendar = {
      timeZone: 'Europe/Berlin',
      workdays: [1, 2, 3, 4, 5, 6, 7],
      holidays: ['2026-10-26'],
    };
    const from = d('2026-10-23T22:00:00Z'); // Sat 24 Oct 00:00 CEST
    const to = d('2026-10-27T23:00:00Z'); // Wed 28 Oct 00:00 CET
    expect(businessDays(cal, from, to)).toBeCloseTo(3, 9); // 24, 25 (25 h), 27
    expect((to.getTime() - from.getTime()) / 3_600_000).toBe(97);
    // Half of the DST day: noon (11:00Z after the change) to midnight is 12 of its 25 hours.
    expect(businessDays(cal, d('2026-10-25T11:00:00Z'), d('2026-10-25T23:00:00Z'))).toBeCloseTo(12 / 25, 9);
    // Noon on the DST day to noon two days later, over the holiday: 12/25 + 0 + 12/24.
    expect(businessDays(cal, d('2026-10-25T11:00:00Z'), d('2026-10-27T11:00:00Z'))).toBeCloseTo(0.48 + 0.5, 9);
  });

  it('business hours: only the hours count, and nothing before the start', () => {
    const cal: BusinessCalendar = { timeZone: 'Asia/Tokyo', hours: { start: '09:00', end: '18:00' } };
    // Mon 2026-11-30 12:00 JST → Tue 12:00 JST: 6 of 9 hours + 3 of 9 hours.
    expect(businessDays(cal, d('2026-11-30T03:00:00Z'), d('2026-12-01T03:00:00Z'))).toBeCloseTo(1, 9);
    expect(businessDays(cal, d('2026-12-01T03:00:00Z'), d('2026-11-30T03:00:00Z'))).toBe(0);
  });
});

describe('statistics', () => {
  it('median and p90 interpolate like percentile_cont', () => {
    expect(stats([4, 1, 3, 2])).toEqual({ count: 4, mean: 2.5, median: 2.5, p90: 3.7, min: 1, max: 4 });
    expect(stats([])).toEqual({ count: 0, mean: null, median: null, p90: null, min: null, max: null });
  });
});

describe('desiderata per case', () => {
  it('fix ready before public is met; public before fix ready is violated; neither yet is pending', () => {
    expect(caseDesiderata(['V', 'F', 'P']).fixBeforePublic).toBe(true);
    expect(caseDesiderata(['V', 'P', 'F']).fixBeforePublic).toBe(false);
    expect(caseDesiderata(['V']).fixBeforePublic).toBeNull();
    const all = caseDesiderata(['V', 'F', 'D', 'P', 'X', 'A']);
    expect(all.met).toBe(12);
    expect(all.violated).toBe(0);
  });
});

const report = (over: Partial<ReportItem>): ReportItem => ({
  reportId: 'r',
  trackingId: 'T',
  receivedAt: d('2026-11-02T08:00:00Z'),
  acknowledgedAt: null,
  triagedAt: null,
  ackBusinessDays: null,
  triageBusinessDays: null,
  valid: null,
  rmState: 'R',
  severity: 'unknown',
  cwe: null,
  product: '',
  finderId: null,
  ownerId: null,
  caseId: null,
  ackSla: 'running',
  triageSla: 'running',
  ...over,
});

const kase = (over: Partial<CaseItem>): CaseItem => ({
  caseId: 'c',
  label: 'C',
  openedAt: d('2026-11-01T00:00:00Z'),
  firstReportAt: d('2026-11-01T00:00:00Z'),
  vendorAwareAt: null,
  fixReadyAt: null,
  allFixedAt: null,
  deployedAt: null,
  publicAt: null,
  exploitPublicAt: null,
  attacksAt: null,
  advisoryAt: null,
  ownerId: null,
  severity: 'unknown',
  cwe: null,
  products: [],
  remediationSla: 'running',
  releaseSla: 'none',
  desiderata: {},
  desiderataMet: 0,
  desiderataViolated: 0,
  fixBeforePublic: null,
  ...over,
});

describe('the summary of known items', () => {
  const cal: BusinessCalendar = { timeZone: 'UTC' };
  const reports = [
    report({
      reportId: 'a',
      acknowledgedAt: d('2026-11-02T10:00:00Z'),
      triagedAt: d('2026-11-04T08:00:00Z'),
      ackBusinessDays: 0.1,
      valid: true,
      severity: 'high',
      cwe: 'CWE-79',
      product: 'Router',
      finderId: 'f1',
      ackSla: 'met',
      triageSla: 'met',
    }),
    report({
      reportId: 'b',
      acknowledgedAt: d('2026-11-02T14:00:00Z'),
      valid: false,
      severity: 'high',
      cwe: 'CWE-79',
      product: 'Router',
      finderId: 'f1',
      ackSla: 'breached',
      triageSla: 'at_risk',
    }),
    report({ reportId: 'c', receivedAt: d('2026-12-01T00:00:00Z'), severity: 'low', finderId: 'f2' }),
  ];
  const cases = [
    kase({
      vendorAwareAt: d('2026-11-03T00:00:00Z'),
      fixReadyAt: d('2026-11-13T00:00:00Z'),
      publicAt: d('2026-11-15T00:00:00Z'),
      advisoryAt: d('2026-11-16T00:00:00Z'),
      products: ['Router'],
      desiderata: { 'F before P': 'met' },
      fixBeforePublic: true,
      remediationSla: 'met',
      releaseSla: 'breached',
    }),
    kase({ caseId: 'd', desiderata: { 'F before P': 'violated' }, fixBeforePublic: false }),
  ];
  const vendors = [
    {
      participantId: 'p1',
      caseId: 'c',
      orgId: 'o1',
      notifiedAt: d('2026-11-03T00:00:00Z'),
      firstAnswerAt: d('2026-11-05T00:00:00Z'),
    },
    { participantId: 'p2', caseId: 'c', orgId: 'o2', notifiedAt: d('2026-11-03T00:00:00Z'), firstAnswerAt: null },
  ];
  const s = summarize(cal, reports, cases, vendors);

  it('times to acknowledge and triage', () => {
    expect(s.timeToAcknowledge.hours).toMatchObject({ count: 2, median: 4, min: 2, max: 6 });
    expect(s.timeToTriage.hours).toMatchObject({ count: 1, median: 48 });
  });
  it('lifecycle durations in days', () => {
    expect(s.reportToPublicDays.median).toBe(14);
    expect(s.reportToAdvisoryDays.median).toBe(15);
    expect(s.vendorAwareToFixReadyDays.median).toBe(10);
    expect(s.fixReadyToPublicDays.median).toBe(2);
  });
  it('SLA adherence', () => {
    expect(s.slaAdherence.acknowledge).toEqual({ met: 1, breached: 1, open: 1, rate: 0.5 });
    expect(s.slaAdherence.release).toEqual({ met: 0, breached: 1, open: 0, rate: 0 });
  });
  it('vendors, finders, volumes, desiderata', () => {
    expect(s.vendors).toMatchObject({ notified: 2, answered: 1, silent: 1, silentShare: 0.5 });
    expect(s.vendors.firstAnswerDays.median).toBe(2);
    expect(s.finders).toMatchObject({ distinctFinders: 2, returningFinders: 1, withoutFinder: 0, validShare: 0.5 });
    expect(s.volumes.byProduct[0]).toEqual({ key: 'Router', count: 3 });
    expect(s.volumes.bySeverity).toEqual([
      { key: 'high', count: 2 },
      { key: 'low', count: 1 },
    ]);
    expect(s.volumes.byMonth).toEqual([
      { month: '2026-11', reports: 2, cases: 2 },
      { month: '2026-12', reports: 1, cases: 0 },
    ]);
    expect(s.desiderata.fixBeforePublic).toEqual({ met: 1, violated: 1, pending: 0 });
    expect(s.desiderata.byDesideratum.find((x) => x.label === 'F before P')).toMatchObject({ met: 1, violated: 1 });
  });
});

describe('filters and export cells', () => {
  const cal: BusinessCalendar = { timeZone: 'Asia/Tokyo' };
  it('a date is local midnight; an end date includes the whole day', () => {
    expect(parseBound(cal, '2026-11-01', false)?.toISOString()).toBe('2026-10-31T15:00:00.000Z');
    expect(parseBound(cal, '2026-11-30', true)?.toISOString()).toBe('2026-11-30T15:00:00.000Z');
    expect(parseBound(cal, '2026-11-30T10:00:00+09:00', false)?.toISOString()).toBe('2026-11-30T01:00:00.000Z');
    expect(parseBound(cal, 'yesterday', false)).toBeNull();
    expect(parseBound(cal, '2026-02-30', false)).toBeNull();
  });
  it('cells that a spreadsheet would run as formulas are quoted', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`'=HYPERLINK("x")`);
    expect(csvCell('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(null)).toBe('');
    expect(csvCell(d('2026-11-01T00:00:00Z'))).toBe('2026-11-01T00:00:00.000Z');
  });
});

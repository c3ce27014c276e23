import { describe, expect, it } from 'vitest';
import type { AppError } from '../core/errors.ts';
import type { BusinessCalendar } from '../sla/calendar.ts';
import {
  assertCalendarInput,
  caseClockInputs,
  caseFacts,
  clockStateAt,
  defaultPolicies,
  deriveClock,
  policyFor,
  problemField,
  reportFacts,
  severityOfScore,
  validatePolicies,
  type StagePolicy,
} from './rules.ts';

const d = (iso: string) => new Date(iso);
const berlin: BusinessCalendar = { timeZone: 'Europe/Berlin', holidays: ['2026-12-24', '2026-12-25'] };
const ack: StagePolicy = {
  stage: 'acknowledge',
  severity: 'any',
  targetBusinessDays: 3,
  atRiskFraction: 0.8,
  pauseAwaitingFinder: false,
};

describe('SLA clocks derived from events', () => {
  // Friday 17:00 in Berlin; 3 business days → due at the end of Wednesday 2 December.
  const start = d('2026-11-27T16:00:00Z');

  it('due at the end of the third business day; at risk once 80 % of the business time is used', () => {
    const c = deriveClock(berlin, ack, { start, stop: null, pauses: [] }, d('2026-11-30T10:00:00Z'));
    expect(c.dueAt.toISOString()).toBe('2026-12-02T23:00:00.000Z');
    // Budget: Friday 7 h + 3 × 24 h = 79 h; 80 % = 63.2 h: 7 + 24 + 24 + 8.2 → Wednesday 08:12 local.
    expect(c.riskAt?.toISOString()).toBe('2026-12-02T07:12:00.000Z');
    expect(c.state).toBe('running');
  });

  it('the stored instants give the same state as the clock at every moment', () => {
    const derived = deriveClock(berlin, ack, { start, stop: null, pauses: [] }, start);
    for (const at of ['2026-11-28T12:00:00Z', '2026-12-02T07:11:00Z', '2026-12-02T07:13:00Z', '2026-12-03T00:00:01Z']) {
      const now = d(at);
      expect(clockStateAt(derived, now)).toBe(deriveClock(berlin, ack, { start, stop: null, pauses: [] }, now).state);
    }
    expect(clockStateAt(derived, d('2026-12-02T07:13:00Z'))).toBe('at_risk');
    expect(clockStateAt(derived, d('2026-12-03T00:00:01Z'))).toBe('breached');
  });

  it('a stage done in time is met; done late is breached', () => {
    const now = d('2026-12-10T00:00:00Z');
    expect(deriveClock(berlin, ack, { start, stop: d('2026-12-02T22:59:00Z'), pauses: [] }, now).state).toBe('met');
    expect(deriveClock(berlin, ack, { start, stop: d('2026-12-03T08:00:00Z'), pauses: [] }, now).state).toBe(
      'breached',
    );
  });

  it('waiting for the finder pauses triage and moves the deadline by the paused business time', () => {
    const triage: StagePolicy = { ...ack, stage: 'triage', pauseAwaitingFinder: true };
    // A question on Monday 00:00 local, answered Tuesday 00:00 local: one whole business day paused.
    const pauses = [{ from: d('2026-11-29T23:00:00Z'), to: d('2026-11-30T23:00:00Z') }];
    const c = deriveClock(berlin, triage, { start, stop: null, pauses }, d('2026-12-01T12:00:00Z'));
    expect(c.dueAt.toISOString()).toBe('2026-12-03T23:00:00.000Z');
    // While the question is open the clock is paused and has no at-risk instant.
    const open = deriveClock(
      berlin,
      triage,
      { start, stop: null, pauses: [{ from: pauses[0]!.from, to: null }] },
      d('2026-11-30T12:00:00Z'),
    );
    expect(open.state).toBe('paused');
    expect(open.pausedSince?.toISOString()).toBe('2026-11-29T23:00:00.000Z');
    expect(open.riskAt).toBeNull();
    // It keeps the deadline it had when the pause began, whenever it is derived, and stays paused.
    expect(open.dueAt.toISOString()).toBe('2026-12-02T23:00:00.000Z');
    const later = deriveClock(
      berlin,
      triage,
      { start, stop: null, pauses: [{ from: pauses[0]!.from, to: null }] },
      d('2026-12-10T12:00:00Z'),
    );
    expect(later).toMatchObject({ state: 'paused', dueAt: open.dueAt });
    expect(clockStateAt(open, d('2026-12-10T12:00:00Z'))).toBe('paused');
    // A stage whose policy does not pause ignores the question.
    expect(deriveClock(berlin, ack, { start, stop: null, pauses }, d('2026-12-01T12:00:00Z')).dueAt.toISOString()).toBe(
      '2026-12-02T23:00:00.000Z',
    );
  });

  it('holidays push the deadline out', () => {
    const c = deriveClock(
      berlin,
      ack,
      { start: d('2026-12-22T09:00:00Z'), stop: null, pauses: [] },
      d('2026-12-22T10:00:00Z'),
    );
    // Tuesday 22nd: 23rd, then 24th and 25th are holidays, weekend, Monday 28th, Tuesday 29th.
    expect(c.dueAt.toISOString()).toBe('2026-12-29T23:00:00.000Z');
  });
});

describe('policies', () => {
  const defaults = defaultPolicies({ acknowledgeDays: 3, triageDays: 10 });
  it('a severity row wins over the stage row, which wins over the defaults', () => {
    const stored: StagePolicy[] = [
      { ...ack, targetBusinessDays: 2 },
      { ...ack, severity: 'critical', targetBusinessDays: 1 },
    ];
    expect(policyFor(stored, defaults, 'acknowledge', 'critical').targetBusinessDays).toBe(1);
    expect(policyFor(stored, defaults, 'acknowledge', 'low').targetBusinessDays).toBe(2);
    expect(policyFor(stored, defaults, 'remediation', 'critical').targetBusinessDays).toBe(20);
    expect(policyFor(stored, defaults, 'remediation', 'low').targetBusinessDays).toBe(60);
  });
  it('invalid input is reported item by item', () => {
    expect(
      validatePolicies([
        { stage: 'fix', severity: 'any', targetBusinessDays: 1, atRiskFraction: 0.5 },
        { stage: 'triage', severity: 'any', targetBusinessDays: -1, atRiskFraction: 0 },
        { stage: 'triage', severity: 'any', targetBusinessDays: 1, atRiskFraction: 1 },
      ]),
    ).toEqual([
      'policies[0].stage must be one of acknowledge, triage, remediation, release',
      'policies[1].targetBusinessDays must be a whole number of business days from 0 to 3650',
      'policies[1].atRiskFraction must be above 0 and at most 1 (e.g. 0.8 for "at risk at 80 %")',
      'policies[2] repeats stage triage for severity any',
    ]);
  });
  it('each problem names the field it is about, for a form to show it there', () => {
    expect(
      [
        'policies[1].targetBusinessDays must be a whole number of business days from 0 to 3650',
        'policies[2] repeats stage triage for severity any',
        "timeZone 'Mars/Olympus' is not a known IANA time zone (e.g. 'Europe/Berlin')",
        'holidays[3] = "2026-02-30" is not a calendar date in YYYY-MM-DD form',
        'hours.start = "9" is not a time in HH:MM form (00:00–23:59)',
        'workdays lists 3 more than once',
      ].map(problemField),
    ).toEqual(['policies[1].targetBusinessDays', 'policies[2]', 'timeZone', 'holidays[3]', 'hours.start', 'workdays']);
    try {
      assertCalendarInput({ timeZone: 'UTC', holidays: ['2026-12-25', 'Christmas'] });
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).details).toEqual({
        field: 'holidays[1]',
        problems: [
          { field: 'holidays[1]', message: 'holidays[1] = "Christmas" is not a calendar date in YYYY-MM-DD form' },
        ],
      });
    }
  });
  it('CVSS bands', () => {
    expect([9.8, 7, 6.9, 0.1, 0, null].map(severityOfScore)).toEqual([
      'critical',
      'high',
      'medium',
      'low',
      'none',
      'unknown',
    ]);
  });
});

describe('facts from events', () => {
  it('report: the first staff message acknowledges; validation, invalidation or closing triages; questions pause', () => {
    const f = reportFacts([
      { kind: 'transition', to_state: 'R', created_at: d('2026-11-02T08:00:00Z') },
      { kind: 'note', to_state: null, created_at: d('2026-11-02T09:00:00Z') },
      { kind: 'staff_message', to_state: null, created_at: d('2026-11-02T10:00:00Z') },
      { kind: 'info_requested', to_state: null, created_at: d('2026-11-02T10:00:00Z') },
      { kind: 'finder_answered', to_state: null, created_at: d('2026-11-03T10:00:00Z') },
      { kind: 'info_requested', to_state: null, created_at: d('2026-11-04T10:00:00Z') },
      { kind: 'transition', to_state: 'I', created_at: d('2026-11-05T10:00:00Z') },
    ]);
    expect(f.acknowledgedAt?.toISOString()).toBe('2026-11-02T10:00:00.000Z');
    expect(f.triagedAt?.toISOString()).toBe('2026-11-05T10:00:00.000Z');
    expect(f.triagedTo).toBe('I');
    expect(f.awaitingFinder).toEqual([
      { from: d('2026-11-02T10:00:00Z'), to: d('2026-11-03T10:00:00Z') },
      { from: d('2026-11-04T10:00:00Z'), to: null },
    ]);
  });

  it('case: every vendor fixed ends remediation; public ends release; X makes the case public', () => {
    const at = (day: number) => d(`2026-11-${String(day).padStart(2, '0')}T12:00:00Z`);
    const f = caseFacts(
      [
        { event: 'V', participantId: 'p1', at: at(2) },
        { event: 'F', participantId: 'p1', at: at(5) },
        { event: 'V', participantId: 'p2', at: at(3) },
        { event: 'F', participantId: 'p2', at: at(9) },
        { event: 'P', participantId: null, at: at(12) },
      ],
      ['p1', 'p2'],
    );
    expect(f.history).toEqual(['V', 'F', 'P']);
    expect(f.first.F).toEqual(at(5));
    expect(f.allFixedAt).toEqual(at(9));
    const inputs = caseClockInputs(at(1), f);
    expect(inputs.remediation).toEqual({ start: at(1), stop: at(9), pauses: [] });
    expect(inputs.release).toEqual({ start: at(9), stop: at(12), pauses: [] });

    const leaked = caseFacts([{ event: 'X', participantId: null, at: at(4) }], ['p1']);
    expect(leaked.history).toEqual(['X', 'P', 'V']);
    expect(leaked.allFixedAt).toBeNull();
    expect(caseClockInputs(at(1), leaked).release).toBeNull();
  });
});

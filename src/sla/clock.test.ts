import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from './calendar.ts';
import { slaClock, type PauseInterval, type SlaClock, type SlaPolicy } from './clock.ts';

const H = 3_600_000;
const at = (iso: string): Date => new Date(iso);

// 09:00–17:00 CEST is 07:00–15:00 UTC in June.
const office: BusinessCalendar = { timeZone: 'Europe/Berlin', hours: { start: '09:00', end: '17:00' } };
const acknowledge: SlaPolicy = { stage: 'acknowledge', targetBusinessDays: 3, atRiskFraction: 0.8 };
// Received Monday 1 June 2026, 10:00 CEST: due Thursday 17:00 CEST; budget Mon 7 h + Tue, Wed, Thu 8 h = 31 h.
const start = at('2026-06-01T08:00:00Z');

function clock(now: string, stop?: string, pauses: PauseInterval[] = []): SlaClock {
  return slaClock(office, acknowledge, { start, stop: stop ? at(stop) : null, pauses }, at(now));
}
const pause = (from: string, to: string | null): PauseInterval => ({ from: at(from), to: to ? at(to) : null });

describe('slaClock', () => {
  it.each<[string, string, string | undefined, PauseInterval[], Partial<SlaClock>]>([
    [
      'running',
      '2026-06-01T10:00:00Z',
      undefined,
      [],
      { state: 'running', dueAt: at('2026-06-04T15:00:00Z'), elapsedBusinessMs: 2 * H, remainingMs: 29 * H },
    ],
    // 80 % of 31 h = 24.8 h, reached on Thursday at 10:48 CEST
    ['not yet at risk', '2026-06-04T08:47:00Z', undefined, [], { state: 'running' }],
    ['at risk', '2026-06-04T08:49:00Z', undefined, [], { state: 'at_risk', remainingMs: 371 * 60_000 }],
    ['due now is not yet breached', '2026-06-04T15:00:00Z', undefined, [], { state: 'at_risk', remainingMs: 0 }],
    [
      'breached, with the overrun in business time',
      '2026-06-05T07:30:00Z',
      undefined,
      [],
      { state: 'breached', remainingMs: -0.5 * H, elapsedBusinessMs: 31.5 * H },
    ],
    [
      'met: stopped before the deadline',
      '2026-06-10T00:00:00Z',
      '2026-06-03T10:00:00Z',
      [],
      { state: 'met', elapsedBusinessMs: 18 * H, remainingMs: 13 * H },
    ],
    [
      'met at the deadline itself',
      '2026-06-10T00:00:00Z',
      '2026-06-04T15:00:00Z',
      [],
      { state: 'met', remainingMs: 0 },
    ],
    ['stopped late', '2026-06-10T00:00:00Z', '2026-06-05T08:00:00Z', [], { state: 'breached', remainingMs: -1 * H }],
    ['a stop after now is not known yet', '2026-06-01T10:00:00Z', '2026-06-03T10:00:00Z', [], { state: 'running' }],
    [
      'a closed pause of all Tuesday moves the deadline a business day',
      '2026-06-04T10:00:00Z',
      undefined,
      [pause('2026-06-02T07:00:00Z', '2026-06-03T07:00:00Z')],
      {
        state: 'running',
        dueAt: at('2026-06-05T15:00:00Z'),
        elapsedBusinessMs: 18 * H,
        pausedBusinessMs: 8 * H,
        budgetBusinessMs: 31 * H,
      },
    ],
    [
      'paused: the deadline is where it will be if the clock resumes now',
      '2026-06-03T13:00:00Z',
      undefined,
      [pause('2026-06-02T11:00:00Z', null)],
      // 11 h used; 20 h left from Wed 15:00 CEST: Wed 2 h, Thu 8 h, Fri 8 h, Mon 2 h → Monday 11:00 CEST
      { state: 'paused', dueAt: at('2026-06-08T09:00:00Z'), remainingMs: 20 * H, pausedBusinessMs: 10 * H },
    ],
    [
      'resumed after the pause, then at risk',
      '2026-06-08T07:00:00Z',
      undefined,
      [pause('2026-06-02T11:00:00Z', '2026-06-03T13:00:00Z')],
      { state: 'at_risk', dueAt: at('2026-06-08T09:00:00Z'), remainingMs: 2 * H },
    ],
    [
      'a pause over the weekend extends nothing',
      '2026-06-08T07:00:00Z',
      undefined,
      [pause('2026-06-05T15:00:00Z', '2026-06-08T07:00:00Z')],
      { state: 'breached', dueAt: at('2026-06-04T15:00:00Z'), pausedBusinessMs: 0 },
    ],
    [
      'overlapping pauses and one from before the start count once',
      '2026-06-04T10:00:00Z',
      undefined,
      [
        pause('2026-05-29T07:00:00Z', '2026-06-01T10:00:00Z'),
        pause('2026-06-02T07:00:00Z', '2026-06-02T12:00:00Z'),
        pause('2026-06-02T09:00:00Z', '2026-06-03T07:00:00Z'),
      ],
      { dueAt: at('2026-06-08T09:00:00Z'), pausedBusinessMs: 10 * H },
    ],
    [
      'a pause begun after the deadline does not save it',
      '2026-06-05T10:00:00Z',
      undefined,
      [pause('2026-06-05T08:00:00Z', null)],
      { state: 'breached', dueAt: at('2026-06-04T15:00:00Z') },
    ],
    [
      'a pause that begins after now is not known yet',
      '2026-06-01T10:00:00Z',
      undefined,
      [pause('2026-06-02T07:00:00Z', null)],
      { state: 'running', dueAt: at('2026-06-04T15:00:00Z') },
    ],
    [
      'stopped while paused: the pause ends at the stop',
      '2026-06-10T00:00:00Z',
      '2026-06-05T09:00:00Z',
      [pause('2026-06-03T07:00:00Z', null)],
      { state: 'met', elapsedBusinessMs: 15 * H, pausedBusinessMs: 18 * H },
    ],
  ])('%s', (_name, now, stop, pauses, expected) => {
    expect(clock(now, stop, pauses)).toMatchObject({ stage: 'acknowledge', ...expected });
  });

  it('before its start a clock has used nothing', () => {
    expect(clock('2026-05-31T00:00:00Z')).toMatchObject({
      state: 'running',
      elapsedBusinessMs: 0,
      remainingMs: 31 * H,
    });
  });

  it('zero business days: due at closing time of the receipt day', () => {
    const c = slaClock(office, { ...acknowledge, targetBusinessDays: 0 }, { start }, at('2026-06-01T09:00:00Z'));
    expect(c).toMatchObject({ dueAt: at('2026-06-01T15:00:00Z'), budgetBusinessMs: 7 * H, state: 'running' });
  });

  it('extends by the real length of paused business time across DST (whole days, Berlin)', () => {
    const cal: BusinessCalendar = { timeZone: 'Europe/Berlin' };
    const policy: SlaPolicy = { stage: 'triage', targetBusinessDays: 1, atRiskFraction: 0.8 };
    // Received Friday 27 March 12:00 CET; due end of Monday 30 March (CEST); Monday paused entirely.
    const events = {
      start: at('2026-03-27T11:00:00Z'),
      pauses: [pause('2026-03-29T22:00:00Z', '2026-03-30T22:00:00Z')],
    };
    expect(slaClock(cal, policy, { start: events.start }, at('2026-03-28T00:00:00Z')).dueAt).toEqual(
      at('2026-03-30T22:00:00Z'),
    );
    expect(slaClock(cal, policy, events, at('2026-03-31T12:00:00Z'))).toMatchObject({
      state: 'running',
      dueAt: at('2026-03-31T22:00:00Z'),
      elapsedBusinessMs: 26 * H,
      budgetBusinessMs: 36 * H,
      pausedBusinessMs: 24 * H,
    });
  });

  it('refuses an invalid policy or event list with clear messages', () => {
    const bad = { stage: 'fix', targetBusinessDays: -2, atRiskFraction: 1.5 };
    expect(() => slaClock(office, bad, { start }, start)).toThrow(
      /invalid SLA policy 'fix': targetBusinessDays must be .* not -2; atRiskFraction must be .* not 1.5/,
    );
    expect(() => clock('2026-06-02T00:00:00Z', '2026-05-01T00:00:00Z')).toThrow(/stops before it starts/);
    expect(() =>
      clock('2026-06-02T00:00:00Z', undefined, [pause('2026-06-02T00:00:00Z', '2026-06-01T00:00:00Z')]),
    ).toThrow(/pauses\[0\] ends before it begins/);
    expect(() => slaClock(office, acknowledge, { start: new Date(NaN) }, start)).toThrow(
      /start is not a valid instant/,
    );
    expect(() => slaClock({ timeZone: 'Nowhere/Land' }, acknowledge, { start }, start)).toThrow(/Nowhere\/Land/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from '../sla/calendar.ts';
import { businessDays } from '../metrics/rules.ts';
import { deriveClock, type StagePolicy } from './rules.ts';
import { BusinessTimeline } from './timeline.ts';

const BASE = Date.parse('2026-01-01T00:00:00Z');
const DAY = 86_400_000;
const calendars: BusinessCalendar[] = [
  { timeZone: 'Europe/Berlin', holidays: ['2026-03-30', '2026-04-03', '2026-10-26', '2026-12-25'] },
  { timeZone: 'America/New_York', workdays: [1, 2, 3, 4, 5, 6], holidays: ['2026-03-09'] },
  { timeZone: 'Asia/Tokyo', hours: { start: '09:00', end: '18:00' } },
];

describe('the indexed timeline gives the same clocks as deriveClock', () => {
  it('for random starts, stops, pauses, targets and instants (across DST changes and holidays)', () => {
    const timelines = calendars.map((c) => new BusinessTimeline(c, new Date(BASE), new Date(BASE + 500 * DAY)));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 300 * DAY }),
        fc.option(fc.integer({ min: 0, max: 40 * DAY }), { nil: null }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 30 * DAY }),
            fc.option(fc.integer({ min: 1, max: 10 * DAY }), { nil: null }),
          ),
          {
            maxLength: 3,
          },
        ),
        fc.integer({ min: 0, max: 15 }),
        fc.constantFrom(0.5, 0.8, 1),
        fc.boolean(),
        fc.integer({ min: 0, max: 60 * DAY }),
        (ci, startOff, stopOff, rawPauses, days, fraction, pause, nowOff) => {
          const cal = calendars[ci]!;
          const start = new Date(BASE + startOff);
          const now = new Date(BASE + startOff + nowOff);
          const stop = stopOff === null ? null : new Date(start.getTime() + stopOff);
          const pauses = rawPauses
            .map(([from, len]) => ({
              from: new Date(start.getTime() + from),
              to: len === null ? null : new Date(start.getTime() + from + len),
            }))
            .filter((p) => p.from <= now);
          const policy: StagePolicy = {
            stage: 'triage',
            severity: 'any',
            targetBusinessDays: days,
            atRiskFraction: fraction,
            pauseAwaitingFinder: pause,
          };
          const fast = timelines[ci]!.clock(policy, { start, stop, pauses }, now);
          const slow = deriveClock(cal, policy, { start, stop, pauses }, now);
          expect(fast).not.toBeNull();
          expect(fast!.state).toBe(slow.state);
          expect(fast!.dueAt.getTime()).toBe(slow.dueAt.getTime());
          expect(fast!.pausedSince?.getTime() ?? null).toBe(slow.pausedSince?.getTime() ?? null);
          expect(fast!.riskAt?.getTime() ?? null).toBe(slow.riskAt?.getTime() ?? null);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('business days agree with the metric rule', () => {
    const cal = calendars[0]!;
    const tl = new BusinessTimeline(cal, new Date(BASE), new Date(BASE + 400 * DAY));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 * DAY }), fc.integer({ min: 0, max: 30 * DAY }), (a, len) => {
        const from = new Date(BASE + a);
        const to = new Date(BASE + a + len);
        expect(tl.businessDays(from.getTime(), to.getTime())).toBeCloseTo(businessDays(cal, from, to), 9);
      }),
      { numRuns: 200 },
    );
  });
});

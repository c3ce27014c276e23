import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  assertCalendar,
  businessDaysBetween,
  businessMillisBetween,
  businessPeriods,
  isBusinessDay,
  localDate,
  validateCalendar,
  type BusinessCalendar,
} from './calendar.ts';

const H = 3_600_000;
const at = (iso: string): Date => new Date(iso);

const berlin: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  holidays: ['2026-04-03', '2026-04-06', '2026-12-24', '2026-12-25', '2026-12-31', '2027-01-01'],
};
const berlinOffice: BusinessCalendar = { ...berlin, hours: { start: '09:00', end: '17:00' } };
const newYork: BusinessCalendar = { timeZone: 'America/New_York', holidays: ['2026-11-26'] };
const newYorkOffice: BusinessCalendar = { ...newYork, hours: { start: '09:00', end: '17:00' } };
// Golden Week 2026: Showa Day, Greenery Day, Children's Day, and the substitute for Constitution Day.
const tokyo: BusinessCalendar = {
  timeZone: 'Asia/Tokyo',
  workdays: [1, 2, 3, 4, 5],
  holidays: ['2026-04-29', '2026-05-04', '2026-05-05', '2026-05-06'],
};
const sevenDays: BusinessCalendar = { timeZone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5, 6, 7], holidays: [] };

describe('addBusinessDays', () => {
  it.each<[string, BusinessCalendar, string, number, string]>([
    // Friday 17:00 CET → Mon, Tue, Wed → the end of Wednesday is Thursday 00:00 CET
    ['Friday evening, 3 days', berlin, '2026-03-06T16:00:00Z', 3, '2026-03-11T23:00:00Z'],
    ['zero days: the end of the receipt day', berlin, '2026-03-09T09:00:00Z', 0, '2026-03-09T23:00:00Z'],
    ['Saturday counts from Monday', berlin, '2026-03-07T10:00:00Z', 0, '2026-03-09T23:00:00Z'],
    ['weekend: Saturday + 3 is Thursday', berlin, '2026-03-07T10:00:00Z', 3, '2026-03-12T23:00:00Z'],
    ['Sunday 23:30 local is still Sunday', berlin, '2026-03-08T22:30:00Z', 1, '2026-03-10T23:00:00Z'],
    ['Monday 00:30 local (Sunday in UTC)', berlin, '2026-03-08T23:30:00Z', 1, '2026-03-10T23:00:00Z'],
    // DST starts Sunday 29 March: the Monday ends at 00:00 CEST (22:00 UTC)
    ['Berlin, across spring-forward', berlin, '2026-03-27T09:00:00Z', 1, '2026-03-30T22:00:00Z'],
    ['Berlin, Good Friday and Easter Monday', berlin, '2026-04-02T08:00:00Z', 1, '2026-04-07T22:00:00Z'],
    // DST ends Sunday 25 October: the Monday ends at 00:00 CET (23:00 UTC)
    ['Berlin, across fall-back', berlin, '2026-10-23T10:00:00Z', 1, '2026-10-26T23:00:00Z'],
    ['Berlin, Christmas', berlin, '2026-12-23T10:00:00Z', 2, '2026-12-29T23:00:00Z'],
    ['Berlin, received on a holiday, 0 days', berlin, '2026-12-25T09:00:00Z', 0, '2026-12-28T23:00:00Z'],
    ['Berlin, received on a holiday, 1 day', berlin, '2026-12-25T09:00:00Z', 1, '2026-12-29T23:00:00Z'],
    ['Berlin, across New Year', berlin, '2026-12-30T12:00:00Z', 1, '2027-01-04T23:00:00Z'],
    ['Berlin, 7-day week over the short Sunday', sevenDays, '2026-03-28T12:00:00Z', 1, '2026-03-29T22:00:00Z'],
    // New York: DST starts Sunday 8 March, ends Sunday 1 November
    ['New York, Friday 17:00 EST + 3', newYork, '2026-03-06T22:00:00Z', 3, '2026-03-12T04:00:00Z'],
    ['New York, across fall-back', newYork, '2026-10-30T13:00:00Z', 1, '2026-11-03T05:00:00Z'],
    ['New York, Friday 23:30 local (Saturday UTC)', newYork, '2026-10-31T03:30:00Z', 1, '2026-11-03T05:00:00Z'],
    ['New York, Monday 23:30 local', newYork, '2026-11-03T04:30:00Z', 1, '2026-11-04T05:00:00Z'],
    ['New York, Thanksgiving', newYork, '2026-11-25T15:00:00Z', 1, '2026-11-28T05:00:00Z'],
    ['Tokyo, no DST', tokyo, '2026-03-06T08:00:00Z', 3, '2026-03-11T15:00:00Z'],
    ['Tokyo, Golden Week', tokyo, '2026-04-30T01:00:00Z', 3, '2026-05-08T15:00:00Z'],
    ['Tokyo, 08:00 local is the previous day in UTC', tokyo, '2026-03-08T23:00:00Z', 0, '2026-03-09T15:00:00Z'],
    // With hours: due at closing time; after closing the report is deemed received the next business day
    ['hours: before closing', berlinOffice, '2026-03-06T15:59:00Z', 3, '2026-03-11T16:00:00Z'],
    ['hours: at closing', berlinOffice, '2026-03-06T16:00:00Z', 3, '2026-03-12T16:00:00Z'],
    ['hours: before opening', berlinOffice, '2026-03-09T05:00:00Z', 0, '2026-03-09T16:00:00Z'],
    ['hours: after closing, 0 days', berlinOffice, '2026-03-09T18:00:00Z', 0, '2026-03-10T16:00:00Z'],
    ['hours: Berlin, across spring-forward', berlinOffice, '2026-03-27T08:00:00Z', 1, '2026-03-30T15:00:00Z'],
    ['hours: New York, across fall-back', newYorkOffice, '2026-10-30T20:59:00Z', 1, '2026-11-02T22:00:00Z'],
    ['hours: New York, Friday 17:00 EDT', newYorkOffice, '2026-10-30T21:00:00Z', 1, '2026-11-03T22:00:00Z'],
    [
      'hours: closing at 24:00',
      { ...berlin, hours: { start: '08:00', end: '24:00' } },
      '2026-03-06T16:00:00Z',
      0,
      '2026-03-06T23:00:00Z',
    ],
  ])('%s', (_name, cal, from, days, due) => {
    expect(addBusinessDays(cal, at(from), days).toISOString()).toBe(at(due).toISOString());
  });

  it('is the inverse of businessDaysBetween', () => {
    for (const cal of [berlin, berlinOffice, newYork, tokyo]) {
      for (let h = 0; h < 24 * 60; h += 7) {
        const from = new Date(Date.UTC(2026, 2, 1) + h * H);
        for (const n of [0, 1, 3, 10]) {
          const due = addBusinessDays(cal, from, n);
          expect(businessDaysBetween(cal, from, due)).toBe(n);
          expect(businessDaysBetween(cal, from, new Date(due.getTime() - 1))).toBe(Math.max(0, n - 1));
        }
      }
    }
  });

  it('refuses a negative, fractional or absurd number of days and an invalid instant', () => {
    expect(() => addBusinessDays(berlin, at('2026-03-06T16:00:00Z'), -1)).toThrow(/whole number from 0/);
    expect(() => addBusinessDays(berlin, at('2026-03-06T16:00:00Z'), 1.5)).toThrow(/not 1.5/);
    expect(() => addBusinessDays(berlin, at('2026-03-06T16:00:00Z'), 1e9)).toThrow(/whole number/);
    expect(() => addBusinessDays(berlin, new Date('nope'), 1)).toThrow(/from is not a valid instant/);
  });
});

describe('elapsed business time', () => {
  it.each<[string, BusinessCalendar, string, string, number]>([
    [
      'Friday 10:00 to Monday 12:00 CEST (weekend skipped)',
      berlin,
      '2026-03-27T09:00:00Z',
      '2026-03-30T10:00:00Z',
      26 * H,
    ],
    ['the short Sunday in Berlin is 23 hours', sevenDays, '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 23 * H],
    ['the long Sunday in Berlin is 25 hours', sevenDays, '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 25 * H],
    ['office hours around spring-forward', berlinOffice, '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z', 16 * H],
    [
      'office hours, New York, over Thanksgiving',
      newYorkOffice,
      '2026-11-25T00:00:00Z',
      '2026-11-28T00:00:00Z',
      16 * H,
    ],
    ['Tokyo, one business day', tokyo, '2026-03-09T00:00:00Z', '2026-03-10T00:00:00Z', 24 * H],
    ['reversed interval', berlin, '2026-03-30T10:00:00Z', '2026-03-27T09:00:00Z', 0],
  ])('%s', (_name, cal, a, b, expected) => {
    expect(businessMillisBetween(cal, at(a), at(b))).toBe(expected);
  });

  it('counts whole business days after the receipt day', () => {
    expect(businessDaysBetween(berlin, at('2026-03-06T16:00:00Z'), at('2026-03-11T12:00:00Z'))).toBe(2);
    expect(businessDaysBetween(berlin, at('2026-03-06T16:00:00Z'), at('2026-03-11T23:00:00Z'))).toBe(3);
    expect(businessDaysBetween(berlin, at('2026-12-23T10:00:00Z'), at('2027-01-05T00:00:00Z'))).toBe(4);
    expect(businessDaysBetween(berlin, at('2026-03-11T23:00:00Z'), at('2026-03-06T16:00:00Z'))).toBe(0);
  });

  it('lists business periods clipped to the interval', () => {
    const periods = [...businessPeriods(berlinOffice, at('2026-03-27T12:00:00Z'), at('2026-03-30T10:00:00Z'))];
    expect(periods.map((p) => [p.start.toISOString(), p.end.toISOString()])).toEqual([
      ['2026-03-27T12:00:00.000Z', '2026-03-27T16:00:00.000Z'],
      ['2026-03-30T07:00:00.000Z', '2026-03-30T10:00:00.000Z'],
    ]);
  });
});

describe('local dates and business days', () => {
  it.each<[BusinessCalendar, string, string]>([
    [newYork, '2026-11-03T04:30:00Z', '2026-11-02'],
    [berlin, '2026-03-08T23:30:00Z', '2026-03-09'],
    [tokyo, '2026-03-08T23:00:00Z', '2026-03-09'],
    [berlin, '2026-10-25T00:30:00Z', '2026-10-25'],
  ])('%# %s at %s is %s', (cal, instant, date) => {
    expect(localDate(cal, at(instant))).toBe(date);
  });

  it('knows weekends, holidays and custom workweeks', () => {
    expect(isBusinessDay(berlin, '2026-03-09')).toBe(true);
    expect(isBusinessDay(berlin, '2026-03-08')).toBe(false);
    expect(isBusinessDay(berlin, '2026-12-25')).toBe(false);
    expect(isBusinessDay(sevenDays, '2026-03-08')).toBe(true);
    expect(isBusinessDay({ timeZone: 'Asia/Dubai', workdays: [1, 2, 3, 4, 5] }, '2026-03-06')).toBe(true);
    // 23:30 Sunday in New York is Monday in UTC
    expect(isBusinessDay(newYork, at('2026-03-09T03:30:00Z'))).toBe(false);
    expect(() => isBusinessDay(berlin, '2026-02-30')).toThrow(/not a calendar date/);
  });
});

describe('validateCalendar', () => {
  it('accepts a complete calendar and defaults', () => {
    expect(validateCalendar(berlinOffice)).toEqual([]);
    expect(validateCalendar({ timeZone: 'UTC' })).toEqual([]);
    expect(validateCalendar({ timeZone: 'Asia/Tokyo', hours: { start: '00:00', end: '24:00' } })).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', null, /must be an object/],
    ['missing zone', {}, /timeZone must be an IANA time zone name/],
    ['unknown zone', { timeZone: 'Europe/Berln' }, /timeZone 'Europe\/Berln' is not a known IANA time zone/],
    ['empty workdays', { timeZone: 'UTC', workdays: [] }, /non-empty list/],
    ['workday 0', { timeZone: 'UTC', workdays: [0, 1] }, /workdays\[0\] = 0 is not an ISO weekday/],
    ['repeated workday', { timeZone: 'UTC', workdays: [1, 1] }, /lists 1 more than once/],
    [
      'impossible date',
      { timeZone: 'UTC', holidays: ['2026-02-30'] },
      /holidays\[0\] = "2026-02-30" is not a calendar date/,
    ],
    ['loose date', { timeZone: 'UTC', holidays: ['2026-1-5'] }, /YYYY-MM-DD/],
    ['bad time', { timeZone: 'UTC', hours: { start: '9:00', end: '17:00' } }, /hours.start = "9:00" is not a time/],
    [
      'start after end',
      { timeZone: 'UTC', hours: { start: '18:00', end: '09:00' } },
      /18:00 is not before hours.end 09:00/,
    ],
    ['start equals end', { timeZone: 'UTC', hours: { start: '09:00', end: '09:00' } }, /not before/],
  ])('%s', (_name, input, message) => {
    const problems = validateCalendar(input);
    expect(problems.join('\n')).toMatch(message);
  });

  it('reports every problem at once, as ERR_VALIDATION', () => {
    const input = { timeZone: 'Mars/Olympus', workdays: [8], holidays: ['tomorrow'] };
    expect(validateCalendar(input)).toHaveLength(3);
    expect(() => assertCalendar(input)).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', details: { problems: expect.any(Array) } }),
    );
    expect(() => addBusinessDays(input as BusinessCalendar, new Date(), 1)).toThrow(/Mars\/Olympus/);
  });
});

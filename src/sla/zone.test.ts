import { describe, expect, it } from 'vitest';
import { formatDay, instantAt, isKnownTimeZone, isoWeekday, localDay, parseDay, wallMs } from './zone.ts';

const day = (date: string): number => parseDay(date) ?? NaN;
const iso = (t: number): string => new Date(t).toISOString();

describe('time-zone arithmetic', () => {
  it.each<[string, string, string, string]>([
    ['Europe/Berlin', '2026-01-15', '09:00', '2026-01-15T08:00:00.000Z'],
    ['Europe/Berlin', '2026-07-15', '09:00', '2026-07-15T07:00:00.000Z'],
    // skipped by spring-forward: moves forward by the gap (02:30 CET does not exist → 03:30 CEST)
    ['Europe/Berlin', '2026-03-29', '02:30', '2026-03-29T01:30:00.000Z'],
    // repeated by fall-back: the first occurrence (02:30 CEST)
    ['Europe/Berlin', '2026-10-25', '02:30', '2026-10-25T00:30:00.000Z'],
    ['America/New_York', '2026-03-08', '02:30', '2026-03-08T07:30:00.000Z'],
    ['America/New_York', '2026-11-01', '01:30', '2026-11-01T05:30:00.000Z'],
    // Chile skips midnight when DST starts: the day begins at 01:00 -03
    ['America/Santiago', '2026-09-06', '00:00', '2026-09-06T04:00:00.000Z'],
    ['Asia/Tokyo', '2026-03-09', '00:00', '2026-03-08T15:00:00.000Z'],
    ['Australia/Lord_Howe', '2026-10-04', '02:15', '2026-10-03T15:45:00.000Z'],
    ['Asia/Kathmandu', '2026-03-09', '00:00', '2026-03-08T18:15:00.000Z'],
  ])('%s %s %s is %s', (tz, date, time, expected) => {
    const [h = 0, m = 0] = time.split(':').map(Number);
    expect(iso(instantAt(tz, day(date), h * 60 + m))).toBe(expected);
  });

  it('reads wall-clock time exactly, in every era', () => {
    for (const text of ['2026-03-29T01:59:59.999Z', '0050-02-28T12:00:00.000Z', '-000104-02-29T23:00:00.000Z']) {
      const t = Date.parse(text);
      expect(iso(wallMs('UTC', t))).toBe(text);
    }
    expect(iso(wallMs('Europe/Berlin', Date.parse('2026-03-29T01:00:00.000Z')))).toBe('2026-03-29T03:00:00.000Z');
  });

  it('round-trips local days through DST changes', () => {
    for (const tz of ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'America/Santiago']) {
      for (let d = day('2026-01-01'); d < day('2027-01-01'); d++) {
        expect(localDay(tz, instantAt(tz, d, 0))).toBe(d);
        expect(localDay(tz, instantAt(tz, d + 1, 0) - 1)).toBe(d);
      }
    }
  });

  it('parses and prints calendar dates and knows weekdays', () => {
    expect(formatDay(day('2024-02-29'))).toBe('2024-02-29');
    expect(parseDay('2026-02-29')).toBeNull();
    expect(parseDay('2026-13-01')).toBeNull();
    expect(parseDay('2026-3-1')).toBeNull();
    expect(formatDay(day('0050-06-01'))).toBe('0050-06-01');
    expect([day('2026-03-09'), day('2026-03-15'), day('1970-01-01')].map(isoWeekday)).toEqual([1, 7, 4]);
  });

  it('knows time zones by their IANA names and aliases', () => {
    expect(['Europe/Berlin', 'UTC', 'US/Eastern', 'europe/berlin'].map(isKnownTimeZone)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['Europe/Berln', '', 'CEST+2'].map(isKnownTimeZone)).toEqual([false, false, false]);
  });
});

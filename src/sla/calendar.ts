/**
 * Business calendar for SLA clocks (pure: no I/O). Time-zone arithmetic is Node's ICU (see zone.ts).
 *
 * Deadline rule. A report is *deemed received* on its local calendar day when that day is a business
 * day (a workday that is not a holiday) and it arrives before the day's closing time (`hours.end`,
 * or midnight when no hours are set); otherwise on the next business day. "Within N business days"
 * is then due at the closing time of the N-th business day after the deemed day; for N = 0, at the
 * closing time of the deemed day itself. The arrival time within the deemed day does not matter.
 * Friday 17:00 Berlin, 3 business days → due at the end of Wednesday (Mon, Tue, Wed); a report
 * from a Saturday or a holiday is deemed received the next business day, so 3 days → Thursday.
 * Without hours, "end of day" is the instant of the next local midnight, which lies 23 or 25
 * hours after the start of a day with a DST change; a deadline is met by an instant at or before it.
 */
import { validation } from '../core/errors.ts';
import { formatDay, instantAt, isKnownTimeZone, isoWeekday, localDay, parseDay } from './zone.ts';

export interface BusinessCalendar {
  /** IANA time zone, e.g. 'Europe/Berlin'. */
  timeZone: string;
  /** ISO weekdays, 1 = Monday … 7 = Sunday; Monday to Friday when absent. */
  workdays?: readonly number[];
  /** Local dates ('YYYY-MM-DD') that are not business days. */
  holidays?: readonly string[];
  /** Local opening and closing time ('HH:MM'; the end may be '24:00'); the whole day when absent. */
  hours?: { start: string; end: string };
}

/** A stretch of business time, [start, end). */
export interface BusinessPeriod {
  start: Date;
  end: Date;
}

export const DEFAULT_WORKDAYS: readonly number[] = Object.freeze([1, 2, 3, 4, 5]);

const MAX_DAYS = 36_600;

/** Every problem with a calendar, as messages a person can act on; empty when it is valid. */
export function validateCalendar(input: unknown): string[] {
  if (typeof input !== 'object' || input === null) return ['calendar must be an object with a timeZone'];
  const cal = input as Record<string, unknown>;
  const problems: string[] = [];
  const tz = cal['timeZone'];
  if (typeof tz !== 'string') problems.push("timeZone must be an IANA time zone name such as 'Europe/Berlin'");
  else if (!isKnownTimeZone(tz)) problems.push(`timeZone '${tz}' is not a known IANA time zone (e.g. 'Europe/Berlin')`);

  const workdays = cal['workdays'];
  if (workdays !== undefined) {
    if (!Array.isArray(workdays) || workdays.length === 0) {
      problems.push('workdays must be a non-empty list of ISO weekdays, 1 (Monday) to 7 (Sunday)');
    } else {
      workdays.forEach((d: unknown, i) => {
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 7) {
          problems.push(`workdays[${i}] = ${JSON.stringify(d)} is not an ISO weekday: use 1 (Monday) to 7 (Sunday)`);
        } else if (workdays.indexOf(d) !== i) problems.push(`workdays lists ${d} more than once`);
      });
    }
  }

  const holidays = cal['holidays'];
  if (holidays !== undefined) {
    if (!Array.isArray(holidays)) problems.push("holidays must be a list of local dates such as '2026-12-25'");
    else {
      holidays.forEach((h: unknown, i) => {
        if (typeof h !== 'string' || parseDay(h) === null) {
          problems.push(`holidays[${i}] = ${JSON.stringify(h)} is not a calendar date in YYYY-MM-DD form`);
        }
      });
    }
  }

  const hours = cal['hours'];
  if (hours !== undefined) {
    if (typeof hours !== 'object' || hours === null) {
      problems.push("hours must be an object such as { start: '09:00', end: '17:00' }");
    } else {
      const { start, end } = hours as Record<string, unknown>;
      const open = typeof start === 'string' ? parseMinutes(start, false) : null;
      const close = typeof end === 'string' ? parseMinutes(end, true) : null;
      if (open === null)
        problems.push(`hours.start = ${JSON.stringify(start)} is not a time in HH:MM form (00:00–23:59)`);
      if (close === null) problems.push(`hours.end = ${JSON.stringify(end)} is not a time in HH:MM form (00:01–24:00)`);
      if (open !== null && close !== null && open >= close) {
        problems.push(
          `hours.start ${String(start)} is not before hours.end ${String(end)} (hours that cross midnight are not supported)`,
        );
      }
    }
  }
  return problems;
}

/** Throws ERR_VALIDATION listing every problem, for calendars that come from configuration or a request. */
export function assertCalendar(input: unknown): asserts input is BusinessCalendar {
  const problems = validateCalendar(input);
  if (problems.length > 0) throw validation(`invalid business calendar: ${problems.join('; ')}`, { problems });
}

/** Whether the local day of an instant, or a 'YYYY-MM-DD' local date, is a business day. */
export function isBusinessDay(cal: BusinessCalendar, date: Date | string): boolean {
  const c = compile(cal);
  if (typeof date === 'string') {
    const day = parseDay(date);
    if (day === null) throw validation(`'${date}' is not a calendar date in YYYY-MM-DD form`);
    return isBusiness(c, day);
  }
  return isBusiness(c, localDay(c.timeZone, ms(date, 'date')));
}

/** The calendar date ('YYYY-MM-DD') in the calendar's zone at an instant: the day people there see. */
export function localDate(cal: BusinessCalendar, instant: Date): string {
  const c = compile(cal);
  return formatDay(localDay(c.timeZone, ms(instant, 'instant')));
}

/** The deadline "within `days` business days" of a report received at `from` (rule: see the file header). */
export function addBusinessDays(cal: BusinessCalendar, from: Date, days: number): Date {
  const c = compile(cal);
  if (!Number.isInteger(days) || days < 0 || days > MAX_DAYS) {
    throw validation(`business days must be a whole number from 0 to ${MAX_DAYS}, not ${days}`);
  }
  let day = receiptDay(c, ms(from, 'from'));
  for (let i = 0; i < days; i++) day = nextBusinessDay(c, day);
  return new Date(period(c, day).end);
}

/**
 * Whole business days that have ended since the deemed receipt day of `a`, up to `b`: the inverse
 * of addBusinessDays (the count reaches N exactly at its deadline). 0 when b is not after a.
 */
export function businessDaysBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  const c = compile(cal);
  const [from, to] = [ms(a, 'a'), ms(b, 'b')];
  if (to <= from) return 0;
  let day = receiptDay(c, from);
  let count = 0;
  for (;;) {
    day = nextBusinessDay(c, day);
    if (period(c, day).end > to) return count;
    count++;
  }
}

/** Elapsed business time between two instants in real milliseconds (a DST day is 23 or 25 hours long). */
export function businessMillisBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  let total = 0;
  for (const p of businessPeriods(cal, a, b)) total += p.end.getTime() - p.start.getTime();
  return total;
}

/**
 * The business periods from `from` on, clipped to [from, to); without `to` the sequence never ends,
 * so the caller stops reading. The building block of elapsed time and of paused SLA clocks.
 */
export function* businessPeriods(cal: BusinessCalendar, from: Date, to?: Date): Generator<BusinessPeriod> {
  const c = compile(cal);
  const start = ms(from, 'from');
  const end = to === undefined ? Infinity : ms(to, 'to');
  if (end <= start) return;
  const lastDay = Number.isFinite(end) ? localDay(c.timeZone, end) : Infinity;
  for (let day = localDay(c.timeZone, start) - 1; day <= lastDay; day++) {
    if (!isBusiness(c, day)) continue;
    const p = period(c, day);
    const s = Math.max(p.start, start);
    const e = Math.min(p.end, end);
    if (e > s) yield { start: new Date(s), end: new Date(e) };
  }
}

interface Compiled {
  timeZone: string;
  workdays: ReadonlySet<number>;
  holidays: ReadonlySet<number>;
  open: number; // minutes after local midnight
  close: number;
  periods: Map<number, { start: number; end: number }>; // by day number: ICU look-ups are the cost
}

// Calendars are values: one is validated and indexed on first use, and must not be changed after.
const compiled = new WeakMap<BusinessCalendar, Compiled>();

function compile(cal: BusinessCalendar): Compiled {
  let c = compiled.get(cal);
  if (!c) {
    assertCalendar(cal);
    c = {
      timeZone: cal.timeZone,
      workdays: new Set(cal.workdays ?? DEFAULT_WORKDAYS),
      holidays: new Set((cal.holidays ?? []).map((h) => parseDay(h) ?? NaN)),
      open: cal.hours ? (parseMinutes(cal.hours.start, false) ?? 0) : 0,
      close: cal.hours ? (parseMinutes(cal.hours.end, true) ?? 1440) : 1440,
      periods: new Map(),
    };
    compiled.set(cal, c);
  }
  return c;
}

function isBusiness(c: Compiled, day: number): boolean {
  return c.workdays.has(isoWeekday(day)) && !c.holidays.has(day);
}

/** Terminates: at least one weekday is a workday and the holidays are finite. */
function nextBusinessDay(c: Compiled, day: number): number {
  let next = day + 1;
  while (!isBusiness(c, next)) next++;
  return next;
}

/** The business period of a business day, as instants. */
function period(c: Compiled, day: number): { start: number; end: number } {
  let p = c.periods.get(day);
  if (!p) {
    const start = instantAt(c.timeZone, day, c.open);
    p = { start, end: Math.max(start, instantAt(c.timeZone, day, c.close)) };
    if (c.periods.size >= 20_000) c.periods.clear();
    c.periods.set(day, p);
  }
  return p;
}

function receiptDay(c: Compiled, instant: number): number {
  const day = localDay(c.timeZone, instant);
  return isBusiness(c, day) && instant < period(c, day).end ? day : nextBusinessDay(c, day);
}

function parseMinutes(text: string, isEnd: boolean): number | null {
  if (isEnd && text === '24:00') return 1440;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

function ms(date: Date, name: string): number {
  const t = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(t)) throw validation(`${name} is not a valid instant`);
  return t;
}

/**
 * IANA time-zone arithmetic on Node's built-in ICU (Intl.DateTimeFormat), so the SLA calendar needs
 * no date library: an instant becomes local wall-clock parts, and a local wall-clock time becomes an
 * instant with Temporal's "compatible" rule (a time skipped by DST moves forward by the gap, a time
 * repeated by DST takes its earlier occurrence). Local calendar days are counted as day numbers
 * (days since 1970-01-01), which makes weekday and next-day arithmetic plain integer maths.
 */

const DAY_MS = 86_400_000;

interface Zone {
  format: Intl.DateTimeFormat;
  /** Whether format() gives month/day/year, era, hour:minute:second (4× faster than formatToParts). */
  fast: boolean;
}

const zones = new Map<string, Zone>();

/** Formatters are costly to build; one per zone is kept for the life of the process. */
function zone(timeZone: string): Zone {
  let z = zones.get(timeZone);
  if (!z) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    z = { format, fast: false };
    // An ICU update could change the en-US layout: the fast path is used only while it agrees.
    const probe = Date.UTC(2001, 1, 3, 4, 5, 6);
    z.fast = fromParts(z, probe) === fromText(z, probe);
    zones.set(timeZone, z);
  }
  return z;
}

/** Whether ICU knows the zone (names are matched case-insensitively, aliases such as US/Eastern too). */
export function isKnownTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  try {
    zone(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The local wall-clock time of an instant, as milliseconds of a UTC timeline ("wall ms"): the
 * difference with the instant is the zone's offset at that instant.
 */
export function wallMs(timeZone: string, instant: number): number {
  const z = zone(timeZone);
  return (z.fast ? fromText(z, instant) : fromParts(z, instant)) + (((instant % 1000) + 1000) % 1000);
}

function fromText(z: Zone, instant: number): number {
  const text = z.format.format(instant);
  const [month = NaN, day, year = NaN, hour, minute, second] = (text.match(/\d+/g) ?? []).map(Number);
  return utc(text.includes('BC') ? 1 - year : year, month, day, hour, minute, second);
}

function fromParts(z: Zone, instant: number): number {
  const f: Record<string, number> = {};
  let bc = false;
  for (const part of z.format.formatToParts(instant)) {
    if (part.type === 'era') bc = part.value.startsWith('B');
    else if (part.type !== 'literal') f[part.type] = Number(part.value);
  }
  const year = f['year'] ?? NaN;
  return utc(bc ? 1 - year : year, f['month'] ?? NaN, f['day'], f['hour'], f['minute'], f['second']);
}

/** Date.UTC for any year: it maps years 0–99 to 1900–1999, so the year is set after (2000 is a leap year). */
function utc(year: number, month: number, ...rest: (number | undefined)[]): number {
  const [day = 1, hour = 0, minute = 0, second = 0] = rest;
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  return date.getTime();
}

/** The local day number (days since 1970-01-01 on the zone's calendar) of an instant. */
export function localDay(timeZone: string, instant: number): number {
  return Math.floor(wallMs(timeZone, instant) / DAY_MS);
}

/**
 * The instant at which the zone's clocks show `minutes` past midnight of local day `day`
 * (minutes may be 1440: midnight at the end of the day). A time skipped by a DST change moves
 * forward by the gap; a time that happens twice resolves to the first.
 */
export function instantAt(timeZone: string, day: number, minutes: number): number {
  const wall = day * DAY_MS + minutes * 60_000;
  // At most one offset change lies within a day of any wall time in every real zone.
  const before = wall - wallMs(timeZone, wall - DAY_MS) + (wall - DAY_MS);
  const after = wall - wallMs(timeZone, wall + DAY_MS) + (wall + DAY_MS);
  if (before === after) return before; // no offset change nearby: the usual case
  const candidates = [before, after].filter((t) => wallMs(timeZone, t) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  return before; // in a gap: the offset from before the change lands just after it
}

/** ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** 'YYYY-MM-DD' for a day number. */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The day number of a 'YYYY-MM-DD' calendar date, or null when it is not one (2026-02-30). */
export function parseDay(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(utc(year, month, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return Math.floor(date.getTime() / DAY_MS);
}

import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import {
  checkEvidence,
  checkProposedEnd,
  consentOutcome,
  defaultEnd,
  formatInZone,
  isRequiredByDefault,
  parseBusinessHours,
  resolveLocalTime,
  unacknowledged,
  type ProposalRules,
} from './rules.ts';

const now = new Date('2026-12-01T10:00:00Z');
const rules = (over: Partial<ProposalRules> = {}): ProposalRules => ({
  now,
  home: { timeZone: 'Europe/Berlin', holidays: [] },
  countryHolidays: {},
  businessHours: { start: 9 * 60, end: 17 * 60 },
  participants: [],
  startedAt: now,
  ...over,
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('local times in IANA zones', () => {
  it.each([
    ['2027-01-12T09:00', 'Europe/Berlin', '2027-01-12T08:00:00.000Z', false],
    ['2027-01-12T09:00', 'Asia/Tokyo', '2027-01-12T00:00:00.000Z', false],
    ['2027-07-01T09:00', 'America/New_York', '2027-07-01T13:00:00.000Z', false],
    ['2027-01-12T09:00', 'UTC', '2027-01-12T09:00:00.000Z', false],
    // Clocks go back: 02:30 happens twice; the first (still summer time) is meant.
    ['2027-10-31T02:30', 'Europe/Berlin', '2027-10-31T00:30:00.000Z', true],
    ['2027-11-07T01:30', 'America/New_York', '2027-11-07T05:30:00.000Z', true],
  ])('%s in %s is %s (repeated: %s)', (local, zone, iso, ambiguous) => {
    const r = resolveLocalTime(local, zone);
    expect(r).toEqual({ ok: true, at: new Date(iso), ambiguous });
  });

  it.each([
    // Spring forward: these wall times do not exist.
    ['2027-03-28T02:30', 'Europe/Berlin'],
    ['2027-03-14T02:30', 'America/New_York'],
    // Lord Howe Island moves by half an hour.
    ['2027-10-03T02:15', 'Australia/Lord_Howe'],
  ])('%s in %s falls in a DST gap and is refused', (local, zone) => {
    const r = resolveLocalTime(local, zone);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/does not exist .* daylight saving time/);
    expect(refusal(() => checkProposedEnd(local, zone, rules()))).toMatch(/^ERR_VALIDATION: end: .*does not exist/);
  });

  it.each([
    ['2027-02-30T09:00', 'Europe/Berlin', /not a local date and time/],
    ['2027-01-12 9am', 'Europe/Berlin', /not a local date and time/],
    ['2027-01-12T24:00', 'Europe/Berlin', /not a local date and time/],
    ['2027-01-12T09:00', 'Mars/Olympus_Mons', /not an IANA time zone/],
  ])('refuses %s in %s', (local, zone, message) => {
    expect(refusal(() => checkProposedEnd(local, zone, rules()))).toMatch(message);
  });

  it('renders an instant in any zone', () => {
    const at = new Date('2027-01-12T08:00:00Z');
    expect(formatInZone(at, 'Europe/Berlin')).toBe('2027-01-12 09:00');
    expect(formatInZone(at, 'Asia/Tokyo')).toBe('2027-01-12 17:00');
    expect(formatInZone(at, 'America/Los_Angeles')).toBe('2027-01-12 00:00');
  });
});

describe('proposal checks', () => {
  it('refuses an end in the past or right now, saying what time it is there', () => {
    expect(refusal(() => checkProposedEnd('2026-11-30T09:00', 'Europe/Berlin', rules()))).toMatch(
      /not in the future \(it is now 2026-12-01 11:00 there\)/,
    );
    expect(refusal(() => checkProposedEnd('2026-12-01T11:00', 'Europe/Berlin', rules()))).toMatch(/not in the future/);
  });

  it('accepts a Tuesday morning with no warning', () => {
    const r = checkProposedEnd('2027-01-12T10:00', 'Europe/Berlin', rules());
    expect(r).toMatchObject({ endsAt: new Date('2027-01-12T09:00:00Z'), warnings: [], exceedsMaximum: [] });
  });

  // 2027-01-15 is a Friday, 2027-01-16 a Saturday, 2027-01-17 a Sunday, 2027-01-18 a Monday.
  it.each([
    ['2027-01-14T10:00', []],
    ['2027-01-15T10:00', ['weekend']],
    ['2027-01-16T10:00', ['weekend']],
    ['2027-01-17T10:00', ['weekend']],
    ['2027-01-18T10:00', []],
    ['2027-01-14T08:00', ['outside_business_hours']],
    ['2027-01-14T17:00', ['outside_business_hours']],
    ['2027-01-16T23:30', ['weekend', 'outside_business_hours']],
  ])('an end at %s Berlin warns %j', (local, codes) => {
    const r = checkProposedEnd(local, 'Europe/Berlin', rules());
    expect(r.warnings.map((w) => w.code)).toEqual(codes);
  });

  it("warns in each participant's own zone: Thursday 10:00 Berlin is 18:00 in Tokyo, Friday 10:00 is past Thursday in LA", () => {
    const participants = [
      { participantId: 'p1', name: 'Nihon Soft', timeZone: 'Asia/Tokyo', country: 'JP', maxDays: null },
    ];
    const r = checkProposedEnd('2027-01-14T10:00', 'Europe/Berlin', rules({ participants }));
    expect(r.warnings.map((w) => w.code)).toEqual(['outside_business_hours']);
    expect(r.warnings[0]?.message).toContain('2027-01-14 18:00 Asia/Tokyo (Nihon Soft)');
    // Monday 00:30 in Tokyo is still Sunday in Berlin: a weekend there.
    const monday = checkProposedEnd('2027-01-18T00:30', 'Asia/Tokyo', rules({ participants }));
    expect(monday.warnings.find((w) => w.code === 'weekend')?.message).toContain(
      'Sunday 2027-01-17 16:30 Europe/Berlin',
    );
  });

  it("warns about holidays of the coordinators and of participants' countries", () => {
    const participants = [
      { participantId: 'p1', name: 'Nihon Soft', timeZone: 'Asia/Tokyo', country: 'jp', maxDays: null },
      { participantId: 'p2', name: 'ACME', timeZone: null, country: 'US', maxDays: null },
    ];
    const countryHolidays = { JP: ['2027-01-13'], US: ['2027-07-05'] };
    const jp = checkProposedEnd('2027-01-13T10:00', 'Europe/Berlin', rules({ participants, countryHolidays }));
    expect(jp.warnings.map((w) => w.code)).toEqual(['holiday', 'outside_business_hours']);
    expect(jp.warnings.find((w) => w.code === 'holiday')?.message).toContain(
      '2027-01-13 is a holiday in JP (Nihon Soft)',
    );
    const home = checkProposedEnd(
      '2027-05-04T10:00',
      'Europe/Berlin',
      rules({ home: { timeZone: 'Europe/Berlin', holidays: ['2027-05-04'] } }),
    );
    expect(home.warnings.map((w) => w.code)).toEqual(['holiday']);
    const plain = checkProposedEnd('2027-01-12T10:00', 'Europe/Berlin', rules({ participants, countryHolidays }));
    expect(plain.warnings.map((w) => w.code)).toEqual(['outside_business_hours']);
  });

  it('warns about a repeated local time', () => {
    const r = checkProposedEnd('2027-10-31T02:30', 'Europe/Berlin', rules());
    expect(r.warnings.map((w) => w.code)).toContain('ambiguous_time');
  });

  it("flags participants whose organization's maximum length the proposal exceeds", () => {
    const participants = [
      { participantId: 'short', name: 'Shorty', timeZone: null, country: null, maxDays: 14 },
      { participantId: 'long', name: 'Patient', timeZone: null, country: null, maxDays: 120 },
      { participantId: 'none', name: 'Any', timeZone: null, country: null, maxDays: null },
    ];
    // 2026-12-01 + 14 days = 2026-12-15 10:00Z.
    const within = checkProposedEnd('2026-12-15T11:00', 'Europe/Berlin', rules({ participants }));
    expect(within.exceedsMaximum).toEqual([]);
    const over = checkProposedEnd('2026-12-15T11:01', 'Europe/Berlin', rules({ participants }));
    expect(over.exceedsMaximum).toEqual(['short']);
    expect(over.warnings.map((w) => w.code)).toEqual(['exceeds_org_maximum']);
    expect(over.warnings[0]?.message).toMatch(/longer than the maximum of Shorty \(14 days\)/);
  });

  it('lists the warnings not acknowledged yet', () => {
    const warnings = [
      { code: 'weekend' as const, message: 'w' },
      { code: 'holiday' as const, message: 'h' },
    ];
    expect(unacknowledged(warnings, ['weekend']).map((w) => w.code)).toEqual(['holiday']);
    expect(unacknowledged(warnings, ['holiday', 'weekend'])).toEqual([]);
  });
});

describe('defaults, consent and evidence', () => {
  it('the default end is N days after the report at the opening hour, moved past Fridays, weekends and holidays', () => {
    const hours = { start: 9 * 60, end: 17 * 60 };
    // 2026-10-14 (Wednesday) + 90 days = 2027-01-12 (Tuesday).
    expect(defaultEnd(new Date('2026-10-14T15:00:00Z'), 90, 'Europe/Berlin', hours, [])).toBe('2027-01-12T09:00');
    // 2026-10-17 + 90 = 2027-01-15, a Friday: Monday 2027-01-18; a holiday that Monday: Tuesday.
    expect(defaultEnd(new Date('2026-10-17T15:00:00Z'), 90, 'Europe/Berlin', hours, [])).toBe('2027-01-18T09:00');
    expect(defaultEnd(new Date('2026-10-17T15:00:00Z'), 90, 'Europe/Berlin', hours, ['2027-01-18'])).toBe(
      '2027-01-19T09:00',
    );
  });

  it.each([
    [['signatory', 'signatory'], 'agreed'],
    [['signatory', 'invited'], 'open'],
    [['signatory', 'declined'], 'declined'],
    [['lapsed', 'signatory'], 'open'],
    [[], 'open'],
  ] as const)('consents %j → %s', (states, outcome) => {
    expect(consentOutcome(states)).toBe(outcome);
  });

  it.each([
    [{ role: 'finder', statuses: [] }, true],
    [{ role: 'vendor', statuses: [] }, true],
    [{ role: 'vendor', statuses: ['not_affected', 'affected'] }, true],
    [{ role: 'vendor', statuses: ['not_affected', 'not_affected'] }, false],
    [{ role: 'coordinator', statuses: [] }, false],
    [{ role: 'deployer', statuses: [] }, false],
  ])('%j is required by default: %s', (p, required) => {
    expect(isRequiredByDefault(p)).toBe(required);
  });

  it('parses business hours', () => {
    expect(parseBusinessHours('09:00-17:00')).toEqual({ start: 540, end: 1020 });
    expect(parseBusinessHours('08:30-24:00')).toEqual({ start: 510, end: 1440 });
    expect(parseBusinessHours('17:00-09:00')).toBeNull();
    expect(parseBusinessHours('9-17')).toBeNull();
  });

  it('needs a note and accepts only http(s) links as evidence', () => {
    expect(checkEvidence({ url: ' https://example.org/poc ', note: 'PoC on a forum' })).toEqual({
      url: 'https://example.org/poc',
      note: 'PoC on a forum',
    });
    expect(refusal(() => checkEvidence({ note: '' }))).toMatch(/note/);
    expect(refusal(() => checkEvidence({ url: 'javascript:alert(1)', note: 'see link' }))).toMatch(/url/);
  });
});

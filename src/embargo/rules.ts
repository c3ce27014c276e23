import { invalidFields, type FieldProblem } from '../reports/rules.ts';
import { formatDay, instantAt, isKnownTimeZone, isoWeekday, localDay, parseDay, wallMs } from '../sla/zone.ts';
import type { CsEvent } from '../vultron/cs.ts';
import type { EmState } from '../vultron/em.ts';

/**
 * Embargoes, pure: the checks every proposal goes through (refusals and warnings the proposer must
 * acknowledge), per-participant consent, parachute-cord triggers and how each maps onto the Vultron
 * case state, and rendering an instant in a time zone. The EM machine itself is src/vultron/em.ts.
 */

/** Consent of one required participant to one proposal. */
export const consentStates = ['invited', 'signatory', 'declined', 'lapsed'] as const;
export type ConsentState = (typeof consentStates)[number];

export type ProposalStatus = 'pending' | 'accepted' | 'rejected' | 'superseded' | 'withdrawn';

/**
 * Parachute cords agreed per case. Each trigger is the Vultron CS event it records on the case:
 * an exploit made public (X), attacks observed (A), details public or leaked (P), and a fix
 * released early by a participant, which makes the vulnerability public (P).
 */
export const cordTriggers = ['exploit_public', 'attacks_observed', 'details_public', 'early_fix'] as const;
export type CordTrigger = (typeof cordTriggers)[number];
export const cordCsEvent = {
  exploit_public: 'X',
  attacks_observed: 'A',
  details_public: 'P',
  early_fix: 'P',
} as const satisfies Record<CordTrigger, CsEvent>;

export const warningCodes = [
  'weekend',
  'holiday',
  'outside_business_hours',
  'ambiguous_time',
  'exceeds_org_maximum',
] as const;
export type WarningCode = (typeof warningCodes)[number];

export interface ProposalWarning {
  code: WarningCode;
  message: string;
}

/** Where the end of an embargo lands for one participant: its zone and country (directory profile). */
export interface ParticipantPlace {
  participantId: string;
  name: string;
  timeZone: string | null;
  country: string | null;
  /** The organization's maximum embargo length in days, if it set one. */
  maxDays: number | null;
}

export interface BusinessHours {
  /** Minutes after local midnight. */
  start: number;
  end: number;
}

export interface ProposalRules {
  now: Date;
  /** The coordinator's calendar (ACCORD_TIME_ZONE, ACCORD_HOLIDAYS). */
  home: { timeZone: string; holidays: readonly string[] };
  /** Holidays by ISO 3166 country code (ACCORD_EMBARGO_HOLIDAYS). */
  countryHolidays: Readonly<Record<string, readonly string[]>>;
  businessHours: BusinessHours;
  participants: readonly ParticipantPlace[];
  /** When the negotiation started (the earliest report, else the case): maximum lengths count from here. */
  startedAt: Date;
}

export interface CheckedProposal {
  endsAt: Date;
  localEnd: string;
  timeZone: string;
  warnings: ProposalWarning[];
  /** Participants whose organization's maximum the proposal exceeds: they must accept it explicitly. */
  exceedsMaximum: string[];
}

const LOCAL = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::00)?$/;
const DAY_MS = 86_400_000;

/** 'HH:MM' → minutes after midnight ('24:00' allowed as an end), or null. */
export function parseClock(text: string, allowEnd = false): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (min > 59 || h > 24 || (h === 24 && (min !== 0 || !allowEnd))) return null;
  return h * 60 + min;
}

/** '09:00-17:00' → business hours, or null when it is not such a range. */
export function parseBusinessHours(text: string): BusinessHours | null {
  const [a, b, ...rest] = text.split('-');
  if (a === undefined || b === undefined || rest.length > 0) return null;
  const start = parseClock(a);
  const end = parseClock(b, true);
  if (start === null || end === null || start >= end) return null;
  return { start, end };
}

/** An instant as the zone's clocks show it: 'YYYY-MM-DD HH:MM'. */
export function formatInZone(instant: Date, timeZone: string): string {
  const wall = wallMs(timeZone, instant.getTime());
  return new Date(wall).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * A local wall-clock time ('YYYY-MM-DDTHH:MM') in an IANA zone as an instant. A time that does not
 * exist there (skipped by a DST change) is refused; one that happens twice takes the first.
 */
export function resolveLocalTime(
  local: string,
  timeZone: string,
): { ok: true; at: Date; ambiguous: boolean } | { ok: false; field: 'end' | 'timeZone'; message: string } {
  if (!isKnownTimeZone(timeZone)) {
    return { ok: false, field: 'timeZone', message: `'${timeZone}' is not an IANA time zone such as Europe/Berlin` };
  }
  const m = LOCAL.exec(local.trim());
  const day = m ? parseDay(m[1] ?? '') : null;
  const minutes = m ? parseClock(`${m[2]}:${m[3]}`) : null;
  if (!m || day === null || minutes === null) {
    return { ok: false, field: 'end', message: `'${local}' is not a local date and time like 2027-01-12T09:00` };
  }
  const at = instantAt(timeZone, day, minutes);
  const wanted = day * DAY_MS + minutes * 60_000;
  if (wallMs(timeZone, at) !== wanted) {
    return {
      ok: false,
      field: 'end',
      message:
        `${local.trim()} does not exist in ${timeZone}: the clocks skip it for daylight saving time ` +
        `(it would be ${formatInZone(new Date(at), timeZone)}); choose a time outside the change`,
    };
  }
  // Repeated when the same wall time also shows an hour (or the zone's shift) later.
  const later = [30, 60, 120].some((shift) => wallMs(timeZone, at + shift * 60_000) === wanted);
  return { ok: true, at: new Date(at), ambiguous: later };
}

/**
 * Checks a proposed end. Refused (ERR_VALIDATION): an unknown zone, a malformed or non-existent
 * local time, an end not in the future. Warned: an end on a Friday, Saturday or Sunday, on a
 * holiday of the coordinator or of a participant's country, outside business hours in any
 * participant's zone, a repeated local time, and a length over an organization's maximum.
 */
export function checkProposedEnd(local: string, timeZone: string, rules: ProposalRules): CheckedProposal {
  const resolved = resolveLocalTime(local, timeZone);
  if (!resolved.ok) throw invalidFields([{ field: resolved.field, message: resolved.message }]);
  const at = resolved.at;
  if (at.getTime() <= rules.now.getTime()) {
    throw invalidFields([
      {
        field: 'end',
        message: `the end ${local.trim()} ${timeZone} is not in the future (it is now ${formatInZone(rules.now, timeZone)} there); choose a later date`,
      },
    ]);
  }
  const warnings: ProposalWarning[] = [];
  // Every zone where people will be at work when it ends: the proposal's, the coordinator's, each participant's.
  const zones = new Map<string, string[]>();
  const addZone = (zone: string, who: string) => zones.set(zone, [...(zones.get(zone) ?? []), who]);
  addZone(timeZone, 'the proposed zone');
  addZone(rules.home.timeZone, 'the coordinators');
  for (const p of rules.participants) if (p.timeZone && isKnownTimeZone(p.timeZone)) addZone(p.timeZone, p.name);

  const weekend: string[] = [];
  const hours: string[] = [];
  for (const [zone, who] of zones) {
    const wall = wallMs(zone, at.getTime());
    const day = Math.floor(wall / DAY_MS);
    const weekday = isoWeekday(day);
    const minutes = Math.floor((wall - day * DAY_MS) / 60_000);
    const shown = `${formatInZone(at, zone)} ${zone} (${who.join(', ')})`;
    if (weekday >= 5) weekend.push(`${weekdayNames[weekday - 1]} ${shown}`);
    if (minutes < rules.businessHours.start || minutes >= rules.businessHours.end) hours.push(shown);
  }
  if (weekend.length > 0) {
    warnings.push({
      code: 'weekend',
      message: `the embargo ends on a Friday or a weekend, when fewer people can react: ${weekend.join('; ')}`,
    });
  }
  const holidays: string[] = [];
  const homeDay = formatDay(localDay(rules.home.timeZone, at.getTime()));
  if (rules.home.holidays.includes(homeDay)) holidays.push(`${homeDay} is a holiday of the coordinators`);
  for (const p of rules.participants) {
    const country = p.country?.toUpperCase();
    const list = country ? rules.countryHolidays[country] : undefined;
    if (!list) continue;
    const zone = p.timeZone && isKnownTimeZone(p.timeZone) ? p.timeZone : timeZone;
    const d = formatDay(localDay(zone, at.getTime()));
    if (list.includes(d)) holidays.push(`${d} is a holiday in ${country} (${p.name})`);
  }
  if (holidays.length > 0) {
    warnings.push({ code: 'holiday', message: `the embargo ends on a holiday: ${holidays.join('; ')}` });
  }
  if (hours.length > 0) {
    warnings.push({
      code: 'outside_business_hours',
      message: `the embargo ends outside business hours (${clock(rules.businessHours.start)}–${clock(rules.businessHours.end)}) at ${hours.join('; ')}`,
    });
  }
  if (resolved.ambiguous) {
    warnings.push({
      code: 'ambiguous_time',
      message: `${local.trim()} happens twice in ${timeZone} (clocks go back); the first occurrence, ${at.toISOString()}, is meant`,
    });
  }
  const lengthDays = (at.getTime() - rules.startedAt.getTime()) / DAY_MS;
  const over = rules.participants.filter((p) => p.maxDays !== null && lengthDays > p.maxDays);
  if (over.length > 0) {
    warnings.push({
      code: 'exceeds_org_maximum',
      message:
        `the embargo lasts ${Math.ceil(lengthDays)} days, longer than the maximum of ` +
        over.map((p) => `${p.name} (${p.maxDays} days)`).join(', ') +
        '; they must accept the longer embargo explicitly',
    });
  }
  return {
    endsAt: at,
    localEnd: local.trim().slice(0, 16),
    timeZone,
    warnings,
    exceedsMaximum: over.map((p) => p.participantId),
  };
}

const weekdayNames = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The warnings the proposer has not acknowledged (by code); empty: the proposal may go ahead. */
export function unacknowledged(warnings: readonly ProposalWarning[], acknowledged: readonly string[]) {
  return warnings.filter((w) => !acknowledged.includes(w.code));
}

/**
 * The instance's default end: `days` after `from`, at the start of business hours in `timeZone`,
 * moved forward past Fridays, weekends and the coordinators' holidays (so it raises no warning there).
 */
export function defaultEnd(
  from: Date,
  days: number,
  timeZone: string,
  hours: BusinessHours,
  holidays: readonly string[],
): string {
  let day = localDay(timeZone, from.getTime()) + days;
  for (let i = 0; i < 14 && (isoWeekday(day) >= 5 || holidays.includes(formatDay(day))); i++) day += 1;
  return `${formatDay(day)}T${clock(hours.start)}`;
}

/** The EM state and consents decide together: the proposal is agreed when every required participant signed. */
export function consentOutcome(states: readonly ConsentState[]): 'agreed' | 'declined' | 'open' {
  if (states.includes('declined')) return 'declined';
  if (states.length > 0 && states.every((s) => s === 'signatory')) return 'agreed';
  return 'open';
}

export interface ProposalInput {
  end?: string | undefined;
  timeZone?: string | undefined;
  rationale?: string | undefined;
  requiredParticipantIds?: string[] | undefined;
  acknowledgeWarnings?: string[] | undefined;
}

/** Shape checks of a proposal (the end itself is checked by checkProposedEnd). */
export function checkProposalInput(input: ProposalInput): { rationale: string; acknowledge: string[] } {
  const problems: FieldProblem[] = [];
  const rationale = (input.rationale ?? '').trim();
  if (rationale.length > 10_000) problems.push({ field: 'rationale', message: 'at most 10,000 characters' });
  const acknowledge = [...new Set(input.acknowledgeWarnings ?? [])];
  const bad = acknowledge.find((w) => !(warningCodes as readonly string[]).includes(w));
  if (bad)
    problems.push({ field: 'acknowledgeWarnings', message: `unknown warning ${bad}; use ${warningCodes.join(', ')}` });
  if (input.requiredParticipantIds && input.requiredParticipantIds.length === 0) {
    problems.push({
      field: 'requiredParticipantIds',
      message: 'name at least one participant, or leave it out for the default',
    });
  }
  if (problems.length > 0) throw invalidFields(problems);
  return { rationale, acknowledge };
}

/** Evidence for pulling a cord: a note, and an http(s) link if there is one. */
export function checkEvidence(input: { url?: string | undefined; note?: string | undefined }): {
  url: string | null;
  note: string;
} {
  const problems: FieldProblem[] = [];
  const url = input.url?.trim() || null;
  const note = (input.note ?? '').trim();
  if (url && (!/^https?:\/\/\S+$/.test(url) || url.length > 2000))
    problems.push({ field: 'url', message: 'use an http(s) address of at most 2,000 characters' });
  if (note.length < 3 || note.length > 10_000)
    problems.push({ field: 'note', message: 'say in 3 to 10,000 characters what happened (the evidence)' });
  if (problems.length > 0) throw invalidFields(problems);
  return { url, note };
}

/** Default required participants: vendors not "not affected" everywhere they answered, and the finders. */
export function isRequiredByDefault(p: { role: string; statuses: readonly string[] }): boolean {
  if (p.role === 'finder') return true;
  if (p.role !== 'vendor') return false;
  return p.statuses.length === 0 || p.statuses.some((s) => s !== 'not_affected');
}

/** Whether an embargo in this EM state binds the participants (A, or A with a revision pending). */
export function inForce(state: EmState): boolean {
  return state === 'A' || state === 'R';
}

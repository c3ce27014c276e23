/**
 * CVE Services rules, pure: what a reservation request may ask for, and when an advisory's CVE record may go to CVE
 * Services (which makes it public at once). Who may read records and reserve ids: src/policy/cveservices.ts.
 */
import { AppError } from '../core/errors.ts';

/** The most ids one request reserves: CVE Services' own limit is the CNA's quota; more at once is likely a typo. */
export const MAX_RESERVE_AMOUNT = 50;

export interface ReserveInput {
  amount?: number | undefined;
  year?: number | undefined;
  /** The case the vulnerability belongs to (checked when given). */
  caseRef?: string | undefined;
  vulnerabilityId?: string | undefined;
}

export interface CheckedReserve {
  amount: number;
  year: number;
  caseRef: string | null;
  vulnerabilityId: string | null;
}

const invalid = (field: string, message: string) => new AppError('ERR_VALIDATION', `${field}: ${message}`, { field });

/** Normalizes a reservation request; `now` gives the default year (UTC) and its bounds. */
export function checkReserve(input: ReserveInput, now: Date): CheckedReserve {
  const thisYear = now.getUTCFullYear();
  const amount = input.amount ?? 1;
  const year = input.year ?? thisYear;
  if (!Number.isInteger(amount) || amount < 1 || amount > MAX_RESERVE_AMOUNT) {
    throw invalid('amount', `reserve from 1 to ${MAX_RESERVE_AMOUNT} CVE ids at a time`);
  }
  if (!Number.isInteger(year) || year < 1999 || year > thisYear + 1) {
    throw invalid('year', `CVE Services reserves ids for 1999 to ${thisYear + 1}`);
  }
  const vulnerabilityId = input.vulnerabilityId?.trim() || null;
  const caseRef = input.caseRef?.trim() || null;
  if (vulnerabilityId && amount !== 1) {
    throw invalid('amount', 'a vulnerability gets exactly one CVE id: leave amount at 1');
  }
  if (caseRef && !vulnerabilityId) throw invalid('vulnerabilityId', 'name the vulnerability of the case');
  return { amount, year, caseRef, vulnerabilityId };
}

export interface PublishableAdvisory {
  trackingId: string;
  state: 'draft' | 'review' | 'approved' | 'published';
  tlp: string;
  /** For a case-linked advisory: whether the case is public (released, or P/X/A records public awareness). */
  casePublic: boolean | null;
  caseRef: string | null;
}

/**
 * Why this advisory's CVE record may not be sent to CVE Services yet, or null when it may. A CVE record is public the
 * moment the service accepts it, so the advisory must be approved (or published), TLP:CLEAR, and, when it belongs to
 * a case, the case must be public already: never before the embargo ends.
 */
export function publishRefusal(a: PublishableAdvisory): string | null {
  if (a.state !== 'approved' && a.state !== 'published') {
    return `advisory ${a.trackingId} is ${a.state}: a CVE record is published from an approved or published advisory`;
  }
  if (a.tlp !== 'CLEAR') {
    return `advisory ${a.trackingId} is TLP:${a.tlp}: a CVE record is public, so only a TLP:CLEAR advisory is sent`;
  }
  if (a.casePublic === false) {
    return `case ${a.caseRef ?? ''} is still embargoed: publish the CVE record once the case is public`;
  }
  return null;
}

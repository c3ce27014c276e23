import { AppError } from '../core/errors.ts';
import { invalidFields, type FieldProblem } from '../reports/rules.ts';

/**
 * Pure rules of the coordinated release: the release plan, readiness, the release-day checklist,
 * the two-person rule for an early publication, subscriptions, and the text of the advisory mail.
 */

export const PUBLISH_JOB = 'publication.publish';
export const NOTIFY_JOB = 'publication.notify';
/** After publication: the case's approved advisories go to the CSAF provider (src/advisories), once. */
export const ADVISORIES_JOB = 'publication.advisories';

/** The checklist every plan starts with; the UI translates these keys. Coordinators may add items. */
export const defaultChecklistKeys = [
  'statements_approved',
  'cves_assigned',
  'advisory_reviewed',
  'participants_ready',
  'finder_informed',
] as const;
export type ChecklistKey = (typeof defaultChecklistKeys)[number];

export const defaultChecklistLabels: Record<ChecklistKey, string> = {
  statements_approved: 'Vendor statements approved',
  cves_assigned: 'CVE IDs assigned and published',
  advisory_reviewed: 'Advisory text reviewed',
  participants_ready: 'Every participant ready',
  finder_informed: 'Finder informed of the date',
};

export interface ChecklistItem {
  id: string;
  key: string | null;
  label: string;
  done: boolean;
  doneBy: string | null;
  doneAt: string | null;
}

export function defaultChecklist(): ChecklistItem[] {
  return defaultChecklistKeys.map((key) => ({
    id: key,
    key,
    label: defaultChecklistLabels[key],
    done: false,
    doneBy: null,
    doneAt: null,
  }));
}

export type EmbargoChange =
  { kind: 'active'; endsAt: Date } | { kind: 'exited'; at: Date; reason: 'cord' | 'terminated' | 'ended' };

export interface PlanState {
  publishAt: Date | null;
  embargoState: 'none' | 'active' | 'exited';
  embargoEndsAt: Date | null;
  publishedAt: Date | null;
}

/**
 * What an embargo change does to the plan. Active: publication moves to the embargo's end.
 * Exited (cord pulled, terminated, or ended): publication is due at the exit time, or earlier if
 * the plan already said so; the checklist opens.
 */
export function planAfterEmbargo(
  plan: PlanState,
  change: EmbargoChange,
): { publishAt: Date; embargoState: 'active' | 'exited'; embargoEndsAt: Date | null; openChecklist: boolean } {
  if (change.kind === 'active') {
    return { publishAt: change.endsAt, embargoState: 'active', embargoEndsAt: change.endsAt, openChecklist: false };
  }
  const due = plan.publishAt && plan.publishAt.getTime() < change.at.getTime() ? plan.publishAt : change.at;
  return { publishAt: due, embargoState: 'exited', embargoEndsAt: plan.embargoEndsAt, openChecklist: true };
}

/**
 * Whether the scheduled job may publish now: the plan's time has come and no active embargo
 * still runs beyond now. An embargo that is active publishes only at (or after) its end.
 */
export function publicationDue(plan: PlanState, now: Date): boolean {
  if (plan.publishedAt !== null || plan.publishAt === null) return false;
  if (plan.publishAt.getTime() > now.getTime()) return false;
  if (plan.embargoState === 'active' && plan.embargoEndsAt && plan.embargoEndsAt.getTime() > now.getTime()) {
    return false;
  }
  return true;
}

/**
 * A coordinator may move the publication time, but not before an active embargo's end: an
 * earlier publication is the two-person "publish now" path.
 */
export function checkPublishAt(plan: PlanState, publishAt: Date, now: Date): void {
  if (plan.publishedAt !== null) {
    throw new AppError('ERR_CONFLICT', 'the case is already published: the publication time cannot change');
  }
  if (publishAt.getTime() <= now.getTime()) {
    throw invalidFields([
      { field: 'publishAt', message: 'the time is in the past: choose a later time, or use "publish now"' },
    ]);
  }
  if (plan.embargoState === 'active' && plan.embargoEndsAt && publishAt.getTime() < plan.embargoEndsAt.getTime()) {
    throw invalidFields([
      {
        field: 'publishAt',
        message: `the embargo runs until ${plan.embargoEndsAt.toISOString()}: publish at or after its end, or ask for an early publication (two staff members)`,
      },
    ]);
  }
}

/** The two-person rule: the confirming staff member must differ from the one who asked. */
export function checkEarlyConfirmation(requestedBy: string | null, confirmer: string): void {
  if (requestedBy === null) {
    throw new AppError(
      'ERR_CONFLICT',
      'no early publication was requested: one staff member requests, another confirms',
    );
  }
  if (requestedBy === confirmer) {
    throw new AppError(
      'ERR_FORBIDDEN',
      'you asked for this early publication: another staff member must confirm it (two-person rule)',
    );
  }
}

export interface ReadinessInput {
  advisoryReady?: boolean | undefined;
  fixAvailable?: boolean | undefined;
  customersNotified?: boolean | undefined;
  note?: string | undefined;
}

export function checkNote(note: string | undefined, field: string, max = 2000): string | undefined {
  if (note === undefined) return undefined;
  const trimmed = note.trim();
  if (trimmed.length > max) {
    throw invalidFields([{ field, message: `too long (at most ${max} characters)` }]);
  }
  return trimmed;
}

export function checkChecklistLabel(label: string): string {
  const trimmed = label.trim();
  if (trimmed.length < 1 || trimmed.length > 200) {
    throw invalidFields([{ field: 'label', message: 'name the checklist item (1 to 200 characters)' }]);
  }
  return trimmed;
}

// ---- Subscriptions ----

export const subscriptionScopes = ['all', 'vendor', 'product'] as const;
export type SubscriptionScope = (typeof subscriptionScopes)[number];

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;

export function checkSubscription(input: { email: string; scope: string; vendor?: string; product?: string }): {
  email: string;
  scope: SubscriptionScope;
  vendor: string | null;
  product: string | null;
} {
  const email = input.email.trim().toLowerCase();
  const fields: FieldProblem[] = [];
  if (email.length > 254 || !EMAIL.test(email)) fields.push({ field: 'email', message: 'enter an e-mail address' });
  const scope = (subscriptionScopes as readonly string[]).includes(input.scope)
    ? (input.scope as SubscriptionScope)
    : null;
  if (!scope) fields.push({ field: 'scope', message: 'choose all advisories, one vendor or one product' });
  const vendor = input.vendor?.trim() || null;
  const product = input.product?.trim() || null;
  if (scope === 'vendor' && !vendor) fields.push({ field: 'vendor', message: 'choose a vendor' });
  if (scope === 'product' && (!product || product.length > 300))
    fields.push({ field: 'product', message: 'name the product (1 to 300 characters)' });
  if (fields.length > 0 || !scope) {
    throw invalidFields(fields.length > 0 ? fields : [{ field: 'scope', message: 'choose a scope' }]);
  }
  return {
    email,
    scope,
    vendor: scope === 'vendor' ? vendor : null,
    product: scope === 'product' ? product : null,
  };
}

/** Whether a subscription wants the advisory of a case with these vendors and products. */
export function subscriptionMatches(
  sub: { scope: SubscriptionScope; vendor_org_id: string | null; product: string | null },
  advisory: { vendorOrgIds: readonly string[]; products: readonly string[] },
): boolean {
  switch (sub.scope) {
    case 'all':
      return true;
    case 'vendor':
      return sub.vendor_org_id !== null && advisory.vendorOrgIds.includes(sub.vendor_org_id);
    case 'product': {
      const wanted = (sub.product ?? '').toLowerCase();
      return advisory.products.some((p) => p.toLowerCase() === wanted);
    }
  }
}

// ---- The public advisory ----

export interface PublicVulnerability {
  title: string;
  description: string;
  cveId: string | null;
  cwe: string | null;
  cvssV3: string | null;
  cvssV3Score: number | null;
  cvssV4: string | null;
  cvssV4Score: number | null;
}

export interface PublicStatement {
  vendor: string;
  vulnerability: string;
  product: string;
  status: string;
  statement: string;
  fixedVersions: string;
  references: string[];
}

export interface PublicAdvisory {
  caseRef: string;
  title: string;
  summary: string;
  publishedAt: Date;
  updatedAt: Date;
  vulnerabilities: PublicVulnerability[];
  vendors: { name: string; statements: PublicStatement[] }[];
  acknowledgements: string[];
  timeline: { at: Date; text: string }[];
}

const statusWords: Record<string, string> = {
  affected: 'Affected',
  not_affected: 'Not affected',
  fixed: 'Fixed',
  under_investigation: 'Under investigation',
  unknown: 'Unknown',
};

export function statusLabel(status: string): string {
  return statusWords[status] ?? status;
}

/** Only web links are shown as links: anything else (javascript:, data:) is printed as text. */
export function safeLink(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** The plain-text advisory that subscribers receive, clear-signed by the instance key. */
export function advisoryMailText(
  a: PublicAdvisory,
  opts: { url: string; unsubscribeUrl: string; instanceName: string },
) {
  const lines: string[] = [];
  lines.push(`${a.caseRef}: ${a.title}`, '', `Published: ${a.publishedAt.toISOString()}`, `Advisory: ${opts.url}`, '');
  if (a.summary) lines.push(a.summary, '');
  if (a.vulnerabilities.length > 0) {
    lines.push('Vulnerabilities', '');
    for (const v of a.vulnerabilities) {
      lines.push(`- ${v.cveId ?? 'no CVE'}: ${v.title}`);
      if (v.cwe) lines.push(`  CWE: ${v.cwe}`);
      if (v.cvssV3) lines.push(`  CVSS 3: ${v.cvssV3Score ?? ''} ${v.cvssV3}`);
      if (v.cvssV4) lines.push(`  CVSS 4: ${v.cvssV4Score ?? ''} ${v.cvssV4}`);
    }
    lines.push('');
  }
  if (a.vendors.length > 0) {
    lines.push('Vendor status', '');
    for (const v of a.vendors) {
      for (const s of v.statements) {
        lines.push(`- ${v.name} ${s.product} (${s.vulnerability}): ${statusLabel(s.status)}`);
        if (s.fixedVersions) lines.push(`  Fixed in: ${s.fixedVersions}`);
        for (const r of s.references) lines.push(`  ${r}`);
      }
    }
    lines.push('');
  }
  if (a.acknowledgements.length > 0) lines.push(`Thanks to ${a.acknowledgements.join(', ')}.`, '');
  lines.push('-- ', `${opts.instanceName}`, `Unsubscribe: ${opts.unsubscribeUrl}`);
  // Clear-signed text must not have lines starting with "-" misread as armour: OpenPGP dash-escapes them.
  return lines.join('\n');
}

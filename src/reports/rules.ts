import { createHash } from 'node:crypto';
import { AppError } from '../core/errors.ts';
import { validateProductIdentifier } from '../identifiers/index.ts';
import { parseCvss, type CvssSeverity } from '../scores/cvss.ts';
import { validateCwe } from '../scores/cwe.ts';
import type { RmEvent, RmState } from '../vultron/rm.ts';

/**
 * What a finder submits, following ISO/IEC 29147 practice, and the pure checks on it. Every
 * problem is reported at once, each naming its field, so a form can mark all of them.
 */

export const creditModes = ['name', 'handle', 'anonymous'] as const;
export type CreditMode = (typeof creditModes)[number];

/** OSV `credits[].type` values (https://ossf.github.io/osv-schema/#creditstype-field). */
export const osvCreditTypes = [
  'FINDER',
  'REPORTER',
  'ANALYST',
  'COORDINATOR',
  'REMEDIATION_DEVELOPER',
  'REMEDIATION_REVIEWER',
  'REMEDIATION_VERIFIER',
  'TOOL',
  'SPONSOR',
  'OTHER',
] as const;
export type OsvCreditType = (typeof osvCreditTypes)[number];

export const reportLanguages = ['en', 'ja', 'de', 'fr', 'es', 'zh', 'ko', 'pt', 'it', 'nl', 'ru', 'other'] as const;

export interface AffectedInput {
  vendor?: string | undefined;
  product?: string | undefined;
  versions?: string | undefined;
  identifier?: string | undefined;
}

export interface AttachmentInput {
  filename: string;
  contentType: string;
  contentBase64: string;
}

export interface ReportInput {
  title: string;
  affected: AffectedInput[];
  description: string;
  reproduction?: string | undefined;
  impact?: string | undefined;
  cvss?: string | undefined;
  cwe?: string | undefined;
  alreadyPublic?: boolean | undefined;
  exploited?: boolean | undefined;
  publicReferences?: string[] | undefined;
  othersInformed?: string | undefined;
  disclosurePlan?: string | undefined;
  disclosureDate?: string | undefined;
  credit?: { mode: string; value?: string | undefined; type?: string | undefined } | undefined;
  contactEmail?: string | undefined;
  pgpPublicKey?: string | undefined;
  language?: string | undefined;
  attachments?: AttachmentInput[] | undefined;
  /** The honeypot: a field hidden from people; a value means a robot filled the form. */
  website?: string | undefined;
}

export interface Affected {
  vendor: string;
  product: string;
  versions: string;
  identifier: string | null;
}

export interface CheckedAttachment {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  content: Buffer;
}

/** The stored form of a report's structured fields (`reports.details`). */
export interface ReportDetails {
  affected: Affected[];
  reproduction: string;
  impact: string;
  cvss: { vector: string; version: string; score: number; severity: CvssSeverity } | null;
  cwe: { id: string; name: string } | null;
  alreadyPublic: boolean;
  exploited: boolean;
  publicReferences: string[];
  othersInformed: string;
  disclosurePlan: string;
  disclosureDate: string | null;
  credit: { mode: CreditMode; value: string | null; type: OsvCreditType };
}

export interface CheckedReport {
  title: string;
  description: string;
  language: string;
  contactEmail: string | null;
  pgpPublicKey: string | null;
  details: ReportDetails;
  /** Vendors, products and identifiers flattened for search and filters. */
  products: string;
  attachments: CheckedAttachment[];
}

export interface AttachmentLimits {
  maxBytes: number;
  maxCount: number;
  /** Allowed media types; `text/*` allows every text type. */
  types: readonly string[];
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** One 400 carrying every problem; the message names the first (and how many more there are). */
export function invalidFields(problems: FieldProblem[]): AppError {
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new AppError('ERR_VALIDATION', `${first?.field ?? 'input'}: ${first?.message ?? 'invalid'}${more}`, {
    field: first?.field,
    problems,
  });
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type Credit = ReportDetails['credit'];

/** How the finder wants to be credited: a name, a handle or anonymous, with the OSV credit type. */
export function checkCredit(problems: FieldProblem[], input: ReportInput['credit']): Credit {
  const mode = (input?.mode ?? 'anonymous') as CreditMode;
  let creditValue: string | null = null;
  if (!creditModes.includes(mode)) {
    problems.push({ field: 'credit.mode', message: `use one of ${creditModes.join(', ')}` });
  } else if (mode !== 'anonymous') {
    creditValue = text(problems, 'credit.value', input?.value, {
      min: 1,
      max: 200,
      label: mode === 'name' ? 'the name to credit' : 'the handle to credit',
    });
  }
  const creditType = (input?.type ?? 'FINDER') as OsvCreditType;
  if (!osvCreditTypes.includes(creditType)) {
    problems.push({ field: 'credit.type', message: `use one of ${osvCreditTypes.join(', ')}` });
  }

  return { mode, value: creditValue, type: creditType };
}

function text(
  problems: FieldProblem[],
  field: string,
  raw: string | undefined,
  opts: { min?: number; max: number; label: string },
): string {
  const value = (raw ?? '').trim();
  if (opts.min && value.length < opts.min) {
    problems.push({
      field,
      message:
        value.length === 0 ? `${opts.label} is required` : `${opts.label} must be at least ${opts.min} characters`,
    });
  } else if (value.length > opts.max) {
    problems.push({ field, message: `${opts.label} must be at most ${opts.max} characters (got ${value.length})` });
  }
  return value;
}

function httpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export function typeAllowed(contentType: string, types: readonly string[]): boolean {
  const t = contentType.toLowerCase();
  return types.some((allowed) => (allowed.endsWith('/*') ? t.startsWith(allowed.slice(0, -1)) : t === allowed));
}

/** Checks one attachment; the SHA-256 is computed here so that it is stored with the bytes. */
export function checkAttachment(
  problems: FieldProblem[],
  field: string,
  a: AttachmentInput,
  limits: AttachmentLimits,
): CheckedAttachment | null {
  const filename = a.filename.trim().replace(/[\\/]/g, '_');
  const contentType = a.contentType.trim().toLowerCase() || 'application/octet-stream';
  if (filename.length < 1 || filename.length > 200 || /\p{Cc}/u.test(filename)) {
    problems.push({ field: `${field}.filename`, message: 'a file name must be 1 to 200 printable characters' });
    return null;
  }
  if (!typeAllowed(contentType, limits.types)) {
    problems.push({
      field: `${field}.contentType`,
      message: `${filename}: files of type ${contentType} are not accepted; allowed: ${limits.types.join(', ')}`,
    });
    return null;
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.contentBase64) || a.contentBase64.length % 4 !== 0) {
    problems.push({ field: `${field}.contentBase64`, message: `${filename}: the content is not valid base64` });
    return null;
  }
  const content = Buffer.from(a.contentBase64, 'base64');
  if (content.length === 0) {
    problems.push({ field: `${field}.contentBase64`, message: `${filename} is empty` });
    return null;
  }
  if (content.length > limits.maxBytes) {
    problems.push({
      field: `${field}.contentBase64`,
      message: `${filename} is ${content.length} bytes; the limit is ${limits.maxBytes} bytes`,
    });
    return null;
  }
  return { filename, contentType, size: content.length, sha256: sha256Hex(content), content };
}

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export function checkAttachments(
  problems: FieldProblem[],
  list: AttachmentInput[] | undefined,
  limits: AttachmentLimits,
): CheckedAttachment[] {
  const items = list ?? [];
  if (items.length > limits.maxCount) {
    problems.push({ field: 'attachments', message: `at most ${limits.maxCount} files may be attached` });
    return [];
  }
  return items.flatMap((a, i) => checkAttachment(problems, `attachments[${i}]`, a, limits) ?? []);
}

/** Validates a submission; throws one 400 listing every problem. Key checks are done by the caller. */
export function checkReport(input: ReportInput, limits: AttachmentLimits, today: string): CheckedReport {
  const problems: FieldProblem[] = [];
  if (input.website) {
    // A robot filled the hidden field. Refuse plainly; people never see that field.
    problems.push({ field: 'website', message: 'leave this field empty' });
  }
  const title = text(problems, 'title', input.title, { min: 5, max: 200, label: 'the title' });
  const description = text(problems, 'description', input.description, {
    min: 20,
    max: 100_000,
    label: 'the description',
  });
  const reproduction = text(problems, 'reproduction', input.reproduction, { max: 100_000, label: 'the steps' });
  const impact = text(problems, 'impact', input.impact, { max: 20_000, label: 'the impact' });

  const affected: Affected[] = [];
  if (input.affected.length === 0) {
    problems.push({ field: 'affected', message: 'name at least one affected vendor or product' });
  } else if (input.affected.length > 50) {
    problems.push({ field: 'affected', message: 'at most 50 affected products may be listed' });
  }
  input.affected.slice(0, 50).forEach((a, i) => {
    const field = `affected[${i}]`;
    const vendor = text(problems, `${field}.vendor`, a.vendor, { max: 200, label: 'the vendor' });
    const product = text(problems, `${field}.product`, a.product, { max: 200, label: 'the product' });
    const versions = text(problems, `${field}.versions`, a.versions, { max: 500, label: 'the versions' });
    if (!vendor && !product) problems.push({ field, message: 'give the vendor, the product or both' });
    let identifier: string | null = null;
    const rawId = (a.identifier ?? '').trim();
    if (rawId) {
      const checked = validateProductIdentifier(rawId);
      if (checked.ok) identifier = checked.normalized;
      else problems.push({ field: `${field}.identifier`, message: checked.error });
    }
    affected.push({ vendor, product, versions, identifier });
  });

  let cvss: ReportDetails['cvss'] = null;
  if (input.cvss?.trim()) {
    const parsed = parseCvss(input.cvss);
    if (parsed.ok)
      cvss = { vector: parsed.vector, version: parsed.version, score: parsed.score, severity: parsed.severity };
    else problems.push({ field: 'cvss', message: parsed.error });
  }
  let cwe: ReportDetails['cwe'] = null;
  if (input.cwe?.trim()) {
    const checked = validateCwe(input.cwe);
    if (checked.ok) cwe = { id: checked.id, name: checked.entry.name };
    else problems.push({ field: 'cwe', message: checked.error });
  }

  const publicReferences = (input.publicReferences ?? []).map((r) => r.trim()).filter(Boolean);
  if (publicReferences.length > 20) problems.push({ field: 'publicReferences', message: 'at most 20 references' });
  publicReferences.forEach((r, i) => {
    if (!httpUrl(r) || r.length > 2000)
      problems.push({ field: `publicReferences[${i}]`, message: `"${r.slice(0, 60)}" is not an http(s) address` });
  });
  const othersInformed = text(problems, 'othersInformed', input.othersInformed, {
    max: 5000,
    label: 'the parties told',
  });
  const disclosurePlan = text(problems, 'disclosurePlan', input.disclosurePlan, {
    max: 5000,
    label: 'the disclosure plan',
  });
  let disclosureDate: string | null = null;
  if (input.disclosureDate?.trim()) {
    const d = input.disclosureDate.trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`))) {
      problems.push({ field: 'disclosureDate', message: 'use a date like 2026-12-31' });
    } else if (d < today) {
      problems.push({ field: 'disclosureDate', message: `the planned disclosure date ${d} is in the past` });
    } else disclosureDate = d;
  }

  const credit = checkCredit(problems, input.credit);

  let contactEmail: string | null = null;
  if (input.contactEmail?.trim()) {
    contactEmail = input.contactEmail.trim();
    if (contactEmail.length > 254 || !EMAIL.test(contactEmail)) {
      problems.push({ field: 'contactEmail', message: `"${contactEmail.slice(0, 60)}" is not an e-mail address` });
    }
  }
  const pgpPublicKey = input.pgpPublicKey?.trim() ? input.pgpPublicKey.trim() : null;
  const language = (input.language ?? 'en').trim().toLowerCase();
  if (!(reportLanguages as readonly string[]).includes(language)) {
    problems.push({ field: 'language', message: `use one of ${reportLanguages.join(', ')}` });
  }
  const attachments = checkAttachments(problems, input.attachments, limits);
  if (problems.length > 0) throw invalidFields(problems);

  const products = affected
    .map((a) => [a.vendor, a.product, a.versions, a.identifier ?? ''].filter(Boolean).join(' '))
    .join('\n');
  return {
    title,
    description,
    language,
    contactEmail,
    pgpPublicKey,
    products,
    attachments,
    details: {
      affected,
      reproduction,
      impact,
      cvss,
      cwe,
      alreadyPublic: input.alreadyPublic ?? false,
      exploited: input.exploited ?? false,
      publicReferences,
      othersInformed,
      disclosurePlan,
      disclosureDate,
      credit,
    },
  };
}

/** Why a report was closed; `duplicate` names the original. */
export const closeReasons = [
  'duplicate',
  'out_of_scope',
  'not_a_vulnerability',
  'spam',
  'informational',
  'resolved',
] as const;
export type CloseReason = (typeof closeReasons)[number];

export function checkCloseReason(reason: string | undefined, duplicateOf: string | undefined): CloseReason {
  if (!reason) {
    throw invalidFields([{ field: 'reason', message: `closing needs a reason: one of ${closeReasons.join(', ')}` }]);
  }
  if (!(closeReasons as readonly string[]).includes(reason)) {
    throw invalidFields([
      { field: 'reason', message: `"${reason}" is not a reason; use one of ${closeReasons.join(', ')}` },
    ]);
  }
  if (reason === 'duplicate' && !duplicateOf) {
    throw invalidFields([{ field: 'duplicateOf', message: 'name the original report (its tracking id)' }]);
  }
  return reason as CloseReason;
}

/**
 * The RM events that take a report from `state` to Closed as a duplicate: each step is a legal
 * Vultron move (V→C is forbidden, so a Valid report is deferred first).
 */
export function pathToClosed(state: RmState): RmEvent[] | null {
  switch (state) {
    case 'R':
      return ['invalidate', 'close'];
    case 'V':
      return ['defer', 'close'];
    case 'I':
    case 'A':
    case 'D':
      return ['close'];
    case 'S':
    case 'C':
      return null;
  }
}

/** `ACC-2026-0001`: the prefix, the year of receipt, and a per-year number. */
export function formatTrackingId(prefix: string, year: number, n: number): string {
  return `${prefix}-${year}-${String(n).padStart(4, '0')}`;
}

export function trackingIdPattern(prefix: string): RegExp {
  const p = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${p}-\\d{4}-\\d{4,}$`);
}

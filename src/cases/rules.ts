import type { Actor } from '../policy/actor.ts';
import { invalidFields, type FieldProblem } from '../reports/rules.ts';
import { parseCvss } from '../scores/cvss.ts';
import { validateCwe } from '../scores/cwe.ts';
import { schemeOf } from '../versions/schemes.ts';
import { VersError, checkVers, formatVers, versContains } from '../versions/vers.ts';

/**
 * Cases, pure: input checks, Vultron participant roles and start states, the vendor status
 * vocabulary (OpenVEX justifications), and who sees how much of a case.
 */

/** Vultron roles a participant can have in a case (spec roles_docs; case owner/manager are staff). */
/**
 * Who may limit an organization's access to a case to named users of it: the case's managers, and the
 * organization's own admins once they read the case in full (terms accepted).
 */
export function mayNameUsers(actor: Actor, orgId: string | null, manages: boolean, readsFull: boolean): boolean {
  if (manages) return true;
  if (orgId === null || !readsFull || actor.kind !== 'user') return false;
  return actor.memberships.some((m) => m.orgId === orgId && m.role === 'org_admin');
}

export const participantRoles = ['finder', 'reporter', 'vendor', 'deployer', 'coordinator', 'other'] as const;
export type ParticipantRole = (typeof participantRoles)[number];

/**
 * Start states (vultron.json participant_start_states_docs): vendors (S,N,vfdpxa), deployers
 * (S,N,dpxa), others (S,N,pxa), finder/reporter (A,N,pxa) — the finder already accepted their
 * own report. Only vendors carry V/F/D here; deployers' `d` is tracked with vendors' statuses.
 */
export function startState(role: ParticipantRole): { rm: 'S' | 'A'; vfd: 'vfd' | null } {
  if (role === 'finder' || role === 'reporter') return { rm: 'A', vfd: null };
  return { rm: 'S', vfd: role === 'vendor' ? 'vfd' : null };
}

export const vendorStatuses = ['unknown', 'under_investigation', 'affected', 'not_affected', 'fixed'] as const;
export type VendorStatus = (typeof vendorStatuses)[number];

/** OpenVEX 0.2 justifications for not_affected. */
export const vexJustifications = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

export interface CaseInput {
  title: string;
  summary?: string | undefined;
  termsText?: string | undefined;
}

export const DEFAULT_TERMS = `By accepting, you agree to the case terms:

1. Keep everything you learn in this case confidential until the agreed publication date, and
   share it inside your organization only with people who need it to assess or fix the issue.
2. Do not publish, or tell third parties, before that date without the coordinator's agreement.
3. If you learn that details are public or the vulnerability is exploited, tell the coordinator
   at once.
4. State for each of your products whether it is affected, as soon as you know.`;

export function checkCaseInput(input: CaseInput): { title: string; summary: string; termsText: string } {
  const problems: FieldProblem[] = [];
  const title = input.title.trim();
  if (title.length < 5 || title.length > 200)
    problems.push({ field: 'title', message: 'the title must be 5 to 200 characters' });
  const summary = (input.summary ?? '').trim();
  if (summary.length > 50_000)
    problems.push({ field: 'summary', message: 'the summary must be at most 50,000 characters' });
  const termsText = (input.termsText ?? DEFAULT_TERMS).trim();
  if (termsText.length < 20 || termsText.length > 50_000) {
    problems.push({ field: 'termsText', message: 'the case terms must be 20 to 50,000 characters' });
  }
  if (problems.length > 0) throw invalidFields(problems);
  return { title, summary, termsText };
}

export interface VulnerabilityInput {
  title: string;
  description?: string | undefined;
  cwe?: string | undefined;
  cvssV3?: string | undefined;
  cvssV4?: string | undefined;
  cveId?: string | undefined;
}

export interface CheckedVulnerability {
  title: string;
  description: string;
  cwe: string | null;
  cvssV3: { vector: string; score: number } | null;
  cvssV4: { vector: string; score: number } | null;
  cveId: string | null;
}

export function checkVulnerability(input: VulnerabilityInput): CheckedVulnerability {
  const problems: FieldProblem[] = [];
  const title = input.title.trim();
  if (title.length < 3 || title.length > 300)
    problems.push({ field: 'title', message: 'the title must be 3 to 300 characters' });
  const description = (input.description ?? '').trim();
  if (description.length > 100_000) problems.push({ field: 'description', message: 'at most 100,000 characters' });
  let cwe: string | null = null;
  if (input.cwe?.trim()) {
    const c = validateCwe(input.cwe);
    if (c.ok) cwe = c.id;
    else problems.push({ field: 'cwe', message: c.error });
  }
  const cvss = (raw: string | undefined, field: string, versions: string[]) => {
    if (!raw?.trim()) return null;
    const parsed = parseCvss(raw);
    if (!parsed.ok) {
      problems.push({ field, message: parsed.error });
      return null;
    }
    if (!versions.includes(parsed.version)) {
      problems.push({ field, message: `expected a CVSS ${versions.join(' or ')} vector, got ${parsed.version}` });
      return null;
    }
    return { vector: parsed.vector, score: parsed.score };
  };
  const cvssV3 = cvss(input.cvssV3, 'cvssV3', ['3.0', '3.1']);
  const cvssV4 = cvss(input.cvssV4, 'cvssV4', ['4.0']);
  let cveId: string | null = null;
  if (input.cveId?.trim()) {
    cveId = input.cveId.trim().toUpperCase();
    if (!/^CVE-\d{4}-\d{4,}$/.test(cveId))
      problems.push({ field: 'cveId', message: 'a CVE id looks like CVE-2026-12345' });
  }
  if (problems.length > 0) throw invalidFields(problems);
  return { title, description, cwe, cvssV3, cvssV4, cveId };
}

export interface StatusInput {
  status: string;
  justification?: string | undefined;
  statement?: string | undefined;
  fixedVersions?: string | undefined;
  /** The affected versions of the product as a vers range (any order and spacing; stored canonical). */
  affectedRange?: string | null | undefined;
  references?: string[] | undefined;
  vendorTrackingId?: string | undefined;
  mayShare?: boolean | undefined;
}

/** A vendor's statement for one product and vulnerability; OpenVEX asks a reason for "not affected". */
export function checkStatus(input: StatusInput) {
  const problems: FieldProblem[] = [];
  const status = input.status as VendorStatus;
  if (!vendorStatuses.includes(status)) {
    problems.push({ field: 'status', message: `use one of ${vendorStatuses.join(', ')}` });
  }
  const statement = (input.statement ?? '').trim();
  const justification = input.justification?.trim() || null;
  if (status === 'not_affected' && !justification && statement.length === 0) {
    problems.push({
      field: 'justification',
      message: `"not affected" needs an OpenVEX justification (${vexJustifications.join(', ')}) or an impact statement`,
    });
  }
  if (justification && !(vexJustifications as readonly string[]).includes(justification)) {
    problems.push({ field: 'justification', message: `use one of ${vexJustifications.join(', ')}` });
  }
  if (status === 'affected' && statement.length === 0) {
    problems.push({ field: 'statement', message: '"affected" needs an action statement (what users should do)' });
  }
  const fixedVersions = (input.fixedVersions ?? '').trim();
  if (status === 'fixed' && fixedVersions.length === 0) {
    problems.push({ field: 'fixedVersions', message: '"fixed" needs the fixed versions' });
  }
  const affectedRange = checkAffectedRange(problems, status, input.affectedRange, fixedVersions);
  const references = (input.references ?? []).map((r) => r.trim()).filter(Boolean);
  references.forEach((r, i) => {
    if (!/^https?:\/\/\S+$/.test(r)) problems.push({ field: `references[${i}]`, message: 'use an http(s) address' });
  });
  if (statement.length > 20_000) problems.push({ field: 'statement', message: 'at most 20,000 characters' });
  if (problems.length > 0) throw invalidFields(problems);
  return {
    status,
    justification,
    statement,
    fixedVersions,
    affectedRange,
    references,
    vendorTrackingId: input.vendorTrackingId?.trim() || null,
    mayShare: input.mayShare ?? false,
  };
}

/** Fixed versions as written in a statement: separated by commas, semicolons or whitespace. */
export const splitFixedVersions = (text: string): string[] => text.split(/[,;\s]+/).filter(Boolean);

/**
 * The affected range of a statement, canonical (null when none): a valid vers of a supported scheme; none on "not
 * affected"; and for "fixed", every fixed version a version of that scheme and outside the range it fixes.
 */
function checkAffectedRange(
  problems: FieldProblem[],
  status: VendorStatus,
  input: string | null | undefined,
  fixedVersions: string,
): string | null {
  const text = input?.trim();
  if (!text) return null;
  if (text.length > 2000) {
    problems.push({ field: 'affectedRange', message: 'at most 2,000 characters' });
    return null;
  }
  let range;
  try {
    range = checkVers(text);
  } catch (e) {
    if (!(e instanceof VersError)) throw e;
    problems.push({ field: 'affectedRange', message: e.message });
    return null;
  }
  const canonical = formatVers(range);
  if (status === 'not_affected') {
    problems.push({
      field: 'affectedRange',
      message: '"not affected" has no affected range: remove the range or choose another status',
    });
  }
  if (status === 'fixed') {
    const scheme = schemeOf(range.scheme)!;
    for (const version of splitFixedVersions(fixedVersions)) {
      const why = scheme.invalid(version);
      if (why !== null) {
        problems.push({
          field: 'fixedVersions',
          message: `fixed version "${version}" is ${why} (the affected range uses ${range.scheme}); with an affected range, list the fixed versions separated by commas`,
        });
      } else if (versContains(range, version)) {
        problems.push({
          field: 'fixedVersions',
          message: `fixed version "${version}" is inside the affected range ${canonical}: a version that fixes the vulnerability cannot be affected by it; correct the range or the fixed versions`,
        });
      }
    }
  }
  return canonical;
}

/**
 * How much of a case a caller sees: staff everything; a participant who accepted the current
 * terms the shared case; one who has not yet only the case id, the lead, the terms (and, once
 * the embargo issue lands, the embargo date).
 */
export type CaseAccess = 'staff' | 'participant' | 'terms_only';

/** TLP 2.0 labels (FIRST). AMBER+STRICT: the recipient organization only; RED: named recipients only. */
export const tlpLabels = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof tlpLabels)[number];

export interface PostInput {
  body: string;
  tlp?: string | undefined;
  recipientOrgId?: string | undefined;
  recipientUserIds?: string[] | undefined;
  replyTo?: string | undefined;
}

export function checkPost(input: PostInput): {
  body: string;
  tlp: Tlp;
  recipientOrgId: string | null;
  recipientUserIds: string[];
} {
  const problems: FieldProblem[] = [];
  const body = input.body.trim();
  if (body.length < 1 || body.length > 100_000)
    problems.push({ field: 'body', message: 'write 1 to 100,000 characters' });
  const tlp = (input.tlp ?? 'AMBER') as Tlp;
  if (!tlpLabels.includes(tlp)) problems.push({ field: 'tlp', message: `use one of ${tlpLabels.join(', ')}` });
  const recipientOrgId = input.recipientOrgId?.trim() || null;
  const recipientUserIds = [...new Set(input.recipientUserIds ?? [])];
  if (tlp === 'AMBER+STRICT' && !recipientOrgId) {
    problems.push({ field: 'recipientOrgId', message: 'TLP:AMBER+STRICT is for one organization: name it' });
  }
  if (tlp !== 'AMBER+STRICT' && recipientOrgId) {
    problems.push({ field: 'recipientOrgId', message: 'a recipient organization goes with TLP:AMBER+STRICT only' });
  }
  if (tlp === 'RED' && recipientUserIds.length === 0) {
    problems.push({ field: 'recipientUserIds', message: 'TLP:RED is for named people only: name them' });
  }
  if (tlp !== 'RED' && recipientUserIds.length > 0) {
    problems.push({ field: 'recipientUserIds', message: 'named recipients go with TLP:RED only' });
  }
  if (problems.length > 0) throw invalidFields(problems);
  return { body, tlp, recipientOrgId, recipientUserIds };
}

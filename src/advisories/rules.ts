import { validateProductIdentifier } from '../identifiers/index.ts';
import { invalidFields, type FieldProblem } from '../reports/rules.ts';
import { parseCvss } from '../scores/cvss.ts';
import { validateCwe } from '../scores/cwe.ts';
import { VersError, canonicalVers, isVersRange } from '../versions/vers.ts';

/**
 * Advisories, pure: the document model the editor changes and every converter reads, its checks
 * (each problem names the field that causes it, so the editor marks that field), the workflow
 * draft → review → approved → published, and the version numbers that go with it.
 */

export const advisoryStates = ['draft', 'review', 'approved', 'published'] as const;
export type AdvisoryState = (typeof advisoryStates)[number];

export const advisoryTlps = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type AdvisoryTlp = (typeof advisoryTlps)[number];

/** CSAF 2.0 product_status groups we produce (the four VEX needs). */
export const productStatuses = ['known_affected', 'known_not_affected', 'fixed', 'under_investigation'] as const;
export type ProductStatus = (typeof productStatuses)[number];

/** OpenVEX 0.2 justifications; CSAF 2.0 flags use the same labels. */
export const vexJustifications = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type VexJustification = (typeof vexJustifications)[number];

export const remediationCategories = [
  'vendor_fix',
  'workaround',
  'mitigation',
  'no_fix_planned',
  'none_available',
] as const;
export type RemediationCategory = (typeof remediationCategories)[number];

export const threatCategories = ['impact', 'exploit_status', 'target_set'] as const;
export type ThreatCategory = (typeof threatCategories)[number];

export const noteCategories = [
  'summary',
  'description',
  'details',
  'general',
  'faq',
  'legal_disclaimer',
  'other',
] as const;
export type NoteCategory = (typeof noteCategories)[number];

export const publisherCategories = ['vendor', 'coordinator', 'discoverer', 'other', 'translator', 'user'] as const;
export type PublisherCategory = (typeof publisherCategories)[number];

export interface AdvisoryProduct {
  /** Stable id inside the document (CSAF product_id), e.g. CSAFPID-0001. */
  id: string;
  vendor: string;
  name: string;
  /** Empty: the product as a whole (every version). */
  version: string;
  purl: string | null;
  cpe: string | null;
}

export interface AdvisoryReference {
  url: string;
  summary: string;
  category: 'external' | 'self';
}

export interface AdvisoryNote {
  category: NoteCategory;
  title: string;
  text: string;
}

export interface AdvisoryRemediation {
  category: RemediationCategory;
  details: string;
  url: string | null;
  productIds: string[];
}

export interface AdvisoryThreat {
  category: ThreatCategory;
  details: string;
  productIds: string[];
}

export interface AdvisoryProductStatus {
  productId: string;
  status: ProductStatus;
  justification: VexJustification | null;
  /** Impact statement (not affected) or action statement (affected). */
  statement: string;
}

/** An SSVC decision as SSVC selection JSON (`selections` of decision points with their chosen values). */
export interface SsvcSelection {
  selections: { namespace?: string; key: string; version?: string; values: { key: string }[] }[];
  timestamp?: string;
  [k: string]: unknown;
}

export interface AdvisoryVulnerability {
  /** Stable key inside the document, e.g. VULN-1. */
  id: string;
  cve: string | null;
  title: string;
  description: string;
  cwe: string | null;
  cvssV3: string | null;
  cvssV4: string | null;
  ssvc: SsvcSelection | null;
  notes: AdvisoryNote[];
  references: AdvisoryReference[];
  remediations: AdvisoryRemediation[];
  threats: AdvisoryThreat[];
  statuses: AdvisoryProductStatus[];
}

export interface AdvisoryAcknowledgement {
  names: string[];
  organization: string | null;
  summary: string;
}

export interface AdvisoryPublisher {
  name: string;
  namespace: string;
  category: PublisherCategory;
  contactDetails: string;
}

export interface AdvisoryContent {
  title: string;
  lang: string;
  /** Markdown: the summary at the top of the advisory. */
  summary: string;
  publisher: AdvisoryPublisher;
  notes: AdvisoryNote[];
  references: AdvisoryReference[];
  products: AdvisoryProduct[];
  vulnerabilities: AdvisoryVulnerability[];
  acknowledgements: AdvisoryAcknowledgement[];
}

/** The advisory as the converters see it: content plus tracking data. */
export interface AdvisoryDocument {
  trackingId: string;
  tlp: AdvisoryTlp;
  state: AdvisoryState;
  content: AdvisoryContent;
  /** Published revisions, oldest first. */
  revisions: { number: number; date: Date; summary: string }[];
  /** When the next revision is not yet published: its summary. */
  pendingSummary: string | null;
  initialReleaseAt: Date | null;
  currentReleaseAt: Date | null;
  /** Generation time for drafts (the export moment). */
  generatedAt: Date;
  /** The public page of this advisory (CSAF `self` reference). */
  selfUrl: string;
  /** The URL where the CSAF file is (or will be) served. */
  csafUrl: string;
  tool: { name: string; version: string };
}

// ---------------------------------------------------------------------------------------------
// Checks

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const optStr = (v: unknown): string | null => str(v) || null;

function oneOf<T extends string>(
  problems: FieldProblem[],
  field: string,
  value: unknown,
  allowed: readonly T[],
  fallback?: T,
): T {
  const v = str(value);
  if (v === '' && fallback !== undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    problems.push({ field, message: `use one of ${allowed.join(', ')}` });
    return allowed[0]!;
  }
  return v as T;
}

function text(problems: FieldProblem[], field: string, value: unknown, opts: { min?: number; max: number }): string {
  const v = str(value);
  if (v.length < (opts.min ?? 0)) {
    problems.push({
      field,
      message: opts.min === 1 ? 'this is required' : `write at least ${opts.min} characters`,
    });
  }
  if (v.length > opts.max) problems.push({ field, message: `at most ${opts.max.toLocaleString('en')} characters` });
  return v;
}

/** A product's version: one version (at most 200 characters), or a vers range, kept in canonical form. */
function productVersion(problems: FieldProblem[], field: string, value: unknown): string {
  const v = str(value);
  if (!isVersRange(v)) return text(problems, field, v, { max: 200 });
  if (v.length > 2000) {
    problems.push({ field, message: 'a version range has at most 2,000 characters' });
    return v;
  }
  try {
    return canonicalVers(v);
  } catch (e) {
    if (!(e instanceof VersError)) throw e;
    problems.push({ field, message: e.message });
    return v;
  }
}

function url(problems: FieldProblem[], field: string, value: unknown, required: boolean): string | null {
  const v = str(value);
  if (v === '') {
    if (required) problems.push({ field, message: 'give an http(s) address' });
    return null;
  }
  try {
    const u = new URL(v);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
  } catch {
    problems.push({ field, message: 'use an absolute http(s) address' });
  }
  return v;
}

function notes(problems: FieldProblem[], field: string, value: unknown): AdvisoryNote[] {
  return arr(value).map((n, i) => {
    const o = isObj(n) ? n : {};
    return {
      category: oneOf(problems, `${field}[${i}].category`, o.category, noteCategories, 'general'),
      title: text(problems, `${field}[${i}].title`, o.title, { max: 200 }),
      text: text(problems, `${field}[${i}].text`, o.text, { min: 1, max: 50_000 }),
    };
  });
}

function references(problems: FieldProblem[], field: string, value: unknown): AdvisoryReference[] {
  return arr(value).map((r, i) => {
    const o = isObj(r) ? r : {};
    return {
      url: url(problems, `${field}[${i}].url`, o.url, true) ?? '',
      summary: text(problems, `${field}[${i}].summary`, o.summary, { max: 500 }),
      category: oneOf(problems, `${field}[${i}].category`, o.category, ['external', 'self'] as const, 'external'),
    };
  });
}

function productRefs(problems: FieldProblem[], field: string, value: unknown, known: Set<string>): string[] {
  const ids = arr(value).map(str);
  ids.forEach((id, i) => {
    if (!known.has(id)) problems.push({ field: `${field}[${i}]`, message: `no product has the id "${id}"` });
  });
  return [...new Set(ids)];
}

function ssvc(problems: FieldProblem[], field: string, value: unknown): SsvcSelection | null {
  if (value === null || value === undefined || value === '') return null;
  if (!isObj(value) || !Array.isArray(value.selections) || value.selections.length === 0) {
    problems.push({ field, message: 'an SSVC decision is selection JSON: {"selections": [{"key", "values": [...]}]}' });
    return null;
  }
  value.selections.forEach((s, i) => {
    if (!isObj(s) || str(s.key) === '' || !Array.isArray(s.values) || s.values.length === 0) {
      problems.push({ field: `${field}.selections[${i}]`, message: 'each selection needs a key and chosen values' });
      return;
    }
    s.values.forEach((v, j) => {
      if (!isObj(v) || str(v.key) === '')
        problems.push({ field: `${field}.selections[${i}].values[${j}]`, message: 'each value needs a key' });
    });
  });
  return value as SsvcSelection;
}

/**
 * Checks and normalizes advisory content from the editor or from a case; throws ERR_VALIDATION
 * listing every problem with its field path (`vulnerabilities[0].cvssV3`, `products[2].purl`…).
 */
export function checkContent(input: unknown): AdvisoryContent {
  const problems: FieldProblem[] = [];
  const o = isObj(input) ? input : {};
  const pub = isObj(o.publisher) ? o.publisher : {};
  const publisher: AdvisoryPublisher = {
    name: text(problems, 'publisher.name', pub.name, { min: 1, max: 200 }),
    namespace: url(problems, 'publisher.namespace', pub.namespace, true) ?? '',
    category: oneOf(problems, 'publisher.category', pub.category, publisherCategories, 'vendor'),
    contactDetails: text(problems, 'publisher.contactDetails', pub.contactDetails, { max: 500 }),
  };
  const lang = str(o.lang) || 'en';
  if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(lang))
    problems.push({ field: 'lang', message: 'a language tag such as en or ja' });

  const productIds = new Set<string>();
  const products: AdvisoryProduct[] = arr(o.products).map((p, i) => {
    const f = `products[${i}]`;
    const q = isObj(p) ? p : {};
    const id = str(q.id) || `CSAFPID-${String(i + 1).padStart(4, '0')}`;
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
      problems.push({ field: `${f}.id`, message: 'letters, digits, dot, dash, underscore (at most 64)' });
    if (productIds.has(id)) problems.push({ field: `${f}.id`, message: `the product id ${id} is used twice` });
    productIds.add(id);
    const ident = (field: 'purl' | 'cpe'): string | null => {
      const raw = optStr(q[field]);
      if (!raw) return null;
      const r = validateProductIdentifier(raw);
      if (!r.ok) {
        problems.push({ field: `${f}.${field}`, message: r.error });
        return raw;
      }
      if (r.kind !== field) {
        problems.push({
          field: `${f}.${field}`,
          message: `this is a ${r.kind === 'purl' ? 'package URL' : 'CPE name'}`,
        });
      }
      return r.normalized;
    };
    return {
      id,
      vendor: text(problems, `${f}.vendor`, q.vendor, { min: 1, max: 200 }),
      name: text(problems, `${f}.name`, q.name, { min: 1, max: 200 }),
      version: productVersion(problems, `${f}.version`, q.version),
      purl: ident('purl'),
      cpe: ident('cpe'),
    };
  });
  const seenNames = new Map<string, number>();
  products.forEach((p, i) => {
    const key = `${p.vendor}\u0000${p.name}\u0000${p.version}`;
    if (seenNames.has(key)) {
      problems.push({
        field: `products[${i}].version`,
        message: `same vendor, product and version as products[${seenNames.get(key)}]`,
      });
    } else seenNames.set(key, i);
  });

  const vulnIds = new Set<string>();
  const cves = new Set<string>();
  const vulnerabilities: AdvisoryVulnerability[] = arr(o.vulnerabilities).map((v, i) => {
    const f = `vulnerabilities[${i}]`;
    const q = isObj(v) ? v : {};
    const id = str(q.id) || `VULN-${i + 1}`;
    if (vulnIds.has(id)) problems.push({ field: `${f}.id`, message: `the vulnerability key ${id} is used twice` });
    vulnIds.add(id);
    let cve = optStr(q.cve);
    if (cve) {
      cve = cve.toUpperCase();
      if (!/^CVE-\d{4}-\d{4,}$/.test(cve))
        problems.push({ field: `${f}.cve`, message: 'a CVE id looks like CVE-2026-12345' });
      if (cves.has(cve)) problems.push({ field: `${f}.cve`, message: `${cve} appears twice` });
      cves.add(cve);
    }
    let cwe = optStr(q.cwe);
    if (cwe) {
      const c = validateCwe(cwe);
      if (c.ok) cwe = c.id;
      else problems.push({ field: `${f}.cwe`, message: c.error });
    }
    const cvss = (field: 'cvssV3' | 'cvssV4', versions: string[]): string | null => {
      const raw = optStr(q[field]);
      if (!raw) return null;
      const parsed = parseCvss(raw);
      if (!parsed.ok) {
        problems.push({ field: `${f}.${field}`, message: parsed.error });
        return raw;
      }
      if (!versions.includes(parsed.version)) {
        problems.push({ field: `${f}.${field}`, message: `expected a CVSS ${versions.join(' or ')} vector` });
      }
      return parsed.vector;
    };
    const statusSeen = new Set<string>();
    const statuses: AdvisoryProductStatus[] = arr(q.statuses).map((s, j) => {
      const g = `${f}.statuses[${j}]`;
      const r = isObj(s) ? s : {};
      const productId = str(r.productId);
      if (!productIds.has(productId))
        problems.push({ field: `${g}.productId`, message: `no product has the id "${productId}"` });
      if (statusSeen.has(productId))
        problems.push({ field: `${g}.productId`, message: 'a product has one status per vulnerability' });
      statusSeen.add(productId);
      const status = oneOf(problems, `${g}.status`, r.status, productStatuses);
      const justification = optStr(r.justification);
      if (justification && !(vexJustifications as readonly string[]).includes(justification)) {
        problems.push({ field: `${g}.justification`, message: `use one of ${vexJustifications.join(', ')}` });
      }
      const statement = text(problems, `${g}.statement`, r.statement, { max: 20_000 });
      if (status === 'known_not_affected' && !justification && statement === '') {
        problems.push({
          field: `${g}.justification`,
          message: '"not affected" needs a justification or an impact statement (VEX requires one)',
        });
      }
      if (justification && status !== 'known_not_affected') {
        problems.push({ field: `${g}.justification`, message: 'a justification goes with "not affected" only' });
      }
      return { productId, status, justification: justification as VexJustification | null, statement };
    });
    const remediations: AdvisoryRemediation[] = arr(q.remediations).map((r, j) => {
      const g = `${f}.remediations[${j}]`;
      const m = isObj(r) ? r : {};
      const ids = productRefs(problems, `${g}.productIds`, m.productIds, productIds);
      if (ids.length === 0) problems.push({ field: `${g}.productIds`, message: 'name the products this applies to' });
      return {
        category: oneOf(problems, `${g}.category`, m.category, remediationCategories),
        details: text(problems, `${g}.details`, m.details, { min: 1, max: 20_000 }),
        url: url(problems, `${g}.url`, m.url, false),
        productIds: ids,
      };
    });
    const threats: AdvisoryThreat[] = arr(q.threats).map((t, j) => {
      const g = `${f}.threats[${j}]`;
      const m = isObj(t) ? t : {};
      return {
        category: oneOf(problems, `${g}.category`, m.category, threatCategories),
        details: text(problems, `${g}.details`, m.details, { min: 1, max: 20_000 }),
        productIds: productRefs(problems, `${g}.productIds`, m.productIds, productIds),
      };
    });
    const affected = new Set(statuses.filter((s) => s.status === 'known_affected').map((s) => s.productId));
    for (const id of affected) {
      if (!remediations.some((r) => r.productIds.includes(id))) {
        problems.push({
          field: `${f}.remediations`,
          message: `product ${id} is affected: add a remediation for it (vendor_fix, workaround, mitigation, no_fix_planned or none_available)`,
        });
      }
    }
    return {
      id,
      cve,
      title: text(problems, `${f}.title`, q.title, { min: 1, max: 300 }),
      description: text(problems, `${f}.description`, q.description, { min: 1, max: 100_000 }),
      cwe,
      cvssV3: cvss('cvssV3', ['3.0', '3.1']),
      cvssV4: cvss('cvssV4', ['4.0']),
      ssvc: ssvc(problems, `${f}.ssvc`, q.ssvc),
      notes: notes(problems, `${f}.notes`, q.notes),
      references: references(problems, `${f}.references`, q.references),
      remediations,
      threats,
      statuses,
    };
  });

  const acknowledgements: AdvisoryAcknowledgement[] = arr(o.acknowledgements).map((a, i) => {
    const q = isObj(a) ? a : {};
    const names = arr(q.names).map(str).filter(Boolean);
    const organization = optStr(q.organization);
    if (names.length === 0 && !organization) {
      problems.push({ field: `acknowledgements[${i}].names`, message: 'name a person or an organization to thank' });
    }
    return { names, organization, summary: text(problems, `acknowledgements[${i}].summary`, q.summary, { max: 500 }) };
  });

  const content: AdvisoryContent = {
    title: text(problems, 'title', o.title, { min: 5, max: 300 }),
    lang,
    summary: text(problems, 'summary', o.summary, { max: 50_000 }),
    publisher,
    notes: notes(problems, 'notes', o.notes),
    references: references(problems, 'references', o.references),
    products,
    vulnerabilities,
    acknowledgements,
  };
  if (problems.length > 0) throw invalidFields(problems);
  return content;
}

/** What must hold before review: something to say about something. */
export function readinessProblems(content: AdvisoryContent): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (content.vulnerabilities.length === 0) problems.push({ field: 'vulnerabilities', message: 'add a vulnerability' });
  if (content.products.length === 0) problems.push({ field: 'products', message: 'add the products concerned' });
  content.vulnerabilities.forEach((v, i) => {
    if (v.statuses.length === 0)
      problems.push({ field: `vulnerabilities[${i}].statuses`, message: 'give at least one product status' });
  });
  if (content.summary === '') problems.push({ field: 'summary', message: 'write a summary for readers' });
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Workflow

export const advisoryActions = ['submit', 'return', 'approve', 'publish'] as const;
export type AdvisoryWorkflowAction = (typeof advisoryActions)[number];

const transitions: Record<AdvisoryWorkflowAction, { from: readonly AdvisoryState[]; to: AdvisoryState }> = {
  submit: { from: ['draft'], to: 'review' },
  return: { from: ['review', 'approved'], to: 'draft' },
  approve: { from: ['review'], to: 'approved' },
  publish: { from: ['approved'], to: 'published' },
};

export function nextState(state: AdvisoryState, action: AdvisoryWorkflowAction): AdvisoryState | null {
  const t = transitions[action];
  return t.from.includes(state) ? t.to : null;
}

export function allowedActions(state: AdvisoryState): AdvisoryWorkflowAction[] {
  return advisoryActions.filter((a) => nextState(state, a) !== null);
}

/** Semantic versioning (CSAF): published revision n is n.0.0; work on revision n+1 is n+1.0.0-draft. */
export function versionOf(number: number): string {
  return `${number}.0.0`;
}

export function draftVersionOf(publishedRevision: number): string {
  return publishedRevision === 0 ? '0.1.0' : `${publishedRevision + 1}.0.0-draft`;
}

/** The file name CSAF 6.1.x test 6.1.?? / section 5.1 asks for: the tracking id, lowercased, `[^+\-a-z0-9]+` → `_`. */
export function csafFilename(trackingId: string): string {
  return `${trackingId.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_')}.json`;
}

/**
 * Who may fetch a document with this TLP from the trusted provider: CLEAR anyone; GREEN any
 * signed-in user; AMBER / AMBER+STRICT staff and the accepted participants of its case; RED staff.
 */
export function tlpAudience(tlp: AdvisoryTlp): 'public' | 'signed_in' | 'case' | 'staff' {
  switch (tlp) {
    case 'CLEAR':
      return 'public';
    case 'GREEN':
      return 'signed_in';
    case 'AMBER':
    case 'AMBER+STRICT':
      return 'case';
    case 'RED':
      return 'staff';
  }
}

// ---------------------------------------------------------------------------------------------
// Diff between revisions

export interface ContentChange {
  path: string;
  before: string | number | boolean | null | undefined;
  after: string | number | boolean | null | undefined;
}

function flatten(value: unknown, prefix: string, out: Map<string, string | number | boolean | null>): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
    if (value.length === 0) out.set(prefix, null);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) {
    out.set(prefix, value);
  }
}

/** Field-level changes between two versions of an advisory's content, in document order. */
export function diffContent(before: unknown, after: unknown): ContentChange[] {
  const a = new Map<string, string | number | boolean | null>();
  const b = new Map<string, string | number | boolean | null>();
  flatten(before, '', a);
  flatten(after, '', b);
  const changes: ContentChange[] = [];
  for (const [path, value] of b) {
    if (!a.has(path)) changes.push({ path, before: undefined, after: value });
    else if (a.get(path) !== value) changes.push({ path, before: a.get(path), after: value });
  }
  for (const [path, value] of a) if (!b.has(path)) changes.push({ path, before: value, after: undefined });
  return changes;
}

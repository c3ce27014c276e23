import { type Abilities, type FieldProblem, type Page, type Query, request, requestBlob, withQuery } from './api.ts';

/** The advisories API (staff): documents, their checks, workflow, revisions, diff, preview and exports. */

export const advisoryStates = ['draft', 'review', 'approved', 'published'] as const;
export type AdvisoryState = (typeof advisoryStates)[number];
export const advisoryTlps = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type AdvisoryTlp = (typeof advisoryTlps)[number];
export const advisoryActions = ['submit', 'return', 'approve', 'publish'] as const;
export type AdvisoryAction = (typeof advisoryActions)[number];

export const noteCategories = [
  'summary',
  'description',
  'details',
  'general',
  'faq',
  'legal_disclaimer',
  'other',
] as const;
export const publisherCategories = ['vendor', 'coordinator', 'discoverer', 'other', 'translator', 'user'] as const;
export const remediationCategories = [
  'vendor_fix',
  'workaround',
  'mitigation',
  'no_fix_planned',
  'none_available',
] as const;
export const threatCategories = ['impact', 'exploit_status', 'target_set'] as const;
export const productStatuses = ['known_affected', 'known_not_affected', 'fixed', 'under_investigation'] as const;
export const vexJustifications = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

/** Export formats the server offers, each validated before it is sent. */
export const exportFormats = ['csaf', 'csaf-vex', 'cve', 'cve-cna', 'osv', 'openvex', 'md', 'html'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface AdvisoryNote {
  category: string;
  title: string;
  text: string;
}
export interface AdvisoryReference {
  url: string;
  summary: string;
  category: 'external' | 'self';
}
export interface AdvisoryProduct {
  id: string;
  vendor: string;
  name: string;
  version: string;
  purl: string | null;
  cpe: string | null;
}
export interface AdvisoryRemediation {
  category: string;
  details: string;
  url: string | null;
  productIds: string[];
}
export interface AdvisoryThreat {
  category: string;
  details: string;
  productIds: string[];
}
export interface AdvisoryProductStatus {
  productId: string;
  status: string;
  justification: string | null;
  statement: string;
}
export interface AdvisoryVulnerability {
  id: string;
  cve: string | null;
  title: string;
  description: string;
  cwe: string | null;
  cvssV3: string | null;
  cvssV4: string | null;
  ssvc: Record<string, unknown> | null;
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
export interface AdvisoryContent {
  title: string;
  lang: string;
  summary: string;
  publisher: { name: string; namespace: string; category: string; contactDetails: string };
  notes: AdvisoryNote[];
  references: AdvisoryReference[];
  products: AdvisoryProduct[];
  vulnerabilities: AdvisoryVulnerability[];
  acknowledgements: AdvisoryAcknowledgement[];
}

export interface Advisory {
  id: string;
  trackingId: string;
  caseId: string | null;
  caseRef: string | null;
  title: string;
  state: AdvisoryState;
  tlp: AdvisoryTlp;
  content: AdvisoryContent;
  pendingSummary: string;
  publishedRevision: number;
  lockVersion: number;
  authorId: string | null;
  submittedBy: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  initialReleaseAt: string | null;
  currentReleaseAt: string | null;
  createdAt: string;
  updatedAt: string;
  revisions: { number: number; date: string; summary: string }[];
  readiness: FieldProblem[];
  allowedActions: AdvisoryAction[];
  abilities: Abilities;
}

export interface AdvisoryListItem {
  id: string;
  trackingId: string;
  title: string;
  state: AdvisoryState;
  tlp: AdvisoryTlp;
  caseId: string | null;
  caseRef: string | null;
  publishedRevision: number;
  updatedAt: string;
  createdAt: string;
}

export type CheckAnswer =
  { valid: true; problems: FieldProblem[]; content: AdvisoryContent } | { valid: false; problems: FieldProblem[] };

export interface ContentChange {
  path: string;
  before?: string | number | boolean | null;
  after?: string | number | boolean | null;
}

export interface DiffAnswer {
  from: number;
  to: number | 'current';
  changes: ContentChange[];
}

/** The server's score of a CVSS vector (`GET /api/v1/cvss`). */
export interface CvssScore {
  ok: true;
  version: '3.0' | '3.1' | '4.0';
  vector: string;
  score: number;
  severity: string;
  scores: Record<string, number>;
}

const path = (ref: string) => `/api/v1/advisories/${encodeURIComponent(ref)}`;

export const advisoriesApi = {
  list: (query: Query) => request<Page<AdvisoryListItem>>('GET', withQuery('/api/v1/advisories', query)),
  create: (body: { caseId?: string; tlp?: AdvisoryTlp; content?: Partial<AdvisoryContent> }) =>
    request<Advisory>('POST', '/api/v1/advisories', body),
  check: (content: AdvisoryContent) => request<CheckAnswer>('POST', '/api/v1/advisories/check', { content }),
  get: (ref: string) => request<Advisory>('GET', path(ref)),
  save: (
    ref: string,
    body: { content: AdvisoryContent; tlp: AdvisoryTlp; lockVersion: number; revisionSummary: string },
  ) => request<Advisory>('PUT', path(ref), body),
  act: (ref: string, action: AdvisoryAction, summary?: string) =>
    request<Advisory>('POST', `${path(ref)}/actions`, summary ? { action, summary } : { action }),
  diff: (ref: string, from: number, to: number | 'current') =>
    request<DiffAnswer>('GET', withQuery(`${path(ref)}/diff`, { from, to })),
  preview: (ref: string) => request<{ html: string }>('GET', `${path(ref)}/preview`),
  exportBlob: (ref: string, format: ExportFormat) => requestBlob(withQuery(`${path(ref)}/export`, { format })),
  cvss: (vector: string) => request<CvssScore>('GET', withQuery('/api/v1/cvss', { vector })),
  cwe: (q: string) => request<{ items: { id: string; name: string }[] }>('GET', withQuery('/api/v1/cwe', { q })),
};

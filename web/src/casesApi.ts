import { type Page, type Query, request, requestBlob, withQuery } from './api.ts';
import type { RmEvent, RmState } from './reportsApi.ts';

/** Types and calls of multi-party cases (participants, terms, the status matrix, threads). */

export type CaseAbility = 'case:read_full' | 'case:manage' | 'case:accept_terms' | 'case:statement';
export type CaseEvent = 'V' | 'F' | 'D' | 'P' | 'X' | 'A';
export const participantRoles = ['vendor', 'coordinator', 'deployer', 'reporter', 'finder', 'other'] as const;
export type ParticipantRole = (typeof participantRoles)[number];
export const vendorStatuses = ['under_investigation', 'affected', 'not_affected', 'fixed'] as const;
export type VendorStatus = 'unknown' | (typeof vendorStatuses)[number];
/** OpenVEX 0.2 justifications for "not affected". */
export const vexJustifications = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
/** TLP 2.0 labels (FIRST). */
export const tlpLabels = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof tlpLabels)[number];

export interface CaseListItem {
  id: string;
  caseId: string;
  status: string;
  /** Posts you may read and have not (null before the terms are accepted). */
  unread?: number | null;
  createdAt: string;
}

/** What every caller sees, before the terms too: the id, the lead and the terms. */
export interface CaseMinimal {
  id: string;
  caseId: string;
  lead: string | null;
  terms: { version: number; text: string; html: string };
  embargoEnd: string | null;
  access: 'terms_only' | 'participant' | 'staff';
  abilities: Record<CaseAbility, boolean>;
}

export interface Vulnerability {
  id: string;
  title: string;
  description: string;
  cwe: string | null;
  cvssV3: { vector: string; score: number | null } | null;
  cvssV4: { vector: string; score: number | null } | null;
  cveId: string | null;
}

export interface Participant {
  id: string;
  role: ParticipantRole;
  name: string;
  orgId: string | null;
  mine: boolean;
  /** null: another vendor's progress, which only the lead and staff see. */
  rmState: RmState | null;
  rmStateLabel: string | null;
  /** Six letters vfdpxa for vendors (uppercase: happened); null for other roles (and other vendors). */
  caseState: string | null;
  termsAccepted: boolean | null;
  termsAcceptedAt: string | null;
  /** The RM moves the server would accept now from this caller (the Vultron machines decide). */
  allowedRmEvents: RmEvent[];
  /** The V/F/D moves the server would accept now from this caller (vendors only). */
  allowedCaseEvents: CaseEvent[];
  /** Staff, and the organization's own admin. */
  allowedUserIds?: string[];
  /** Whether this caller may limit the organization's access to named users (managers, its own admin). */
  canNameUsers?: boolean;
  notifiedAt?: string | null;
}

export interface CaseFull extends CaseMinimal {
  title: string;
  summary: string;
  summaryHtml: string;
  status: string;
  pxaState: string;
  /** The P/X/A moves the server would accept now from this caller (the lead and coordinators). */
  allowedCaseEvents: CaseEvent[];
  createdAt: string;
  vulnerabilities: Vulnerability[];
  participants: Participant[];
}

export type CaseView = CaseMinimal | CaseFull;

export function isFull(c: CaseView): c is CaseFull {
  return c.access !== 'terms_only';
}

export interface StatusCell {
  vulnerabilityId: string;
  product: string;
  status: VendorStatus;
  justification: string | null;
  statement: string;
  fixedVersions: string;
  /** Canonical vers, e.g. vers:npm/>=1.0.0|<1.4.2; null when not given. */
  affectedRange: string | null;
  references: string[];
  vendorTrackingId: string | null;
  mayShare: boolean;
  approved: boolean;
  updatedAt: string;
}

export interface StatusMatrix {
  vulnerabilities: { id: string; title: string; cveId: string | null }[];
  vendors: {
    participantId: string;
    name: string;
    /** null: whether this vendor answered is not shared with you. */
    silent: boolean | null;
    /** null: another vendor's progress, which only the lead and staff see. */
    rmState: string | null;
    caseState: string | null;
    cells: StatusCell[];
  }[];
}

export interface StatusInput {
  participantId: string;
  vulnerabilityId: string;
  product: string;
  status: VendorStatus;
  justification?: string;
  statement?: string;
  fixedVersions?: string;
  /** The affected versions as a vers range; null removes it. */
  affectedRange?: string | null;
  references?: string[];
  vendorTrackingId?: string;
  mayShare?: boolean;
}

export type ThreadKind = 'official' | 'discussion' | 'private';

export interface Thread {
  id: string;
  kind: ThreadKind;
  title: string;
  posts: number;
  /** Posts you have not read yet. */
  unread?: number;
  createdAt: string;
}

export interface Post {
  id: string;
  replyTo: string | null;
  /** The author's sign-in address. */
  author: string;
  authorOrgId: string | null;
  body: string;
  bodyHtml: string;
  tlp: Tlp;
  recipientOrgId: string | null;
  recipientUserIds: string[];
  editedAt: string | null;
  createdAt: string;
  /** In a thread's listing: whether you read it (your own posts count as read). */
  read?: boolean;
  /** In a thread's listing: whether it @mentions you. */
  mentionsYou?: boolean;
  /** Only in the answer to an edit: the earlier texts. */
  revisions?: { body: string; editedAt: string }[];
}

export interface PostInput {
  body: string;
  tlp: Tlp;
  recipientOrgId?: string;
  recipientUserIds?: string[];
  replyTo?: string;
}

export interface TimelineEvent {
  kind: string;
  participantId: string | null;
  actorLabel: string;
  data: Record<string, unknown>;
  createdAt: string;
}

const enc = encodeURIComponent;
const base = (ref: string) => `/api/v1/cases/${enc(ref)}`;

export const casesApi = {
  list: (query: Query) => request<Page<CaseListItem>>('GET', withQuery('/api/v1/cases', query)),
  open: (body: { title: string; summary?: string; termsText?: string; reportIds?: string[] }) =>
    request<CaseView>('POST', '/api/v1/cases', body),
  ask: (body: { orgId: string; title: string; summary?: string }) =>
    request<CaseView>('POST', '/api/v1/cases/request', body),
  get: (ref: string) => request<CaseView>('GET', base(ref)),
  acceptTerms: (ref: string, version: number) => request<CaseView>('POST', `${base(ref)}/terms/accept`, { version }),
  addParticipant: (ref: string, body: { orgId: string; role: string; allowedUserIds?: string[] }) =>
    request<unknown>('POST', `${base(ref)}/participants`, body),
  rm: (ref: string, participantId: string, event: RmEvent) =>
    request<unknown>('POST', `${base(ref)}/participants/${enc(participantId)}/rm`, { event }),
  caseState: (ref: string, body: { event: CaseEvent; participantId?: string }) =>
    request<CaseView>('POST', `${base(ref)}/state`, body),
  addVulnerability: (
    ref: string,
    body: { title: string; description?: string; cwe?: string; cvssV3?: string; cvssV4?: string; cveId?: string },
  ) => request<unknown>('POST', `${base(ref)}/vulnerabilities`, body),
  statuses: (ref: string) => request<StatusMatrix>('GET', `${base(ref)}/statuses`),
  setStatus: (ref: string, body: StatusInput) => request<unknown>('PUT', `${base(ref)}/statuses`, body),
  threads: (ref: string) => request<{ items: Thread[] }>('GET', `${base(ref)}/threads`),
  openThread: (ref: string, body: { title: string; participantIds: string[] }) =>
    request<{ id: string; kind: ThreadKind; title: string }>('POST', `${base(ref)}/threads`, body),
  posts: (ref: string, threadId: string) =>
    request<{ thread: { id: string; kind: ThreadKind; title: string }; items: Post[] }>(
      'GET',
      `${base(ref)}/threads/${enc(threadId)}/posts`,
    ),
  post: (ref: string, threadId: string, body: PostInput) =>
    request<Post>('POST', `${base(ref)}/threads/${enc(threadId)}/posts`, body),
  editPost: (ref: string, postId: string, body: string) =>
    request<Post>('PATCH', `${base(ref)}/posts/${enc(postId)}`, { body }),
  timeline: (ref: string) => request<{ items: TimelineEvent[] }>('GET', `${base(ref)}/timeline`),
  timelineExport: (ref: string, format: 'csv' | 'json') => requestBlob(withQuery(`${base(ref)}/timeline`, { format })),
  /** The vendor directory's entry of an organization: its products are offered in the status form. */
  directoryProducts: (orgId: string) =>
    request<{ products: { name: string; versions: string | null }[] }>('GET', `/api/v1/directory/${enc(orgId)}`),
};

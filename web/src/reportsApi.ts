import { type Page, type Query, request, requestBlob, withQuery } from './api.ts';

/** Types and calls of report intake (finders) and triage (staff). */

export type RmState = 'S' | 'R' | 'I' | 'V' | 'D' | 'A' | 'C';
export const rmStates: readonly RmState[] = ['R', 'V', 'I', 'D', 'A', 'C'];
export type RmEvent = 'receive' | 'invalidate' | 'validate' | 'accept' | 'defer' | 'close';
export const closeReasons = [
  'duplicate',
  'out_of_scope',
  'not_a_vulnerability',
  'spam',
  'informational',
  'resolved',
] as const;
export interface InstanceKey {
  fingerprint: string;
  algorithm: string;
  createdAt: string;
  publicKey: string;
  /** Admins only: earlier keys, kept so older encrypted mail can still be read. */
  retired?: { fingerprint: string; createdAt: string; retiredAt: string }[];
}

/** What the report form accepts, as the instance is configured (GET /api/v1/report-settings). */
export interface ReportSettings {
  attachmentMaxBytes: number;
  attachmentMaxCount: number;
  attachmentTypes: string[];
  languages: string[];
  creditTypes: string[];
  /** The business days within which a report is acknowledged. */
  acknowledgeBusinessDays: number;
  trackingIdPrefix: string;
}

/** A finder as staff see them: linked by account, e-mail or OpenPGP fingerprint. */
export interface Finder {
  id: string;
  userId: string | null;
  email: string | null;
  name: string | null;
  handle: string | null;
  pgpFingerprint: string | null;
  publicAcknowledgement: boolean;
  reports: number;
  createdAt: string;
}

/** One finder's profile: `reports` is the list of their reports here (their count is `figures.reports`). */
export interface FinderProfile extends Omit<Finder, 'reports'> {
  figures: {
    reports: number;
    valid: number;
    invalid: number;
    duplicates: number;
    /** valid / (valid + invalid), 0..1; null before any report was judged. */
    validShare: number | null;
    averageCvss: number | null;
    firstReportAt: string | null;
    lastReportAt: string | null;
  };
  reports: {
    id: string;
    trackingId: string;
    title: string;
    state: RmState;
    closeReason: string | null;
    severity: string | null;
    createdAt: string;
  }[];
}

export interface AffectedInput {
  vendor?: string;
  product?: string;
  versions?: string;
  identifier?: string;
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
  reproduction?: string;
  impact?: string;
  cvss?: string;
  cwe?: string;
  alreadyPublic?: boolean;
  exploited?: boolean;
  publicReferences?: string[];
  othersInformed?: string;
  disclosurePlan?: string;
  disclosureDate?: string;
  credit?: { mode: 'name' | 'handle' | 'anonymous'; value?: string; type?: string };
  publicAcknowledgement?: boolean;
  contactEmail?: string;
  pgpPublicKey?: string;
  language: string;
  attachments?: AttachmentInput[];
  website?: string;
}

export interface AttachmentMeta {
  id: string;
  filename: string;
  size: number;
  sha256: string;
  contentType: string;
}

export type MessageKind = 'message' | 'question' | 'answer' | 'note';

export interface ReportMessage {
  id: string;
  kind: MessageKind;
  authorLabel: string;
  fromFinder: boolean;
  bodyHtml: string;
  createdAt: string;
  attachments: AttachmentMeta[];
  /** Staff views only. */
  visibility?: 'shared' | 'internal';
}

export interface FinderReportView {
  id: string;
  trackingId: string;
  title: string;
  state: RmState;
  stateLabel: string;
  closeReason: string | null;
  duplicateOf: string | null;
  createdAt: string;
  messages: ReportMessage[];
  attachments: AttachmentMeta[];
  /** Finder views only: how the finder is credited and whether they are listed publicly. */
  credit?: CreditChoice;
  publicAcknowledgement?: boolean | null;
}

export interface CreditChoice {
  mode: 'anonymous' | 'name' | 'handle';
  value: string | null;
  type: string;
}

export interface SubmitAnswer {
  report: FinderReportView;
  followUpSecret: string;
  followUpUrl: string;
}

export type SlaState = 'running' | 'paused' | 'at_risk' | 'met' | 'breached';
export interface SlaClock {
  state: SlaState;
  dueAt: string | null;
}
export interface Sla {
  acknowledge: SlaClock;
  triage: SlaClock;
}

export interface Person {
  id: string;
  name: string;
}

export interface ReportSummary {
  id: string;
  trackingId: string;
  title: string;
  state: RmState;
  stateLabel: string;
  severity: string | null;
  cvssScore: number | null;
  language: string;
  products: string;
  assignee: Person | null;
  createdAt: string;
  sla: Sla;
}

export interface ReportDetails {
  affected: { vendor: string; product: string; versions: string; identifier: string | null }[];
  reproduction: string;
  impact: string;
  cvss: { vector: string; score: number; severity: string } | null;
  cwe: { id: string; name: string } | null;
  alreadyPublic: boolean;
  exploited: boolean;
  publicReferences: string[];
  othersInformed: string;
  disclosurePlan: string;
  disclosureDate: string | null;
  credit: { mode: string; value: string | null; type: string } | null;
}

export interface ReportEvent {
  kind: string;
  fromState: string | null;
  toState: string | null;
  actorLabel: string;
  createdAt: string;
  data: Record<string, unknown>;
}

export interface StaffReportView extends FinderReportView {
  description: string;
  descriptionHtml: string;
  details: ReportDetails;
  language: string;
  channel: string;
  submittedEncrypted: boolean;
  finder: {
    id: string;
    email: string | null;
    name: string | null;
    handle: string | null;
    pgpFingerprint: string | null;
  } | null;
  assignee: Person | null;
  sla: Sla;
  events: ReportEvent[];
  similar: { trackingId: string; title: string; state: RmState; score: number }[];
  allowedEvents: RmEvent[];
  abilities: Record<string, boolean>;
}

export interface CvssAnswer {
  ok: boolean;
  version: string;
  vector: string;
  score: number;
  severity: string;
}

const enc = encodeURIComponent;
const base = (trackingId: string) => `/api/v1/reports/${enc(trackingId)}`;

/** Finder calls carry the follow-up secret as a bearer; staff calls use the session. */
export const reportsApi = {
  instanceKey: () => request<InstanceKey>('GET', '/api/v1/instance-key'),
  /** Admins: a new instance key; the old one is kept to decrypt older mail. */
  rotateInstanceKey: () => request<InstanceKey>('POST', '/api/v1/instance-key/rotate'),
  settings: () => request<ReportSettings>('GET', '/api/v1/report-settings'),
  /** The header tells the server the report came through the web form (its channel), not the API. */
  submit: (body: ReportInput | { encrypted: string }) =>
    request<SubmitAnswer>('POST', '/api/v1/reports', body, { headers: { 'x-accord-form': 'web' } }),
  cvss: (vector: string) => request<CvssAnswer>('GET', withQuery('/api/v1/cvss', { vector })),
  cwe: (q: string) => request<{ items: { id: string; name: string }[] }>('GET', withQuery('/api/v1/cwe', { q })),

  followUp: (trackingId: string, secret: string) =>
    request<FinderReportView>('GET', base(trackingId), undefined, { bearer: secret }),
  finderMessage: (
    trackingId: string,
    secret: string,
    body: { body: string; attachments?: AttachmentInput[] } | { encrypted: string },
  ) => request<unknown>('POST', `${base(trackingId)}/messages`, body, { bearer: secret }),
  setCredit: (trackingId: string, secret: string, body: { credit: CreditChoice; publicAcknowledgement: boolean }) =>
    request<{ credit: CreditChoice; publicAcknowledgement: boolean }>('PUT', `${base(trackingId)}/credit`, body, {
      bearer: secret,
    }),
  attachment: (trackingId: string, id: string, secret?: string) =>
    requestBlob(`${base(trackingId)}/attachments/${enc(id)}`, { bearer: secret }),

  list: (query: Query) => request<Page<ReportSummary>>('GET', withQuery('/api/v1/reports', query)),
  get: (trackingId: string) => request<StaffReportView>('GET', base(trackingId)),
  transition: (trackingId: string, body: { event: RmEvent; reason?: string; duplicateOf?: string }) =>
    request<unknown>('POST', `${base(trackingId)}/transitions`, body),
  markDuplicate: (trackingId: string, of: string) => request<unknown>('POST', `${base(trackingId)}/duplicate`, { of }),
  assign: (trackingId: string, userId: string | null) =>
    request<unknown>('PUT', `${base(trackingId)}/assignee`, { userId }),
  staffMessage: (
    trackingId: string,
    body: {
      body: string;
      visibility: 'shared' | 'internal';
      kind?: 'message' | 'question';
      attachments?: AttachmentInput[];
    },
  ) => request<unknown>('POST', `${base(trackingId)}/messages`, body),

  finders: (query: Query) => request<Page<Finder>>('GET', withQuery('/api/v1/finders', query)),
  finder: (id: string) => request<FinderProfile>('GET', `/api/v1/finders/${enc(id)}`),
};

/** Saves a downloaded attachment under its name (an object URL: the bearer never lands in a URL). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

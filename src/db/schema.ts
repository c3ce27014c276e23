import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Typed view of the tables. Keep in step with src/db/migrations (one change per file). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T = unknown> = ColumnType<T, string, string>;

import type { OrgKind } from '../orgs/rules.ts';

export type { OrgKind };

export interface OrganizationsTable {
  id: string;
  name: string;
  kind: OrgKind;
  website: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  locale: string;
  time_zone: string;
  pgp_public_key: string | null;
  pgp_fingerprint: string | null;
  password_hash: string | null;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_enabled_at: Timestamp | null;
  totp_last_step: number | null;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  disabled_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface MembershipsTable {
  user_id: string;
  org_id: string;
  role: string;
  created_at: CreatedAt;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: CreatedAt;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface PasswordResetsTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface InvitationsTable {
  id: string;
  org_id: string;
  email: string;
  role: string;
  token_hash: string;
  invited_by: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  accepted_by: string | null;
  revoked_at: Timestamp | null;
}

export interface AuditEventsTable {
  seq: Generated<number>;
  id: string;
  occurred_at: Timestamp;
  actor_id: string | null;
  actor_label: string;
  action: string;
  subject_type: string;
  subject_id: string | null;
  summary: Json<Record<string, unknown>>;
  request_id: string | null;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

export interface OutboxTable {
  id: string;
  to_address: string;
  subject: string;
  body_text: string;
  status: 'stored' | 'queued' | 'sent' | 'failed';
  attempts: Generated<number>;
  last_error: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
  /** Set by notification jobs (one mail per job and recipient), so a job run twice sends once. */
  unique_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface JobsTable {
  id: string;
  kind: string;
  payload: Json<Record<string, unknown>>;
  unique_key: string | null;
  status: 'pending' | 'running' | 'done' | 'failed';
  run_at: Timestamp;
  attempts: Generated<number>;
  max_attempts: number;
  locked_by: string | null;
  locked_at: Timestamp | null;
  last_error: string | null;
  created_at: CreatedAt;
  finished_at: Timestamp | null;
  /** Claim order `priority desc, run_at` (src/jobs/priority.ts). */
  priority: Generated<number>;
}

export interface RateLimitsTable {
  key: string;
  hits: number;
  reset_at: Timestamp;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export interface CountersTable {
  name: string;
  value: number;
}

export interface InstanceKeysTable {
  id: string;
  fingerprint: string;
  algorithm: string;
  public_key: string;
  private_key: string;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

export interface FindersTable {
  id: string;
  user_id: string | null;
  email: string | null;
  pgp_fingerprint: string | null;
  pgp_public_key: string | null;
  name: string | null;
  handle: string | null;
  public_acknowledgement: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReportsTable {
  id: string;
  tracking_id: string;
  title: string;
  description: string;
  products: string;
  details: Json<Record<string, unknown>>;
  language: string;
  channel: 'web' | 'api' | 'email';
  rm_state: string;
  close_reason: string | null;
  duplicate_of: string | null;
  finder_id: string | null;
  submitted_by: string | null;
  assignee_id: string | null;
  cvss_vector: string | null;
  cvss_score: number | null;
  severity: string | null;
  cwe: string | null;
  followup_hash: string;
  submitted_encrypted: boolean;
  ack_due_at: Timestamp | null;
  ack_risk_at: Timestamp | null;
  acknowledged_at: Timestamp | null;
  triage_due_at: Timestamp | null;
  triage_risk_at: Timestamp | null;
  triaged_at: Timestamp | null;
  awaiting_finder_since: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReportMessagesTable {
  id: string;
  seq: Generated<number>;
  report_id: string;
  kind: 'message' | 'question' | 'answer' | 'note';
  visibility: 'shared' | 'internal';
  from_finder: boolean;
  author_user_id: string | null;
  author_label: string;
  body: string;
  via: 'web' | 'api' | 'email' | 'system';
  created_at: Timestamp;
}

export interface ReportEventsTable {
  id: string;
  seq: Generated<number>;
  report_id: string;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  actor_user_id: string | null;
  actor_label: string;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface AttachmentsTable {
  id: string;
  report_id: string;
  message_id: string | null;
  visibility: 'shared' | 'internal';
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  content: Buffer;
  created_at: Timestamp;
}

export interface IntakeMailTable {
  id: string;
  raw: Buffer;
  mail_from: string | null;
  rcpt_to: string;
  remote_address: string | null;
  status: 'pending' | 'done' | 'failed';
  error: string | null;
  report_id: string | null;
  received_at: Timestamp;
  processed_at: Timestamp | null;
}

export interface CasesTable {
  id: string;
  case_id: string;
  title: string;
  summary: string;
  lead_id: string | null;
  pxa_state: string;
  terms_text: string;
  terms_version: number;
  requested_by_org: string | null;
  status: 'open' | 'closed';
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The summary safe to share with the finder (migration 20261128T020000). */
  public_summary: Generated<string>;
}

export interface CaseReportsTable {
  case_id: string;
  report_id: string;
}

export interface VulnerabilitiesTable {
  id: string;
  case_id: string;
  title: string;
  description: string;
  cwe: string | null;
  cvss_v3: string | null;
  cvss_v3_score: number | null;
  cvss_v4: string | null;
  cvss_v4_score: number | null;
  cve_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CaseParticipantsTable {
  id: string;
  case_id: string;
  org_id: string | null;
  finder_id: string | null;
  role: string;
  rm_state: string;
  vfd_state: string | null;
  allowed_user_ids: Json<string[]>;
  terms_version: number | null;
  terms_accepted_at: Timestamp | null;
  terms_accepted_by: string | null;
  terms_accepted_ip: string | null;
  notified_at: Timestamp | null;
  first_seen_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** A removed participant keeps its rows (history) but has no access. */
  removed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  removed_by: ColumnType<string | null, string | null | undefined, string | null>;
}

/** An org invitation sent for a case participation (the vendor was not yet on the platform). */
export interface CaseInvitationsTable {
  invitation_id: string;
  case_id: string;
  participant_id: string;
  contact_id: string | null;
  created_at: Timestamp;
}

export interface CaseEventsTable {
  id: string;
  seq: Generated<number>;
  case_id: string;
  participant_id: string | null;
  kind: string;
  actor_user_id: string | null;
  actor_label: string;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface VendorStatusesTable {
  id: string;
  case_id: string;
  participant_id: string;
  vulnerability_id: string;
  product: string;
  status: string;
  justification: string | null;
  statement: string;
  fixed_versions: string;
  /** The affected versions as a canonical vers range (src/versions/), or null. */
  affected_range: Generated<string | null>;
  refs: Json<string[]>;
  vendor_tracking_id: string | null;
  may_share: boolean;
  approved_at: Timestamp | null;
  approved_by: string | null;
  updated_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface VendorStatusHistoryTable {
  id: string;
  seq: Generated<number>;
  status_id: string;
  status: string;
  justification: string | null;
  statement: string;
  fixed_versions: string;
  affected_range: Generated<string | null>;
  changed_by: string | null;
  changed_at: Timestamp;
}

export interface CaseThreadsTable {
  id: string;
  case_id: string;
  kind: 'official' | 'discussion' | 'private';
  title: string;
  created_by: string | null;
  created_at: Timestamp;
}

/** A user's explicit follow (or unfollow) of a thread; without a row the thread's default applies. */
export interface ThreadFollowsTable {
  thread_id: string;
  user_id: string;
  following: boolean;
  updated_at: Timestamp;
}

export interface CaseThreadMembersTable {
  thread_id: string;
  participant_id: string;
}

export interface CasePostsTable {
  id: string;
  seq: Generated<number>;
  thread_id: string;
  case_id: string;
  reply_to: string | null;
  author_user_id: string | null;
  author_org_id: string | null;
  author_label: string;
  body: string;
  tlp: string;
  recipient_org_id: string | null;
  recipient_user_ids: Json<string[]>;
  mentions: Json<string[]>;
  edited_at: Timestamp | null;
  created_at: Timestamp;
  /** Shared with the finder by the coordinators (official and discussion threads only). */
  for_reporters: Generated<boolean>;
}

export interface CasePostRevisionsTable {
  id: string;
  seq: Generated<number>;
  post_id: string;
  body: string;
  edited_by: string | null;
  edited_at: Timestamp;
}

export interface OrgProfilesTable {
  org_id: string;
  verified: boolean;
  verified_by: string | null;
  languages: Json<string[]>;
  time_zone: string | null;
  country: string | null;
  updated_at: Timestamp;
}

export interface OrgContactsTable {
  id: string;
  org_id: string;
  email: string;
  role: string;
  name: string | null;
  phone: string | null;
  pgp_public_key: string | null;
  pgp_fingerprint: string | null;
  pgp_expires_at: Timestamp | null;
  status: 'approved' | 'pending';
  proposed_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A vendor's proposed change to an approved contact, waiting for staff approval. */
export interface OrgContactChangesTable {
  contact_id: string;
  org_id: string;
  email: string;
  role: string;
  name: string | null;
  phone: string | null;
  pgp_public_key: string | null;
  pgp_fingerprint: string | null;
  pgp_expires_at: Timestamp | null;
  proposed_by: string | null;
  created_at: Timestamp;
}

export interface OrgProductsTable {
  id: string;
  org_id: string;
  name: string;
  identifier: string | null;
  versions: string;
  created_at: Timestamp;
}

export interface OrgRelationsTable {
  upstream_org_id: string;
  downstream_org_id: string;
  note: string;
  created_at: Timestamp;
}

export interface CommunitiesTable {
  id: string;
  name: string;
  terms_text: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CommunityMembersTable {
  community_id: string;
  org_id: string;
}

/** Per user: how each notification kind is delivered and whether mail may carry encrypted content. */
export interface NotificationPreferencesTable {
  user_id: string;
  content_mode: string;
  kinds: Json<Record<string, string>>;
  updated_at: Timestamp;
}

/** A case's notification policy, set by its lead or a coordinator. */
export interface CaseNotificationPoliciesTable {
  case_id: string;
  notice_only: boolean;
  updated_by: string | null;
  updated_at: Timestamp;
}

/** When a user last visited a case ("changes since your last visit"). */
export interface CaseVisitsTable {
  user_id: string;
  case_id: string;
  last_seen_at: Timestamp;
}

/** Per-post read markers. */
export interface PostReadsTable {
  user_id: string;
  post_id: string;
  case_id: string;
  read_at: Timestamp;
}

/** A notification waiting for its user's daily digest: a reference, never the content. */
export interface DigestItemsTable {
  id: string;
  user_id: string;
  case_id: string;
  kind: string;
  subject_type: 'post' | 'status' | 'case_state';
  subject_id: string;
  created_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface WebhooksTable {
  id: string;
  org_id: string;
  url: string;
  /** Kept for the HMAC; never returned after creation. */
  secret: string;
  /** The first characters, so admins can tell secrets apart. */
  secret_hint: string;
  /** Secret rotation: the replaced secret, valid (deliveries signed with both) until it expires. */
  previous_secret: string | null;
  previous_secret_hint: string | null;
  previous_secret_expires_at: Timestamp | null;
  secret_rotated_at: Timestamp | null;
  event_kinds: Json<string[]>;
  active: boolean;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event_id: string;
  event_kind: string;
  case_id: string | null;
  payload: Json<Record<string, unknown>>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: Generated<number>;
  response_status: number | null;
  last_error: string | null;
  created_at: Timestamp;
  last_attempt_at: Timestamp | null;
  delivered_at: Timestamp | null;
}

/** Embargoes (migration 20261128T040000): one per case, its proposals, consents and parachute cords. */
export interface EmbargoesTable {
  case_id: string;
  em_state: 'N' | 'P' | 'A' | 'R' | 'X';
  active_proposal_id: string | null;
  pending_proposal_id: string | null;
  ends_at: Timestamp | null;
  time_zone: string | null;
  grace_until: Timestamp | null;
  exit_reason: 'cord' | 'terminated' | 'ended' | null;
  exited_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EmbargoProposalsTable {
  id: string;
  case_id: string;
  seq: number;
  revision: boolean;
  local_end: string;
  time_zone: string;
  ends_at: Timestamp;
  rationale: string;
  proposed_by: string | null;
  proposed_by_label: string;
  acknowledged_warnings: Json<string[]>;
  status: 'pending' | 'accepted' | 'rejected' | 'superseded' | 'withdrawn';
  decided_at: Timestamp | null;
  created_at: Timestamp;
}

export interface EmbargoConsentsTable {
  proposal_id: string;
  participant_id: string;
  state: 'invited' | 'signatory' | 'declined' | 'lapsed';
  exceeds_max: boolean;
  max_days: number | null;
  accepted_longer: boolean;
  decided_by: string | null;
  decided_by_label: string | null;
  decided_at: Timestamp | null;
  note: string;
}

export interface EmbargoCordsTable {
  id: string;
  case_id: string;
  trigger: 'exploit_public' | 'attacks_observed' | 'details_public' | 'early_fix';
  description: string;
  defined_by: string | null;
  created_at: Timestamp;
  pulled_at: Timestamp | null;
  pulled_by: string | null;
  pulled_by_label: string | null;
  pulled_participant_id: string | null;
  evidence_url: string | null;
  evidence_note: string | null;
}

export interface OrgEmbargoPoliciesTable {
  org_id: string;
  max_days: number;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface ReleasePlansTable {
  case_id: string;
  publish_at: Timestamp | null;
  embargo_state: Generated<'none' | 'active' | 'exited'>;
  embargo_ends_at: Timestamp | null;
  embargo_exit_reason: string | null;
  checklist: Json<ChecklistItemJson[]>;
  checklist_opened_at: Timestamp | null;
  notes: Generated<string>;
  early_requested_by: string | null;
  early_requested_at: Timestamp | null;
  early_reason: string | null;
  published_at: Timestamp | null;
  published_by: string | null;
  published_via: 'schedule' | 'two_person' | null;
  notified_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One release-day checklist item (a default one has a `key` the UI translates). */
export interface ChecklistItemJson {
  id: string;
  key: string | null;
  label: string;
  done: boolean;
  doneBy: string | null;
  doneAt: string | null;
}

export interface ReleaseReadinessTable {
  participant_id: string;
  case_id: string;
  advisory_ready: boolean;
  fix_available: boolean;
  customers_notified: boolean;
  note: string;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface AdvisorySubscriptionsTable {
  id: string;
  email: string;
  scope: 'all' | 'vendor' | 'product';
  vendor_org_id: string | null;
  product: string | null;
  confirm_hash: string;
  confirm_expires_at: Timestamp;
  confirmed_at: Timestamp | null;
  unsubscribe_hash: string;
  unsubscribed_at: Timestamp | null;
  created_at: Timestamp;
}

export interface AdvisoryMailsTable {
  case_id: string;
  subscription_id: string;
  outbox_id: string;
  /** Each mail carries its own unsubscribe link (only its SHA-256 is kept). */
  unsubscribe_hash: string;
  created_at: Timestamp;
}

/** Advisories (migration 20261128T060000): the editable document, its revisions, the published files. */
export interface AdvisoriesTable {
  id: string;
  tracking_id: string;
  case_id: string | null;
  title: string;
  state: 'draft' | 'review' | 'approved' | 'published';
  tlp: string;
  content: Json<Record<string, unknown>>;
  pending_summary: string;
  published_revision: number;
  lock_version: number;
  author_id: string | null;
  submitted_by: string | null;
  approved_by: string | null;
  approved_at: Timestamp | null;
  initial_release_at: Timestamp | null;
  current_release_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AdvisoryRevisionsTable {
  id: string;
  advisory_id: string;
  number: number;
  summary: string;
  title: string;
  tlp: string;
  content: Json<Record<string, unknown>>;
  created_by: string | null;
  created_at: Timestamp;
}

export interface AdvisoryFilesTable {
  id: string;
  advisory_id: string;
  revision: number;
  tlp: string;
  year: number;
  filename: string;
  document: string;
  sha256: string;
  sha512: string;
  signature: string;
  key_fingerprint: string;
  released_at: Timestamp;
  created_at: Timestamp;
}

/** Case execution template and PSIRT Services Framework self-assessment (migration 20261128T080000). */
export interface CaseworkTemplatesTable {
  id: string;
  org_id: string;
  steps: Json<{ key: string; title: string }[]>;
  questions: Json<{ key: string; text: string }[]>;
  postmortem_days: number;
  updated_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CaseworkTable {
  case_id: string;
  steps: Json<{ key: string; title: string }[]>;
  questions: Json<{ key: string; text: string }[]>;
  postmortem_days: number;
  signoffs: Json<Record<string, { name: string; date: string; userId: string | null; at: string; note: string }>>;
  overview: Json<Record<string, string>>;
  postmortem: Json<{ answers: Record<string, string>; participants: string; heldOn: string | null }>;
  postmortem_completed_at: Timestamp | null;
  postmortem_notified_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CaseworkEntriesTable {
  id: string;
  case_id: string;
  kind: 'stakeholder' | 'meeting' | 'reproduction' | 'remediation';
  data: Json<Record<string, unknown>>;
  created_by: string | null;
  updated_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface AssessmentsTable {
  id: string;
  org_id: string;
  title: string;
  assessed_on: string;
  notes: string;
  framework_version: string;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AssessmentItemsTable {
  assessment_id: string;
  item_id: string;
  level: number;
  evidence: string;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface AssessmentGapsTable {
  id: string;
  assessment_id: string;
  item_id: string;
  action: string;
  owner: string;
  due_on: string | null;
  done: boolean;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** SLA target per ISO/IEC 30111 stage and severity (migration 20261128T070000). */
export interface SlaPoliciesTable {
  stage: string;
  severity: string;
  target_business_days: number;
  at_risk_fraction: number;
  pause_awaiting_finder: boolean;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface SlaCalendarTable {
  id: string;
  time_zone: string;
  workdays: Json<number[]>;
  holidays: Json<string[]>;
  hours: Json<{ start: string; end: string } | null>;
  updated_by: string | null;
  updated_at: Timestamp;
}

/** A clock's state derived from events at the last recomputation. */
export interface SlaClocksTable {
  subject_type: 'report' | 'case';
  subject_id: string;
  stage: string;
  label: string;
  severity: string;
  owner_id: string | null;
  lead_id: string | null;
  started_at: Timestamp;
  stopped_at: Timestamp | null;
  paused_since: Timestamp | null;
  due_at: Timestamp;
  risk_at: Timestamp | null;
  computed_at: Timestamp;
}

export interface SlaAlertsTable {
  id: string;
  subject_type: 'report' | 'case';
  subject_id: string;
  stage: string;
  threshold: 'at_risk' | 'breached';
  due_at: Timestamp;
  created_at: Timestamp;
}

export interface MetricReportsTable {
  report_id: string;
  tracking_id: string;
  received_at: Timestamp;
  acknowledged_at: Timestamp | null;
  triaged_at: Timestamp | null;
  ack_business_days: number | null;
  triage_business_days: number | null;
  valid: boolean | null;
  rm_state: string;
  severity: string;
  cwe: string | null;
  product: string;
  finder_id: string | null;
  owner_id: string | null;
  case_id: string | null;
  ack_sla: string;
  triage_sla: string;
}

export interface MetricCasesTable {
  case_id: string;
  label: string;
  opened_at: Timestamp;
  first_report_at: Timestamp;
  vendor_aware_at: Timestamp | null;
  fix_ready_at: Timestamp | null;
  all_fixed_at: Timestamp | null;
  deployed_at: Timestamp | null;
  public_at: Timestamp | null;
  exploit_public_at: Timestamp | null;
  attacks_at: Timestamp | null;
  advisory_at: Timestamp | null;
  owner_id: string | null;
  severity: string;
  cwe: string | null;
  products: Json<string[]>;
  remediation_sla: string;
  release_sla: string;
  desiderata: Json<Record<string, string>>;
  desiderata_met: number;
  desiderata_violated: number;
  fix_before_public: boolean | null;
}

export interface MetricVendorsTable {
  participant_id: string;
  case_id: string;
  org_id: string | null;
  notified_at: Timestamp;
  first_answer_at: Timestamp | null;
}

export interface MetricRunsTable {
  id: string;
  started_at: Timestamp;
  finished_at: Timestamp;
  duration_ms: number;
  reports: number;
  cases: number;
  vendors: number;
  clocks: number;
}

export interface Database {
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  recovery_codes: RecoveryCodesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  password_resets: PasswordResetsTable;
  invitations: InvitationsTable;
  audit_events: AuditEventsTable;
  outbox: OutboxTable;
  jobs: JobsTable;
  rate_limits: RateLimitsTable;
  settings: SettingsTable;
  counters: CountersTable;
  instance_keys: InstanceKeysTable;
  finders: FindersTable;
  reports: ReportsTable;
  report_messages: ReportMessagesTable;
  report_events: ReportEventsTable;
  attachments: AttachmentsTable;
  intake_mail: IntakeMailTable;
  cases: CasesTable;
  case_reports: CaseReportsTable;
  vulnerabilities: VulnerabilitiesTable;
  case_participants: CaseParticipantsTable;
  case_invitations: CaseInvitationsTable;
  case_events: CaseEventsTable;
  vendor_statuses: VendorStatusesTable;
  vendor_status_history: VendorStatusHistoryTable;
  case_threads: CaseThreadsTable;
  case_thread_members: CaseThreadMembersTable;
  thread_follows: ThreadFollowsTable;
  case_posts: CasePostsTable;
  case_post_revisions: CasePostRevisionsTable;
  org_profiles: OrgProfilesTable;
  org_contacts: OrgContactsTable;
  org_contact_changes: OrgContactChangesTable;
  org_products: OrgProductsTable;
  org_relations: OrgRelationsTable;
  communities: CommunitiesTable;
  community_members: CommunityMembersTable;
  notification_preferences: NotificationPreferencesTable;
  case_notification_policies: CaseNotificationPoliciesTable;
  case_visits: CaseVisitsTable;
  post_reads: PostReadsTable;
  digest_items: DigestItemsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  embargoes: EmbargoesTable;
  embargo_proposals: EmbargoProposalsTable;
  embargo_consents: EmbargoConsentsTable;
  embargo_cords: EmbargoCordsTable;
  org_embargo_policies: OrgEmbargoPoliciesTable;
  advisories: AdvisoriesTable;
  advisory_revisions: AdvisoryRevisionsTable;
  advisory_files: AdvisoryFilesTable;
  release_plans: ReleasePlansTable;
  release_readiness: ReleaseReadinessTable;
  advisory_subscriptions: AdvisorySubscriptionsTable;
  advisory_mails: AdvisoryMailsTable;
  casework_templates: CaseworkTemplatesTable;
  casework: CaseworkTable;
  casework_entries: CaseworkEntriesTable;
  assessments: AssessmentsTable;
  assessment_items: AssessmentItemsTable;
  assessment_gaps: AssessmentGapsTable;
  sla_policies: SlaPoliciesTable;
  sla_calendar: SlaCalendarTable;
  sla_clocks: SlaClocksTable;
  sla_alerts: SlaAlertsTable;
  metric_reports: MetricReportsTable;
  metric_cases: MetricCasesTable;
  metric_vendors: MetricVendorsTable;
  metric_runs: MetricRunsTable;
  cve_reservations: CveReservationsTable;
}

/** A CVE id reserved or published through CVE Services (migration 20261128T100000_cve_services). */
export interface CveReservationsTable {
  id: string;
  cve_id: string;
  state: 'RESERVED' | 'PUBLISHED' | 'REJECTED';
  vulnerability_id: string | null;
  advisory_id: string | null;
  requested_by: string | null;
  reserved_at: Timestamp | null;
  published_at: Timestamp | null;
  rejected_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type CveReservationRow = Selectable<CveReservationsTable>;

export type OrgContactRow = Selectable<OrgContactsTable>;

export type CaseRow = Selectable<CasesTable>;
export type ParticipantRow = Selectable<CaseParticipantsTable>;
export type VulnerabilityRow = Selectable<VulnerabilitiesTable>;
export type VendorStatusRow = Selectable<VendorStatusesTable>;

export type ReportRow = Selectable<ReportsTable>;
export type FinderRow = Selectable<FindersTable>;
export type ReportMessageRow = Selectable<ReportMessagesTable>;
export type ReportEventRow = Selectable<ReportEventsTable>;
export type InstanceKeyRow = Selectable<InstanceKeysTable>;

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type EmbargoRow = Selectable<EmbargoesTable>;
export type EmbargoProposalRow = Selectable<EmbargoProposalsTable>;
export type EmbargoCordRow = Selectable<EmbargoCordsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AdvisoryRow = Selectable<AdvisoriesTable>;
export type AdvisoryRevisionRow = Selectable<AdvisoryRevisionsTable>;
export type AdvisoryFileRow = Selectable<AdvisoryFilesTable>;

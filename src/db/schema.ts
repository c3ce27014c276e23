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
  case_posts: CasePostsTable;
  case_post_revisions: CasePostRevisionsTable;
  org_profiles: OrgProfilesTable;
  org_contacts: OrgContactsTable;
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
}

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
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;

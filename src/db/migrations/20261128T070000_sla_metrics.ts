import { sql, type Kysely } from 'kysely';

/**
 * PSIRT operations (issue 7): SLA policies and metrics.
 * - `sla_policies`: target business days per ISO/IEC 30111 stage and severity ('any' is the fallback),
 *   the share of the budget from which a clock is at risk, and whether waiting for the finder pauses it.
 * - `sla_calendar`: the business calendar the clocks run on (one row, id 'home').
 * - `sla_clocks`: every clock's state as derived from recorded events at the last recomputation
 *   (start, stop, due and at-risk instants), so at-risk and breached lists are SQL over instants.
 * - `sla_alerts`: one row per clock and threshold crossed; its unique key makes an alert go out once.
 * - `metric_reports`, `metric_cases`, `metric_vendors`: per-item facts derived from events by the full
 *   recomputation (the dashboard aggregates these); `metric_runs`: when each recomputation ran.
 * Nothing here is typed in by hand except policies and the calendar: the rest is rebuilt from events.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sla_policies (
      stage text not null,
      severity text not null,
      target_business_days integer not null check (target_business_days >= 0),
      at_risk_fraction double precision not null check (at_risk_fraction > 0 and at_risk_fraction <= 1),
      pause_awaiting_finder boolean not null,
      updated_by uuid references users(id) on delete set null,
      updated_at timestamptz(3) not null,
      primary key (stage, severity)
    )`.execute(db);
  await sql`
    create table sla_calendar (
      id text primary key,
      time_zone text not null,
      workdays jsonb not null,
      holidays jsonb not null,
      hours jsonb,
      updated_by uuid references users(id) on delete set null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`
    create table sla_clocks (
      subject_type text not null check (subject_type in ('report', 'case')),
      subject_id uuid not null,
      stage text not null,
      label text not null,
      severity text not null,
      owner_id uuid,
      lead_id uuid,
      started_at timestamptz(3) not null,
      stopped_at timestamptz(3),
      paused_since timestamptz(3),
      due_at timestamptz(3) not null,
      risk_at timestamptz(3),
      computed_at timestamptz(3) not null,
      primary key (subject_type, subject_id, stage)
    )`.execute(db);
  await sql`create index sla_clocks_open on sla_clocks (due_at) where stopped_at is null`.execute(db);
  await sql`
    create table sla_alerts (
      id uuid primary key,
      subject_type text not null,
      subject_id uuid not null,
      stage text not null,
      threshold text not null check (threshold in ('at_risk', 'breached')),
      due_at timestamptz(3) not null,
      created_at timestamptz(3) not null,
      unique (subject_type, subject_id, stage, threshold)
    )`.execute(db);
  await sql`
    create table metric_reports (
      report_id uuid primary key,
      tracking_id text not null,
      received_at timestamptz(3) not null,
      acknowledged_at timestamptz(3),
      triaged_at timestamptz(3),
      ack_business_days double precision,
      triage_business_days double precision,
      valid boolean,
      rm_state text not null,
      severity text not null,
      cwe text,
      product text not null,
      finder_id uuid,
      owner_id uuid,
      case_id uuid,
      ack_sla text not null,
      triage_sla text not null
    )`.execute(db);
  await sql`create index metric_reports_received on metric_reports (received_at)`.execute(db);
  await sql`
    create table metric_cases (
      case_id uuid primary key,
      label text not null,
      opened_at timestamptz(3) not null,
      first_report_at timestamptz(3) not null,
      vendor_aware_at timestamptz(3),
      fix_ready_at timestamptz(3),
      all_fixed_at timestamptz(3),
      deployed_at timestamptz(3),
      public_at timestamptz(3),
      exploit_public_at timestamptz(3),
      attacks_at timestamptz(3),
      advisory_at timestamptz(3),
      owner_id uuid,
      severity text not null,
      cwe text,
      products jsonb not null,
      remediation_sla text not null,
      release_sla text not null,
      desiderata jsonb not null,
      desiderata_met integer not null,
      desiderata_violated integer not null,
      fix_before_public boolean
    )`.execute(db);
  await sql`create index metric_cases_opened on metric_cases (first_report_at)`.execute(db);
  await sql`
    create table metric_vendors (
      participant_id uuid primary key,
      case_id uuid not null,
      org_id uuid,
      notified_at timestamptz(3) not null,
      first_answer_at timestamptz(3)
    )`.execute(db);
  await sql`create index metric_vendors_case on metric_vendors (case_id)`.execute(db);
  await sql`
    create table metric_runs (
      id uuid primary key,
      started_at timestamptz(3) not null,
      finished_at timestamptz(3) not null,
      duration_ms integer not null,
      reports integer not null,
      cases integer not null,
      vendors integer not null,
      clocks integer not null
    )`.execute(db);
  await sql`create index metric_runs_recent on metric_runs (finished_at desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'metric_runs',
    'metric_vendors',
    'metric_cases',
    'metric_reports',
    'sla_alerts',
    'sla_clocks',
    'sla_calendar',
    'sla_policies',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}

import { sql, type Kysely } from 'kysely';

/**
 * The coordinated release (issue 5):
 * - `release_plans`: one per case — planned publication time, what the embargo last told us, the
 *   release-day checklist, the two-person request for an early publication, and the publication
 *   itself (`published_at` is set exactly once, by `update … where published_at is null`).
 * - `release_readiness`: each participant's own readiness (advisory ready, fix available,
 *   customers notified).
 * - `advisory_subscriptions`: public subscribers (all, per vendor, per product) with double
 *   opt-in; confirmation and unsubscribe tokens are stored as SHA-256 only.
 * - `advisory_mails`: which subscription got the mail of which publication (one row per pair, so a
 *   retried job never mails twice).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table release_plans (
      case_id uuid primary key references cases(id) on delete cascade,
      publish_at timestamptz(3),
      embargo_state text not null default 'none' check (embargo_state in ('none', 'active', 'exited')),
      embargo_ends_at timestamptz(3),
      embargo_exit_reason text,
      checklist jsonb not null default '[]'::jsonb,
      checklist_opened_at timestamptz(3),
      notes text not null default '',
      early_requested_by uuid references users(id) on delete set null,
      early_requested_at timestamptz(3),
      early_reason text,
      published_at timestamptz(3),
      published_by text,
      published_via text check (published_via in ('schedule', 'two_person')),
      notified_at timestamptz(3),
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`create index release_plans_published on release_plans (published_at desc) where published_at is not null`.execute(
    db,
  );
  await sql`
    create table release_readiness (
      participant_id uuid primary key references case_participants(id) on delete cascade,
      case_id uuid not null references cases(id) on delete cascade,
      advisory_ready boolean not null default false,
      fix_available boolean not null default false,
      customers_notified boolean not null default false,
      note text not null default '',
      updated_by uuid references users(id) on delete set null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`create index release_readiness_case on release_readiness (case_id)`.execute(db);
  await sql`
    create table advisory_subscriptions (
      id uuid primary key,
      email text not null,
      scope text not null check (scope in ('all', 'vendor', 'product')),
      vendor_org_id uuid references organizations(id) on delete cascade,
      product text,
      confirm_hash text not null unique,
      confirm_expires_at timestamptz(3) not null,
      confirmed_at timestamptz(3),
      unsubscribe_hash text not null unique,
      unsubscribed_at timestamptz(3),
      created_at timestamptz(3) not null,
      check ((scope = 'vendor') = (vendor_org_id is not null)),
      check ((scope = 'product') = (product is not null))
    )`.execute(db);
  await sql`create index advisory_subscriptions_active on advisory_subscriptions (scope)
    where confirmed_at is not null and unsubscribed_at is null`.execute(db);
  await sql`
    create table advisory_mails (
      case_id uuid not null references cases(id) on delete cascade,
      subscription_id uuid not null references advisory_subscriptions(id) on delete cascade,
      outbox_id uuid not null,
      unsubscribe_hash text not null unique,
      created_at timestamptz(3) not null,
      primary key (case_id, subscription_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists advisory_mails`.execute(db);
  await sql`drop table if exists advisory_subscriptions`.execute(db);
  await sql`drop table if exists release_readiness`.execute(db);
  await sql`drop table if exists release_plans`.execute(db);
}

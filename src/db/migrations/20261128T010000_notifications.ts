import { sql, type Kysely } from 'kysely';

/**
 * Notifications: each user's preferences (immediate, daily digest or off per kind; encrypted
 * content or a content-free notice), a case's policy (notice only), read state (when a user last
 * visited a case, which posts they read), the items waiting for a user's daily digest, and
 * organizations' signed webhooks with their delivery log. Webhook secrets are kept in clear:
 * the HMAC needs them; the API shows a secret once, at creation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table notification_preferences (
      user_id uuid primary key references users(id) on delete cascade,
      content_mode text not null,
      kinds jsonb not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`
    create table case_notification_policies (
      case_id uuid primary key references cases(id) on delete cascade,
      notice_only boolean not null,
      updated_by uuid references users(id) on delete set null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`
    create table case_visits (
      user_id uuid not null references users(id) on delete cascade,
      case_id uuid not null references cases(id) on delete cascade,
      last_seen_at timestamptz(3) not null,
      primary key (user_id, case_id)
    )`.execute(db);
  await sql`
    create table post_reads (
      user_id uuid not null references users(id) on delete cascade,
      post_id uuid not null references case_posts(id) on delete cascade,
      case_id uuid not null references cases(id) on delete cascade,
      read_at timestamptz(3) not null,
      primary key (user_id, post_id)
    )`.execute(db);
  await sql`create index post_reads_user_case on post_reads (user_id, case_id)`.execute(db);
  await sql`create index case_posts_case on case_posts (case_id, created_at)`.execute(db);
  await sql`
    create table digest_items (
      id uuid primary key,
      user_id uuid not null references users(id) on delete cascade,
      case_id uuid not null references cases(id) on delete cascade,
      kind text not null,
      subject_type text not null,
      subject_id uuid not null,
      created_at timestamptz(3) not null,
      sent_at timestamptz(3)
    )`.execute(db);
  await sql`create index digest_items_pending on digest_items (user_id, created_at) where sent_at is null`.execute(db);
  await sql`
    create table webhooks (
      id uuid primary key,
      org_id uuid not null references organizations(id) on delete cascade,
      url text not null,
      secret text not null,
      secret_hint text not null,
      event_kinds jsonb not null,
      active boolean not null,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`create index webhooks_org on webhooks (org_id, created_at)`.execute(db);
  await sql`
    create table webhook_deliveries (
      id uuid primary key,
      webhook_id uuid not null references webhooks(id) on delete cascade,
      event_id uuid not null,
      event_kind text not null,
      case_id uuid references cases(id) on delete cascade,
      payload jsonb not null,
      status text not null,
      attempts integer not null default 0,
      response_status integer,
      last_error text,
      created_at timestamptz(3) not null,
      last_attempt_at timestamptz(3),
      delivered_at timestamptz(3),
      unique (webhook_id, event_id)
    )`.execute(db);
  await sql`create index webhook_deliveries_recent on webhook_deliveries (webhook_id, created_at desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'webhook_deliveries',
    'webhooks',
    'digest_items',
    'post_reads',
    'case_visits',
    'case_notification_policies',
    'notification_preferences',
  ]) {
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
  }
  await sql`drop index if exists case_posts_case`.execute(db);
}

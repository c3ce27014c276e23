import { sql, type Kysely } from 'kysely';

/**
 * Webhook secret rotation: the secret a rotation replaced stays valid until
 * `previous_secret_expires_at` (the grace period), and deliveries are signed with both until then.
 * Delivery compares the time, so an expired previous secret is never used even before the
 * clean-up (the hourly prune, and the webhook's own commands) clears the columns.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table webhooks
      add column previous_secret text,
      add column previous_secret_hint text,
      add column previous_secret_expires_at timestamptz(3),
      add column secret_rotated_at timestamptz(3)`.execute(db);
  await sql`
    alter table webhooks add constraint webhooks_previous_secret_complete check (
      (previous_secret is null) = (previous_secret_expires_at is null)
      and (previous_secret is null) = (previous_secret_hint is null)
    )`.execute(db);
  await sql`
    create index webhooks_previous_secret_expiry on webhooks (previous_secret_expires_at)
      where previous_secret is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists webhooks_previous_secret_expiry`.execute(db);
  await sql`alter table webhooks drop constraint if exists webhooks_previous_secret_complete`.execute(db);
  await sql`
    alter table webhooks
      drop column if exists secret_rotated_at,
      drop column if exists previous_secret_expires_at,
      drop column if exists previous_secret_hint,
      drop column if exists previous_secret`.execute(db);
}

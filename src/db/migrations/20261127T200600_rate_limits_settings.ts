import { sql, type Kysely } from 'kysely';

/** Rate-limit counters (shared by all app processes) and instance settings. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table rate_limits (
      key text primary key,
      hits integer not null,
      reset_at timestamptz not null
    )`.execute(db);
  await sql`
    create table settings (
      key text primary key,
      value jsonb not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
}

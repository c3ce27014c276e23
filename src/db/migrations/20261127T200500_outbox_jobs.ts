import { sql, type Kysely } from 'kysely';

/** Mail outbox and the durable job queue shared by every app process. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table outbox (
      id uuid primary key,
      to_address text not null,
      subject text not null,
      body_text text not null,
      status text not null check (status in ('stored','queued','sent','failed')),
      attempts integer not null default 0,
      last_error text,
      created_at timestamptz(3) not null default now(),
      sent_at timestamptz
    )`.execute(db);
  await sql`create index outbox_created on outbox (created_at desc, id desc)`.execute(db);
  await sql`
    create table jobs (
      id uuid primary key,
      kind text not null,
      payload jsonb not null,
      unique_key text unique,
      status text not null check (status in ('pending','running','done','failed')),
      run_at timestamptz not null,
      attempts integer not null default 0,
      max_attempts integer not null,
      locked_by text,
      locked_at timestamptz,
      last_error text,
      created_at timestamptz(3) not null default now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`create index jobs_due on jobs (run_at) where status = 'pending'`.execute(db);
}

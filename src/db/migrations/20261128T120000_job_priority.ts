import { sql, type Kysely } from 'kysely';

/**
 * Job priority (src/jobs/priority.ts): the worker claims `priority desc, run_at`, so an official
 * post's or an embargo alert's mail never waits behind a backlog of routine notices. The partial
 * index serves that claim (pending jobs in claim order) and replaces the one on `run_at` alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table jobs add column priority integer not null default 0`.execute(db);
  await sql`create index jobs_claim on jobs (priority desc, run_at) where status = 'pending'`.execute(db);
  await sql`drop index if exists jobs_due`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists jobs_due on jobs (run_at) where status = 'pending'`.execute(db);
  await sql`drop index if exists jobs_claim`.execute(db);
  await sql`alter table jobs drop column if exists priority`.execute(db);
}

import { sql, type Kysely } from 'kysely';

/**
 * Who follows a thread ("message in a thread you follow"). A row is an explicit choice or a
 * default recorded when someone writes in the thread or is mentioned in it; `following = false`
 * is an unfollow that later posts do not undo. Without a row the thread's default applies
 * (src/cases/threads.ts). Outbox rows written by notification jobs carry a unique key, so a job
 * that runs again after a crash sends nothing twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table thread_follows (
      thread_id uuid not null references case_threads(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      following boolean not null,
      updated_at timestamptz(3) not null,
      primary key (thread_id, user_id)
    )`.execute(db);
  await sql`create index thread_follows_user on thread_follows (user_id)`.execute(db);
  await sql`alter table outbox add column unique_key text`.execute(db);
  await sql`create unique index outbox_unique_key on outbox (unique_key)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists outbox_unique_key`.execute(db);
  await sql`alter table outbox drop column if exists unique_key`.execute(db);
  await sql`drop table if exists thread_follows`.execute(db);
}

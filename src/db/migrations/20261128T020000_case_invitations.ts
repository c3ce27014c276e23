import { sql, type Kysely } from 'kysely';

/**
 * Case invitations and what goes with them:
 * - `case_invitations` links an org invitation (the token link, stored hashed, in `invitations`)
 *   to the case participation it was sent for: a vendor not yet on the platform is invited at its
 *   approved security contacts and lands on the case after signing up.
 * - `case_participants.removed_at/removed_by`: a removed participant keeps its rows (history)
 *   but loses access at once.
 * - `cases.public_summary`: the summary that is safe to share with the finder.
 * - `case_posts.for_reporters`: a post the coordinators chose to share with the finder.
 * - Full-text (GIN, 'simple' configuration like the reports) over cases, vulnerabilities and posts
 *   for search.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table case_invitations (
      invitation_id uuid primary key references invitations(id) on delete cascade,
      case_id uuid not null references cases(id) on delete cascade,
      participant_id uuid not null references case_participants(id) on delete cascade,
      contact_id uuid references org_contacts(id) on delete set null,
      created_at timestamptz(3) not null
    )`.execute(db);
  await sql`create index case_invitations_participant on case_invitations (participant_id, created_at)`.execute(db);
  await sql`alter table case_participants add column removed_at timestamptz(3)`.execute(db);
  await sql`alter table case_participants add column removed_by uuid references users(id) on delete set null`.execute(
    db,
  );
  await sql`alter table cases add column public_summary text not null default ''`.execute(db);
  await sql`alter table case_posts add column for_reporters boolean not null default false`.execute(db);
  await sql`create index cases_search on cases using gin (to_tsvector('simple', title || ' ' || summary))`.execute(db);
  await sql`create index vulnerabilities_search on vulnerabilities
    using gin (to_tsvector('simple', title || ' ' || description || ' ' || coalesce(cve_id, '')))`.execute(db);
  await sql`create index case_posts_search on case_posts using gin (to_tsvector('simple', body))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists case_posts_search`.execute(db);
  await sql`drop index if exists vulnerabilities_search`.execute(db);
  await sql`drop index if exists cases_search`.execute(db);
  await sql`alter table case_posts drop column if exists for_reporters`.execute(db);
  await sql`alter table cases drop column if exists public_summary`.execute(db);
  await sql`alter table case_participants drop column if exists removed_by`.execute(db);
  await sql`alter table case_participants drop column if exists removed_at`.execute(db);
  await sql`drop table if exists case_invitations`.execute(db);
}

import { sql, type Kysely } from 'kysely';

/**
 * Advisories: a versioned document (its editable content as JSON), case-linked or standalone,
 * moving draft → review → approved → published. Every publication freezes a numbered revision
 * (number, date, summary, the content as published). The CSAF trusted provider serves the exact
 * bytes rendered at publication (`advisory_files`), with their SHA-256/SHA-512 and a detached
 * OpenPGP signature made with the instance key, so hashes and signatures never drift.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table advisories (
      id uuid primary key,
      tracking_id text not null unique,
      case_id uuid references cases(id) on delete cascade,
      title text not null,
      state text not null,
      tlp text not null,
      content jsonb not null,
      pending_summary text not null,
      published_revision integer not null,
      lock_version integer not null,
      author_id uuid references users(id) on delete set null,
      submitted_by uuid references users(id) on delete set null,
      approved_by uuid references users(id) on delete set null,
      approved_at timestamptz(3),
      initial_release_at timestamptz(3),
      current_release_at timestamptz(3),
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`create index advisories_recent on advisories (created_at desc, id desc)`.execute(db);
  await sql`create index advisories_case on advisories (case_id) where case_id is not null`.execute(db);
  await sql`
    create table advisory_revisions (
      id uuid primary key,
      advisory_id uuid not null references advisories(id) on delete cascade,
      number integer not null,
      summary text not null,
      title text not null,
      tlp text not null,
      content jsonb not null,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz(3) not null,
      unique (advisory_id, number)
    )`.execute(db);
  await sql`
    create table advisory_files (
      id uuid primary key,
      advisory_id uuid not null references advisories(id) on delete cascade,
      revision integer not null,
      tlp text not null,
      year integer not null,
      filename text not null,
      document text not null,
      sha256 text not null,
      sha512 text not null,
      signature text not null,
      key_fingerprint text not null,
      released_at timestamptz(3) not null,
      created_at timestamptz(3) not null,
      unique (advisory_id, revision)
    )`.execute(db);
  await sql`create index advisory_files_tlp on advisory_files (tlp, released_at desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['advisory_files', 'advisory_revisions', 'advisories']) {
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
  }
}

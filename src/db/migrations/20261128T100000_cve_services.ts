import { sql, type Kysely } from 'kysely';

/**
 * CVE Services (issue 6): the CVE ids this instance reserved or published through CVE Services, with their state as
 * the service last reported it, the case vulnerability or advisory each one is for, and who asked. One row per CVE id:
 * recording a result twice (a retry after the service succeeded but recording failed) changes nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table cve_reservations (
      id uuid primary key,
      cve_id text not null unique,
      state text not null check (state in ('RESERVED', 'PUBLISHED', 'REJECTED')),
      vulnerability_id uuid references vulnerabilities(id) on delete set null,
      advisory_id uuid references advisories(id) on delete set null,
      requested_by uuid references users(id) on delete set null,
      reserved_at timestamptz(3),
      published_at timestamptz(3),
      rejected_at timestamptz(3),
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`create index cve_reservations_vulnerability on cve_reservations (vulnerability_id)`.execute(db);
  await sql`create index cve_reservations_created on cve_reservations (created_at, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists cve_reservations`.execute(db);
}

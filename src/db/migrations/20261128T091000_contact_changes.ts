import { sql, type Kysely } from 'kysely';

/**
 * A vendor's proposed change to one of its approved security contacts. The contact itself stays as
 * it is (and keeps receiving notifications) until staff approve the change; then the change is
 * copied onto the contact and this row goes. One pending change per contact: a newer proposal
 * replaces the older one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table org_contact_changes (
      contact_id uuid primary key references org_contacts(id) on delete cascade,
      org_id uuid not null references organizations(id) on delete cascade,
      email text not null,
      role text not null,
      name text,
      phone text,
      pgp_public_key text,
      pgp_fingerprint text,
      pgp_expires_at timestamptz(3),
      proposed_by uuid references users(id) on delete set null,
      created_at timestamptz(3) not null
    )`.execute(db);
  await sql`create index org_contact_changes_created on org_contact_changes (created_at, contact_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists org_contact_changes`.execute(db);
}

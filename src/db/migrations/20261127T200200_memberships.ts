import { sql, type Kysely } from 'kysely';

/** Memberships (user × org with a role) and e-mail invitations into an org. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table memberships (
      user_id uuid not null references users(id) on delete cascade,
      org_id uuid not null references organizations(id) on delete cascade,
      role text not null,
      created_at timestamptz(3) not null default now(),
      primary key (user_id, org_id)
    )`.execute(db);
  await sql`create index memberships_org on memberships (org_id)`.execute(db);
  await sql`
    create table invitations (
      id uuid primary key,
      org_id uuid not null references organizations(id) on delete cascade,
      email text not null,
      role text not null,
      token_hash text not null unique,
      invited_by uuid references users(id) on delete set null,
      created_at timestamptz(3) not null default now(),
      expires_at timestamptz not null,
      accepted_at timestamptz,
      accepted_by uuid references users(id) on delete set null,
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index invitations_org on invitations (org_id)`.execute(db);
}

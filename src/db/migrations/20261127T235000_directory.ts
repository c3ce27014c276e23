import { sql, type Kysely } from 'kysely';

/**
 * The vendor directory: each organization's profile (verified flag, languages, time zone,
 * country), security contacts (e-mail with a role, OpenPGP key with fingerprint and expiry,
 * phone; changes proposed by vendors wait for staff approval), products with package URL / CPE,
 * upstream/downstream relations, and trusted communities invited together.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table org_profiles (
      org_id uuid primary key references organizations(id) on delete cascade,
      verified boolean not null,
      verified_by uuid references users(id) on delete set null,
      languages jsonb not null,
      time_zone text,
      country text,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`
    create table org_contacts (
      id uuid primary key,
      org_id uuid not null references organizations(id) on delete cascade,
      email text not null,
      role text not null,
      name text,
      phone text,
      pgp_public_key text,
      pgp_fingerprint text,
      pgp_expires_at timestamptz(3),
      status text not null,
      proposed_by uuid references users(id) on delete set null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`create index org_contacts_org on org_contacts (org_id, created_at)`.execute(db);
  await sql`create unique index org_contacts_email on org_contacts (org_id, lower(email), role)`.execute(db);
  await sql`
    create table org_products (
      id uuid primary key,
      org_id uuid not null references organizations(id) on delete cascade,
      name text not null,
      identifier text,
      versions text not null,
      created_at timestamptz(3) not null
    )`.execute(db);
  await sql`create index org_products_org on org_products (org_id, name)`.execute(db);
  await sql`create unique index org_products_name on org_products (org_id, lower(name))`.execute(db);
  await sql`
    create table org_relations (
      upstream_org_id uuid not null references organizations(id) on delete cascade,
      downstream_org_id uuid not null references organizations(id) on delete cascade,
      note text not null,
      created_at timestamptz(3) not null,
      primary key (upstream_org_id, downstream_org_id),
      check (upstream_org_id <> downstream_org_id)
    )`.execute(db);
  await sql`
    create table communities (
      id uuid primary key,
      name text not null,
      terms_text text not null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`create unique index communities_name on communities (lower(name))`.execute(db);
  await sql`
    create table community_members (
      community_id uuid not null references communities(id) on delete cascade,
      org_id uuid not null references organizations(id) on delete cascade,
      primary key (community_id, org_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'community_members',
    'communities',
    'org_relations',
    'org_products',
    'org_contacts',
    'org_profiles',
  ]) {
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
  }
}

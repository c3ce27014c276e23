import { sql, type Kysely } from 'kysely';

/** Organizations: the one home org that runs the instance, and external orgs. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table organizations (
      id uuid primary key,
      name text not null check (length(name) between 1 and 200),
      kind text not null check (kind in ('home','vendor','coordinator','finder','deployer','other')),
      website text,
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index organizations_one_home on organizations (kind) where kind = 'home'`.execute(db);
  await sql`create unique index organizations_name on organizations (lower(name))`.execute(db);
}

import { sql, type Kysely } from 'kysely';

/** Database-held sessions, personal API tokens and password-reset tokens (all stored hashed). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sessions (
      id uuid primary key,
      token_hash text not null unique,
      user_id uuid not null references users(id) on delete cascade,
      csrf_token text not null,
      ip text,
      user_agent text,
      created_at timestamptz(3) not null default now(),
      last_seen_at timestamptz not null,
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index sessions_user on sessions (user_id)`.execute(db);
  await sql`
    create table api_tokens (
      id uuid primary key,
      user_id uuid not null references users(id) on delete cascade,
      name text not null,
      token_hash text not null unique,
      prefix text not null,
      created_at timestamptz(3) not null default now(),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index api_tokens_user on api_tokens (user_id)`.execute(db);
  await sql`
    create table password_resets (
      id uuid primary key,
      user_id uuid not null references users(id) on delete cascade,
      token_hash text not null unique,
      created_at timestamptz(3) not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz
    )`.execute(db);
}

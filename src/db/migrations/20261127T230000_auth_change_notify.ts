import { sql, type Kysely } from 'kysely';

/**
 * Every change that can alter who a token or session belongs to, or what that user may do,
 * sends `NOTIFY accord_auth`. Each app process keeps a small authentication cache and empties
 * it on that notification, so a revoked token, a deleted session, a disabled user or a changed
 * role take effect on every node (see src/auth/cache.ts).
 */
const TRUNCATED = ['users', 'memberships', 'organizations', 'api_tokens', 'sessions'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function accord_auth_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('accord_auth', '');
      return null;
    end $$`.execute(db);
  // Statement-level: one notification per statement; PostgreSQL folds repeats within a transaction.
  await sql`create trigger users_auth_changed after update or delete on users
    for each statement execute function accord_auth_changed()`.execute(db);
  await sql`create trigger memberships_auth_changed after insert or update or delete on memberships
    for each statement execute function accord_auth_changed()`.execute(db);
  await sql`create trigger organizations_auth_changed after update or delete on organizations
    for each statement execute function accord_auth_changed()`.execute(db);
  // Not on the "last used" touch: only revocation, expiry and deletion matter.
  await sql`create trigger api_tokens_auth_changed after update of revoked_at, expires_at, token_hash, user_id or delete
    on api_tokens for each statement execute function accord_auth_changed()`.execute(db);
  // Activity only ever extends a session, which the cache may ignore; deletion ends it.
  await sql`create trigger sessions_auth_changed after delete or update of token_hash, user_id, csrf_token
    on sessions for each statement execute function accord_auth_changed()`.execute(db);
  for (const table of TRUNCATED) {
    await sql`create trigger ${sql.raw(`${table}_truncated`)} after truncate on ${sql.table(table)}
      for each statement execute function accord_auth_changed()`.execute(db);
  }
  // Settings also hold the audit head, written by every command: notify for the 2FA rule only.
  await sql`create trigger settings_auth_changed after insert or update on settings
    for each row when (new.key = 'require_2fa_for_staff') execute function accord_auth_changed()`.execute(db);
  await sql`create trigger settings_auth_deleted after delete on settings
    for each row when (old.key = 'require_2fa_for_staff') execute function accord_auth_changed()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [trigger, table] of [
    ['users_auth_changed', 'users'],
    ['memberships_auth_changed', 'memberships'],
    ['organizations_auth_changed', 'organizations'],
    ['api_tokens_auth_changed', 'api_tokens'],
    ['sessions_auth_changed', 'sessions'],
    ...TRUNCATED.map((t) => [`${t}_truncated`, t] as const),
    ['settings_auth_changed', 'settings'],
    ['settings_auth_deleted', 'settings'],
  ] as const) {
    await sql`drop trigger if exists ${sql.raw(trigger)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function if exists accord_auth_changed()`.execute(db);
}

import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { asError } from '../core/errors.ts';
import type { Database } from './schema.ts';
import { migrations } from './migrations/index.ts';

/**
 * Names of the migrations already applied, or null when the migration table does not exist yet.
 * One plain query: Kysely's migrator introspects the whole catalogue several times before it
 * knows there is nothing to do, which costs a few hundred milliseconds at every start.
 */
async function appliedMigrations(db: Kysely<Database>): Promise<Set<string> | null> {
  const table = await sql<{
    exists: boolean;
  }>`select to_regclass('public.kysely_migration') is not null as exists`.execute(db);
  if (!table.rows[0]?.exists) return null;
  const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  return new Set(rows.rows.map((r) => r.name));
}

/** Applies every pending migration; Kysely holds an advisory lock so several nodes can start at once. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const applied = await appliedMigrations(db);
  // Fast path for the usual restart. When anything is pending (or the database holds a migration
  // this code does not know), the migrator below decides, under its lock.
  if (
    applied &&
    applied.size === Object.keys(migrations).length &&
    Object.keys(migrations).every((n) => applied.has(n))
  )
    return [];
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = asError(result.error).message;
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

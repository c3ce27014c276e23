import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { asError } from '../core/errors.ts';
import type { Database } from './schema.ts';
import { migrations } from './migrations/index.ts';

/** Applies every pending migration; Kysely holds an advisory lock so several nodes can start at once. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
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

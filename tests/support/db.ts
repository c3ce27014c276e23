import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { openPostgres, pgliteParsers, wrapPGlite, type DatabaseHandle } from '../../src/db/connect.ts';
import { postgresAdminUrl, TEMPLATE_DB, testEngine, withDatabase } from './engine.ts';

export interface TestDatabase extends DatabaseHandle {
  /** A connection URL when the engine is PostgreSQL (for tests that open a second pool). */
  url: string | null;
  /** Empties every table (between tests in one file). */
  reset(): Promise<void>;
}

/** A fresh, migrated database for one test file, on the engine this run tests. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testEngine() === 'embedded') {
    const snapshot = fs.readFileSync(inject('pgliteSnapshot'));
    const pglite = await PGlite.create({ loadDataDir: new Blob([snapshot]), parsers: pgliteParsers });
    const handle = wrapPGlite(pglite);
    return { ...handle, url: null, reset: () => truncateAll(handle) };
  }
  const name = `accord_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl() });
  await admin.connect();
  await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
  await admin.end();
  const url = withDatabase(postgresAdminUrl(), name);
  const handle = openPostgres(url, 5);
  return {
    ...handle,
    url,
    reset: () => truncateAll(handle),
    async close() {
      await handle.close();
      const a = new pg.Client({ connectionString: postgresAdminUrl() });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

async function truncateAll(handle: DatabaseHandle): Promise<void> {
  const tables = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_%'`.execute(handle.db);
  if (tables.rows.length === 0) return;
  await sql`truncate ${sql.join(tables.rows.map((t) => sql.table(t.tablename)))} cascade`.execute(handle.db);
}

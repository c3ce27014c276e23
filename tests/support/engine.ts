/** Which database engine this test run uses: embedded PGlite (default) or a PostgreSQL server. */
export type TestEngine = 'embedded' | 'postgres';

export function testEngine(): TestEngine {
  const raw = process.env.ACCORD_TEST_ENGINE ?? 'embedded';
  if (raw !== 'embedded' && raw !== 'postgres') {
    throw new Error(`ACCORD_TEST_ENGINE must be embedded or postgres (got ${raw})`);
  }
  return raw;
}

/** Admin connection used to create one database per test file from a migrated template. */
export function postgresAdminUrl(): string {
  const url = process.env.ACCORD_TEST_DATABASE_URL;
  if (!url) {
    throw new Error('ACCORD_TEST_ENGINE=postgres needs ACCORD_TEST_DATABASE_URL=postgres://user@host:port/postgres');
  }
  return url;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export const TEMPLATE_DB = 'accord_test_template';

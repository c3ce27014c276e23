import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { migrateToLatest } from './migrate.ts';
import { migrations } from './migrations/index.ts';

describe('migrateToLatest', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('does nothing on a database that has every migration', async () => {
    expect(await migrateToLatest(db.db)).toEqual([]);
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.db);
    expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
  });

  it('refuses a database holding a migration this version does not know (a newer version ran on it)', async () => {
    await sql`insert into kysely_migration (name, timestamp) values ('29991231T000000_from_the_future', '2999-12-31T00:00:00.000Z')`.execute(
      db.db,
    );
    await expect(migrateToLatest(db.db)).rejects.toThrow(/29991231T000000_from_the_future/);
    await sql`delete from kysely_migration where name = '29991231T000000_from_the_future'`.execute(db.db);
  });
});

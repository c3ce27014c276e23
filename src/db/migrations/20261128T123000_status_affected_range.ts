import { sql, type Kysely } from 'kysely';

/**
 * A vendor status row may say which versions of its product are affected, as a canonical vers range
 * (`vers:npm/>=1.0.0|<1.4.2`); null when the vendor gave none. The history keeps it with each change.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table vendor_statuses add column affected_range text`.execute(db);
  await sql`alter table vendor_status_history add column affected_range text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table vendor_status_history drop column if exists affected_range`.execute(db);
  await sql`alter table vendor_statuses drop column if exists affected_range`.execute(db);
}

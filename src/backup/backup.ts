import fs from 'node:fs';
import { createGzip, createGunzip } from 'node:zlib';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Migrator, sql, type Kysely } from 'kysely';
import { AppError, asError } from '../core/errors.ts';
import type { Database } from '../db/schema.ts';
import { migrations } from '../db/migrations/index.ts';

/** Tables in foreign-key order with their key columns (for paging). New tables must be added here. */
export const backupTables = [
  ['organizations', ['id']],
  ['users', ['id']],
  ['memberships', ['user_id', 'org_id']],
  ['recovery_codes', ['id']],
  ['sessions', ['id']],
  ['api_tokens', ['id']],
  ['password_resets', ['id']],
  ['invitations', ['id']],
  ['audit_events', ['seq']],
  ['outbox', ['id']],
  ['jobs', ['id']],
  ['rate_limits', ['key']],
  ['settings', ['key']],
  ['counters', ['name']],
  ['instance_keys', ['created_at', 'id']],
  ['finders', ['created_at', 'id']],
  ['reports', ['created_at', 'id']],
  ['report_messages', ['seq']],
  ['report_events', ['seq']],
  ['attachments', ['created_at', 'id']],
  ['intake_mail', ['received_at', 'id']],
  ['cases', ['created_at', 'id']],
  ['case_reports', ['case_id', 'report_id']],
  ['vulnerabilities', ['created_at', 'id']],
  ['case_participants', ['created_at', 'id']],
  ['case_events', ['seq']],
  ['vendor_statuses', ['created_at', 'id']],
  ['vendor_status_history', ['seq']],
  ['case_threads', ['created_at', 'id']],
  ['case_thread_members', ['thread_id', 'participant_id']],
  ['thread_follows', ['thread_id', 'user_id']],
  ['case_posts', ['seq']],
  ['case_post_revisions', ['seq']],
  ['org_profiles', ['org_id']],
  ['org_contacts', ['created_at', 'id']],
  ['org_contact_changes', ['contact_id']],
  ['org_products', ['created_at', 'id']],
  ['org_relations', ['upstream_org_id', 'downstream_org_id']],
  ['communities', ['created_at', 'id']],
  ['community_members', ['community_id', 'org_id']],
  ['notification_preferences', ['user_id']],
  ['case_notification_policies', ['case_id']],
  ['case_visits', ['user_id', 'case_id']],
  ['post_reads', ['user_id', 'post_id']],
  ['digest_items', ['created_at', 'id']],
  ['webhooks', ['created_at', 'id']],
  ['webhook_deliveries', ['created_at', 'id']],
  ['case_invitations', ['invitation_id']],
  ['release_plans', ['case_id']],
  ['release_readiness', ['participant_id']],
  ['advisory_subscriptions', ['created_at', 'id']],
  ['advisory_mails', ['case_id', 'subscription_id']],
  ['embargo_proposals', ['created_at', 'id']],
  ['embargoes', ['case_id']],
  ['embargo_consents', ['proposal_id', 'participant_id']],
  ['embargo_cords', ['created_at', 'id']],
  ['org_embargo_policies', ['org_id']],
  ['advisories', ['created_at', 'id']],
  ['advisory_revisions', ['created_at', 'id']],
  ['advisory_files', ['created_at', 'id']],
  ['casework_templates', ['created_at', 'id']],
  ['casework', ['case_id']],
  ['casework_entries', ['created_at', 'id']],
  ['assessments', ['created_at', 'id']],
  ['assessment_items', ['assessment_id', 'item_id']],
  ['assessment_gaps', ['created_at', 'id']],
  ['sla_policies', ['stage', 'severity']],
  ['sla_calendar', ['id']],
  ['sla_clocks', ['subject_type', 'subject_id', 'stage']],
  ['sla_alerts', ['created_at', 'id']],
  ['metric_reports', ['report_id']],
  ['metric_cases', ['case_id']],
  ['metric_vendors', ['participant_id']],
  ['metric_runs', ['finished_at', 'id']],
  ['cve_reservations', ['created_at', 'id']],
] as const satisfies readonly (readonly [keyof Database, readonly string[]])[];

/** jsonb columns: their values are written back as JSON text. */
const jsonColumns: Record<string, string[]> = {
  audit_events: ['summary'],
  jobs: ['payload'],
  settings: ['value'],
  reports: ['details'],
  report_events: ['data'],
  case_participants: ['allowed_user_ids'],
  case_events: ['data'],
  sla_calendar: ['workdays', 'holidays', 'hours'],
  metric_cases: ['products', 'desiderata'],
  embargo_proposals: ['acknowledged_warnings'],
  vendor_statuses: ['refs'],
  advisories: ['content'],
  advisory_revisions: ['content'],
  case_posts: ['recipient_user_ids', 'mentions'],
  org_profiles: ['languages'],
  notification_preferences: ['kinds'],
  webhooks: ['event_kinds'],
  webhook_deliveries: ['payload'],
  release_plans: ['checklist'],
  casework_templates: ['steps', 'questions'],
  casework: ['steps', 'questions', 'signoffs', 'overview', 'postmortem'],
  casework_entries: ['data'],
};
/** bytea columns travel as base64. */
const binaryColumns: Record<string, string[]> = { attachments: ['content'], intake_mail: ['raw'] };
/**
 * Generated columns (e.g. `reports.search`) are derived from the row: they are not written to a
 * backup, and PostgreSQL refuses values for them on insert.
 */
async function generatedColumns(db: Kysely<Database>): Promise<Map<string, string[]>> {
  const rows = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and is_generated = 'ALWAYS'`.execute(db);
  const byTable = new Map<string, string[]>();
  for (const r of rows.rows) byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r.column_name]);
  return byTable;
}

/** Identity columns whose sequence must continue after the restored rows. */
const identityColumns: Record<string, string> = {
  audit_events: 'seq',
  report_messages: 'seq',
  report_events: 'seq',
  case_events: 'seq',
  vendor_status_history: 'seq',
  case_posts: 'seq',
  case_post_revisions: 'seq',
};

export const BACKUP_FORMAT = 'accord-backup';
export const BACKUP_VERSION = 1;

type Progress = (message: string) => void;

interface Header {
  format: string;
  version: number;
  createdAt: string;
  migrations: string[];
}

async function appliedMigrations(db: Kysely<Database>): Promise<string[]> {
  const result = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return result.rows.map((r) => r.name);
}

/**
 * Writes a consistent snapshot (one repeatable-read transaction) as gzip'd JSON lines: a header,
 * then one line per row. Runs beside a live server on PostgreSQL.
 */
export async function backup(
  db: Kysely<Database>,
  file: string,
  progress: Progress = () => {},
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const lines: string[] = [];
  await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      const header: Header = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt: new Date().toISOString(),
        migrations: await appliedMigrations(tx),
      };
      lines.push(JSON.stringify(header));
      const generated = await generatedColumns(tx);
      for (const [table, keys] of backupTables) {
        const rows = await sql<
          Record<string, unknown>
        >`select * from ${sql.table(table)} order by ${sql.join(keys.map((k) => sql.ref(k)))}`.execute(tx);
        const binary = binaryColumns[table] ?? [];
        const derived = generated.get(table) ?? [];
        for (const row of rows.rows) {
          for (const col of derived) delete row[col];
          for (const col of binary) {
            const v = row[col];
            if (v instanceof Uint8Array) row[col] = Buffer.from(v).toString('base64');
          }
          lines.push(JSON.stringify({ t: table, r: row }));
        }
        counts[table] = rows.rows.length;
        progress(`${table}: ${rows.rows.length} rows`);
      }
    });
  const tmp = `${file}.partial`;
  await pipeline(Readable.from(lines.map((l) => `${l}\n`)), createGzip(), fs.createWriteStream(tmp));
  fs.renameSync(tmp, file);
  return counts;
}

/**
 * Restores into an empty database: migrates to the backup's level, inserts every row in one
 * transaction, then migrates to the latest version. Refuses a database that holds data.
 */
export async function restore(
  db: Kysely<Database>,
  file: string,
  progress: Progress = () => {},
): Promise<Record<string, number>> {
  if (!fs.existsSync(file)) throw new AppError('ERR_VALIDATION', `backup file ${file} does not exist`);
  const input = readline.createInterface({
    input: fs.createReadStream(file).pipe(createGunzip()),
    crlfDelay: Infinity,
  });
  const iterator = input[Symbol.asyncIterator]();
  let header: Header;
  try {
    const first = await iterator.next();
    header = JSON.parse(String(first.value)) as Header;
  } catch {
    throw new AppError(
      'ERR_VALIDATION',
      `${file} is not an Accord backup (expected gzip'd JSON lines made by "accord backup")`,
    );
  }
  if (header.format !== BACKUP_FORMAT || header.version !== BACKUP_VERSION) {
    throw new AppError(
      'ERR_VALIDATION',
      `${file} is not an Accord backup of a version this Accord reads (format ${String(header.format)} v${String(header.version)})`,
    );
  }
  const unknown = header.migrations.filter((m) => !(m in migrations));
  if (unknown.length > 0) {
    throw new AppError(
      'ERR_VALIDATION',
      `the backup comes from a newer Accord (unknown migrations: ${unknown.join(', ')}); upgrade Accord first`,
    );
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const target = header.migrations[header.migrations.length - 1];
  if (target) {
    const r = await migrator.migrateTo(target);
    if (r.error) throw asError(r.error);
  }
  for (const [table] of backupTables) {
    const has = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    if ((has.rows[0]?.n ?? 0) > 0) {
      throw new AppError(
        'ERR_RESTORE_NOT_EMPTY',
        `the target database is not empty (table ${table} has rows); restore into a new ACCORD_DATA_DIR or an empty PostgreSQL database`,
      );
    }
  }
  const counts: Record<string, number> = {};
  await db.transaction().execute(async (tx) => {
    let batch: Record<string, unknown>[] = [];
    let batchTable: string | null = null;
    const flush = async () => {
      if (batchTable && batch.length > 0) {
        await tx
          .insertInto(batchTable as keyof Database)
          .values(batch)
          .execute();
        counts[batchTable] = (counts[batchTable] ?? 0) + batch.length;
      }
      batch = [];
    };
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (!next.value) continue;
      const { t, r } = JSON.parse(next.value) as { t: string; r: Record<string, unknown> };
      if (!backupTables.some(([name]) => name === t))
        throw new AppError('ERR_VALIDATION', `the backup names an unknown table ${t}`);
      if (t !== batchTable || batch.length >= 500) {
        await flush();
        if (t !== batchTable && batchTable) progress(`${batchTable}: ${counts[batchTable] ?? 0} rows`);
        batchTable = t;
      }
      const json = jsonColumns[t] ?? [];
      const binary = binaryColumns[t] ?? [];
      batch.push(
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [
            k,
            json.includes(k)
              ? JSON.stringify(v)
              : binary.includes(k) && typeof v === 'string'
                ? Buffer.from(v, 'base64')
                : v,
          ]),
        ),
      );
    }
    await flush();
    for (const [table, column] of Object.entries(identityColumns)) {
      await sql`select setval(pg_get_serial_sequence(${table}, ${column}),
        coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(tx);
    }
    if (batchTable) progress(`${batchTable}: ${counts[batchTable] ?? 0} rows`);
  });
  const latest = await migrator.migrateToLatest();
  if (latest.error) throw asError(latest.error);
  return counts;
}

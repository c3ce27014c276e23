/**
 * Writing the derived metric tables (metric_reports, metric_cases, metric_vendors, sla_clocks).
 *
 * Rows travel as compact JSON arrays (instants as epoch milliseconds) in one parameter per 10,000
 * rows, unpacked in SQL: far less to encode, send and parse than one object per row with named keys,
 * which matters most on the embedded engine, where every value crosses into WebAssembly.
 *
 * A full recomputation derives every row again, but most rows come out as they were stored by the
 * previous run. The process that wrote the previous run remembers what it wrote; when the database
 * still holds exactly that run (the set of run ids is unchanged: no other node or restore wrote since),
 * only the rows that differ are written and the ones that vanished deleted. Otherwise (first run in
 * this process, another node ran, a backup was restored) every row is rewritten.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';

type Tx = Transaction<Database>;

type ColumnType = 'uuid' | 'text' | 'ts' | 'float8' | 'bool' | 'int4' | 'jsonb';

export interface TableSpec {
  name: 'metric_reports' | 'metric_cases' | 'metric_vendors' | 'sla_clocks';
  /** Columns in row order; the first `keyColumns` are the primary key. */
  columns: readonly (readonly [string, ColumnType])[];
  keyColumns: number;
  /** A column set to the run's instant on every row written (not part of the compared row). */
  stampColumn?: string;
}

/** A row in column order: primitives only; instants as epoch ms, jsonb columns as JSON text. */
export type Row = readonly (string | number | boolean | null)[];

export const metricTables = {
  metric_reports: {
    name: 'metric_reports',
    keyColumns: 1,
    columns: [
      ['report_id', 'uuid'],
      ['tracking_id', 'text'],
      ['received_at', 'ts'],
      ['acknowledged_at', 'ts'],
      ['triaged_at', 'ts'],
      ['ack_business_days', 'float8'],
      ['triage_business_days', 'float8'],
      ['valid', 'bool'],
      ['rm_state', 'text'],
      ['severity', 'text'],
      ['cwe', 'text'],
      ['product', 'text'],
      ['finder_id', 'uuid'],
      ['owner_id', 'uuid'],
      ['case_id', 'uuid'],
      ['ack_sla', 'text'],
      ['triage_sla', 'text'],
    ],
  },
  metric_cases: {
    name: 'metric_cases',
    keyColumns: 1,
    columns: [
      ['case_id', 'uuid'],
      ['label', 'text'],
      ['opened_at', 'ts'],
      ['first_report_at', 'ts'],
      ['vendor_aware_at', 'ts'],
      ['fix_ready_at', 'ts'],
      ['all_fixed_at', 'ts'],
      ['deployed_at', 'ts'],
      ['public_at', 'ts'],
      ['exploit_public_at', 'ts'],
      ['attacks_at', 'ts'],
      ['advisory_at', 'ts'],
      ['owner_id', 'uuid'],
      ['severity', 'text'],
      ['cwe', 'text'],
      ['products', 'jsonb'],
      ['remediation_sla', 'text'],
      ['release_sla', 'text'],
      ['desiderata', 'jsonb'],
      ['desiderata_met', 'int4'],
      ['desiderata_violated', 'int4'],
      ['fix_before_public', 'bool'],
    ],
  },
  metric_vendors: {
    name: 'metric_vendors',
    keyColumns: 1,
    columns: [
      ['participant_id', 'uuid'],
      ['case_id', 'uuid'],
      ['org_id', 'uuid'],
      ['notified_at', 'ts'],
      ['first_answer_at', 'ts'],
    ],
  },
  sla_clocks: {
    name: 'sla_clocks',
    keyColumns: 3,
    stampColumn: 'computed_at',
    columns: [
      ['subject_type', 'text'],
      ['subject_id', 'uuid'],
      ['stage', 'text'],
      ['label', 'text'],
      ['severity', 'text'],
      ['owner_id', 'uuid'],
      ['lead_id', 'uuid'],
      ['started_at', 'ts'],
      ['stopped_at', 'ts'],
      ['paused_since', 'ts'],
      ['due_at', 'ts'],
      ['risk_at', 'ts'],
    ],
  },
} as const satisfies Record<string, TableSpec>;

export type MetricTable = keyof typeof metricTables;

/** Per table: the key of each row → the row, as derived by one run. */
export type DerivedRows = Record<MetricTable, Map<string, Row>>;

export function emptyRows(): DerivedRows {
  return { metric_reports: new Map(), metric_cases: new Map(), metric_vendors: new Map(), sla_clocks: new Map() };
}

/** Adds a row to a run's derived rows. */
export function addRow(rows: DerivedRows, table: MetricTable, row: Row): void {
  const key = table === 'sla_clocks' ? `${row[0]}/${row[1]}/${row[2]}` : String(row[0]);
  rows[table].set(key, row);
}

function sameRow(a: Row, b: Row): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What this process wrote last, and the run set it left behind. */
let written: { fingerprint: string; rows: DerivedRows } | null = null;

/** The identity of the recomputation runs stored (one md5 over the ordered ids). */
export async function runFingerprint(tx: Tx): Promise<string> {
  const r = await sql<{ f: string }>`
    select md5(coalesce(string_agg(id::text, ',' order by id), '')) as f from metric_runs`.execute(tx);
  return r.rows[0]?.f ?? '';
}

/** The rows stored, when this process wrote them last and nothing else wrote since; else null. */
export async function storedRows(tx: Tx): Promise<DerivedRows | null> {
  if (!written) return null;
  return (await runFingerprint(tx)) === written.fingerprint ? written.rows : null;
}

/** To be called once the run's transaction has committed. */
export function rememberWritten(fingerprint: string, rows: DerivedRows): void {
  written = { fingerprint, rows };
}

/** Forgets what this process wrote (the next run rewrites every row); for tests. */
export function forgetWritten(): void {
  written = null;
}

const BATCH = 10_000;

function columnExpr(type: ColumnType, i: number) {
  switch (type) {
    case 'ts':
      return sql`('epoch'::timestamptz + (e->>${sql.lit(i)})::int8 * interval '1 millisecond')`;
    case 'jsonb':
      return sql`(e->>${sql.lit(i)})::jsonb`;
    case 'bool':
      return sql`(e->>${sql.lit(i)})::boolean`;
    case 'text':
      return sql`(e->>${sql.lit(i)})`;
    case 'uuid':
    case 'float8':
    case 'int4':
      return sql`(e->>${sql.lit(i)})::${sql.raw(type)}`;
  }
}

/**
 * Writes a run's rows: only the differences from `previous` when given, else everything (after
 * deleting every stored row). Returns the number of rows inserted, updated or deleted.
 */
export async function writeRows(
  tx: Tx,
  table: MetricTable,
  next: Map<string, Row>,
  previous: Map<string, Row> | null,
  stamp: Date,
): Promise<number> {
  const spec: TableSpec = metricTables[table];
  const changed: Row[] = [];
  const removed: Row[] = [];
  if (previous) {
    for (const [key, row] of next) {
      const before = previous.get(key);
      if (!before || !sameRow(before, row)) changed.push(row);
    }
    for (const [key, row] of previous) if (!next.has(key)) removed.push(row.slice(0, spec.keyColumns));
  } else {
    await tx.deleteFrom(spec.name).execute();
    changed.push(...next.values());
  }
  const keys = spec.columns.slice(0, spec.keyColumns);
  const keyList = sql.join(keys.map(([c]) => sql.ref(c)));
  for (let i = 0; i < removed.length; i += BATCH) {
    const json = JSON.stringify(removed.slice(i, i + BATCH));
    const keyExprs = sql.join(keys.map(([, t], j) => columnExpr(t, j)));
    await sql`delete from ${sql.table(spec.name)} where (${keyList}) in (
      select ${keyExprs} from jsonb_array_elements(${json}::jsonb) e)`.execute(tx);
  }
  const names = [...spec.columns.map(([c]) => c), ...(spec.stampColumn ? [spec.stampColumn] : [])];
  const exprs = [
    ...spec.columns.map(([, t], j) => columnExpr(t, j)),
    ...(spec.stampColumn ? [sql`${stamp}::timestamptz`] : []),
  ];
  const update = sql.join(names.slice(spec.keyColumns).map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`));
  for (let i = 0; i < changed.length; i += BATCH) {
    const json = JSON.stringify(changed.slice(i, i + BATCH));
    await sql`insert into ${sql.table(spec.name)} (${sql.join(names.map((c) => sql.ref(c)))})
      select ${sql.join(exprs)} from jsonb_array_elements(${json}::jsonb) e
      ${previous ? sql`on conflict (${keyList}) do update set ${update}` : sql``}`.execute(tx);
  }
  return changed.length + removed.length;
}

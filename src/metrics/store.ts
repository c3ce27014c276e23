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

/** A row's key: its id (uuid text), and for a clock its stage and subject id. */
function keyOf(table: MetricTable, row: Row): string {
  return table === 'sla_clocks' ? `${row[2]}/${row[1]}` : (row[0] as string);
}

function sameKey(table: MetricTable, a: Row, b: Row): boolean {
  return table === 'sla_clocks' ? a[1] === b[1] && a[2] === b[2] : a[0] === b[0];
}

/** One table's rows of a run, in the order they were derived; an index by key is built only when asked. */
export class TableRows {
  readonly list: Row[] = [];
  private index: Map<string, number> | null = null;

  constructor(readonly table: MetricTable) {}

  get size(): number {
    return this.list.length;
  }

  /** The position of the row with this key, or -1. */
  find(key: string): number {
    if (!this.index) {
      this.index = new Map();
      for (let i = 0; i < this.list.length; i++) this.index.set(keyOf(this.table, this.list[i]!), i);
    }
    return this.index.get(key) ?? -1;
  }
}

/** Per table, the rows derived by one run. */
export type DerivedRows = Record<MetricTable, TableRows>;

/**
 * A run's rows as they are derived, compared with what the previous run stored (when known) as they
 * come. The reads return the items in the same order from run to run (the tables' physical order), so
 * the stored counterpart of a row is nearly always the one after the previous match; otherwise it is
 * looked up by key. A row equal to the stored one is kept as the stored object (so that an unchanged
 * run allocates nothing that outlives it); a differing or new one is noted for writing.
 */
export interface RunRows {
  rows: DerivedRows;
  previous: DerivedRows | null;
  /** Per table, the rows to insert or update (every row when there is no previous run). */
  changed: Record<MetricTable, Row[]>;
  /** Per table, how many rows had a stored counterpart (all of them: nothing to delete). */
  matched: Record<MetricTable, number>;
  /** Per table, the position in the previous run's rows where the next counterpart is expected. */
  cursor: Record<MetricTable, number>;
}

export function emptyRows(previous: DerivedRows | null = null): RunRows {
  const counts = () => ({ metric_reports: 0, metric_cases: 0, metric_vendors: 0, sla_clocks: 0 });
  return {
    rows: {
      metric_reports: new TableRows('metric_reports'),
      metric_cases: new TableRows('metric_cases'),
      metric_vendors: new TableRows('metric_vendors'),
      sla_clocks: new TableRows('sla_clocks'),
    },
    previous,
    changed: { metric_reports: [], metric_cases: [], metric_vendors: [], sla_clocks: [] },
    matched: counts(),
    cursor: counts(),
  };
}

/** Adds a row to a run's derived rows. */
export function addRow(run: RunRows, table: MetricTable, row: Row): void {
  const stored = run.previous?.[table];
  if (stored) {
    let i = run.cursor[table];
    let before = stored.list[i];
    if (before === undefined || !sameKey(table, before, row)) {
      i = stored.find(keyOf(table, row));
      before = i < 0 ? undefined : stored.list[i];
    }
    if (before !== undefined) {
      run.cursor[table] = i + 1;
      run.matched[table]++;
      if (sameRow(before, row)) {
        run.rows[table].list.push(before);
        return;
      }
    }
  }
  run.rows[table].list.push(row);
  run.changed[table].push(row);
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
 * Writes a run's rows of one table: only the differences from the previous run when it is known,
 * else everything (after deleting every stored row). Returns the number of rows inserted, updated
 * or deleted.
 */
export async function writeRows(tx: Tx, table: MetricTable, run: RunRows, stamp: Date): Promise<number> {
  const spec: TableSpec = metricTables[table];
  const changed = run.changed[table];
  const previous = run.previous?.[table] ?? null;
  const removed: Row[] = [];
  if (previous) {
    // Every stored row had its counterpart: nothing vanished (the usual case).
    if (run.matched[table] < previous.size) {
      const current = new Set(run.rows[table].list.map((row) => keyOf(table, row)));
      for (const row of previous.list) {
        if (!current.has(keyOf(table, row))) removed.push(row.slice(0, spec.keyColumns));
      }
    }
  } else {
    await tx.deleteFrom(spec.name).execute();
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

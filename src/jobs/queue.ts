import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../db/schema.ts';
import { JOB_PRIORITY } from './priority.ts';
import type { Kysely, Selectable } from 'kysely';

export type JobRow = Selectable<Database['jobs']>;

export interface NewJob {
  kind: string;
  payload: Record<string, unknown>;
  runAt?: Date;
  /** A job with the same key is enqueued once only (e.g. "publish case X"). */
  uniqueKey?: string;
  maxAttempts?: number;
  /** Higher runs first among due jobs (src/jobs/priority.ts); default `JOB_PRIORITY.normal`. */
  priority?: number;
}

/** Enqueues inside the caller's transaction, so a job exists exactly when its cause committed. */
export async function enqueueJob(db: Db, job: NewJob, now: Date): Promise<void> {
  await db
    .insertInto('jobs')
    .values({
      id: newId(),
      kind: job.kind,
      payload: JSON.stringify(job.payload),
      unique_key: job.uniqueKey ?? null,
      status: 'pending',
      run_at: job.runAt ?? now,
      max_attempts: job.maxAttempts ?? 8,
      priority: job.priority ?? JOB_PRIORITY.normal,
      created_at: now,
    })
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .execute();
}

/** Enqueues many jobs in one statement per 500 (a notification job's mail deliveries). */
export async function enqueueJobs(db: Db, jobs: readonly NewJob[], now: Date): Promise<void> {
  for (let i = 0; i < jobs.length; i += 500) {
    await db
      .insertInto('jobs')
      .values(
        jobs.slice(i, i + 500).map((job) => ({
          id: newId(),
          kind: job.kind,
          payload: JSON.stringify(job.payload),
          unique_key: job.uniqueKey ?? null,
          status: 'pending' as const,
          run_at: job.runAt ?? now,
          max_attempts: job.maxAttempts ?? 8,
          priority: job.priority ?? JOB_PRIORITY.normal,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.column('unique_key').doNothing())
      .execute();
  }
}

/**
 * Claims the next due job: the highest priority first, then the earliest due (FIFO within a
 * priority). `for update skip locked` lets any number of app processes poll the same table
 * without taking one job twice. The partial index `jobs_claim` holds pending jobs in this order.
 */
export async function claimJob(db: Kysely<Database>, workerId: string, kinds: string[]): Promise<JobRow | undefined> {
  if (kinds.length === 0) return undefined;
  const claimed = await db
    .updateTable('jobs')
    .set({
      status: 'running',
      locked_by: workerId,
      locked_at: sql<Date>`now()`,
      attempts: sql<number>`attempts + 1`,
    })
    .where(
      'id',
      '=',
      db
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'pending')
        .where('run_at', '<=', sql<Date>`now()`)
        .where('kind', 'in', kinds)
        .orderBy('priority', 'desc')
        .orderBy('run_at')
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .executeTakeFirst();
  return claimed;
}

export async function completeJob(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ status: 'done', finished_at: sql<Date>`now()`, locked_by: null })
    .where('id', '=', id)
    .execute();
}

/** Retries with exponential back-off until max_attempts, then marks the job failed. */
export async function failJob(db: Kysely<Database>, job: JobRow, error: string): Promise<void> {
  const final = job.attempts >= job.max_attempts;
  const delaySeconds = Math.min(3600, 2 ** job.attempts * 5);
  await db
    .updateTable('jobs')
    .set({
      status: final ? 'failed' : 'pending',
      last_error: error.slice(0, 2000),
      locked_by: null,
      run_at: sql<Date>`now() + make_interval(secs => ${delaySeconds})`,
      finished_at: final ? sql<Date>`now()` : null,
    })
    .where('id', '=', job.id)
    .execute();
}

/** A process that died mid-job leaves it running; after this long another process takes it over. */
export async function releaseStaleJobs(db: Kysely<Database>, staleSeconds = 300): Promise<number> {
  const result = await db
    .updateTable('jobs')
    .set({ status: 'pending', locked_by: null })
    .where('status', '=', 'running')
    .where('locked_at', '<', sql<Date>`now() - make_interval(secs => ${staleSeconds})`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

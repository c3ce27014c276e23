import { hostname } from 'node:os';
import type { Ctx } from '../app/context.ts';
import { claimJob, completeJob, failJob, releaseStaleJobs, type JobRow } from './queue.ts';

export type JobHandler = (ctx: Ctx, payload: Record<string, unknown>, job: JobRow) => Promise<void>;

export interface Worker {
  stop(): Promise<void>;
  /** Runs due jobs until none is left; tests and the CLI use it instead of the timer. */
  drain(): Promise<number>;
}

/** Polls the jobs table. Every app process runs one; the database decides who takes what. */
export function startWorker(ctx: Ctx, handlers: Record<string, JobHandler>, pollMs = 1000): Worker {
  const workerId = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const kinds = Object.keys(handlers);
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  async function runOne(): Promise<boolean> {
    const job = await claimJob(ctx.db, workerId, kinds);
    if (!job) return false;
    const handler = handlers[job.kind];
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(ctx, job.payload, job);
      await completeJob(ctx.db, job.id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      ctx.log.warn({ jobId: job.id, kind: job.kind, attempt: job.attempts, err: message }, 'job failed');
      await failJob(ctx.db, job, message);
    }
    return true;
  }

  async function drain(): Promise<number> {
    let n = 0;
    while (!stopped && (await runOne())) n += 1;
    return n;
  }

  async function tick(): Promise<void> {
    try {
      await releaseStaleJobs(ctx.db);
      await drain();
    } catch (err) {
      ctx.log.error({ err: err instanceof Error ? err.message : String(err) }, 'job worker error');
    }
    if (!stopped) timer = setTimeout(schedule, pollMs);
  }

  function schedule(): void {
    running = tick();
  }

  if (pollMs > 0) timer = setTimeout(schedule, pollMs);

  return {
    drain: () => {
      const p = running.then(drain);
      running = p;
      return p;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { makeCtx } from '../../tests/support/factories.ts';
import { JOB_PRIORITY } from './priority.ts';
import { claimJob, enqueueJob } from './queue.ts';
import { startWorker } from './worker.ts';

describe('durable job queue', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => db.reset());

  it('a job with a unique key is enqueued once', async () => {
    const now = new Date();
    await enqueueJob(db.db, { kind: 'k', payload: { n: 1 }, uniqueKey: 'publish:case-1' }, now);
    await enqueueJob(db.db, { kind: 'k', payload: { n: 2 }, uniqueKey: 'publish:case-1' }, now);
    const rows = await db.db.selectFrom('jobs').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payload).toEqual({ n: 1 });
  });

  it('concurrent workers never take the same job', async () => {
    const now = new Date(Date.now() - 1000);
    for (let i = 0; i < 10; i++) await enqueueJob(db.db, { kind: 'k', payload: { i } }, now);
    const claims = await Promise.all(Array.from({ length: 14 }, (_, i) => claimJob(db.db, `w${i}`, ['k'])));
    const ids = claims.filter((c) => c !== undefined).map((c) => c.id);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
  });

  it('a higher-priority job enqueued later is claimed first; equal priorities stay first in, first out', async () => {
    const t = Date.now() - 60_000;
    const at = (s: number) => new Date(t + s * 1000);
    await enqueueJob(db.db, { kind: 'k', payload: { n: 'bulk-1' }, priority: JOB_PRIORITY.bulk }, at(1));
    await enqueueJob(db.db, { kind: 'k', payload: { n: 'normal-1' } }, at(2));
    await enqueueJob(db.db, { kind: 'k', payload: { n: 'bulk-2' }, priority: JOB_PRIORITY.bulk }, at(3));
    await enqueueJob(db.db, { kind: 'k', payload: { n: 'urgent-1' }, priority: JOB_PRIORITY.urgent }, at(4));
    await enqueueJob(db.db, { kind: 'k', payload: { n: 'normal-2' } }, at(5));
    await enqueueJob(db.db, { kind: 'k', payload: { n: 'urgent-2' }, priority: JOB_PRIORITY.urgent }, at(6));
    // Urgent but not yet due: it waits for its time whatever its priority.
    await enqueueJob(
      db.db,
      {
        kind: 'k',
        payload: { n: 'urgent-later' },
        priority: JOB_PRIORITY.urgent,
        runAt: new Date(Date.now() + 3600_000),
      },
      at(7),
    );
    const order: unknown[] = [];
    for (;;) {
      const job = await claimJob(db.db, 'w', ['k']);
      if (!job) break;
      order.push(job.payload.n);
    }
    expect(order).toEqual(['urgent-1', 'urgent-2', 'normal-1', 'normal-2', 'bulk-1', 'bulk-2']);
  });

  it('the worker runs an urgent job enqueued behind a backlog first, each job exactly once', async () => {
    const ctx = makeCtx(db);
    const seen: string[] = [];
    const worker = startWorker(ctx, { k: async (_c, p) => void seen.push(String(p.n)) }, 0);
    const past = Date.now() - 60_000;
    for (let i = 0; i < 20; i++) {
      await enqueueJob(
        db.db,
        { kind: 'k', payload: { n: `notice-${i}` }, priority: JOB_PRIORITY.bulk },
        new Date(past + i),
      );
    }
    await enqueueJob(db.db, { kind: 'k', payload: { n: 'official' }, priority: JOB_PRIORITY.urgent }, new Date());
    await Promise.all([worker.drain(), worker.drain()]);
    await worker.stop();
    expect(seen[0]).toBe('official');
    expect(seen.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `notice-${i}`));
    const rows = await db.db.selectFrom('jobs').select(['status', 'attempts', 'priority']).execute();
    expect(rows.every((r) => r.status === 'done' && r.attempts === 1)).toBe(true);
    expect(rows.filter((r) => r.priority === JOB_PRIORITY.urgent)).toHaveLength(1);
  });

  it('runs handlers, retries failures with back-off, and does not run future jobs early', async () => {
    const ctx = makeCtx(db);
    const seen: number[] = [];
    let failOnce = true;
    const worker = startWorker(
      ctx,
      {
        ok: async (_c, p) => {
          seen.push(Number(p.i));
        },
        flaky: async () => {
          if (failOnce) {
            failOnce = false;
            throw new Error('temporary failure');
          }
        },
      },
      0,
    );
    const past = new Date(Date.now() - 1000);
    await enqueueJob(db.db, { kind: 'ok', payload: { i: 1 } }, past);
    await enqueueJob(db.db, { kind: 'ok', payload: { i: 2 }, runAt: new Date(Date.now() + 3600_000) }, past);
    await enqueueJob(db.db, { kind: 'flaky', payload: {} }, past);
    await worker.drain();
    await worker.stop();
    expect(seen).toEqual([1]);
    const flaky = await db.db.selectFrom('jobs').selectAll().where('kind', '=', 'flaky').executeTakeFirstOrThrow();
    expect(flaky).toMatchObject({ status: 'pending', attempts: 1, last_error: 'temporary failure' });
    expect(flaky.run_at.getTime()).toBeGreaterThan(Date.now());
  });
});

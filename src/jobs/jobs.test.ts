import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { makeCtx } from '../../tests/support/factories.ts';
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

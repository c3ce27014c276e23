import type { DatabaseHandle } from '../../src/db/connect.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { NOTIFY_JOB } from '../../src/notifications/dispatch.ts';
import { notificationJob } from '../../src/notifications/send.ts';
import { systemActor } from '../../src/policy/actor.ts';
import type { Config } from '../../src/config/config.ts';
import { makeCtx, type Clock } from './factories.ts';

/**
 * Runs the notification jobs that changes queued (the server's worker does this after each
 * commit), so a test can look at the outbox. Returns how many jobs ran.
 */
export async function deliverNotifications(
  db: DatabaseHandle,
  opts: { config?: Config; clock?: Clock } = {},
): Promise<number> {
  const ctx = { ...makeCtx(db, opts), actor: systemActor('jobs') };
  const worker = startWorker(ctx, { [NOTIFY_JOB]: notificationJob }, 0);
  const n = await worker.drain();
  await worker.stop();
  return n;
}

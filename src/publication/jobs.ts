import { publishCaseAdvisories } from '../advisories/commands.ts';
import { inTransaction } from '../app/context.ts';
import type { JobHandler } from '../jobs/worker.ts';
import { notifySubscribers, publishDueCase } from './commands.ts';
import { ADVISORIES_JOB, NOTIFY_JOB, PUBLISH_JOB } from './rules.ts';

function caseIdOf(payload: Record<string, unknown>): string {
  const id = payload.caseId;
  if (typeof id !== 'string') throw new Error('publication job without a caseId');
  return id;
}

/** The publication jobs: publish at the planned time (a no-op when not due or done), then mail subscribers. */
export const publicationJobHandlers: Record<string, JobHandler> = {
  [PUBLISH_JOB]: async (ctx, payload) => {
    await publishDueCase(ctx, caseIdOf(payload));
  },
  [NOTIFY_JOB]: async (ctx, payload) => {
    await notifySubscribers(ctx, caseIdOf(payload));
  },
  // Publishes only advisories still approved, so running it again publishes nothing twice.
  [ADVISORIES_JOB]: async (ctx, payload) => {
    const caseId = caseIdOf(payload);
    const published = await inTransaction(ctx, (tx) => publishCaseAdvisories(tx, ctx, caseId));
    if (published.length > 0) ctx.log.info({ caseId, advisories: published }, 'published the case advisories');
  },
};

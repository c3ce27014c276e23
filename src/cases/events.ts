import type { Transaction } from 'kysely';
import type { Ctx } from '../app/context.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../db/schema.ts';
import { actorId, actorLabel } from '../policy/actor.ts';

/** Who the timeline names for an event when it is not the acting `ctx.actor` (a job, an invitee). */
export interface EventAuthor {
  userId: string | null;
  label: string;
}

/**
 * One event on the case timeline (`case_events`), in the caller's transaction. Its own module so
 * that the modules `cases/commands.ts` builds on (threads, reminders, invitations) can record
 * events without importing it back.
 */
export async function recordCaseEvent(
  tx: Transaction<Database>,
  ctx: Ctx,
  caseId: string,
  kind: string,
  data: Record<string, unknown>,
  participantId: string | null = null,
  by: EventAuthor = { userId: actorId(ctx.actor), label: actorLabel(ctx.actor) },
): Promise<void> {
  await tx
    .insertInto('case_events')
    .values({
      id: newId(),
      case_id: caseId,
      participant_id: participantId,
      kind,
      actor_user_id: by.userId,
      actor_label: by.label,
      data: JSON.stringify(data),
      created_at: ctx.now(),
    })
    .execute();
}

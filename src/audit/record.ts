import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Ctx } from '../app/context.ts';
import type { Database } from '../db/schema.ts';
import { actorId, actorLabel } from '../policy/actor.ts';
import { GENESIS_HASH, hashEvent, type ChainedEvent } from './chain.ts';

/** Any value outside the pg advisory lock range others use; serializes appends across processes. */
const AUDIT_LOCK_KEY = 727_001;
export const AUDIT_HEAD_KEY = 'audit_head';

export interface AuditInput {
  action: string;
  subjectType: string;
  subjectId: string | null;
  summary?: Record<string, unknown>;
}

/**
 * Appends one event to the chain inside the caller's transaction. The advisory lock makes
 * concurrent appends from several app nodes take turns, so the chain never forks.
 */
export async function recordAudit(tx: Transaction<Database>, ctx: Ctx, input: AuditInput): Promise<ChainedEvent> {
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(tx);
  const last = await tx
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const event: ChainedEvent = {
    seq: (last?.seq ?? 0) + 1,
    id: randomUUID(),
    occurredAt: ctx.now(),
    actorId: actorId(ctx.actor),
    actorLabel: actorLabel(ctx.actor),
    action: input.action,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    summary: input.summary ?? {},
    requestId: ctx.meta.requestId,
    ip: ctx.meta.ip,
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = hashEvent(event, prevHash);
  await tx
    .insertInto('audit_events')
    .values({
      seq: event.seq,
      id: event.id,
      occurred_at: event.occurredAt,
      actor_id: event.actorId,
      actor_label: event.actorLabel,
      action: event.action,
      subject_type: event.subjectType,
      subject_id: event.subjectId,
      summary: JSON.stringify(event.summary),
      request_id: event.requestId,
      ip: event.ip,
      prev_hash: prevHash,
      hash,
    })
    .execute();
  // The head lets `audit verify` notice events cut off the end of the chain.
  const head = JSON.stringify({ seq: event.seq, hash });
  await tx
    .insertInto('settings')
    .values({ key: AUDIT_HEAD_KEY, value: head, updated_at: event.occurredAt })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: head, updated_at: event.occurredAt }))
    .execute();
  return event;
}

import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { AUDIT_HEAD_KEY } from './record.ts';
import { GENESIS_HASH, checkLink, type ChainProblem } from './chain.ts';

export interface VerifyResult {
  ok: boolean;
  checked: number;
  problem: ChainProblem | null;
}

/** Walks the whole chain in pages and reports the first altered, missing or cut-off event. */
export async function verifyAuditChain(
  db: Kysely<Database>,
  onProgress: (checked: number) => void = () => {},
): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let expected = 1;
  let checked = 0;
  const pageSize = 1000;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>=', expected)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const r of rows) {
      const problem = checkLink(
        {
          seq: Number(r.seq),
          id: r.id,
          occurredAt: r.occurred_at,
          actorId: r.actor_id,
          actorLabel: r.actor_label,
          action: r.action,
          subjectType: r.subject_type,
          subjectId: r.subject_id,
          summary: r.summary,
          requestId: r.request_id,
          ip: r.ip,
          prevHash: r.prev_hash,
          hash: r.hash,
        },
        expected,
        prevHash,
      );
      if (problem) return { ok: false, checked, problem };
      prevHash = r.hash;
      expected += 1;
      checked += 1;
    }
    onProgress(checked);
    if (rows.length < pageSize) break;
  }
  const head = await db.selectFrom('settings').select('value').where('key', '=', AUDIT_HEAD_KEY).executeTakeFirst();
  const h = head?.value as { seq?: number; hash?: string } | undefined;
  if (h?.seq !== undefined && (h.seq !== checked || h.hash !== prevHash)) {
    return {
      ok: false,
      checked,
      problem: {
        kind: 'truncated',
        seq: checked + 1,
        message: `the chain ends at event #${checked} but the last recorded event is #${h.seq}: events were removed from the end`,
      },
    };
  }
  return { ok: true, checked, problem: null };
}

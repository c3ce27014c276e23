import type { Db } from '../app/context.ts';
import { clampLimit } from '../app/pagination.ts';
import { validation } from '../core/errors.ts';
import type { AuditEventRow } from '../db/schema.ts';

export interface AuditFilter {
  action?: string;
  actorId?: string;
  subjectType?: string;
  subjectId?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit?: number;
}

function date(raw: string | undefined, field: string): Date | null {
  if (!raw) return null;
  const d = new Date(raw);
  if (Number.isNaN(d.getTime()))
    throw validation(`${field} is not a date-time; use ISO 8601 like 2026-11-27T10:00:00Z`, { field });
  return d;
}

/** Newest first; the cursor is the sequence number, which is dense and strictly ordered. */
export async function listAuditEvents(
  db: Db,
  f: AuditFilter,
): Promise<{ items: AuditEventRow[]; nextCursor: string | null }> {
  const limit = clampLimit(f.limit);
  let q = db.selectFrom('audit_events').selectAll();
  if (f.action)
    q = f.action.endsWith('.*')
      ? q.where('action', 'like', `${f.action.slice(0, -1)}%`)
      : q.where('action', '=', f.action);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.subjectType) q = q.where('subject_type', '=', f.subjectType);
  if (f.subjectId) q = q.where('subject_id', '=', f.subjectId);
  const since = date(f.since, 'since');
  const until = date(f.until, 'until');
  if (since) q = q.where('occurred_at', '>=', since);
  if (until) q = q.where('occurred_at', '<', until);
  if (f.cursor) {
    if (!/^\d{1,15}$/.test(f.cursor))
      throw validation('the cursor is not valid: pass back nextCursor unchanged', { field: 'cursor' });
    q = q.where('seq', '<', Number(f.cursor));
  }
  const rows = await q
    .orderBy('seq', 'desc')
    .limit(limit + 1)
    .execute();
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? String(last.seq) : null };
}

import type { Db } from '../app/context.ts';
import { clampLimit, decodeCursor, keysetBefore, toPage, type Page } from '../app/pagination.ts';
import type { Database } from '../db/schema.ts';
import type { Selectable } from 'kysely';

export type OutboxRow = Selectable<Database['outbox']>;

export async function listOutbox(
  db: Db,
  filter: { to?: string; cursor?: string; limit?: number },
): Promise<Page<OutboxRow>> {
  const limit = clampLimit(filter.limit);
  const cursor = decodeCursor(filter.cursor);
  let q = db.selectFrom('outbox').selectAll();
  if (filter.to) q = q.where('to_address', '=', filter.to.trim().toLowerCase());
  if (cursor) q = q.where(keysetBefore(cursor));
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => r);
}

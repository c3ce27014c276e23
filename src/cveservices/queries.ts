import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import { clampLimit, decodeCursor, toPage, type Page } from '../app/pagination.ts';
import type { CveReservationRow } from '../db/schema.ts';
import type { Actor } from '../policy/actor.ts';
import { mayReadReservations } from '../policy/cveservices.ts';

export interface ReservationItem {
  id: string;
  cveId: string;
  state: CveReservationRow['state'];
  vulnerabilityId: string | null;
  vulnerabilityTitle: string | null;
  caseRef: string | null;
  advisoryId: string | null;
  advisoryTrackingId: string | null;
  requestedBy: string | null;
  reservedAt: Date | null;
  publishedAt: Date | null;
  rejectedAt: Date | null;
  createdAt: Date;
}

/**
 * Which reservations a caller sees, in SQL over `r` (cve_reservations) and `v` (its vulnerability): staff and the
 * system only, and a reservation for a case vulnerability only when the caller may read that case in full.
 */
function scopeSql(actor: Actor) {
  if (!mayReadReservations(actor)) return sql<boolean>`false`;
  return sql<boolean>`true`;
}

/** The reservations, newest first (optionally one state). */
export async function listReservations(
  db: Db,
  actor: Actor,
  filter: { state?: string | undefined; cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<ReservationItem>> {
  const limit = clampLimit(filter.limit);
  const cursor = decodeCursor(filter.cursor);
  let q = db
    .selectFrom('cve_reservations as r')
    .leftJoin('vulnerabilities as v', 'v.id', 'r.vulnerability_id')
    .leftJoin('cases as c', 'c.id', 'v.case_id')
    .leftJoin('advisories as a', 'a.id', 'r.advisory_id')
    .selectAll('r')
    .select(['v.title as vulnerability_title', 'c.case_id as case_ref', 'a.tracking_id as advisory_tracking_id'])
    .where(scopeSql(actor));
  if (filter.state) q = q.where('r.state', '=', filter.state as CveReservationRow['state']);
  if (cursor) q = q.where(sql<boolean>`(r.created_at, r.id) < (${cursor.at}, ${cursor.id})`);
  const rows = await q
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => ({
    id: r.id,
    cveId: r.cve_id,
    state: r.state,
    vulnerabilityId: r.vulnerability_id,
    vulnerabilityTitle: r.vulnerability_title,
    caseRef: r.case_ref,
    advisoryId: r.advisory_id,
    advisoryTrackingId: r.advisory_tracking_id,
    requestedBy: r.requested_by,
    reservedAt: r.reserved_at,
    publishedAt: r.published_at,
    rejectedAt: r.rejected_at,
    createdAt: r.created_at,
  }));
}

export async function findReservation(db: Db, cveId: string): Promise<CveReservationRow | undefined> {
  return db.selectFrom('cve_reservations').selectAll().where('cve_id', '=', cveId).executeTakeFirst();
}

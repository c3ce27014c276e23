import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import { clampLimit, decodeCursor, likePattern, toPage, type Page } from '../app/pagination.ts';
import { sha256 } from '../auth/secrets.ts';
import { AppError, notFound, validation } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import type { FinderRow, ReportEventRow, ReportMessageRow, ReportRow } from '../db/schema.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can, instance, type ReportResource } from '../policy/policy.ts';
import { rmStates, type RmState } from '../vultron/rm.ts';

export const REPORT_LINK_PREFIX = 'accf_';

/** A term found in this share of reports or more does not make two reports alike. */
const COMMON_TERM_SHARE = 0.005;
/** Similar-report ranking looks at most at this many matching reports, the newest. */
const SIMILAR_CANDIDATES = 1000;

export function reportResource(r: Pick<ReportRow, 'id' | 'submitted_by'>): ReportResource {
  return { type: 'report', id: r.id, submittedBy: r.submitted_by };
}

/**
 * Every column of a report row except the generated search vector (`reports.search`), which is
 * large and only ever used inside SQL. Use this instead of `selectAll` / `returningAll`.
 */
export const reportColumns = [
  'id',
  'tracking_id',
  'title',
  'description',
  'products',
  'details',
  'language',
  'channel',
  'rm_state',
  'close_reason',
  'duplicate_of',
  'finder_id',
  'submitted_by',
  'assignee_id',
  'cvss_vector',
  'cvss_score',
  'severity',
  'cwe',
  'followup_hash',
  'submitted_encrypted',
  'ack_due_at',
  'ack_risk_at',
  'acknowledged_at',
  'triage_due_at',
  'triage_risk_at',
  'triaged_at',
  'awaiting_finder_since',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof ReportRow)[];
// A column added to the reports table must be added above (this line stops compiling otherwise).
const everyReportColumn: Exclude<keyof ReportRow, (typeof reportColumns)[number]> extends never ? true : never = true;
void everyReportColumn;

/** By tracking id (ACC-2026-0001) or uuid. */
export async function findReport(db: Db, ref: string): Promise<ReportRow | undefined> {
  const q = db.selectFrom('reports').select(reportColumns);
  if (isUuid(ref)) return q.where('id', '=', ref).executeTakeFirst();
  if (!/^[A-Z][A-Z0-9]*-\d{4}-\d{4,}$/.test(ref)) return undefined;
  return q.where('tracking_id', '=', ref).executeTakeFirst();
}

/** Loads a report the actor may read; anything else is "not found", hidden or missing alike. */
export async function loadReadableReport(db: Db, actor: Actor, ref: string): Promise<ReportRow> {
  const report = await findReport(db, ref);
  if (!report || !can(actor, 'report:read', reportResource(report))) {
    if (actor.kind === 'anonymous') {
      throw new AppError('ERR_UNAUTHENTICATED', 'open your follow-up link, or sign in, to see a report');
    }
    throw notFound('report', ref);
  }
  return report;
}

/** A follow-up link secret → the report it opens (only its hash is stored). */
export async function findReportByLink(
  db: Db,
  secret: string,
): Promise<{ id: string; tracking_id: string } | undefined> {
  if (!secret.startsWith(REPORT_LINK_PREFIX)) return undefined;
  return db
    .selectFrom('reports')
    .select(['id', 'tracking_id'])
    .where('followup_hash', '=', sha256(secret))
    .executeTakeFirst();
}

export async function reportMessages(
  db: Db,
  reportId: string,
  opts: { internal: boolean },
): Promise<ReportMessageRow[]> {
  let q = db.selectFrom('report_messages').selectAll().where('report_id', '=', reportId);
  if (!opts.internal) q = q.where('visibility', '=', 'shared');
  return q.orderBy('seq').execute();
}

export interface AttachmentMeta {
  id: string;
  message_id: string | null;
  visibility: 'shared' | 'internal';
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: Date;
}

export async function reportAttachments(
  db: Db,
  reportId: string,
  opts: { internal: boolean },
): Promise<AttachmentMeta[]> {
  let q = db
    .selectFrom('attachments')
    .select(['id', 'message_id', 'visibility', 'filename', 'content_type', 'size', 'sha256', 'created_at'])
    .where('report_id', '=', reportId);
  if (!opts.internal) q = q.where('visibility', '=', 'shared');
  return q.orderBy('created_at').execute();
}

export async function reportEvents(db: Db, reportId: string): Promise<ReportEventRow[]> {
  return db.selectFrom('report_events').selectAll().where('report_id', '=', reportId).orderBy('seq').execute();
}

export interface SimilarReport {
  id: string;
  tracking_id: string;
  title: string;
  rm_state: string;
  score: number;
}

/** Words worth matching on: letters and digits only, so nothing reaches to_tsquery unescaped. */
export function similarityTerms(text: string, max = 30): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]{3,40}/gu) ?? [];
  return [...new Set(words)].slice(0, max);
}

/**
 * How common each term is, from the planner's statistics on `reports.search` (ANALYZE keeps the
 * most common lexemes of a tsvector column with their frequencies): no scan of the reports. A term
 * missing from the list is rarer than any listed one; without statistics every term counts as rare.
 */
async function termShares(db: Db): Promise<Map<string, number>> {
  const rows = await sql<{ elems: string[] | null; freqs: (number | string)[] | null }>`
    select most_common_elems::text::text[] as elems, most_common_elem_freqs as freqs
    from pg_stats where schemaname = current_schema() and tablename = 'reports' and attname = 'search'`.execute(db);
  const shares = new Map<string, number>();
  const { elems, freqs } = rows.rows[0] ?? { elems: null, freqs: null };
  elems?.forEach((term, i) => shares.set(term, Number(freqs?.[i] ?? 0)));
  return shares;
}

/**
 * Reports about the same thing, best first: a full-text match over title, description and
 * products (the stored `reports.search` vector) on the report's distinctive terms, so words most
 * reports share ("the", "vulnerability") never make every report a candidate. Ranking is bounded:
 * the newest `SIMILAR_CANDIDATES` matches at most.
 */
export async function similarReports(
  db: Db,
  report: Pick<ReportRow, 'id' | 'title' | 'products' | 'description'>,
  limit = 5,
  commonShare = COMMON_TERM_SHARE,
): Promise<SimilarReport[]> {
  const terms = similarityTerms(`${report.title} ${report.products} ${report.description.slice(0, 600)}`);
  if (terms.length === 0) return [];
  const shares = await termShares(db);
  const share = (t: string) => shares.get(t) ?? 0;
  const rare = terms.filter((t) => share(t) < commonShare);
  // Only common terms: the three least common, all required, still say something.
  const query =
    rare.length > 0
      ? sql`to_tsquery('simple', ${rare.join(' | ')})`
      : sql`to_tsquery('simple', ${[...terms]
          .sort((a, b) => share(a) - share(b))
          .slice(0, 3)
          .join(' & ')})`;
  const candidates = db
    .selectFrom('reports as r')
    .select(['r.id', 'r.tracking_id', 'r.title', 'r.rm_state', 'r.created_at'])
    .select(sql<string>`r.search`.as('search'))
    .where(sql<boolean>`r.search @@ ${query}`)
    .where('r.id', '!=', report.id)
    .orderBy('r.created_at', 'desc')
    .limit(SIMILAR_CANDIDATES)
    .as('c');
  const rows = await db
    .selectFrom(candidates)
    .select(['c.id', 'c.tracking_id', 'c.title', 'c.rm_state'])
    .select(sql<number>`ts_rank(c.search, ${query})`.as('score'))
    .orderBy('score', 'desc')
    .orderBy('c.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, score: Math.round(Number(r.score) * 1000) / 1000 }));
}

export interface QueueFilter {
  state?: string;
  assignee?: string;
  sla?: string;
  language?: string;
  product?: string;
  q?: string;
  olderThanDays?: number;
  sort?: string;
  cursor?: string;
  limit?: number;
}

/** The columns the queue shows: never the descriptions and details it does not (they are most of a row). */
const queueColumns = [
  'r.id',
  'r.tracking_id',
  'r.title',
  'r.rm_state',
  'r.severity',
  'r.cvss_score',
  'r.language',
  'r.products',
  'r.channel',
  'r.assignee_id',
  'r.created_at',
  'r.acknowledged_at',
  'r.ack_due_at',
  'r.ack_risk_at',
  'r.triaged_at',
  'r.triage_due_at',
  'r.triage_risk_at',
  'r.awaiting_finder_since',
] as const;

type QueueColumn = (typeof queueColumns)[number] extends `r.${infer C}` ? C : never;

export type QueueRow = Pick<ReportRow, QueueColumn & keyof ReportRow> & { assignee_name: string | null };

/**
 * The triage queue for staff; a finder with an account sees only their own reports. Filters run
 * in SQL on indexed or derived columns, so the first page stays fast with many reports.
 */
export async function listReports(db: Db, actor: Actor, filter: QueueFilter, now: Date): Promise<Page<QueueRow>> {
  const staff = can(actor, 'report:list', instance);
  if (!staff && actor.kind !== 'user') authorize(actor, 'report:list', instance);
  const limit = clampLimit(filter.limit);
  const cursor = decodeCursor(filter.cursor);
  const sort = filter.sort ?? 'newest';
  if (sort !== 'newest' && sort !== 'oldest') {
    throw validation('sort must be newest or oldest', { field: 'sort' });
  }
  let q = db
    .selectFrom('reports as r')
    .leftJoin('users as a', 'a.id', 'r.assignee_id')
    .select(queueColumns)
    .select('a.name as assignee_name');
  if (!staff && actor.kind === 'user') q = q.where('r.submitted_by', '=', actor.userId);
  if (filter.state) {
    const states = filter.state.split(',').map((s) => s.trim().toUpperCase());
    const bad = states.find((s) => !(rmStates as readonly string[]).includes(s));
    if (bad !== undefined) {
      throw validation(`state "${bad}" is unknown; use R, I, V, D, A or C (comma-separated)`, { field: 'state' });
    }
    q = q.where('r.rm_state', 'in', states as RmState[]);
  }
  if (filter.assignee) {
    if (filter.assignee === 'none') q = q.where('r.assignee_id', 'is', null);
    else if (filter.assignee === 'me' && actor.kind === 'user') q = q.where('r.assignee_id', '=', actor.userId);
    else if (isUuid(filter.assignee)) q = q.where('r.assignee_id', '=', filter.assignee);
    else throw validation('assignee must be me, none or a user id', { field: 'assignee' });
  }
  if (filter.sla) {
    // clockStateAt over the stored clocks (reports/sla.ts storedReportClocks): an open clock without a
    // risk instant is paused since the open question, and one paused before its deadline is not breached.
    const breachedClock = (done: string, due: string, risk: string) =>
      sql<boolean>`(${sql.ref(done)} is null and ${sql.ref(due)} < ${now} and (${sql.ref(risk)} is not null
        or r.awaiting_finder_since is null or r.awaiting_finder_since >= ${sql.ref(due)}))`;
    const breached = sql<boolean>`(${breachedClock('r.acknowledged_at', 'r.ack_due_at', 'r.ack_risk_at')}
      or ${breachedClock('r.triaged_at', 'r.triage_due_at', 'r.triage_risk_at')})`;
    if (filter.sla === 'breached') q = q.where(breached);
    else if (filter.sla === 'at_risk') {
      q = q.where(sql<boolean>`not ${breached} and ((r.acknowledged_at is null and r.ack_risk_at <= ${now})
        or (r.triaged_at is null and r.triage_risk_at <= ${now}))`);
    } else throw validation('sla must be at_risk or breached', { field: 'sla' });
  }
  if (filter.language) q = q.where('r.language', '=', filter.language.toLowerCase());
  if (filter.product) q = q.where('r.products', 'ilike', likePattern(filter.product));
  if (filter.q) {
    const terms = similarityTerms(filter.q, 10);
    if (terms.length > 0) {
      const query = sql`to_tsquery('simple', ${terms.map((t) => `${t}:*`).join(' & ')})`;
      q = q.where((eb) =>
        eb.or([eb(sql`r.search`, '@@', query), eb('r.tracking_id', '=', filter.q!.trim().toUpperCase())]),
      );
    }
  }
  if (filter.olderThanDays !== undefined) {
    q = q.where('r.created_at', '<', new Date(now.getTime() - filter.olderThanDays * 86400_000));
  }
  if (cursor) {
    q = q.where(
      sort === 'newest'
        ? sql<boolean>`(r.created_at, r.id) < (${cursor.at}, ${cursor.id})`
        : sql<boolean>`(r.created_at, r.id) > (${cursor.at}, ${cursor.id})`,
    );
  }
  const dir = sort === 'newest' ? 'desc' : 'asc';
  const rows = await q
    .orderBy('r.created_at', dir)
    .orderBy('r.id', dir)
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => r);
}

/** Staff who may be assigned reports (triage rights). */
export async function isTriager(db: Db, userId: string): Promise<boolean> {
  if (!isUuid(userId)) return false;
  const row = await db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.org_id')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('m.role')
    .where('m.user_id', '=', userId)
    .where('o.kind', '=', 'home')
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined && ['admin', 'coordinator', 'analyst'].includes(row.role);
}

export interface FinderFigures {
  reports: number;
  valid: number;
  invalid: number;
  duplicates: number;
  /** Share of decided reports that were valid (validated at some point), 0..1; null before any decision. */
  validShare: number | null;
  averageCvss: number | null;
  firstReportAt: Date | null;
  lastReportAt: Date | null;
}

/** Quality figures of one finder, computed from their reports and the recorded RM moves. */
export async function finderFigures(db: Db, finderId: string): Promise<FinderFigures> {
  const row = await db
    .selectFrom('reports as r')
    .select((eb) => [
      eb.fn.countAll<number>().as('reports'),
      sql<number>`count(*) filter (where exists (select 1 from report_events e
        where e.report_id = r.id and e.kind = 'transition' and e.to_state = 'V'))`.as('valid'),
      sql<number>`count(*) filter (where r.close_reason = 'duplicate')`.as('duplicates'),
      sql<number>`count(*) filter (where r.rm_state = 'I' or (r.rm_state = 'C' and r.close_reason <> 'duplicate'
        and not exists (select 1 from report_events e where e.report_id = r.id and e.to_state = 'V')))`.as('invalid'),
      sql<number | null>`round(avg(r.cvss_score), 1)`.as('average_cvss'),
      sql<Date | null>`min(r.created_at)`.as('first_at'),
      sql<Date | null>`max(r.created_at)`.as('last_at'),
    ])
    .where('r.finder_id', '=', finderId)
    .executeTakeFirstOrThrow();
  const valid = Number(row.valid);
  const invalid = Number(row.invalid);
  return {
    reports: Number(row.reports),
    valid,
    invalid,
    duplicates: Number(row.duplicates),
    validShare: valid + invalid > 0 ? Math.round((valid / (valid + invalid)) * 100) / 100 : null,
    averageCvss: row.average_cvss === null ? null : Number(row.average_cvss),
    firstReportAt: row.first_at ? new Date(row.first_at) : null,
    lastReportAt: row.last_at ? new Date(row.last_at) : null,
  };
}

export async function listFinders(
  db: Db,
  filter: { q?: string; cursor?: string; limit?: number },
): Promise<Page<FinderRow & { reports: number }>> {
  const limit = clampLimit(filter.limit);
  const cursor = decodeCursor(filter.cursor);
  let q = db
    .selectFrom('finders as f')
    .selectAll('f')
    .select((eb) =>
      eb
        .selectFrom('reports as r')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('r.finder_id', '=', 'f.id')
        .as('reports'),
    );
  if (filter.q) {
    const like = likePattern(filter.q);
    q = q.where((eb) =>
      eb.or([
        eb('f.email', 'ilike', like),
        eb('f.name', 'ilike', like),
        eb('f.handle', 'ilike', like),
        eb('f.pgp_fingerprint', 'ilike', like),
      ]),
    );
  }
  if (cursor) q = q.where(sql<boolean>`(f.created_at, f.id) < (${cursor.at}, ${cursor.id})`);
  const rows = await q
    .orderBy('f.created_at', 'desc')
    .orderBy('f.id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(
    rows.map((r) => ({ ...r, reports: Number(r.reports ?? 0) })),
    limit,
    (r) => r,
  );
}

import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import { postScope, threadScope, viewerOf, type Viewer } from '../cases/threads.ts';
import type { CaseRow } from '../db/schema.ts';
import type { Actor } from '../policy/actor.ts';
import { can, type CaseResource } from '../policy/policy.ts';
import { eventDataFor, eventKindsFor, resolvePreferences, type Preferences } from './rules.ts';

/**
 * Reads for notifications: read state, "changes since your last visit", preferences, a case's
 * policy, webhooks and their delivery log. Everything about a case is read through the scopes of
 * src/cases/threads.ts (threads, TLP) and the status matrix's rule, so nobody learns more here
 * than on the case page.
 */

const NONE = '00000000-0000-0000-0000-000000000000';

export async function preferencesOf(db: Db, userId: string): Promise<Preferences> {
  const row = await db
    .selectFrom('notification_preferences')
    .select(['content_mode', 'kinds'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return resolvePreferences(row ?? null);
}

export async function casePolicy(db: Db, caseId: string) {
  const row = await db
    .selectFrom('case_notification_policies')
    .selectAll()
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return { noticeOnly: row?.notice_only ?? false, updatedAt: row?.updated_at ?? null };
}

export async function lastVisit(db: Db, userId: string, caseId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('case_visits')
    .select('last_seen_at')
    .where('user_id', '=', userId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return row?.last_seen_at ?? null;
}

/** Posts the viewer may see, did not write, and has not marked read. */
function unreadPosts(v: Viewer) {
  const me = v.userId ?? NONE;
  return sql<boolean>`(${threadScope(v)} and ${postScope(v)} and p.author_user_id is distinct from ${me}
    and not exists (select 1 from post_reads r where r.user_id = ${me} and r.post_id = p.id))`;
}

/** Unread posts per thread of a case, for the viewer. */
export async function unreadByThread(db: Db, v: Viewer, caseId: string): Promise<Map<string, number>> {
  if (!v.userId) return new Map();
  const rows = await db
    .selectFrom('case_posts as p')
    .innerJoin('case_threads as t', 't.id', 'p.thread_id')
    .select(['p.thread_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('p.case_id', '=', caseId)
    .where(unreadPosts(v))
    .groupBy('p.thread_id')
    .execute();
  return new Map(rows.map((r) => [r.thread_id, Number(r.n)]));
}

/** Unread posts in a case, or null when the caller may not read the case's threads (terms not accepted). */
export async function unreadInCase(
  db: Db,
  actor: Actor,
  c: Pick<CaseRow, 'id' | 'terms_version'>,
  resource: CaseResource,
): Promise<number | null> {
  if (actor.kind !== 'user' || !can(actor, 'case:read_full', resource)) return null;
  const v = await viewerOf(db, actor, c);
  const row = await db
    .selectFrom('case_posts as p')
    .innerJoin('case_threads as t', 't.id', 'p.thread_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('p.case_id', '=', c.id)
    .where(unreadPosts(v))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Which of these posts the user has read. */
export async function readPostIds(db: Db, userId: string, postIds: string[]): Promise<Set<string>> {
  if (postIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('post_reads')
    .select('post_id')
    .where('user_id', '=', userId)
    .where('post_id', 'in', postIds)
    .execute();
  return new Set(rows.map((r) => r.post_id));
}

const CHANGES_LIMIT = 200;

/**
 * What changed in a case since the caller's last visit (everything, the first time), newest
 * last, at most 200 of each: posts under the thread and TLP scopes; vendor statements by the
 * status matrix's rule (staff all; a vendor its own, others' only where sharing is allowed);
 * timeline events by `eventAudience`. The caller's own doings are left out. The caller must read
 * the full case (the route checks it).
 */
export async function caseChanges(db: Db, actor: Actor & { kind: 'user' }, c: CaseRow) {
  const since = await lastVisit(db, actor.userId, c.id);
  const v = await viewerOf(db, actor, c);
  const me = actor.userId;
  const after = (col: string) => (since ? sql<boolean>`${sql.ref(col)} > ${since}` : sql<boolean>`true`);

  const posts = await db
    .selectFrom('case_posts as p')
    .innerJoin('case_threads as t', 't.id', 'p.thread_id')
    .select([
      'p.id',
      'p.thread_id',
      't.kind as thread_kind',
      't.title as thread_title',
      'p.author_label',
      'p.tlp',
      'p.body',
      'p.mentions',
      'p.created_at',
    ])
    .select(sql<boolean>`exists (select 1 from post_reads r where r.user_id = ${me} and r.post_id = p.id)`.as('read'))
    .where('p.case_id', '=', c.id)
    .where(threadScope(v))
    .where(postScope(v))
    .where(sql<boolean>`p.author_user_id is distinct from ${me}`)
    .where(after('p.created_at'))
    .orderBy('p.seq', 'desc')
    .limit(CHANGES_LIMIT + 1)
    .execute();

  const statusScope = v.staff
    ? sql<boolean>`true`
    : v.participantIds.length > 0
      ? sql<boolean>`(s.participant_id in (${sql.join(v.participantIds)}) or s.may_share)`
      : sql<boolean>`s.may_share`;
  const statuses = await db
    .selectFrom('vendor_statuses as s')
    .innerJoin('case_participants as cp', 'cp.id', 's.participant_id')
    .leftJoin('organizations as o', 'o.id', 'cp.org_id')
    .leftJoin('vulnerabilities as vu', 'vu.id', 's.vulnerability_id')
    .select([
      's.id',
      's.participant_id',
      'o.name as vendor',
      's.vulnerability_id',
      'vu.title as vulnerability',
      's.product',
      's.status',
      's.updated_at',
    ])
    .where('s.case_id', '=', c.id)
    .where('cp.removed_at', 'is', null)
    .where(statusScope)
    .where(sql<boolean>`s.updated_by is distinct from ${me}`)
    .where(after('s.updated_at'))
    .orderBy('s.updated_at', 'desc')
    .limit(CHANGES_LIMIT + 1)
    .execute();

  const kinds = (a: Parameters<typeof eventKindsFor>[0]) => sql.join(eventKindsFor(a).map((k) => sql.lit(k)));
  const eventScope = v.staff
    ? sql<boolean>`e.kind <> 'post_added'`
    : sql<boolean>`(e.kind in (${kinds('participants')})
        or (e.kind in (${kinds('own')}) and e.participant_id in (${v.participantIds.length > 0 ? sql.join(v.participantIds) : sql`null`}))
        or (e.kind in (${kinds('thread')}) and exists (
          select 1 from case_threads t where t.case_id = e.case_id and t.id::text = e.data->>'threadId' and ${threadScope(v)})))`;
  const events = await db
    .selectFrom('case_events as e')
    .select(['e.kind', 'e.participant_id', 'e.actor_label', 'e.data', 'e.created_at'])
    .where('e.case_id', '=', c.id)
    .where(eventScope)
    .where(sql<boolean>`e.actor_user_id is distinct from ${me}`)
    .where(after('e.created_at'))
    .orderBy('e.seq', 'desc')
    .limit(CHANGES_LIMIT + 1)
    .execute();

  const unread = await db
    .selectFrom('case_posts as p')
    .innerJoin('case_threads as t', 't.id', 'p.thread_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('p.case_id', '=', c.id)
    .where(unreadPosts(v))
    .executeTakeFirstOrThrow();

  return {
    since,
    unread: Number(unread.n),
    truncated: posts.length > CHANGES_LIMIT || statuses.length > CHANGES_LIMIT || events.length > CHANGES_LIMIT,
    posts: posts.slice(0, CHANGES_LIMIT).reverse(),
    statuses: statuses.slice(0, CHANGES_LIMIT).reverse(),
    events: events
      .slice(0, CHANGES_LIMIT)
      .reverse()
      .map((e) => ({ ...e, data: eventDataFor(e.kind, e.data, v.staff) })),
  };
}

export async function listWebhooks(db: Db, orgId: string) {
  return db
    .selectFrom('webhooks as w')
    .select([
      'w.id',
      'w.org_id',
      'w.url',
      'w.secret_hint',
      'w.previous_secret_hint',
      'w.previous_secret_expires_at',
      'w.secret_rotated_at',
      'w.event_kinds',
      'w.active',
      'w.created_at',
      'w.updated_at',
      (eb) =>
        eb
          .selectFrom('webhook_deliveries as d')
          .select('d.status')
          .whereRef('d.webhook_id', '=', 'w.id')
          .orderBy('d.created_at', 'desc')
          .limit(1)
          .as('last_status'),
    ])
    .where('w.org_id', '=', orgId)
    .orderBy('w.created_at')
    .execute();
}

export async function findWebhook(db: Db, orgId: string, webhookId: string) {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', webhookId)
    .executeTakeFirst();
}

export async function listDeliveries(db: Db, webhookId: string, limit = 50) {
  return db
    .selectFrom('webhook_deliveries')
    .select([
      'id',
      'event_id',
      'event_kind',
      'status',
      'attempts',
      'response_status',
      'last_error',
      'created_at',
      'last_attempt_at',
      'delivered_at',
    ])
    .where('webhook_id', '=', webhookId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

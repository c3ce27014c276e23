import { sql, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { AppError, notFound } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import { caseOrgAudience, emitWebhookEvent, enqueueNotification } from '../notifications/dispatch.ts';
import { parseMentions, postKindsFor, type NotificationKind } from '../notifications/rules.ts';
import { findHomeOrg } from '../orgs/queries.ts';
import { actorId, type Actor } from '../policy/actor.ts';
import { authorize, can, type CaseResource } from '../policy/policy.ts';
import { invalidFields } from '../reports/rules.ts';
import { membershipsOf, toActor } from '../users/queries.ts';
import { recordCaseEvent } from './events.ts';
import { caseResource, findCase, participationSql } from './queries.ts';
import { checkPost, type PostInput } from './rules.ts';

/**
 * Case threads and posts. Who sees what is decided in SQL (`viewerOf` → `threadScope`,
 * `postScope`), never by filtering loaded rows:
 * - staff see every thread; a participant org that accepted the terms sees the official and the
 *   discussion thread, and the private threads it is a member of;
 * - a TLP:AMBER+STRICT post is seen by the author's and the recipient's organizations only;
 * - a TLP:RED post by its author and the named recipients only (staff included only if named).
 */

type Tx = Transaction<Database>;

export interface Viewer {
  staff: boolean;
  userId: string | null;
  /** Organizations the viewer acts for in this case (the home org for staff). */
  orgIds: string[];
  /** Participations of the viewer's orgs that accepted the terms and admit this user. */
  participantIds: string[];
}

export async function viewerOf(db: Db, actor: Actor, c: Pick<CaseRow, 'id' | 'terms_version'>): Promise<Viewer> {
  if (actor.kind !== 'user') return { staff: actor.kind === 'system', userId: null, orgIds: [], participantIds: [] };
  const staff = actor.staffRole !== null;
  const home = staff ? await findHomeOrg(db) : undefined;
  const orgIds = actor.memberships.map((m) => m.orgId);
  const rows =
    orgIds.length === 0
      ? []
      : await db
          .selectFrom('case_participants')
          .select(['id', 'org_id'])
          .where('case_id', '=', c.id)
          .where('org_id', 'in', orgIds)
          .where('removed_at', 'is', null)
          .where('terms_version', '=', c.terms_version)
          .where(sql<boolean>`(jsonb_array_length(allowed_user_ids) = 0 or allowed_user_ids ? ${actor.userId})`)
          .execute();
  return {
    staff,
    userId: actor.userId,
    orgIds: [...rows.map((r) => r.org_id ?? ''), ...(home ? [home.id] : [])].filter(Boolean),
    participantIds: rows.map((r) => r.id),
  };
}

export function threadScope(v: Viewer) {
  if (v.staff) return sql<boolean>`true`;
  if (v.participantIds.length === 0) return sql<boolean>`false`;
  return sql<boolean>`(t.kind in ('official', 'discussion') or exists (
    select 1 from case_thread_members m where m.thread_id = t.id and m.participant_id in (${sql.join(v.participantIds)})))`;
}

export function postScope(v: Viewer) {
  const me = v.userId ?? '00000000-0000-0000-0000-000000000000';
  const orgs = v.orgIds.length > 0 ? sql`(${sql.join(v.orgIds)})` : sql`(null)`;
  return sql<boolean>`(
    (p.tlp not in ('AMBER+STRICT', 'RED'))
    or (p.tlp = 'AMBER+STRICT' and (p.author_user_id = ${me} or p.author_org_id in ${orgs} or p.recipient_org_id in ${orgs}))
    or (p.tlp = 'RED' and (p.author_user_id = ${me} or p.recipient_user_ids ? ${me})))`;
}

/**
 * `threadScope` and `postScope` over every case at once, for search (aliases `c` case, `t`
 * thread, `p` post): staff read every thread; others the official and discussion threads and
 * their private threads of cases where their organization accepted the current terms; the
 * post's TLP then admits them as in `postScope` (AMBER+STRICT: the author's and the recipient's
 * organizations; RED: the author and the named people).
 */
export function postSearchScope(actor: Actor) {
  if (actor.kind !== 'user') return sql<boolean>`false`;
  const staff = actor.staffRole !== null;
  const member = actor.memberships.length > 0;
  if (!staff && !member) return sql<boolean>`false`;
  const accepted = member ? participationSql(actor, { accepted: true }) : null;
  const inOrgs = (col: string) => {
    const ref = sql.ref(col);
    const parts = accepted ? sql`${ref} in (select ap.org_id from ${accepted})` : sql`false`;
    return staff ? sql`(${parts} or ${ref} in (select o.id from organizations o where o.kind = 'home'))` : parts;
  };
  const thread = staff
    ? sql`true`
    : sql`(exists (select 1 from ${accepted!}) and (t.kind in ('official', 'discussion') or exists (
        select 1 from case_thread_members m where m.thread_id = t.id and m.participant_id in (select ap.id from ${accepted!}))))`;
  const me = actor.userId;
  return sql<boolean>`(${thread} and (
    (p.tlp not in ('AMBER+STRICT', 'RED'))
    or (p.tlp = 'AMBER+STRICT' and (p.author_user_id = ${me} or ${inOrgs('p.author_org_id')} or ${inOrgs('p.recipient_org_id')}))
    or (p.tlp = 'RED' and (p.author_user_id = ${me} or p.recipient_user_ids ? ${me}))))`;
}

export async function visibleThreads(db: Db, v: Viewer, caseId: string) {
  return db
    .selectFrom('case_threads as t')
    .selectAll('t')
    .select((eb) =>
      eb
        .selectFrom('case_posts as p')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('p.thread_id', '=', 't.id')
        .where(postScope(v))
        .as('posts'),
    )
    .where('t.case_id', '=', caseId)
    .where(threadScope(v))
    .orderBy('t.created_at')
    .execute();
}

async function loadThread(db: Db, v: Viewer, caseId: string, threadId: string) {
  if (!isUuid(threadId)) throw notFound('thread', threadId);
  const t = await db
    .selectFrom('case_threads as t')
    .selectAll('t')
    .where('t.case_id', '=', caseId)
    .where('t.id', '=', threadId)
    .where(threadScope(v))
    .executeTakeFirst();
  if (!t) throw notFound('thread', threadId);
  return t;
}

export async function visiblePosts(db: Db, v: Viewer, caseId: string, threadId: string) {
  const t = await loadThread(db, v, caseId, threadId);
  const posts = await db
    .selectFrom('case_posts as p')
    .selectAll('p')
    .where('p.thread_id', '=', t.id)
    .where(postScope(v))
    .orderBy('p.seq')
    .execute();
  return { thread: t, posts };
}

/** The official and discussion threads every case has. */
export async function createStandardThreads(tx: Tx, ctx: Ctx, caseId: string): Promise<void> {
  for (const [kind, title] of [
    ['official', 'Official notices'],
    ['discussion', 'Discussion'],
  ] as const) {
    await tx
      .insertInto('case_threads')
      .values({ id: newId(), case_id: caseId, kind, title, created_by: actorId(ctx.actor), created_at: ctx.now() })
      .execute();
  }
}

async function loadCaseFor(tx: Tx, ctx: Ctx, ref: string): Promise<{ c: CaseRow; resource: CaseResource; v: Viewer }> {
  const c = await findCase(tx, ref);
  if (!c) throw notFound('case', ref);
  const resource = await caseResource(tx, ctx.actor, c);
  authorize(ctx.actor, 'case:read_full', resource, 'case:read');
  return { c, resource, v: await viewerOf(tx, ctx.actor, c) };
}

/** A private thread: staff choose the participants; a participant opens one between itself and the coordinators. */
export async function createPrivateThread(ctx: Ctx, ref: string, input: { title: string; participantIds: string[] }) {
  const title = input.title.trim();
  if (title.length < 1 || title.length > 200)
    throw invalidFields([{ field: 'title', message: 'the title must be 1 to 200 characters' }]);
  return inTransaction(ctx, async (tx) => {
    const { c, resource, v } = await loadCaseFor(tx, ctx, ref);
    const manage = can(ctx.actor, 'case:manage', resource);
    const ids = [...new Set(input.participantIds)];
    if (!manage && (ids.length !== 1 || !v.participantIds.includes(ids[0]!))) {
      throw new AppError(
        'ERR_FORBIDDEN',
        'a participant may open a private thread between its own organization and the coordinators only',
      );
    }
    const found = ids.length
      ? await tx
          .selectFrom('case_participants')
          .select('id')
          .where('case_id', '=', c.id)
          .where('id', 'in', ids)
          .where('removed_at', 'is', null)
          .execute()
      : [];
    if (found.length !== ids.length || ids.length === 0) {
      throw invalidFields([{ field: 'participantIds', message: 'choose one or more participants of this case' }]);
    }
    const thread = await tx
      .insertInto('case_threads')
      .values({
        id: newId(),
        case_id: c.id,
        kind: 'private',
        title,
        created_by: actorId(ctx.actor),
        created_at: ctx.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('case_thread_members')
      .values(ids.map((participant_id) => ({ thread_id: thread.id, participant_id })))
      .execute();
    await recordCaseEvent(tx, ctx, c.id, 'thread_created', {
      threadId: thread.id,
      kind: 'private',
      members: ids.length,
    });
    await recordAudit(tx, ctx, {
      action: 'case.thread_create',
      subjectType: 'case',
      subjectId: c.id,
      summary: { threadId: thread.id },
    });
    return thread;
  });
}

/** Users who can see a thread: staff, and members of participant orgs that may see it. */
export async function threadAudience(
  tx: Db,
  c: Pick<CaseRow, 'id' | 'terms_version'>,
  threadKind: string,
  threadId: string,
): Promise<Set<string>> {
  const staff = await tx
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.org_id')
    .select('m.user_id')
    .where('o.kind', '=', 'home')
    .execute();
  let parts = tx
    .selectFrom('case_participants as p')
    .innerJoin('memberships as m', 'm.org_id', 'p.org_id')
    .select(['m.user_id', 'p.allowed_user_ids'])
    .where('p.case_id', '=', c.id)
    .where('p.removed_at', 'is', null)
    .where('p.terms_version', '=', c.terms_version);
  if (threadKind === 'private') {
    parts = parts.where((eb) =>
      eb.exists(
        eb
          .selectFrom('case_thread_members as tm')
          .select('tm.thread_id')
          .where('tm.thread_id', '=', threadId)
          .whereRef('tm.participant_id', '=', 'p.id'),
      ),
    );
  }
  const rows = await parts.execute();
  return new Set([
    ...staff.map((s) => s.user_id),
    ...rows
      .filter((r) => r.allowed_user_ids.length === 0 || r.allowed_user_ids.includes(r.user_id))
      .map((r) => r.user_id),
  ]);
}

export async function addPost(ctx: Ctx, ref: string, threadId: string, input: PostInput) {
  const checked = checkPost(input);
  return inTransaction(ctx, async (tx) => {
    const { c, resource, v } = await loadCaseFor(tx, ctx, ref);
    const thread = await loadThread(tx, v, c.id, threadId);
    if (thread.kind === 'official' && !can(ctx.actor, 'case:manage', resource)) {
      throw new AppError('ERR_FORBIDDEN', 'the official thread is written by the case lead and coordinators');
    }
    if (ctx.actor.kind !== 'user') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first');
    const authorOrg = v.staff ? ((await findHomeOrg(tx))?.id ?? null) : (v.orgIds[0] ?? null);
    if (checked.recipientOrgId) {
      const org = await tx
        .selectFrom('case_participants')
        .select('org_id')
        .where('case_id', '=', c.id)
        .where('removed_at', 'is', null)
        .where(
          'org_id',
          '=',
          isUuid(checked.recipientOrgId) ? checked.recipientOrgId : '00000000-0000-0000-0000-000000000000',
        )
        .executeTakeFirst();
      const home = await findHomeOrg(tx);
      if (!org && checked.recipientOrgId !== home?.id) {
        throw invalidFields([
          { field: 'recipientOrgId', message: 'the recipient must be an organization in this case' },
        ]);
      }
    }
    if (checked.recipientUserIds.length > 0) {
      const audience = await threadAudience(tx, c, thread.kind, thread.id);
      // The finder (with an account) may be named too, where the finder may read the thread.
      for (const u of await finderUsersOfThread(tx, c.id, thread)) audience.add(u);
      const outside = checked.recipientUserIds.find((u) => !audience.has(u));
      if (outside)
        throw invalidFields([{ field: 'recipientUserIds', message: `user ${outside} cannot see this thread` }]);
    }
    if (input.replyTo) {
      const parent = await tx
        .selectFrom('case_posts as p')
        .select('p.id')
        .where('p.thread_id', '=', thread.id)
        .where('p.id', '=', isUuid(input.replyTo) ? input.replyTo : '00000000-0000-0000-0000-000000000000')
        .where(postScope(v))
        .executeTakeFirst();
      if (!parent) throw invalidFields([{ field: 'replyTo', message: 'reply to a post in this thread' }]);
    }
    const post = await tx
      .insertInto('case_posts')
      .values({
        id: newId(),
        thread_id: thread.id,
        case_id: c.id,
        reply_to: input.replyTo ?? null,
        author_user_id: ctx.actor.userId,
        author_org_id: authorOrg,
        author_label: ctx.actor.label,
        body: checked.body,
        tlp: checked.tlp,
        recipient_org_id: checked.recipientOrgId,
        recipient_user_ids: JSON.stringify(checked.recipientUserIds),
        mentions: JSON.stringify([]),
        edited_at: null,
        created_at: ctx.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // @mentions count only for people who may see the post: others are neither stored nor told.
    const mentioned = await visibleMentions(tx, c, post, parseMentions(post.body));
    if (mentioned.length > 0) {
      await tx
        .updateTable('case_posts')
        .set({ mentions: JSON.stringify(mentioned) })
        .where('id', '=', post.id)
        .execute();
      post.mentions = mentioned;
    }
    // The author and the people mentioned follow the thread (unless they unfollowed it before).
    await recordDefaultFollows(tx, ctx, thread.id, [ctx.actor.userId, ...mentioned]);
    await notifyPost(tx, ctx, c, thread, post);
    // The timeline names the post and its label, never its text.
    await recordCaseEvent(tx, ctx, c.id, 'post_added', { threadId: thread.id, postId: post.id, tlp: post.tlp });
    await recordAudit(tx, ctx, {
      action: 'case.post',
      subjectType: 'case',
      subjectId: c.id,
      summary: { threadId: thread.id, postId: post.id, tlp: post.tlp },
    });
    return post;
  });
}

/** Whether a user may see a post now, by the same SQL scopes as the threads (disabled users: no). */
export async function userSeesPost(
  db: Db,
  userId: string,
  c: Pick<CaseRow, 'id' | 'lead_id' | 'terms_version'>,
  postId: string,
): Promise<boolean> {
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', userId)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!user) return false;
  const actor = toActor(user, await membershipsOf(db, user.id), 'session');
  if (!can(actor, 'case:read_full', await caseResource(db, actor, c))) return false;
  const v = await viewerOf(db, actor, c);
  const row = await db
    .selectFrom('case_posts as p')
    .innerJoin('case_threads as t', 't.id', 'p.thread_id')
    .select('p.id')
    .where('p.id', '=', postId)
    .where('p.case_id', '=', c.id)
    .where(threadScope(v))
    .where(postScope(v))
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The users an @mention names who may see the post (never its author). Someone who may not is
 * dropped without a trace: no mail, no stored mention, and the author is not told either.
 */
async function visibleMentions(
  tx: Tx,
  c: CaseRow,
  post: { id: string; author_user_id: string | null },
  emails: string[],
): Promise<string[]> {
  if (emails.length === 0) return [];
  const users = await tx
    .selectFrom('users')
    .select('id')
    .where(sql<string>`lower(email)`, 'in', emails)
    .where('disabled_at', 'is', null)
    .execute();
  const out: string[] = [];
  for (const u of users) {
    if (u.id !== post.author_user_id && (await userSeesPost(tx, u.id, c, post.id))) out.push(u.id);
  }
  return out;
}

/** The thread's audience narrowed by the post's TLP (AMBER+STRICT: the two organizations; RED: the named people). */
async function postAudience(
  tx: Db,
  c: CaseRow,
  thread: { id: string; kind: string },
  post: { tlp: string; author_org_id: string | null; recipient_org_id: string | null; recipient_user_ids: string[] },
): Promise<string[]> {
  let ids = [...(await threadAudience(tx, c, thread.kind, thread.id))];
  if (post.tlp === 'RED') ids = ids.filter((u) => post.recipient_user_ids.includes(u));
  if (post.tlp === 'AMBER+STRICT') {
    const orgs = [post.author_org_id, post.recipient_org_id].filter((o): o is string => o !== null);
    const inOrgs = orgs.length
      ? await tx.selectFrom('memberships').select('user_id').where('org_id', 'in', orgs).execute()
      : [];
    const allowed = new Set(inOrgs.map((m) => m.user_id));
    ids = ids.filter((u) => allowed.has(u));
  }
  return ids;
}

/** Who followed the discussion before follows were recorded: those who wrote in it, and the case lead. */
async function discussionFollowers(tx: Db, c: CaseRow, threadId: string, postId: string): Promise<Set<string>> {
  const rows = await tx
    .selectFrom('case_posts')
    .select('author_user_id')
    .distinct()
    .where('thread_id', '=', threadId)
    .where('id', '!=', postId)
    .where('author_user_id', 'is not', null)
    .execute();
  const out = new Set(rows.map((r) => r.author_user_id).filter((u): u is string => u !== null));
  if (c.lead_id) out.add(c.lead_id);
  return out;
}

/**
 * Whether each of `userIds` follows a thread: their recorded choice when there is one (writing or
 * being mentioned records a follow; unfollowing records `false`, which later posts do not undo),
 * else the thread's default: a private thread's members follow it, the discussion is followed by
 * those who wrote in it and the case lead. The official thread reaches everyone whatever this says.
 */
export async function threadFollowers(
  db: Db,
  c: CaseRow,
  thread: { id: string; kind: string },
  userIds: readonly string[],
  excludePostId: string,
  /** Only choices recorded before this instant count (a mention's follow starts after that post). */
  before?: Date,
): Promise<Set<string>> {
  let q = db.selectFrom('thread_follows').select(['user_id', 'following']).where('thread_id', '=', thread.id);
  if (before) q = q.where('updated_at', '<', before);
  const rows = await q.execute();
  const chosen = new Map(rows.map((r) => [r.user_id, r.following]));
  const defaults =
    thread.kind === 'discussion' ? await discussionFollowers(db, c, thread.id, excludePostId) : new Set<string>();
  return new Set(userIds.filter((u) => chosen.get(u) ?? (thread.kind === 'private' || defaults.has(u))));
}

/** Records that these people follow a thread, keeping an earlier unfollow as it is. */
async function recordDefaultFollows(tx: Tx, ctx: Ctx, threadId: string, userIds: readonly (string | null)[]) {
  const ids = [...new Set(userIds.filter((u): u is string => u !== null))];
  if (ids.length === 0) return;
  await tx
    .insertInto('thread_follows')
    .values(ids.map((user_id) => ({ thread_id: threadId, user_id, following: true, updated_at: ctx.now() })))
    .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doNothing())
    .execute();
}

/**
 * The posts a finder's participation may read (aliases `t` thread, `p` post; `participant` the
 * finder's case participation, `user` the finder's account or null): in the official and
 * discussion threads what is shared with reporters (as src/cases/finder.ts `finderPostScope`:
 * official or labelled for reporters, TLP CLEAR/GREEN/AMBER; TLP:RED only naming their account);
 * in a private thread the finder's participation is a member of, its posts up to TLP:AMBER and the
 * TLP:RED posts naming their account. Never AMBER+STRICT (an organization's own).
 */
export function finderReadablePostScope(participant: RawBuilder<unknown>, user: RawBuilder<unknown>) {
  const named = sql`(p.tlp = 'RED' and cast(${user} as text) is not null and p.recipient_user_ids ? cast(${user} as text))`;
  return sql<boolean>`(
    (t.kind in ('official', 'discussion') and (
      (p.tlp in ('CLEAR', 'GREEN', 'AMBER') and (t.kind = 'official' or p.for_reporters)) or ${named}))
    or (t.kind = 'private'
      and exists (select 1 from case_thread_members fm where fm.thread_id = t.id and fm.participant_id = ${participant})
      and (p.tlp in ('CLEAR', 'GREEN', 'AMBER') or ${named})))`;
}

/**
 * A finder's view of the posts of a case (for src/cases/finder.ts): the posts their participation
 * may read by `finderReadablePostScope`, oldest first.
 */
export async function finderVisiblePosts(db: Db, caseId: string, participantId: string, userId: string | null) {
  return db
    .selectFrom('case_posts as p')
    .innerJoin('case_threads as t', 't.id', 'p.thread_id')
    .leftJoin('organizations as ao', 'ao.id', 'p.author_org_id')
    .select(['p.id', 't.kind', 'p.tlp', 'p.body', 'p.created_at', 'p.edited_at', 'ao.kind as author_org_kind'])
    .where('p.case_id', '=', caseId)
    .where(finderReadablePostScope(sql`${participantId}`, sql`${userId}`))
    .orderBy('p.seq')
    .limit(1000)
    .execute();
}

/** Accounts of the case's finders (not removed) who may read a thread of this kind: they may be named on TLP:RED. */
async function finderUsersOfThread(tx: Db, caseId: string, thread: { id: string; kind: string }): Promise<string[]> {
  let q = tx
    .selectFrom('case_participants as fp')
    .innerJoin('finders as f', 'f.id', 'fp.finder_id')
    .select('f.user_id')
    .where('fp.case_id', '=', caseId)
    .where('fp.role', 'in', ['finder', 'reporter'])
    .where('fp.removed_at', 'is', null)
    .where('f.user_id', 'is not', null);
  if (thread.kind === 'private') {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('case_thread_members as tm')
          .select('tm.thread_id')
          .where('tm.thread_id', '=', thread.id)
          .whereRef('tm.participant_id', '=', 'fp.id'),
      ),
    );
  }
  return (await q.execute()).map((r) => r.user_id).filter((u): u is string => u !== null);
}

/** Who hears of a post, decided when the notification job runs (src/notifications/send.ts). */
export interface PostRecipients {
  caseRow: CaseRow;
  thread: { id: string; kind: 'official' | 'discussion' | 'private'; title: string };
  post: Selectable<Database['case_posts']>;
  /** Users (staff, participants' people) and the kinds the post is for them, most specific first. */
  users: Map<string, NotificationKind[]>;
  /** Finder participations that may read the post (src/cases/finder.ts's view), and their kinds. */
  finders: Map<string, NotificationKind[]>;
}

/**
 * The people to tell about a post, computed from what they may read now (access may have ended
 * since the post): the post's audience (thread scope narrowed by TLP) who follow the thread or
 * must hear of it (official), the people it mentions who may still see it, and the finders who
 * may read it. `mentionsOnly`: only these users, for a mention added by an edit. `findersOnly`:
 * only the finders (a post shared with reporters after it was written).
 */
export async function postRecipients(
  db: Db,
  postId: string,
  opts: { mentionsOnly?: readonly string[] | undefined; findersOnly?: boolean | undefined } = {},
): Promise<PostRecipients | null> {
  const post = await db.selectFrom('case_posts').selectAll().where('id', '=', postId).executeTakeFirst();
  if (!post) return null;
  const c = await db.selectFrom('cases').selectAll().where('id', '=', post.case_id).executeTakeFirst();
  const thread = await db
    .selectFrom('case_threads')
    .select(['id', 'kind', 'title'])
    .where('id', '=', post.thread_id)
    .executeTakeFirst();
  if (!c || !thread) return null;
  const users = new Map<string, NotificationKind[]>();
  const finders = new Map<string, NotificationKind[]>();
  const out: PostRecipients = { caseRow: c, thread, post, users, finders };
  const stillMentioned = async (ids: readonly string[]) => {
    const ok: string[] = [];
    for (const u of ids) if (post.mentions.includes(u) && (await userSeesPost(db, u, c, post.id))) ok.push(u);
    return ok;
  };
  if (opts.mentionsOnly) {
    for (const u of await stillMentioned(opts.mentionsOnly)) if (u !== post.author_user_id) users.set(u, ['mention']);
    return out;
  }
  if (!opts.findersOnly) {
    const audience = await postAudience(db, c, thread, post);
    const mentioned = await stillMentioned(post.mentions);
    const everyone = [...new Set([...audience, ...mentioned])].filter((u) => u !== post.author_user_id);
    // Being mentioned makes one follow the thread from the next post on: this one tells them of the mention.
    const follows = new Set([
      ...(await threadFollowers(
        db,
        c,
        thread,
        everyone.filter((u) => !mentioned.includes(u)),
        post.id,
      )),
      ...(await threadFollowers(db, c, thread, mentioned, post.id, post.created_at)),
    ]);
    for (const u of everyone) {
      const kinds = postKindsFor({
        threadKind: thread.kind,
        mentioned: mentioned.includes(u),
        follows: follows.has(u),
      });
      if (kinds.length > 0) users.set(u, kinds);
    }
  }
  const finderRows = await db
    .selectFrom('case_participants as fp')
    .innerJoin('finders as f', 'f.id', 'fp.finder_id')
    .select(['fp.id', 'f.user_id'])
    .where('fp.case_id', '=', c.id)
    .where('fp.role', 'in', ['finder', 'reporter'])
    .where('fp.removed_at', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('case_posts as p')
          .innerJoin('case_threads as t', 't.id', 'p.thread_id')
          .select('p.id')
          .where('p.id', '=', post.id)
          .where(finderReadablePostScope(sql.ref('fp.id'), sql.ref('f.user_id'))),
      ),
    )
    .execute();
  for (const f of finderRows) {
    // A finder who is also someone above (or wrote the post) hears of it once, as that user.
    if (f.user_id && (users.has(f.user_id) || f.user_id === post.author_user_id)) continue;
    finders.set(f.id, [thread.kind === 'official' ? 'official_post' : 'thread_post']);
  }
  return out;
}

/**
 * Queues the notifications of a new post (src/notifications/send.ts runs them after the commit:
 * composing, encrypting and signing each mail, with the recipients checked again then). Every
 * organization that may see the post gets a content-free webhook event (never for TLP:RED, which
 * is for named people only).
 */
async function notifyPost(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  thread: { id: string; kind: 'official' | 'discussion' | 'private'; title: string },
  post: {
    id: string;
    tlp: string;
    author_org_id: string | null;
    recipient_org_id: string | null;
  },
): Promise<void> {
  await enqueueNotification(tx, ctx, { source: 'post', postId: post.id }, `notify:post:${post.id}`);
  if (post.tlp !== 'RED') {
    const orgIds = await caseOrgAudience(tx, c, {
      privateThreadId: thread.kind === 'private' ? thread.id : undefined,
      onlyOrgIds: post.tlp === 'AMBER+STRICT' ? [post.author_org_id, post.recipient_org_id] : undefined,
    });
    await emitWebhookEvent(tx, ctx, {
      kind: 'post.created',
      caseRow: c,
      itemId: post.id,
      apiPath: `/api/v1/cases/${c.case_id}/threads/${thread.id}/posts`,
      orgIds,
    });
  }
}

/**
 * Tells the finders of a post newly shared with reporters (for src/cases/finder.ts
 * `shareWithReporters`, in its transaction). Once per post, however often it is shared again.
 */
export async function notifyFindersOfSharedPost(tx: Tx, ctx: Ctx, postId: string): Promise<void> {
  await enqueueNotification(tx, ctx, { source: 'post', postId, findersOnly: true }, `notify:post-shared:${postId}`);
}

/** Authors edit their own posts; every earlier text is kept. */
export async function editPost(ctx: Ctx, ref: string, postId: string, body: string) {
  const text = body.trim();
  if (text.length < 1 || text.length > 100_000)
    throw invalidFields([{ field: 'body', message: 'write 1 to 100,000 characters' }]);
  return inTransaction(ctx, async (tx) => {
    const { c, v } = await loadCaseFor(tx, ctx, ref);
    const post = isUuid(postId)
      ? await tx
          .selectFrom('case_posts as p')
          .innerJoin('case_threads as t', 't.id', 'p.thread_id')
          .selectAll('p')
          .where('p.id', '=', postId)
          .where('p.case_id', '=', c.id)
          .where(threadScope(v))
          .where(postScope(v))
          .executeTakeFirst()
      : undefined;
    if (!post) throw notFound('post', postId);
    if (post.author_user_id !== actorId(ctx.actor)) throw new AppError('ERR_FORBIDDEN', 'only the author edits a post');
    await tx
      .insertInto('case_post_revisions')
      .values({ id: newId(), post_id: post.id, body: post.body, edited_by: actorId(ctx.actor), edited_at: ctx.now() })
      .execute();
    const mentioned = await visibleMentions(tx, c, post, parseMentions(text));
    const updated = await tx
      .updateTable('case_posts')
      .set({ body: text, edited_at: ctx.now(), mentions: JSON.stringify(mentioned) })
      .where('id', '=', post.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Only people newly mentioned by the edit are told (of the mention, not of the edit); they now follow the thread.
    const added = mentioned.filter((u) => !post.mentions.includes(u));
    if (added.length > 0) {
      await recordDefaultFollows(tx, ctx, post.thread_id, added);
      const revision = await tx
        .selectFrom('case_post_revisions')
        .select(sql<number>`max(seq)`.as('seq'))
        .where('post_id', '=', post.id)
        .executeTakeFirst();
      await enqueueNotification(
        tx,
        ctx,
        { source: 'post', postId: post.id, mentionsOnly: added },
        `notify:post-mention:${post.id}:${revision?.seq ?? 0}`,
      );
    }
    await recordAudit(tx, ctx, {
      action: 'case.post_edit',
      subjectType: 'case',
      subjectId: c.id,
      summary: { postId: post.id },
    });
    return updated;
  });
}

export async function postRevisions(db: Db, postId: string) {
  return db.selectFrom('case_post_revisions').selectAll().where('post_id', '=', postId).orderBy('seq').execute();
}

/**
 * The caller follows or unfollows a thread they may read ("message in a thread you follow"). The
 * official thread reaches every participant whatever one chooses (its notices are mandatory;
 * the digest is the way to have fewer of them), so it is not followed or unfollowed.
 */
export async function setThreadFollow(
  ctx: Ctx,
  ref: string,
  threadId: string,
  following: boolean,
): Promise<{ following: boolean }> {
  const actor = ctx.actor;
  if (actor.kind !== 'user') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first');
  return inTransaction(ctx, async (tx) => {
    const { c, v } = await loadCaseFor(tx, ctx, ref);
    const thread = await loadThread(tx, v, c.id, threadId);
    if (thread.kind === 'official') {
      throw new AppError(
        'ERR_CONFLICT',
        'the official thread reaches every participant; to hear of it less often, choose the daily digest in your notification settings',
      );
    }
    await tx
      .insertInto('thread_follows')
      .values({ thread_id: thread.id, user_id: actor.userId, following, updated_at: ctx.now() })
      .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doUpdateSet({ following, updated_at: ctx.now() }))
      .execute();
    await recordAudit(tx, ctx, {
      action: following ? 'case.thread_follow' : 'case.thread_unfollow',
      subjectType: 'case',
      subjectId: c.id,
      summary: { threadId: thread.id },
    });
    return { following };
  });
}

/** Whether the caller follows a thread they may read (404 otherwise); the official thread always reaches them. */
export async function threadFollowState(
  db: Db,
  actor: Actor,
  ref: string,
  threadId: string,
): Promise<{ following: boolean; mandatory: boolean }> {
  const c = await findCase(db, ref);
  if (!c) throw notFound('case', ref);
  authorize(actor, 'case:read_full', await caseResource(db, actor, c), 'case:read');
  const v = await viewerOf(db, actor, c);
  const thread = await loadThread(db, v, c.id, threadId);
  if (thread.kind === 'official' || !v.userId) return { following: true, mandatory: thread.kind === 'official' };
  const follows = await threadFollowers(db, c, thread, [v.userId], '00000000-0000-0000-0000-000000000000');
  return { following: follows.has(v.userId), mandatory: false };
}

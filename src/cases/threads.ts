import { sql, type Transaction } from 'kysely';
import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { AppError, notFound } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import { caseOrgAudience, emitWebhookEvent, notifyUsers } from '../notifications/dispatch.ts';
import { noticeText, parseMentions, postKindsFor, type NotificationKind } from '../notifications/rules.ts';
import { findHomeOrg } from '../orgs/queries.ts';
import { actorId, actorLabel, type Actor } from '../policy/actor.ts';
import { authorize, can, type CaseResource } from '../policy/policy.ts';
import { invalidFields } from '../reports/rules.ts';
import { membershipsOf, toActor } from '../users/queries.ts';
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
    await tx
      .insertInto('case_events')
      .values({
        id: newId(),
        case_id: c.id,
        participant_id: null,
        kind: 'thread_created',
        actor_user_id: actorId(ctx.actor),
        actor_label: actorLabel(ctx.actor),
        data: JSON.stringify({ threadId: thread.id, kind: 'private', members: ids.length }),
        created_at: ctx.now(),
      })
      .execute();
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
export async function threadAudience(tx: Tx, c: CaseRow, threadKind: string, threadId: string): Promise<Set<string>> {
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
    await notifyPost(tx, ctx, c, thread, post, mentioned);
    await tx
      .insertInto('case_events')
      .values({
        id: newId(),
        case_id: c.id,
        participant_id: null,
        kind: 'post_added',
        actor_user_id: ctx.actor.userId,
        actor_label: ctx.actor.label,
        // The timeline names the post and its label, never its text.
        data: JSON.stringify({ threadId: thread.id, postId: post.id, tlp: post.tlp }),
        created_at: ctx.now(),
      })
      .execute();
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
  tx: Tx,
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

/** Who follows the discussion: those who wrote in it before, and the case lead. */
async function discussionFollowers(tx: Tx, c: CaseRow, threadId: string, postId: string): Promise<Set<string>> {
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
 * Tells the post's audience and the people it mentions, each as they chose (notifications/):
 * at once or in the daily digest, the full post encrypted to their OpenPGP key and signed with the
 * instance key, or a content-free notice with the link when they have no key, prefer notices or
 * the case's policy says so. Organizations that may see the post get a webhook event (never for
 * TLP:RED, which is for named people only).
 */
async function notifyPost(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  thread: { id: string; kind: 'official' | 'discussion' | 'private'; title: string },
  post: {
    id: string;
    body: string;
    tlp: string;
    author_label: string;
    author_user_id: string | null;
    author_org_id: string | null;
    recipient_org_id: string | null;
    recipient_user_ids: string[];
  },
  mentioned: readonly string[],
): Promise<void> {
  const audience = await postAudience(tx, c, thread, post);
  const follows =
    thread.kind === 'discussion' ? await discussionFollowers(tx, c, thread.id, post.id) : new Set<string>();
  const recipients = new Map<string, NotificationKind[]>();
  for (const u of new Set([...audience, ...mentioned])) {
    if (u === post.author_user_id) continue;
    const kinds = postKindsFor({ threadKind: thread.kind, mentioned: mentioned.includes(u), follows: follows.has(u) });
    if (kinds.length > 0) recipients.set(u, kinds);
  }
  const link = `${ctx.config.baseUrl}/cases/${c.case_id}`;
  await notifyUsers(
    tx,
    ctx,
    {
      caseRow: c,
      subjectType: 'post',
      subjectId: post.id,
      notice: (kind) =>
        noticeText({
          caseId: c.case_id,
          what: kind === 'mention' ? 'mention' : 'post',
          tlp: post.tlp,
          threadKind: thread.kind,
          link,
        }),
      detail: `TLP:${post.tlp}\nCase: ${c.case_id}\nThread: ${thread.title}\nFrom: ${post.author_label}\n\n${post.body}\n\n-- \n${link}`,
    },
    recipients,
  );
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
    // Only people newly mentioned by the edit are told (of the mention, not of the edit).
    const added = mentioned.filter((u) => !post.mentions.includes(u));
    if (added.length > 0) {
      const thread = await tx
        .selectFrom('case_threads')
        .select(['kind', 'title'])
        .where('id', '=', post.thread_id)
        .executeTakeFirstOrThrow();
      const link = `${ctx.config.baseUrl}/cases/${c.case_id}`;
      await notifyUsers(
        tx,
        ctx,
        {
          caseRow: c,
          subjectType: 'post',
          subjectId: post.id,
          notice: () =>
            noticeText({ caseId: c.case_id, what: 'mention', tlp: post.tlp, threadKind: thread.kind, link }),
          detail: `TLP:${post.tlp}\nCase: ${c.case_id}\nThread: ${thread.title}\nFrom: ${post.author_label}\n\n${text}\n\n-- \n${link}`,
        },
        new Map(added.map((u) => [u, ['mention'] as NotificationKind[]])),
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

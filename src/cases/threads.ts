import { sql, type Transaction } from 'kysely';
import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { AppError, notFound } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import { currentInstanceKey } from '../keys/queries.ts';
import { encryptText } from '../keys/pgp.ts';
import { queueMail } from '../mail/outbox.ts';
import { findHomeOrg } from '../orgs/queries.ts';
import { actorId, actorLabel, type Actor } from '../policy/actor.ts';
import { authorize, can, type CaseResource } from '../policy/policy.ts';
import { invalidFields } from '../reports/rules.ts';
import { caseResource, findCase } from './queries.ts';
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

function threadScope(v: Viewer) {
  if (v.staff) return sql<boolean>`true`;
  if (v.participantIds.length === 0) return sql<boolean>`false`;
  return sql<boolean>`(t.kind in ('official', 'discussion') or exists (
    select 1 from case_thread_members m where m.thread_id = t.id and m.participant_id in (${sql.join(v.participantIds)})))`;
}

function postScope(v: Viewer) {
  const me = v.userId ?? '00000000-0000-0000-0000-000000000000';
  const orgs = v.orgIds.length > 0 ? sql`(${sql.join(v.orgIds)})` : sql`(null)`;
  return sql<boolean>`(
    (p.tlp not in ('AMBER+STRICT', 'RED'))
    or (p.tlp = 'AMBER+STRICT' and (p.author_user_id = ${me} or p.author_org_id in ${orgs} or p.recipient_org_id in ${orgs}))
    or (p.tlp = 'RED' and (p.author_user_id = ${me} or p.recipient_user_ids ? ${me})))`;
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
async function threadAudience(tx: Tx, c: CaseRow, threadKind: string, threadId: string): Promise<Set<string>> {
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
    if (thread.kind !== 'discussion') await notifyPost(tx, ctx, c, thread, post);
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

/**
 * Tells the post's audience by e-mail. Nothing embargoed travels in clear text: a recipient with
 * an OpenPGP key on their profile gets the full post encrypted to it and signed with the instance
 * key; everyone else a notice with the link only. The audience is the thread's, narrowed by the
 * post's TLP (AMBER+STRICT: the two organizations; RED: the named people).
 */
async function notifyPost(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  thread: { id: string; kind: string; title: string },
  post: {
    id: string;
    body: string;
    tlp: string;
    author_user_id: string | null;
    author_org_id: string | null;
    recipient_org_id: string | null;
    recipient_user_ids: string[];
  },
): Promise<void> {
  const audience = await threadAudience(tx, c, thread.kind, thread.id);
  let ids = [...audience].filter((u) => u !== post.author_user_id);
  if (post.tlp === 'RED') ids = ids.filter((u) => post.recipient_user_ids.includes(u));
  if (post.tlp === 'AMBER+STRICT') {
    const orgs = [post.author_org_id, post.recipient_org_id].filter((o): o is string => o !== null);
    const inOrgs = orgs.length
      ? await tx.selectFrom('memberships').select('user_id').where('org_id', 'in', orgs).execute()
      : [];
    const allowed = new Set(inOrgs.map((m) => m.user_id));
    ids = ids.filter((u) => allowed.has(u));
  }
  if (ids.length === 0) return;
  const users = await tx
    .selectFrom('users')
    .select(['id', 'email', 'pgp_public_key'])
    .where('id', 'in', ids)
    .where('disabled_at', 'is', null)
    .execute();
  const link = `${ctx.config.baseUrl}/cases/${c.case_id}`;
  const subject = `[${c.case_id}] New post in "${thread.kind === 'official' ? 'Official notices' : 'a private thread'}"`;
  const notice = `There is a new post (TLP:${post.tlp}) in case ${c.case_id}. Sign in to read it:\n${link}`;
  let signingKey: string | null = null;
  for (const u of users) {
    let text = notice;
    if (u.pgp_public_key) {
      // Read in this transaction: on the embedded engine a second connection would wait for it.
      signingKey ??= (await currentInstanceKey(tx))?.private_key ?? null;
      try {
        text = await encryptText(
          `TLP:${post.tlp}\n\n${post.body}\n\n-- \n${link}`,
          u.pgp_public_key,
          signingKey ?? undefined,
        );
      } catch (err) {
        ctx.log.warn({ err, userId: u.id }, 'could not encrypt the notification; sending the notice only');
      }
    }
    await queueMail(tx, ctx, { to: u.email, subject, text });
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
    const updated = await tx
      .updateTable('case_posts')
      .set({ body: text, edited_at: ctx.now() })
      .where('id', '=', post.id)
      .returningAll()
      .executeTakeFirstOrThrow();
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

import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { notFound } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import { participantEmbargo, type ParticipantEmbargoView } from '../embargo/queries.ts';
import { renderMarkdown } from '../markdown/render.ts';
import { actorId, type Actor } from '../policy/actor.ts';
import { authorize } from '../policy/policy.ts';
import { loadReadableReport } from '../reports/queries.ts';
import { invalidFields } from '../reports/rules.ts';
import { rmStateLabels, type RmState } from '../vultron/rm.ts';
import { recordCaseEvent } from './commands.ts';
import { caseResource, findCase } from './queries.ts';
import { finderVisiblePosts, notifyFindersOfSharedPost } from './threads.ts';

/**
 * The finder's view of the cases opened from their report: only what is shared with reporters.
 * The finder reaches it with their follow-up link (the `report_link` actor) or their account; a
 * case shows up only while the finder takes part in it (a finder participant, not removed).
 *
 * What they see, each decided in SQL: the case id, lead, status and its public-safe summary
 * (never the title, the summary, the vulnerabilities or the other participants); their own RM
 * state; posts of the official thread and posts the coordinators labelled for reporters, with TLP
 * CLEAR, GREEN or AMBER, and posts of private threads the finder is a member of (a TLP:RED post
 * only when it names the finder's own account — threads.ts finderReadablePostScope); vendor
 * statuses the vendor marked shareable and staff approved.
 */

export interface FinderCaseView {
  caseId: string;
  lead: string | null;
  status: string;
  publicSummary: string;
  publicSummaryHtml: string;
  createdAt: string;
  you: { participantId: string; rmState: string; rmStateLabel: string };
  /** The embargo's dates and the finder's own consent (src/embargo/queries.ts participantEmbargo). */
  embargo: ParticipantEmbargoView;
  posts: {
    id: string;
    thread: 'official' | 'discussion' | 'private';
    tlp: string;
    body: string;
    bodyHtml: string;
    byCoordinators: boolean;
    createdAt: string;
    editedAt: string | null;
  }[];
  statuses: {
    vendor: string;
    product: string;
    status: string;
    justification: string | null;
    statement: string;
    fixedVersions: string;
    updatedAt: string;
  }[];
}

export async function finderCases(db: Db, actor: Actor, reportRef: string): Promise<FinderCaseView[]> {
  const report = await loadReadableReport(db, actor, reportRef);
  if (!report.finder_id) return [];
  const finderUser = (
    await db.selectFrom('finders').select('user_id').where('id', '=', report.finder_id).executeTakeFirst()
  )?.user_id;
  // RED names people: only the finder signed in with that account counts as named.
  const namedUser = actor.kind === 'user' && finderUser && actor.userId === finderUser ? finderUser : null;
  const cases = await db
    .selectFrom('cases as c')
    .innerJoin('case_reports as cr', 'cr.case_id', 'c.id')
    .innerJoin('case_participants as fp', 'fp.case_id', 'c.id')
    .leftJoin('users as l', 'l.id', 'c.lead_id')
    .select([
      'c.id',
      'c.case_id',
      'c.status',
      'c.public_summary',
      'c.created_at',
      'l.name as lead',
      'fp.id as participant_id',
      'fp.rm_state',
    ])
    .where('cr.report_id', '=', report.id)
    .where('fp.finder_id', '=', report.finder_id)
    .where('fp.role', 'in', ['finder', 'reporter'])
    .where('fp.removed_at', 'is', null)
    .orderBy('c.created_at')
    .execute();
  const out: FinderCaseView[] = [];
  for (const c of cases) {
    const [posts, statuses, embargo] = await Promise.all([
      finderVisiblePosts(db, c.id, c.participant_id, namedUser),
      db
        .selectFrom('vendor_statuses as s')
        .innerJoin('case_participants as vp', 'vp.id', 's.participant_id')
        .innerJoin('organizations as o', 'o.id', 'vp.org_id')
        .select([
          'o.name',
          's.product',
          's.status',
          's.justification',
          's.statement',
          's.fixed_versions',
          's.updated_at',
        ])
        .where('s.case_id', '=', c.id)
        .where('s.may_share', '=', true)
        // Shared with the finder only once staff approved it; a vendor's later change clears the approval.
        .where('s.approved_at', 'is not', null)
        .where('vp.removed_at', 'is', null)
        .orderBy('o.name')
        .orderBy('s.product')
        .execute(),
      participantEmbargo(db, c.id, c.participant_id),
    ]);
    out.push({
      caseId: c.case_id,
      lead: c.lead ?? null,
      status: c.status,
      publicSummary: c.public_summary,
      publicSummaryHtml: renderMarkdown(c.public_summary),
      createdAt: c.created_at.toISOString(),
      you: {
        participantId: c.participant_id,
        rmState: c.rm_state,
        rmStateLabel: rmStateLabels[c.rm_state as RmState] ?? c.rm_state,
      },
      embargo,
      // Authors are not named: other participants' people are not the finder's business.
      posts: posts.map((p) => ({
        id: p.id,
        thread: p.kind,
        tlp: p.tlp,
        body: p.body,
        bodyHtml: renderMarkdown(p.body),
        byCoordinators: p.author_org_kind === 'home',
        createdAt: p.created_at.toISOString(),
        editedAt: p.edited_at?.toISOString() ?? null,
      })),
      statuses: statuses.map((s) => ({
        vendor: s.name,
        product: s.product,
        status: s.status,
        justification: s.justification,
        statement: s.statement,
        fixedVersions: s.fixed_versions,
        updatedAt: s.updated_at.toISOString(),
      })),
    });
  }
  return out;
}

async function loadManagedCase(db: Db, ctx: Ctx, ref: string) {
  const c = await findCase(db, ref);
  if (!c) throw notFound('case', ref);
  authorize(ctx.actor, 'case:manage', await caseResource(db, ctx.actor, c), 'case:read');
  return c;
}

/** The lead or a coordinator writes the summary that is safe to share with the finder. */
export async function setPublicSummary(ctx: Ctx, ref: string, text: string): Promise<string> {
  const summary = text.trim();
  if (summary.length > 20_000) throw invalidFields([{ field: 'publicSummary', message: 'at most 20,000 characters' }]);
  return inTransaction(ctx, async (tx) => {
    const c = await loadManagedCase(tx, ctx, ref);
    await tx
      .updateTable('cases')
      .set({ public_summary: summary, updated_at: ctx.now() })
      .where('id', '=', c.id)
      .execute();
    // The timeline says that it changed, not what it says.
    await recordCaseEvent(tx, ctx, c.id, 'public_summary_changed', { length: summary.length });
    await recordAudit(tx, ctx, {
      action: 'case.public_summary',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, length: summary.length },
    });
    return summary;
  });
}

/**
 * The lead or a coordinator labels a post for reporters (or takes the label back): the finder
 * then reads it. Only posts of the official and discussion threads with TLP CLEAR, GREEN or AMBER
 * qualify: private threads and posts for one organization or named people are never shared.
 */
export async function shareWithReporters(ctx: Ctx, ref: string, postId: string, shared: boolean) {
  return inTransaction(ctx, async (tx) => {
    const c = await loadManagedCase(tx, ctx, ref);
    const post = isUuid(postId)
      ? await tx
          .selectFrom('case_posts as p')
          .innerJoin('case_threads as t', 't.id', 'p.thread_id')
          .select(['p.id', 'p.tlp', 't.kind', 'p.for_reporters', 'p.author_user_id', 'p.recipient_user_ids'])
          .where('p.id', '=', postId)
          .where('p.case_id', '=', c.id)
          .executeTakeFirst()
      : undefined;
    const me = actorId(ctx.actor);
    // A TLP:RED post the caller is not named on stays invisible to them, here too.
    if (!post || (post.tlp === 'RED' && post.author_user_id !== me && !post.recipient_user_ids.includes(me ?? '')))
      throw notFound('post', postId);
    if (shared && (post.kind === 'private' || !['CLEAR', 'GREEN', 'AMBER'].includes(post.tlp))) {
      throw invalidFields([
        {
          field: 'shared',
          message:
            'only posts of the official and discussion threads labelled TLP:CLEAR, GREEN or AMBER can be shared with reporters',
        },
      ]);
    }
    const updated = await tx
      .updateTable('case_posts')
      .set({ for_reporters: shared })
      .where('id', '=', post.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // The finder hears of a post newly shared with them (once per post: the job's key).
    if (shared && !post.for_reporters) await notifyFindersOfSharedPost(tx, ctx, post.id);
    await recordCaseEvent(tx, ctx, c.id, shared ? 'post_shared_with_reporters' : 'post_unshared_with_reporters', {
      postId: post.id,
    });
    await recordAudit(tx, ctx, {
      action: 'case.post_reporters',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, postId: post.id, shared },
    });
    return updated;
  });
}

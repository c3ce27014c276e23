import { caseStateEventIn, recordCaseEvent } from '../cases/commands.ts';
import { embargoAfterCaseStateIn } from '../embargo/commands.ts';
import { sql, type Transaction } from 'kysely';
import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { newSecret, sha256 } from '../auth/secrets.ts';
import { caseResource, findCase } from '../cases/queries.ts';
import { AppError, notFound } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { ensureInstanceKey } from '../keys/commands.ts';
import { clearSign } from '../keys/pgp.ts';
import { queueMail } from '../mail/outbox.ts';
import { actorId, actorLabel } from '../policy/actor.ts';
import { authorize } from '../policy/policy.ts';
import { invalidFields } from '../reports/rules.ts';
import { advisoryOf, advisoryScope, type ReleasePlanRow } from './queries.ts';
import {
  advisoryMailText,
  checkChecklistLabel,
  checkEarlyConfirmation,
  checkNote,
  checkPublishAt,
  checkSubscription,
  defaultChecklist,
  ADVISORIES_JOB,
  NOTIFY_JOB,
  planAfterEmbargo,
  publicationDue,
  PUBLISH_JOB,
  subscriptionMatches,
  type ChecklistItem,
  type EmbargoChange,
  type PlanState,
  type ReadinessInput,
} from './rules.ts';

type Tx = Transaction<Database>;

function planState(p: ReleasePlanRow): PlanState {
  return {
    publishAt: p.publish_at,
    embargoState: p.embargo_state,
    embargoEndsAt: p.embargo_ends_at,
    publishedAt: p.published_at,
  };
}

/** The case's plan, created on first use, locked for the rest of the transaction. */
async function lockPlan(tx: Tx, ctx: Ctx, caseId: string): Promise<ReleasePlanRow> {
  const now = ctx.now();
  await tx
    .insertInto('release_plans')
    .values({
      case_id: caseId,
      publish_at: null,
      embargo_ends_at: null,
      embargo_exit_reason: null,
      checklist: JSON.stringify(defaultChecklist()),
      checklist_opened_at: null,
      early_requested_by: null,
      early_requested_at: null,
      early_reason: null,
      published_at: null,
      published_by: null,
      published_via: null,
      notified_at: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('case_id').doNothing())
    .execute();
  return tx.selectFrom('release_plans').selectAll().where('case_id', '=', caseId).forUpdate().executeTakeFirstOrThrow();
}

/**
 * Enqueues the publication job for this time. Each time gets its own job key; a job whose time
 * is no longer the plan's finds nothing due and ends, so moving the date needs no job surgery.
 */
async function schedule(tx: Tx, ctx: Ctx, caseId: string, at: Date): Promise<void> {
  await enqueueJob(
    tx,
    {
      kind: PUBLISH_JOB,
      payload: { caseId },
      runAt: at,
      uniqueKey: `${PUBLISH_JOB}:${caseId}:${at.toISOString()}`,
      maxAttempts: 20,
    },
    ctx.now(),
  );
}

/**
 * Called by the embargo in its own transaction whenever the embargo becomes active (or its end
 * moves) and when it is exited (parachute cord, termination, or its natural end). Active: the
 * publication is (re)scheduled at the embargo's end. Exited: the release checklist opens and the
 * publication is due at the exit time (or at the plan's earlier time).
 */
export async function onEmbargoChanged(
  tx: Transaction<Database>,
  ctx: Ctx,
  caseId: string,
  change: EmbargoChange,
): Promise<void> {
  if (!isUuid(caseId)) {
    // The case's public reference (CASE-2026-0001) is accepted as well as its id.
    const c = await findCase(tx, caseId);
    if (!c) throw notFound('case', caseId);
    caseId = c.id;
  }
  const plan = await lockPlan(tx, ctx, caseId);
  if (plan.published_at !== null) return;
  const next = planAfterEmbargo(planState(plan), change);
  const opening = next.openChecklist && plan.checklist_opened_at === null;
  await tx
    .updateTable('release_plans')
    .set({
      publish_at: next.publishAt,
      embargo_state: next.embargoState,
      embargo_ends_at: next.embargoEndsAt,
      embargo_exit_reason: change.kind === 'exited' ? change.reason : null,
      ...(opening ? { checklist_opened_at: ctx.now() } : {}),
      updated_at: ctx.now(),
    })
    .where('case_id', '=', caseId)
    .execute();
  await schedule(tx, ctx, caseId, next.publishAt);
  await recordCaseEvent(tx, ctx, caseId, 'release_scheduled', {
    publishAt: next.publishAt.toISOString(),
    because: change.kind === 'active' ? 'embargo_active' : `embargo_exited_${change.reason}`,
  });
  if (opening) await recordCaseEvent(tx, ctx, caseId, 'release_checklist_opened', { reason: change.kind });
  await recordAudit(tx, ctx, {
    action: 'release.schedule',
    subjectType: 'case',
    subjectId: caseId,
    summary: { publishAt: next.publishAt.toISOString(), embargo: next.embargoState },
  });
}

async function loadManagedCase(tx: Tx, ctx: Ctx, ref: string): Promise<CaseRow> {
  const c = await findCase(tx, ref);
  if (!c) throw notFound('case', ref);
  const resource = await caseResource(tx, ctx.actor, c);
  authorize(ctx.actor, 'case:manage', resource, 'case:read_full');
  return c;
}

function requireStaff(ctx: Ctx): string {
  if (ctx.actor.kind !== 'user' || ctx.actor.staffRole === null || ctx.actor.staffRole === 'viewer') {
    throw new AppError('ERR_FORBIDDEN', 'only staff members (not viewers) may request or confirm an early publication');
  }
  return ctx.actor.userId;
}

export interface PlanInput {
  publishAt?: Date | null | undefined;
  notes?: string | undefined;
}

/** The lead or a coordinator sets the publication time (not before an active embargo's end) and notes. */
export async function updatePlan(ctx: Ctx, ref: string, input: PlanInput): Promise<ReleasePlanRow> {
  const notes = checkNote(input.notes, 'notes', 10_000);
  return inTransaction(ctx, async (tx) => {
    const c = await loadManagedCase(tx, ctx, ref);
    const plan = await lockPlan(tx, ctx, c.id);
    if (plan.published_at !== null && input.publishAt !== undefined) {
      throw new AppError('ERR_CONFLICT', 'the case is already published: the publication time cannot change');
    }
    if (input.publishAt) checkPublishAt(planState(plan), input.publishAt, ctx.now());
    const row = await tx
      .updateTable('release_plans')
      .set({
        ...(input.publishAt !== undefined ? { publish_at: input.publishAt } : {}),
        ...(notes !== undefined ? { notes } : {}),
        updated_at: ctx.now(),
      })
      .where('case_id', '=', c.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (input.publishAt) await schedule(tx, ctx, c.id, input.publishAt);
    if (input.publishAt !== undefined) {
      await recordCaseEvent(tx, ctx, c.id, 'release_planned', { publishAt: input.publishAt?.toISOString() ?? null });
    }
    await recordAudit(tx, ctx, {
      action: 'release.plan',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, publishAt: input.publishAt?.toISOString() ?? null, notes: notes !== undefined },
    });
    return row;
  });
}

/** A participant states its own readiness; staff and the lead may set it for anyone. */
export async function setReadiness(ctx: Ctx, ref: string, participantId: string, input: ReadinessInput) {
  const note = checkNote(input.note, 'note');
  return inTransaction(ctx, async (tx) => {
    const c = await findCase(tx, ref);
    if (!c) throw notFound('case', ref);
    const resource = await caseResource(tx, ctx.actor, c);
    const p = isUuid(participantId)
      ? await tx
          .selectFrom('case_participants')
          .select(['id', 'org_id', 'role'])
          .where('id', '=', participantId)
          .where('case_id', '=', c.id)
          .where('removed_at', 'is', null)
          .executeTakeFirst()
      : undefined;
    if (!p) {
      authorize(ctx.actor, 'case:read_full', resource);
      throw notFound('participant', participantId);
    }
    const own = resource.participation.some((x) => x.orgId === p.org_id && x.allowed && x.accepted);
    if (!own) authorize(ctx.actor, 'case:manage', resource, 'case:read_full');
    const now = ctx.now();
    const current = await tx
      .selectFrom('release_readiness')
      .selectAll()
      .where('participant_id', '=', p.id)
      .executeTakeFirst();
    const values = {
      advisory_ready: input.advisoryReady ?? current?.advisory_ready ?? false,
      fix_available: input.fixAvailable ?? current?.fix_available ?? false,
      customers_notified: input.customersNotified ?? current?.customers_notified ?? false,
      note: note ?? current?.note ?? '',
      updated_by: actorId(ctx.actor),
      updated_at: now,
    };
    const row = await tx
      .insertInto('release_readiness')
      .values({ participant_id: p.id, case_id: c.id, ...values })
      .onConflict((oc) => oc.column('participant_id').doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(tx, ctx, c.id, 'release_readiness', {
      participantId: p.id,
      advisoryReady: row.advisory_ready,
      fixAvailable: row.fix_available,
      customersNotified: row.customers_notified,
    });
    await recordAudit(tx, ctx, {
      action: 'release.readiness',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, participantId: p.id },
    });
    return row;
  });
}

export type ChecklistChange = { op: 'add'; label: string } | { op: 'set'; itemId: string; done: boolean };

/** The lead or a coordinator ticks items on the release-day checklist, or adds one. */
export async function changeChecklist(ctx: Ctx, ref: string, change: ChecklistChange): Promise<ChecklistItem[]> {
  return inTransaction(ctx, async (tx) => {
    const c = await loadManagedCase(tx, ctx, ref);
    const plan = await lockPlan(tx, ctx, c.id);
    const items = [...plan.checklist];
    const who = actorLabel(ctx.actor);
    if (change.op === 'add') {
      if (items.length >= 50) throw invalidFields([{ field: 'label', message: 'a checklist holds at most 50 items' }]);
      items.push({
        id: newId(),
        key: null,
        label: checkChecklistLabel(change.label),
        done: false,
        doneBy: null,
        doneAt: null,
      });
    } else {
      const i = items.findIndex((x) => x.id === change.itemId);
      const item = items[i];
      if (!item) throw notFound('checklist item', change.itemId);
      items[i] = change.done
        ? { ...item, done: true, doneBy: who, doneAt: ctx.now().toISOString() }
        : { ...item, done: false, doneBy: null, doneAt: null };
    }
    await tx
      .updateTable('release_plans')
      .set({ checklist: JSON.stringify(items), updated_at: ctx.now() })
      .where('case_id', '=', c.id)
      .execute();
    await recordCaseEvent(
      tx,
      ctx,
      c.id,
      'release_checklist',
      change.op === 'add' ? { added: true } : { itemId: change.itemId, done: change.done },
    );
    await recordAudit(tx, ctx, {
      action: 'release.checklist',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, op: change.op },
    });
    return items;
  });
}

/** Staff approve a vendor's statement for publication (a later change of it clears the approval). */
export async function approveStatement(ctx: Ctx, ref: string, statusId: string, approved: boolean) {
  return inTransaction(ctx, async (tx) => {
    const c = await loadManagedCase(tx, ctx, ref);
    const row = await tx
      .updateTable('vendor_statuses')
      .set(
        approved
          ? { approved_at: ctx.now(), approved_by: actorId(ctx.actor) }
          : { approved_at: null, approved_by: null },
      )
      .where('id', '=', isUuid(statusId) ? statusId : '00000000-0000-0000-0000-000000000000')
      .where('case_id', '=', c.id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('statement', statusId);
    await recordCaseEvent(tx, ctx, c.id, approved ? 'statement_approved' : 'statement_unapproved', {
      statusId: row.id,
      participantId: row.participant_id,
      product: row.product,
    });
    await recordAudit(tx, ctx, {
      action: approved ? 'release.statement_approve' : 'release.statement_unapprove',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, statusId: row.id },
    });
    return row;
  });
}

/** One staff member asks to publish now, before the planned time; another must confirm. */
export async function requestEarlyPublication(ctx: Ctx, ref: string, reason: string): Promise<ReleasePlanRow> {
  const why = checkNote(reason, 'reason', 2000) ?? '';
  if (why.length === 0) throw invalidFields([{ field: 'reason', message: 'say why the case must be published early' }]);
  return inTransaction(ctx, async (tx) => {
    const c = await loadManagedCase(tx, ctx, ref);
    const me = requireStaff(ctx);
    const plan = await lockPlan(tx, ctx, c.id);
    if (plan.published_at !== null) throw new AppError('ERR_CONFLICT', 'the case is already published');
    const row = await tx
      .updateTable('release_plans')
      .set({ early_requested_by: me, early_requested_at: ctx.now(), early_reason: why, updated_at: ctx.now() })
      .where('case_id', '=', c.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(tx, ctx, c.id, 'publication_requested', {});
    await recordAudit(tx, ctx, {
      action: 'release.early_request',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id },
    });
    return row;
  });
}

export async function withdrawEarlyPublication(ctx: Ctx, ref: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const c = await loadManagedCase(tx, ctx, ref);
    requireStaff(ctx);
    const plan = await lockPlan(tx, ctx, c.id);
    if (plan.early_requested_by === null) throw new AppError('ERR_CONFLICT', 'no early publication was requested');
    await tx
      .updateTable('release_plans')
      .set({ early_requested_by: null, early_requested_at: null, early_reason: null, updated_at: ctx.now() })
      .where('case_id', '=', c.id)
      .execute();
    await recordCaseEvent(tx, ctx, c.id, 'publication_request_withdrawn', {});
    await recordAudit(tx, ctx, {
      action: 'release.early_withdraw',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id },
    });
  });
}

/** A second staff member confirms: the case is published now (two-person rule). */
export async function confirmEarlyPublication(ctx: Ctx, ref: string): Promise<ReleasePlanRow> {
  return inTransaction(ctx, async (tx) => {
    const c = await loadManagedCase(tx, ctx, ref);
    const me = requireStaff(ctx);
    const plan = await lockPlan(tx, ctx, c.id);
    if (plan.published_at !== null) throw new AppError('ERR_CONFLICT', 'the case is already published');
    checkEarlyConfirmation(plan.early_requested_by, me);
    const row = await markPublished(tx, ctx, c, 'two_person');
    if (!row) throw new AppError('ERR_CONFLICT', 'the case is already published');
    return row;
  });
}

/**
 * The one place a case becomes public: `published_at` changes from null exactly once, in the same
 * transaction as its event, its audit entry and the subscriber-mail job.
 */
async function markPublished(
  tx: Tx,
  ctx: Ctx,
  c: Pick<CaseRow, 'id' | 'case_id'>,
  via: 'schedule' | 'two_person',
): Promise<ReleasePlanRow | undefined> {
  const now = ctx.now();
  const row = await tx
    .updateTable('release_plans')
    .set({ published_at: now, published_by: actorLabel(ctx.actor), published_via: via, updated_at: now })
    .where('case_id', '=', c.id)
    .where('published_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!row) return undefined;
  await recordCaseEvent(tx, ctx, c.id, 'published', {
    via,
    ...(via === 'two_person' ? { requestedBy: row.early_requested_by, confirmedBy: actorId(ctx.actor) } : {}),
  });
  // Published means public (Vultron CP) for every vendor at once, and an embargo still running MUST end.
  const current = await tx.selectFrom('cases').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
  if (!current.pxa_state.includes('P')) {
    const updated = await caseStateEventIn(tx, ctx, c.id, { event: 'P' }, { authorized: true });
    await embargoAfterCaseStateIn(tx, ctx, updated, 'published');
  }
  await recordAudit(tx, ctx, {
    action: 'release.publish',
    subjectType: 'case',
    subjectId: c.id,
    summary: { caseId: c.case_id, via },
  });
  await enqueueJob(
    tx,
    { kind: NOTIFY_JOB, payload: { caseId: c.id }, uniqueKey: `${NOTIFY_JOB}:${c.id}`, maxAttempts: 20 },
    now,
  );
  // The case's approved advisories go to the CSAF provider right after, in a job of their own: a document
  // that fails validation must not hold the case back (the job retries, and staff see why in its error).
  await enqueueJob(
    tx,
    { kind: ADVISORIES_JOB, payload: { caseId: c.id }, uniqueKey: `${ADVISORIES_JOB}:${c.id}`, maxAttempts: 20 },
    now,
  );
  return row;
}

/** The scheduled job: publishes the case if its time has come. Safe to run any number of times. */
export async function publishDueCase(ctx: Ctx, caseId: string): Promise<boolean> {
  return inTransaction(ctx, async (tx) => {
    const plan = isUuid(caseId)
      ? await tx.selectFrom('release_plans').selectAll().where('case_id', '=', caseId).forUpdate().executeTakeFirst()
      : undefined;
    if (!plan || !publicationDue(planState(plan), ctx.now())) return false;
    const c = await tx.selectFrom('cases').select(['id', 'case_id']).where('id', '=', caseId).executeTakeFirstOrThrow();
    return (await markPublished(tx, ctx, c, 'schedule')) !== undefined;
  });
}

// ---- Subscriptions ----

export interface SubscribeResult {
  /** The confirmation mail went out (or the address was already subscribed the same way). */
  queued: boolean;
}

/**
 * Anyone may subscribe; nothing happens until the address owner follows the link in the
 * confirmation mail (double opt-in). The answer is the same whether or not the address exists.
 */
export async function subscribe(
  ctx: Ctx,
  input: { email: string; scope: string; vendor?: string; product?: string },
): Promise<SubscribeResult> {
  const checked = checkSubscription(input);
  return inTransaction(ctx, async (tx) => {
    let vendorOrgId: string | null = null;
    if (checked.scope === 'vendor') {
      // Only vendors that appear in a published advisory can be chosen: no directory probing.
      const vendor = await tx
        .selectFrom('organizations as o')
        .select('o.id')
        .where(sql<boolean>`lower(o.name) = lower(${checked.vendor})`)
        .where(
          sql<boolean>`exists (select 1 from case_participants p join vendor_statuses s on s.participant_id = p.id
            join release_plans rp on rp.case_id = s.case_id
            where p.org_id = o.id and s.approved_at is not null and rp.published_at is not null)`,
        )
        .executeTakeFirst();
      if (!vendor) throw invalidFields([{ field: 'vendor', message: 'choose a vendor from the list of advisories' }]);
      vendorOrgId = vendor.id;
    }
    const now = ctx.now();
    const confirmToken = newSecret('acs_');
    const unsubscribeToken = newSecret('acu_');
    const id = newId();
    await tx
      .insertInto('advisory_subscriptions')
      .values({
        id,
        email: checked.email,
        scope: checked.scope,
        vendor_org_id: vendorOrgId,
        product: checked.product,
        confirm_hash: sha256(confirmToken),
        confirm_expires_at: new Date(now.getTime() + 7 * 86400_000),
        confirmed_at: null,
        unsubscribe_hash: sha256(unsubscribeToken),
        unsubscribed_at: null,
        created_at: now,
      })
      .execute();
    const base = ctx.config.baseUrl.replace(/\/$/, '');
    const what =
      checked.scope === 'all'
        ? 'every security advisory'
        : checked.scope === 'vendor'
          ? `security advisories about ${checked.vendor}`
          : `security advisories about ${checked.product}`;
    await queueMail(tx, ctx, {
      to: checked.email,
      subject: `Confirm your subscription to ${ctx.config.instanceName} advisories`,
      text: [
        `Someone (hopefully you) asked to receive ${what} from ${ctx.config.instanceName} at this address.`,
        '',
        'To confirm, open this link within 7 days and press "Confirm":',
        `${base}/advisories/subscription/confirm?token=${confirmToken}`,
        '',
        'If you did not ask for this, ignore this mail: nothing will be sent.',
        '',
        `To cancel: ${base}/advisories/subscription/unsubscribe?token=${unsubscribeToken}`,
      ].join('\n'),
    });
    await recordAudit(tx, ctx, {
      action: 'subscription.create',
      subjectType: 'advisory_subscription',
      subjectId: id,
      summary: { scope: checked.scope },
    });
    return { queued: true };
  });
}

/** The second opt-in: the link from the confirmation mail. */
export async function confirmSubscription(ctx: Ctx, token: string): Promise<boolean> {
  return inTransaction(ctx, async (tx) => {
    const row = await tx
      .updateTable('advisory_subscriptions')
      .set({ confirmed_at: ctx.now() })
      .where('confirm_hash', '=', sha256(token))
      .where('confirmed_at', 'is', null)
      .where('unsubscribed_at', 'is', null)
      .where('confirm_expires_at', '>', ctx.now())
      .returning(['id', 'scope'])
      .executeTakeFirst();
    if (!row) return false;
    await recordAudit(tx, ctx, {
      action: 'subscription.confirm',
      subjectType: 'advisory_subscription',
      subjectId: row.id,
      summary: { scope: row.scope },
    });
    return true;
  });
}

/** Unsubscribes by the link of the confirmation mail or of any advisory mail. */
export async function unsubscribe(ctx: Ctx, token: string): Promise<boolean> {
  const hash = sha256(token);
  return inTransaction(ctx, async (tx) => {
    const row = await tx
      .updateTable('advisory_subscriptions')
      .set({ unsubscribed_at: ctx.now() })
      .where('unsubscribed_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('unsubscribe_hash', '=', hash),
          eb(
            'id',
            'in',
            eb.selectFrom('advisory_mails').select('subscription_id').where('unsubscribe_hash', '=', hash),
          ),
        ]),
      )
      .returning(['id'])
      .executeTakeFirst();
    if (!row) return false;
    await recordAudit(tx, ctx, {
      action: 'subscription.cancel',
      subjectType: 'advisory_subscription',
      subjectId: row.id,
    });
    return true;
  });
}

/**
 * The job after publication: one clear-signed mail per matching confirmed subscription. Each
 * (case, subscription) pair is mailed once: the row in `advisory_mails` and the outbox entry are
 * written together, and `notified_at` closes the run.
 */
export async function notifySubscribers(ctx: Ctx, caseId: string): Promise<number> {
  const key = await ensureInstanceKey(ctx);
  return inTransaction(ctx, async (tx) => {
    const plan = await tx
      .selectFrom('release_plans as rp')
      .innerJoin('cases as c', 'c.id', 'rp.case_id')
      .select(['c.id', 'c.case_id', 'c.title', 'c.public_summary', 'rp.published_at', 'rp.notified_at'])
      .where('rp.case_id', '=', caseId)
      .forUpdate()
      .executeTakeFirst();
    if (!plan || plan.published_at === null || plan.notified_at !== null) return 0;
    const advisory = await advisoryOf(tx, { ...plan, published_at: plan.published_at });
    const scope = await advisoryScope(tx, caseId);
    const subs = await tx
      .selectFrom('advisory_subscriptions')
      .select(['id', 'email', 'scope', 'vendor_org_id', 'product'])
      .where('confirmed_at', 'is not', null)
      .where('unsubscribed_at', 'is', null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('advisory_mails as m')
              .select('m.case_id')
              .where('m.case_id', '=', caseId)
              .whereRef('m.subscription_id', '=', 'advisory_subscriptions.id'),
          ),
        ),
      )
      .orderBy('created_at')
      .execute();
    const base = ctx.config.baseUrl.replace(/\/$/, '');
    const seen = new Set<string>();
    let sent = 0;
    for (const sub of subs) {
      if (!subscriptionMatches(sub, scope)) continue;
      // One mail per address and advisory, even with several matching subscriptions.
      if (seen.has(sub.email)) continue;
      seen.add(sub.email);
      const token = newSecret('acu_');
      const text = advisoryMailText(advisory, {
        url: `${base}/advisories/${advisory.caseRef}`,
        unsubscribeUrl: `${base}/advisories/subscription/unsubscribe?token=${token}`,
        instanceName: ctx.config.instanceName,
      });
      const signed = await clearSign(text, key.private_key);
      const outboxId = await queueMail(tx, ctx, {
        to: sub.email,
        subject: `[${advisory.caseRef}] ${advisory.title}`,
        text: signed,
      });
      await tx
        .insertInto('advisory_mails')
        .values({
          case_id: caseId,
          subscription_id: sub.id,
          outbox_id: outboxId,
          unsubscribe_hash: sha256(token),
          created_at: ctx.now(),
        })
        .execute();
      sent += 1;
    }
    await tx.updateTable('release_plans').set({ notified_at: ctx.now() }).where('case_id', '=', caseId).execute();
    await recordAudit(tx, ctx, {
      action: 'release.notify',
      subjectType: 'case',
      subjectId: caseId,
      summary: { caseId: plan.case_id, mails: sent },
    });
    return sent;
  });
}

import type { Transaction } from 'kysely';
import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { notFound } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import type { Database } from '../db/schema.ts';
import { findHomeOrg } from '../orgs/queries.ts';
import { actorId } from '../policy/actor.ts';
import { authorizeOperations } from '../policy/operations.ts';
import { calendarOf } from '../reports/sla.ts';
import { localDate } from '../sla/calendar.ts';
import { FRAMEWORK } from './catalogue.ts';
import { findAssessment, previousAssessment } from './queries.ts';
import { checkAssessment, checkGap, checkItems, type AssessmentInput, type GapInput, type ItemInput } from './rules.ts';

/**
 * PSIRT Services Framework self-assessments of the home organization. Each is dated and kept
 * (the history); a new one starts from the previous one's levels, evidence and open gap actions
 * unless asked to start empty. Every change is audited in its transaction.
 */
type Tx = Transaction<Database>;

export async function homeOrgId(db: Ctx['db'] | Tx): Promise<string> {
  const home = await findHomeOrg(db);
  if (!home) throw notFound('organization', 'home');
  return home.id;
}

async function load(tx: Tx, ctx: Ctx, id: string, write: boolean) {
  authorizeOperations(ctx.actor, 'assessment:read', { what: 'assessment', id });
  const a = await findAssessment(tx, await homeOrgId(tx), id);
  if (!a) throw notFound('assessment', id);
  if (write) authorizeOperations(ctx.actor, 'assessment:write', { what: 'assessment', id });
  await tx.selectFrom('assessments').select('id').where('id', '=', a.id).forUpdate().execute();
  return a;
}

async function touch(tx: Tx, ctx: Ctx, id: string) {
  await tx.updateTable('assessments').set({ updated_at: ctx.now() }).where('id', '=', id).execute();
}

export async function createAssessment(ctx: Ctx, input: AssessmentInput & { startEmpty?: boolean | undefined }) {
  authorizeOperations(ctx.actor, 'assessment:write', { what: 'assessment', id: 'new' });
  const today = localDate(calendarOf(ctx.config.sla), ctx.now());
  const checked = checkAssessment(input, { title: `Self-assessment ${today}`, assessedOn: today, notes: '' });
  return inTransaction(ctx, async (tx) => {
    const orgId = await homeOrgId(tx);
    const id = newId();
    const row = await tx
      .insertInto('assessments')
      .values({
        id,
        org_id: orgId,
        title: checked.title,
        assessed_on: checked.assessedOn,
        notes: checked.notes,
        framework_version: FRAMEWORK.version,
        created_by: actorId(ctx.actor),
        created_at: ctx.now(),
        updated_at: ctx.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const previous = input.startEmpty ? undefined : await previousAssessment(tx, row);
    let copied = 0;
    if (previous) {
      const items = await tx
        .selectFrom('assessment_items')
        .select(['item_id', 'level', 'evidence'])
        .where('assessment_id', '=', previous.id)
        .execute();
      if (items.length > 0) {
        await tx
          .insertInto('assessment_items')
          .values(
            items.map((i) => ({
              assessment_id: id,
              item_id: i.item_id,
              level: i.level,
              evidence: i.evidence,
              updated_by: actorId(ctx.actor),
              updated_at: ctx.now(),
            })),
          )
          .execute();
      }
      copied = items.length;
      const gaps = await tx
        .selectFrom('assessment_gaps')
        .selectAll()
        .where('assessment_id', '=', previous.id)
        .where('done', '=', false)
        .orderBy('created_at')
        .execute();
      for (const g of gaps) {
        await tx
          .insertInto('assessment_gaps')
          .values({
            id: newId(),
            assessment_id: id,
            item_id: g.item_id,
            action: g.action,
            owner: g.owner,
            due_on: g.due_on,
            done: false,
            created_by: actorId(ctx.actor),
            created_at: ctx.now(),
            updated_at: ctx.now(),
          })
          .execute();
      }
    }
    await recordAudit(tx, ctx, {
      action: 'assessment.create',
      subjectType: 'assessment',
      subjectId: id,
      summary: { title: checked.title, assessedOn: checked.assessedOn, from: previous?.id ?? null, copied },
    });
    return row;
  });
}

export async function updateAssessment(ctx: Ctx, id: string, input: AssessmentInput) {
  return inTransaction(ctx, async (tx) => {
    const a = await load(tx, ctx, id, true);
    const checked = checkAssessment(input, { title: a.title, assessedOn: a.assessed_on, notes: a.notes });
    const row = await tx
      .updateTable('assessments')
      .set({ title: checked.title, assessed_on: checked.assessedOn, notes: checked.notes, updated_at: ctx.now() })
      .where('id', '=', a.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, ctx, {
      action: 'assessment.update',
      subjectType: 'assessment',
      subjectId: a.id,
      summary: { title: checked.title, assessedOn: checked.assessedOn },
    });
    return row;
  });
}

/** Rates items (level and evidence); items not named keep their rating. */
export async function rateItems(ctx: Ctx, id: string, items: readonly ItemInput[]): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const a = await load(tx, ctx, id, true);
    const checked = checkItems(items);
    for (const i of checked) {
      await tx
        .insertInto('assessment_items')
        .values({
          assessment_id: a.id,
          item_id: i.itemId,
          level: i.level,
          evidence: i.evidence,
          updated_by: actorId(ctx.actor),
          updated_at: ctx.now(),
        })
        .onConflict((oc) =>
          oc.columns(['assessment_id', 'item_id']).doUpdateSet({
            level: i.level,
            evidence: i.evidence,
            updated_by: actorId(ctx.actor),
            updated_at: ctx.now(),
          }),
        )
        .execute();
    }
    await touch(tx, ctx, a.id);
    await recordAudit(tx, ctx, {
      action: 'assessment.rate',
      subjectType: 'assessment',
      subjectId: a.id,
      summary: { items: checked.map((i) => ({ itemId: i.itemId, level: i.level })) },
    });
  });
}

export async function addGap(ctx: Ctx, id: string, input: GapInput) {
  return inTransaction(ctx, async (tx) => {
    const a = await load(tx, ctx, id, true);
    const g = checkGap(input, null);
    const gapId = newId();
    await tx
      .insertInto('assessment_gaps')
      .values({
        id: gapId,
        assessment_id: a.id,
        item_id: g.itemId,
        action: g.action,
        owner: g.owner,
        due_on: g.dueOn,
        done: g.done,
        created_by: actorId(ctx.actor),
        created_at: ctx.now(),
        updated_at: ctx.now(),
      })
      .execute();
    await touch(tx, ctx, a.id);
    await recordAudit(tx, ctx, {
      action: 'assessment.gap_add',
      subjectType: 'assessment',
      subjectId: a.id,
      summary: { gapId, itemId: g.itemId, owner: g.owner, dueOn: g.dueOn },
    });
    return { id: gapId, ...g };
  });
}

async function loadGap(tx: Tx, assessmentId: string, gapId: string) {
  const g = isUuid(gapId)
    ? await tx
        .selectFrom('assessment_gaps')
        .selectAll()
        .where('id', '=', gapId)
        .where('assessment_id', '=', assessmentId)
        .executeTakeFirst()
    : undefined;
  if (!g) throw notFound('gap action', gapId);
  return g;
}

export async function updateGap(ctx: Ctx, id: string, gapId: string, input: GapInput) {
  return inTransaction(ctx, async (tx) => {
    const a = await load(tx, ctx, id, true);
    const current = await loadGap(tx, a.id, gapId);
    const g = checkGap(input, {
      itemId: current.item_id,
      action: current.action,
      owner: current.owner,
      dueOn: current.due_on,
      done: current.done,
    });
    await tx
      .updateTable('assessment_gaps')
      .set({
        item_id: g.itemId,
        action: g.action,
        owner: g.owner,
        due_on: g.dueOn,
        done: g.done,
        updated_at: ctx.now(),
      })
      .where('id', '=', current.id)
      .execute();
    await touch(tx, ctx, a.id);
    await recordAudit(tx, ctx, {
      action: 'assessment.gap_update',
      subjectType: 'assessment',
      subjectId: a.id,
      summary: { gapId: current.id, itemId: g.itemId, done: g.done, dueOn: g.dueOn },
    });
    return { id: current.id, ...g };
  });
}

export async function removeGap(ctx: Ctx, id: string, gapId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const a = await load(tx, ctx, id, true);
    const g = await loadGap(tx, a.id, gapId);
    await tx.deleteFrom('assessment_gaps').where('id', '=', g.id).execute();
    await touch(tx, ctx, a.id);
    await recordAudit(tx, ctx, {
      action: 'assessment.gap_remove',
      subjectType: 'assessment',
      subjectId: a.id,
      summary: { gapId: g.id, itemId: g.item_id, action: g.action },
    });
  });
}

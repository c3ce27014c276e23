import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import { isUuid } from '../core/ids.ts';
import type { AssessmentsTable } from '../db/schema.ts';
import type { Selectable } from 'kysely';
import { compare, summarize, summarizeServices } from './rules.ts';

export type AssessmentRow = Selectable<AssessmentsTable>;

export async function findAssessment(db: Db, orgId: string, id: string): Promise<AssessmentRow | undefined> {
  if (!isUuid(id)) return undefined;
  return db.selectFrom('assessments').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
}

export async function assessmentItems(db: Db, assessmentId: string) {
  const rows = await db
    .selectFrom('assessment_items')
    .select(['item_id', 'level', 'evidence', 'updated_at'])
    .where('assessment_id', '=', assessmentId)
    .execute();
  return rows.map((r) => ({
    itemId: r.item_id,
    level: r.level,
    evidence: r.evidence,
    updatedAt: r.updated_at.toISOString(),
  }));
}

export async function assessmentGaps(db: Db, assessmentId: string) {
  const rows = await db
    .selectFrom('assessment_gaps')
    .selectAll()
    .where('assessment_id', '=', assessmentId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((g) => ({
    id: g.id,
    itemId: g.item_id,
    action: g.action,
    owner: g.owner,
    dueOn: g.due_on,
    done: g.done,
    createdAt: g.created_at.toISOString(),
    updatedAt: g.updated_at.toISOString(),
  }));
}

/** The assessment before this one (by day assessed, then by creation). */
export async function previousAssessment(db: Db, a: AssessmentRow): Promise<AssessmentRow | undefined> {
  return db
    .selectFrom('assessments')
    .selectAll()
    .where('org_id', '=', a.org_id)
    .where(sql<boolean>`(assessed_on, created_at, id) < (${a.assessed_on}, ${a.created_at}, ${a.id})`)
    .orderBy('assessed_on', 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

function presentHeader(a: AssessmentRow) {
  return {
    id: a.id,
    title: a.title,
    assessedOn: a.assessed_on,
    notes: a.notes,
    frameworkVersion: a.framework_version,
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
  };
}

/** History: every assessment of the organization, newest first, with its per-area summary. */
export async function listAssessments(db: Db, orgId: string) {
  const rows = await db
    .selectFrom('assessments')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('assessed_on', 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  if (rows.length === 0) return [];
  const items = await db
    .selectFrom('assessment_items')
    .select(['assessment_id', 'item_id', 'level'])
    .where(
      'assessment_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  const openGaps = await db
    .selectFrom('assessment_gaps')
    .select(['assessment_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where(
      'assessment_id',
      'in',
      rows.map((r) => r.id),
    )
    .where('done', '=', false)
    .groupBy('assessment_id')
    .execute();
  return rows.map((a) => ({
    ...presentHeader(a),
    areas: summarize(items.filter((i) => i.assessment_id === a.id).map((i) => ({ itemId: i.item_id, level: i.level }))),
    openGaps: Number(openGaps.find((g) => g.assessment_id === a.id)?.n ?? 0),
  }));
}

/** One assessment in full, with the comparison to the one before it. */
export async function assessmentView(db: Db, a: AssessmentRow) {
  const [items, gaps, previous] = await Promise.all([
    assessmentItems(db, a.id),
    assessmentGaps(db, a.id),
    previousAssessment(db, a),
  ]);
  const previousItems = previous ? await assessmentItems(db, previous.id) : [];
  return {
    ...presentHeader(a),
    items,
    gaps,
    areas: summarize(items),
    services: summarizeServices(items),
    previous: previous
      ? {
          id: previous.id,
          title: previous.title,
          assessedOn: previous.assessed_on,
          comparison: compare(items, previousItems),
        }
      : null,
  };
}

import type { Db } from '../app/context.ts';
import type { CaseRow } from '../db/schema.ts';
import { findHomeOrg } from '../orgs/queries.ts';
import {
  checklistProgress,
  DEFAULT_TEMPLATE,
  emptyOverview,
  postmortemDueAt,
  releasedAt,
  type CaseworkTemplate,
  type Overview,
} from './rules.ts';

/** The home organization's template, or the shipped default when it has not written one. */
export async function currentTemplate(db: Db): Promise<CaseworkTemplate & { custom: boolean; updatedAt: Date | null }> {
  const home = await findHomeOrg(db);
  const row = home
    ? await db.selectFrom('casework_templates').selectAll().where('org_id', '=', home.id).executeTakeFirst()
    : undefined;
  if (!row) return { ...DEFAULT_TEMPLATE, custom: false, updatedAt: null };
  return {
    steps: row.steps,
    questions: row.questions,
    postmortemDays: row.postmortem_days,
    custom: true,
    updatedAt: row.updated_at,
  };
}

/** When the case went public (its first P), read from the timeline. */
export async function caseReleasedAt(db: Db, caseId: string): Promise<Date | null> {
  const events = await db
    .selectFrom('case_events')
    .select(['kind', 'participant_id', 'data', 'created_at'])
    .where('case_id', '=', caseId)
    .where('kind', '=', 'cs_event')
    .where('participant_id', 'is', null)
    .orderBy('seq')
    .execute();
  return releasedAt(
    events.map((e) => ({ kind: e.kind, participantId: e.participant_id, data: e.data, createdAt: e.created_at })),
  );
}

/**
 * Everything filled in for a case. Before the first entry the case has no row of its own: the
 * current template is shown, empty.
 */
export async function caseworkView(db: Db, c: CaseRow) {
  const [row, entries, participants, release] = await Promise.all([
    db.selectFrom('casework').selectAll().where('case_id', '=', c.id).executeTakeFirst(),
    db
      .selectFrom('casework_entries')
      .selectAll()
      .where('case_id', '=', c.id)
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('case_participants as p')
      .leftJoin('organizations as o', 'o.id', 'p.org_id')
      .leftJoin('finders as f', 'f.id', 'p.finder_id')
      .select(['p.id', 'p.role', 'o.name as org_name', 'f.name as finder_name', 'p.removed_at'])
      .where('p.case_id', '=', c.id)
      .orderBy('p.created_at')
      .execute(),
    caseReleasedAt(db, c.id),
  ]);
  const template = row
    ? { steps: row.steps, questions: row.questions, postmortemDays: row.postmortem_days }
    : await currentTemplate(db);
  const signoffs = row?.signoffs ?? {};
  const dueAt = postmortemDueAt(release, template.postmortemDays);
  const overview: Overview = { ...emptyOverview, ...(row?.overview ?? {}) };
  const byKind = (kind: string) =>
    entries
      .filter((e) => e.kind === kind)
      .map((e) => ({
        id: e.id,
        ...e.data,
        createdAt: e.created_at.toISOString(),
        updatedAt: e.updated_at.toISOString(),
      }));
  return {
    caseId: c.case_id,
    started: row !== undefined,
    checklist: template.steps.map((s) => ({ ...s, signoff: signoffs[s.key] ?? null })),
    progress: checklistProgress(template.steps, signoffs),
    participants: participants.map((p) => ({
      id: p.id,
      role: p.role,
      name: p.org_name ?? p.finder_name ?? null,
      removed: p.removed_at !== null,
    })),
    stakeholders: byKind('stakeholder'),
    meetings: byKind('meeting'),
    reproductions: byKind('reproduction'),
    remediations: byKind('remediation'),
    overview,
    postmortem: {
      questions: template.questions,
      answers: row?.postmortem.answers ?? {},
      participants: row?.postmortem.participants ?? '',
      heldOn: row?.postmortem.heldOn ?? null,
      days: template.postmortemDays,
      releasedAt: release?.toISOString() ?? null,
      dueAt: dueAt?.toISOString() ?? null,
      notifiedAt: row?.postmortem_notified_at?.toISOString() ?? null,
      completedAt: row?.postmortem_completed_at?.toISOString() ?? null,
    },
  };
}

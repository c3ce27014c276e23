import { recordCaseEvent } from '../cases/commands.ts';
import { sql, type Transaction } from 'kysely';
import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { findCase } from '../cases/queries.ts';
import { notFound } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import type { CaseRow, Database } from '../db/schema.ts';
import { queueMail } from '../mail/outbox.ts';
import { findHomeOrg } from '../orgs/queries.ts';
import { actorId, actorLabel } from '../policy/actor.ts';
import { authorizeOperations, type OperationsAction } from '../policy/operations.ts';
import { calendarOf } from '../reports/sla.ts';
import { localDate } from '../sla/calendar.ts';
import { caseReleasedAt, currentTemplate } from './queries.ts';
import {
  checkEntry,
  checkOverview,
  checkPostmortem,
  checkSignoff,
  checkTemplate,
  emptyOverview,
  postmortemDueAt,
  type EntryKind,
  type PostmortemInput,
  type SignoffInput,
  type TemplateInput,
} from './rules.ts';

/**
 * The case execution template: every change is one transaction that writes the change, a
 * `casework_*` event on the case timeline (staff-only kinds: participants never see them) and
 * an audit event. The case's first entry snapshots the home organization's template, so later
 * template edits do not rewrite cases already running.
 */
type Tx = Transaction<Database>;

export const POSTMORTEM_SWEEP_JOB = 'casework.postmortem_sweep';

async function staffCase(tx: Tx, ctx: Ctx, ref: string, action: OperationsAction): Promise<CaseRow> {
  authorizeOperations(ctx.actor, 'casework:read', { what: 'case', id: ref });
  const c = await findCase(tx, ref);
  if (!c) throw notFound('case', ref);
  authorizeOperations(ctx.actor, action, { what: 'case', id: ref });
  return c;
}

/** The case's casework row, created from the current template on first use, locked for this transaction. */
async function lockCasework(tx: Tx, ctx: Ctx, caseId: string) {
  const template = await currentTemplate(tx);
  await tx
    .insertInto('casework')
    .values({
      case_id: caseId,
      steps: JSON.stringify(template.steps),
      questions: JSON.stringify(template.questions),
      postmortem_days: template.postmortemDays,
      signoffs: JSON.stringify({}),
      overview: JSON.stringify(emptyOverview),
      postmortem: JSON.stringify({ answers: {}, participants: '', heldOn: null }),
      created_at: ctx.now(),
      updated_at: ctx.now(),
    })
    .onConflict((oc) => oc.column('case_id').doNothing())
    .execute();
  return tx.selectFrom('casework').selectAll().where('case_id', '=', caseId).forUpdate().executeTakeFirstOrThrow();
}

async function record(
  tx: Tx,
  ctx: Ctx,
  c: Pick<CaseRow, 'id' | 'case_id'>,
  kind: string,
  data: Record<string, unknown>,
): Promise<void> {
  await recordCaseEvent(tx, ctx, c.id, `casework_${kind}`, data);
  await recordAudit(tx, ctx, {
    action: `casework.${kind}`,
    subjectType: 'case',
    subjectId: c.id,
    summary: { caseId: c.case_id, ...data },
  });
}

async function touch(tx: Tx, ctx: Ctx, caseId: string, set: Record<string, unknown>) {
  await tx
    .updateTable('casework')
    .set({ ...set, updated_at: ctx.now() })
    .where('case_id', '=', caseId)
    .execute();
}

/** The home organization's staff (admins and coordinators) replace the template. */
export async function saveTemplate(ctx: Ctx, input: TemplateInput) {
  authorizeOperations(ctx.actor, 'casework:template', { what: 'casework template', id: 'home' });
  const t = checkTemplate(input);
  return inTransaction(ctx, async (tx) => {
    const home = await findHomeOrg(tx);
    if (!home) throw notFound('organization', 'home');
    await tx
      .insertInto('casework_templates')
      .values({
        id: newId(),
        org_id: home.id,
        steps: JSON.stringify(t.steps),
        questions: JSON.stringify(t.questions),
        postmortem_days: t.postmortemDays,
        updated_by: actorId(ctx.actor),
        created_at: ctx.now(),
        updated_at: ctx.now(),
      })
      .onConflict((oc) =>
        oc.column('org_id').doUpdateSet({
          steps: JSON.stringify(t.steps),
          questions: JSON.stringify(t.questions),
          postmortem_days: t.postmortemDays,
          updated_by: actorId(ctx.actor),
          updated_at: ctx.now(),
        }),
      )
      .execute();
    await recordAudit(tx, ctx, {
      action: 'casework.template_update',
      subjectType: 'org',
      subjectId: home.id,
      summary: { steps: t.steps.length, questions: t.questions.length, postmortemDays: t.postmortemDays },
    });
    return t;
  });
}

/** Back to the shipped default template. */
export async function resetTemplate(ctx: Ctx): Promise<void> {
  authorizeOperations(ctx.actor, 'casework:template', { what: 'casework template', id: 'home' });
  await inTransaction(ctx, async (tx) => {
    const home = await findHomeOrg(tx);
    if (!home) throw notFound('organization', 'home');
    await tx.deleteFrom('casework_templates').where('org_id', '=', home.id).execute();
    await recordAudit(tx, ctx, { action: 'casework.template_reset', subjectType: 'org', subjectId: home.id });
  });
}

async function signerName(tx: Tx, ctx: Ctx): Promise<string> {
  const id = actorId(ctx.actor);
  if (!id) return actorLabel(ctx.actor);
  const u = await tx.selectFrom('users').select('name').where('id', '=', id).executeTakeFirst();
  return u?.name ?? actorLabel(ctx.actor);
}

/** Signs a checklist step off by name and date (again: the newer sign-off replaces it; the timeline keeps both). */
export async function signStep(ctx: Ctx, ref: string, key: string, input: SignoffInput) {
  return inTransaction(ctx, async (tx) => {
    const c = await staffCase(tx, ctx, ref, 'casework:write');
    const cw = await lockCasework(tx, ctx, c.id);
    const step = cw.steps.find((s) => s.key === key);
    if (!step) throw notFound('checklist step', key);
    const today = localDate(calendarOf(ctx.config.sla), ctx.now());
    const s = checkSignoff(input, { name: await signerName(tx, ctx), today });
    const signoff = { ...s, userId: actorId(ctx.actor), at: ctx.now().toISOString() };
    await touch(tx, ctx, c.id, { signoffs: JSON.stringify({ ...cw.signoffs, [key]: signoff }) });
    await record(tx, ctx, c, 'signoff', { step: key, title: step.title, name: s.name, date: s.date });
    return signoff;
  });
}

export async function clearSignoff(ctx: Ctx, ref: string, key: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const c = await staffCase(tx, ctx, ref, 'casework:write');
    const cw = await lockCasework(tx, ctx, c.id);
    const previous = cw.signoffs[key];
    if (!previous) throw notFound('sign-off', key);
    const { [key]: _removed, ...rest } = cw.signoffs;
    await touch(tx, ctx, c.id, { signoffs: JSON.stringify(rest) });
    await record(tx, ctx, c, 'signoff_cleared', { step: key, name: previous.name, date: previous.date });
  });
}

async function participantIds(tx: Tx, caseId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('case_participants')
    .select('id')
    .where('case_id', '=', caseId)
    .where('removed_at', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

/** What the timeline says about an entry: its kind and a short label, never its full text. */
function entryLabel(kind: EntryKind, data: Record<string, unknown>): string {
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (kind) {
    case 'stakeholder':
      return `${s(data.role)}${s(data.name) ? `: ${s(data.name)}` : ''}`;
    case 'meeting':
      return `${s(data.heldAt)} (${Number(data.durationMinutes)} min)`;
    case 'reproduction':
      return `${s(data.by)} on ${s(data.on)}: ${s(data.result)}`;
    case 'remediation':
      return `${s(data.kind)} ${s(data.status)}${s(data.fixedVersions) ? ` (${s(data.fixedVersions)})` : ''}`;
  }
}

export async function addEntry(ctx: Ctx, ref: string, kind: EntryKind, raw: Record<string, unknown>) {
  return inTransaction(ctx, async (tx) => {
    const c = await staffCase(tx, ctx, ref, 'casework:write');
    await lockCasework(tx, ctx, c.id);
    const data = checkEntry(kind, raw, { participantIds: await participantIds(tx, c.id) });
    const id = newId();
    await tx
      .insertInto('casework_entries')
      .values({
        id,
        case_id: c.id,
        kind,
        data: JSON.stringify(data),
        created_by: actorId(ctx.actor),
        updated_by: actorId(ctx.actor),
        created_at: ctx.now(),
        updated_at: ctx.now(),
      })
      .execute();
    await record(tx, ctx, c, 'entry_added', { entryId: id, kind, label: entryLabel(kind, { ...data }) });
    return { id, kind, ...data };
  });
}

async function loadEntry(tx: Tx, caseId: string, id: string) {
  const e = isUuid(id)
    ? await tx
        .selectFrom('casework_entries')
        .selectAll()
        .where('id', '=', id)
        .where('case_id', '=', caseId)
        .where('deleted_at', 'is', null)
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!e) throw notFound('casework entry', id);
  return e;
}

/** Replaces an entry's content (the kind stays). */
export async function updateEntry(ctx: Ctx, ref: string, id: string, raw: Record<string, unknown>) {
  return inTransaction(ctx, async (tx) => {
    const c = await staffCase(tx, ctx, ref, 'casework:write');
    await lockCasework(tx, ctx, c.id);
    const e = await loadEntry(tx, c.id, id);
    const data = checkEntry(e.kind, raw, { participantIds: await participantIds(tx, c.id) });
    await tx
      .updateTable('casework_entries')
      .set({ data: JSON.stringify(data), updated_by: actorId(ctx.actor), updated_at: ctx.now() })
      .where('id', '=', e.id)
      .execute();
    await record(tx, ctx, c, 'entry_updated', { entryId: e.id, kind: e.kind, label: entryLabel(e.kind, { ...data }) });
    return { id: e.id, kind: e.kind, ...data };
  });
}

/** Removes an entry from the template; the row stays (marked deleted) with its timeline history. */
export async function removeEntry(ctx: Ctx, ref: string, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const c = await staffCase(tx, ctx, ref, 'casework:write');
    await lockCasework(tx, ctx, c.id);
    const e = await loadEntry(tx, c.id, id);
    await tx
      .updateTable('casework_entries')
      .set({ deleted_at: ctx.now(), updated_by: actorId(ctx.actor), updated_at: ctx.now() })
      .where('id', '=', e.id)
      .execute();
    await record(tx, ctx, c, 'entry_removed', { entryId: e.id, kind: e.kind, label: entryLabel(e.kind, e.data) });
  });
}

export async function setOverview(ctx: Ctx, ref: string, input: Partial<Record<string, unknown>>) {
  return inTransaction(ctx, async (tx) => {
    const c = await staffCase(tx, ctx, ref, 'casework:write');
    const cw = await lockCasework(tx, ctx, c.id);
    const current = { ...emptyOverview, ...cw.overview };
    const next = checkOverview(input, current);
    const changed = Object.keys(next).filter((k) => next[k as keyof typeof next] !== current[k as keyof typeof next]);
    await touch(tx, ctx, c.id, { overview: JSON.stringify(next) });
    await record(tx, ctx, c, 'overview_updated', { fields: changed });
    return next;
  });
}

export async function savePostmortem(ctx: Ctx, ref: string, input: PostmortemInput) {
  return inTransaction(ctx, async (tx) => {
    const c = await staffCase(tx, ctx, ref, 'casework:write');
    const cw = await lockCasework(tx, ctx, c.id);
    const next = checkPostmortem(input, cw.questions, cw.postmortem);
    const complete = input.complete === true;
    await touch(tx, ctx, c.id, {
      postmortem: JSON.stringify(next),
      ...(complete ? { postmortem_completed_at: ctx.now() } : {}),
    });
    const answered = cw.questions.filter((q) => next.answers[q.key]?.trim()).length;
    await record(tx, ctx, c, complete ? 'postmortem_completed' : 'postmortem_updated', {
      answered,
      questions: cw.questions.length,
      heldOn: next.heldOn,
    });
    return { ...next, completedAt: complete ? ctx.now().toISOString() : cw.postmortem_completed_at?.toISOString() };
  });
}

/**
 * Sweep (a durable job, enqueued every ten minutes): for every released case whose post-mortem
 * is not done and whose lead was not yet told, tells the lead once it is due. Exactly once: the
 * casework row is locked and `postmortem_notified_at` is set in the transaction that queues the
 * mail, so a second sweep (another node, or a rerun after a crash) finds it set.
 */
export async function postmortemSweepJob(ctx: Ctx): Promise<number> {
  const template = await currentTemplate(ctx.db);
  // Only cases already due: release (the first case-level event into P) plus the case's days.
  const candidates = await sql<{ id: string }>`
    select c.id from cases c
    left join casework cw on cw.case_id = c.id
    join lateral (
      select min(e.created_at) as released from case_events e
      where e.case_id = c.id and e.kind = 'cs_event' and e.participant_id is null
        and substr(e.data->>'to', length(e.data->>'to') - 2, 1) = 'P'
    ) r on r.released is not null
    where (cw.case_id is null or (cw.postmortem_notified_at is null and cw.postmortem_completed_at is null))
      and r.released + make_interval(days => coalesce(cw.postmortem_days, ${template.postmortemDays})) <= ${ctx.now()}
    order by r.released`.execute(ctx.db);
  let notified = 0;
  for (const { id } of candidates.rows) {
    if (await notifyIfDue(ctx, id)) notified += 1;
  }
  return notified;
}

async function notifyIfDue(ctx: Ctx, caseId: string): Promise<boolean> {
  return inTransaction(ctx, async (tx) => {
    const release = await caseReleasedAt(tx, caseId);
    if (!release) return false;
    const template = await currentTemplate(tx);
    // Compare before creating a row: a case not yet due keeps following the current template.
    const existing = await tx
      .selectFrom('casework')
      .select('postmortem_days')
      .where('case_id', '=', caseId)
      .executeTakeFirst();
    const due = postmortemDueAt(release, existing?.postmortem_days ?? template.postmortemDays)!;
    if (due.getTime() > ctx.now().getTime()) return false;
    const cw = await lockCasework(tx, ctx, caseId);
    if (cw.postmortem_notified_at || cw.postmortem_completed_at) return false;
    const c = await tx.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirstOrThrow();
    await touch(tx, ctx, caseId, { postmortem_notified_at: ctx.now() });
    const lead = c.lead_id
      ? await tx.selectFrom('users').select(['email', 'disabled_at']).where('id', '=', c.lead_id).executeTakeFirst()
      : undefined;
    const to = lead && !lead.disabled_at ? lead.email : null;
    if (to) {
      await queueMail(tx, ctx, {
        to,
        subject: `[${c.case_id}] The post-mortem is due`,
        text: [
          `Case ${c.case_id} was released on ${release.toISOString().slice(0, 10)}; its post-mortem was due ${cw.postmortem_days} days later.`,
          'Answer the post-mortem questions in the case execution template:',
          `${ctx.config.baseUrl}/cases/${c.case_id}#casework`,
        ].join('\n'),
      });
    }
    await record(tx, ctx, c, 'postmortem_due', {
      releasedAt: release.toISOString(),
      dueAt: due.toISOString(),
      leadNotified: to !== null,
    });
    return true;
  });
}

import type { Transaction } from 'kysely';
import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { caseStateEventIn, recordCaseEvent } from '../cases/commands.ts';
import { caseResource, findCase } from '../cases/queries.ts';
import { AppError, conflict, notFound } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import type { CaseRow, Database, EmbargoCordRow, EmbargoProposalRow, EmbargoRow } from '../db/schema.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { caseOrgAudience, emitWebhookEvent, enqueueNotification } from '../notifications/dispatch.ts';
import type { WebhookEventKind } from '../notifications/rules.ts';
import { findOrgById } from '../orgs/queries.ts';
import { onEmbargoChanged } from '../publication/commands.ts';
import type { EmbargoChange } from '../publication/rules.ts';
import { actorId, actorLabel } from '../policy/actor.ts';
import { authorize, can, type CaseResource } from '../policy/policy.ts';
import { findReport, reportResource } from '../reports/queries.ts';
import { invalidFields } from '../reports/rules.ts';
import { emTeardownFor, emTransitionInContext } from '../vultron/cross.ts';
import type { CsEvent, PxaState } from '../vultron/cs.ts';
import { emTransition, type EmState } from '../vultron/em.ts';
import { orThrow } from '../vultron/result.ts';
import type { RmState } from '../vultron/rm.ts';
import { defaultRequired, embargoStart, participantInfo } from './queries.ts';
import {
  checkEvidence,
  checkProposalInput,
  checkProposedEnd,
  consentOutcome,
  cordCsEvent,
  cordTriggers,
  defaultEnd,
  formatInZone,
  parseBusinessHours,
  unacknowledged,
  type ConsentState,
  type CordTrigger,
  type ProposalInput,
} from './rules.ts';

/**
 * Embargo commands: proposals and revisions, per-participant consent, termination, the scheduled
 * end, and parachute cords. Every EM step goes through src/vultron/em.ts (and the EM×CS/RM rules
 * of src/vultron/cross.ts); an illegal one is refused with the rule it breaks (409).
 */

type Tx = Transaction<Database>;

export const EMBARGO_END_JOB = 'embargo.end';

/**
 * The release plan (src/publication) hears, in this transaction, when the embargo becomes Active
 * (also with a revised end) and when it exits: it schedules the publication and opens the checklist.
 */
async function embargoChanged(tx: Tx, ctx: Ctx, caseId: string, change: EmbargoChange): Promise<void> {
  await onEmbargoChanged(tx, ctx, caseId, change);
}

/** The case, for a caller who reads the full case; anyone else gets 404 (401 when not signed in). */
async function loadCase(tx: Tx, ctx: Ctx, ref: string): Promise<{ c: CaseRow; resource: CaseResource }> {
  if (ctx.actor.kind === 'anonymous') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first: this needs an account');
  const c = await findCase(tx, ref);
  if (!c) throw notFound('case', ref);
  const resource = await caseResource(tx, ctx.actor, c);
  if (!can(ctx.actor, 'case:read_full', resource)) throw notFound('case', ref);
  return { c, resource };
}

/** The case's embargo row, created in N when missing, locked for this transaction. */
async function lockEmbargo(tx: Tx, ctx: Ctx, caseId: string): Promise<EmbargoRow> {
  await tx
    .insertInto('embargoes')
    .values({
      case_id: caseId,
      em_state: 'N',
      active_proposal_id: null,
      pending_proposal_id: null,
      ends_at: null,
      time_zone: null,
      grace_until: null,
      exit_reason: null,
      exited_at: null,
      created_at: ctx.now(),
      updated_at: ctx.now(),
    })
    .onConflict((oc) => oc.column('case_id').doNothing())
    .execute();
  return tx.selectFrom('embargoes').selectAll().where('case_id', '=', caseId).forUpdate().executeTakeFirstOrThrow();
}

/**
 * Tells everyone who reads the full case (the official thread's audience) about an embargo change,
 * as the official channel does (mandatory; immediate or in the digest), and the participant
 * organizations' webhooks. The mails are composed and encrypted by an urgent `notifications.send`
 * job after the commit (src/notifications/send.ts), which decides the recipients when it runs.
 */
async function tellCase(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  what: { subject: string; notice: string; detail: string; webhook: WebhookEventKind; itemId: string },
): Promise<void> {
  const link = `${ctx.config.baseUrl}/cases/${c.case_id}`;
  await enqueueNotification(
    tx,
    ctx,
    {
      source: 'embargo',
      caseId: c.id,
      audience: 'official',
      actorUserId: actorId(ctx.actor),
      subject: `[${c.case_id}] ${what.subject}`,
      notice: `${what.notice}\n${link}`,
      detail: `${what.detail}\n\n-- \n${link}`,
    },
    `notify:embargo:${c.id}:${what.itemId}:${newId()}`,
  );
  await emitWebhookEvent(tx, ctx, {
    kind: what.webhook,
    caseRow: c,
    itemId: what.itemId,
    apiPath: `/api/v1/cases/${c.case_id}/embargo`,
    orgIds: await caseOrgAudience(tx, c),
  });
}

function describeEnd(endsAt: Date, timeZone: string): string {
  return `${formatInZone(endsAt, timeZone)} ${timeZone} (${endsAt.toISOString()})`;
}

async function scheduleEnd(tx: Tx, ctx: Ctx, caseId: string, endsAt: Date): Promise<void> {
  await enqueueJob(
    tx,
    {
      kind: EMBARGO_END_JOB,
      payload: { caseId, endsAt: endsAt.toISOString() },
      runAt: endsAt,
      uniqueKey: `embargo-end:${caseId}:${endsAt.toISOString()}`,
    },
    ctx.now(),
  );
}

/** Invited consents of a proposal lapse (it was superseded, withdrawn or rejected by someone else). */
async function lapse(tx: Tx, proposalId: string): Promise<void> {
  await tx
    .updateTable('embargo_consents')
    .set({ state: 'lapsed' })
    .where('proposal_id', '=', proposalId)
    .where('state', '=', 'invited')
    .execute();
}

export interface ProposeResult {
  proposal: EmbargoProposalRow;
  warnings: { code: string; message: string }[];
}

/**
 * The case lead or a coordinator proposes an end (a revision while an embargo is in force). The end
 * is checked (refusals, then warnings the proposer must acknowledge by repeating the request with
 * `acknowledgeWarnings`); every required participant is invited to consent.
 */
export async function proposeEmbargo(ctx: Ctx, ref: string, input: ProposalInput): Promise<ProposeResult> {
  const { rationale, acknowledge } = checkProposalInput(input);
  return inTransaction(ctx, async (tx) => {
    const { c, resource } = await loadCase(tx, ctx, ref);
    authorize(ctx.actor, 'case:manage', resource, 'case:read_full');
    const e = await lockEmbargo(tx, ctx, c.id);
    const move = orThrow(emTransitionInContext(e.em_state, 'propose', { pxa: c.pxa_state as PxaState, rm: 'A' }), {
      state: e.em_state,
      event: 'propose',
    });
    const participants = await participantInfo(tx, c.id);
    let required = defaultRequired(participants);
    if (input.requiredParticipantIds) {
      const wanted = [...new Set(input.requiredParticipantIds)];
      const unknown = wanted.filter((id) => !participants.some((p) => p.participantId === id));
      if (unknown.length > 0) {
        throw invalidFields([
          {
            field: 'requiredParticipantIds',
            message: `${unknown.join(', ')} is not a current participant of the case`,
          },
        ]);
      }
      required = participants.filter((p) => wanted.includes(p.participantId));
    }
    if (required.length === 0) {
      throw invalidFields([
        {
          field: 'requiredParticipantIds',
          message: 'nobody would have to agree: add the vendors (or name the required participants) first',
        },
      ]);
    }
    const hours = parseBusinessHours(
      `${ctx.config.embargo.businessHours.start}-${ctx.config.embargo.businessHours.end}`,
    );
    if (!hours) throw new AppError('ERR_CONFIG', 'ACCORD_EMBARGO_HOURS is not a range like 09:00-17:00');
    const timeZone = input.timeZone?.trim() || e.time_zone || ctx.config.sla.timeZone;
    const startedAt = await embargoStart(tx, c);
    const end =
      input.end?.trim() ||
      defaultEnd(startedAt, ctx.config.embargo.defaultDays, timeZone, hours, ctx.config.sla.holidays);
    const checked = checkProposedEnd(end, timeZone, {
      now: ctx.now(),
      home: { timeZone: ctx.config.sla.timeZone, holidays: ctx.config.sla.holidays },
      countryHolidays: ctx.config.embargo.countryHolidays,
      businessHours: hours,
      participants: required,
      startedAt,
    });
    const missing = unacknowledged(checked.warnings, acknowledge);
    if (missing.length > 0) {
      throw conflict(
        `please confirm: ${missing.map((w) => w.message).join('; ')}. To propose this end anyway, repeat the ` +
          `request with acknowledgeWarnings: [${missing.map((w) => `"${w.code}"`).join(', ')}]`,
        {
          warnings: checked.warnings,
          unacknowledged: missing.map((w) => w.code),
          endsAt: checked.endsAt.toISOString(),
        },
      );
    }
    if (e.pending_proposal_id) {
      await tx
        .updateTable('embargo_proposals')
        .set({ status: 'superseded', decided_at: ctx.now() })
        .where('id', '=', e.pending_proposal_id)
        .execute();
      await lapse(tx, e.pending_proposal_id);
    }
    const last = await tx
      .selectFrom('embargo_proposals')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('case_id', '=', c.id)
      .executeTakeFirst();
    const proposal = await tx
      .insertInto('embargo_proposals')
      .values({
        id: newId(),
        case_id: c.id,
        seq: Number(last?.seq ?? 0) + 1,
        revision: move.message === 'EV',
        local_end: checked.localEnd,
        time_zone: timeZone,
        ends_at: checked.endsAt,
        rationale,
        proposed_by: actorId(ctx.actor),
        proposed_by_label: actorLabel(ctx.actor),
        acknowledged_warnings: JSON.stringify(checked.warnings.map((w) => w.code)),
        status: 'pending',
        decided_at: null,
        created_at: ctx.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    for (const p of required) {
      await tx
        .insertInto('embargo_consents')
        .values({
          proposal_id: proposal.id,
          participant_id: p.participantId,
          state: 'invited',
          exceeds_max: checked.exceedsMaximum.includes(p.participantId),
          max_days: p.maxDays,
          accepted_longer: false,
          decided_by: null,
          decided_by_label: null,
          decided_at: null,
          note: '',
        })
        .execute();
    }
    await tx
      .updateTable('embargoes')
      .set({ em_state: move.to, pending_proposal_id: proposal.id, updated_at: ctx.now() })
      .where('case_id', '=', c.id)
      .execute();
    await recordCaseEvent(tx, ctx, c.id, 'embargo_proposed', {
      proposalId: proposal.id,
      seq: proposal.seq,
      revision: proposal.revision,
      from: e.em_state,
      to: move.to,
      message: move.message,
      endsAt: checked.endsAt.toISOString(),
      timeZone,
      localEnd: checked.localEnd,
      acknowledgedWarnings: checked.warnings.map((w) => w.code),
      required: required.map((p) => p.participantId),
    });
    await tellCase(tx, ctx, c, {
      subject: proposal.revision ? 'A revised embargo end is proposed' : 'An embargo is proposed',
      notice: `An embargo end is proposed in case ${c.case_id}; your organization may be asked to accept it. Sign in to answer:`,
      detail: [
        `Case: ${c.case_id}`,
        `${proposal.revision ? 'Revised embargo' : 'Embargo'} proposed by ${proposal.proposed_by_label}`,
        `Ends: ${describeEnd(checked.endsAt, timeZone)}`,
        `Asked to accept: ${required.map((p) => p.name).join(', ')}`,
        ...(rationale ? ['', rationale] : []),
      ].join('\n'),
      webhook: 'embargo.changed',
      itemId: proposal.id,
    });
    await recordAudit(tx, ctx, {
      action: 'embargo.propose',
      subjectType: 'case',
      subjectId: c.id,
      summary: {
        caseId: c.case_id,
        proposalId: proposal.id,
        endsAt: checked.endsAt.toISOString(),
        timeZone,
        message: move.message,
        acknowledgedWarnings: checked.warnings.map((w) => w.code),
      },
    });
    return { proposal, warnings: checked.warnings };
  });
}

export interface ConsentInput {
  decision: 'accept' | 'decline';
  participantId?: string | undefined;
  /** Explicit acceptance of a proposal longer than the organization's maximum. */
  acceptLongerThanMaximum?: boolean | undefined;
  note?: string | undefined;
}

/**
 * A required participant accepts or declines the pending proposal (staff managing the case may
 * record it for a participant that answered elsewhere, e.g. the finder by mail). The embargo
 * becomes Active (EA, or EC for a revision) when every required participant has accepted; one
 * decline rejects the proposal (ER: back to N; EJ: the terms in force stay).
 */
export async function decideConsent(ctx: Ctx, ref: string, input: ConsentInput): Promise<{ emState: EmState }> {
  const note = (input.note ?? '').trim();
  if (note.length > 5000) throw invalidFields([{ field: 'note', message: 'at most 5,000 characters' }]);
  return inTransaction(ctx, async (tx) => {
    const { c, resource } = await loadCase(tx, ctx, ref);
    const e = await lockEmbargo(tx, ctx, c.id);
    const event = input.decision === 'accept' ? 'accept' : 'reject';
    if (!e.pending_proposal_id) {
      orThrow(emTransition(e.em_state, event), { state: e.em_state, event });
      throw conflict('there is no pending embargo proposal to answer');
    }
    const manage = can(ctx.actor, 'case:manage', resource);
    const myOrgs = resource.participation.filter((p) => p.accepted && p.allowed).map((p) => p.orgId);
    const pending = await pendingConsents(tx, e.pending_proposal_id);
    const mine = pending.filter((r) => r.org_id !== null && myOrgs.includes(r.org_id));
    let target;
    if (input.participantId) {
      target = pending.find((r) => r.participant_id === input.participantId);
      if (!target) {
        if (!isUuid(input.participantId)) throw notFound('participant', input.participantId);
        throw conflict(`participant ${input.participantId} is not asked to consent to this proposal`);
      }
      if (!manage && !mine.includes(target)) {
        throw new AppError('ERR_FORBIDDEN', 'you may answer only for your own organization', {
          action: 'embargo:consent',
        });
      }
    } else {
      const open = mine.filter((r) => r.state === 'invited');
      if (open.length > 1) {
        throw invalidFields([{ field: 'participantId', message: 'you answer for several participants: name one' }]);
      }
      target = open[0] ?? mine[0];
      if (!target) {
        if (manage) throw invalidFields([{ field: 'participantId', message: 'name the participant you answer for' }]);
        throw conflict('your organization is not asked to consent to this proposal');
      }
    }
    return answerConsent(
      tx,
      ctx,
      c,
      e,
      e.pending_proposal_id,
      pending,
      target,
      !mine.includes(target),
      input.decision,
      {
        note,
        acceptLongerThanMaximum: input.acceptLongerThanMaximum,
      },
    );
  });
}

/**
 * The finder answers the pending proposal from their follow-up page (or signed in with the account
 * the report came from), for their own participation in a case opened from that report and for
 * nothing else. Anyone else — staff included, who record a finder's answer through decideConsent —
 * gets 404, as for a case they cannot see.
 */
export async function finderDecideConsent(
  ctx: Ctx,
  reportRef: string,
  caseRef: string,
  input: { decision: 'accept' | 'decline'; note?: string | undefined },
): Promise<{ emState: EmState }> {
  const note = (input.note ?? '').trim();
  if (note.length > 5000) throw invalidFields([{ field: 'note', message: 'at most 5,000 characters' }]);
  return inTransaction(ctx, async (tx) => {
    const report = await findReport(tx, reportRef);
    if (!report || !can(ctx.actor, 'report:answer', reportResource(report))) {
      if (ctx.actor.kind === 'anonymous') {
        throw new AppError('ERR_UNAUTHENTICATED', 'open your follow-up link, or sign in, to answer');
      }
      if (report && can(ctx.actor, 'report:read', reportResource(report))) {
        throw new AppError(
          'ERR_FORBIDDEN',
          "only the finder answers here; staff record a finder's answer on the case's embargo tab",
          { action: 'report:answer' },
        );
      }
      throw notFound('report', reportRef);
    }
    const c = report.finder_id ? await findCase(tx, caseRef) : undefined;
    const own =
      c &&
      (await tx
        .selectFrom('case_participants as fp')
        .innerJoin('case_reports as cr', 'cr.case_id', 'fp.case_id')
        .select('fp.id')
        .where('fp.case_id', '=', c.id)
        .where('cr.report_id', '=', report.id)
        .where('fp.finder_id', '=', report.finder_id)
        .where('fp.role', 'in', ['finder', 'reporter'])
        .where('fp.removed_at', 'is', null)
        .executeTakeFirst());
    if (!c || !own) throw notFound('case', caseRef);
    const e = await lockEmbargo(tx, ctx, c.id);
    const event = input.decision === 'accept' ? 'accept' : 'reject';
    if (!e.pending_proposal_id) {
      orThrow(emTransition(e.em_state, event), { state: e.em_state, event });
      throw conflict('there is no pending embargo proposal to answer');
    }
    const pending = await pendingConsents(tx, e.pending_proposal_id);
    const target = pending.find((r) => r.participant_id === own.id);
    if (!target) throw conflict('you are not asked to consent to this proposal');
    return answerConsent(tx, ctx, c, e, e.pending_proposal_id, pending, target, false, input.decision, { note });
  });
}

type PendingConsent = Awaited<ReturnType<typeof pendingConsents>>[number];

function pendingConsents(tx: Tx, proposalId: string) {
  return tx
    .selectFrom('embargo_consents as ec')
    .innerJoin('case_participants as p', 'p.id', 'ec.participant_id')
    .select(['ec.participant_id', 'ec.state', 'ec.exceeds_max', 'ec.max_days', 'p.org_id', 'p.rm_state'])
    .where('ec.proposal_id', '=', proposalId)
    .execute();
}

/**
 * One required participant's answer to the pending proposal (the participant's own, or recorded on
 * its behalf): the EM×CS/RM rules, the per-organization maximum, then EA/EC when everyone has
 * accepted or ER/EJ on a decline — with the timeline, the mails and the audit entry.
 */
async function answerConsent(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  e: EmbargoRow,
  proposalId: string,
  pending: readonly PendingConsent[],
  target: PendingConsent,
  onBehalf: boolean,
  decision: 'accept' | 'decline',
  opts: { note: string; acceptLongerThanMaximum?: boolean | undefined },
): Promise<{ emState: EmState }> {
  const event = decision === 'accept' ? 'accept' : 'reject';
  const note = opts.note;
  if (target.state !== 'invited') {
    throw conflict(`this participant has already answered (${target.state}); a new proposal asks again`);
  }
  // The EM×CS and EM×RM rules hold for each participant's consent, not only for the last one.
  if (event === 'accept') {
    orThrow(
      emTransitionInContext(e.em_state, 'accept', {
        pxa: c.pxa_state as PxaState,
        rm: target.rm_state as RmState,
      }),
      { state: e.em_state, event, participantId: target.participant_id },
    );
    if (target.exceeds_max && opts.acceptLongerThanMaximum !== true) {
      throw conflict(
        `this embargo is longer than your organization's maximum of ${target.max_days ?? '?'} days: accept it ` +
          'explicitly with acceptLongerThanMaximum: true, or decline it',
        { maxDays: target.max_days },
      );
    }
  } else orThrow(emTransition(e.em_state, 'reject'), { state: e.em_state, event });
  const state: ConsentState = event === 'accept' ? 'signatory' : 'declined';
  await tx
    .updateTable('embargo_consents')
    .set({
      state,
      accepted_longer: event === 'accept' && target.exceeds_max,
      decided_by: actorId(ctx.actor),
      decided_by_label: actorLabel(ctx.actor),
      decided_at: ctx.now(),
      note: opts.note,
    })
    .where('proposal_id', '=', proposalId)
    .where('participant_id', '=', target.participant_id)
    .execute();
  await recordCaseEvent(
    tx,
    ctx,
    c.id,
    'embargo_consent',
    { proposalId, state, onBehalf, acceptedLonger: event === 'accept' && target.exceeds_max },
    target.participant_id,
  );
  const states = pending.map((r) => (r.participant_id === target.participant_id ? state : r.state));
  const outcome = consentOutcome(states);
  const proposal = await tx
    .selectFrom('embargo_proposals')
    .selectAll()
    .where('id', '=', proposalId)
    .executeTakeFirstOrThrow();
  let emState: EmState = e.em_state;
  if (outcome === 'agreed') {
    const move = orThrow(emTransition(e.em_state, 'accept'));
    emState = move.to;
    await tx
      .updateTable('embargo_proposals')
      .set({ status: 'accepted', decided_at: ctx.now() })
      .where('id', '=', proposal.id)
      .execute();
    await tx
      .updateTable('embargoes')
      .set({
        em_state: move.to,
        active_proposal_id: proposal.id,
        pending_proposal_id: null,
        ends_at: proposal.ends_at,
        time_zone: proposal.time_zone,
        grace_until: null,
        exit_reason: null,
        updated_at: ctx.now(),
      })
      .where('case_id', '=', c.id)
      .execute();
    await scheduleEnd(tx, ctx, c.id, proposal.ends_at);
    await recordCaseEvent(tx, ctx, c.id, 'embargo_agreed', {
      proposalId: proposal.id,
      from: e.em_state,
      to: move.to,
      message: move.message,
      endsAt: proposal.ends_at.toISOString(),
      timeZone: proposal.time_zone,
    });
    await embargoChanged(tx, ctx, c.id, { kind: 'active', endsAt: proposal.ends_at });
    await tellCase(tx, ctx, c, {
      subject: 'The embargo is agreed',
      notice: `Every required participant accepted the embargo of case ${c.case_id}. Sign in to see the end:`,
      detail: [
        `Case: ${c.case_id}`,
        `The embargo is agreed${proposal.revision ? ' (revised)' : ''}.`,
        `Ends: ${describeEnd(proposal.ends_at, proposal.time_zone)}`,
      ].join('\n'),
      webhook: 'embargo.changed',
      itemId: proposal.id,
    });
  } else if (outcome === 'declined') {
    emState = await rejectPending(tx, ctx, c.id, e.em_state, proposal.id, {});
    await tellCase(tx, ctx, c, {
      subject: 'An embargo proposal was declined',
      notice: `A participant declined the embargo proposal of case ${c.case_id}. Sign in to see it:`,
      detail: [
        `Case: ${c.case_id}`,
        `The proposal ending ${describeEnd(proposal.ends_at, proposal.time_zone)} was declined.`,
        emState === 'A' ? 'The embargo in force stays as it was.' : 'There is no embargo now.',
        ...(note ? ['', note] : []),
      ].join('\n'),
      webhook: 'embargo.changed',
      itemId: proposal.id,
    });
  }
  await recordAudit(tx, ctx, {
    action: 'embargo.consent',
    subjectType: 'case',
    subjectId: c.id,
    summary: {
      caseId: c.case_id,
      proposalId: proposal.id,
      participantId: target.participant_id,
      state,
      onBehalf,
      outcome,
      emState,
    },
  });
  return { emState };
}

/**
 * The pending proposal (or revision) is rejected and its open consents lapse: the embargo goes back
 * to N (ER, from P) or stays Active on the terms in force (EJ, from R). Returns the new EM state.
 */
async function rejectPending(
  tx: Tx,
  ctx: Ctx,
  caseId: string,
  from: EmState,
  proposalId: string | null,
  extra: Record<string, unknown>,
): Promise<EmState> {
  const move = orThrow(emTransition(from, 'reject'), { state: from, event: 'reject' });
  if (proposalId) {
    await tx
      .updateTable('embargo_proposals')
      .set({ status: 'rejected', decided_at: ctx.now() })
      .where('id', '=', proposalId)
      .execute();
    await lapse(tx, proposalId);
  }
  await tx
    .updateTable('embargoes')
    .set({ em_state: move.to, pending_proposal_id: null, updated_at: ctx.now() })
    .where('case_id', '=', caseId)
    .execute();
  await recordCaseEvent(tx, ctx, caseId, 'embargo_rejected', {
    proposalId,
    from,
    to: move.to,
    message: move.message,
    ...extra,
  });
  return move.to;
}

/** Leaves the embargo (ET): a pending revision is withdrawn; the release plan is told. */
async function exitEmbargo(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  e: EmbargoRow,
  reason: 'cord' | 'terminated' | 'ended',
  note: string,
): Promise<void> {
  const move = orThrow(emTransition(e.em_state, 'terminate'), { state: e.em_state, event: 'terminate' });
  if (e.pending_proposal_id) {
    await tx
      .updateTable('embargo_proposals')
      .set({ status: 'withdrawn', decided_at: ctx.now() })
      .where('id', '=', e.pending_proposal_id)
      .execute();
    await lapse(tx, e.pending_proposal_id);
  }
  await tx
    .updateTable('embargoes')
    .set({
      em_state: move.to,
      pending_proposal_id: null,
      exit_reason: reason,
      exited_at: ctx.now(),
      updated_at: ctx.now(),
    })
    .where('case_id', '=', c.id)
    .execute();
  await recordCaseEvent(tx, ctx, c.id, 'embargo_exited', {
    from: e.em_state,
    to: move.to,
    message: move.message,
    reason,
    ...(note ? { note } : {}),
  });
  await embargoChanged(tx, ctx, c.id, { kind: 'exited', at: ctx.now(), reason });
}

/** The case lead or a coordinator ends the embargo in force (ET, {A,R}→X). */
export async function terminateEmbargo(ctx: Ctx, ref: string, input: { note?: string | undefined }): Promise<void> {
  const note = (input.note ?? '').trim();
  if (note.length > 5000) throw invalidFields([{ field: 'note', message: 'at most 5,000 characters' }]);
  await inTransaction(ctx, async (tx) => {
    const { c, resource } = await loadCase(tx, ctx, ref);
    authorize(ctx.actor, 'case:manage', resource, 'case:read_full');
    const e = await lockEmbargo(tx, ctx, c.id);
    await exitEmbargo(tx, ctx, c, e, 'terminated', note);
    await tellCase(tx, ctx, c, {
      subject: 'The embargo was ended',
      notice: `The embargo of case ${c.case_id} was ended by the coordinators. Sign in to see it:`,
      detail: [
        `Case: ${c.case_id}`,
        `The embargo was ended by ${actorLabel(ctx.actor)}.`,
        ...(note ? ['', note] : []),
      ].join('\n'),
      webhook: 'embargo.changed',
      itemId: c.id,
    });
    await recordAudit(tx, ctx, {
      action: 'embargo.terminate',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, from: e.em_state },
    });
  });
}

/**
 * The embargo after the case's P/X/A changed, per the EM×CS rules (src/vultron/cross.ts). When the
 * vulnerability or an exploit is public the embargo MUST end: a pending proposal is rejected (EJ),
 * an embargo in force is terminated (ET), and everyone is told. When only attacks are observed it
 * SHOULD end: the timeline says so and the lead decides (a parachute cord agreed in advance for
 * attacks ends it at once — that path is pullCord's). Runs in the caller's transaction, after the
 * case state changed; `cause` goes into the timeline.
 */
export async function embargoAfterCaseStateIn(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  cause: string,
): Promise<'rejected' | 'ended' | 'advised' | null> {
  const e = await tx.selectFrom('embargoes').selectAll().where('case_id', '=', c.id).forUpdate().executeTakeFirst();
  if (!e) return null;
  const teardown = emTeardownFor(e.em_state, c.pxa_state as PxaState);
  if (!teardown) return null;
  if (teardown.strength === 'SHOULD') {
    await recordCaseEvent(tx, ctx, c.id, 'embargo_teardown_advised', {
      event: teardown.event,
      reason: teardown.reason,
      pxa: c.pxa_state,
      cause,
    });
    return 'advised';
  }
  if (teardown.event === 'reject') {
    await rejectPending(tx, ctx, c.id, e.em_state, e.pending_proposal_id, { cause, reason: teardown.reason });
  } else if (e.ends_at && e.ends_at.getTime() <= ctx.now().getTime()) {
    // Public at (or after) the agreed end, before the end job ran: the embargo simply ended.
    await exitEmbargo(tx, ctx, c, e, e.exit_reason === 'cord' ? 'cord' : 'ended', '');
  } else {
    await exitEmbargo(tx, ctx, c, e, 'terminated', teardown.reason);
  }
  await tellCase(tx, ctx, c, {
    subject: teardown.event === 'reject' ? 'The embargo proposal is void' : 'The embargo has ended',
    notice: `The embargo of case ${c.case_id} changed because the case state changed. Sign in to see it:`,
    detail: [
      `Case: ${c.case_id}`,
      `Case state: ${c.pxa_state}.`,
      teardown.event === 'reject'
        ? `The pending embargo proposal is rejected: ${teardown.reason}.`
        : `The embargo has ended: ${teardown.reason}.`,
    ].join('\n'),
    webhook: 'embargo.changed',
    itemId: c.id,
  });
  await recordAudit(tx, ctx, {
    action: teardown.event === 'reject' ? 'embargo.reject' : 'embargo.terminate',
    subjectType: 'case',
    subjectId: c.id,
    summary: { caseId: c.case_id, from: e.em_state, cause, pxa: c.pxa_state },
  });
  return teardown.event === 'reject' ? 'rejected' : 'ended';
}

/**
 * A Vultron case-state event (src/cases/commands.ts caseStateEventIn) and, when it is P, X or A,
 * what it means for the embargo (embargoAfterCaseStateIn) — in one transaction. The HTTP route and
 * the CLI record case states through this, so recording "public" never leaves an embargo running.
 */
export async function recordCaseState(
  ctx: Ctx,
  ref: string,
  input: { event: CsEvent; participantId?: string | undefined },
): Promise<CaseRow> {
  return inTransaction(ctx, async (tx) => {
    const c = await caseStateEventIn(tx, ctx, ref, input);
    if (input.event !== 'P' && input.event !== 'X' && input.event !== 'A') return c;
    await embargoAfterCaseStateIn(tx, ctx, c, `cs_${input.event}`);
    return (await findCase(tx, c.id))!;
  });
}

/**
 * The job at the embargo's end: the embargo exits (reason `ended`, or `cord` at the end of a
 * cord's grace period). A job for an end that was since revised or left finds nothing to do.
 */
export async function embargoEndJob(ctx: Ctx, payload: Record<string, unknown>): Promise<void> {
  const caseId = typeof payload['caseId'] === 'string' ? payload['caseId'] : '';
  const endsAt = typeof payload['endsAt'] === 'string' ? payload['endsAt'] : '';
  await inTransaction(ctx, async (tx) => {
    const c = await findCase(tx, caseId);
    if (!c) return;
    const e = await tx.selectFrom('embargoes').selectAll().where('case_id', '=', c.id).forUpdate().executeTakeFirst();
    if (!e || (e.em_state !== 'A' && e.em_state !== 'R') || e.ends_at?.toISOString() !== endsAt) return;
    if (e.ends_at.getTime() > ctx.now().getTime()) return;
    const reason = e.exit_reason === 'cord' ? 'cord' : 'ended';
    await exitEmbargo(tx, ctx, c, e, reason, '');
    await tellCase(tx, ctx, c, {
      subject: 'The embargo has ended',
      notice: `The embargo of case ${c.case_id} has ended. Sign in to see the case:`,
      detail: [`Case: ${c.case_id}`, `The embargo ended at ${describeEnd(e.ends_at, e.time_zone ?? 'UTC')}.`].join(
        '\n',
      ),
      webhook: 'embargo.changed',
      itemId: c.id,
    });
    await recordAudit(tx, ctx, {
      action: 'embargo.end',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, endsAt, reason },
    });
  });
}

/** The case lead or a coordinator agrees a parachute cord for the case (one per trigger). */
export async function defineCord(
  ctx: Ctx,
  ref: string,
  input: { trigger: string; description?: string | undefined },
): Promise<EmbargoCordRow> {
  const trigger = input.trigger as CordTrigger;
  if (!cordTriggers.includes(trigger)) {
    throw invalidFields([{ field: 'trigger', message: `use one of ${cordTriggers.join(', ')}` }]);
  }
  const description = (input.description ?? '').trim();
  if (description.length > 5000) throw invalidFields([{ field: 'description', message: 'at most 5,000 characters' }]);
  return inTransaction(ctx, async (tx) => {
    const { c, resource } = await loadCase(tx, ctx, ref);
    authorize(ctx.actor, 'case:manage', resource, 'case:read_full');
    const e = await lockEmbargo(tx, ctx, c.id);
    if (e.em_state === 'X') throw conflict('the embargo has exited: there is nothing left to pull a cord on');
    const existing = await tx
      .selectFrom('embargo_cords')
      .select('id')
      .where('case_id', '=', c.id)
      .where('trigger', '=', trigger)
      .executeTakeFirst();
    if (existing) throw conflict(`a ${trigger} cord is already agreed for this case`, { cordId: existing.id });
    const cord = await tx
      .insertInto('embargo_cords')
      .values({
        id: newId(),
        case_id: c.id,
        trigger,
        description,
        defined_by: actorId(ctx.actor),
        created_at: ctx.now(),
        pulled_at: null,
        pulled_by: null,
        pulled_by_label: null,
        pulled_participant_id: null,
        evidence_url: null,
        evidence_note: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(tx, ctx, c.id, 'embargo_cord_defined', { cordId: cord.id, trigger });
    await recordAudit(tx, ctx, {
      action: 'embargo.cord_define',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, cordId: cord.id, trigger },
    });
    return cord;
  });
}

const triggerLabels = {
  exploit_public: 'an exploit is public',
  attacks_observed: 'attacks are observed',
  details_public: 'details are public or leaked',
  early_fix: 'a participant released a fix early',
} as const satisfies Record<CordTrigger, string>;

/**
 * Any participant who accepted the case terms (or the coordinators) pulls an agreed cord with
 * evidence. The case's P/X/A records what happened (Vultron CS, through the cases command); the
 * embargo then ends (ET) or, with a grace period configured, ends at its close; a pending first
 * proposal is rejected (ER). Every participant is alerted at once by mail, every participant
 * organization by webhook, and the case page shows a banner.
 */
export async function pullCord(
  ctx: Ctx,
  ref: string,
  cordId: string,
  input: { url?: string | undefined; note?: string | undefined },
): Promise<EmbargoCordRow> {
  const evidence = checkEvidence(input);
  return inTransaction(ctx, async (tx) => {
    const { c, resource } = await loadCase(tx, ctx, ref);
    const manage = can(ctx.actor, 'case:manage', resource);
    if (!manage && !can(ctx.actor, 'case:statement', resource)) authorize(ctx.actor, 'case:manage', resource);
    const e = await lockEmbargo(tx, ctx, c.id);
    const cord = isUuid(cordId)
      ? await tx
          .selectFrom('embargo_cords')
          .selectAll()
          .where('id', '=', cordId)
          .where('case_id', '=', c.id)
          .executeTakeFirst()
      : undefined;
    if (!cord) throw notFound('cord', cordId);
    if (cord.pulled_at) {
      throw conflict(
        `this cord was already pulled at ${cord.pulled_at.toISOString()} by ${cord.pulled_by_label ?? '?'}`,
      );
    }
    if (e.em_state === 'N' || e.em_state === 'X') {
      throw new AppError(
        'ERR_ILLEGAL_TRANSITION',
        `EM: there is no embargo ${e.em_state === 'X' ? 'any more' : 'yet'} (${e.em_state}); a parachute cord ends an embargo in force or a pending proposal`,
        { state: e.em_state },
      );
    }
    const myOrgs = resource.participation.filter((p) => p.accepted && p.allowed).map((p) => p.orgId);
    const puller =
      myOrgs.length > 0
        ? await tx
            .selectFrom('case_participants')
            .select('id')
            .where('case_id', '=', c.id)
            .where('removed_at', 'is', null)
            .where('org_id', 'in', myOrgs)
            .orderBy('created_at')
            .executeTakeFirst()
        : undefined;
    const pulled = await tx
      .updateTable('embargo_cords')
      .set({
        pulled_at: ctx.now(),
        pulled_by: actorId(ctx.actor),
        pulled_by_label: actorLabel(ctx.actor),
        pulled_participant_id: puller?.id ?? null,
        evidence_url: evidence.url,
        evidence_note: evidence.note,
      })
      .where('id', '=', cord.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // What happened goes into the case state first (CP/CX/CA), unless it is recorded already.
    const csEvent = cordCsEvent[cord.trigger];
    let pxa = c.pxa_state as PxaState;
    if (!pxa.includes(csEvent)) {
      const updated = await caseStateEventIn(tx, ctx, c.id, { event: csEvent }, { authorized: true });
      pxa = updated.pxa_state as PxaState;
    }
    await recordCaseEvent(
      tx,
      ctx,
      c.id,
      'embargo_cord_pulled',
      { cordId: cord.id, trigger: cord.trigger, csEvent, url: evidence.url, note: evidence.note, pxa },
      puller?.id ?? null,
    );
    // Then the embargo, per the EM×CS rules (a cord agreed in advance always ends it, even for attacks).
    const teardown = emTeardownFor(e.em_state, pxa) ?? {
      event: e.em_state === 'P' ? ('reject' as const) : ('terminate' as const),
    };
    let outcome: string;
    if (teardown.event === 'reject') {
      await rejectPending(tx, ctx, c.id, e.em_state, e.pending_proposal_id, { cordId: cord.id });
      outcome = 'The pending embargo proposal is rejected: there is no embargo.';
    } else if (ctx.config.embargo.graceHours > 0 && e.ends_at) {
      const graceUntil = new Date(ctx.now().getTime() + ctx.config.embargo.graceHours * 3600_000);
      const endsAt = graceUntil.getTime() < e.ends_at.getTime() ? graceUntil : e.ends_at;
      let state: EmState = e.em_state;
      if (e.em_state === 'R' && e.pending_proposal_id) {
        // A pending revision is moot: it is rejected (EJ) and the terms in force run out with the grace period.
        state = await rejectPending(tx, ctx, c.id, 'R', e.pending_proposal_id, { cordId: cord.id });
      }
      await tx
        .updateTable('embargoes')
        .set({
          em_state: state,
          pending_proposal_id: null,
          ends_at: endsAt,
          grace_until: graceUntil,
          exit_reason: 'cord',
          updated_at: ctx.now(),
        })
        .where('case_id', '=', c.id)
        .execute();
      await scheduleEnd(tx, ctx, c.id, endsAt);
      await embargoChanged(tx, ctx, c.id, { kind: 'active', endsAt });
      outcome = `The embargo ends after a grace period, at ${describeEnd(endsAt, e.time_zone ?? 'UTC')}.`;
    } else {
      await exitEmbargo(tx, ctx, c, e, 'cord', '');
      outcome = 'The embargo has ended.';
    }
    const after = (await findCase(tx, c.id))!;
    await alertEveryone(tx, ctx, after, pulled, outcome);
    await emitWebhookEvent(tx, ctx, {
      kind: 'embargo.cord_pulled',
      caseRow: c,
      itemId: pulled.id,
      apiPath: `/api/v1/cases/${c.case_id}/embargo`,
      orgIds: await caseOrgAudience(tx, c),
    });
    await recordAudit(tx, ctx, {
      action: 'embargo.cord_pull',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, cordId: cord.id, trigger: cord.trigger, csEvent, url: evidence.url },
    });
    return pulled;
  });
}

/**
 * The cord alert: one mail, now, to every person of every participant (and the coordinators),
 * whatever their delivery preference (an alert is not for the digest). Content goes encrypted to
 * those who read the full case and want it so; everyone else gets a notice without details. An
 * urgent `notifications.send` job composes the mails after the commit and decides the recipients
 * when it runs (src/notifications/events.ts embargoRecipients).
 */
async function alertEveryone(tx: Tx, ctx: Ctx, c: CaseRow, cord: EmbargoCordRow, outcome: string): Promise<void> {
  const link = `${ctx.config.baseUrl}/cases/${c.case_id}`;
  const detail = [
    `Case: ${c.case_id}`,
    `Parachute cord pulled: ${triggerLabels[cord.trigger]}`,
    `Pulled by: ${cord.pulled_by_label ?? '?'} at ${cord.pulled_at?.toISOString() ?? ''}`,
    ...(cord.evidence_url ? [`Evidence: ${cord.evidence_url}`] : []),
    '',
    cord.evidence_note ?? '',
    '',
    outcome,
    `Case state now: ${c.pxa_state}`,
    '',
    '-- ',
    link,
  ].join('\n');
  await enqueueNotification(
    tx,
    ctx,
    {
      source: 'embargo',
      caseId: c.id,
      audience: 'everyone',
      actorUserId: actorId(ctx.actor),
      subject: `[${c.case_id}] Embargo alert: a parachute cord was pulled`,
      notice:
        `A parachute cord was pulled in case ${c.case_id}: the embargo has ended or ends shortly. ` +
        `Sign in to see what happened and what to do:\n${link}`,
      detail,
    },
    `notify:embargo-cord:${cord.id}`,
  );
}

/** An organization's maximum embargo length (its admins or coordinators); null removes it. */
export async function setOrgEmbargoMaximum(ctx: Ctx, orgId: string, maxDays: number | null): Promise<void> {
  if (maxDays !== null && (!Number.isInteger(maxDays) || maxDays < 1 || maxDays > 3650)) {
    throw invalidFields([{ field: 'maxDays', message: 'a whole number of days from 1 to 3650, or null for none' }]);
  }
  await inTransaction(ctx, async (tx) => {
    const org = isUuid(orgId) ? await findOrgById(tx, orgId) : undefined;
    if (!org) throw notFound('organization', orgId);
    authorize(ctx.actor, 'org:update', { type: 'org', id: org.id, kind: org.kind });
    if (maxDays === null) await tx.deleteFrom('org_embargo_policies').where('org_id', '=', org.id).execute();
    else {
      await tx
        .insertInto('org_embargo_policies')
        .values({ org_id: org.id, max_days: maxDays, updated_by: actorId(ctx.actor), updated_at: ctx.now() })
        .onConflict((oc) =>
          oc.column('org_id').doUpdateSet({ max_days: maxDays, updated_by: actorId(ctx.actor), updated_at: ctx.now() }),
        )
        .execute();
    }
    await recordAudit(tx, ctx, {
      action: 'org.embargo_maximum',
      subjectType: 'org',
      subjectId: org.id,
      summary: { maxDays },
    });
  });
}

import type { Db } from '../app/context.ts';
import type { CaseRow, EmbargoCordRow, EmbargoProposalRow, EmbargoRow } from '../db/schema.ts';
import type { Actor } from '../policy/actor.ts';
import { isRequiredByDefault, type ParticipantPlace } from './rules.ts';

/** Reads for embargoes. Callers have loaded the case through its SQL scope (src/cases/queries.ts). */

export async function findEmbargo(db: Db, caseId: string): Promise<EmbargoRow | undefined> {
  return db.selectFrom('embargoes').selectAll().where('case_id', '=', caseId).executeTakeFirst();
}

/**
 * The end of the embargo in force, for the minimal case view (a vendor that has not accepted the
 * terms yet sees this and nothing else of the embargo). Null when none is in force.
 */
export async function embargoEndFor(db: Db, caseId: string): Promise<{ endsAt: string; timeZone: string } | null> {
  const e = await findEmbargo(db, caseId);
  if (!e || (e.em_state !== 'A' && e.em_state !== 'R') || !e.ends_at || !e.time_zone) return null;
  return { endsAt: e.ends_at.toISOString(), timeZone: e.time_zone };
}

export interface ParticipantInfo extends ParticipantPlace {
  role: string;
  orgId: string | null;
  finderId: string | null;
  statuses: string[];
}

/**
 * The case's current participants with what the embargo checks need: their organization's zone,
 * country and maximum embargo length, and their vendor statuses (for the default required set).
 */
export async function participantInfo(db: Db, caseId: string): Promise<ParticipantInfo[]> {
  const rows = await db
    .selectFrom('case_participants as p')
    .leftJoin('organizations as o', 'o.id', 'p.org_id')
    .leftJoin('org_profiles as op', 'op.org_id', 'p.org_id')
    .leftJoin('org_embargo_policies as ep', 'ep.org_id', 'p.org_id')
    .select(['p.id', 'p.role', 'p.org_id', 'p.finder_id', 'o.name', 'op.time_zone', 'op.country', 'ep.max_days'])
    .where('p.case_id', '=', caseId)
    .where('p.removed_at', 'is', null)
    .orderBy('p.created_at')
    .execute();
  const statuses = await db
    .selectFrom('vendor_statuses')
    .select(['participant_id', 'status'])
    .where('case_id', '=', caseId)
    .execute();
  return rows.map((r) => ({
    participantId: r.id,
    name: r.name ?? 'Finder',
    timeZone: r.time_zone,
    country: r.country,
    maxDays: r.max_days,
    role: r.role,
    orgId: r.org_id,
    finderId: r.finder_id,
    statuses: statuses.filter((s) => s.participant_id === r.id).map((s) => s.status),
  }));
}

export function defaultRequired(participants: readonly ParticipantInfo[]): ParticipantInfo[] {
  return participants.filter((p) => isRequiredByDefault(p));
}

/** When the negotiation started: the earliest report of the case, else the case's opening. */
export async function embargoStart(db: Db, c: Pick<CaseRow, 'id' | 'created_at'>): Promise<Date> {
  const row = await db
    .selectFrom('case_reports as cr')
    .innerJoin('reports as r', 'r.id', 'cr.report_id')
    .select('r.created_at')
    .where('cr.case_id', '=', c.id)
    .orderBy('r.created_at')
    .limit(1)
    .executeTakeFirst();
  return row?.created_at ?? c.created_at;
}

export async function proposals(db: Db, caseId: string): Promise<EmbargoProposalRow[]> {
  return db.selectFrom('embargo_proposals').selectAll().where('case_id', '=', caseId).orderBy('seq', 'desc').execute();
}

export interface ConsentView {
  proposalId: string;
  participantId: string;
  name: string;
  role: string;
  orgId: string | null;
  state: string;
  exceedsMaximum: boolean;
  maxDays: number | null;
  acceptedLonger: boolean;
  decidedBy: string | null;
  decidedAt: string | null;
  note: string;
}

export async function consents(db: Db, proposalIds: readonly string[]): Promise<ConsentView[]> {
  if (proposalIds.length === 0) return [];
  const rows = await db
    .selectFrom('embargo_consents as ec')
    .innerJoin('case_participants as p', 'p.id', 'ec.participant_id')
    .leftJoin('organizations as o', 'o.id', 'p.org_id')
    .select([
      'ec.proposal_id',
      'ec.participant_id',
      'ec.state',
      'ec.exceeds_max',
      'ec.max_days',
      'ec.accepted_longer',
      'ec.decided_by_label',
      'ec.decided_at',
      'ec.note',
      'p.role',
      'p.org_id',
      'o.name',
    ])
    .where('ec.proposal_id', 'in', [...proposalIds])
    .orderBy('p.created_at')
    .execute();
  return rows.map((r) => ({
    proposalId: r.proposal_id,
    participantId: r.participant_id,
    name: r.name ?? 'Finder',
    role: r.role,
    orgId: r.org_id,
    state: r.state,
    exceedsMaximum: r.exceeds_max,
    maxDays: r.max_days,
    acceptedLonger: r.accepted_longer,
    decidedBy: r.decided_by_label,
    decidedAt: r.decided_at?.toISOString() ?? null,
    note: r.note,
  }));
}

export async function cords(db: Db, caseId: string): Promise<EmbargoCordRow[]> {
  return db.selectFrom('embargo_cords').selectAll().where('case_id', '=', caseId).orderBy('created_at').execute();
}

/** The viewer's own time zone (their profile), for rendering the end; UTC for anyone else. */
export async function viewerTimeZone(db: Db, actor: Actor): Promise<string> {
  if (actor.kind !== 'user') return 'UTC';
  const row = await db.selectFrom('users').select('time_zone').where('id', '=', actor.userId).executeTakeFirst();
  return row?.time_zone || 'UTC';
}

export async function orgEmbargoMaximum(db: Db, orgId: string): Promise<number | null> {
  const row = await db
    .selectFrom('org_embargo_policies')
    .select('max_days')
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return row?.max_days ?? null;
}

/** The embargo as one participant needs it to answer: the end in force and the pending proposal with its own consent. */
export interface ParticipantEmbargoView {
  state: EmbargoRow['em_state'];
  endsAt: string | null;
  timeZone: string | null;
  localEnd: string | null;
  pending: {
    endsAt: string;
    timeZone: string;
    localEnd: string;
    revision: boolean;
    yourConsent: 'invited' | 'signatory' | 'declined' | 'lapsed' | null;
  } | null;
}

/**
 * What a participant who reads only part of the case (the finder) sees of the embargo: dates and
 * its own consent — never the rationale, the proposer or the other participants' answers.
 */
export async function participantEmbargo(
  db: Db,
  caseId: string,
  participantId: string,
): Promise<ParticipantEmbargoView> {
  const e = await findEmbargo(db, caseId);
  if (!e) return { state: 'N', endsAt: null, timeZone: null, localEnd: null, pending: null };
  const inForce = (e.em_state === 'A' || e.em_state === 'R') && e.ends_at && e.time_zone;
  const active =
    inForce && e.active_proposal_id
      ? await db
          .selectFrom('embargo_proposals')
          .select('local_end')
          .where('id', '=', e.active_proposal_id)
          .executeTakeFirst()
      : undefined;
  let pending: ParticipantEmbargoView['pending'] = null;
  if (e.pending_proposal_id) {
    const p = await db
      .selectFrom('embargo_proposals as p')
      .leftJoin('embargo_consents as ec', (j) =>
        j.onRef('ec.proposal_id', '=', 'p.id').on('ec.participant_id', '=', participantId),
      )
      .select(['p.ends_at', 'p.time_zone', 'p.local_end', 'p.revision', 'ec.state'])
      .where('p.id', '=', e.pending_proposal_id)
      .executeTakeFirst();
    if (p) {
      pending = {
        endsAt: p.ends_at.toISOString(),
        timeZone: p.time_zone,
        localEnd: p.local_end,
        revision: p.revision,
        yourConsent: p.state ?? null,
      };
    }
  }
  return {
    state: e.em_state,
    endsAt: inForce ? e.ends_at!.toISOString() : null,
    timeZone: inForce ? e.time_zone : null,
    localEnd: active?.local_end ?? null,
    pending,
  };
}

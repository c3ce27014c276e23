import { sql, type Transaction } from 'kysely';
import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { AppError, notFound } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import type { CaseRow, Database, OrganizationRow, ParticipantRow } from '../db/schema.ts';
import { JOB_PRIORITY } from '../jobs/priority.ts';
import { queueMail } from '../mail/outbox.ts';
import { createInvitation, withdrawInvitations } from '../orgs/invitations.ts';
import { notifyCaseState, notifyStatusChange } from '../notifications/events.ts';
import { findOrgById } from '../orgs/queries.ts';
import { actorId } from '../policy/actor.ts';
import { authorize, can, instance } from '../policy/policy.ts';
import { findReport } from '../reports/queries.ts';
import { invalidFields } from '../reports/rules.ts';
import { localDate } from '../sla/calendar.ts';
import { calendarOf } from '../reports/sla.ts';
import {
  csApply,
  csTransition,
  joinCs,
  splitCs,
  type CsEvent,
  type CsState,
  type VfdState,
  type PxaState,
} from '../vultron/cs.ts';
import { orThrow } from '../vultron/result.ts';
import { rmTransition, type RmEvent, type RmState } from '../vultron/rm.ts';
import { caseResource, findCase } from './queries.ts';
import { recordCaseEvent } from './events.ts';
import { createStandardThreads } from './threads.ts';
import { scheduleReminders } from './reminders.ts';
import {
  checkCaseInput,
  checkStatus,
  checkVulnerability,
  mayNameUsers,
  participantRoles,
  startState,
  type CaseInput,
  type ParticipantRole,
  type StatusInput,
  type VulnerabilityInput,
} from './rules.ts';

type Tx = Transaction<Database>;

// Kept importable from here: the domains that record case events import it from the cases commands.
export { recordCaseEvent };

async function nextCaseId(tx: Tx, ctx: Ctx): Promise<string> {
  const year = Number(localDate(calendarOf(ctx.config.sla), ctx.now()).slice(0, 4));
  const row = await sql<{ value: number }>`
    insert into counters (name, value) values (${`case:${year}`}, 1)
    on conflict (name) do update set value = counters.value + 1
    returning value`.execute(tx);
  return `${ctx.config.cases.idPrefix}-${year}-${String(Number(row.rows[0]!.value)).padStart(4, '0')}`;
}

export interface OpenCaseInput extends CaseInput {
  reportIds?: string[] | undefined;
}

/**
 * Staff open a case from accepted reports or from scratch; the opener leads it. The finders of
 * the reports join as participants (finder role, RM Accepted per Vultron's start states).
 */
export async function openCase(ctx: Ctx, input: OpenCaseInput): Promise<CaseRow> {
  authorize(ctx.actor, 'case:create', instance);
  const checked = checkCaseInput(input);
  return inTransaction(ctx, async (tx) => {
    const reports = [];
    for (const ref of input.reportIds ?? []) {
      const report = await findReport(tx, ref);
      if (!report) throw invalidFields([{ field: 'reportIds', message: `report ${ref} was not found` }]);
      if (report.rm_state !== 'A') {
        throw new AppError(
          'ERR_ILLEGAL_TRANSITION',
          `RM: report ${report.tracking_id} must be Accepted before a case is opened from it (it is ${report.rm_state})`,
        );
      }
      reports.push(report);
    }
    const c = await insertCase(tx, ctx, checked, null);
    for (const report of reports) {
      await tx.insertInto('case_reports').values({ case_id: c.id, report_id: report.id }).execute();
      if (report.finder_id) {
        const start = startState('finder');
        await tx
          .insertInto('case_participants')
          .values(
            participantValues(ctx, c.id, {
              orgId: null,
              finderId: report.finder_id,
              role: 'finder',
              rm: start.rm,
              vfd: null,
            }),
          )
          .execute();
      }
    }
    await recordCaseEvent(tx, ctx, c.id, 'case_opened', { reports: reports.map((r) => r.tracking_id) });
    await recordAudit(tx, ctx, {
      action: 'case.create',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, reports: reports.map((r) => r.tracking_id) },
    });
    return c;
  });
}

/** A vendor member asks the home organization to coordinate: a case their org participates in. */
export async function requestCase(ctx: Ctx, orgId: string, input: CaseInput): Promise<CaseRow> {
  authorize(ctx.actor, 'case:request', instance);
  if (ctx.actor.kind !== 'user' || !ctx.actor.memberships.some((m) => m.orgId === orgId)) {
    throw invalidFields([{ field: 'orgId', message: 'open the case for an organization you belong to' }]);
  }
  const checked = checkCaseInput(input);
  return inTransaction(ctx, async (tx) => {
    const c = await insertCase(tx, ctx, checked, orgId);
    const p = await tx
      .insertInto('case_participants')
      .values({
        ...participantValues(ctx, c.id, { orgId, finderId: null, role: 'vendor', rm: 'A', vfd: 'Vfd' }),
        // The requesting vendor wrote the terms' occasion: it accepts them by opening the case.
        terms_version: c.terms_version,
        terms_accepted_at: ctx.now(),
        terms_accepted_by: actorId(ctx.actor),
        terms_accepted_ip: ctx.meta.ip,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(tx, ctx, c.id, 'case_requested', { orgId }, p.id);
    await recordAudit(tx, ctx, {
      action: 'case.request',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, orgId },
    });
    return c;
  });
}

async function insertCase(
  tx: Tx,
  ctx: Ctx,
  checked: { title: string; summary: string; termsText: string },
  requestedBy: string | null,
): Promise<CaseRow> {
  const now = ctx.now();
  const staffLead = ctx.actor.kind === 'user' && ctx.actor.staffRole !== null ? ctx.actor.userId : null;
  const c = await tx
    .insertInto('cases')
    .values({
      id: newId(),
      case_id: await nextCaseId(tx, ctx),
      title: checked.title,
      summary: checked.summary,
      lead_id: staffLead,
      pxa_state: 'pxa',
      terms_text: checked.termsText,
      terms_version: 1,
      requested_by_org: requestedBy,
      status: 'open',
      created_by: actorId(ctx.actor),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await createStandardThreads(tx, ctx, c.id);
  return c;
}

function participantValues(
  ctx: Ctx,
  caseId: string,
  p: { orgId: string | null; finderId: string | null; role: ParticipantRole; rm: string; vfd: string | null },
) {
  const now = ctx.now();
  return {
    id: newId(),
    case_id: caseId,
    org_id: p.orgId,
    finder_id: p.finderId,
    role: p.role,
    rm_state: p.rm,
    vfd_state: p.vfd,
    allowed_user_ids: JSON.stringify([]),
    terms_version: null,
    terms_accepted_at: null,
    terms_accepted_by: null,
    terms_accepted_ip: null,
    notified_at: null,
    first_seen_at: null,
    created_at: now,
    updated_at: now,
  };
}

async function loadManaged(tx: Tx, ctx: Ctx, ref: string): Promise<CaseRow> {
  const c = await findCase(tx, ref);
  if (!c) throw notFound('case', ref);
  authorize(ctx.actor, 'case:manage', await caseResource(tx, ctx.actor, c), 'case:read');
  return c;
}

/**
 * Adds an organization in a Vultron role. Its members get a content-free notice (no case detail
 * in clear-text mail: only the id and a link); RM starts per the role's start state.
 */
export async function addParticipant(
  ctx: Ctx,
  ref: string,
  input: { orgId: string; role: string; allowedUserIds?: string[] | undefined },
): Promise<ParticipantRow> {
  const role = input.role as ParticipantRole;
  if (!participantRoles.includes(role)) {
    throw invalidFields([{ field: 'role', message: `use one of ${participantRoles.join(', ')}` }]);
  }
  return inTransaction(ctx, async (tx) => {
    const c = await loadManaged(tx, ctx, ref);
    const org = await findOrgById(tx, input.orgId);
    if (!org || org.kind === 'home') {
      throw invalidFields([{ field: 'orgId', message: 'choose an external organization from the directory' }]);
    }
    const members = await tx
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.email'])
      .where('m.org_id', '=', org.id)
      .where('u.disabled_at', 'is', null)
      .execute();
    const allowed = input.allowedUserIds ?? [];
    const unknown = allowed.find((id) => !members.some((m) => m.id === id));
    if (unknown)
      throw invalidFields([{ field: 'allowedUserIds', message: `user ${unknown} is not a member of ${org.name}` }]);
    const start = startState(role);
    let row = await tx
      .insertInto('case_participants')
      .values({
        ...participantValues(ctx, c.id, { orgId: org.id, finderId: null, role, rm: start.rm, vfd: start.vfd }),
        allowed_user_ids: JSON.stringify(allowed),
        notified_at: ctx.now(),
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    let readded = false;
    if (!row) {
      // Added again after a removal: the same row comes back (its history stays with it), with
      // fresh start states, and the terms must be accepted again.
      row = await tx
        .updateTable('case_participants')
        .set({
          removed_at: null,
          removed_by: null,
          rm_state: start.rm,
          vfd_state: start.vfd,
          allowed_user_ids: JSON.stringify(allowed),
          terms_version: null,
          terms_accepted_at: null,
          terms_accepted_by: null,
          terms_accepted_ip: null,
          notified_at: ctx.now(),
          updated_at: ctx.now(),
        })
        .where('case_id', '=', c.id)
        .where('org_id', '=', org.id)
        .where('role', '=', role)
        .where('removed_at', 'is not', null)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new AppError('ERR_CONFLICT', `${org.name} already takes part in ${c.case_id} as ${role}`);
      readded = true;
    }
    if (role === 'vendor') await scheduleReminders(tx, ctx, row.id, row.notified_at ?? ctx.now());
    const recipients = allowed.length > 0 ? members.filter((m) => allowed.includes(m.id)) : members;
    for (const m of recipients) await mailCaseNotice(tx, ctx, c, org.name, role, m.email);
    // Nobody of the organization is on the platform yet: its approved security contacts are
    // invited to sign up into it, and land on the case (terms first).
    const invited = members.length === 0 ? await inviteContacts(tx, ctx, c, org, row.id) : [];
    await recordCaseEvent(
      tx,
      ctx,
      c.id,
      'participant_added',
      { orgId: org.id, orgName: org.name, role, notified: recipients.length, invited: invited.length, readded },
      row.id,
    );
    await recordAudit(tx, ctx, {
      action: 'case.participant_add',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, orgId: org.id, role, invitations: invited.map((i) => i.invitationId) },
    });
    return row;
  });
}

/** The content-free notice to a member of a participant: the case id and a link, no detail. */
async function mailCaseNotice(tx: Tx, ctx: Ctx, c: CaseRow, orgName: string, role: string, to: string) {
  await queueMail(tx, ctx, {
    priority: JOB_PRIORITY.urgent,
    to,
    subject: `[${c.case_id}] You are invited to a coordinated disclosure case`,
    text: [
      `${ctx.config.instanceName} invites ${orgName} to take part in case ${c.case_id} as ${role}.`,
      'Sign in to read and accept the case terms; the details are shown only after that:',
      `${ctx.config.baseUrl}/cases/${c.case_id}`,
    ].join('\n'),
  });
}

/** Security contacts receive invitations: approved ones only (a vendor's own proposal waits for staff). */
const SECURITY_CONTACT_ROLES = ['security', 'psirt'];

/**
 * Invites the approved security contacts of an organization that has nobody on the platform yet
 * to sign up into it (an org invitation: token link in the URL fragment, only its hash stored),
 * linked to the case participation so they land on the case. The mail names the case id, the
 * lead and the link to the terms, nothing embargoed.
 */
async function inviteContacts(
  tx: Tx,
  ctx: Ctx,
  c: CaseRow,
  org: { id: string; name: string; kind: OrganizationRow['kind'] },
  participantId: string,
): Promise<{ invitationId: string; email: string }[]> {
  const contacts = await tx
    .selectFrom('org_contacts')
    .select(['id', 'email'])
    .where('org_id', '=', org.id)
    .where('status', '=', 'approved')
    .where('role', 'in', SECURITY_CONTACT_ROLES)
    .orderBy('created_at')
    .execute();
  const lead = c.lead_id
    ? (await tx.selectFrom('users').select('name').where('id', '=', c.lead_id).executeTakeFirst())?.name
    : undefined;
  const leadLine = lead ?? `the ${ctx.config.instanceName} coordinators`;
  const seen = new Set<string>();
  const out: { invitationId: string; email: string }[] = [];
  for (const contact of contacts) {
    const key = contact.email.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const { invitation } = await createInvitation(
      tx,
      ctx,
      org,
      { email: contact.email, role: 'org_admin' },
      (link) => ({
        subject: `[${c.case_id}] Invitation to a coordinated vulnerability disclosure case`,
        text: [
          `${ctx.config.instanceName} invites your organization to take part in case ${c.case_id}, led by ${leadLine}.`,
          'You are receiving this as a security contact listed for your organization.',
          '',
          'Open this link within 14 days to create your account (or sign in) and read the case terms;',
          'the details of the case are shown only after the terms are accepted:',
          link,
          '',
          'If you did not expect this message, you can ignore it.',
        ].join('\n'),
      }),
    );
    await tx
      .insertInto('case_invitations')
      .values({
        invitation_id: invitation.id,
        case_id: c.id,
        participant_id: participantId,
        contact_id: contact.id,
        created_at: ctx.now(),
      })
      .execute();
    out.push({ invitationId: invitation.id, email: invitation.email });
  }
  return out;
}

/** Accepting the case terms (recorded with user, time, version and address) opens the full case. */
export async function acceptTerms(ctx: Ctx, ref: string, version: number): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const c = await findCase(tx, ref);
    if (!c) throw notFound('case', ref);
    const resource = await caseResource(tx, ctx.actor, c);
    authorize(ctx.actor, 'case:accept_terms', resource, 'case:read');
    if (version !== c.terms_version) {
      throw new AppError('ERR_CONFLICT', `the terms changed: read version ${c.terms_version} and accept that one`, {
        currentVersion: c.terms_version,
      });
    }
    if (ctx.actor.kind !== 'user') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first');
    const orgIds = resource.participation.filter((p) => p.allowed && !p.accepted).map((p) => p.orgId);
    const rows = await tx
      .updateTable('case_participants')
      .set({
        terms_version: c.terms_version,
        terms_accepted_at: ctx.now(),
        terms_accepted_by: ctx.actor.userId,
        terms_accepted_ip: ctx.meta.ip,
        updated_at: ctx.now(),
      })
      .where('case_id', '=', c.id)
      .where('org_id', 'in', orgIds)
      .where('removed_at', 'is', null)
      .returning(['id', 'org_id'])
      .execute();
    for (const r of rows) {
      await recordCaseEvent(
        tx,
        ctx,
        c.id,
        'terms_accepted',
        { version: c.terms_version, orgId: r.org_id, ip: ctx.meta.ip },
        r.id,
      );
    }
    await recordAudit(tx, ctx, {
      action: 'case.terms_accept',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, version: c.terms_version, orgIds },
    });
  });
}

export async function addVulnerability(ctx: Ctx, ref: string, input: VulnerabilityInput) {
  const v = checkVulnerability(input);
  return inTransaction(ctx, async (tx) => {
    const c = await loadManaged(tx, ctx, ref);
    if (v.cveId) {
      const taken = await tx
        .selectFrom('vulnerabilities')
        .select('id')
        .where('cve_id', '=', v.cveId)
        .executeTakeFirst();
      if (taken)
        throw invalidFields([{ field: 'cveId', message: `${v.cveId} is already used by another vulnerability` }]);
    }
    const now = ctx.now();
    const row = await tx
      .insertInto('vulnerabilities')
      .values({
        id: newId(),
        case_id: c.id,
        title: v.title,
        description: v.description,
        cwe: v.cwe,
        cvss_v3: v.cvssV3?.vector ?? null,
        cvss_v3_score: v.cvssV3?.score ?? null,
        cvss_v4: v.cvssV4?.vector ?? null,
        cvss_v4_score: v.cvssV4?.score ?? null,
        cve_id: v.cveId,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(tx, ctx, c.id, 'vulnerability_added', {
      vulnerabilityId: row.id,
      title: row.title,
      cve: row.cve_id,
    });
    await recordAudit(tx, ctx, {
      action: 'case.vulnerability_add',
      subjectType: 'case',
      subjectId: c.id,
      summary: { vulnerabilityId: row.id },
    });
    return row;
  });
}

/** A current participant of the case (a removed one answers 404). */
async function loadParticipant(tx: Tx, caseId: string, participantId: string): Promise<ParticipantRow> {
  const p = isUuid(participantId)
    ? await tx
        .selectFrom('case_participants')
        .selectAll()
        .where('id', '=', participantId)
        .where('case_id', '=', caseId)
        .where('removed_at', 'is', null)
        .executeTakeFirst()
    : undefined;
  if (!p) throw notFound('participant', participantId);
  return p;
}

/**
 * A participant's own Vultron RM move. Staff managing the case record moves for any participant
 * (e.g. a vendor that answered by mail); a participant moves only itself.
 */
export async function participantRm(
  ctx: Ctx,
  ref: string,
  participantId: string,
  event: RmEvent,
): Promise<ParticipantRow> {
  return inTransaction(ctx, async (tx) => {
    const c = await findCase(tx, ref);
    if (!c) throw notFound('case', ref);
    const resource = await caseResource(tx, ctx.actor, c);
    const p = await loadParticipant(tx, c.id, participantId);
    const own = resource.participation.some((x) => x.orgId === p.org_id && x.allowed && x.accepted);
    if (!own) authorize(ctx.actor, 'case:manage', resource, 'case:read');
    const move = orThrow(rmTransition(p.rm_state as RmState, event), { participantId: p.id, state: p.rm_state, event });
    const row = await tx
      .updateTable('case_participants')
      .set({ rm_state: move.to, updated_at: ctx.now() })
      .where('id', '=', p.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(
      tx,
      ctx,
      c.id,
      'rm_transition',
      { from: p.rm_state, to: move.to, message: move.message },
      p.id,
    );
    await recordAudit(tx, ctx, {
      action: 'case.rm_transition',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, participantId: p.id, from: p.rm_state, to: move.to },
    });
    return row;
  });
}

/**
 * A Vultron CS event, in the caller's transaction. V/F/D belong to one vendor participant; P/X/A to
 * the case, and apply to every vendor's state at once (with the forced follow-ups of transient
 * states: an exploit made public makes the case public; a public case makes every vendor aware).
 * Callers record case states through `recordCaseState` (src/embargo/commands.ts), which also ends
 * the embargo when the case becomes public. `authorized`: the caller already decided that the
 * actor may record a P/X/A event (a participant pulling a parachute cord, the publication job).
 */
export async function caseStateEventIn(
  tx: Tx,
  ctx: Ctx,
  ref: string,
  input: { event: CsEvent; participantId?: string | undefined },
  opts: { authorized?: boolean } = {},
): Promise<CaseRow> {
  {
    const c = await findCase(tx, ref);
    if (!c) throw notFound('case', ref);
    const resource = await caseResource(tx, ctx.actor, c);
    const vendors = await tx
      .selectFrom('case_participants')
      .selectAll()
      .where('case_id', '=', c.id)
      .where('role', '=', 'vendor')
      .where('removed_at', 'is', null)
      .execute();
    const pxa = c.pxa_state as PxaState;
    if (input.event === 'V' || input.event === 'F' || input.event === 'D') {
      if (!input.participantId)
        throw invalidFields([{ field: 'participantId', message: 'V, F and D belong to one vendor' }]);
      const p = await loadParticipant(tx, c.id, input.participantId);
      if (p.role !== 'vendor' || !p.vfd_state)
        throw invalidFields([{ field: 'participantId', message: 'only vendors have V, F and D' }]);
      const own = resource.participation.some((x) => x.orgId === p.org_id && x.allowed && x.accepted);
      if (!own) authorize(ctx.actor, 'case:manage', resource, 'case:read');
      const state = joinCs(p.vfd_state as VfdState, pxa);
      const move = orThrow(csTransition(state, input.event), { participantId: p.id, state, event: input.event });
      await tx
        .updateTable('case_participants')
        .set({ vfd_state: splitCs(move.to).vfd, updated_at: ctx.now() })
        .where('id', '=', p.id)
        .execute();
      await recordCaseEvent(
        tx,
        ctx,
        c.id,
        'cs_event',
        { event: input.event, from: state, to: move.to, message: move.message },
        p.id,
      );
    } else {
      if (!opts.authorized) authorize(ctx.actor, 'case:manage', resource, 'case:read');
      let nextPxa: PxaState | null = null;
      const updates: { id: string; vfd: VfdState; from: CsState; to: CsState }[] = [];
      const targets = vendors.length > 0 ? vendors : [null];
      for (const v of targets) {
        const state = joinCs((v?.vfd_state ?? 'vfd') as VfdState, pxa);
        const r = orThrow(csApply(state, input.event), { event: input.event, state, participantId: v?.id ?? null });
        const parts = splitCs(r.to);
        nextPxa = parts.pxa;
        if (v) updates.push({ id: v.id, vfd: parts.vfd, from: state, to: r.to });
      }
      for (const u of updates) {
        await tx
          .updateTable('case_participants')
          .set({ vfd_state: u.vfd, updated_at: ctx.now() })
          .where('id', '=', u.id)
          .execute();
      }
      await tx
        .updateTable('cases')
        .set({ pxa_state: nextPxa!, updated_at: ctx.now() })
        .where('id', '=', c.id)
        .execute();
      await recordCaseEvent(tx, ctx, c.id, 'cs_event', {
        event: input.event,
        from: pxa,
        to: nextPxa,
        vendors: updates.length,
      });
    }
    const updated = (await findCase(tx, c.id))!;
    const vfd = input.participantId
      ? (
          await tx
            .selectFrom('case_participants')
            .select('vfd_state')
            .where('id', '=', input.participantId)
            .executeTakeFirst()
        )?.vfd_state
      : null;
    await notifyCaseState(tx, ctx, updated, {
      event: input.event,
      participantId: input.participantId,
      to: vfd ? joinCs(vfd as VfdState, updated.pxa_state as PxaState) : updated.pxa_state,
    });
    await recordAudit(tx, ctx, {
      action: 'case.cs_event',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, event: input.event, participantId: input.participantId ?? null },
    });
    return updated;
  }
}

/** A vendor's statement for one product × vulnerability (or staff recording it for them); every change is kept. */
export async function setVendorStatus(
  ctx: Ctx,
  ref: string,
  input: StatusInput & { participantId: string; vulnerabilityId: string; product: string },
) {
  const checked = checkStatus(input);
  const product = input.product.trim();
  if (product.length < 1 || product.length > 300)
    throw invalidFields([{ field: 'product', message: 'name the product (1 to 300 characters)' }]);
  return inTransaction(ctx, async (tx) => {
    const c = await findCase(tx, ref);
    if (!c) throw notFound('case', ref);
    const resource = await caseResource(tx, ctx.actor, c);
    const p = await loadParticipant(tx, c.id, input.participantId);
    const own = resource.participation.some((x) => x.orgId === p.org_id && x.allowed && x.accepted);
    if (!own) authorize(ctx.actor, 'case:manage', resource, 'case:read_full');
    if (p.role !== 'vendor')
      throw invalidFields([{ field: 'participantId', message: 'statuses are stated by vendors' }]);
    const vuln = await tx
      .selectFrom('vulnerabilities')
      .select('id')
      .where('id', '=', isUuid(input.vulnerabilityId) ? input.vulnerabilityId : '00000000-0000-0000-0000-000000000000')
      .where('case_id', '=', c.id)
      .executeTakeFirst();
    if (!vuln) throw invalidFields([{ field: 'vulnerabilityId', message: 'no such vulnerability in this case' }]);
    const now = ctx.now();
    const row = await tx
      .insertInto('vendor_statuses')
      .values({
        id: newId(),
        case_id: c.id,
        participant_id: p.id,
        vulnerability_id: vuln.id,
        product,
        status: checked.status,
        justification: checked.justification,
        statement: checked.statement,
        fixed_versions: checked.fixedVersions,
        affected_range: checked.affectedRange,
        refs: JSON.stringify(checked.references),
        vendor_tracking_id: checked.vendorTrackingId,
        may_share: checked.mayShare,
        approved_at: null,
        approved_by: null,
        updated_by: actorId(ctx.actor),
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['participant_id', 'vulnerability_id', 'product']).doUpdateSet({
          status: checked.status,
          justification: checked.justification,
          statement: checked.statement,
          fixed_versions: checked.fixedVersions,
          affected_range: checked.affectedRange,
          refs: JSON.stringify(checked.references),
          vendor_tracking_id: checked.vendorTrackingId,
          may_share: checked.mayShare,
          // A changed statement needs staff approval again before anything goes public.
          approved_at: null,
          approved_by: null,
          updated_by: actorId(ctx.actor),
          updated_at: now,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('vendor_status_history')
      .values({
        id: newId(),
        status_id: row.id,
        status: row.status,
        justification: row.justification,
        statement: row.statement,
        fixed_versions: row.fixed_versions,
        affected_range: row.affected_range,
        changed_by: actorId(ctx.actor),
        changed_at: now,
      })
      .execute();
    await recordCaseEvent(
      tx,
      ctx,
      c.id,
      'status_changed',
      { vulnerabilityId: vuln.id, product, status: row.status },
      p.id,
    );
    await notifyStatusChange(tx, ctx, c, p, row);
    await recordAudit(tx, ctx, {
      action: 'case.status_set',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, participantId: p.id, product, status: row.status },
    });
    return row;
  });
}

async function activeMembers(tx: Tx, orgId: string) {
  return tx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email'])
    .where('m.org_id', '=', orgId)
    .where('u.disabled_at', 'is', null)
    .execute();
}

async function openCaseInvitations(tx: Tx, participantId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('case_invitations as ci')
    .innerJoin('invitations as i', 'i.id', 'ci.invitation_id')
    .select('i.id')
    .where('ci.participant_id', '=', participantId)
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Removes a participant (case lead or coordinator). Its rows stay for the history (statuses,
 * posts, timeline), but its organization loses access at once: every scope skips removed
 * participations, so its members get 404 from then on. Open case invitations are withdrawn.
 */
export async function removeParticipant(ctx: Ctx, ref: string, participantId: string): Promise<ParticipantRow> {
  return inTransaction(ctx, async (tx) => {
    const c = await loadManaged(tx, ctx, ref);
    const p = await loadParticipant(tx, c.id, participantId);
    const row = await tx
      .updateTable('case_participants')
      .set({ removed_at: ctx.now(), removed_by: actorId(ctx.actor), updated_at: ctx.now() })
      .where('id', '=', p.id)
      .where('removed_at', 'is', null)
      .returningAll()
      .executeTakeFirstOrThrow();
    const withdrawn = await withdrawInvitations(tx, ctx, await openCaseInvitations(tx, p.id));
    const org = p.org_id ? await findOrgById(tx, p.org_id) : undefined;
    await recordCaseEvent(
      tx,
      ctx,
      c.id,
      'participant_removed',
      { orgId: p.org_id, orgName: org?.name ?? null, role: p.role, invitationsWithdrawn: withdrawn.length },
      p.id,
    );
    await recordAudit(tx, ctx, {
      action: 'case.participant_remove',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, participantId: p.id, orgId: p.org_id, role: p.role },
    });
    return row;
  });
}

/**
 * Limits an organization's access to named users of it (an empty list: every member). Only the
 * case lead or a coordinator changes it; the named users must be active members. Newly named
 * users get the content-free notice; users no longer named lose access at once (404).
 */
export async function setParticipantUsers(
  ctx: Ctx,
  ref: string,
  participantId: string,
  userIds: string[],
): Promise<ParticipantRow> {
  const wanted = [...new Set(userIds)];
  return inTransaction(ctx, async (tx) => {
    const c = await findCase(tx, ref);
    if (!c) throw notFound('case', ref);
    const resource = await caseResource(tx, ctx.actor, c);
    // The case's managers decide, and so does the organization's own admin once it reads the case: it knows
    // which of its people should work on it. Anyone else is refused before the participant is looked up.
    const manages = can(ctx.actor, 'case:manage', resource);
    const readsFull = can(ctx.actor, 'case:read_full', resource);
    const anAdmin = ctx.actor.kind === 'user' && ctx.actor.memberships.some((m) => m.role === 'org_admin');
    if (!manages && !(readsFull && anAdmin)) authorize(ctx.actor, 'case:manage', resource, 'case:read');
    const p = await loadParticipant(tx, c.id, participantId);
    if (!mayNameUsers(ctx.actor, p.org_id, manages, readsFull)) {
      authorize(ctx.actor, 'case:manage', resource, 'case:read');
    }
    if (!p.org_id) throw invalidFields([{ field: 'userIds', message: 'only an organization has named users' }]);
    const org = await findOrgById(tx, p.org_id);
    const members = await activeMembers(tx, p.org_id);
    const unknown = wanted.find((id) => !members.some((m) => m.id === id));
    if (unknown !== undefined) {
      throw invalidFields([{ field: 'userIds', message: `user ${unknown} is not a member of ${org?.name ?? 'it'}` }]);
    }
    const before = p.allowed_user_ids;
    const row = await tx
      .updateTable('case_participants')
      .set({ allowed_user_ids: JSON.stringify(wanted), updated_at: ctx.now() })
      .where('id', '=', p.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const hadAccess = (id: string) => before.length === 0 || before.includes(id);
    const gained =
      wanted.length === 0
        ? members.filter((m) => !hadAccess(m.id))
        : members.filter((m) => wanted.includes(m.id) && !hadAccess(m.id));
    for (const m of gained) await mailCaseNotice(tx, ctx, c, org?.name ?? '', p.role, m.email);
    await recordCaseEvent(
      tx,
      ctx,
      c.id,
      'participant_users_changed',
      { orgId: p.org_id, before, after: wanted, notified: gained.length },
      p.id,
    );
    await recordAudit(tx, ctx, {
      action: 'case.participant_users',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, participantId: p.id, before, after: wanted },
    });
    return row;
  });
}

/**
 * Sends the invitations of a participant whose organization is still not on the platform again:
 * the open ones are withdrawn (their links stop working) and every approved security contact gets
 * a new link, valid for 14 days from now.
 */
export async function resendCaseInvitations(
  ctx: Ctx,
  ref: string,
  participantId: string,
): Promise<{ invitationId: string; email: string }[]> {
  return inTransaction(ctx, async (tx) => {
    const c = await loadManaged(tx, ctx, ref);
    const p = await loadParticipant(tx, c.id, participantId);
    const org = p.org_id ? await findOrgById(tx, p.org_id) : undefined;
    if (!org) throw invalidFields([{ field: 'participantId', message: 'only an organization is invited' }]);
    if ((await activeMembers(tx, org.id)).length > 0) {
      throw new AppError(
        'ERR_CONFLICT',
        `${org.name} has members on the platform now: they reach the case by signing in, no invitation is needed`,
      );
    }
    const withdrawn = await withdrawInvitations(tx, ctx, await openCaseInvitations(tx, p.id));
    const sent = await inviteContacts(tx, ctx, c, org, p.id);
    if (sent.length === 0) {
      throw invalidFields([
        {
          field: 'participantId',
          message: `${org.name} has no approved security contact in the directory: add one first`,
        },
      ]);
    }
    await recordCaseEvent(
      tx,
      ctx,
      c.id,
      'invitations_resent',
      { orgId: org.id, invited: sent.length, withdrawn: withdrawn.length },
      p.id,
    );
    await recordAudit(tx, ctx, {
      action: 'case.invitations_resend',
      subjectType: 'case',
      subjectId: c.id,
      summary: { caseId: c.case_id, participantId: p.id, invitations: sent.map((i) => i.invitationId), withdrawn },
    });
    return sent;
  });
}

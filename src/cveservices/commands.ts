/**
 * CVE Services use cases: reserve CVE ids (for a case vulnerability, or a pool for later), publish the CVE record of an
 * advisory, reject an id, and record the ids the service knows for this CNA.
 *
 * The HTTP call to CVE Services never runs inside a database transaction: a command authorizes and reads, calls the
 * service, then records the result (with its audit event) in one short transaction. When the service succeeded but
 * recording failed, the command logs it and says how to recover, and every step is safe to repeat: publishing again
 * updates the record in place (a POST the service answers CVE_RECORD_EXISTS becomes a PUT), `syncCveIds` records
 * ids reserved but not recorded, and a vulnerability's reservation takes a recorded but unused id first.
 */
import { sql } from 'kysely';
import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { renderExport } from '../advisories/export.ts';
import { resolveAdvisoryRef } from '../advisories/export.ts';
import { advisoryDocument, advisoryResource, advisoryScopeSql } from '../advisories/queries.ts';
import { recordCaseEvent } from '../cases/commands.ts';
import { caseResource } from '../cases/queries.ts';
import { AppError, conflict, notFound, validation } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import type { AdvisoryRow, CaseRow, CveReservationRow, VulnerabilityRow } from '../db/schema.ts';
import { actorId } from '../policy/actor.ts';
import { mayReserveUnlinked } from '../policy/cveservices.ts';
import { authorize } from '../policy/policy.ts';
import { checkCveId, CveServicesClient, type CveIdInfo, type LangValue } from './client.ts';
import { findReservation } from './queries.ts';
import { checkReserve, publishRefusal, type ReserveInput } from './rules.ts';

/** The client for the configured service; the feature is off (409) without ACCORD_CVE_SERVICES_URL. */
export function cveServicesClient(ctx: Ctx): CveServicesClient {
  const cfg = ctx.config.cveServices;
  if (!cfg) {
    throw new AppError(
      'ERR_CONFLICT',
      'CVE Services is not configured on this instance: the administrator sets ACCORD_CVE_SERVICES_URL, ' +
        'ACCORD_CVE_SERVICES_USER and ACCORD_CVE_SERVICES_KEY (and ACCORD_CVE_SERVICES_ORG or ACCORD_CVE_SHORT_NAME)',
      { feature: 'cve-services' },
    );
  }
  return new CveServicesClient(cfg, ctx.log);
}

/** A case vulnerability the caller manages: 404 unless they may read its case, 403 unless they manage it. */
async function managedVulnerability(
  ctx: Ctx,
  vulnerabilityId: string,
  caseRef: string | null,
): Promise<{ v: VulnerabilityRow; c: CaseRow }> {
  const v = isUuid(vulnerabilityId)
    ? await ctx.db.selectFrom('vulnerabilities').selectAll().where('id', '=', vulnerabilityId).executeTakeFirst()
    : undefined;
  const c = v ? await ctx.db.selectFrom('cases').selectAll().where('id', '=', v.case_id).executeTakeFirst() : undefined;
  if (!v || !c || (caseRef !== null && caseRef !== c.case_id && caseRef !== c.id)) {
    throw notFound('vulnerability', vulnerabilityId);
  }
  authorize(ctx.actor, 'case:manage', await caseResource(ctx.db, ctx.actor, c), 'case:read');
  return { v, c };
}

const reservedAt = (i: CveIdInfo, fallback: Date): Date => {
  const d = i.reserved ? new Date(i.reserved) : null;
  return d && !Number.isNaN(d.getTime()) ? d : fallback;
};

export interface ReserveResult {
  reservations: CveReservationRow[];
  /** True when a vulnerability got an id recorded earlier and not used yet (no new id was reserved). */
  fromPool: boolean;
}

/**
 * Reserves CVE ids. For a case vulnerability (the case's lead or a coordinator): one id, stored on the vulnerability;
 * an id recorded earlier and still unused is taken first. Without a vulnerability (admins and coordinators): `amount`
 * ids for later.
 */
export async function reserveCveIds(ctx: Ctx, input: ReserveInput): Promise<ReserveResult> {
  const r = checkReserve(input, ctx.now());
  const target = r.vulnerabilityId ? await managedVulnerability(ctx, r.vulnerabilityId, r.caseRef) : null;
  if (target?.v.cve_id) {
    throw conflict(`the vulnerability already has ${target.v.cve_id}`, { cveId: target.v.cve_id });
  }
  if (!target && !mayReserveUnlinked(ctx.actor)) {
    throw new AppError(
      'ERR_FORBIDDEN',
      'CVE ids not tied to a vulnerability are reserved by admins and coordinators: reserve one for a case vulnerability',
      { action: 'cve:reserve' },
    );
  }
  const client = cveServicesClient(ctx);

  if (target) {
    const pooled = await takeFromPool(ctx, client, r.year, target);
    if (pooled) return { reservations: [pooled], fromPool: true };
  }

  const result = await client.reserve({
    amount: r.amount,
    year: r.year,
    batchType: r.amount > 1 ? 'sequential' : undefined,
  });
  const now = ctx.now();
  let outcome: { rows: CveReservationRow[]; linked: boolean };
  try {
    outcome = await inTransaction(ctx, async (tx) => {
      const rows: CveReservationRow[] = [];
      for (const id of result.ids) {
        const row = await tx
          .insertInto('cve_reservations')
          .values({
            id: newId(),
            cve_id: id.cveId,
            state: 'RESERVED',
            vulnerability_id: null,
            advisory_id: null,
            requested_by: actorId(ctx.actor),
            reserved_at: reservedAt(id, now),
            published_at: null,
            rejected_at: null,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.column('cve_id').doUpdateSet({ updated_at: now }))
          .returningAll()
          .executeTakeFirstOrThrow();
        rows.push(row);
      }
      let linked = false;
      if (target && rows[0]) {
        linked = await linkInTx(tx, ctx, rows[0], target);
        if (linked) rows[0] = { ...rows[0], vulnerability_id: target.v.id };
      }
      await recordAudit(tx, ctx, {
        action: 'cve.reserve',
        subjectType: target ? 'case' : 'cve_reservation',
        subjectId: target ? target.c.id : (rows[0]?.id ?? null),
        summary: { cveIds: rows.map((x) => x.cve_id), vulnerabilityId: target?.v.id ?? null, linked },
      });
      return { rows, linked };
    });
  } catch (err) {
    const ids = result.ids.map((i) => i.cveId);
    ctx.log.error(
      { cveIds: ids, err: err instanceof Error ? err.message : String(err) },
      'CVE ids reserved at CVE Services but not recorded',
    );
    throw new AppError(
      'ERR_INTERNAL',
      `CVE Services reserved ${ids.join(', ')}, but Accord could not record ${ids.length > 1 ? 'them' : 'it'}: ` +
        'run `accord cve sync` (or POST /api/v1/cve-services/sync) to record them, then reserve again — the ' +
        'vulnerability then takes a recorded id instead of a new one',
      { cveIds: ids },
    );
  }
  if (target && !outcome.linked) {
    throw conflict(
      `the vulnerability got a CVE id meanwhile; ${outcome.rows[0]?.cve_id ?? ''} stays reserved for the next one`,
      { cveId: outcome.rows[0]?.cve_id ?? null },
    );
  }
  return { reservations: outcome.rows, fromPool: false };
}

/** Stores the reservation's id on the vulnerability when it has none yet; false when it got one meanwhile. */
async function linkInTx(
  tx: Parameters<Parameters<typeof inTransaction>[1]>[0],
  ctx: Ctx,
  row: CveReservationRow,
  target: { v: VulnerabilityRow; c: CaseRow },
): Promise<boolean> {
  const now = ctx.now();
  const taken = await tx.selectFrom('vulnerabilities').select('id').where('cve_id', '=', row.cve_id).executeTakeFirst();
  if (taken) return false;
  const set = await tx
    .updateTable('vulnerabilities')
    .set({ cve_id: row.cve_id, updated_at: now })
    .where('id', '=', target.v.id)
    .where('cve_id', 'is', null)
    .executeTakeFirst();
  if (Number(set.numUpdatedRows) === 0) return false;
  const claimed = await tx
    .updateTable('cve_reservations')
    .set({ vulnerability_id: target.v.id, updated_at: now })
    .where('id', '=', row.id)
    .where('vulnerability_id', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) throw conflict(`${row.cve_id} was just given to another vulnerability`);
  await recordCaseEvent(tx, ctx, target.c.id, 'cve_reserved', {
    vulnerabilityId: target.v.id,
    title: target.v.title,
    cve: row.cve_id,
  });
  return true;
}

/** A recorded, still reserved id of that year no vulnerability or advisory uses yet, given to the vulnerability. */
async function takeFromPool(
  ctx: Ctx,
  client: CveServicesClient,
  year: number,
  target: { v: VulnerabilityRow; c: CaseRow },
): Promise<CveReservationRow | null> {
  const candidates = await ctx.db
    .selectFrom('cve_reservations')
    .selectAll()
    .where('state', '=', 'RESERVED')
    .where('vulnerability_id', 'is', null)
    .where('advisory_id', 'is', null)
    .where('cve_id', 'like', `CVE-${year}-%`)
    .where(sql<boolean>`not exists (select 1 from vulnerabilities v where v.cve_id = cve_reservations.cve_id)`)
    .orderBy('created_at')
    .orderBy(sql`length(cve_id)`)
    .orderBy('cve_id')
    .limit(5)
    .execute();
  for (const row of candidates) {
    // The pool is our record; the service decides. An id published or rejected elsewhere is recorded as such.
    const info = await client.getId(row.cve_id);
    if (info.state !== 'RESERVED') {
      await ctx.db
        .updateTable('cve_reservations')
        .set({ state: info.state, updated_at: ctx.now() })
        .where('id', '=', row.id)
        .execute();
      continue;
    }
    const linked = await inTransaction(ctx, async (tx) => {
      const ok = await linkInTx(tx, ctx, row, target);
      if (ok) {
        await recordAudit(tx, ctx, {
          action: 'cve.reserve',
          subjectType: 'case',
          subjectId: target.c.id,
          summary: { cveIds: [row.cve_id], vulnerabilityId: target.v.id, linked: true, fromPool: true },
        });
      }
      return ok;
    });
    if (linked) return { ...row, vulnerability_id: target.v.id };
    throw conflict('the vulnerability got a CVE id meanwhile: reload it');
  }
  return null;
}

export interface PublishSource {
  /** An advisory id or tracking id, or a case id with one advisory. */
  advisory?: string | undefined;
  /** A case vulnerability (its case's approved or published advisory that carries the CVE id is used). */
  vulnerabilityId?: string | undefined;
}

export interface PublishResult {
  cveId: string;
  /** Whether CVE Services created the record or updated an existing one. */
  action: 'created' | 'updated';
  advisoryId: string;
  trackingId: string;
  record: Record<string, unknown>;
}

/** The advisory of a case vulnerability that carries its CVE id, published ones first, then approved ones. */
async function advisoryForVulnerability(ctx: Ctx, c: CaseRow, cveId: string): Promise<AdvisoryRow> {
  const rows = await ctx.db
    .selectFrom('advisories as a')
    .selectAll('a')
    .where('a.case_id', '=', c.id)
    .where('a.state', 'in', ['approved', 'published'])
    .where(advisoryScopeSql(ctx.actor))
    .orderBy(sql`case when a.state = 'published' then 0 else 1 end`)
    .orderBy('a.created_at')
    .execute();
  const carrying = rows.find((a) =>
    (
      ((a.content as { vulnerabilities?: { cve?: string | null }[] }).vulnerabilities ?? []) as {
        cve?: string | null;
      }[]
    )
      .map((v) => v.cve)
      .includes(cveId),
  );
  if (!carrying) {
    throw validation(
      `case ${c.case_id} has no approved or published advisory that carries ${cveId}: the CVE record is built from ` +
        'the advisory, so create one from the case, have it approved, then publish the record',
      { field: 'vulnerabilityId' },
    );
  }
  return carrying;
}

/**
 * Publishes (or updates) the CVE record of `cveId` from an advisory: the CNA container the CVE exporter builds,
 * validated against CVE JSON 5.1.1 before it is sent. The advisory must be approved or published, TLP:CLEAR, and its
 * case (if any) public. Needs `advisory:publish` (coordinators and admins).
 */
export async function publishCveRecord(ctx: Ctx, rawCveId: string, from: PublishSource): Promise<PublishResult> {
  if (Boolean(from.advisory) === Boolean(from.vulnerabilityId)) {
    throw validation('name either the advisory (advisory) or the case vulnerability (vulnerabilityId) to publish from');
  }
  // Who may see and publish comes first (404 / 403), then what is asked.
  let row: AdvisoryRow;
  let cveId: string;
  if (from.advisory) {
    row = await resolveAdvisoryRef(ctx, from.advisory);
    authorize(ctx.actor, 'advisory:publish', advisoryResource(row));
    cveId = checkCveId(rawCveId);
  } else {
    const { v, c } = await managedVulnerability(ctx, from.vulnerabilityId!, null);
    cveId = checkCveId(rawCveId);
    if (v.cve_id !== cveId) {
      throw validation(`the vulnerability's CVE id is ${v.cve_id ?? 'not set'}, not ${cveId}`, {
        field: 'vulnerabilityId',
      });
    }
    row = await advisoryForVulnerability(ctx, c, cveId);
  }
  authorize(ctx.actor, 'advisory:publish', advisoryResource(row));
  // What is asked must make sense before anything else is said about it.
  const carried = ((row.content as { vulnerabilities?: { cve?: string | null }[] }).vulnerabilities ?? [])
    .map((v) => v.cve)
    .filter((c): c is string => typeof c === 'string' && c !== '');
  if (!carried.includes(cveId)) {
    throw validation(
      `the advisory has no vulnerability ${cveId}: use one of ${carried.join(', ') || '(none: add the CVE id first)'}`,
      { field: 'cveId' },
    );
  }
  // The advisory's case, and the case of any vulnerability that carries this CVE id (a standalone advisory naming an
  // embargoed case's CVE must not publish it either): each must be public.
  const cases = await ctx.db
    .selectFrom('cases')
    .leftJoin('release_plans as rp', 'rp.case_id', 'cases.id')
    .select(['cases.case_id', 'cases.pxa_state', 'rp.published_at'])
    .where((eb) =>
      eb.or([
        eb('cases.id', '=', row.case_id ?? '00000000-0000-0000-0000-000000000000'),
        eb('cases.id', 'in', eb.selectFrom('vulnerabilities').select('case_id').where('cve_id', '=', cveId)),
      ]),
    )
    .execute();
  // Public once the release published it or once its P/X/A records public awareness (as advisories/commands.ts).
  const embargoed = cases.find((k) => k.published_at === null && !k.pxa_state.startsWith('P'));
  const refusal = publishRefusal({
    trackingId: row.tracking_id,
    state: row.state,
    tlp: row.tlp,
    casePublic: cases.length === 0 ? null : !embargoed,
    caseRef: embargoed?.case_id ?? null,
  });
  if (refusal) throw new AppError('ERR_ILLEGAL_TRANSITION', refusal, { advisory: row.tracking_id, cveId });

  // renderExport validates the container with formats/validate.ts (CVE JSON 5.1.1) and throws the findings if invalid.
  const doc = await advisoryDocument(ctx.db, ctx.config, row, ctx.now());
  const exported = await renderExport(doc, 'cve-cna', { vulnerability: cveId, cve: ctx.config.cve });
  const container = exported.documents[0] as Record<string, unknown>;

  const client = cveServicesClient(ctx);
  const known = await findReservation(ctx.db, cveId);
  let record: Record<string, unknown>;
  let action: PublishResult['action'];
  if (known?.state === 'PUBLISHED') {
    record = await client.update(cveId, container);
    action = 'updated';
  } else {
    try {
      record = await client.publish(cveId, container);
      action = 'created';
    } catch (err) {
      // Published before but not recorded (or by another tool): the record is updated in place.
      if (!(err instanceof AppError && err.details.error === 'CVE_RECORD_EXISTS')) throw err;
      record = await client.update(cveId, container);
      action = 'updated';
    }
  }

  const now = ctx.now();
  try {
    await inTransaction(ctx, async (tx) => {
      const vuln = await tx
        .selectFrom('vulnerabilities')
        .select(['id', 'case_id'])
        .where('cve_id', '=', cveId)
        .executeTakeFirst();
      await tx
        .insertInto('cve_reservations')
        .values({
          id: newId(),
          cve_id: cveId,
          state: 'PUBLISHED',
          vulnerability_id: vuln?.id ?? null,
          advisory_id: row.id,
          requested_by: actorId(ctx.actor),
          reserved_at: null,
          published_at: now,
          rejected_at: null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.column('cve_id').doUpdateSet({
            state: 'PUBLISHED',
            advisory_id: row.id,
            vulnerability_id: sql`coalesce(cve_reservations.vulnerability_id, excluded.vulnerability_id)`,
            published_at: sql`coalesce(cve_reservations.published_at, excluded.published_at)`,
            updated_at: now,
          }),
        )
        .execute();
      if (vuln && vuln.case_id === row.case_id) {
        await recordCaseEvent(tx, ctx, vuln.case_id, 'cve_published', {
          vulnerabilityId: vuln.id,
          cve: cveId,
          advisory: row.tracking_id,
          action,
        });
      }
      await recordAudit(tx, ctx, {
        action: 'cve.publish',
        subjectType: 'advisory',
        subjectId: row.id,
        summary: { cveId, trackingId: row.tracking_id, action },
      });
    });
  } catch (err) {
    ctx.log.error(
      { cveId, advisory: row.tracking_id, err: err instanceof Error ? err.message : String(err) },
      'CVE record sent to CVE Services but not recorded',
    );
    throw new AppError(
      'ERR_INTERNAL',
      `CVE Services ${action} the record of ${cveId}, but Accord could not record it: publish again ` +
        "(safe: the service's record is updated in place)",
      { cveId, action },
    );
  }
  return { cveId, action, advisoryId: row.id, trackingId: row.tracking_id, record };
}

/**
 * Rejects a reserved id that no record uses (admins and coordinators), e.g. one reserved by mistake; a vulnerability
 * that carried it loses it.
 */
export async function rejectCveId(ctx: Ctx, rawCveId: string, reason: string, lang = 'en'): Promise<CveReservationRow> {
  if (!mayReserveUnlinked(ctx.actor)) {
    throw new AppError('ERR_FORBIDDEN', 'CVE ids are rejected by admins and coordinators', { action: 'cve:reject' });
  }
  const cveId = checkCveId(rawCveId);
  const text = reason.trim();
  if (text.length < 3 || text.length > 4000) throw validation('reason: say in a sentence why the id is rejected');
  const known = await findReservation(ctx.db, cveId);
  if (!known) throw notFound('CVE reservation', cveId);
  if (known.state !== 'RESERVED') throw conflict(`${cveId} is ${known.state}: only a reserved id is rejected here`);
  const reasons: LangValue[] = [{ lang, value: text }];
  await cveServicesClient(ctx).reject(cveId, reasons);
  const now = ctx.now();
  try {
    return await inTransaction(ctx, async (tx) => {
      const row = await tx
        .updateTable('cve_reservations')
        .set({ state: 'REJECTED', rejected_at: now, updated_at: now })
        .where('id', '=', known.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const vuln = await tx
        .updateTable('vulnerabilities')
        .set({ cve_id: null, updated_at: now })
        .where('cve_id', '=', cveId)
        .returning(['id', 'case_id'])
        .executeTakeFirst();
      if (vuln) await recordCaseEvent(tx, ctx, vuln.case_id, 'cve_rejected', { vulnerabilityId: vuln.id, cve: cveId });
      await recordAudit(tx, ctx, {
        action: 'cve.reject',
        subjectType: 'cve_reservation',
        subjectId: known.id,
        summary: { cveId, vulnerabilityId: vuln?.id ?? null },
      });
      return row;
    });
  } catch (err) {
    ctx.log.error({ cveId, err: err instanceof Error ? err.message : String(err) }, 'CVE id rejected but not recorded');
    throw new AppError(
      'ERR_INTERNAL',
      `CVE Services rejected ${cveId}, but Accord could not record it: run \`accord cve sync\` to record its state`,
      { cveId },
    );
  }
}

/**
 * Records the ids CVE Services holds for this CNA that the configured user requested: new ones (reserved but never
 * recorded, e.g. after a failure) are added to the pool; known ones get the service's state. Admins and coordinators.
 */
export async function syncCveIds(ctx: Ctx): Promise<{ added: string[]; updated: string[] }> {
  if (!mayReserveUnlinked(ctx.actor)) {
    throw new AppError('ERR_FORBIDDEN', 'CVE ids are synchronized by admins and coordinators', { action: 'cve:sync' });
  }
  const client = cveServicesClient(ctx);
  const user = ctx.config.cveServices?.user;
  const ids = (await client.listIds()).filter((i) => i.requestedBy.user === user);
  const now = ctx.now();
  return inTransaction(ctx, async (tx) => {
    const added: string[] = [];
    const updated: string[] = [];
    for (const i of ids) {
      const known = await tx
        .selectFrom('cve_reservations')
        .selectAll()
        .where('cve_id', '=', i.cveId)
        .executeTakeFirst();
      if (!known) {
        await tx
          .insertInto('cve_reservations')
          .values({
            id: newId(),
            cve_id: i.cveId,
            state: i.state,
            vulnerability_id: null,
            advisory_id: null,
            requested_by: null,
            reserved_at: reservedAt(i, now),
            published_at: null,
            rejected_at: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
        added.push(i.cveId);
      } else if (known.state !== i.state) {
        await tx
          .updateTable('cve_reservations')
          .set({ state: i.state, updated_at: now })
          .where('id', '=', known.id)
          .execute();
        updated.push(i.cveId);
      }
    }
    await recordAudit(tx, ctx, {
      action: 'cve.sync',
      subjectType: 'cve_reservation',
      subjectId: null,
      summary: { added, updated },
    });
    return { added, updated };
  });
}

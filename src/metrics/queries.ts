import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import type { CaseItem, MetricsFilter, ReportItem, VendorItem } from './rules.ts';

/** LIKE pattern for a case-insensitive substring, with the wildcards of the input escaped. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filteredReports(db: Db, f: MetricsFilter) {
  let q = db.selectFrom('metric_reports as r');
  if (f.from) q = q.where('r.received_at', '>=', f.from);
  if (f.to) q = q.where('r.received_at', '<', f.to);
  if (f.product) q = q.where(sql<boolean>`r.product ilike ${containing(f.product)}`);
  if (f.owner) q = q.where('r.owner_id', '=', f.owner);
  return q;
}

function filteredCases(db: Db, f: MetricsFilter) {
  let q = db.selectFrom('metric_cases as c');
  if (f.from) q = q.where('c.first_report_at', '>=', f.from);
  if (f.to) q = q.where('c.first_report_at', '<', f.to);
  if (f.product) q = q.where(sql<boolean>`c.products::text ilike ${containing(f.product)}`);
  if (f.owner) q = q.where('c.owner_id', '=', f.owner);
  return q;
}

export async function metricReports(db: Db, f: MetricsFilter): Promise<ReportItem[]> {
  const rows = await filteredReports(db, f).selectAll('r').orderBy('r.received_at').orderBy('r.report_id').execute();
  return rows.map((r) => ({
    reportId: r.report_id,
    trackingId: r.tracking_id,
    receivedAt: r.received_at,
    acknowledgedAt: r.acknowledged_at,
    triagedAt: r.triaged_at,
    ackBusinessDays: r.ack_business_days === null ? null : Number(r.ack_business_days),
    triageBusinessDays: r.triage_business_days === null ? null : Number(r.triage_business_days),
    valid: r.valid,
    rmState: r.rm_state,
    severity: r.severity,
    cwe: r.cwe,
    product: r.product,
    finderId: r.finder_id,
    ownerId: r.owner_id,
    caseId: r.case_id,
    ackSla: r.ack_sla,
    triageSla: r.triage_sla,
  }));
}

export async function metricCases(db: Db, f: MetricsFilter): Promise<CaseItem[]> {
  const rows = await filteredCases(db, f).selectAll('c').orderBy('c.first_report_at').orderBy('c.case_id').execute();
  return rows.map((c) => ({
    caseId: c.case_id,
    label: c.label,
    openedAt: c.opened_at,
    firstReportAt: c.first_report_at,
    vendorAwareAt: c.vendor_aware_at,
    fixReadyAt: c.fix_ready_at,
    allFixedAt: c.all_fixed_at,
    deployedAt: c.deployed_at,
    publicAt: c.public_at,
    exploitPublicAt: c.exploit_public_at,
    attacksAt: c.attacks_at,
    advisoryAt: c.advisory_at,
    ownerId: c.owner_id,
    severity: c.severity,
    cwe: c.cwe,
    products: c.products,
    remediationSla: c.remediation_sla,
    releaseSla: c.release_sla,
    desiderata: c.desiderata,
    desiderataMet: c.desiderata_met,
    desiderataViolated: c.desiderata_violated,
    fixBeforePublic: c.fix_before_public,
  }));
}

/** Vendor participations in the cases the filter selects. */
export async function metricVendors(db: Db, f: MetricsFilter): Promise<VendorItem[]> {
  const rows = await db
    .selectFrom('metric_vendors as v')
    .selectAll('v')
    .where('v.case_id', 'in', filteredCases(db, f).select('c.case_id'))
    .orderBy('v.notified_at')
    .orderBy('v.participant_id')
    .execute();
  return rows.map((v) => ({
    participantId: v.participant_id,
    caseId: v.case_id,
    orgId: v.org_id,
    notifiedAt: v.notified_at,
    firstAnswerAt: v.first_answer_at,
  }));
}

/** The last full recomputation, or null before the first. */
export async function lastRun(db: Db) {
  return (
    (await db.selectFrom('metric_runs').selectAll().orderBy('finished_at', 'desc').limit(1).executeTakeFirst()) ?? null
  );
}

/** Staff who own or lead something in the metrics (the "team" filter's choices). */
export async function metricOwners(db: Db): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('users as u')
    .select(['u.id', 'u.name'])
    .where((eb) =>
      eb.or([
        eb.exists(eb.selectFrom('metric_reports as r').select('r.report_id').whereRef('r.owner_id', '=', 'u.id')),
        eb.exists(eb.selectFrom('metric_cases as c').select('c.case_id').whereRef('c.owner_id', '=', 'u.id')),
      ]),
    )
    .orderBy('u.name')
    .execute();
}

import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import type { Database } from '../db/schema.ts';
import type { Selectable } from 'kysely';
import type { PublicAdvisory, PublicStatement } from './rules.ts';

export type ReleasePlanRow = Selectable<Database['release_plans']>;
export type ReadinessRow = Selectable<Database['release_readiness']>;

/**
 * Everything public is read through `published_at is not null`, in SQL: a case whose plan has no
 * publication time set in the past does not exist for these queries.
 */

export async function findPlan(db: Db, caseId: string): Promise<ReleasePlanRow | undefined> {
  return db.selectFrom('release_plans').selectAll().where('case_id', '=', caseId).executeTakeFirst();
}

export async function caseReadiness(db: Db, caseId: string): Promise<ReadinessRow[]> {
  return db.selectFrom('release_readiness').selectAll().where('case_id', '=', caseId).execute();
}

export interface AdvisoryListItem {
  caseRef: string;
  title: string;
  summary: string;
  publishedAt: Date;
  cves: string[];
  vendors: string[];
}

export interface AdvisoryFilter {
  q?: string | undefined;
  vendor?: string | undefined;
  product?: string | undefined;
  limit?: number | undefined;
}

/**
 * Published advisories, newest first. Search and filters look only at public text: the title,
 * the public summary, CVE IDs and vulnerability titles, and approved statements' vendors and
 * products.
 */
export async function listPublished(db: Db, filter: AdvisoryFilter): Promise<AdvisoryListItem[]> {
  let q = db
    .selectFrom('release_plans as rp')
    .innerJoin('cases as c', 'c.id', 'rp.case_id')
    .select(['c.id', 'c.case_id', 'c.title', 'c.public_summary', 'rp.published_at'])
    .where('rp.published_at', 'is not', null);
  const text = filter.q?.trim();
  if (text) {
    const like = `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where(
      sql<boolean>`(c.title ilike ${like} or c.public_summary ilike ${like} or c.case_id ilike ${like}
        or exists (select 1 from vulnerabilities v where v.case_id = c.id
          and (v.title ilike ${like} or coalesce(v.cve_id, '') ilike ${like}))
        or exists (select 1 from vendor_statuses s join case_participants p on p.id = s.participant_id
          join organizations o on o.id = p.org_id
          where s.case_id = c.id and s.approved_at is not null and (s.product ilike ${like} or o.name ilike ${like})))`,
    );
  }
  const vendor = filter.vendor?.trim();
  if (vendor) {
    q = q.where(
      sql<boolean>`exists (select 1 from vendor_statuses s join case_participants p on p.id = s.participant_id
        join organizations o on o.id = p.org_id
        where s.case_id = c.id and s.approved_at is not null and lower(o.name) = lower(${vendor}))`,
    );
  }
  const product = filter.product?.trim();
  if (product) {
    q = q.where(
      sql<boolean>`exists (select 1 from vendor_statuses s
        where s.case_id = c.id and s.approved_at is not null and lower(s.product) = lower(${product}))`,
    );
  }
  const rows = await q
    .orderBy('rp.published_at', 'desc')
    .orderBy('c.id')
    .limit(Math.min(Math.max(filter.limit ?? 100, 1), 500))
    .execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [cves, vendors] = await Promise.all([
    db
      .selectFrom('vulnerabilities')
      .select(['case_id', 'cve_id'])
      .where('case_id', 'in', ids)
      .where('cve_id', 'is not', null)
      .orderBy('cve_id')
      .execute(),
    approvedVendorNames(db, ids),
  ]);
  return rows.map((r) => ({
    caseRef: r.case_id,
    title: r.title,
    summary: r.public_summary,
    publishedAt: r.published_at!,
    cves: cves.filter((v) => v.case_id === r.id).map((v) => v.cve_id!),
    vendors: vendors.filter((v) => v.case_id === r.id).map((v) => v.name),
  }));
}

async function approvedVendorNames(db: Db, caseIds: string[]) {
  return db
    .selectFrom('vendor_statuses as s')
    .innerJoin('case_participants as p', 'p.id', 's.participant_id')
    .innerJoin('organizations as o', 'o.id', 'p.org_id')
    .select(['s.case_id', 'o.name'])
    .distinct()
    .where('s.case_id', 'in', caseIds)
    .where('s.approved_at', 'is not', null)
    .orderBy('o.name')
    .execute();
}

/** The vendors and products that appear in published advisories (the index's filter lists). */
export async function publishedFacets(db: Db): Promise<{ vendors: string[]; products: string[] }> {
  const base = db
    .selectFrom('vendor_statuses as s')
    .innerJoin('release_plans as rp', 'rp.case_id', 's.case_id')
    .where('rp.published_at', 'is not', null)
    .where('s.approved_at', 'is not', null);
  const [vendors, products] = await Promise.all([
    base
      .innerJoin('case_participants as p', 'p.id', 's.participant_id')
      .innerJoin('organizations as o', 'o.id', 'p.org_id')
      .select('o.name')
      .distinct()
      .orderBy('o.name')
      .execute(),
    base.select('s.product').distinct().orderBy('s.product').execute(),
  ]);
  return { vendors: vendors.map((v) => v.name), products: products.map((p) => p.product) };
}

/**
 * One published advisory, or undefined when the case does not exist or is not published (the
 * same answer: nobody learns that an embargoed case exists).
 */
export async function loadPublishedAdvisory(db: Db, caseRef: string): Promise<PublicAdvisory | undefined> {
  if (!/^[A-Z][A-Z0-9]*-\d{4}-\d{4,}$/.test(caseRef)) return undefined;
  const c = await db
    .selectFrom('cases as c')
    .innerJoin('release_plans as rp', 'rp.case_id', 'c.id')
    .select(['c.id', 'c.case_id', 'c.title', 'c.public_summary', 'rp.published_at', 'rp.embargo_ends_at'])
    .where('c.case_id', '=', caseRef)
    .where('rp.published_at', 'is not', null)
    .executeTakeFirst();
  if (!c) return undefined;
  return advisoryOf(db, { ...c, published_at: c.published_at! });
}

/** The public content of a case, for its landing page, feed entry and subscriber mail. */
export async function advisoryOf(
  db: Db,
  c: { id: string; case_id: string; title: string; public_summary: string; published_at: Date },
): Promise<PublicAdvisory> {
  const [vulns, statements, credits] = await Promise.all([
    db
      .selectFrom('vulnerabilities')
      .select(['id', 'title', 'description', 'cve_id', 'cwe', 'cvss_v3', 'cvss_v3_score', 'cvss_v4', 'cvss_v4_score'])
      .where('case_id', '=', c.id)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    // Approved statements only: a statement changed after approval waits for staff again.
    db
      .selectFrom('vendor_statuses as s')
      .innerJoin('case_participants as p', 'p.id', 's.participant_id')
      .innerJoin('organizations as o', 'o.id', 'p.org_id')
      .innerJoin('vulnerabilities as v', 'v.id', 's.vulnerability_id')
      .select([
        'o.name as vendor',
        'v.cve_id',
        'v.title as vuln_title',
        's.product',
        's.status',
        's.statement',
        's.fixed_versions',
        's.refs',
        's.approved_at',
      ])
      .where('s.case_id', '=', c.id)
      .where('s.approved_at', 'is not', null)
      .where('p.removed_at', 'is', null)
      .orderBy('o.name')
      .orderBy('s.product')
      .orderBy('v.created_at')
      .execute(),
    // Finders' own credit choices on the linked reports; "anonymous" is never shown.
    db
      .selectFrom('case_reports as cr')
      .innerJoin('reports as r', 'r.id', 'cr.report_id')
      .select(sql<string | null>`r.details->'credit'->>'mode'`.as('mode'))
      .select(sql<string | null>`r.details->'credit'->>'value'`.as('value'))
      .where('cr.case_id', '=', c.id)
      .orderBy('r.created_at')
      .execute(),
  ]);
  const vendors = new Map<string, PublicStatement[]>();
  for (const s of statements) {
    const list = vendors.get(s.vendor) ?? [];
    list.push({
      vendor: s.vendor,
      vulnerability: s.cve_id ?? s.vuln_title,
      product: s.product,
      status: s.status,
      statement: s.statement,
      fixedVersions: s.fixed_versions,
      references: s.refs,
    });
    vendors.set(s.vendor, list);
  }
  const acknowledgements = [
    ...new Set(
      credits
        .filter((r) => (r.mode === 'name' || r.mode === 'handle') && r.value)
        .map((r) => (r.mode === 'handle' ? `@${r.value!.replace(/^@/, '')}` : r.value!)),
    ),
  ];
  const timeline: { at: Date; text: string }[] = [];
  const firstApproval = new Map<string, Date>();
  for (const s of statements) {
    const seen = firstApproval.get(s.vendor);
    if (s.approved_at && (!seen || s.approved_at < seen)) firstApproval.set(s.vendor, s.approved_at);
  }
  for (const [vendor, at] of firstApproval) {
    if (at.getTime() <= c.published_at.getTime()) continue;
    timeline.push({ at, text: `Statement of ${vendor} published` });
  }
  timeline.push({ at: c.published_at, text: 'Advisory published' });
  timeline.sort((a, b) => a.at.getTime() - b.at.getTime());
  const updatedAt = timeline.reduce((max, t) => (t.at > max ? t.at : max), c.published_at);
  return {
    caseRef: c.case_id,
    title: c.title,
    summary: c.public_summary,
    publishedAt: c.published_at,
    updatedAt,
    vulnerabilities: vulns.map((v) => ({
      title: v.title,
      description: v.description,
      cveId: v.cve_id,
      cwe: v.cwe,
      cvssV3: v.cvss_v3,
      cvssV3Score: v.cvss_v3_score,
      cvssV4: v.cvss_v4,
      cvssV4Score: v.cvss_v4_score,
    })),
    vendors: [...vendors].map(([name, list]) => ({ name, statements: list })),
    acknowledgements,
    timeline,
  };
}

/** The vendors (organization ids) and products of a case's approved statements, for subscriptions. */
export async function advisoryScope(db: Db, caseId: string): Promise<{ vendorOrgIds: string[]; products: string[] }> {
  const rows = await db
    .selectFrom('vendor_statuses as s')
    .innerJoin('case_participants as p', 'p.id', 's.participant_id')
    .select(['p.org_id', 's.product'])
    .where('s.case_id', '=', caseId)
    .where('s.approved_at', 'is not', null)
    .execute();
  return {
    vendorOrgIds: [...new Set(rows.map((r) => r.org_id).filter((x): x is string => x !== null))],
    products: [...new Set(rows.map((r) => r.product))],
  };
}

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import { clampLimit, decodeCursor, toPage, type Page } from '../app/pagination.ts';
import { caseScopeSql } from '../cases/queries.ts';
import type { Config } from '../config/config.ts';
import { AppError, notFound } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import type { AdvisoryFileRow, AdvisoryRevisionRow, AdvisoryRow } from '../db/schema.ts';
import type { Actor } from '../policy/actor.ts';
import type { AdvisoryResource } from '../policy/policy.ts';
import { csafFilename, tlpAudience, type AdvisoryContent, type AdvisoryDocument, type AdvisoryTlp } from './rules.ts';

let version: string | undefined;
/** The generator named in CSAF `tracking.generator` and OpenVEX `tooling`. */
export function toolInfo(): { name: string; version: string } {
  if (version === undefined) {
    try {
      const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
      version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      version = '0.0.0';
    }
  }
  return { name: 'Accord', version };
}

/**
 * Which advisories a caller sees, in SQL over `advisories as a`: staff (and the system) only, and
 * for a case-linked advisory only when the case's own scope lets them read it in full.
 */
export function advisoryScopeSql(actor: Actor) {
  const staff = actor.kind === 'system' || (actor.kind === 'user' && actor.staffRole !== null);
  if (!staff) return sql<boolean>`false`;
  return sql<boolean>`(a.case_id is null or exists (select 1 from cases c where c.id = a.case_id and ${caseScopeSql(
    actor,
    'full',
  )}))`;
}

export function advisoryResource(a: Pick<AdvisoryRow, 'id' | 'author_id' | 'submitted_by'>): AdvisoryResource {
  return { type: 'advisory', id: a.id, authorId: a.author_id, submittedBy: a.submitted_by };
}

/** The advisory by id or tracking id, if the caller may see it; else 404 (401 for the anonymous). */
export async function loadAdvisory(db: Db, actor: Actor, ref: string): Promise<AdvisoryRow> {
  if (actor.kind === 'anonymous') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first: this needs an account');
  let q = db.selectFrom('advisories as a').selectAll('a').where(advisoryScopeSql(actor));
  if (isUuid(ref)) q = q.where('a.id', '=', ref);
  else if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(ref)) q = q.where('a.tracking_id', '=', ref);
  else throw notFound('advisory', ref);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('advisory', ref);
  return row;
}

export interface AdvisoryListItem {
  id: string;
  trackingId: string;
  title: string;
  state: AdvisoryRow['state'];
  tlp: string;
  caseId: string | null;
  publishedRevision: number;
  updatedAt: Date;
  createdAt: Date;
}

export async function listAdvisories(
  db: Db,
  actor: Actor,
  filter: {
    state?: string | undefined;
    caseId?: string | undefined;
    cursor?: string | undefined;
    limit?: number | undefined;
  },
): Promise<Page<AdvisoryListItem & { caseRef: string | null }>> {
  const limit = clampLimit(filter.limit);
  const cursor = decodeCursor(filter.cursor);
  let q = db
    .selectFrom('advisories as a')
    .leftJoin('cases as k', 'k.id', 'a.case_id')
    .selectAll('a')
    .select('k.case_id as case_ref')
    .where(advisoryScopeSql(actor));
  if (filter.state) q = q.where('a.state', '=', filter.state as AdvisoryRow['state']);
  if (filter.caseId)
    q = isUuid(filter.caseId) ? q.where('a.case_id', '=', filter.caseId) : q.where('k.case_id', '=', filter.caseId);
  if (cursor) q = q.where(sql<boolean>`(a.created_at, a.id) < (${cursor.at}, ${cursor.id})`);
  const rows = await q
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => ({
    id: r.id,
    trackingId: r.tracking_id,
    title: r.title,
    state: r.state,
    tlp: r.tlp,
    caseId: r.case_id,
    caseRef: r.case_ref,
    publishedRevision: r.published_revision,
    updatedAt: r.updated_at,
    createdAt: r.created_at,
  }));
}

export async function advisoryRevisions(db: Db, advisoryId: string): Promise<AdvisoryRevisionRow[]> {
  return db
    .selectFrom('advisory_revisions')
    .selectAll()
    .where('advisory_id', '=', advisoryId)
    .orderBy('number')
    .execute();
}

/** Where the CSAF file of an advisory is served: the TLP folder and the year of its initial release. */
export function csafPath(trackingId: string, tlp: AdvisoryTlp, year: number): string {
  return `${tlpFolder(tlp)}/${year}/${csafFilename(trackingId)}`;
}

/** TLP:CLEAR (WHITE in CSAF 2.0) is public under /.well-known/csaf/white; the others under the API. */
export function tlpFolder(tlp: AdvisoryTlp): string {
  return tlp === 'CLEAR' ? 'white' : tlp.toLowerCase().replace('+', '-');
}

export function csafUrl(config: Config, trackingId: string, tlp: AdvisoryTlp, year: number): string {
  const base = tlp === 'CLEAR' ? `${config.baseUrl}/.well-known/csaf` : `${config.baseUrl}/api/v1/csaf`;
  return `${base}/${csafPath(trackingId, tlp, year)}`;
}

/** The advisory as the converters see it, with its published revisions. */
export async function advisoryDocument(
  db: Db,
  config: Config,
  row: AdvisoryRow,
  now: Date,
  opts: { state?: AdvisoryRow['state'] } = {},
): Promise<AdvisoryDocument> {
  const revisions = await advisoryRevisions(db, row.id);
  return documentOf(config, row, revisions, now, opts);
}

export function documentOf(
  config: Config,
  row: AdvisoryRow,
  revisions: readonly Pick<AdvisoryRevisionRow, 'number' | 'created_at' | 'summary'>[],
  now: Date,
  opts: { state?: AdvisoryRow['state'] } = {},
): AdvisoryDocument {
  const tlp = row.tlp as AdvisoryTlp;
  const year = (row.initial_release_at ?? now).getUTCFullYear();
  const state = opts.state ?? row.state;
  return {
    trackingId: row.tracking_id,
    tlp,
    state,
    content: row.content as unknown as AdvisoryContent,
    revisions: revisions.map((r) => ({ number: r.number, date: r.created_at, summary: r.summary })),
    pendingSummary: state === 'published' ? null : row.pending_summary || null,
    initialReleaseAt: row.initial_release_at,
    currentReleaseAt: row.current_release_at,
    generatedAt: now,
    selfUrl: `${config.baseUrl}/security-advisories/${encodeURIComponent(row.tracking_id)}`,
    csafUrl: csafUrl(config, row.tracking_id, tlp, year),
    tool: toolInfo(),
  };
}

/**
 * Who may fetch a published CSAF file with this TLP, in SQL over the latest file `f` of advisory
 * `a`: CLEAR anyone; GREEN any signed-in user; AMBER and AMBER+STRICT staff and the accepted
 * participants of the advisory's case; RED staff only.
 */
function fileScopeSql(actor: Actor, tlp: AdvisoryTlp) {
  const staff = actor.kind === 'system' || (actor.kind === 'user' && actor.staffRole !== null);
  switch (tlpAudience(tlp)) {
    case 'public':
      return sql<boolean>`true`;
    case 'signed_in':
      return sql<boolean>`${sql.raw(actor.kind === 'user' || actor.kind === 'system' ? 'true' : 'false')}`;
    case 'staff':
      return sql<boolean>`${sql.raw(staff ? 'true' : 'false')}`;
    case 'case':
      if (staff) return sql<boolean>`true`;
      if (actor.kind !== 'user' || actor.memberships.length === 0) return sql<boolean>`false`;
      return sql<boolean>`exists (select 1 from cases c where c.id = a.case_id and ${caseScopeSql(actor, 'full')})`;
  }
}

export type PublishedFileRow = AdvisoryFileRow & {
  tracking_id: string;
  title: string;
  initial_release_at: Date | null;
  case_id: string | null;
};

/** The latest published file of each advisory whose latest file has this TLP and that the caller may fetch. */
export async function publishedFiles(db: Db, actor: Actor, tlp: AdvisoryTlp): Promise<PublishedFileRow[]> {
  const latest = db
    .selectFrom('advisory_files')
    .select(['advisory_id', (eb) => eb.fn.max('revision').as('revision')])
    .groupBy('advisory_id')
    .as('l');
  return db
    .selectFrom('advisory_files as f')
    .innerJoin(latest, (j) => j.onRef('l.advisory_id', '=', 'f.advisory_id').onRef('l.revision', '=', 'f.revision'))
    .innerJoin('advisories as a', 'a.id', 'f.advisory_id')
    .selectAll('f')
    .select(['a.tracking_id', 'a.title', 'a.initial_release_at', 'a.case_id'])
    .where('f.tlp', '=', tlp)
    .where(fileScopeSql(actor, tlp))
    .orderBy('f.year')
    .orderBy('f.filename')
    .execute();
}

export async function publishedFile(
  db: Db,
  actor: Actor,
  tlp: AdvisoryTlp,
  year: number,
  filename: string,
): Promise<PublishedFileRow | undefined> {
  const files = await publishedFiles(db, actor, tlp);
  return files.find((f) => f.year === year && f.filename === filename);
}

/** Every published file's vendors (for the ROLIE category document). */
export function vendorsOf(document: string): string[] {
  try {
    const parsed = JSON.parse(document) as { product_tree?: { branches?: { category?: string; name?: string }[] } };
    return (parsed.product_tree?.branches ?? []).filter((b) => b.category === 'vendor' && b.name).map((b) => b.name!);
  } catch {
    return [];
  }
}

/** The latest published revision of a TLP:CLEAR advisory, for its public page. */
export async function publicRevision(db: Db, trackingId: string) {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(trackingId)) return undefined;
  const a = await db.selectFrom('advisories').selectAll().where('tracking_id', '=', trackingId).executeTakeFirst();
  if (!a || a.published_revision === 0) return undefined;
  const revisions = await advisoryRevisions(db, a.id);
  const last = revisions.at(-1);
  if (!last || last.tlp !== 'CLEAR') return undefined;
  return { advisory: a, revision: last, revisions };
}

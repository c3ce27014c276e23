import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import { clampLimit, decodeCursor, toPage, type Page } from '../app/pagination.ts';
import { caseScopeSql } from '../cases/queries.ts';
import { postSearchScope } from '../cases/threads.ts';
import type { Actor } from '../policy/actor.ts';
import { HEADLINE_OPTIONS, snippetParts, type SearchKind, type SearchQuery, type SnippetPart } from './rules.ts';

/**
 * Full-text search over what the caller may see: cases (title and summary), vulnerabilities and
 * thread posts. Who sees what is decided in the SQL, with the same scopes as the case pages
 * (`caseScopeSql`: case visible / terms accepted; `postSearchScope`: threads and TLP), never by
 * filtering loaded rows. A case whose terms the caller has not accepted is found only by its exact
 * id, and then with its id and lead only. Snippets (ts_headline) are computed after the scope and
 * the page limit, from the visible rows of the page only. Newest first, keyset cursor.
 */

export interface SearchHit {
  kind: SearchKind;
  id: string;
  /** The public case id (CASE-2026-0001). */
  caseId: string;
  lead: string | null;
  /** Case or vulnerability title, the thread title for posts; null before the terms are accepted. */
  title: string | null;
  threadId: string | null;
  tlp: string | null;
  snippet: SnippetPart[] | null;
  createdAt: Date;
}

interface HitRow {
  kind: SearchKind;
  id: string;
  case_ref: string;
  lead: string | null;
  title: string | null;
  thread_id: string | null;
  tlp: string | null;
  headline: string | null;
  created_at: Date;
}

export async function search(
  db: Db,
  actor: Actor,
  query: SearchQuery,
  page: { cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<SearchHit>> {
  const limit = clampLimit(page.limit ?? 20);
  const cursor = decodeCursor(page.cursor);
  const tsq = sql`websearch_to_tsquery('simple', ${query.text})`;
  const read = caseScopeSql(actor, 'read');
  const full = caseScopeSql(actor, 'full');
  const branches = [];
  if (query.kinds.includes('case')) {
    const byRef = query.caseRef ? sql`c.case_id = ${query.caseRef}` : sql`false`;
    branches.push(sql`
      select 'case' as kind, c.id, c.case_id as case_ref, c.lead_id,
        case when ${full} then c.title end as title, null::uuid as thread_id, null::text as tlp,
        case when ${full} then c.title || ' ' || c.summary end as doc, c.created_at
      from cases c
      where ${read} and ((${full} and to_tsvector('simple', c.title || ' ' || c.summary) @@ ${tsq}) or ${byRef})`);
  }
  if (query.kinds.includes('vulnerability')) {
    branches.push(sql`
      select 'vulnerability' as kind, v.id, c.case_id as case_ref, c.lead_id, v.title, null::uuid as thread_id,
        null::text as tlp, v.title || ' ' || v.description || ' ' || coalesce(v.cve_id, '') as doc, v.created_at
      from vulnerabilities v join cases c on c.id = v.case_id
      where ${full}
        and to_tsvector('simple', v.title || ' ' || v.description || ' ' || coalesce(v.cve_id, '')) @@ ${tsq}`);
  }
  if (query.kinds.includes('post')) {
    branches.push(sql`
      select 'post' as kind, p.id, c.case_id as case_ref, c.lead_id, t.title, t.id as thread_id, p.tlp,
        p.body as doc, p.created_at
      from case_posts p join case_threads t on t.id = p.thread_id join cases c on c.id = p.case_id
      where ${postSearchScope(actor)} and to_tsvector('simple', p.body) @@ ${tsq}`);
  }
  if (branches.length === 0) return { items: [], nextCursor: null };
  const after = cursor ? sql`where (h.created_at, h.id) < (${cursor.at}, ${cursor.id})` : sql``;
  // The inner query picks the visible page; only then are the snippets made, from those rows.
  const rows = await sql<HitRow>`
    select pg.kind, pg.id, pg.case_ref, l.name as lead, pg.title, pg.thread_id, pg.tlp, pg.created_at,
      case when pg.doc is null then null else ts_headline('simple', pg.doc, ${tsq}, ${HEADLINE_OPTIONS}) end as headline
    from (
      select h.* from (${sql.join(branches, sql` union all `)}) h
      ${after}
      order by h.created_at desc, h.id desc
      limit ${limit + 1}
    ) pg
    left join users l on l.id = pg.lead_id
    order by pg.created_at desc, pg.id desc`.execute(db);
  return toPage(
    rows.rows.map((r) => ({ ...r, created_at: new Date(r.created_at) })),
    limit,
    (r): SearchHit => ({
      kind: r.kind,
      id: r.id,
      caseId: r.case_ref,
      lead: r.lead,
      title: r.title,
      threadId: r.thread_id,
      tlp: r.tlp,
      snippet: r.headline === null ? null : snippetParts(r.headline),
      createdAt: r.created_at,
    }),
  );
}

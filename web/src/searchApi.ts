import { type Page, request, withQuery } from './api.ts';

/** Full-text search over the cases, vulnerabilities and posts the caller may read. */
export type SearchKind = 'case' | 'vulnerability' | 'post';

export interface SearchHit {
  kind: SearchKind;
  id: string;
  caseId: string;
  lead: string | null;
  /** null: the case's terms are not accepted yet (only its id and lead are shown). */
  title: string | null;
  threadId: string | null;
  tlp: string | null;
  /** Text segments; `match` marks the words found. Rendered as text, never as HTML. */
  snippet: { text: string; match: boolean }[] | null;
  createdAt: string;
}

export const searchApi = {
  search: (q: string, opts: { kinds?: string; cursor?: string | null; limit?: number } = {}) =>
    request<Page<SearchHit>>('GET', withQuery('/api/v1/search', { q, ...opts })),
};

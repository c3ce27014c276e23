import { invalidFields, type FieldProblem } from '../reports/rules.ts';

/**
 * Search, pure: what a query may be, and how a highlighted snippet travels. The database marks
 * the matched words with two control characters; the API turns them into segments, so a client
 * renders them as text (never as HTML) and highlights the matches.
 */
export const searchKinds = ['case', 'vulnerability', 'post'] as const;
export type SearchKind = (typeof searchKinds)[number];

export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

/** ts_headline options: short fragments, matches between the two marks. */
export const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "`;

const CASE_REF = /^[A-Z][A-Z0-9]*-\d{4}-\d{4,}$/;

export interface SearchQuery {
  /** The text for websearch_to_tsquery ("quoted phrases", -excluded, or). */
  text: string;
  /** A case id typed exactly (CASE-2026-0001): it also finds cases whose terms are not accepted yet. */
  caseRef: string | null;
  kinds: SearchKind[];
}

export function checkSearch(input: { q: string; kinds?: string | undefined }): SearchQuery {
  // Control characters out: two of them mark the matches in snippets.
  const text = [...input.q]
    .map((ch) => (ch.charCodeAt(0) < 0x20 ? ' ' : ch))
    .join('')
    .trim();
  const problems: FieldProblem[] = [];
  if (text.length < 2 || text.length > 200) problems.push({ field: 'q', message: 'search for 2 to 200 characters' });
  let kinds: SearchKind[] = [...searchKinds];
  if (input.kinds?.trim()) {
    const asked = input.kinds.split(',').map((k) => k.trim());
    const bad = asked.find((k) => !(searchKinds as readonly string[]).includes(k));
    if (bad !== undefined) problems.push({ field: 'kinds', message: `use one or more of ${searchKinds.join(', ')}` });
    else kinds = [...new Set(asked)] as SearchKind[];
  }
  if (problems.length > 0) throw invalidFields(problems);
  const upper = text.toUpperCase();
  return { text, caseRef: CASE_REF.test(upper) ? upper : null, kinds };
}

export interface SnippetPart {
  text: string;
  match: boolean;
}

/** ts_headline output with the marks → text segments, the matched ones flagged. */
export function snippetParts(headline: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let rest = headline;
  while (rest.length > 0) {
    const start = rest.indexOf(MARK_START);
    if (start < 0) {
      parts.push({ text: rest, match: false });
      break;
    }
    if (start > 0) parts.push({ text: rest.slice(0, start), match: false });
    const end = rest.indexOf(MARK_END, start + 1);
    const inner = rest.slice(start + 1, end < 0 ? undefined : end);
    if (inner.length > 0) parts.push({ text: inner, match: true });
    rest = end < 0 ? '' : rest.slice(end + 1);
  }
  return parts;
}

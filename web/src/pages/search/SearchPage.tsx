import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import '../../search.css';
import type { Tlp } from '../../casesApi.ts';
import { MoreButton, SelectField } from '../../components/forms.tsx';
import { Pending, SearchBar } from '../../components/lists.tsx';
import { useFormatDate, usePaged, useTitle } from '../../hooks.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { type SearchHit, searchApi } from '../../searchApi.ts';
import { TlpBadge } from '../cases/CaseBadges.tsx';

const kindsOffered = ['', 'case', 'vulnerability', 'post'] as const;

/**
 * Full-text search over what the caller may read: cases, vulnerabilities and thread posts. The
 * query lives in the address (/search?q=…), so results can be bookmarked and the back button works.
 */
export function SearchPage() {
  const { t } = useTranslation();
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const kinds = query.get('kinds') ?? '';
  useTitle(q ? t('search.titleFor', { q }) : t('search.title'));
  const [draft, setDraft] = useState(q);
  const [kindDraft, setKindDraft] = useState(kinds);
  const ready = q.trim().length >= 2;
  const list = usePaged(
    (cursor) =>
      ready
        ? searchApi.search(q, { kinds: kinds || undefined, cursor, limit: 20 })
        : Promise.resolve({ items: [], nextCursor: null }),
    `${q}|${kinds}`,
  );

  const go = () => {
    const params = new URLSearchParams();
    if (draft.trim()) params.set('q', draft.trim());
    if (kindDraft) params.set('kinds', kindDraft);
    const qs = params.toString();
    navigate(qs ? `/search?${qs}` : '/search');
  };

  return (
    <>
      <h1>{t('search.title')}</h1>
      <p className="lead">{t('search.intro')}</p>
      <SearchBar id="search-q" label={t('search.label')} value={draft} onChange={setDraft} onSearch={go}>
        <SelectField
          id="search-kind"
          label={t('search.kind')}
          value={kindDraft}
          onChange={(e) => setKindDraft(e.target.value)}
        >
          {kindsOffered.map((k) => (
            <option key={k} value={k}>
              {k ? t(`search.kinds.${k}`) : t('common.all')}
            </option>
          ))}
        </SelectField>
      </SearchBar>
      {q && !ready && <p className="muted">{t('search.tooShort')}</p>}
      {ready && (
        <section className="card" aria-labelledby="search-results-heading" aria-busy={list.loading}>
          <h2 id="search-results-heading">{t('search.results', { q })}</h2>
          {list.error || (list.loading && list.items.length === 0) ? (
            <Pending error={list.error} />
          ) : list.items.length === 0 ? (
            <p className="muted" role="status">
              {t('search.none')}
            </p>
          ) : (
            <>
              <p className="muted small" role="status">
                {t('search.shown', { count: list.items.length })}
              </p>
              <ol className="search-results">
                {list.items.map((h) => (
                  <Hit key={`${h.kind}-${h.id}`} hit={h} />
                ))}
              </ol>
            </>
          )}
          <MoreButton cursor={list.cursor} busy={list.loading} onMore={() => void list.more()} />
        </section>
      )}
    </>
  );
}

function Hit({ hit }: { hit: SearchHit }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const to = `/cases/${encodeURIComponent(hit.caseId)}`;
  return (
    <li>
      <div className="search-hit-head">
        <span className="badge">{t(`search.kindOne.${hit.kind}`)}</span>
        <Link to={to} className="mono">
          {hit.caseId}
        </Link>
        {hit.title ? <strong>{hit.title}</strong> : <span className="muted">{t('search.termsFirst')}</span>}
        {hit.tlp && <TlpBadge tlp={hit.tlp as Tlp} />}
        <time className="muted small" dateTime={hit.createdAt}>
          {fmt(hit.createdAt)}
        </time>
      </div>
      {hit.lead && <p className="small muted">{t('search.leadBy', { lead: hit.lead })}</p>}
      {hit.snippet && (
        <p className="search-snippet">
          {/* Plain text segments: the matches are marked, nothing is interpreted as HTML. */}
          {hit.snippet.map((part, i) =>
            part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
          )}
        </p>
      )}
    </li>
  );
}

/** The small search form of the top bar: it opens the search page with the query. */
export function TopBarSearch() {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  return (
    <form
      role="search"
      className="topbar-search"
      aria-label={t('search.title')}
      onSubmit={(e) => {
        e.preventDefault();
        const q = value.trim();
        navigate(q ? `/search?q=${encodeURIComponent(q)}` : '/search');
        setValue('');
      }}
    >
      <label htmlFor="topbar-search" className="visually-hidden">
        {t('search.label')}
      </label>
      <input
        id="topbar-search"
        type="search"
        value={value}
        placeholder={t('search.placeholder')}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="btn btn-small topbar-search-button" aria-label={t('common.search')}>
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
          <circle cx="6.5" cy="6.5" r="4.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <line x1="10" y1="10" x2="14.5" y2="14.5" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
      </button>
    </form>
  );
}

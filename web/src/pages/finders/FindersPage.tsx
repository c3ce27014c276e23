import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { withQuery } from '../../api.ts';
import { PagedTable, SearchBar } from '../../components/lists.tsx';
import { useFormatDate, usePaged, useTitle } from '../../hooks.ts';
import { groupFingerprint } from '../../pgp.ts';
import { reportsApi } from '../../reportsApi.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { finderLabel } from './finderLabel.ts';

/** Everyone who has reported, newest first; the search (e-mail, name, handle, key) lives in the address. */
export function FindersPage() {
  const { t } = useTranslation();
  useTitle(t('finders.title'));
  const fmt = useFormatDate();
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const list = usePaged((cursor) => reportsApi.finders({ q, cursor, limit: 50 }), q);

  return (
    <>
      <h1>{t('finders.title')}</h1>
      <p className="lead">{t('finders.intro')}</p>
      <section className="card" aria-labelledby="finders-list-heading">
        <h2 id="finders-list-heading">{t('finders.list')}</h2>
        <SearchForm key={q} initial={q} />
        <PagedTable
          list={list}
          shown={(count) => t('finders.shown', { count })}
          caption={t('finders.list')}
          className="table-dense"
          columns={[
            t('finders.finder'),
            t('fields.email'),
            t('finders.pgpKey'),
            t('finders.publicAcknowledgement'),
            { label: t('finders.reports'), className: 'num' },
            t('finders.since'),
          ]}
          row={(f) => (
            <tr key={f.id}>
              <td>
                <Link to={`/finders/${encodeURIComponent(f.id)}`}>{finderLabel(f, t)}</Link>
                {f.name && f.handle && <span className="muted small"> · {f.handle}</span>}
                {f.userId && <span className="badge badge-account">{t('finders.hasAccount')}</span>}
              </td>
              <td>{f.email ?? <span className="muted">—</span>}</td>
              <td className="mono small">
                {f.pgpFingerprint ? groupFingerprint(f.pgpFingerprint) : <span className="muted">—</span>}
              </td>
              <td>{f.publicAcknowledgement ? t('reports.yes') : t('reports.no')}</td>
              <td className="num">{f.reports}</td>
              <td className="nowrap">{fmt(f.createdAt)}</td>
            </tr>
          )}
        />
      </section>
    </>
  );
}

function SearchForm({ initial }: { initial: string }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(initial);
  return (
    <SearchBar
      id="finders-q"
      label={t('finders.search')}
      value={draft}
      onChange={setDraft}
      onSearch={() => navigate(withQuery('/finders', { q: draft.trim() }))}
    />
  );
}

import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { withQuery } from '../../api.ts';
import { ErrorAlert, MoreButton } from '../../components/forms.tsx';
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
        <ErrorAlert error={list.error} />
        <p className="visually-hidden" role="status">
          {list.loading ? t('common.loading') : t('finders.shown', { count: list.items.length })}
        </p>
        {!list.loading && list.items.length === 0 && !list.error && <p className="muted">{t('common.noResults')}</p>}
        {list.items.length > 0 && (
          <div className="table-wrap">
            <table className="table-dense">
              <caption className="visually-hidden">{t('finders.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('finders.finder')}</th>
                  <th scope="col">{t('fields.email')}</th>
                  <th scope="col">{t('finders.pgpKey')}</th>
                  <th scope="col">{t('finders.publicAcknowledgement')}</th>
                  <th scope="col" className="num">
                    {t('finders.reports')}
                  </th>
                  <th scope="col">{t('finders.since')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((f) => (
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
                ))}
              </tbody>
            </table>
          </div>
        )}
        <MoreButton cursor={list.cursor} busy={list.loading} onMore={() => void list.more()} />
      </section>
    </>
  );
}

function SearchForm({ initial }: { initial: string }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(initial);
  const search = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQuery('/finders', { q: draft.trim() }));
  };
  return (
    <form role="search" className="filters" onSubmit={search}>
      <div className="field">
        <label htmlFor="finders-q">{t('finders.search')}</label>
        <input id="finders-q" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} />
      </div>
      <button type="submit" className="btn">
        {t('common.search')}
      </button>
    </form>
  );
}

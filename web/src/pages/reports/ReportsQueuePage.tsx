import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { withQuery } from '../../api.ts';
import { ErrorAlert, MoreButton } from '../../components/forms.tsx';
import { SlaBadges, StateBadge } from '../../components/ReportBadges.tsx';
import { useFormatDate, usePaged, useTitle } from '../../hooks.ts';
import { reportsApi, rmStates } from '../../reportsApi.ts';
import { useReportSettings } from '../../reportSettings.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useAssignable } from './people.ts';

const keys = ['state', 'assignee', 'sla', 'language', 'product', 'q', 'sort'] as const;
type Filter = Record<(typeof keys)[number], string>;

function readFilter(query: URLSearchParams): Filter {
  const f = {} as Filter;
  for (const k of keys) f[k] = query.get(k) ?? '';
  return f;
}

/** The triage queue. Filters live in the address, so a filtered view can be bookmarked and shared. */
export function ReportsQueuePage() {
  const { t } = useTranslation();
  useTitle(t('reports.title'));
  const fmt = useFormatDate();
  const { query } = useLocation();
  const filter = readFilter(query);
  const key = keys.map((k) => filter[k]).join('|');
  const list = usePaged((cursor) => reportsApi.list({ ...filter, cursor, limit: 50 }), key);

  return (
    <>
      <h1>{t('reports.title')}</h1>
      <FilterForm key={key} initial={filter} />
      <section className="card" aria-labelledby="queue-heading">
        <h2 id="queue-heading">{t('reports.queue')}</h2>
        <ErrorAlert error={list.error} />
        <p className="visually-hidden" role="status">
          {list.loading ? t('common.loading') : t('reports.shown', { count: list.items.length })}
        </p>
        {!list.loading && list.items.length === 0 && !list.error && <p className="muted">{t('common.noResults')}</p>}
        {list.items.length > 0 && (
          <div className="table-wrap">
            <table className="table-dense queue">
              <caption className="visually-hidden">{t('reports.queue')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reports.trackingId')}</th>
                  <th scope="col">{t('reports.titleCol')}</th>
                  <th scope="col">{t('reports.state')}</th>
                  <th scope="col">{t('reports.severity')}</th>
                  <th scope="col">{t('reports.products')}</th>
                  <th scope="col">{t('reports.assignee')}</th>
                  <th scope="col">{t('reports.sla')}</th>
                  <th scope="col">{t('reports.received')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((r) => (
                  <tr key={r.id}>
                    <td className="nowrap">
                      <Link to={`/reports/${encodeURIComponent(r.trackingId)}`} className="mono">
                        {r.trackingId}
                      </Link>
                    </td>
                    <td>
                      {r.title}
                      <span className="muted small">
                        {' '}
                        · {t(`report.languages.${r.language}`, { defaultValue: r.language })}
                      </span>
                    </td>
                    <td>
                      <StateBadge state={r.state} />
                    </td>
                    <td className="nowrap">
                      {r.cvssScore !== null ? (
                        <span className={`badge sev-${(r.severity ?? 'none').toLowerCase()}`}>
                          {r.cvssScore.toFixed(1)}{' '}
                          {r.severity ? t(`severity.${r.severity.toLowerCase()}`, { defaultValue: r.severity }) : ''}
                        </span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="products-cell">{r.products || '—'}</td>
                    <td>{r.assignee?.name ?? <span className="muted">{t('reports.unassigned')}</span>}</td>
                    <td>
                      <SlaBadges sla={r.sla} compact />
                    </td>
                    <td className="nowrap">{fmt(r.createdAt)}</td>
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

function FilterForm({ initial }: { initial: Filter }) {
  const { t } = useTranslation();
  const people = useAssignable();
  const languages = useReportSettings().settings?.languages ?? [];
  const [draft, setDraft] = useState<Filter>(initial);
  const states = new Set(draft.state.split(',').filter(Boolean));
  const set = (k: keyof Filter) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const toggleState = (s: string, on: boolean) => {
    const next = new Set(states);
    if (on) next.add(s);
    else next.delete(s);
    setDraft((d) => ({ ...d, state: [...next].join(',') }));
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQuery('/reports', { ...draft, q: draft.q.trim(), product: draft.product.trim() }));
  };

  return (
    <section className="card" aria-labelledby="queue-filter-heading">
      <h2 id="queue-filter-heading">{t('audit.filters')}</h2>
      <form role="search" onSubmit={apply} noValidate>
        <fieldset className="state-filter">
          <legend>{t('reports.state')}</legend>
          {rmStates.map((s) => (
            <label key={s} className="check-inline">
              <input type="checkbox" checked={states.has(s)} onChange={(e) => toggleState(s, e.target.checked)} />
              {t(`rm.${s}`)}
            </label>
          ))}
        </fieldset>
        <div className="grid-3">
          <div className="field">
            <label htmlFor="queue-q">{t('reports.search')}</label>
            <input id="queue-q" type="search" value={draft.q} onChange={set('q')} />
          </div>
          <div className="field">
            <label htmlFor="queue-product">{t('reports.product')}</label>
            <input id="queue-product" value={draft.product} onChange={set('product')} />
          </div>
          <div className="field">
            <label htmlFor="queue-assignee">{t('reports.assignee')}</label>
            <select id="queue-assignee" value={draft.assignee} onChange={set('assignee')}>
              <option value="">{t('common.all')}</option>
              <option value="me">{t('reports.assignedToMe')}</option>
              <option value="none">{t('reports.unassigned')}</option>
              {people.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} ({u.email})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="queue-sla">{t('reports.slaFilter')}</label>
            <select id="queue-sla" value={draft.sla} onChange={set('sla')}>
              <option value="">{t('common.all')}</option>
              <option value="at_risk">{t('sla.state.at_risk')}</option>
              <option value="breached">{t('sla.state.breached')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="queue-language">{t('report.language')}</label>
            <select id="queue-language" value={draft.language} onChange={set('language')}>
              <option value="">{t('common.all')}</option>
              {(draft.language && !languages.includes(draft.language) ? [draft.language, ...languages] : languages).map(
                (l) => (
                  <option key={l} value={l}>
                    {t(`report.languages.${l}`, { defaultValue: l })}
                  </option>
                ),
              )}
            </select>
          </div>
          <div className="field">
            <label htmlFor="queue-sort">{t('reports.sort')}</label>
            <select id="queue-sort" value={draft.sort} onChange={set('sort')}>
              <option value="">{t('reports.newest')}</option>
              <option value="oldest">{t('reports.oldest')}</option>
            </select>
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="btn btn-primary">
            {t('common.apply')}
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => navigate('/reports')}>
            {t('common.reset')}
          </button>
        </div>
      </form>
    </section>
  );
}

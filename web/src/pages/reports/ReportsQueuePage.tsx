import { useTranslation } from 'react-i18next';
import { withQuery } from '../../api.ts';
import { Field, SelectField } from '../../components/forms.tsx';
import { FilterCard, PagedTable } from '../../components/lists.tsx';
import { SeverityBadge, SlaBadges, StateBadge, TrackingCell } from '../../components/ReportBadges.tsx';
import { useDraft, useFormatDate, usePaged, useTitle } from '../../hooks.ts';
import { reportsApi, rmStates } from '../../reportsApi.ts';
import { useReportSettings } from '../../reportSettings.ts';
import { navigate, useLocation } from '../../router.tsx';
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
        <PagedTable
          list={list}
          shown={(count) => t('reports.shown', { count })}
          caption={t('reports.queue')}
          className="table-dense queue"
          columns={[
            t('reports.trackingId'),
            t('reports.titleCol'),
            t('reports.state'),
            t('reports.severity'),
            t('reports.products'),
            t('reports.assignee'),
            t('reports.sla'),
            t('reports.received'),
          ]}
          row={(r) => (
            <tr key={r.id}>
              <TrackingCell trackingId={r.trackingId} />
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
                  <SeverityBadge severity={r.severity} score={r.cvssScore} />
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
          )}
        />
      </section>
    </>
  );
}

function FilterForm({ initial }: { initial: Filter }) {
  const { t } = useTranslation();
  const people = useAssignable();
  const languages = useReportSettings().settings?.languages ?? [];
  const { draft, setDraft, bind } = useDraft<Filter>(initial);
  const states = new Set(draft.state.split(',').filter(Boolean));
  const toggleState = (s: string, on: boolean) => {
    const next = new Set(states);
    if (on) next.add(s);
    else next.delete(s);
    setDraft((d) => ({ ...d, state: [...next].join(',') }));
  };
  const apply = () => navigate(withQuery('/reports', { ...draft, q: draft.q.trim(), product: draft.product.trim() }));
  const all = <option value="">{t('common.all')}</option>;

  return (
    <FilterCard
      id="queue-filter"
      onApply={apply}
      onReset={() => navigate('/reports')}
      before={
        <fieldset className="state-filter">
          <legend>{t('reports.state')}</legend>
          {rmStates.map((s) => (
            <label key={s} className="check-inline">
              <input type="checkbox" checked={states.has(s)} onChange={(e) => toggleState(s, e.target.checked)} />
              {t(`rm.${s}`)}
            </label>
          ))}
        </fieldset>
      }
    >
      <Field id="queue-q" label={t('reports.search')} type="search" {...bind('q')} />
      <Field id="queue-product" label={t('reports.product')} {...bind('product')} />
      <SelectField id="queue-assignee" label={t('reports.assignee')} {...bind('assignee')}>
        {all}
        <option value="me">{t('reports.assignedToMe')}</option>
        <option value="none">{t('reports.unassigned')}</option>
        {people.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name} ({u.email})
          </option>
        ))}
      </SelectField>
      <SelectField id="queue-sla" label={t('reports.slaFilter')} {...bind('sla')}>
        {all}
        <option value="at_risk">{t('sla.state.at_risk')}</option>
        <option value="breached">{t('sla.state.breached')}</option>
      </SelectField>
      <SelectField id="queue-language" label={t('report.language')} {...bind('language')}>
        {all}
        {(draft.language && !languages.includes(draft.language) ? [draft.language, ...languages] : languages).map(
          (l) => (
            <option key={l} value={l}>
              {t(`report.languages.${l}`, { defaultValue: l })}
            </option>
          ),
        )}
      </SelectField>
      <SelectField id="queue-sort" label={t('reports.sort')} {...bind('sort')}>
        <option value="">{t('reports.newest')}</option>
        <option value="oldest">{t('reports.oldest')}</option>
      </SelectField>
    </FilterCard>
  );
}

import {
  ArcElement,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Legend,
  LinearScale,
  Tooltip,
  type ChartOptions,
} from 'chart.js';
import { useState } from 'react';
import { Bar, Doughnut } from 'react-chartjs-2';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, Field, SelectField } from '../../components/forms.tsx';
import { FilterCard, Pending } from '../../components/lists.tsx';
import { useFormatDate, useResource, useTitle } from '../../hooks.ts';
import { type MetricsFilter, metricsApi, type Stats, slaStages } from '../../metricsApi.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import './metrics.css';

ChartJS.register(ArcElement, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const colors = { met: '#2e7d32', breached: '#c62828', open: '#9e9e9e', reports: '#1565c0', cases: '#6a1b9a' };
const severityColors: Record<string, string> = {
  critical: '#7f0000',
  high: '#c62828',
  medium: '#ef6c00',
  low: '#f9a825',
  none: '#9e9e9e',
  unknown: '#bdbdbd',
};
const barOptions: ChartOptions<'bar'> = { responsive: true, maintainAspectRatio: false, animation: false };
const stackedOptions: ChartOptions<'bar'> = {
  ...barOptions,
  scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
};

function filterFromQuery(q: URLSearchParams): MetricsFilter {
  const f: MetricsFilter = {};
  for (const k of ['from', 'to', 'product', 'owner'] as const) {
    const v = q.get(k);
    if (v) f[k] = v;
  }
  return f;
}

/**
 * The PSIRT dashboard (staff): figures the server computes from recorded events, filtered by
 * date range, product and owner, with charts, CSV/JSON export and a printable executive summary.
 * The filters live in the address, so a view can be bookmarked and shared.
 */
export function MetricsPage() {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const { can } = useSession();
  useTitle(t('metrics.title'));
  const { query } = useLocation();
  const filter = filterFromQuery(query);
  const key = JSON.stringify(filter);
  const summary = useResource(() => metricsApi.summary(filter), key);
  const owners = useResource(() => metricsApi.owners(), 'owners');
  const [draft, setDraft] = useState<MetricsFilter>(filter);
  const [refreshError, setRefreshError] = useState<unknown>(null);
  const [refreshing, setRefreshing] = useState(false);

  const apply = (f: MetricsFilter) => {
    const params = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]);
    const qs = params.toString();
    navigate(qs ? `/metrics?${qs}` : '/metrics');
  };
  const refresh = async () => {
    setRefreshing(true);
    setRefreshError(null);
    try {
      await metricsApi.refresh();
      await summary.reload();
    } catch (err) {
      setRefreshError(err);
    } finally {
      setRefreshing(false);
    }
  };
  const s = summary.data;

  return (
    <div className="metrics">
      <div className="metrics-head">
        <h1>{t('metrics.title')}</h1>
        <div className="actions no-print">
          <Link to="/metrics/sla" className="btn">
            {t('metrics.slaLink')}
          </Link>
          {can('metrics:refresh') && (
            <button
              type="button"
              className="btn"
              onClick={() => void refresh()}
              disabled={refreshing}
              aria-busy={refreshing}
            >
              {refreshing ? t('common.working') : t('metrics.refresh')}
            </button>
          )}
          <button type="button" className="btn btn-primary" onClick={() => window.print()}>
            {t('metrics.print')}
          </button>
        </div>
      </div>
      <p className="lead">{t('metrics.intro')}</p>
      <ErrorAlert error={refreshError} />
      <div className="no-print">
        <FilterCard
          id="metrics-filters"
          onApply={() => apply(draft)}
          onReset={() => {
            setDraft({});
            apply({});
          }}
        >
          <Field
            id="metrics-from"
            label={t('metrics.from')}
            type="date"
            value={draft.from ?? ''}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
          <Field
            id="metrics-to"
            label={t('metrics.to')}
            type="date"
            value={draft.to ?? ''}
            onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          />
          <Field
            id="metrics-product"
            label={t('metrics.product')}
            value={draft.product ?? ''}
            maxLength={200}
            onChange={(e) => setDraft({ ...draft, product: e.target.value })}
          />
          <SelectField
            id="metrics-owner"
            label={t('metrics.owner')}
            hint={t('metrics.ownerHint')}
            value={draft.owner ?? ''}
            onChange={(e) => setDraft({ ...draft, owner: e.target.value })}
          >
            <option value="">{t('common.all')}</option>
            {(owners.data?.items ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </SelectField>
        </FilterCard>
        <section className="card" aria-labelledby="metrics-export-heading">
          <h2 id="metrics-export-heading">{t('metrics.export')}</h2>
          <p className="actions">
            {(['summary', 'reports', 'cases', 'vendors'] as const).map((d) => (
              <a key={d} className="btn" href={metricsApi.exportUrl(filter, 'csv', d)} download>
                {t('metrics.exportCsv', { what: t(`metrics.datasets.${d}`) })}
              </a>
            ))}
            <a className="btn" href={metricsApi.exportUrl(filter, 'json', 'summary')} download>
              {t('metrics.exportJson')}
            </a>
          </p>
        </section>
      </div>
      {!s ? (
        <Pending error={summary.error} />
      ) : (
        <>
          <p className="muted small" role="status">
            {s.computedAt
              ? t('metrics.computedAt', { at: fmt(s.computedAt), zone: s.timeZone })
              : t('metrics.notComputed')}
          </p>
          <section className="card metrics-exec" aria-labelledby="metrics-exec-heading">
            <h2 id="metrics-exec-heading">{t('metrics.executive')}</h2>
            <dl className="metrics-kpis">
              <Kpi label={t('metrics.kpi.reports')} value={String(s.counts.reports)} />
              <Kpi label={t('metrics.kpi.cases')} value={String(s.counts.cases)} />
              <Kpi
                label={t('metrics.kpi.ackMedian')}
                value={num(s.timeToAcknowledge.hours.median, t('metrics.hours'))}
              />
              <Kpi
                label={t('metrics.kpi.triageMedian')}
                value={num(s.timeToTriage.businessDays.median, t('metrics.businessDays'))}
              />
              <Kpi label={t('metrics.kpi.toPublic')} value={num(s.reportToPublicDays.median, t('metrics.days'))} />
              <Kpi label={t('metrics.kpi.ackAdherence')} value={pct(s.slaAdherence.acknowledge.rate)} />
              <Kpi label={t('metrics.kpi.silentVendors')} value={pct(s.vendors.silentShare)} />
              <Kpi
                label={t('metrics.kpi.fixBeforePublic')}
                value={pct(
                  ratio(
                    s.desiderata.fixBeforePublic.met,
                    s.desiderata.fixBeforePublic.met + s.desiderata.fixBeforePublic.violated,
                  ),
                )}
              />
            </dl>
          </section>

          <div className="metrics-grid">
            <section className="card" aria-labelledby="metrics-volume-heading">
              <h2 id="metrics-volume-heading">{t('metrics.volumeByMonth')}</h2>
              <div className="metrics-chart">
                <Bar
                  options={barOptions}
                  data={{
                    labels: s.volumes.byMonth.map((m) => m.month),
                    datasets: [
                      {
                        label: t('metrics.kpi.reports'),
                        data: s.volumes.byMonth.map((m) => m.reports),
                        backgroundColor: colors.reports,
                      },
                      {
                        label: t('metrics.kpi.cases'),
                        data: s.volumes.byMonth.map((m) => m.cases),
                        backgroundColor: colors.cases,
                      },
                    ],
                  }}
                />
              </div>
            </section>
            <section className="card" aria-labelledby="metrics-sla-heading">
              <h2 id="metrics-sla-heading">{t('metrics.slaAdherence')}</h2>
              <div className="metrics-chart">
                <Bar
                  options={stackedOptions}
                  data={{
                    labels: slaStages.map((st) => t(`metrics.stages.${st}`)),
                    datasets: (['met', 'breached', 'open'] as const).map((k) => ({
                      label: t(`metrics.sla.${k}`),
                      data: slaStages.map((st) => s.slaAdherence[st][k]),
                      backgroundColor: colors[k],
                    })),
                  }}
                />
              </div>
            </section>
            <section className="card" aria-labelledby="metrics-severity-heading">
              <h2 id="metrics-severity-heading">{t('metrics.bySeverity')}</h2>
              <div className="metrics-chart">
                <Doughnut
                  options={{ responsive: true, maintainAspectRatio: false, animation: false }}
                  data={{
                    labels: s.volumes.bySeverity.map((v) => t(`metrics.severities.${v.key}`, { defaultValue: v.key })),
                    datasets: [
                      {
                        data: s.volumes.bySeverity.map((v) => v.count),
                        backgroundColor: s.volumes.bySeverity.map((v) => severityColors[v.key] ?? '#607d8b'),
                      },
                    ],
                  }}
                />
              </div>
            </section>
            <section className="card" aria-labelledby="metrics-desiderata-heading">
              <h2 id="metrics-desiderata-heading">{t('metrics.desiderata')}</h2>
              <div className="metrics-chart">
                <Bar
                  options={{ ...stackedOptions, indexAxis: 'y' }}
                  data={{
                    labels: s.desiderata.byDesideratum.map((d) => d.label),
                    datasets: (['met', 'violated'] as const).map((k) => ({
                      label: t(`metrics.desiderataStatus.${k}`),
                      data: s.desiderata.byDesideratum.map((d) => d[k]),
                      backgroundColor: k === 'met' ? colors.met : colors.breached,
                    })),
                  }}
                />
              </div>
            </section>
          </div>

          <section className="card" aria-labelledby="metrics-durations-heading">
            <h2 id="metrics-durations-heading">{t('metrics.durations')}</h2>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">{t('metrics.measure')}</th>
                  <th scope="col">{t('metrics.count')}</th>
                  <th scope="col">{t('metrics.median')}</th>
                  <th scope="col">{t('metrics.p90')}</th>
                  <th scope="col">{t('metrics.mean')}</th>
                </tr>
              </thead>
              <tbody>
                <StatsRow label={t('metrics.rows.ackHours')} s={s.timeToAcknowledge.hours} />
                <StatsRow label={t('metrics.rows.ackBusinessDays')} s={s.timeToAcknowledge.businessDays} />
                <StatsRow label={t('metrics.rows.triageBusinessDays')} s={s.timeToTriage.businessDays} />
                <StatsRow label={t('metrics.rows.reportToAdvisory')} s={s.reportToAdvisoryDays} />
                <StatsRow label={t('metrics.rows.reportToPublic')} s={s.reportToPublicDays} />
                <StatsRow label={t('metrics.rows.awareToFix')} s={s.vendorAwareToFixReadyDays} />
                <StatsRow label={t('metrics.rows.fixToPublic')} s={s.fixReadyToPublicDays} />
                <StatsRow label={t('metrics.rows.vendorFirstAnswer')} s={s.vendors.firstAnswerDays} />
              </tbody>
            </table>
          </section>

          <div className="metrics-grid">
            <section className="card" aria-labelledby="metrics-vendors-heading">
              <h2 id="metrics-vendors-heading">{t('metrics.vendors')}</h2>
              <dl className="metrics-kpis">
                <Kpi label={t('metrics.vendor.notified')} value={String(s.vendors.notified)} />
                <Kpi label={t('metrics.vendor.answered')} value={String(s.vendors.answered)} />
                <Kpi label={t('metrics.vendor.silent')} value={String(s.vendors.silent)} />
              </dl>
            </section>
            <section className="card" aria-labelledby="metrics-finders-heading">
              <h2 id="metrics-finders-heading">{t('metrics.finders')}</h2>
              <dl className="metrics-kpis">
                <Kpi label={t('metrics.finder.distinct')} value={String(s.finders.distinctFinders)} />
                <Kpi label={t('metrics.finder.returning')} value={String(s.finders.returningFinders)} />
                <Kpi label={t('metrics.finder.valid')} value={pct(s.finders.validShare)} />
              </dl>
            </section>
            <TopList title={t('metrics.byProduct')} items={s.volumes.byProduct} />
            <TopList title={t('metrics.byCwe')} items={s.volumes.byCwe} />
          </div>
        </>
      )}
    </div>
  );
}

function Kpi({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function StatsRow({ label, s }: { label: string; s: Stats }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{s.count}</td>
      <td>{num(s.median)}</td>
      <td>{num(s.p90)}</td>
      <td>{num(s.mean)}</td>
    </tr>
  );
}

function TopList({ title, items }: { title: string; items: { key: string; count: number }[] }) {
  const { t } = useTranslation();
  return (
    <section className="card">
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p className="muted">{t('common.noResults')}</p>
      ) : (
        <ol className="metrics-top">
          {items.slice(0, 10).map((i) => (
            <li key={i.key}>
              <span>{i.key}</span> <strong>{i.count}</strong>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function num(x: number | null, unit = ''): string {
  if (x === null) return '—';
  const v = Math.round(x * 10) / 10;
  return unit ? `${v} ${unit}` : String(v);
}

function pct(x: number | null): string {
  return x === null ? '—' : `${Math.round(x * 100)} %`;
}

function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

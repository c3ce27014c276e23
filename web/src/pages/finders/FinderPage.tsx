import { useTranslation } from 'react-i18next';
import { DataTable, Loaded } from '../../components/lists.tsx';
import { SeverityBadge, StateBadge, TrackingCell } from '../../components/ReportBadges.tsx';
import { useFormatDate, useResource, useTitle } from '../../hooks.ts';
import { groupFingerprint } from '../../pgp.ts';
import { type FinderProfile, reportsApi } from '../../reportsApi.ts';
import { finderLabel } from './finderLabel.ts';

/** One finder: who they are, how their reports fared (the figures) and every report they sent. */
export function FinderPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const { data: finder, error } = useResource(() => reportsApi.finder(id), id);
  useTitle(finder ? finderLabel(finder, t) : t('finders.title'));

  return (
    <Loaded back={{ to: '/finders', label: t('finders.title') }} data={finder} error={error}>
      {(finder) => (
        <>
          <h1>{finderLabel(finder, t)}</h1>
          <div className="grid-2">
            <section className="card" aria-labelledby="finder-identity-heading">
              <h2 id="finder-identity-heading">{t('finders.identity')}</h2>
              <dl className="facts">
                <dt>{t('fields.name')}</dt>
                <dd>{finder.name ?? '—'}</dd>
                <dt>{t('finders.handle')}</dt>
                <dd>{finder.handle ?? '—'}</dd>
                <dt>{t('fields.email')}</dt>
                <dd>{finder.email ?? '—'}</dd>
                <dt>{t('finders.pgpKey')}</dt>
                <dd className="mono small">{finder.pgpFingerprint ? groupFingerprint(finder.pgpFingerprint) : '—'}</dd>
                <dt>{t('finders.account')}</dt>
                <dd>{finder.userId ? t('finders.hasAccount') : t('finders.noAccount')}</dd>
                <dt>{t('finders.publicAcknowledgement')}</dt>
                <dd>{finder.publicAcknowledgement ? t('reports.yes') : t('reports.no')}</dd>
                <dt>{t('finders.since')}</dt>
                <dd>{fmt(finder.createdAt)}</dd>
              </dl>
            </section>
            <Figures finder={finder} />
          </div>
          <section className="card" aria-labelledby="finder-reports-heading">
            <h2 id="finder-reports-heading">{t('finders.history')}</h2>
            {finder.reports.length === 0 ? (
              <p className="muted">{t('common.noResults')}</p>
            ) : (
              <DataTable
                items={finder.reports}
                caption={t('finders.history')}
                className="table-dense"
                columns={[
                  t('reports.trackingId'),
                  t('reports.titleCol'),
                  t('reports.state'),
                  t('reports.severity'),
                  t('reports.received'),
                ]}
                row={(r) => (
                  <tr key={r.id}>
                    <TrackingCell trackingId={r.trackingId} />
                    <td>{r.title}</td>
                    <td>
                      <StateBadge state={r.state} />
                      {r.closeReason && (
                        <span className="small">
                          {' '}
                          · {t(`closeReasons.${r.closeReason}`, { defaultValue: r.closeReason })}
                        </span>
                      )}
                    </td>
                    <td>
                      <SeverityBadge severity={r.severity} />
                    </td>
                    <td className="nowrap">{fmt(r.createdAt)}</td>
                  </tr>
                )}
              />
            )}
            {finder.reports.length < finder.figures.reports && (
              <p className="hint">{t('finders.historyCut', { shown: finder.reports.length })}</p>
            )}
          </section>
        </>
      )}
    </Loaded>
  );
}

/** The quality figures: how many reports, how many held up, duplicates, the average CVSS score. */
function Figures({ finder }: { finder: FinderProfile }) {
  const { t, i18n } = useTranslation();
  const fmt = useFormatDate();
  const f = finder.figures;
  const percent = new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 0 });
  const figures: { key: string; label: string; value: string }[] = [
    { key: 'reports', label: t('finders.figures.reports'), value: String(f.reports) },
    { key: 'valid', label: t('finders.figures.valid'), value: String(f.valid) },
    { key: 'invalid', label: t('finders.figures.invalid'), value: String(f.invalid) },
    { key: 'duplicates', label: t('finders.figures.duplicates'), value: String(f.duplicates) },
    {
      key: 'validShare',
      label: t('finders.figures.validShare'),
      value: f.validShare === null ? '—' : percent.format(f.validShare),
    },
    {
      key: 'averageCvss',
      label: t('finders.figures.averageCvss'),
      value: f.averageCvss === null ? '—' : f.averageCvss.toFixed(1),
    },
  ];
  return (
    <section className="card" aria-labelledby="finder-figures-heading">
      <h2 id="finder-figures-heading">{t('finders.figures.title')}</h2>
      <dl className="figures">
        {figures.map((x) => (
          <div key={x.key} data-testid={`figure-${x.key}`}>
            <dt>{x.label}</dt>
            <dd>{x.value}</dd>
          </div>
        ))}
      </dl>
      <p className="hint">{t('finders.figures.hint')}</p>
      <dl className="facts">
        <dt>{t('finders.figures.first')}</dt>
        <dd>{fmt(f.firstReportAt)}</dd>
        <dt>{t('finders.figures.last')}</dt>
        <dd>{fmt(f.lastReportAt)}</dd>
      </dl>
    </section>
  );
}

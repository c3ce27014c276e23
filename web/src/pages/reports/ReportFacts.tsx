import { type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { StateBadge } from '../../components/ReportBadges.tsx';
import { useFormatDate } from '../../hooks.ts';
import type { ReportEvent, StaffReportView } from '../../reportsApi.ts';
import { Link } from '../../router.tsx';

/** A labelled block of the finder's text; finder text is always shown as text, never as HTML. */
function Block({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <h3 className="h3">{label}</h3>
      <div className="pre-text">{children}</div>
    </>
  );
}

/** Everything the finder wrote, in the order of the form. */
export function ReportDetails({ report }: { report: StaffReportView }) {
  const { t } = useTranslation();
  const d = report.details;
  const credit = d.credit;
  return (
    <section className="card" aria-labelledby="report-details-heading">
      <h2 id="report-details-heading">{t('reports.details')}</h2>
      <h3 className="h3">{t('report.sections.affected')}</h3>
      <div className="table-wrap">
        <table className="table-dense">
          <thead>
            <tr>
              <th scope="col">{t('report.vendor')}</th>
              <th scope="col">{t('report.product')}</th>
              <th scope="col">{t('report.versions')}</th>
              <th scope="col">{t('reports.identifier')}</th>
            </tr>
          </thead>
          <tbody>
            {d.affected.map((a, i) => (
              <tr key={i}>
                <td>{a.vendor || '—'}</td>
                <td>{a.product || '—'}</td>
                <td>{a.versions || '—'}</td>
                <td className="mono small">{a.identifier ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3 className="h3">{t('report.description')}</h3>
      {/* descriptionHtml is the server's sanitized rendering of the finder's Markdown. */}
      <div className="prose" dangerouslySetInnerHTML={{ __html: report.descriptionHtml }} />
      {d.reproduction && <Block label={t('report.reproduction')}>{d.reproduction}</Block>}
      {d.impact && <Block label={t('report.impact')}>{d.impact}</Block>}
      <dl className="facts">
        <dt>CVSS</dt>
        <dd>
          {d.cvss ? (
            <>
              <span className={`badge sev-${d.cvss.severity.toLowerCase()}`}>
                {d.cvss.score.toFixed(1)}{' '}
                {t(`severity.${d.cvss.severity.toLowerCase()}`, { defaultValue: d.cvss.severity })}
              </span>{' '}
              <code className="small">{d.cvss.vector}</code>
            </>
          ) : (
            '—'
          )}
        </dd>
        <dt>CWE</dt>
        <dd>{d.cwe ? `${d.cwe.id}: ${d.cwe.name}` : '—'}</dd>
        <dt>{t('reports.public')}</dt>
        <dd>{d.alreadyPublic ? t('reports.yes') : t('reports.no')}</dd>
        <dt>{t('reports.exploited')}</dt>
        <dd>{d.exploited ? t('reports.yes') : t('reports.no')}</dd>
        <dt>{t('report.publicReferences')}</dt>
        <dd>
          {d.publicReferences.length === 0
            ? '—'
            : d.publicReferences.map((r) => (
                <div key={r}>
                  <a href={r} rel="noopener noreferrer nofollow" target="_blank">
                    {r}
                  </a>
                </div>
              ))}
        </dd>
        <dt>{t('report.othersInformed')}</dt>
        <dd className="pre-text">{d.othersInformed || '—'}</dd>
        <dt>{t('report.disclosurePlan')}</dt>
        <dd className="pre-text">{d.disclosurePlan || '—'}</dd>
        <dt>{t('report.disclosureDate')}</dt>
        <dd>{d.disclosureDate ?? '—'}</dd>
        <dt>{t('reports.credit')}</dt>
        <dd>
          {credit
            ? `${credit.mode === 'anonymous' ? t('report.credit.anonymous') : (credit.value ?? '')} (${t(`report.creditTypes.${credit.type}`, { defaultValue: credit.type })})`
            : '—'}
        </dd>
      </dl>
    </section>
  );
}

/** What happened to the report, oldest first: receipt, RM transitions, assignment, messages. */
export function Timeline({ events }: { events: ReportEvent[] }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  return (
    <section className="card" aria-labelledby="report-timeline-heading">
      <h2 id="report-timeline-heading">{t('reports.timeline')}</h2>
      {events.length === 0 ? (
        <p className="muted">{t('common.noResults')}</p>
      ) : (
        <ol className="timeline">
          {events.map((e, i) => (
            <li key={`${e.createdAt}-${i}`}>
              <time className="muted small" dateTime={e.createdAt}>
                {fmt(e.createdAt)}
              </time>
              <div>
                <strong>{t(`events.${e.kind}`, { defaultValue: e.kind })}</strong>
                {e.fromState && e.toState && e.fromState !== e.toState && (
                  <span className="small">
                    {' '}
                    {t(`rm.${e.fromState}`, { defaultValue: e.fromState })} →{' '}
                    {t(`rm.${e.toState}`, { defaultValue: e.toState })}
                  </span>
                )}
                <span className="muted small"> · {e.actorLabel}</span>
                <EventData data={e.data} />
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function EventData({ data }: { data: Record<string, unknown> }) {
  // Ids of messages and users say nothing to a reader; the message itself is in the conversation.
  const entries = Object.entries(data)
    .filter(([k]) => !/Id$/.test(k))
    .map(([k, v]) => [k, eventValue(v)] as const)
    .filter(([, v]) => v !== '');
  if (entries.length === 0) return null;
  return (
    <ul className="summary">
      {entries.map(([k, v]) => (
        <li key={k}>
          <span className="summary-key">{k}:</span> {v}
        </li>
      ))}
    </ul>
  );
}

/** A short text for one value of an event: file lists by name, empty things left out. */
function eventValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) {
    return v
      .map((item) =>
        typeof item === 'object' && item !== null && 'filename' in item ? String(item.filename) : eventValue(item),
      )
      .filter(Boolean)
      .join(', ');
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

/** Reports that look alike (text similarity), the first place to look for a duplicate. */
export function SimilarReports({ similar }: { similar: StaffReportView['similar'] }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="report-similar-heading">
      <h2 id="report-similar-heading">{t('reports.similar')}</h2>
      {similar.length === 0 ? (
        <p className="muted">{t('reports.noSimilar')}</p>
      ) : (
        <ul className="plain-list">
          {similar.map((s) => (
            <li key={s.trackingId}>
              <Link to={`/reports/${encodeURIComponent(s.trackingId)}`} className="mono">
                {s.trackingId}
              </Link>{' '}
              {s.title} <StateBadge state={s.state} />{' '}
              <span className="muted small">{t('reports.similarity', { score: s.score.toFixed(3) })}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

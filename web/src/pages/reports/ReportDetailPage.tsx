import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/forms.tsx';
import { Crumb, Pending } from '../../components/lists.tsx';
import { AttachmentList, MessageList } from '../../components/MessageList.tsx';
import { SlaBadges, StateBadge } from '../../components/ReportBadges.tsx';
import { useFormatDate, useTitle } from '../../hooks.ts';
import { groupFingerprint } from '../../pgp.ts';
import { type AttachmentMeta, reportsApi, type StaffReportView } from '../../reportsApi.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { finderLabel } from '../finders/finderLabel.ts';
import { ReportDetails, SimilarReports, Timeline } from './ReportFacts.tsx';
import { StaffComposer } from './StaffComposer.tsx';
import { TriagePanel } from './TriagePanel.tsx';

/** One report for staff: everything the finder sent, the conversation, the RM actions allowed now. */
export function ReportDetailPage({ trackingId }: { trackingId: string }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const { can } = useSession();
  const [report, setReport] = useState<StaffReportView | null>(null);
  const [error, setError] = useState<unknown>(null);
  useTitle(report ? `${report.trackingId} ${report.title}` : t('reports.title'));

  const load = useCallback(async () => {
    try {
      setReport(await reportsApi.get(trackingId));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [trackingId]);
  useEffect(() => {
    void load();
  }, [load]);
  const download = useCallback((a: AttachmentMeta) => reportsApi.attachment(trackingId, a.id), [trackingId]);

  if (!report) {
    return (
      <>
        <Crumb to="/reports" label={t('reports.title')} />
        <Pending error={error} />
      </>
    );
  }

  const finder = report.finder;
  return (
    <>
      <Crumb to="/reports" label={t('reports.title')} />
      <h1>
        <span className="mono">{report.trackingId}</span> {report.title}
      </h1>
      <div className="report-status">
        <StateBadge state={report.state} />
        {report.closeReason && (
          <span className="badge">{t(`closeReasons.${report.closeReason}`, { defaultValue: report.closeReason })}</span>
        )}
        {report.duplicateOf && (
          <span>
            {t('reports.duplicateOf')}{' '}
            <Link to={`/reports/${encodeURIComponent(report.duplicateOf)}`} className="mono">
              {report.duplicateOf}
            </Link>
          </span>
        )}
        <SlaBadges sla={report.sla} />
      </div>
      <ErrorAlert error={error} />
      <div className="report-layout">
        <div className="report-main">
          <ReportDetails report={report} />
          {report.attachments.length > 0 && (
            <section className="card" aria-labelledby="report-files-heading">
              <h2 id="report-files-heading">{t('files.attachments')}</h2>
              <AttachmentList attachments={report.attachments} download={download} />
            </section>
          )}
          <section className="card" aria-labelledby="report-messages-heading">
            <h2 id="report-messages-heading">{t('reports.conversation')}</h2>
            <p className="hint">{t('reports.conversationHint')}</p>
            <MessageList messages={report.messages} download={download} empty={t('followUp.noMessages')} staffView />
          </section>
          {report.abilities.triage && (
            <StaffComposer trackingId={report.trackingId} closed={report.state === 'C'} onSent={load} />
          )}
        </div>
        <aside className="report-side" aria-label={t('reports.sidebar')}>
          <TriagePanel report={report} onChanged={load} />
          <section className="card" aria-labelledby="report-facts-heading">
            <h2 id="report-facts-heading">{t('reports.about')}</h2>
            <dl className="facts">
              <dt>{t('reports.received')}</dt>
              <dd>{fmt(report.createdAt)}</dd>
              <dt>{t('reports.channel')}</dt>
              <dd>{t(`reports.channels.${report.channel}`, { defaultValue: report.channel })}</dd>
              <dt>{t('report.language')}</dt>
              <dd>{t(`report.languages.${report.language}`, { defaultValue: report.language })}</dd>
              <dt>{t('reports.encrypted')}</dt>
              <dd>{report.submittedEncrypted ? t('reports.yes') : t('reports.no')}</dd>
              <dt>{t('reports.finder')}</dt>
              <dd>
                {finder ? (
                  <>
                    {can('finder:read') ? (
                      <Link to={`/finders/${encodeURIComponent(finder.id)}`} data-testid="finder-link">
                        {finderLabel(finder, t)}
                      </Link>
                    ) : (
                      finderLabel(finder, t)
                    )}
                    {finder.email && finder.email !== finderLabel(finder, t) && (
                      <div className="small">{finder.email}</div>
                    )}
                    {finder.pgpFingerprint && (
                      <div className="mono small">{groupFingerprint(finder.pgpFingerprint)}</div>
                    )}
                  </>
                ) : (
                  t('reports.anonymousFinder')
                )}
              </dd>
            </dl>
          </section>
          <SimilarReports similar={report.similar} />
          <Timeline events={report.events} />
        </aside>
      </div>
    </>
  );
}

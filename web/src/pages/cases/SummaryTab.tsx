import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CaseEvent, casesApi } from '../../casesApi.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorAlert, Notice } from '../../components/forms.tsx';
import { useAction, useFormatDate } from '../../hooks.ts';
import { CaseFlags, pxaEvents } from './CaseBadges.tsx';
import type { CaseTabProps } from './CasePage.tsx';
import { PublicSummaryCard } from './PublicSummaryCard.tsx';

/** The summary, the case-wide state (P/X/A) with the lead's moves, and the viewer's participation. */
export function SummaryTab({ c, reload }: CaseTabProps) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const mine = c.participants.filter((p) => p.mine);
  return (
    <div className="grid-2">
      <section className="card" aria-labelledby="case-summary-heading">
        <h2 id="case-summary-heading">{t('cases.tabs.summary')}</h2>
        {c.summary ? (
          // Rendered from Markdown and sanitized by the server.
          <div className="prose" dangerouslySetInnerHTML={{ __html: c.summaryHtml }} />
        ) : (
          <p className="muted">{t('cases.noSummary')}</p>
        )}
        <dl className="facts">
          <dt>{t('cases.opened')}</dt>
          <dd>{fmt(c.createdAt)}</dd>
          <dt>{t('cases.termsVersion')}</dt>
          <dd>{c.terms.version}</dd>
          {mine.map((p) => (
            <div key={p.id} className="facts-row">
              <dt>{p.name}</dt>
              <dd>
                {t(`cases.roles.${p.role}`)} ·{' '}
                {p.termsAccepted ? t('cases.acceptedOn', { date: fmt(p.termsAcceptedAt) }) : t('cases.notAccepted')}
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <CaseStateCard c={c} reload={reload} />
      <PublicSummaryCard c={c} reload={reload} />
    </div>
  );
}

/** P/X/A belong to the whole case; the lead and coordinators record them (each once, for good). */
function CaseStateCard({ c, reload }: CaseTabProps) {
  const { t } = useTranslation();
  const [asked, setAsked] = useState<CaseEvent | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const record = useAction(async (event: CaseEvent) => {
    setNotice(null);
    await casesApi.caseState(c.caseId, { event });
    setAsked(null);
    setNotice(t('cases.recorded', { event: t(`cases.csEvent.${event}`) }));
    await reload();
  });
  // The moves the server would accept now from this caller (empty unless they lead the case).
  const open = c.allowedCaseEvents;
  return (
    <section className="card" aria-labelledby="case-state-heading">
      <h2 id="case-state-heading">{t('cases.caseState')}</h2>
      <p className="hint">{t('cases.caseStateHint')}</p>
      <CaseFlags state={c.pxaState} events={pxaEvents} />
      <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
      {open.length > 0 && (
        <div className="actions" role="group" aria-label={t('cases.caseState')}>
          {open.map((e) => (
            <button key={e} type="button" className="btn" onClick={() => setAsked(e)}>
              {t('cases.record', { event: t(`cases.csEvent.${e}`) })}
            </button>
          ))}
        </div>
      )}
      <ConfirmDialog
        open={asked !== null}
        title={asked ? t('cases.record', { event: t(`cases.csEvent.${asked}`) }) : ''}
        confirmLabel={t('cases.recordConfirm')}
        danger
        busy={record.busy}
        onConfirm={() => asked && void record.run(asked)}
        onCancel={() => {
          setAsked(null);
          record.setError(null);
        }}
      >
        <p>{t('cases.recordWarning')}</p>
        <ErrorAlert error={record.error} />
      </ConfirmDialog>
    </section>
  );
}

import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SubmitAnswer } from '../../reportsApi.ts';

/**
 * Shown once after sending: the tracking id and the secret follow-up link exactly as the server
 * made it (`…/report/follow-up#<tracking id>/<secret>`), with a copy button.
 */
export function SubmittedReport({
  answer,
  acknowledgeDays,
  onAnother,
}: {
  answer: SubmitAnswer;
  /** The promised response time in business days (0: none stated). */
  acknowledgeDays: number;
  onAnother: () => void;
}) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const link = answer.followUpUrl;
  useEffect(() => {
    ref.current?.focus();
  }, []);

  const copy = () => {
    navigator.clipboard.writeText(link).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  return (
    <>
      <h1>{t('submitted.title')}</h1>
      <div className="reveal" tabIndex={-1} ref={ref} role="region" aria-labelledby="submitted-heading">
        <h2 id="submitted-heading">
          {t('submitted.tracking')} <span data-testid="tracking-id">{answer.report.trackingId}</span>
        </h2>
        <p>{t('submitted.intro')}</p>
        {acknowledgeDays > 0 && <p>{t('report.responseTime', { count: acknowledgeDays })}</p>}
        <p className="warn-text" role="note">
          {t('submitted.keepLink')}
        </p>
        <div className="token-row">
          <code className="secret" data-testid="follow-up-url">
            {link}
          </code>
          <button type="button" className="btn" onClick={copy}>
            {copied ? t('common.copied') : t('submitted.copyLink')}
          </button>
        </div>
        <p className="hint" aria-live="polite">
          {copied ? t('submitted.copiedHint') : t('submitted.linkHint')}
        </p>
        <div className="actions">
          <a className="btn btn-primary" href={link}>
            {t('submitted.open')}
          </a>
          <button type="button" className="btn btn-ghost" onClick={onAnother}>
            {t('submitted.another')}
          </button>
        </div>
      </div>
    </>
  );
}

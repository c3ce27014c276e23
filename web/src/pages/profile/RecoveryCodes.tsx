import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Shows recovery codes once, with copy and download, until the user confirms they stored them. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const [download, setDownload] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    headingRef.current?.focus();
    const url = URL.createObjectURL(new Blob([`${codes.join('\n')}\n`], { type: 'text/plain' }));
    setDownload(url);
    return () => URL.revokeObjectURL(url);
  }, [codes]);

  const copy = () => {
    navigator.clipboard.writeText(codes.join('\n')).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  return (
    <div className="reveal" role="region" aria-labelledby="recovery-heading">
      <h3 id="recovery-heading" tabIndex={-1} ref={headingRef}>
        {t('totp.recoveryTitle')}
      </h3>
      <p role="status">{t('totp.enabledNow')}</p>
      <p className="warn-text">{t('totp.recoveryIntro')}</p>
      <ul className="codes" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="btn" onClick={copy}>
          {copied ? t('common.copied') : t('common.copy')}
        </button>
        {download && (
          <a className="btn" href={download} download="accord-recovery-codes.txt">
            {t('totp.download')}
          </a>
        )}
        <button type="button" className="btn btn-primary" onClick={onDone}>
          {t('totp.stored')}
        </button>
      </div>
    </div>
  );
}

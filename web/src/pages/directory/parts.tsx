import { useTranslation } from 'react-i18next';
import { useFormatDate } from '../../hooks.ts';

/** Small pieces the directory pages share. */

/** Whether staff vouched for the organization, in words (never only a colour). */
export function VerifiedBadge({ verified }: { verified: boolean }) {
  const { t } = useTranslation();
  return verified ? (
    <span className="badge badge-ok" data-testid="verified">
      {t('directory.verifiedYes')}
    </span>
  ) : (
    <span className="badge" data-testid="verified">
      {t('directory.verifiedNo')}
    </span>
  );
}

/** An OpenPGP fingerprint in groups of four, as people compare them. */
export function groupFingerprint(fp: string): string {
  return fp.replace(/(.{4})(?=.)/g, '$1 ');
}

/** A contact's OpenPGP key: its fingerprint and when it expires (flagged once expired). */
export function KeyFacts({ fingerprint, expiresAt }: { fingerprint: string | null; expiresAt: string | null }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  if (!fingerprint) return <span className="muted">{t('directory.contacts.noKey')}</span>;
  const expired = expiresAt !== null && new Date(expiresAt).getTime() < Date.now();
  return (
    <>
      <code className="fingerprint small">{groupFingerprint(fingerprint)}</code>
      <br />
      <span className={expired ? 'warn-text small' : 'muted small'}>
        {expiresAt === null
          ? t('directory.contacts.noExpiry')
          : expired
            ? t('directory.contacts.expired', { date: fmt(expiresAt) })
            : t('directory.contacts.expires', { date: fmt(expiresAt) })}
      </span>
    </>
  );
}

/** Splits "en, ja pt-BR" into language tags (the server checks and lowercases them). */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

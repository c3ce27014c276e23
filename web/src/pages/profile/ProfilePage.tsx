import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useTitle } from '../../hooks.ts';
import { useSession } from '../../session.tsx';
import { ApiTokensSection } from './ApiTokensSection.tsx';
import { DetailsSection } from './DetailsSection.tsx';
import { NotificationsSection } from './NotificationsSection.tsx';
import { PasswordSection } from './PasswordSection.tsx';
import { TwoFactorSection } from './TwoFactorSection.tsx';

export function ProfilePage() {
  const { t } = useTranslation();
  useTitle(t('profile.title'));
  const { me, enrolmentRequired } = useSession();

  useEffect(() => {
    // Links like /profile#two-factor land on the section.
    const id = window.location.hash.replace(/^#/, '');
    if (id) document.getElementById(id)?.scrollIntoView();
  }, []);

  if (!me) return null;
  return (
    <>
      <h1>{t('profile.title')}</h1>
      {enrolmentRequired && (
        <div className="alert alert-warn" role="alert">
          <p className="alert-title">{t('profile.enrolRequiredTitle')}</p>
          <p>{t('profile.enrolRequired')}</p>
        </div>
      )}
      {!enrolmentRequired && <DetailsSection />}
      {!enrolmentRequired && <NotificationsSection />}
      {!enrolmentRequired && <PasswordSection />}
      <TwoFactorSection />
      {!enrolmentRequired && <ApiTokensSection />}
    </>
  );
}

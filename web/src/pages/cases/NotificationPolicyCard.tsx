import { useTranslation } from 'react-i18next';
import { ErrorAlert, Labelled } from '../../components/forms.tsx';
import { useAction, useResource } from '../../hooks.ts';
import { notificationsApi } from '../../notificationsApi.ts';
import type { CaseTabProps } from './CasePage.tsx';

/**
 * The case's mail policy. The lead and coordinators may force content-free notices for everyone,
 * even recipients with an OpenPGP key; participants see which policy applies.
 */
export function NotificationPolicyCard({ c }: Pick<CaseTabProps, 'c'>) {
  const { t } = useTranslation();
  const policy = useResource(() => notificationsApi.policy(c.caseId), c.caseId);
  const change = useAction(async (noticeOnly: boolean) => {
    policy.setData(await notificationsApi.setPolicy(c.caseId, noticeOnly));
  });
  const p = policy.data;
  if (!p) return <ErrorAlert error={policy.error} />;
  const manage = p.abilities['case:manage'] === true;
  return (
    <section className="card" aria-labelledby="case-mail-policy">
      <h2 id="case-mail-policy">{t('notifications.policy.title')}</h2>
      <ErrorAlert error={change.error} />
      {manage ? (
        <Labelled
          id="case-notice-only"
          label={t('notifications.policy.noticeOnly')}
          hint={t('notifications.policy.hint')}
          inline
        >
          {(aria) => (
            <input
              type="checkbox"
              {...aria}
              checked={p.noticeOnly}
              disabled={change.busy}
              onChange={(e) => void change.run(e.target.checked)}
            />
          )}
        </Labelled>
      ) : (
        <p>{p.noticeOnly ? t('notifications.policy.isNoticeOnly') : t('notifications.policy.isDefault')}</p>
      )}
    </section>
  );
}

import { useTranslation } from 'react-i18next';
import { useTitle } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';

export function HomePage() {
  const { t } = useTranslation();
  useTitle(t('home.title'));
  const { me, can } = useSession();
  if (!me) return null;
  const memberships = me.user.memberships ?? [];
  return (
    <>
      <h1>{t('home.welcome', { name: me.user.name })}</h1>
      {!me.user.totpEnabled && (
        <div className="alert alert-warn" role="note">
          <p>
            {t('home.no2fa')} <Link to="/profile#two-factor">{t('home.set2fa')}</Link>
          </p>
        </div>
      )}
      <div className="grid-2">
        <section className="card" aria-labelledby="account-heading">
          <h2 id="account-heading">{t('home.account')}</h2>
          <dl className="facts">
            <dt>{t('fields.email')}</dt>
            <dd>{me.user.email}</dd>
            <dt>{t('home.staffRole')}</dt>
            <dd>{me.staffRole ? t(`roles.${me.staffRole}`) : t('home.noStaffRole')}</dd>
            <dt>{t('totp.title')}</dt>
            <dd>{me.user.totpEnabled ? t('totp.on') : t('totp.off')}</dd>
            <dt>{t('fields.timeZone')}</dt>
            <dd>{me.user.timeZone}</dd>
          </dl>
          <p>
            <Link to="/profile">{t('home.editProfile')}</Link>
          </p>
        </section>
        <section className="card" aria-labelledby="memberships-heading">
          <h2 id="memberships-heading">{t('home.memberships')}</h2>
          {memberships.length === 0 ? (
            <p className="muted">{t('home.noMemberships')}</p>
          ) : (
            <ul className="plain-list">
              {memberships.map((m) => (
                <li key={m.orgId}>
                  <Link to={`/orgs/${encodeURIComponent(m.orgId)}`}>{m.orgName}</Link>{' '}
                  <span className="badge">{t(`roles.${m.role}`, { defaultValue: m.role })}</span>{' '}
                  <span className="muted">{t(`orgKinds.${m.orgKind}`, { defaultValue: m.orgKind })}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {(can('user:list') || can('audit:read')) && (
        <section className="card" aria-labelledby="admin-heading">
          <h2 id="admin-heading">{t('home.administration')}</h2>
          <ul className="link-grid">
            {can('user:list') && (
              <li>
                <Link to="/admin/users">{t('nav.users')}</Link>
              </li>
            )}
            <li>
              <Link to="/orgs">{t('nav.orgs')}</Link>
            </li>
            {can('audit:read') && (
              <li>
                <Link to="/admin/audit">{t('nav.audit')}</Link>
              </li>
            )}
            {can('outbox:read') && (
              <li>
                <Link to="/admin/outbox">{t('nav.outbox')}</Link>
              </li>
            )}
            {can('settings:read') && (
              <li>
                <Link to="/admin/settings">{t('nav.settings')}</Link>
              </li>
            )}
          </ul>
        </section>
      )}
    </>
  );
}

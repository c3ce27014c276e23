import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type InvitationInfo } from '../api.ts';
import { ErrorAlert, errorFor, Field, Notice, Submit } from '../components/forms.tsx';
import { submitting, useAction, useFormatDate, useTitle } from '../hooks.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { LoginForm } from './LoginPage.tsx';
import { useFragmentToken } from './PasswordResetPages.tsx';

export function AcceptInvitationPage() {
  const { t } = useTranslation();
  useTitle(t('invite.title'));
  const { me, refresh } = useSession();
  const fmt = useFormatDate();
  const token = useFragmentToken();
  const [info, setInfo] = useState<InvitationInfo | null>(null);
  const [lookupError, setLookupError] = useState<unknown>(null);
  const [accepted, setAccepted] = useState(false);
  // The case the invitation was sent for: the new member goes there next (its terms first).
  const [caseId, setCaseId] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');

  useEffect(() => {
    if (!token) return;
    api.lookupInvitation(token).then(setInfo, setLookupError);
  }, [token]);

  const accept = useAction(async () => {
    const body = me || info?.hasAccount ? { token } : { token, name: name.trim(), password };
    const done = await api.acceptInvitation(body);
    setCaseId(done.caseId);
    setAccepted(true);
    window.history.replaceState(null, '', '/accept-invitation');
    if (me) await refresh();
  });

  const wrongAccount = me && info && me.user.email.toLowerCase() !== info.email.toLowerCase();

  return (
    <div className="auth-page">
      <div className="card auth-card">
        <h1>{t('invite.title')}</h1>
        {!token && (
          <div className="alert alert-error" role="alert">
            {t('invite.noToken')}
          </div>
        )}
        <ErrorAlert error={lookupError} />
        {accepted && (
          <>
            <Notice>{t('invite.accepted', { org: info?.orgName ?? '' })}</Notice>
            {caseId ? (
              <>
                <p>{t('inviteCase.next', { caseId })}</p>
                <p className="auth-links">
                  <Link
                    to={
                      me
                        ? `/cases/${encodeURIComponent(caseId)}`
                        : `/login?next=${encodeURIComponent(`/cases/${caseId}`)}`
                    }
                  >
                    {me ? t('inviteCase.toCase', { caseId }) : t('inviteCase.signInToCase', { caseId })}
                  </Link>
                </p>
              </>
            ) : (
              <p className="auth-links">
                <Link to={me ? '/orgs' : '/login'}>{me ? t('invite.toOrgs') : t('common.backToLogin')}</Link>
              </p>
            )}
          </>
        )}
        {info && !accepted && (
          <>
            <dl className="facts">
              <dt>{t('invite.org')}</dt>
              <dd>{info.orgName}</dd>
              <dt>{t('fields.email')}</dt>
              <dd>{info.email}</dd>
              <dt>{t('fields.role')}</dt>
              <dd>{t(`roles.${info.role}`, { defaultValue: info.role })}</dd>
              <dt>{t('invite.expires')}</dt>
              <dd>{fmt(info.expiresAt)}</dd>
              {info.caseId && (
                <>
                  <dt>{t('inviteCase.case')}</dt>
                  <dd className="mono">{info.caseId}</dd>
                </>
              )}
            </dl>
            {wrongAccount && (
              <div className="alert alert-warn" role="alert">
                {t('invite.wrongAccount', { email: info.email })}
              </div>
            )}
            {!me && info.hasAccount && (
              <>
                <p>{t('invite.signInFirst')}</p>
                <LoginForm email={info.email} onDone={() => undefined} />
              </>
            )}
            {(me || !info.hasAccount) && !wrongAccount && (
              <form onSubmit={submitting(accept.run)} noValidate>
                <ErrorAlert error={accept.error} />
                {!me && (
                  <>
                    <p className="muted">{t('invite.newAccount')}</p>
                    <Field
                      label={t('fields.name')}
                      autoComplete="name"
                      required
                      value={name}
                      onChange={(e) => setName(e.target.value)}
                      error={errorFor(accept.error, 'name')}
                    />
                    <Field
                      label={t('fields.password')}
                      type="password"
                      autoComplete="new-password"
                      required
                      minLength={12}
                      hint={t('fields.passwordHint')}
                      value={password}
                      onChange={(e) => setPassword(e.target.value)}
                      error={errorFor(accept.error, 'password')}
                    />
                  </>
                )}
                <div className="actions">
                  <Submit busy={accept.busy}>{t('invite.accept')}</Submit>
                </div>
              </form>
            )}
          </>
        )}
      </div>
    </div>
  );
}

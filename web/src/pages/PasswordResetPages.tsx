import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ErrorAlert, errorFor, Field, Notice, Submit } from '../components/forms.tsx';
import { submitting, useAction, useTitle } from '../hooks.ts';
import { Link } from '../router.tsx';

/** Reads `name` from the URL fragment (#token=…), where secrets stay out of server logs. */
function fragmentParam(name: string): string {
  return new URLSearchParams(window.location.hash.replace(/^#/, '')).get(name) ?? '';
}

/** The `token` of the URL fragment; follows a link opened again in the same tab. */
export function useFragmentToken(): string {
  const [token, setToken] = useState(() => fragmentParam('token'));
  useEffect(() => {
    const onHash = () => {
      const next = fragmentParam('token');
      if (next) setToken(next);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return token;
}

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  useTitle(t('forgot.title'));
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const action = useAction(async () => {
    await api.requestReset(email.trim());
    setSent(true);
  });
  return (
    <div className="auth-page">
      <div className="card auth-card">
        <h1>{t('forgot.title')}</h1>
        {sent ? (
          <Notice>{t('forgot.sent')}</Notice>
        ) : (
          <form onSubmit={submitting(action.run)} noValidate>
            <p className="muted">{t('forgot.intro')}</p>
            <ErrorAlert error={action.error} />
            <Field
              label={t('fields.email')}
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={errorFor(action.error, 'email')}
            />
            <div className="actions">
              <Submit busy={action.busy}>{t('forgot.submit')}</Submit>
            </div>
          </form>
        )}
        <p className="auth-links">
          <Link to="/login">{t('common.backToLogin')}</Link>
        </p>
      </div>
    </div>
  );
}

export function ResetPasswordPage() {
  const { t } = useTranslation();
  useTitle(t('reset.title'));
  const token = useFragmentToken();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const action = useAction(async () => {
    if (password !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    await api.confirmReset({ token, password });
    setDone(true);
    // The token is spent: drop it from the address bar and history.
    window.history.replaceState(null, '', '/reset-password');
  });
  return (
    <div className="auth-page">
      <div className="card auth-card">
        <h1>{t('reset.title')}</h1>
        {!token && !done && (
          <div className="alert alert-error" role="alert">
            {t('reset.noToken')}
          </div>
        )}
        {done && <Notice>{t('reset.done')}</Notice>}
        {token && !done && (
          <form onSubmit={submitting(action.run)} noValidate>
            <p className="muted">{t('reset.intro')}</p>
            <ErrorAlert error={action.error} />
            <Field
              label={t('fields.newPassword')}
              type="password"
              autoComplete="new-password"
              required
              minLength={12}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              hint={t('fields.passwordHint')}
              error={errorFor(action.error, 'password')}
            />
            <Field
              label={t('fields.repeatPassword')}
              type="password"
              autoComplete="new-password"
              required
              value={repeat}
              onChange={(e) => setRepeat(e.target.value)}
              error={mismatch ? t('fields.mismatch') : null}
            />
            {mismatch && (
              <p className="visually-hidden" role="alert">
                {t('fields.mismatch')}
              </p>
            )}
            <div className="actions">
              <Submit busy={action.busy}>{t('reset.submit')}</Submit>
            </div>
          </form>
        )}
        <p className="auth-links">
          {!token && !done && <Link to="/forgot-password">{t('reset.requestNew')}</Link>}{' '}
          <Link to="/login">{t('common.backToLogin')}</Link>
        </p>
      </div>
    </div>
  );
}

import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { ErrorAlert, errorFor, Field, Submit } from '../components/forms.tsx';
import { submitting, useAction, useTitle } from '../hooks.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';

/** Where to go after signing in: only a local path, never another site. */
function safeNext(raw: string | null): string {
  if (raw && raw.startsWith('/') && !raw.startsWith('//') && !raw.startsWith('/login')) return raw;
  return '/';
}

export function LoginPage() {
  const { t } = useTranslation();
  const { query } = useLocation();
  useTitle(t('login.title'));
  return (
    <div className="auth-page">
      <div className="card auth-card">
        <h1>{t('login.title')}</h1>
        <p className="muted">{t('login.intro')}</p>
        <LoginForm onDone={() => navigate(safeNext(query.get('next')), { replace: true })} />
        <p className="auth-links">
          <Link to="/forgot-password">{t('login.forgot')}</Link>
          <Link to="/report">{t('login.report')}</Link>
        </p>
      </div>
    </div>
  );
}

/** E-mail and password, then (when the account has 2FA) the authenticator or recovery code. */
export function LoginForm({ onDone, email: fixedEmail }: { onDone: () => void; email?: string }) {
  const { t } = useTranslation();
  const { login } = useSession();
  const [email, setEmail] = useState(fixedEmail ?? '');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const codeRef = useRef<HTMLInputElement>(null);

  const action = useAction(async () => {
    try {
      await login(step === 'totp' ? { email, password, totp: code.trim() } : { email, password });
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'ERR_TOTP_REQUIRED') {
        setStep('totp');
        setTimeout(() => codeRef.current?.focus(), 0);
        return;
      }
      if (err instanceof ApiError && err.code === 'ERR_TOTP_INVALID') setCode('');
      throw err;
    }
  });

  if (step === 'totp') {
    return (
      <form id="login-totp-form" onSubmit={submitting(action.run)} noValidate>
        <h2 className="h3">{t('login.totpTitle')}</h2>
        <p className="muted">{t('login.totpIntro')}</p>
        <ErrorAlert error={action.error} />
        <div className="field">
          <label htmlFor="login-totp">{t('login.code')}</label>
          <input
            id="login-totp"
            ref={codeRef}
            name="totp"
            inputMode="text"
            autoComplete="one-time-code"
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
            aria-describedby="login-totp-hint"
          />
          <p className="hint" id="login-totp-hint">
            {t('login.codeHint')}
          </p>
        </div>
        <div className="actions">
          <Submit busy={action.busy}>{t('login.verify')}</Submit>
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => {
              setStep('password');
              setCode('');
              action.setError(null);
            }}
          >
            {t('common.back')}
          </button>
        </div>
      </form>
    );
  }

  return (
    <form id="login-form" onSubmit={submitting(action.run)} noValidate>
      <ErrorAlert error={action.error} />
      <Field
        id="login-email"
        label={t('fields.email')}
        type="email"
        name="email"
        autoComplete="username"
        required
        readOnly={fixedEmail !== undefined}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errorFor(action.error, 'email')}
      />
      <Field
        id="login-password"
        label={t('fields.password')}
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errorFor(action.error, 'password')}
      />
      <div className="actions">
        <Submit busy={action.busy}>{t('login.submit')}</Submit>
      </div>
    </form>
  );
}

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { ErrorAlert, errorFor, Field, Notice, Submit } from '../../components/forms.tsx';
import { submitting, useAction } from '../../hooks.ts';

export function PasswordSection() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);

  const change = useAction(async () => {
    setDone(false);
    if (next !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    await api.changePassword({ currentPassword: current, newPassword: next });
    setCurrent('');
    setNext('');
    setRepeat('');
    setDone(true);
  });

  return (
    <section className="card" aria-labelledby="password-heading" id="password">
      <h2 id="password-heading">{t('profile.password')}</h2>
      <p className="muted">{t('profile.passwordIntro')}</p>
      <form onSubmit={submitting(change.run)} noValidate>
        <ErrorAlert error={change.error} />
        {mismatch && (
          <div className="alert alert-error" role="alert">
            {t('fields.mismatch')}
          </div>
        )}
        {done && <Notice>{t('profile.passwordChanged')}</Notice>}
        <div className="grid-3">
          <Field
            label={t('fields.currentPassword')}
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            error={errorFor(change.error, 'currentPassword')}
          />
          <Field
            label={t('fields.newPassword')}
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            hint={t('fields.passwordHint')}
            value={next}
            onChange={(e) => setNext(e.target.value)}
            error={errorFor(change.error, 'password') ?? errorFor(change.error, 'newPassword')}
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
        </div>
        <div className="actions">
          <Submit busy={change.busy}>{t('profile.changePassword')}</Submit>
        </div>
      </form>
    </section>
  );
}

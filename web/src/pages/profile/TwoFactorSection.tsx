import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { ErrorAlert, errorFor, Field, Notice, Submit } from '../../components/forms.tsx';
import { submitting, useAction } from '../../hooks.ts';
import { useSession } from '../../session.tsx';
import { RecoveryCodes } from './RecoveryCodes.tsx';

interface Enrolment {
  secret: string;
  uri: string;
  qrSvg: string;
}

/** Base64 of an ASCII/UTF-8 string, for a data: URL. */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function TwoFactorSection() {
  const { t } = useTranslation();
  const { me, refresh } = useSession();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const [password, setPassword] = useState('');
  const [offCode, setOffCode] = useState('');
  const [turnedOff, setTurnedOff] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  const begin = useAction(async () => {
    setTurnedOff(false);
    setEnrolment(await api.beginTotp());
    setTimeout(() => codeRef.current?.focus(), 0);
  });
  const confirm = useAction(async () => {
    const answer = await api.confirmTotp(code.replace(/\s+/g, ''));
    setEnrolment(null);
    setCode('');
    setRecovery(answer.recoveryCodes);
    await refresh();
  });
  const disable = useAction(async () => {
    await api.disableTotp({ password, code: offCode.trim() });
    setPassword('');
    setOffCode('');
    setTurnedOff(true);
    await refresh();
  });

  if (!me) return null;
  const enabled = me.user.totpEnabled;
  return (
    <section className="card" aria-labelledby="two-factor-heading" id="two-factor">
      <h2 id="two-factor-heading">
        {t('totp.title')}{' '}
        <span className={`badge ${enabled ? 'badge-ok' : 'badge-off'}`}>{enabled ? t('totp.on') : t('totp.off')}</span>
      </h2>
      {recovery && <RecoveryCodes codes={recovery} onDone={() => setRecovery(null)} />}
      {turnedOff && <Notice>{t('totp.turnedOff')}</Notice>}

      {!enabled && !enrolment && (
        <>
          <p className="muted">{t('totp.intro')}</p>
          <ErrorAlert error={begin.error} />
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={() => void begin.run()} disabled={begin.busy}>
              {t('totp.start')}
            </button>
          </div>
        </>
      )}

      {!enabled && enrolment && (
        <div className="enrol">
          <ol className="steps">
            <li>{t('totp.step1')}</li>
            <li>{t('totp.step2')}</li>
          </ol>
          <div className="enrol-grid">
            <img
              className="qr"
              src={`data:image/svg+xml;base64,${base64(enrolment.qrSvg)}`}
              alt={t('totp.qrAlt')}
              width={200}
              height={200}
            />
            <div>
              <p>{t('totp.manual')}</p>
              <p>
                <code className="secret" id="totp-secret" data-testid="totp-secret">
                  {enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}
                </code>
              </p>
              <p className="hint">{t('totp.manualHint')}</p>
            </div>
          </div>
          <form onSubmit={submitting(confirm.run)} noValidate>
            <ErrorAlert error={confirm.error} />
            <Field
              id="totp-code"
              className="field-short"
              ref={codeRef}
              label={t('totp.code')}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]*"
              maxLength={8}
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={errorFor(confirm.error, 'code')}
            />
            <div className="actions">
              <Submit busy={confirm.busy}>{t('totp.confirm')}</Submit>
              <button type="button" className="btn btn-ghost" onClick={() => setEnrolment(null)}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        </div>
      )}

      {enabled && !recovery && (
        <>
          <p className="muted">{t('totp.enabledIntro')}</p>
          <form onSubmit={submitting(disable.run)} noValidate aria-labelledby="totp-off-heading">
            <h3 id="totp-off-heading">{t('totp.disableTitle')}</h3>
            <ErrorAlert error={disable.error} />
            <div className="grid-2">
              <Field
                label={t('fields.password')}
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                error={errorFor(disable.error, 'password')}
              />
              <Field
                label={t('totp.codeOrRecovery')}
                autoComplete="one-time-code"
                required
                value={offCode}
                onChange={(e) => setOffCode(e.target.value)}
              />
            </div>
            <div className="actions">
              <button type="submit" className="btn btn-danger" disabled={disable.busy}>
                {t('totp.disable')}
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}

import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { ErrorAlert, errorFor, Field, Notice, Submit } from '../../components/forms.tsx';
import { submitting, useAction } from '../../hooks.ts';
import { languages, setLanguage } from '../../i18n.ts';
import { useSession } from '../../session.tsx';

function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  if (!zones.includes('UTC')) zones = ['UTC', ...zones];
  if (!zones.includes(current)) zones = [current, ...zones];
  return zones;
}

/** Name, language, time zone and OpenPGP key. */
export function DetailsSection() {
  const { t } = useTranslation();
  const { me, refresh } = useSession();
  const user = me?.user;
  const [name, setName] = useState(user?.name ?? '');
  const [locale, setLocale] = useState(user?.locale ?? 'en');
  const [timeZone, setTimeZone] = useState(user?.timeZone ?? 'UTC');
  const [pgp, setPgp] = useState(user?.pgpPublicKey ?? '');
  const [saved, setSaved] = useState(false);
  // The language switcher in the top bar saves the locale too: follow it.
  useEffect(() => {
    if (user?.locale) setLocale(user.locale);
  }, [user?.locale]);
  const zones = useMemo(() => timeZones(user?.timeZone ?? 'UTC'), [user?.timeZone]);

  const save = useAction(async (removeKey: boolean) => {
    setSaved(false);
    const key = removeKey ? null : pgp.trim() === '' ? null : pgp.trim();
    await api.updateMe({ name: name.trim(), locale, timeZone, pgpPublicKey: key });
    if (removeKey) setPgp('');
    setLanguage(locale);
    await refresh();
    setSaved(true);
  });

  if (!user) return null;
  return (
    <section className="card" aria-labelledby="details-heading" id="details">
      <h2 id="details-heading">{t('profile.details')}</h2>
      <form onSubmit={submitting(() => save.run(false))} noValidate>
        <ErrorAlert error={save.error} />
        {saved && <Notice>{t('profile.saved')}</Notice>}
        <div className="grid-2">
          <Field label={t('fields.email')} value={user.email} readOnly hint={t('profile.emailHint')} />
          <Field
            label={t('fields.name')}
            autoComplete="name"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errorFor(save.error, 'name')}
          />
          <div className="field">
            <label htmlFor="profile-locale">{t('fields.language')}</label>
            <select id="profile-locale" value={locale} onChange={(e) => setLocale(e.target.value)}>
              {languages.map((l) => (
                <option key={l} value={l} lang={l}>
                  {t(`language.${l}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="profile-tz">{t('fields.timeZone')}</label>
            <select id="profile-tz" value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
            {errorFor(save.error, 'timeZone') && <p className="field-error">{errorFor(save.error, 'timeZone')}</p>}
          </div>
        </div>
        <div className="field">
          <label htmlFor="profile-pgp">{t('fields.pgpKey')}</label>
          <textarea
            id="profile-pgp"
            rows={6}
            spellCheck={false}
            className="mono"
            placeholder="-----BEGIN PGP PUBLIC KEY BLOCK-----"
            value={pgp}
            onChange={(e) => setPgp(e.target.value)}
            aria-describedby="profile-pgp-hint"
            aria-invalid={errorFor(save.error, 'pgpPublicKey') ? true : undefined}
          />
          <p className="hint" id="profile-pgp-hint">
            {user.pgpFingerprint
              ? t('profile.pgpFingerprint', { fingerprint: user.pgpFingerprint })
              : t('profile.pgpHint')}
          </p>
          {errorFor(save.error, 'pgpPublicKey') && (
            <p className="field-error">{errorFor(save.error, 'pgpPublicKey')}</p>
          )}
        </div>
        <div className="actions">
          <Submit busy={save.busy}>{t('common.save')}</Submit>
          {user.pgpPublicKey && (
            <button type="button" className="btn" disabled={save.busy} onClick={() => void save.run(true)}>
              {t('profile.removeKey')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

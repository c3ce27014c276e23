import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Settings } from '../../api.ts';
import { ErrorAlert, Notice, Submit } from '../../components/forms.tsx';
import { submitting, useAction, useTitle } from '../../hooks.ts';
import { useSession } from '../../session.tsx';
import { InstanceKeySection } from './InstanceKeySection.tsx';

export function SettingsPage() {
  const { t } = useTranslation();
  useTitle(t('settings.title'));
  const { can } = useSession();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [require2fa, setRequire2fa] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const editable = can('settings:update');

  useEffect(() => {
    api.settings().then((s) => {
      setSettings(s);
      setRequire2fa(s.require2faForStaff);
    }, setLoadError);
  }, []);

  const save = useAction(async () => {
    setSaved(false);
    const s = await api.updateSettings({ require2faForStaff: require2fa });
    setSettings(s);
    setRequire2fa(s.require2faForStaff);
    setSaved(true);
  });

  return (
    <>
      <h1>{t('settings.title')}</h1>
      <ErrorAlert error={loadError} />
      {settings && (
        <section className="card" aria-labelledby="security-heading">
          <h2 id="security-heading">{t('settings.security')}</h2>
          <form onSubmit={submitting(save.run)} noValidate>
            <ErrorAlert error={save.error} />
            {saved && <Notice>{t('settings.saved')}</Notice>}
            <div className="check">
              <input
                id="require-2fa"
                type="checkbox"
                checked={require2fa}
                disabled={!editable}
                onChange={(e) => setRequire2fa(e.target.checked)}
                aria-describedby="require-2fa-hint"
              />
              <label htmlFor="require-2fa">{t('settings.require2fa')}</label>
            </div>
            <p className="hint" id="require-2fa-hint">
              {t('settings.require2faHint')}
            </p>
            {editable ? (
              <div className="actions">
                <Submit busy={save.busy}>{t('common.save')}</Submit>
              </div>
            ) : (
              <p className="muted">{t('settings.readOnly')}</p>
            )}
          </form>
        </section>
      )}
      <InstanceKeySection />
    </>
  );
}

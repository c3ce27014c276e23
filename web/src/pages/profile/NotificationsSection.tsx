import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, errorFor, Notice, SelectField, Submit } from '../../components/forms.tsx';
import { submitting, useAction, useResource } from '../../hooks.ts';
import {
  type ContentMode,
  type DeliveryMode,
  type NotificationKind,
  notificationsApi,
  type Preferences,
} from '../../notificationsApi.ts';
import { useSession } from '../../session.tsx';

/**
 * How the user hears of case activity: per kind at once, in a daily digest, or not at all (not
 * for official notices), and whether mail carries the content encrypted to their OpenPGP key or
 * only a notice with a link. Nothing embargoed is ever mailed in clear text.
 */
export function NotificationsSection() {
  const { t } = useTranslation();
  const { me } = useSession();
  // Reloaded when the key on the profile changes: encrypted content depends on it.
  const prefs = useResource(() => notificationsApi.preferences(), me?.user.pgpFingerprint ?? 'no-key');
  const [draft, setDraft] = useState<Pick<Preferences, 'contentMode' | 'kinds'> | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (prefs.data) setDraft({ contentMode: prefs.data.contentMode, kinds: prefs.data.kinds });
  }, [prefs.data]);

  const save = useAction(async () => {
    if (!draft || !prefs.data) return;
    setSaved(false);
    const next = await notificationsApi.setPreferences({
      // Encrypted content without a key is refused; the notice is what such mail becomes anyway.
      ...(draft.contentMode !== prefs.data.contentMode ? { contentMode: draft.contentMode } : {}),
      kinds: draft.kinds,
    });
    prefs.setData(next);
    setSaved(true);
  });

  const p = prefs.data;
  return (
    <section className="card" aria-labelledby="notifications-heading" id="notifications">
      <h2 id="notifications-heading">{t('notifications.title')}</h2>
      <p className="muted">{t('notifications.intro')}</p>
      <ErrorAlert error={prefs.error} />
      {p && draft && (
        <form onSubmit={submitting(save.run)} noValidate>
          <ErrorAlert error={save.error} />
          <div aria-live="polite">{saved && <Notice>{t('notifications.saved')}</Notice>}</div>
          <fieldset className="field" aria-describedby="notifications-content-hint">
            <legend>{t('notifications.contentMode')}</legend>
            {p.available.contentModes.map((m: ContentMode) => {
              const disabled = m === 'encrypted' && !p.hasKey;
              return (
                <div className="check" key={m}>
                  <input
                    type="radio"
                    id={`notifications-content-${m}`}
                    name="notifications-content"
                    value={m}
                    checked={draft.contentMode === m}
                    disabled={disabled}
                    onChange={() => setDraft({ ...draft, contentMode: m })}
                  />
                  <label htmlFor={`notifications-content-${m}`}>{t(`notifications.contentModes.${m}`)}</label>
                </div>
              );
            })}
            <p className="hint" id="notifications-content-hint">
              {p.hasKey ? t('notifications.contentHintKey') : t('notifications.contentHintNoKey')}
            </p>
            {errorFor(save.error, 'contentMode') && (
              <p className="field-error">{errorFor(save.error, 'contentMode')}</p>
            )}
          </fieldset>
          <div className="grid-2">
            {p.available.kinds.map((k: NotificationKind) => {
              const mandatory = p.mandatory.includes(k);
              return (
                <SelectField
                  key={k}
                  id={`notifications-kind-${k}`}
                  label={t(`notifications.kinds.${k}`)}
                  hint={mandatory ? t('notifications.mandatory') : t(`notifications.kindHints.${k}`)}
                  value={draft.kinds[k]}
                  error={errorFor(save.error, `kinds.${k}`)}
                  onChange={(e) =>
                    setDraft({ ...draft, kinds: { ...draft.kinds, [k]: e.target.value as DeliveryMode } })
                  }
                >
                  {p.available.deliveryModes
                    .filter((m) => !(mandatory && m === 'off'))
                    .map((m) => (
                      <option key={m} value={m}>
                        {t(`notifications.modes.${m}`)}
                      </option>
                    ))}
                </SelectField>
              );
            })}
          </div>
          <p className="hint">{t('notifications.digestHint')}</p>
          <div className="actions">
            <Submit busy={save.busy}>{t('common.save')}</Submit>
          </div>
        </form>
      )}
    </section>
  );
}

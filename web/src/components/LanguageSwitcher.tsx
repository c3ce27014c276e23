import { type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { languages, setLanguage } from '../i18n.ts';
import { useSession } from '../session.tsx';

/** Switches the UI language; a signed-in user's choice is saved to their profile. */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  const { me, refresh, enrolmentRequired } = useSession();

  const change = (e: ChangeEvent<HTMLSelectElement>) => {
    const lng = e.target.value;
    setLanguage(lng);
    if (me && !enrolmentRequired && me.user.locale !== lng) {
      api
        .updateMe({ locale: lng })
        .then(() => refresh())
        .catch(() => {
          /* the UI language changed anyway; saving it is a convenience */
        });
    }
  };

  return (
    <div className="langswitch">
      <label htmlFor="language-select" className="visually-hidden">
        {t('language.label')}
      </label>
      <select id="language-select" value={i18n.language} onChange={change}>
        {languages.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`language.${l}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json' with { type: 'json' };
import ja from './locales/ja.json' with { type: 'json' };

export const languages = ['en', 'ja'] as const;
export type Language = (typeof languages)[number];

const STORAGE_KEY = 'accord.lang';

export function isLanguage(value: string | null | undefined): value is Language {
  return (languages as readonly string[]).includes(value ?? '');
}

function initialLanguage(): Language {
  let stored: string | null = null;
  try {
    stored = window.localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  if (isLanguage(stored)) return stored;
  return navigator.language.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** Keeps <html lang> and the remembered choice in step with the UI language. */
i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
  try {
    window.localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    /* storage may be disabled; the choice then lasts for this page only */
  }
});

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ja: { translation: ja } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  supportedLngs: [...languages],
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = i18n.language;

export function setLanguage(lng: string): void {
  if (isLanguage(lng) && i18n.language !== lng) void i18n.changeLanguage(lng);
}

export default i18n;

import { validation } from '../core/errors.ts';

/** Pure validation of user fields; messages name the field and say what to do. */
export const locales = ['en', 'ja'] as const;
export type Locale = (typeof locales)[number];

const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;

export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) {
    throw validation(`"${raw.slice(0, 80)}" is not an e-mail address; use the form name@example.org`, {
      field: 'email',
    });
  }
  return email;
}

export function checkName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > 200) {
    throw validation('the name must be 1 to 200 characters', { field: 'name' });
  }
  if (/\p{Cc}/u.test(name)) {
    throw validation('the name must not contain control characters', { field: 'name' });
  }
  return name;
}

export function checkLocale(raw: string): Locale {
  if ((locales as readonly string[]).includes(raw)) return raw as Locale;
  throw validation(`locale "${raw}" is not supported; use one of ${locales.join(', ')}`, { field: 'locale' });
}

export function checkTimeZone(raw: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
  } catch {
    throw validation(`"${raw}" is not an IANA time zone; use a name like Europe/Paris or Asia/Tokyo`, {
      field: 'timeZone',
    });
  }
}

import type { TFunction } from 'i18next';
import type { Finder } from '../../reportsApi.ts';

/** How a finder is named in lists and headings: name, else handle, else e-mail, else "Unnamed finder". */
export function finderLabel(f: Pick<Finder, 'name' | 'handle' | 'email'>, t: TFunction): string {
  return f.name ?? f.handle ?? f.email ?? t('finders.unnamed');
}

import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Every string of the web UI exists in English and in Japanese (same keys, nothing empty). */
function keys(value: unknown, prefix = ''): string[] {
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

describe('web UI locales', () => {
  const read = (lang: string) => JSON.parse(fs.readFileSync(`web/src/locales/${lang}.json`, 'utf8')) as unknown;
  it('English and Japanese have the same keys, none empty', () => {
    const en = read('en');
    const ja = read('ja');
    expect(keys(ja).sort()).toEqual(keys(en).sort());
    const empty = (v: unknown): boolean =>
      typeof v === 'string' ? v.trim() === '' : Object.values(v as Record<string, unknown>).some(empty);
    expect(empty(en)).toBe(false);
    expect(empty(ja)).toBe(false);
  });
});

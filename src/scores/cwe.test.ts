import { describe, expect, it } from 'vitest';
import catalogue from './cwe-catalogue.json' with { type: 'json' };
import { CWE_CATALOGUE, lookupCwe, searchCwe, validateCwe } from './cwe.ts';

describe('CWE catalogue data', () => {
  it('holds a whole CWE release with its attribution', () => {
    expect(CWE_CATALOGUE.version).toMatch(/^\d+\.\d+$/);
    expect(CWE_CATALOGUE.entries).toBe(catalogue.entries.length);
    expect(CWE_CATALOGUE.entries).toBeGreaterThan(1000);
    expect(CWE_CATALOGUE.copyright).toContain('The MITRE Corporation');
    expect(CWE_CATALOGUE.license).toContain('CWE Terms of Use');
  });

  it('lists each id once, in order', () => {
    const ids = catalogue.entries.map((row) => row[0]);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => Number(a) - Number(b)));
  });

  it('has weaknesses, categories and views', () => {
    expect(lookupCwe(79)?.kind).toBe('weakness');
    expect(lookupCwe(16)?.kind).toBe('category');
    expect(lookupCwe(1000)?.kind).toBe('view');
  });
});

describe('lookupCwe', () => {
  it.each([79, '79', 'CWE-79', 'cwe-79', ' CWE 79 ', 'CWE_79', 'CWE-079'])('finds CWE-79 from %j', (input) => {
    expect(lookupCwe(input)).toEqual({
      id: 'CWE-79',
      number: 79,
      name: "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
      kind: 'weakness',
      status: 'Stable',
      usage: 'Allowed',
      abstraction: 'Base',
    });
  });

  it.each([99999, 'CWE-99999', 'CWE-0', 0, -79, 7.9, 'CWE-', 'CWE79x', 'XSS', '', 'NVD-CWE-noinfo'])(
    'gives null for %j',
    (input) => {
      expect(lookupCwe(input)).toBeNull();
    },
  );

  it('gives the mapping status of deprecated entries and categories', () => {
    expect(lookupCwe('CWE-1')).toMatchObject({ status: 'Deprecated', usage: 'Prohibited', kind: 'category' });
    expect(lookupCwe('CWE-16')).toMatchObject({ name: 'Configuration', usage: 'Prohibited', abstraction: null });
    expect(lookupCwe('CWE-20')).toMatchObject({ name: 'Improper Input Validation', usage: 'Discouraged' });
  });
});

describe('validateCwe', () => {
  it('normalizes the id', () => {
    const result = validateCwe(' cwe-89 ');
    expect(result).toMatchObject({ ok: true, id: 'CWE-89', entry: { number: 89 } });
    expect(result).not.toHaveProperty('warning');
    expect(validateCwe(352)).toMatchObject({ ok: true, id: 'CWE-352' });
  });

  it.each([
    ['CWE-99999', 'CWE-99999 is not in the CWE catalogue (version 4.15)'],
    ['99999', 'CWE-99999 is not in the CWE catalogue (version 4.15)'],
    ['XSS', '"XSS" is not a CWE id: write CWE-<number>, e.g. CWE-79'],
    ['CWE-79/CWE-80', '"CWE-79/CWE-80" is not a CWE id: write CWE-<number>, e.g. CWE-79'],
    ['', '"" is not a CWE id: write CWE-<number>, e.g. CWE-79'],
    [0, '"0" is not a CWE id: write CWE-<number>, e.g. CWE-79'],
    ['NVD-CWE-noinfo', 'NVD-CWE-noinfo is an NVD placeholder, not a CWE entry: give a CWE id such as CWE-79'],
    ['NVD-CWE-Other', 'NVD-CWE-Other is an NVD placeholder, not a CWE entry: give a CWE id such as CWE-79'],
  ] as const)('refuses %j: %s', (input, error) => {
    expect(validateCwe(input)).toEqual({ ok: false, error: error.replace('4.15', CWE_CATALOGUE.version) });
  });

  it.each([
    ['CWE-1', 'CWE-1 (DEPRECATED: Location) is deprecated: MITRE prohibits mapping vulnerabilities to it'],
    ['CWE-16', 'CWE-16 (Configuration) is a category, not a weakness: MITRE prohibits mapping vulnerabilities to it'],
    [
      'CWE-1000',
      'CWE-1000 (Research Concepts) is a view, not a weakness: MITRE prohibits mapping vulnerabilities to it',
    ],
    [
      'CWE-20',
      'CWE-20 (Improper Input Validation): MITRE discourages mapping vulnerabilities to it; prefer a more specific weakness',
    ],
  ])('accepts %s with a warning', (input, warning) => {
    expect(validateCwe(input)).toMatchObject({ ok: true, id: input, warning });
  });
});

describe('searchCwe', () => {
  it('puts the exact id first, then ids starting with it', () => {
    const ids = searchCwe('CWE-79', 5).map((e) => e.id);
    expect(ids[0]).toBe('CWE-79');
    expect(ids.slice(1).every((id) => id.startsWith('CWE-79'))).toBe(true);
    expect(searchCwe('79', 1).map((e) => e.id)).toEqual(['CWE-79']);
  });

  it('finds entries by words of their name, whatever the case', () => {
    const ids = searchCwe('SQL injection').map((e) => e.id);
    expect(ids).toContain('CWE-89');
    expect(searchCwe('cross-site scripting', 50).map((e) => e.id)).toContain('CWE-79');
    expect(searchCwe('injection command os', 50).map((e) => e.id)).toContain('CWE-78');
  });

  it('prefers entries allowed for mapping and can leave the prohibited ones out', () => {
    const all = searchCwe('cross-site scripting', 100);
    const usages = all.map((e) => e.usage);
    expect(usages.indexOf('Prohibited')).toBeGreaterThan(usages.lastIndexOf('Allowed'));
    const mappable = searchCwe('cross-site scripting', 100, { mappableOnly: true });
    expect(mappable.length).toBeGreaterThan(0);
    expect(mappable.every((e) => e.usage !== 'Prohibited')).toBe(true);
  });

  it('respects the limit and answers nothing to an empty query', () => {
    expect(searchCwe('improper', 7)).toHaveLength(7);
    expect(searchCwe('improper', 1000).length).toBeLessThanOrEqual(100);
    expect(searchCwe('   ')).toEqual([]);
    expect(searchCwe('improper', 0)).toEqual([]);
    expect(searchCwe('no such weakness name at all')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { toCsaf } from '../csaf.ts';
import { toOsv } from '../osv.ts';
import { sampleAdvisory } from '../sample.ts';
import { fromCsaf } from './csaf.ts';
import { fromOsv } from './osv.ts';

/** Imports: OSV ranges and CSAF product_version_range (vers) become the statement's affected range. */
describe('affected ranges from imported documents', () => {
  const osv = (affected: object[]) => ({
    schema_version: '1.6.0',
    id: 'GHSA-aaaa-bbbb-cccc',
    modified: '2026-11-01T00:00:00Z',
    summary: 'Prototype pollution',
    affected,
  });

  it('reads OSV SEMVER and ECOSYSTEM events of ecosystems we compare as a canonical vers', () => {
    const doc = fromOsv(
      osv([
        {
          package: { ecosystem: 'npm', name: 'acme-merge' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { fixed: '1.4.2' }] }],
        },
        {
          package: { ecosystem: 'PyPI', name: 'acme' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '2.1' }] }],
        },
        { package: { ecosystem: 'Maven', name: 'com.acme:core' }, versions: ['1.0-RC1', '1.0'] },
        {
          package: { ecosystem: 'Go', name: 'example.com/acme' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.0' }] }],
        },
        {
          package: { ecosystem: 'PyPI', name: 'broken' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: 'not a version!' }] }],
        },
      ]),
    );
    expect(doc.statements.map((s) => [s.status, s.affectedRange])).toEqual([
      ['fixed', 'vers:npm/>=1.0.0|<1.4.2'],
      ['affected', 'vers:pypi/<=2.1'],
      ['affected', 'vers:maven/1.0-RC1|1.0'],
      ['fixed', null], // Go: versions we do not compare
      ['affected', null],
    ]);
    expect(doc.unmapped).toContainEqual({
      path: '/affected/4/ranges',
      reason: expect.stringContaining('"not a version!" is not a PEP 440 version'),
    });
  });

  it('round-trips our own OSV and CSAF exports: the range comes back as exported', () => {
    const sample = sampleAdvisory();
    const product = sample.content.products[0]!;
    product.version = 'vers:npm/>=4.0.0|<4.2.1';
    const affected = sample.content.vulnerabilities[0]!.statuses.find((s) => s.productId === product.id);
    affected!.status = 'known_affected';
    const fromOurOsv = fromOsv(toOsv(sample, sample.content.vulnerabilities[0]!));
    expect(fromOurOsv.statements.find((s) => s.affectedRange)?.affectedRange).toBe('vers:npm/>=4.0.0|<4.2.1');
    const csaf = toCsaf(sample);
    const fromOurCsaf = fromCsaf(csaf);
    const st = fromOurCsaf.statements.find((s) => s.product === product.id && s.status === 'affected');
    expect(st?.affectedRange).toBe('vers:npm/>=4.0.0|<4.2.1');
  });

  it('reports a CSAF product_version_range it cannot read instead of guessing', () => {
    const sample = sampleAdvisory();
    const product = sample.content.products[0]!;
    product.version = 'vers:npm/>=4.0.0|<4.2.1';
    sample.content.vulnerabilities[0]!.statuses.find((s) => s.productId === product.id)!.status = 'known_affected';
    const csaf = toCsaf(sample) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const json = JSON.stringify(csaf).replaceAll('vers:npm/>=4.0.0|<4.2.1', 'vers:npm/>=4.0.0|<four');
    const doc = fromCsaf(JSON.parse(json));
    expect(doc.statements.find((s) => s.product === product.id)?.affectedRange).toBeNull();
    expect(doc.unmapped.some((u) => u.reason.includes('"four" is not a semantic version'))).toBe(true);
  });
});

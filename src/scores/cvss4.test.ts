import ae from 'ae-cvss-calculator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cvssMetricDefinitions } from './cvss-metrics.ts';
import { cvss4MacroVector, cvss4Score } from './cvss4.ts';

/**
 * cvss4.ts against ae-cvss-calculator, which reproduces FIRST's calculator (the conformance corpus itself is scored
 * through parseCvss in cvss.test.ts): a regular sample of all 104,976 base vectors, and random vectors with threat,
 * environmental and supplemental metrics.
 */
const definitions = cvssMetricDefinitions('4.0');
const base = definitions.filter((d) => d.group === 'base');

function baseVector(n: number): string {
  const parts: string[] = [];
  for (const d of [...base].reverse()) {
    const values = d.values.filter((v) => v !== 'X');
    parts.unshift(`${d.key}:${values[n % values.length] ?? ''}`);
    n = Math.floor(n / values.length);
  }
  return `CVSS:4.0/${parts.join('/')}`;
}

const metricsOf = (vector: string) =>
  Object.fromEntries(
    vector
      .split('/')
      .slice(1)
      .map((p) => p.split(':') as [string, string]),
  );
const reference = (vector: string) => new ae.Cvss4P0(vector).calculateScores().overall;

describe('cvss4Score', () => {
  it('has 104,976 base vectors and scores a regular sample of them as ae-cvss-calculator does', () => {
    const count = base.reduce((n, d) => n * d.values.filter((v) => v !== 'X').length, 1);
    expect(count).toBe(104_976);
    const wrong: string[] = [];
    for (let n = 0; n < count; n += 37) {
      const vector = baseVector(n);
      const [ours, theirs] = [cvss4Score(metricsOf(vector)), reference(vector)];
      if (ours !== theirs) wrong.push(`${vector}: ${ours}, expected ${theirs}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('scores random vectors with threat, environmental and supplemental metrics as ae-cvss-calculator does', () => {
    const metric = (d: (typeof definitions)[number]) =>
      d.group === 'base'
        ? fc.constantFrom(...d.values.filter((v) => v !== 'X')).map((v) => `${d.key}:${v}`)
        : fc.constantFrom(...d.values).map((v) => `${d.key}:${v}`);
    fc.assert(
      fc.property(fc.tuple(...definitions.map(metric)), (parts) => {
        const vector = `CVSS:4.0/${parts.join('/')}`;
        expect(cvss4Score(metricsOf(vector))).toBe(reference(vector));
      }),
      { numRuns: 1500 },
    );
  }, 120_000);

  it('gives the MacroVector of the specification examples', () => {
    expect(
      cvss4MacroVector(metricsOf('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H')).join(''),
    ).toBe('000100');
    expect(
      cvss4MacroVector(metricsOf('CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N/E:U/CR:L')).join(''),
    ).toBe('212221');
    expect(cvss4Score(metricsOf('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N'))).toBe(0);
  });
});

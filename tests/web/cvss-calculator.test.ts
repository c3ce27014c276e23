import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCvss } from '../../src/scores/cvss.ts';
import { cvssMetricDefinitions } from '../../src/scores/cvss-metrics.ts';
import {
  type CvssCalculatorVersion,
  cvssMetrics,
  readVector,
  setMetric,
} from '../../web/src/components/CvssCalculator.tsx';

/**
 * The calculator widget keeps its own copy of the CVSS metric tables (the web UI does not import
 * `src/`): it must match the server's, metric by metric and value by value, and every vector it
 * writes must be the server's normalized form of itself.
 */
const versions: CvssCalculatorVersion[] = ['3.1', '4.0'];

describe('CVSS calculator widget', () => {
  for (const version of versions) {
    it(`has the server's CVSS ${version} metrics, groups and values, in specification order`, () => {
      const ours = cvssMetrics(version).map((m) => ({ key: m.key, group: m.group, values: m.values.map(([k]) => k) }));
      const theirs = cvssMetricDefinitions(version).map((d) => ({ key: d.key, group: d.group, values: [...d.values] }));
      expect(ours).toEqual(theirs);
    });

    it(`writes normalized CVSS ${version} vectors whatever the order of choices`, () => {
      const metrics = cvssMetrics(version);
      const choice = fc.tuple(
        ...metrics.map((m) => fc.constantFrom(...m.values.map(([k]) => k)).map((value) => [m.key, value] as const)),
      );
      fc.assert(
        fc.property(choice, fc.func(fc.integer()), (choices, order) => {
          const shuffled = [...choices].sort((a, b) => order(a[0]) - order(b[0]));
          let vector = '';
          for (const [key, value] of shuffled) vector = setMetric(version, vector, key, value);
          const parsed = parseCvss(vector);
          expect(parsed.ok).toBe(true);
          if (parsed.ok) expect(parsed.vector).toBe(vector);
          const read = readVector(vector);
          for (const [key, value] of choices) expect(read.get(key) ?? 'X').toBe(value);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('reads what is typed, and choosing a value replaces a bad one', () => {
    const typed = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q';
    expect(readVector(typed).get('A')).toBe('Q');
    const fixed = setMetric('3.1', typed, 'A', 'H');
    expect(fixed).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    expect(parseCvss(fixed)).toMatchObject({ ok: true, score: 9.8, severity: 'CRITICAL' });
    // An unknown metric is dropped; Not Defined is left out.
    expect(setMetric('3.1', 'CVSS:3.1/AV:N/ZZ:1', 'E', 'X')).toBe('CVSS:3.1/AV:N');
    // Starting from nothing, or from another version's vector, gives this version's prefix.
    expect(setMetric('4.0', '', 'AV', 'L')).toBe('CVSS:4.0/AV:L');
  });
});

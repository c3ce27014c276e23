import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CvssResult, type CvssVersion, cvssMetricDefinitions, cvssSeverity, parseCvss } from './cvss.ts';

/**
 * Scores are checked against the CVSS conformance corpus (ACCORD_CONFORMANCE_DIR, default ../shared/testdata):
 * `cvss/vectors/*`, one `VECTOR - (base, temporal, environmental)` line per CVSS 3.x vector and
 * `VECTOR - (score,)` or `VECTOR - score` per CVSS 4.0 vector. CVSS 2.0 lines are skipped: Accord does not
 * accept CVSS 2.0.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const vectorsDir = path.resolve(repoRoot, process.env.ACCORD_CONFORMANCE_DIR ?? '../shared/testdata', 'cvss/vectors');
const corpusPresent = fs.existsSync(vectorsDir);
if (!corpusPresent) console.log(`CVSS conformance vectors not found at ${vectorsDir}: skipping the corpus tests`);

interface CorpusLine {
  vector: string;
  expected: number[];
}

function readCorpusFile(file: string): { lines: CorpusLine[]; cvss2: number } {
  const lines: CorpusLine[] = [];
  let cvss2 = 0;
  for (const raw of fs.readFileSync(path.join(vectorsDir, file), 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const [vector = '', result = ''] = line.split(' - ');
    if (!/^CVSS:(3\.[01]|4\.0)\//.test(vector)) {
      cvss2++;
      continue;
    }
    const expected = result
      .replace(/[()]/g, '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(Number);
    if (expected.length === 0 || expected.some((n) => !Number.isFinite(n)))
      throw new Error(`${file}: cannot read "${line}"`);
    lines.push({ vector, expected });
  }
  return { lines, cvss2 };
}

function scoresOf(result: CvssResult): number[] {
  return result.version === '4.0'
    ? [result.score]
    : [result.scores.base, result.scores.temporal, result.scores.environmental];
}

const corpus = (corpusPresent ? fs.readdirSync(vectorsDir).sort() : []).map((file) => ({
  file,
  ...readCorpusFile(file),
}));
const cvss2Only = corpus.filter((c) => c.lines.length === 0).map((c) => c.file);
const scored = corpus.filter((c) => c.lines.length > 0);
const cvss2Lines = corpus.reduce((sum, c) => sum + c.cvss2, 0);
if (cvss2Lines > 0)
  console.log(`CVSS corpus: skipping ${cvss2Lines} CVSS 2.0 line(s), Accord does not accept CVSS 2.0`);

describe.skipIf(!corpusPresent)('CVSS conformance corpus', () => {
  it.skip.each(cvss2Only)('%s: CVSS 2.0 only, not supported', () => {});

  it.each(scored)('$file: every CVSS 3.0, 3.1 and 4.0 line gives the listed scores', ({ lines }) => {
    const mismatches: string[] = [];
    for (const { vector, expected } of lines) {
      const result = parseCvss(vector);
      if (!result.ok) {
        mismatches.push(`${vector}: refused: ${result.error}`);
        continue;
      }
      const got = scoresOf(result).slice(0, expected.length);
      if (got.join() !== expected.join())
        mismatches.push(`${vector}: expected ${expected.join(', ')}, got ${got.join(', ')}`);
      const again = parseCvss(result.vector);
      if (!again.ok || again.vector !== result.vector || scoresOf(again).join() !== scoresOf(result).join()) {
        mismatches.push(`${vector}: normalized vector ${result.vector} does not give the same result`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('holds CVSS 3.0, 3.1 and 4.0 vectors', () => {
    const versions = new Set(scored.flatMap((c) => c.lines.map((l) => l.vector.slice(5, 8))));
    expect([...versions].sort()).toEqual(['3.0', '3.1', '4.0']);
  });
});

describe('parseCvss: results', () => {
  it('scores a CVSS 3.1 vector and always gives temporal and environmental scores, as FIRST does', () => {
    const result = parseCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H');
    expect(result).toMatchObject({
      ok: true,
      version: '3.1',
      score: 9.6,
      severity: 'CRITICAL',
      groups: ['base'],
      // 3.1's environmental formula differs from the base one when the scope changes.
      scores: { base: 9.6, temporal: 9.6, environmental: 9.7 },
    });
  });

  it('applies the CVSS 3.1 Roundup to temporal scores', () => {
    // 6.4 × 0.97 × 0.96 × 0.96 = 5.72... → 5.8
    const result = parseCvss('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N/E:F/RL:T/RC:R');
    expect(result).toMatchObject({
      ok: true,
      scores: { base: 6.4, temporal: 5.8 },
      severities: { temporal: 'MEDIUM' },
    });
  });

  it('names a CVSS 4.0 score after the metric groups of the vector and gives the smaller combinations', () => {
    const base = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N';
    expect(parseCvss(base)).toMatchObject({
      nomenclature: 'CVSS-B',
      score: 9.3,
      severity: 'CRITICAL',
      scores: { 'CVSS-B': 9.3 },
    });
    expect(parseCvss(`${base}/E:U`)).toMatchObject({
      nomenclature: 'CVSS-BT',
      score: 8,
      scores: { 'CVSS-B': 9.3, 'CVSS-BT': 8 },
    });
    const bte = parseCvss(`${base}/E:U/CR:L/MAV:A/U:Red`);
    expect(bte).toMatchObject({
      ok: true,
      nomenclature: 'CVSS-BTE',
      score: 6.1,
      severity: 'MEDIUM',
      groups: ['base', 'threat', 'environmental', 'supplemental'],
      scores: { 'CVSS-B': 9.3, 'CVSS-BT': 8, 'CVSS-BE': 8.6, 'CVSS-BTE': 6.1 },
    });
  });

  it('does not let supplemental metrics change a CVSS 4.0 score', () => {
    const result = parseCvss(
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/S:P/AU:Y/R:I/V:C/RE:H/U:Red',
    );
    expect(result).toMatchObject({ nomenclature: 'CVSS-B', score: 9.3, groups: ['base', 'supplemental'] });
  });

  it('scores a vector with no impact 0.0, severity NONE', () => {
    expect(parseCvss('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N')).toMatchObject({ score: 0, severity: 'NONE' });
    expect(parseCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N')).toMatchObject({
      score: 0,
      severity: 'NONE',
    });
  });
});

describe('parseCvss: normalization', () => {
  it.each([
    ['CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X', 'CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N/E:F'],
    [
      '  CVSS:3.1/MAV:L/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N/CR:X  ',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:L',
    ],
    [
      'CVSS:4.0/U:Amber/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/MSI:S',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSI:S/U:Amber',
    ],
  ])('%s → %s', (input, normalized) => {
    const result = parseCvss(input);
    expect(result.ok && result.vector).toBe(normalized);
  });

  it('keeps the version given (a 3.0 vector is not turned into 3.1)', () => {
    expect(parseCvss('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toMatchObject({ version: '3.0', score: 9.8 });
  });

  it('gives the same vector and scores whatever the order of the metrics and the Not Defined ones', () => {
    const vectors = (version: CvssVersion) => {
      const metrics = cvssMetricDefinitions(version).map((d) =>
        d.group === 'base'
          ? fc.constantFrom(...d.values).map((v) => [`${d.key}:${v}`])
          : fc
              .option(fc.constantFrom(...d.values), { nil: undefined })
              .map((v) => (v === undefined ? [] : [`${d.key}:${v}`])),
      );
      return fc
        .tuple(...metrics)
        .chain((parts) => fc.shuffledSubarray(parts.flat(), { minLength: parts.flat().length }));
    };
    for (const version of ['3.0', '3.1', '4.0'] as const) {
      fc.assert(
        fc.property(vectors(version), (parts) => {
          const shuffled = parseCvss(`CVSS:${version}/${parts.join('/')}`);
          if (!shuffled.ok) throw new Error(shuffled.error);
          const ordered = parseCvss(shuffled.vector);
          expect(ordered).toEqual(shuffled);
          expect(shuffled.vector).not.toMatch(/:X(\/|$)/);
          expect(shuffled.score).toBeGreaterThanOrEqual(0);
          expect(shuffled.score).toBeLessThanOrEqual(10);
        }),
        { numRuns: 150 },
      );
    }
  });
});

describe('parseCvss: invalid vectors', () => {
  it.each([
    ['', 'the CVSS vector is empty'],
    ['   ', 'the CVSS vector is empty'],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 'CVSS 2.0 vectors are not supported: give a CVSS 3.0, 3.1 or 4.0 vector'],
    ['(AV:N/AC:L/Au:N/C:P/I:P/A:P)', 'CVSS 2.0 vectors are not supported: give a CVSS 3.0, 3.1 or 4.0 vector'],
    [
      'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'a CVSS vector starts with "CVSS:3.0/", "CVSS:3.1/" or "CVSS:4.0/", not "AV:N/AC:L/PR"',
    ],
    ['cvss:3.1/AV:N', 'a CVSS vector starts with "CVSS:3.0/", "CVSS:3.1/" or "CVSS:4.0/", not "cvss:3.1/AV:"'],
    ['CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS version "3.2" is not supported: use 3.0, 3.1 or 4.0'],
    ['CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P', 'CVSS version "2.0" is not supported: use 3.0, 3.1 or 4.0'],
    ['CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV (Attack Vector) cannot be "Q" (allowed: N, A, L, P)'],
    ['CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV (Attack Vector) cannot be "X" (allowed: N, A, L, P)'],
    [
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:A',
      'E (Exploit Code Maturity) cannot be "A" (allowed: X, H, F, P, U)',
    ],
    [
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:F',
      'E (Exploit Maturity) cannot be "F" (allowed: X, A, P, U)',
    ],
    [
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:S/SI:N/SA:N',
      'SC (Subsequent System Confidentiality) cannot be "S" (allowed: H, L, N)',
    ],
    [
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red',
      'U (Provider Urgency) cannot be "red" (allowed: X, Clear, Green, Amber, Red)',
    ],
    [
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AT:N',
      'CVSS 3.1 has no metric "AT" (its metrics: AV, AC, PR, UI, S, C, I, A, E, RL, RC, CR, IR, AR, MAV, MAC, MPR, MUI, MS, MC, MI, MA)',
    ],
    [
      'CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'CVSS 3.1 has no metric "av" (metric names are upper case: AV); missing base metric AV (Attack Vector) (CVSS 3.1 requires all 8)',
    ],
    ['CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV (Attack Vector) is given more than once'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/', 'metric 9 is empty (a doubled or trailing "/")'],
    ['CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'metric 2 is empty (a doubled or trailing "/")'],
    [
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/AH',
      '"AH" is not a metric: write NAME:VALUE, e.g. AV:N; missing base metric A (Availability) (CVSS 3.1 requires all 8)',
    ],
    [
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:',
      '"A:" is not a metric: write NAME:VALUE, e.g. AV:N; missing base metric A (Availability) (CVSS 3.1 requires all 8)',
    ],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H', 'missing base metric S (Scope) (CVSS 3.0 requires all 8)'],
    [
      'CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H',
      'missing base metrics AT (Attack Requirements), SC (Subsequent System Confidentiality), SI (Subsequent System Integrity), SA (Subsequent System Availability) (CVSS 4.0 requires all 11)',
    ],
    [
      'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z',
      'AV (Attack Vector) cannot be "Q" (allowed: N, A, L, P); E (Exploit Code Maturity) cannot be "Z" (allowed: X, H, F, P, U)',
    ],
  ])('%j is refused: %s', (input, error) => {
    const result = parseCvss(input);
    expect(result).toEqual({ ok: false, error, problems: error.split('; ') });
  });

  it('refuses a value that is not a string', () => {
    expect(parseCvss(42 as unknown as string)).toMatchObject({ ok: false, error: 'a CVSS vector must be a string' });
  });
});

describe('cvssSeverity', () => {
  it.each([
    [0, 'NONE'],
    [0.1, 'LOW'],
    [3.9, 'LOW'],
    [4, 'MEDIUM'],
    [6.9, 'MEDIUM'],
    [7, 'HIGH'],
    [8.9, 'HIGH'],
    [9, 'CRITICAL'],
    [10, 'CRITICAL'],
  ] as const)('%d is %s', (score, severity) => {
    expect(cvssSeverity(score)).toBe(severity);
  });
});

/**
 * CVSS 4.0 scoring, FIRST's algorithm (CVSS v4.0 specification §8 and FIRST's reference calculator): the vector's
 * MacroVector (EQ1…EQ6 levels) gives a score from FIRST's table (cvss4-lookup.ts); the score is then lowered by
 * the mean, over the EQs that have a next lower MacroVector, of the distance to that MacroVector's score in
 * proportion to how far the vector lies below the EQ's highest-severity vectors.
 *
 * ae-cvss-calculator computes the same scores (the conformance corpus and a comparison over all CVSS 4.0 base
 * vectors are in cvss.test.ts) but builds and parses dozens of vector objects per score, about 0.15–0.5 ms a
 * vector; this works on plain metric values, a few microseconds a vector, so that scoring all 104,976 base vectors
 * takes well under the 2 s the issue sets.
 */
import { cvss4MacroVectorScores } from './cvss4-lookup.ts';

/** Metric key → value as given; missing and `X` metrics are Not Defined. */
export type Cvss4Metrics = Readonly<Record<string, string | undefined>>;

const MODIFIED: Readonly<Record<string, string>> = Object.fromEntries(
  ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'].map((k) => [k, `M${k}`]),
);

/** The value a metric takes in scoring: modified metrics override base ones; E, CR, IR, AR default to worst case. */
function effective(m: Cvss4Metrics, key: string): string {
  const given = m[key];
  if (key === 'E' && (given === undefined || given === 'X')) return 'A';
  if ((key === 'CR' || key === 'IR' || key === 'AR') && (given === undefined || given === 'X')) return 'H';
  const mod = MODIFIED[key];
  const modified = mod === undefined ? undefined : m[mod];
  if (modified !== undefined && modified !== 'X') return modified;
  return given ?? 'X';
}

/** Severity levels in steps of one (FIRST's calculator uses steps of 0.1; integers avoid rounding noise). */
const LEVELS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  AV: { N: 0, A: 1, L: 2, P: 3 },
  PR: { N: 0, L: 1, H: 2 },
  UI: { N: 0, P: 1, A: 2 },
  AC: { L: 0, H: 1 },
  AT: { N: 0, P: 1 },
  VC: { H: 0, L: 1, N: 2 },
  VI: { H: 0, L: 1, N: 2 },
  VA: { H: 0, L: 1, N: 2 },
  SC: { H: 1, L: 2, N: 3 },
  SI: { S: 0, H: 1, L: 2, N: 3 },
  SA: { S: 0, H: 1, L: 2, N: 3 },
  CR: { H: 0, M: 1, L: 2 },
  IR: { H: 0, M: 1, L: 2 },
  AR: { H: 0, M: 1, L: 2 },
};

type Max = Readonly<Record<string, string>>;
const v = (text: string): Max => Object.fromEntries(text.split('/').map((p) => p.split(':') as [string, string]));

/** The highest-severity vectors of each EQ level (FIRST's max_composed). */
const EQ1_MAX: readonly (readonly Max[])[] = [
  [v('AV:N/PR:N/UI:N')],
  [v('AV:A/PR:N/UI:N'), v('AV:N/PR:L/UI:N'), v('AV:N/PR:N/UI:P')],
  [v('AV:P/PR:N/UI:N'), v('AV:A/PR:L/UI:P')],
];
const EQ2_MAX: readonly (readonly Max[])[] = [[v('AC:L/AT:N')], [v('AC:H/AT:N'), v('AC:L/AT:P')]];
/** By EQ3 level then EQ6 level. */
const EQ3_EQ6_MAX: Readonly<Record<string, readonly Max[]>> = {
  '00': [v('VC:H/VI:H/VA:H/CR:H/IR:H/AR:H')],
  '01': [v('VC:H/VI:H/VA:L/CR:M/IR:M/AR:H'), v('VC:H/VI:H/VA:H/CR:M/IR:M/AR:M')],
  '10': [v('VC:L/VI:H/VA:H/CR:H/IR:H/AR:H'), v('VC:H/VI:L/VA:H/CR:H/IR:H/AR:H')],
  '11': [
    v('VC:L/VI:H/VA:L/CR:H/IR:M/AR:H'),
    v('VC:L/VI:H/VA:H/CR:H/IR:M/AR:M'),
    v('VC:H/VI:L/VA:H/CR:M/IR:H/AR:M'),
    v('VC:H/VI:L/VA:L/CR:M/IR:H/AR:H'),
    v('VC:L/VI:L/VA:H/CR:H/IR:H/AR:M'),
  ],
  '21': [v('VC:L/VI:L/VA:L/CR:H/IR:H/AR:H')],
};
const EQ4_MAX: readonly (readonly Max[])[] = [[v('SC:H/SI:S/SA:S')], [v('SC:H/SI:H/SA:H')], [v('SC:L/SI:L/SA:L')]];

/** How many severity steps each EQ level spans (FIRST's max_severity), in the same integer steps as LEVELS. */
const EQ1_DEPTH = [1, 4, 5];
const EQ2_DEPTH = [1, 2];
/** By EQ3 level × 2 + EQ6 level: 00, 01, 10, 11, (20 does not exist), 21. */
const EQ3_EQ6_DEPTH = [7, 6, 8, 8, 0, 10];
const EQ4_DEPTH = [6, 5, 4];

/** The metrics whose distance to the highest-severity vector counts, grouped by EQ: [0, 3) EQ1, [3, 5) EQ2,
 * [5, 11) EQ3 and EQ6, [11, 14) EQ4 (EQ5 has none). */
const DISTANCE_METRICS = ['AV', 'PR', 'UI', 'AC', 'AT', 'VC', 'VI', 'VA', 'CR', 'IR', 'AR', 'SC', 'SI', 'SA'] as const;
/** [first, end) indexes into DISTANCE_METRICS of EQ1, EQ2, EQ3+EQ6 and EQ4. */

/** The six EQ levels of a vector (its MacroVector). */
export function cvss4MacroVector(m: Cvss4Metrics): [number, number, number, number, number, number] {
  const av = effective(m, 'AV');
  const pr = effective(m, 'PR');
  const ui = effective(m, 'UI');
  const eq1 =
    av === 'N' && pr === 'N' && ui === 'N' ? 0 : (av === 'N' || pr === 'N' || ui === 'N') && av !== 'P' ? 1 : 2;
  const eq2 = effective(m, 'AC') === 'L' && effective(m, 'AT') === 'N' ? 0 : 1;
  const vc = effective(m, 'VC');
  const vi = effective(m, 'VI');
  const va = effective(m, 'VA');
  const eq3 = vc === 'H' && vi === 'H' ? 0 : vc === 'H' || vi === 'H' || va === 'H' ? 1 : 2;
  const eq4 =
    m.MSI === 'S' || m.MSA === 'S'
      ? 0
      : effective(m, 'SC') === 'H' || effective(m, 'SI') === 'H' || effective(m, 'SA') === 'H'
        ? 1
        : 2;
  const exploit = effective(m, 'E');
  const eq5 = exploit === 'A' ? 0 : exploit === 'P' ? 1 : 2;
  const eq6 =
    (effective(m, 'CR') === 'H' && vc === 'H') ||
    (effective(m, 'IR') === 'H' && vi === 'H') ||
    (effective(m, 'AR') === 'H' && va === 'H')
      ? 0
      : 1;
  return [eq1, eq2, eq3, eq4, eq5, eq6];
}

/** FIRST's table as an array indexed by the MacroVector's digits (NaN where the table has no entry). */
const RADIX = [3, 2, 3, 3, 3, 2] as const;
const TABLE = new Float64Array(RADIX.reduce((a, b) => a * b, 1)).fill(Number.NaN);
function index(eq1: number, eq2: number, eq3: number, eq4: number, eq5: number, eq6: number): number {
  if (eq1 > 2 || eq2 > 1 || eq3 > 2 || eq4 > 2 || eq5 > 2 || eq6 > 1) return -1;
  return ((((eq1 * 2 + eq2) * 3 + eq3) * 3 + eq4) * 3 + eq5) * 2 + eq6;
}
for (const [key, score] of Object.entries(cvss4MacroVectorScores)) {
  const d = [...key].map(Number);
  TABLE[index(d[0] ?? 9, d[1] ?? 9, d[2] ?? 9, d[3] ?? 9, d[4] ?? 9, d[5] ?? 9)] = score;
}
function lookup(eq1: number, eq2: number, eq3: number, eq4: number, eq5: number, eq6: number): number {
  const i = index(eq1, eq2, eq3, eq4, eq5, eq6);
  return i < 0 ? Number.NaN : (TABLE[i] ?? Number.NaN);
}

/** The highest-severity vectors of a MacroVector (EQ5 aside), as levels in DISTANCE_METRICS order, in FIRST's order. */
const maxVectorCache: (readonly Int8Array[] | undefined)[] = [];
function maxVectors(eq1: number, eq2: number, eq3: number, eq4: number, eq6: number): readonly Int8Array[] {
  const key = (((eq1 * 2 + eq2) * 3 + eq3) * 3 + eq4) * 2 + eq6;
  let list = maxVectorCache[key];
  if (list === undefined) {
    const out: Int8Array[] = [];
    for (const a of EQ1_MAX[eq1] ?? [])
      for (const b of EQ2_MAX[eq2] ?? [])
        for (const c of EQ3_EQ6_MAX[`${eq3}${eq6}`] ?? [])
          for (const d of EQ4_MAX[eq4] ?? []) {
            const max: Max = { ...a, ...b, ...c, ...d };
            out.push(Int8Array.from(DISTANCE_METRICS, (k) => LEVELS[k]?.[max[k] ?? ''] ?? 0));
          }
    list = out;
    maxVectorCache[key] = list;
  }
  return list;
}

const current = new Int8Array(DISTANCE_METRICS.length);

/** The summed distance of metrics [from, to) below the chosen highest-severity vector. */
function distance(chosen: Int8Array | undefined, from: number, to: number): number {
  if (chosen === undefined) return 0;
  let d = 0;
  for (let i = from; i < to; i++) d += (current[i] ?? 0) - (chosen[i] ?? 0);
  return d;
}

/** How much one EQ lowers the score; NaN when the EQ has no next lower MacroVector. */
function lowering(value: number, next: number, dist: number, depth: number): number {
  const available = value - next;
  if (Number.isNaN(available) || depth === 0) return Number.NaN;
  return (dist / depth) * available;
}

/**
 * The CVSS 4.0 score of a vector given as metric values (base metrics required; others optional). Which score this
 * is (CVSS-B, -BT, -BE, -BTE) depends on the metric groups passed in.
 */
export function cvss4Score(m: Cvss4Metrics): number {
  if (
    effective(m, 'VC') === 'N' &&
    effective(m, 'VI') === 'N' &&
    effective(m, 'VA') === 'N' &&
    effective(m, 'SC') === 'N' &&
    effective(m, 'SI') === 'N' &&
    effective(m, 'SA') === 'N'
  ) {
    return 0;
  }
  const [eq1, eq2, eq3, eq4, eq5, eq6] = cvss4MacroVector(m);
  const value = lookup(eq1, eq2, eq3, eq4, eq5, eq6);

  // The score of the next lower MacroVector of each EQ; EQ3 and EQ6 move together.
  const nextEq1 = lookup(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
  const nextEq2 = lookup(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
  let nextEq3Eq6: number;
  if (eq6 === 1 && eq3 <= 1) nextEq3Eq6 = lookup(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
  else if (eq3 === 1 && eq6 === 0) nextEq3Eq6 = lookup(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
  else if (eq3 === 0 && eq6 === 0) {
    const left = lookup(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
    const right = lookup(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
    nextEq3Eq6 = Number.isNaN(left) ? right : Number.isNaN(right) ? left : Math.max(left, right);
  } else nextEq3Eq6 = lookup(eq1, eq2, eq3 + 1, eq4, eq5, eq6 + 1);
  const nextEq4 = lookup(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
  const nextEq5 = lookup(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

  // Distances to the first highest-severity vector of this MacroVector that the vector is nowhere above.
  for (let i = 0; i < DISTANCE_METRICS.length; i++) {
    const k = DISTANCE_METRICS[i] ?? '';
    current[i] = LEVELS[k]?.[effective(m, k)] ?? 0;
  }
  let chosen: Int8Array | undefined;
  for (const max of maxVectors(eq1, eq2, eq3, eq4, eq6)) {
    let below = true;
    for (let i = 0; i < current.length && below; i++) below = (current[i] ?? 0) >= (max[i] ?? 0);
    if (below) {
      chosen = max;
      break;
    }
  }
  // Each EQ with a next lower MacroVector lowers the score in proportion to the vector's distance below the EQ's
  // highest severity; the mean of those is taken. EQ5 (exploit maturity) has one value per level, so its distance
  // is always 0.
  const c1 = lowering(value, nextEq1, distance(chosen, 0, 3), EQ1_DEPTH[eq1] ?? 0);
  const c2 = lowering(value, nextEq2, distance(chosen, 3, 5), EQ2_DEPTH[eq2] ?? 0);
  const c3 = lowering(value, nextEq3Eq6, distance(chosen, 5, 11), EQ3_EQ6_DEPTH[eq3 * 2 + eq6] ?? 0);
  const c4 = lowering(value, nextEq4, distance(chosen, 11, 14), EQ4_DEPTH[eq4] ?? 0);
  const c5 = lowering(value, nextEq5, 0, 1);
  let total = 0;
  let count = 0;
  for (const c of [c1, c2, c3, c4, c5]) {
    if (Number.isNaN(c)) continue;
    total += c;
    count++;
  }
  const score = value - (count === 0 ? 0 : total / count);
  const clamped = score < 0 ? 0 : score > 10 ? 10 : score;
  // FIRST rounds to one decimal with a small epsilon against binary floating-point error.
  return Math.round(10 * (clamped + 1e-6)) / 10;
}

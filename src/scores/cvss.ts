/**
 * CVSS 3.0, 3.1 and 4.0: parse and validate a vector, normalize it, and score it exactly as FIRST does.
 *
 * Parsing, validation and normalization are ours (so that every problem is reported with the metric's name and
 * allowed values). The CVSS 3.x arithmetic is delegated to `ae-cvss-calculator`, which reproduces FIRST's reference
 * results on the whole conformance corpus (Roundup included). CVSS 4.0 is scored by cvss4.ts, FIRST's MacroVector
 * algorithm on plain values: the library gives the same scores but at about 0.2–0.5 ms a vector, too slow to score
 * all 104,976 base vectors in the 2 s the issue sets (cvss4.test.ts compares the two). Two things are added:
 * - CVSS 3.x temporal and environmental scores are always computed, as FIRST's calculator does, with Not Defined
 *   metrics at their defaults. In 3.1 the environmental formula differs from the base one for a changed scope, so
 *   `CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H` has base 9.6 but environmental 9.7.
 * - CVSS 4.0 has one score per vector, named after the metric groups it uses (CVSS-B, -BT, -BE, -BTE); we also
 *   give the scores of the smaller combinations, e.g. the CVSS-B score of a CVSS-BTE vector.
 */
import ae from 'ae-cvss-calculator';
import {
  type CvssMetricDefinition,
  type CvssMetricGroup,
  type CvssVersion,
  cvssMetricDefinitions,
} from './cvss-metrics.ts';
import { cvss4Score } from './cvss4.ts';

export type { CvssMetricDefinition, CvssMetricGroup, CvssVersion } from './cvss-metrics.ts';
export { cvssMetricDefinitions } from './cvss-metrics.ts';

/** Qualitative severity rating, spelled as in FIRST's CVSS JSON schemas. */
export type CvssSeverity = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export type Cvss4Nomenclature = 'CVSS-B' | 'CVSS-BT' | 'CVSS-BE' | 'CVSS-BTE';

interface CvssCommon {
  readonly ok: true;
  /** Canonical form: `CVSS:x.y/` then the given metrics in specification order, Not Defined (`X`) ones left out. */
  readonly vector: string;
  /** The given metrics, in specification order, without Not Defined (`X`) ones. */
  readonly metrics: Readonly<Record<string, string>>;
  /** The metric groups the vector sets (at least one metric other than `X`). */
  readonly groups: readonly CvssMetricGroup[];
  /** The headline score: the base score in 3.x, the vector's own score (see `nomenclature`) in 4.0. */
  readonly score: number;
  readonly severity: CvssSeverity;
}

export interface Cvss3Result extends CvssCommon {
  readonly version: '3.0' | '3.1';
  readonly scores: { readonly base: number; readonly temporal: number; readonly environmental: number };
  readonly severities: {
    readonly base: CvssSeverity;
    readonly temporal: CvssSeverity;
    readonly environmental: CvssSeverity;
  };
}

export interface Cvss4Result extends CvssCommon {
  readonly version: '4.0';
  readonly nomenclature: Cvss4Nomenclature;
  /** CVSS-B always; CVSS-BT, CVSS-BE and CVSS-BTE when the vector has the metric groups they need. */
  readonly scores: { readonly 'CVSS-B': number } & Readonly<Partial<Record<Cvss4Nomenclature, number>>>;
}

export interface CvssError {
  readonly ok: false;
  /** Every problem found, joined into one sentence list for display. */
  readonly error: string;
  readonly problems: readonly string[];
}

export type CvssResult = Cvss3Result | Cvss4Result;

const VERSIONS: readonly CvssVersion[] = ['3.0', '3.1', '4.0'];

/** FIRST's rating scale (identical in 3.x and 4.0). */
export function cvssSeverity(score: number): CvssSeverity {
  if (score === 0) return 'NONE';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

const byKeyCache = new Map<CvssVersion, ReadonlyMap<string, CvssMetricDefinition>>();
/** Metric key → definition, built once per version (parseCvss runs in bulk, e.g. 104,976 vectors at a time). */
function definitionsByKey(version: CvssVersion): ReadonlyMap<string, CvssMetricDefinition> {
  let map = byKeyCache.get(version);
  if (map === undefined) {
    map = new Map(cvssMetricDefinitions(version).map((d) => [d.key, d]));
    byKeyCache.set(version, map);
  }
  return map;
}

const baseCache = new Map<CvssVersion, readonly CvssMetricDefinition[]>();
/** The base metrics of a version, in specification order (all are required). */
function baseDefinitions(version: CvssVersion): readonly CvssMetricDefinition[] {
  let base = baseCache.get(version);
  if (base === undefined) {
    base = cvssMetricDefinitions(version).filter((d) => d.group === 'base');
    baseCache.set(version, base);
  }
  return base;
}

const fail = (problems: string[]): CvssError => ({ ok: false, error: problems.join('; '), problems });
const label = (d: CvssMetricDefinition) => `${d.key} (${d.name})`;
const list = (items: readonly string[]) => items.join(', ');

/**
 * Parse, validate, normalize and score a CVSS 3.0, 3.1 or 4.0 vector. Metrics may come in any order (they are
 * put in specification order); an invalid vector yields every problem found, each naming the metric at fault.
 */
export function parseCvss(input: string): CvssResult | CvssError {
  if (typeof input !== 'string') return fail(['a CVSS vector must be a string']);
  const text = input.trim();
  if (text === '') return fail(['the CVSS vector is empty']);
  const [prefix = '', ...parts] = text.split('/');
  if (!prefix.startsWith('CVSS:')) {
    if (/(^|[/(])Au:/.test(text))
      return fail(['CVSS 2.0 vectors are not supported: give a CVSS 3.0, 3.1 or 4.0 vector']);
    return fail([`a CVSS vector starts with "CVSS:3.0/", "CVSS:3.1/" or "CVSS:4.0/", not "${text.slice(0, 12)}"`]);
  }
  const version = VERSIONS.find((v) => prefix === `CVSS:${v}`);
  if (!version) return fail([`CVSS version "${prefix.slice(5)}" is not supported: use 3.0, 3.1 or 4.0`]);

  const definitions = cvssMetricDefinitions(version);
  const byKey = definitionsByKey(version);
  const given = new Map<string, string>();
  const problems: string[] = [];
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] ?? '';
    const colon = part.indexOf(':');
    const key = colon > 0 ? part.slice(0, colon) : '';
    const value = colon > 0 ? part.slice(colon + 1) : '';
    if (part === '') {
      problems.push(`metric ${index + 1} is empty (a doubled or trailing "/")`);
    } else if (key === '' || value === '') {
      problems.push(`"${part}" is not a metric: write NAME:VALUE, e.g. AV:N`);
    } else {
      const definition = byKey.get(key);
      if (!definition) {
        const upper = key.toUpperCase();
        const hint = byKey.has(upper)
          ? `metric names are upper case: ${upper}`
          : `its metrics: ${list([...byKey.keys()])}`;
        problems.push(`CVSS ${version} has no metric "${key}" (${hint})`);
      } else if (given.has(key)) {
        problems.push(`${label(definition)} is given more than once`);
      } else {
        given.set(key, value);
        if (!definition.values.includes(value)) {
          problems.push(`${label(definition)} cannot be "${value}" (allowed: ${list(definition.values)})`);
        }
      }
    }
  }
  const base = baseDefinitions(version);
  const missing = base.filter((d) => !given.has(d.key));
  if (missing.length > 0) {
    const count = base.length;
    problems.push(
      `missing base metric${missing.length > 1 ? 's' : ''} ${list(missing.map(label))} (CVSS ${version} requires all ${count})`,
    );
  }
  if (problems.length > 0) return fail(problems);

  // Specification order, "X" (Not Defined) dropped: the normalized vector and the metrics in one pass.
  const metrics: Record<string, string> = {};
  const groups: CvssMetricGroup[] = [];
  let vector = `CVSS:${version}`;
  for (const d of definitions) {
    const value = given.get(d.key);
    if (value === undefined || value === 'X') continue;
    metrics[d.key] = value;
    vector += `/${d.key}:${value}`;
    if (!groups.includes(d.group)) groups.push(d.group);
  }
  const common = { ok: true as const, vector, metrics, groups };
  return version === '4.0' ? score4(common, groups) : score3(version, common);
}

function finite(value: number | undefined, what: string, vector: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`no ${what} score for ${vector}`);
  return value;
}

function score3(version: '3.0' | '3.1', common: Omit<CvssCommon, 'score' | 'severity'>): Cvss3Result {
  const Calculator = version === '3.0' ? ae.Cvss3P0 : ae.Cvss3P1;
  const scores = new Calculator(common.vector).calculateScores();
  const base = finite(scores.base, 'base', common.vector);
  // Roundup(base × 1 × 1 × 1) is the base score itself.
  const temporal = scores.temporal ?? base;
  // With no environmental metric, CR:M (weight 1, like Not Defined) makes the library compute the score anyway.
  const environmental = finite(
    scores.environmental ?? new Calculator(`${common.vector}/CR:M`).calculateScores().environmental,
    'environmental',
    common.vector,
  );
  return {
    ...common,
    version,
    score: base,
    severity: cvssSeverity(base),
    scores: { base, temporal, environmental },
    severities: {
      base: cvssSeverity(base),
      temporal: cvssSeverity(temporal),
      environmental: cvssSeverity(environmental),
    },
  };
}

function score4(common: Omit<CvssCommon, 'score' | 'severity'>, groups: readonly CvssMetricGroup[]): Cvss4Result {
  const byKey = definitionsByKey('4.0');
  const score = (threat: boolean, environmental: boolean) => {
    // A base-only vector (the common case, e.g. scoring every base vector) is scored as it is.
    if (groups.length === 1) return finite(cvss4Score(common.metrics), 'CVSS 4.0', common.vector);
    const metrics: Record<string, string> = {};
    for (const [key, value] of Object.entries(common.metrics)) {
      const g = byKey.get(key)?.group;
      if (g === 'base' || (threat && g === 'threat') || (environmental && g === 'environmental')) metrics[key] = value;
    }
    return finite(cvss4Score(metrics), 'CVSS 4.0', common.vector);
  };
  const hasThreat = groups.includes('threat');
  const hasEnvironmental = groups.includes('environmental');
  const scores: Partial<Record<Cvss4Nomenclature, number>> & { 'CVSS-B': number } = { 'CVSS-B': score(false, false) };
  if (hasThreat) scores['CVSS-BT'] = score(true, false);
  if (hasEnvironmental) scores['CVSS-BE'] = score(false, true);
  if (hasThreat && hasEnvironmental) scores['CVSS-BTE'] = score(true, true);
  const nomenclature: Cvss4Nomenclature =
    `CVSS-B${hasThreat ? 'T' : ''}${hasEnvironmental ? 'E' : ''}` as Cvss4Nomenclature;
  const own = finite(scores[nomenclature], nomenclature, common.vector);
  return { ...common, version: '4.0', nomenclature, score: own, severity: cvssSeverity(own), scores };
}

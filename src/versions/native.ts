import * as pep440 from '@renovatebot/pep440';
import { VersError, canonicalize, formatVers, requireScheme, type Comparator, type Constraint } from './vers.ts';

/**
 * Native ranges → vers ("range_from_native"): npm ranges, PEP 440 specifiers, NuGet intervals and RubyGems
 * requirements, as the vers reference implementation reads them. Each constraint of the native range becomes one vers
 * constraint (npm `||` alternatives are flattened, as vers does); the result is canonical (sorted by version).
 */

const fail = (message: string): never => {
  throw new VersError(message);
};

const build = (scheme: string, constraints: Constraint[]): string => {
  if (constraints.length === 0) fail('the native range has no constraints');
  return formatVers(canonicalize({ scheme, star: false, constraints }));
};

// ---------------------------------------------------------------- npm

const npmPartial = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z-.]+))?(?:\+[0-9A-Za-z-.]+)?$/;

interface Partial {
  major: number;
  minor: number | null;
  patch: number | null;
  pre: string | null;
  wildcard: boolean;
}

function npmVersion(text: string, range: string): Partial | null {
  const m = npmPartial.exec(text);
  if (!m) return fail(`"${text}" in the npm range "${range}" is not a version`);
  const num = (s: string | undefined) => (s === undefined || /^[xX*]$/.test(s) ? null : Number(s));
  const major = num(m[1]);
  if (major === null) return null; // "*" / "x": any version
  const minor = num(m[2]);
  const patch = minor === null ? null : num(m[3]);
  const wildcard = [m[2], m[3]].some((s) => s !== undefined && /^[xX*]$/.test(s));
  return { major, minor, patch, pre: m[4] ?? null, wildcard };
}

const v3 = (major: number, minor: number, patch: number, pre: string | null = null) =>
  `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`;

/** One comparator of an npm range (operator and version), as vers constraints; null for "any version". */
function npmComparator(op: string, text: string, range: string): Constraint[] | null {
  const p = npmVersion(text, range);
  if (p === null) return null;
  const c = (comparator: Comparator, version: string): Constraint => ({ comparator, version });
  const exact = v3(p.major, p.minor ?? 0, p.patch ?? 0, p.pre);
  // An x-range ("1.x", "1.2.x", also after ">="): the versions it names.
  const xLow = v3(p.major, p.minor ?? 0, 0);
  const xHigh = p.minor === null ? v3(p.major + 1, 0, 0) : v3(p.major, p.minor + 1, 0);
  switch (op) {
    case '^': {
      const high =
        p.major > 0 || p.minor === null
          ? v3(p.major + 1, 0, 0)
          : p.minor > 0 || p.patch === null
            ? v3(0, p.minor + 1, 0)
            : v3(0, 0, (p.patch ?? 0) + 1);
      return [c('>=', exact), c('<', high)];
    }
    case '~': {
      const high = p.minor === null ? v3(p.major + 1, 0, 0) : v3(p.major, p.minor + 1, 0);
      // The reference implementation reads ~X.Y.Z-pre as its pre-releases, then X.Y.Z up to the next patch.
      if (p.pre !== null && p.patch !== null)
        return [
          c('>=', exact),
          c('<', v3(p.major, p.minor!, p.patch)),
          c('>=', v3(p.major, p.minor!, p.patch)),
          c('<', v3(p.major, p.minor!, p.patch + 1)),
        ];
      return [c('>=', exact), c('<', high)];
    }
    case '':
    case '=':
    case '>=':
      return p.wildcard ? [c('>=', xLow), c('<', xHigh)] : [c(op === '>=' ? '>=' : '=', exact)];
    case '<':
      return [c('<', p.wildcard ? xLow : exact)];
    case '<=':
      return [p.wildcard ? c('<', xHigh) : c('<=', exact)];
    case '>':
      return [p.wildcard ? c('>=', xHigh) : c('>', exact)];
    default:
      return fail(`"${op}" in the npm range "${range}" is not an operator`);
  }
}

export function npmRangeToVers(range: string): string {
  const alternatives = range.split('||').map((a) => a.trim());
  const constraints: Constraint[] = [];
  for (const alt of alternatives) {
    if (alt === '') return 'vers:npm/*';
    // "A - B" hyphen ranges; then operators written apart from their versions (">= 1.2").
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(alt);
    const tokens = hyphen
      ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`]
      : alt
          .replace(/(\^|~>?|[<>]=?|=)\s+/g, '$1')
          .split(/\s+/)
          .filter(Boolean);
    for (const token of tokens) {
      const m = /^(\^|~>?|[<>]=?|=)?(.*)$/.exec(token)!;
      const op = (m[1] ?? '').replace('~>', '~');
      const part = npmComparator(op, m[2]!, range);
      if (part === null) {
        if (tokens.length === 1) return 'vers:npm/*';
        continue;
      }
      constraints.push(...part);
    }
  }
  return build('npm', constraints);
}

// ---------------------------------------------------------------- PyPI (PEP 440 specifiers)

export function pypiSpecifierToVers(specifier: string): string {
  const clauses = specifier
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (clauses.length === 0) return 'vers:pypi/*';
  const constraints: Constraint[] = [];
  for (const clause of clauses) {
    const m = /^(===|~=|==|!=|<=|>=|<|>)\s*(\S+)$/.exec(clause);
    if (!m) return fail(`"${clause}" is not a PEP 440 specifier such as >=1.0, ~=2.2 or !=1.5.*`);
    const [, op, version] = m as unknown as [string, string, string];
    if (op === '~=') {
      const release = /^(\d+(?:\.\d+)+)/.exec(version);
      if (!release) return fail(`"${clause}": ~= needs a version with at least two release numbers`);
      const parts = release[1]!.split('.').slice(0, -1).map(Number);
      parts[parts.length - 1]! += 1;
      constraints.push({ comparator: '>=', version }, { comparator: '<', version: parts.join('.') });
    } else if (version.endsWith('.*')) {
      if (op !== '==' && op !== '!=') return fail(`"${clause}": a ".*" prefix match needs == or !=`);
      const parts = version.slice(0, -2).split('.').map(Number);
      if (parts.some(Number.isNaN)) return fail(`"${clause}": the prefix before ".*" is release numbers only`);
      const high = [...parts];
      high[high.length - 1]! += 1;
      if (op === '!=') return fail(`"${clause}": a vers cannot express "!= prefix.*"; list the versions instead`);
      constraints.push({ comparator: '>=', version: parts.join('.') }, { comparator: '<', version: high.join('.') });
    } else {
      if (pep440.valid(version) === null) return fail(`"${version}" in "${clause}" is not a PEP 440 version`);
      constraints.push({ comparator: op === '==' || op === '===' ? '=' : (op as Comparator), version });
    }
  }
  return build('pypi', constraints);
}

// ---------------------------------------------------------------- NuGet intervals

export function nugetRangeToVers(range: string): string {
  const r = range.trim();
  const m = /^([[(])\s*([^,\s]*)\s*(?:,\s*([^,\s]*)\s*)?([\])])$/.exec(r);
  if (!m) {
    if (/^[^[\](),\s]+$/.test(r)) return build('nuget', [{ comparator: '>=', version: r }]);
    return fail(`"${range}" is not a NuGet version range such as [1.0,2.0) or 1.0`);
  }
  const [, open, low, high, close] = m as unknown as [string, string, string, string | undefined, string];
  if (high === undefined) {
    if (open !== '[' || close !== ']' || !low) return fail(`"${range}": a single version is written [1.0]`);
    return build('nuget', [{ comparator: '=', version: low }]);
  }
  const constraints: Constraint[] = [];
  if (low) constraints.push({ comparator: open === '[' ? '>=' : '>', version: low });
  if (high) constraints.push({ comparator: close === ']' ? '<=' : '<', version: high });
  if (constraints.length === 0) return 'vers:nuget/*';
  return build('nuget', constraints);
}

// ---------------------------------------------------------------- RubyGems requirements

export function gemRequirementToVers(requirement: string): string {
  const constraints: Constraint[] = [];
  for (const clause of requirement
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)) {
    const m = /^(~>|>=|<=|!=|=|<|>)?\s*(\S+)$/.exec(clause);
    if (!m) return fail(`"${clause}" is not a RubyGems requirement such as ~> 2.0.8 or >= 1.0`);
    const op = m[1] ?? '=';
    const version = m[2]!;
    if (op === '~>') {
      // Pessimistic: at least this version, below the next release of its second-to-last segment.
      const segs = version.split('.').filter((s) => /^\d+$/.test(s));
      const head = segs.length > 1 ? segs.slice(0, -1) : segs;
      const bumped = [...head.slice(0, -1), String(Number(head[head.length - 1]) + 1)];
      constraints.push({ comparator: '>=', version }, { comparator: '<', version: bumped.join('.') });
    } else constraints.push({ comparator: op as Comparator, version });
  }
  return build('gem', constraints);
}

/** A native range of a supported ecosystem as a canonical vers. */
export function rangeFromNative(scheme: string, native: string): string {
  switch (scheme) {
    case 'npm':
      return npmRangeToVers(native);
    case 'pypi':
      return pypiSpecifierToVers(native);
    case 'nuget':
      return nugetRangeToVers(native);
    case 'gem':
      return gemRequirementToVers(native);
    default:
      requireScheme(scheme);
      return fail(`reading native ranges of "${scheme}" is not supported (npm, pypi, nuget and gem are)`);
  }
}

export const nativeSchemes = ['gem', 'npm', 'nuget', 'pypi'];

import { schemeOf, supportedSchemes, type VersionScheme } from './schemes.ts';

/**
 * vers, the package-url version range specifier: `vers:<versioning scheme>/<constraint>|<constraint>…`, each
 * constraint a comparator (`=` implied and not written, `!=`, `<`, `<=`, `>`, `>=`) and a percent-encoded version,
 * sorted by version; `vers:<scheme>/*` is every version. Pure: parsing, canonical form, containment.
 */

export const comparators = ['=', '!=', '<', '<=', '>', '>='] as const;
export type Comparator = (typeof comparators)[number];

export interface Constraint {
  comparator: Comparator;
  version: string;
}

/** A parsed range; `star` is `vers:<scheme>/*` (then `constraints` is empty). */
export interface Vers {
  scheme: string;
  star: boolean;
  constraints: Constraint[];
}

/** A range or version that is not valid; the message says which part and why. */
export class VersError extends Error {
  override readonly name = 'VersError';
}

const fail = (message: string): never => {
  throw new VersError(message);
};

const nonCanonical = (what: string): never => fail(`non-canonical VERS: ${what}`);

/** Characters a version must carry percent-encoded in a vers; any other encoded character is not canonical. */
const mustEncode = (c: string): boolean => c === '%' || c === '|' || c <= ' ' || c === '\x7f';

function decodeVersion(raw: string, strict: boolean, scheme: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
      return strict
        ? nonCanonical(`invalid percent-encoding in version "${raw}"`)
        : fail(`invalid percent-encoding in version "${raw}": write % as %25`);
    }
    if (strict && hex !== hex.toUpperCase())
      nonCanonical(`percent-encoding in version is not canonical: use upper-case hex digits in "${raw}"`);
    const decoded = String.fromCharCode(parseInt(hex, 16));
    if (strict && !mustEncode(decoded)) {
      if (scheme === 'datetime' && decoded === ':') nonCanonical(`datetime time colons must be unencoded in "${raw}"`);
      nonCanonical(`percent-encoding in version is not canonical: "${decoded}" is written as is in "${raw}"`);
    }
    out += decoded;
    i += 2;
  }
  return out;
}

const encodeVersion = (v: string): string =>
  [...v].map((c) => (mustEncode(c) ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : c)).join('');

function splitComparator(part: string): { comparator: Comparator; rest: string; explicitEquals: boolean } {
  for (const op of ['>=', '<=', '!=', '<', '>', '='] as const) {
    if (part.startsWith(op)) return { comparator: op, rest: part.slice(op.length), explicitEquals: op === '=' };
  }
  return { comparator: '=', rest: part, explicitEquals: false };
}

/**
 * The syntax of a vers. `strict` is the canonical form only (what we store and what the canonical-parse tests ask);
 * otherwise whitespace is dropped and the scheme's case ignored. Versions are not checked against their scheme here.
 */
export function parseVersSyntax(input: string, strict: boolean): Vers {
  let s = input;
  if (/\s/.test(s)) {
    if (strict) nonCanonical('whitespace is not permitted');
    s = s.replace(/\s+/g, '');
  }
  if (!/^vers:/i.test(s)) fail(`a version range starts with "vers:", e.g. vers:npm/>=1.0.0|<1.4.2 (got "${input}")`);
  if (strict && !s.startsWith('vers:')) nonCanonical('the URI scheme is written "vers:" in lower case');
  const body = s.slice(5);
  const slash = body.indexOf('/');
  if (slash <= 0)
    fail(`name the versioning scheme: vers:<scheme>/<constraints>, e.g. vers:npm/<2.0.0 (got "${input}")`);
  let scheme = body.slice(0, slash);
  if (strict && scheme !== scheme.toLowerCase()) nonCanonical(`the versioning scheme is lower case ("${scheme}")`);
  scheme = scheme.toLowerCase();
  if (!/^[a-z0-9][a-z0-9.+-]*$/.test(scheme)) fail(`"${scheme}" is not a versioning scheme name`);
  const rest = body.slice(slash + 1);
  if (rest.length === 0) fail('no constraints after the scheme: write e.g. >=1.0.0|<1.4.2, or * for every version');
  if (rest.startsWith('|')) (strict ? nonCanonical : fail)('leading pipe is not permitted');
  if (rest.endsWith('|')) (strict ? nonCanonical : fail)('trailing pipe is not permitted');
  if (rest.includes('||'))
    (strict ? nonCanonical : fail)('consecutive pipes are not permitted (vers separates constraints with one |)');
  const parts = rest.split('|');
  if (parts.includes('*')) {
    if (parts.length > 1) fail('"*" (every version) stands alone: vers:<scheme>/*');
    return { scheme, star: true, constraints: [] };
  }
  const constraints = parts.map((part, i): Constraint => {
    const { comparator, rest: raw, explicitEquals } = splitComparator(part);
    if (strict && explicitEquals) nonCanonical(`"=" is implied and not written (constraint ${i + 1}, "${part}")`);
    if (raw.length === 0 || /^[<>=!]/.test(raw))
      fail(`constraint ${i + 1} ("${part}") has no version after its comparator`);
    let version = decodeVersion(raw, strict, scheme);
    if (scheme === 'datetime' && /[tz]/.test(version)) {
      if (strict) nonCanonical(`datetime must use uppercase T and Z ("${version}")`);
      version = version.toUpperCase();
    }
    return { comparator, version };
  });
  return { scheme, star: false, constraints };
}

/** The scheme of a range, or an error naming the ones we support. */
export function requireScheme(name: string): VersionScheme {
  const scheme = schemeOf(name);
  if (!scheme) fail(`the versioning scheme "${name}" is not supported: use one of ${supportedSchemes.join(', ')}`);
  return scheme!;
}

/** Every version checked against the scheme; the error names the constraint. */
function checkVersions(v: Vers, scheme: VersionScheme): void {
  v.constraints.forEach((c, i) => {
    const why = scheme.invalid(c.version);
    if (why !== null) fail(`constraint ${i + 1} ("${formatConstraint(c)}"): "${c.version}" is ${why}`);
  });
}

const formatConstraint = (c: Constraint): string =>
  `${c.comparator === '=' ? '' : c.comparator}${encodeVersion(c.version)}`;

export function formatVers(v: Vers): string {
  return `vers:${v.scheme}/${v.star ? '*' : v.constraints.map(formatConstraint).join('|')}`;
}

/** Sorted by version (stable: equal versions keep their order). */
function sortConstraints(constraints: Constraint[], scheme: VersionScheme): Constraint[] {
  return constraints
    .map((c, i) => ({ c, i }))
    .sort((a, b) => scheme.compare(a.c.version, b.c.version) || a.i - b.i)
    .map((x) => x.c);
}

/**
 * A canonical vers, exactly: the syntax, and (for a scheme we know, with more than one constraint) the order by
 * version. Versions themselves are not checked against the scheme (use `checkVers` for that).
 */
export function parseCanonicalVers(input: string): Vers {
  const v = parseVersSyntax(input, true);
  const scheme = schemeOf(v.scheme);
  if (scheme && v.constraints.length > 1) {
    checkVersions(v, scheme);
    for (let i = 1; i < v.constraints.length; i++) {
      if (scheme.compare(v.constraints[i - 1]!.version, v.constraints[i]!.version) > 0)
        nonCanonical(
          `constraints are not sorted by version ("${formatConstraint(v.constraints[i - 1]!)}" before "${formatConstraint(v.constraints[i]!)}")`,
        );
    }
  }
  return v;
}

/**
 * A range as someone wrote it (whitespace, any order) → the parsed range in canonical order, for a supported scheme,
 * with every version valid in it. This is what the product accepts and stores (as `formatVers` of the result).
 */
export function checkVers(input: string): Vers {
  return canonicalize(parseVersSyntax(input, false));
}

/** A range with every version checked against its (supported) scheme, constraints sorted by version. */
export function canonicalize(v: Vers): Vers {
  const scheme = requireScheme(v.scheme);
  checkVersions(v, scheme);
  return { ...v, constraints: sortConstraints(v.constraints, scheme) };
}

/** The canonical form of a range (the vers "validate" operation). */
export function canonicalVers(input: string): string {
  return formatVers(checkVers(input));
}

/** Whether `version` is one of the versions of the range (the vers containment algorithm). */
export function versContains(range: Vers | string, version: string): boolean {
  const v = typeof range === 'string' ? checkVers(range) : range;
  const scheme = requireScheme(v.scheme);
  const why = scheme.invalid(version);
  if (why !== null) fail(`"${version}" is ${why}`);
  if (v.star) return true;
  const cmp = (a: string, b: string) => scheme.compare(a, b);
  for (const c of v.constraints) {
    if (c.comparator === '=' && cmp(version, c.version) === 0) return true;
  }
  for (const c of v.constraints) {
    if (c.comparator === '!=' && cmp(version, c.version) === 0) return false;
  }
  const ranges = sortConstraints(
    v.constraints.filter((c) => c.comparator !== '=' && c.comparator !== '!='),
    scheme,
  );
  // Only "!=" constraints: everything but those versions.
  if (ranges.length === 0) return v.constraints.some((c) => c.comparator === '!=');
  const satisfies = (c: Constraint): boolean => {
    const d = cmp(version, c.version);
    switch (c.comparator) {
      case '<':
        return d < 0;
      case '<=':
        return d <= 0;
      case '>':
        return d > 0;
      case '>=':
        return d >= 0;
      case '=':
      case '!=':
        return false;
    }
  };
  const lower = (c: Constraint) => c.comparator === '>' || c.comparator === '>=';
  const upper = (c: Constraint) => c.comparator === '<' || c.comparator === '<=';
  if (ranges.length === 1) return satisfies(ranges[0]!);
  for (let i = 0; i + 1 < ranges.length; i++) {
    const current = ranges[i]!;
    const next = ranges[i + 1]!;
    if (i === 0 && upper(current) && satisfies(current)) return true;
    if (i + 2 === ranges.length && lower(next) && satisfies(next)) return true;
    if (lower(current) && upper(next) && satisfies(current) && satisfies(next)) return true;
  }
  return false;
}

/** A version checked against a range's scheme (for messages that name the bad one). */
export function checkVersion(schemeName: string, version: string): string | null {
  const scheme = requireScheme(schemeName);
  return scheme.invalid(version);
}

/** Whether a product version field holds a vers range rather than one version. */
export const isVersRange = (text: string): boolean => /^vers:/i.test(text.trim());

import * as pep440 from '@renovatebot/pep440';
import semver from 'semver';
import { compareMaven, invalidMaven } from './maven.ts';

/**
 * The versioning schemes (vers "versioning types") whose versions we can validate and order. Each says why a version
 * is not one of its own (`invalid` returns the reason, or null) and orders two valid versions (`compare`: negative,
 * zero or positive).
 */
export interface VersionScheme {
  name: string;
  /** What the versions look like, for messages. */
  describe: string;
  invalid(version: string): string | null;
  compare(a: string, b: string): number;
  /** The version as the ecosystem writes it when they differ only in insignificant ways (NuGet: label case). */
  normalize?(version: string): string;
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

const semverScheme = (name: string, describe: string): VersionScheme => ({
  name,
  describe,
  invalid: (v) =>
    semver.parse(v) !== null && /^\d/.test(v) ? null : 'not a semantic version such as 1.2.3 or 2.0.0-rc.1',
  compare: (a, b) => semver.compare(a, b),
});

const pypi: VersionScheme = {
  name: 'pypi',
  describe: 'PEP 440 versions',
  invalid: (v) => (pep440.valid(v) !== null ? null : 'not a PEP 440 version such as 1.0, 2.1.0rc1 or 1.0.post2'),
  compare: (a, b) => sign(pep440.compare(a, b)),
};

const maven: VersionScheme = {
  name: 'maven',
  describe: 'Maven versions (ComparableVersion order)',
  invalid: invalidMaven,
  compare: (a, b) => sign(compareMaven(a, b)),
};

/** NuGet (NuGetVersion): 1 to 4 numeric parts, an optional dotted release label, build metadata ignored. */
const nugetPattern =
  /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-.]+)?$/;
function nugetParts(v: string) {
  const m = nugetPattern.exec(v);
  if (!m) return null;
  return { numbers: [1, 2, 3, 4].map((i) => BigInt(m[i] ?? '0')), release: m[5]?.toLowerCase().split('.') ?? [] };
}
function compareLabels(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length; // a release is newer than a pre-release
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d < 0n ? -1 : 1;
    } else if (xn !== yn) return xn ? -1 : 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
const nuget: VersionScheme = {
  name: 'nuget',
  describe: 'NuGet versions',
  invalid: (v) => (nugetParts(v) ? null : 'not a NuGet version such as 1.0.0, 1.0.0.1 or 2.0.0-beta.1'),
  normalize: (v) => v.replace(/-[^+]*/, (label) => label.toLowerCase()),
  compare: (a, b) => {
    const x = nugetParts(a)!;
    const y = nugetParts(b)!;
    for (let i = 0; i < 4; i++) {
      const d = x.numbers[i]! - y.numbers[i]!;
      if (d !== 0n) return d < 0n ? -1 : 1;
    }
    return sign(compareLabels(x.release, y.release));
  },
};

/** RubyGems (Gem::Version): numeric and alphabetic segments; any letter makes a pre-release, older than the release. */
const gemPattern = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
function gemSegments(v: string): (bigint | string)[] {
  const segs = (v.replace(/-/g, '.pre.').match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d/.test(s) ? BigInt(s) : s));
  // Gem's canonical segments: trailing zeros of the release part and of the pre-release part are not significant.
  const firstString = segs.findIndex((s) => typeof s === 'string');
  const release = firstString === -1 ? segs : segs.slice(0, firstString);
  const pre = firstString === -1 ? [] : segs.slice(firstString);
  const trim = (xs: (bigint | string)[]) => {
    const out = [...xs];
    while (out.length > 0 && out[out.length - 1] === 0n) out.pop();
    return out;
  };
  return [...trim(release), ...trim(pre)];
}
export function gemCompare(a: string, b: string): number {
  const x = gemSegments(a);
  const y = gemSegments(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const l = x[i] ?? 0n;
    const r = y[i] ?? 0n;
    if (l === r) continue;
    if (typeof l === 'string' && typeof r !== 'string') return -1;
    if (typeof l !== 'string' && typeof r === 'string') return 1;
    return l < r ? -1 : 1;
  }
  return 0;
}
const gem: VersionScheme = {
  name: 'gem',
  describe: 'RubyGems versions',
  invalid: (v) => (gemPattern.test(v) ? null : 'not a RubyGems version such as 1.2.3 or 2.0.0.rc1'),
  compare: gemCompare,
};

/** RFC 3339 timestamps, ordered by the instant they name. */
const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
function instant(v: string): { ms: number; frac: string } | null {
  const m = rfc3339.exec(v);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]}`);
  if (Number.isNaN(ms)) return null;
  return { ms, frac: (m[7] ?? '.').slice(1).padEnd(9, '0') };
}
const datetime: VersionScheme = {
  name: 'datetime',
  describe: 'RFC 3339 timestamps',
  invalid: (v) => (instant(v) ? null : 'not an RFC 3339 timestamp such as 2024-01-01T00:00:00Z'),
  compare: (a, b) => {
    const x = instant(a)!;
    const y = instant(b)!;
    return x.ms !== y.ms ? sign(x.ms - y.ms) : x.frac < y.frac ? -1 : x.frac > y.frac ? 1 : 0;
  },
};

/** Code point order of the exact string (no normalization, no locale). */
const lexicographic: VersionScheme = {
  name: 'lexicographic',
  describe: 'any string, in code point order',
  invalid: (v) => (v.length > 0 ? null : 'a version is not empty'),
  compare: (a, b) => {
    const x = [...a];
    const y = [...b];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
      if (d !== 0) return sign(d);
    }
    return sign(x.length - y.length);
  },
};

/**
 * "generic": a dotted version compared segment by segment, digits as numbers and letters as text (a product's own
 * release numbers such as 4.2, 4.10 or 2.1a).
 */
function genericSegments(v: string): (bigint | string)[] {
  return (v.match(/[0-9]+|[A-Za-z]+/g) ?? []).map((s) => (/^\d/.test(s) ? BigInt(s) : s.toLowerCase()));
}
const generic: VersionScheme = {
  name: 'generic',
  describe: 'dotted versions such as 4.2.1',
  invalid: (v) => (/^[0-9A-Za-z][0-9A-Za-z.+_~-]*$/.test(v) ? null : 'use digits, letters and . - _ + ~ only'),
  compare: (a, b) => {
    const x = genericSegments(a);
    const y = genericSegments(b);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const l = x[i] ?? 0n;
      const r = y[i] ?? 0n;
      if (l === r) continue;
      if (typeof l !== typeof r) return typeof l === 'string' ? -1 : 1;
      return l < r ? -1 : 1;
    }
    return 0;
  },
};

export const schemes: Record<string, VersionScheme> = {
  npm: semverScheme('npm', 'semantic versions (npm)'),
  semver: semverScheme('semver', 'semantic versions'),
  pypi,
  maven,
  nuget,
  gem,
  generic,
  datetime,
  lexicographic,
};

export const supportedSchemes = Object.keys(schemes).sort();

export function schemeOf(name: string): VersionScheme | undefined {
  return Object.hasOwn(schemes, name) ? schemes[name] : undefined;
}

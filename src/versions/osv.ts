import { VersError, canonicalize, formatVers, type Constraint, type Vers } from './vers.ts';

/**
 * vers ↔ OSV `affected[].ranges`: a vers becomes one range of events (SEMVER for npm and semver, ECOSYSTEM otherwise)
 * plus the single versions its `=` constraints name; OSV events (introduced, fixed, last_affected) become a vers of
 * the ecosystem's scheme. Errors (VersError) say what OSV cannot express. Pure.
 */

export type OsvEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface OsvRange {
  type: 'SEMVER' | 'ECOSYSTEM';
  events: OsvEvent[];
}

/** OSV ecosystem → vers versioning scheme, for the ecosystems whose versions we compare. */
export const ecosystemSchemes: Record<string, string> = {
  npm: 'npm',
  PyPI: 'pypi',
  Maven: 'maven',
  NuGet: 'nuget',
  RubyGems: 'gem',
};

/**
 * A vers as OSV: ranges of events (none when the vers names single versions only) and the single versions. OSV
 * forbids fixed and last_affected in one range, so intervals closed by `<` and by `<=` go into separate ranges.
 */
export function versToOsv(v: Vers): { ranges: OsvRange[]; versions: string[] } {
  const type: OsvRange['type'] = v.scheme === 'npm' || v.scheme === 'semver' ? 'SEMVER' : 'ECOSYSTEM';
  if (v.star) return { ranges: [{ type, events: [{ introduced: '0' }] }], versions: [] };
  const fixed: OsvEvent[] = [];
  const last: OsvEvent[] = [];
  const versions: string[] = [];
  let lower: string | null = null;
  for (const c of v.constraints) {
    switch (c.comparator) {
      case '=':
        versions.push(c.version);
        break;
      case '!=':
        throw new VersError(`OSV cannot express "!=${c.version}": list the affected versions or bounds instead`);
      case '>':
        throw new VersError(
          `OSV has no exclusive lower bound (">${c.version}"): write >= with the first affected version`,
        );
      case '>=':
        if (lower !== null)
          throw new VersError(`">=${c.version}" follows another lower bound: close the range before it`);
        lower = c.version;
        break;
      case '<':
        fixed.push({ introduced: lower ?? '0' }, { fixed: c.version });
        lower = null;
        break;
      case '<=':
        last.push({ introduced: lower ?? '0' }, { last_affected: c.version });
        lower = null;
        break;
    }
  }
  if (lower !== null) (last.length > 0 && fixed.length === 0 ? last : fixed).push({ introduced: lower });
  const ranges = [fixed, last].filter((events) => events.length > 0).map((events) => ({ type, events }));
  return { ranges, versions };
}

/** OSV events (and single versions) of an ecosystem we compare → a canonical vers; null for unknown ecosystems. */
export function osvToVers(
  ecosystem: string,
  ranges: { type?: string; events?: Record<string, string>[] }[],
  versions: string[] = [],
): string | null {
  const scheme = ecosystemSchemes[ecosystem.split(':')[0] ?? ''];
  if (!scheme) return null;
  const constraints: Constraint[] = [];
  for (const r of ranges) {
    if (r.type !== 'SEMVER' && r.type !== 'ECOSYSTEM') continue;
    for (const e of r.events ?? []) {
      if (e.introduced !== undefined) {
        if (e.introduced !== '0') constraints.push({ comparator: '>=', version: e.introduced });
      } else if (e.fixed !== undefined) constraints.push({ comparator: '<', version: e.fixed });
      else if (e.last_affected !== undefined) constraints.push({ comparator: '<=', version: e.last_affected });
      else if (e.limit !== undefined && e.limit !== '*') constraints.push({ comparator: '<', version: e.limit });
    }
    // Introduced at 0 and never fixed: every version.
    const events = r.events ?? [];
    if (events.length > 0 && events.every((e) => e.introduced === '0'))
      return formatVers({ scheme, star: true, constraints: [] });
  }
  // The versions list only when there are no ranges (OSV lists them besides the ranges, for convenience).
  if (constraints.length === 0) for (const version of versions) constraints.push({ comparator: '=', version });
  if (constraints.length === 0) return null;
  return formatVers(canonicalize({ scheme, star: false, constraints }));
}

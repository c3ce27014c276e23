import { VersError, type Vers } from './vers.ts';

/**
 * vers → CVE JSON 5 `affected[].versions` entries: an interval `>=a|<b` becomes
 * `{version: a, lessThan: b}`, `>=a|<=b` `{version: a, lessThanOrEqual: b}`, an open lower bound starts at "0",
 * an open upper bound ends at "*", `=x` is the single version x; every ranged entry names its `versionType`
 * (as the CVE record format requires). Errors (VersError) say what CVE ranges cannot express. Pure.
 */

export interface CveVersion {
  version: string;
  status: 'affected' | 'unaffected' | 'unknown';
  versionType?: string;
  lessThan?: string;
  lessThanOrEqual?: string;
}

/** The versionType names CVE records use for a vers scheme (the scheme's own name otherwise). */
const versionTypes: Record<string, string> = { npm: 'semver', semver: 'semver', pypi: 'python', gem: 'rubygems' };

export function versToCveVersions(v: Vers, status: CveVersion['status']): CveVersion[] {
  const versionType = versionTypes[v.scheme] ?? v.scheme;
  if (v.star) return [{ version: '0', lessThan: '*', status, versionType }];
  const out: CveVersion[] = [];
  let lower: string | null = null;
  for (const c of v.constraints) {
    switch (c.comparator) {
      case '=':
        out.push({ version: c.version, status });
        break;
      case '!=':
        throw new VersError(`a CVE record cannot express "!=${c.version}": list the affected intervals instead`);
      case '>':
        throw new VersError(
          `a CVE record has no exclusive lower bound (">${c.version}"): write >= with the first affected version`,
        );
      case '>=':
        if (lower !== null) throw new VersError(`">=${c.version}" follows another lower bound: close the range first`);
        lower = c.version;
        break;
      case '<':
        out.push({ version: lower ?? '0', lessThan: c.version, status, versionType });
        lower = null;
        break;
      case '<=':
        out.push({ version: lower ?? '0', lessThanOrEqual: c.version, status, versionType });
        lower = null;
        break;
    }
  }
  if (lower !== null) out.push({ version: lower, lessThan: '*', status, versionType });
  return out;
}

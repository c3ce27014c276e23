import { describe, expect, it } from 'vitest';
import { versToCveVersions } from './cve.ts';
import { rangeFromNative } from './native.ts';
import { osvToVers, versToOsv } from './osv.ts';
import { canonicalVers, checkVers, parseCanonicalVers, versContains } from './vers.ts';

describe('vers', () => {
  it('canonicalizes a loosely written range and keeps the canonical form fixed', () => {
    const canonical = canonicalVers(' VERS:Maven/ <2.0 | >=1.0-RC1 ');
    expect(canonical).toBe('vers:maven/>=1.0-RC1|<2.0');
    expect(canonicalVers(canonical)).toBe(canonical);
    expect(parseCanonicalVers(canonical).constraints).toHaveLength(2);
  });

  it.each([
    ['vers:npm/>=1.0.0|<1.4.2', '1.4.1', true],
    ['vers:npm/>=1.0.0|<1.4.2', '1.4.2', false],
    ['vers:npm/>=1.0.0|<1.4.2', '1.4.2-rc.1', true],
    ['vers:pypi/<2.1|!=1.5', '1.5', false],
    ['vers:pypi/!=1.5', '1.6', true],
    ['vers:maven/>=1.0|<=1.2', '1.2-SNAPSHOT', true],
    ['vers:nuget/1.0.0|2.0.0', '1.0', true],
    ['vers:gem/>=2.0.8|<2.1', '2.1.0.rc1', true],
    ['vers:generic/>=4.2|<4.10', '4.9', true],
  ])('%s contains %s: %s', (range, version, expected) => {
    expect(versContains(range, version)).toBe(expected);
  });

  it('says which constraint or version is bad and why', () => {
    expect(() => checkVers('vers:pypi/>=1.0|<two')).toThrow(
      'constraint 2 ("<two"): "two" is not a PEP 440 version such as 1.0, 2.1.0rc1 or 1.0.post2',
    );
    expect(() => checkVers('vers:npm/*|<2.0.0')).toThrow('"*" (every version) stands alone');
    expect(() => checkVers('npm/<2.0.0')).toThrow('a version range starts with "vers:"');
    expect(() => versContains('vers:npm/<2.0.0', '1.x')).toThrow('"1.x" is not a semantic version');
  });

  it('reads native ranges', () => {
    expect(rangeFromNative('npm', '^1.2.3 || 2.x')).toBe('vers:npm/>=1.2.3|<2.0.0|>=2.0.0|<3.0.0');
    expect(rangeFromNative('pypi', '>=1.0, ~=1.4.2, !=1.4.5')).toBe('vers:pypi/>=1.0|>=1.4.2|!=1.4.5|<1.5');
    expect(() => rangeFromNative('pypi', '=>1.0')).toThrow('"=>1.0" is not a PEP 440 specifier');
  });

  it('goes to CVE version entries: intervals with their versionType, open bounds at "0" and "*"', () => {
    const cve = (v: string) => versToCveVersions(checkVers(v), 'affected');
    expect(cve('vers:pypi/<1.2|>=2.0|<=2.1|=3.0.1|>=4')).toEqual([
      { version: '0', lessThan: '1.2', status: 'affected', versionType: 'python' },
      { version: '2.0', lessThanOrEqual: '2.1', status: 'affected', versionType: 'python' },
      { version: '3.0.1', status: 'affected' },
      { version: '4', lessThan: '*', status: 'affected', versionType: 'python' },
    ]);
    expect(cve('vers:maven/*')).toEqual([{ version: '0', lessThan: '*', status: 'affected', versionType: 'maven' }]);
    expect(() => cve('vers:npm/!=1.0.0')).toThrow(/cannot express "!=1.0.0"/);
    expect(() => cve('vers:npm/>1.0.0')).toThrow(/no exclusive lower bound/);
  });

  it('goes to OSV events and back', () => {
    const v = checkVers('vers:npm/<1.0.1|>=2.0.0|<=2.0.3|>=3.0.0');
    const osv = versToOsv(v);
    expect(osv.ranges).toEqual([
      { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }, { introduced: '3.0.0' }] },
      { type: 'SEMVER', events: [{ introduced: '2.0.0' }, { last_affected: '2.0.3' }] },
    ]);
    expect(osvToVers('npm', osv.ranges)).toBe('vers:npm/<1.0.1|>=2.0.0|<=2.0.3|>=3.0.0');
    expect(() => versToOsv(checkVers('vers:npm/>1.0.0'))).toThrow('OSV has no exclusive lower bound');
  });
});

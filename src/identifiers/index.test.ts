import { describe, expect, it } from 'vitest';
import { validateProductIdentifier } from './index.ts';

describe('validateProductIdentifier', () => {
  it.each([
    ['pkg:npm/%40angular/core@16.0.0', 'purl', 'pkg:npm/%40angular/core@16.0.0'],
    ['  PKG:PyPI/Django@4.2  ', 'purl', 'pkg:pypi/django@4.2'],
    ['cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*', 'cpe', 'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*'],
    ['CPE:/a:apache:log4j:2.4:-', 'cpe', 'cpe:2.3:a:apache:log4j:2.4:-:*:*:*:*:*:*'],
  ])('dispatches %j to %s', (input, kind, normalized) => {
    expect(validateProductIdentifier(input)).toMatchObject({ ok: true, kind, normalized });
  });

  it('carries the parsed components', () => {
    const purl = validateProductIdentifier('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1');
    expect(purl.ok && purl.kind === 'purl' && purl.purl).toMatchObject({
      namespace: 'org.apache.logging.log4j',
      name: 'log4j-core',
      version: '2.14.1',
    });
    const cpe = validateProductIdentifier('cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*');
    expect(cpe.ok && cpe.kind === 'cpe' && cpe.cpe).toMatchObject({ vendor: 'apache', product: 'log4j' });
  });

  it.each([
    ['', 'empty'],
    ['log4j 2.14.1', 'neither a package URL'],
    ['https://github.com/apache/logging-log4j2', 'neither a package URL'],
    ['pkg:maven/@1.0', 'maven requires a "namespace"'],
    ['cpe:2.3:a:apache:log4j', 'this one has 3'],
  ])('refuses %j, saying what is wrong', (input, message) => {
    const result = validateProductIdentifier(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

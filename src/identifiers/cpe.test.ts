import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCpe } from './cpe.ts';

/** The cpe23 pattern of the CPE dictionary schema, used as-is by CVE JSON 5 and CSAF 2.0. */
const CPE23_SCHEMA_PATTERN =
  /^cpe:2\.3:[aho*-](:(((\?*|\*?)([a-zA-Z0-9\-._]|(\\[\\*?!"#$%&'()+,/:;<=>@[\]^`{|}~]))+(\?*|\*?))|[*-])){5}(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[*-]))(:(((\?*|\*?)([a-zA-Z0-9\-._]|(\\[\\*?!"#$%&'()+,/:;<=>@[\]^`{|}~]))+(\?*|\*?))|[*-])){4}$/;

function normalized(input: string): string {
  const result = parseCpe(input);
  if (!result.ok) throw new Error(`refused ${input}: ${result.error}`);
  return result.cpe;
}

describe('parseCpe: CPE 2.3 formatted strings', () => {
  it.each([
    // NISTIR 7695 examples (section 6.2.3)
    ['cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*', null],
    ['cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*', null],
    ['cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*', null],
    ['cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*', null],
    ['cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*', null],
    ['cpe:2.3:h:cisco:asa_5505:-:*:*:*:*:*:*:*', null],
    ['cpe:2.3:a:vendor:product:1.0:*:*:en-us:*:*:*:*', null],
    ['cpe:2.3:a:vendor:product:1.0:*:*:es-419:*:*:*:*', null],
    ['cpe:2.3:a:vendor:product\\:x:1.0:*:*:*:*:*:*:*', null],
    ['cpe:2.3:a:vendor:??oduct:*soft:1.*:*:*:*:*:*:*', null],
    ['cpe:2.3:a:vendor:product:-*:*:*:*:*:*:*:*', null],
    // normalized
    [
      'CPE:2.3:A:Microsoft:Internet_Explorer:8.0:*:*:EN-US:*:*:*:*',
      'cpe:2.3:a:microsoft:internet_explorer:8.0:*:*:en-us:*:*:*:*',
    ],
    ['cpe:2.3:a:vendor:product:1\\.0\\-rc\\_1:*:*:*:*:*:*:*', 'cpe:2.3:a:vendor:product:1.0-rc_1:*:*:*:*:*:*:*'],
    ['  cpe:2.3:a:vendor:product:1:*:*:*:*:*:*:*\n', 'cpe:2.3:a:vendor:product:1:*:*:*:*:*:*:*'],
  ])('accepts %s', (input, expected) => {
    const result = parseCpe(input);
    expect(result).toMatchObject({ ok: true, binding: 'formatted-string', cpe: expected ?? input });
    if (result.ok) expect(result.cpe).toMatch(CPE23_SCHEMA_PATTERN);
  });

  it('returns each attribute in its formatted-string form', () => {
    expect(parseCpe('cpe:2.3:a:foo\\\\bar:big\\$money:2010:*:-:en:special:ipod_touch:80gb:*')).toEqual({
      ok: true,
      binding: 'formatted-string',
      cpe: 'cpe:2.3:a:foo\\\\bar:big\\$money:2010:*:-:en:special:ipod_touch:80gb:*',
      part: 'a',
      vendor: 'foo\\\\bar',
      product: 'big\\$money',
      version: '2010',
      update: '*',
      edition: '-',
      language: 'en',
      swEdition: 'special',
      targetSw: 'ipod_touch',
      targetHw: '80gb',
      other: '*',
    });
  });

  it.each([
    ['', 'empty'],
    ['microsoft internet explorer', 'is not a CPE name'],
    ['cpe:2.2:a:microsoft:ie', 'is not a CPE name'],
    ['cpe:2.3:a:microsoft:internet_explorer', 'this one has 3; fill missing ones with *'],
    ['cpe:2.3:a:v:p:*:*:*:*:*:*:*:*:*', 'this one has 12'],
    ['cpe:2.3:x:v:p:*:*:*:*:*:*:*:*', 'part "x" must be a (application), o (operating system) or h (hardware)'],
    ['cpe:2.3:*:v:p:*:*:*:*:*:*:*:*', 'part "*" must be a'],
    ['cpe:2.3:a::p:*:*:*:*:*:*:*:*', 'vendor is empty; write * for any value or - for not applicable'],
    ['cpe:2.3:a:v:big$money:*:*:*:*:*:*:*:*', 'write the character "$" escaped, as "\\$"'],
    ['cpe:2.3:a:v:p:8.*.1:*:*:*:*:*:*:*', 'version "8.*.1": a wildcard (* or ?) may only start or end a value'],
    ['cpe:2.3:a:v:p:*?1:*:*:*:*:*:*:*', 'a wildcard'],
    ['cpe:2.3:a:v:p:**:*:*:*:*:*:*:*', 'version "**" holds only wildcards'],
    ['cpe:2.3:a:v:p:?:*:*:*:*:*:*:*', 'holds only wildcards'],
    ['cpe:2.3:a:v:p\\a:*:*:*:*:*:*:*:*', '"\\a" is not an escape'],
    ['cpe:2.3:a:v:p:*:*:*:*:*:*:*:x\\', 'other "x\\" ends with a lone backslash'],
    ['cpe:2.3:a:v:my product:*:*:*:*:*:*:*:*', 'not allowed in a CPE name'],
    ['cpe:2.3:a:v:pr\u00f6duct:*:*:*:*:*:*:*:*', 'character U+00F6 is not allowed'],
    ['cpe:2.3:a:v:p:\u212a:*:*:*:*:*:*:*', 'U+212A'],
    ['cpe:2.3:a:v:p:1:*:*:english:*:*:*:*', 'language "english" is not a language tag'],
    ['cpe:2.3:a:v:p:1:*:*:en*:*:*:*:*', 'language "en*" is not a language tag'],
    ['cpe:2.3:a:v:p:\\-:*:*:*:*:*:*:*', 'would read as - (not applicable)'],
  ])('refuses %j, saying what is wrong', (input, message) => {
    const result = parseCpe(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

it('refuses a CPE name longer than 1024 characters', () => {
  expect(parseCpe(`cpe:2.3:a:v:${'p'.repeat(2000)}:*:*:*:*:*:*:*:*`)).toMatchObject({
    ok: false,
    error: expect.stringContaining('too long'),
  });
});

describe('parseCpe: CPE 2.2 URIs become 2.3 formatted strings', () => {
  it.each([
    // NISTIR 7695 examples (section 6.1.3 and 7)
    [
      'cpe:/a:microsoft:internet_explorer:8.0.6001:beta',
      'cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*',
    ],
    ['cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f', 'cpe:2.3:a:microsoft:internet_explorer:8.\\*:sp\\?:*:*:*:*:*:*'],
    ['cpe:/a:microsoft:internet_explorer:8.%02:sp%01', 'cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*'],
    [
      'cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~',
      'cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:*:*:*:online:win2003:x64:*',
    ],
    [
      'cpe:/a:hp:openview_network_manager:7.51:-:~~~linux~~',
      'cpe:2.3:a:hp:openview_network_manager:7.51:-:*:*:*:linux:*:*',
    ],
    [
      'cpe:/a:foo%5cbar:big%24money_manager_2010:::~~special~ipod_touch~80gb~',
      'cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*',
    ],
    ['cpe:/a:foo~bar:big%7emoney_2010', 'cpe:2.3:a:foo\\~bar:big\\~money_2010:*:*:*:*:*:*:*:*'],
    // as found in SPDX and CSAF examples
    ['cpe:/a:apache:log4j:2.4:-', 'cpe:2.3:a:apache:log4j:2.4:-:*:*:*:*:*:*'],
    ['cpe:/o:redhat:rhel_aus:7.6::server', 'cpe:2.3:o:redhat:rhel_aus:7.6:*:server:*:*:*:*:*'],
    [
      'cpe:/a:csaf-tools:cvrf-csaf-converter:1.0.0-rc1',
      'cpe:2.3:a:csaf-tools:cvrf-csaf-converter:1.0.0-rc1:*:*:*:*:*:*:*',
    ],
    ['CPE:/A:Vendor', 'cpe:2.3:a:vendor:*:*:*:*:*:*:*:*:*'],
    ['cpe:/a:vendor:product:1.0:::en-us', 'cpe:2.3:a:vendor:product:1.0:*:*:en-us:*:*:*:*'],
    ['cpe:/h:vendor:router:-', 'cpe:2.3:h:vendor:router:-:*:*:*:*:*:*:*'],
  ])('converts %s', (input, expected) => {
    const result = parseCpe(input);
    expect(result).toMatchObject({ ok: true, binding: 'uri', cpe: expected });
    expect(expected).toMatch(CPE23_SCHEMA_PATTERN);
    // The 2.3 form reads back to the same name.
    expect(normalized(expected)).toBe(expected);
  });

  it.each([
    ['cpe:/', 'part is missing'],
    ['cpe:/x:vendor', 'part "x" must be a'],
    ['cpe:/a:foo:bar:12.%02.1234', 'version "12.%02.1234": a wildcard'],
    ['cpe:/a:foo:bar:%01%01', 'holds only wildcards'],
    ['cpe:/a:foo:bar:1:2:3:4:5', 'at most 7 components'],
    ['cpe:/a:foo:b$r', 'percent-encode the character "$"'],
    ['cpe:/a:foo:bar%zz', '"%zz" is not a CPE percent-encoding'],
    ['cpe:/a:foo:bar%41', '"%41" is not a CPE percent-encoding'],
    ['cpe:/a:foo:bar%2', '"%2" is not a CPE percent-encoding'],
    ['cpe:/a:foo:bar:1::~a~b', 'packed edition "~a~b" must have 5 fields'],
    ['cpe:/a:foo:bar:1:::english', 'language "english" is not a language tag'],
  ])('refuses %j, saying what is wrong', (input, message) => {
    const result = parseCpe(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

describe('parseCpe properties', () => {
  const pieces = fc.constantFrom(
    'cpe:2.3:',
    'cpe:/',
    'cpe:2.3:a:v:p:',
    ':',
    ':*',
    ':-',
    'a',
    'o',
    'H',
    'x',
    '*',
    '?',
    '-',
    '.',
    '_',
    '\\',
    '\\:',
    '\\*',
    '$',
    '~',
    '%01',
    '%02',
    '%2a',
    '%',
    'en-us',
    '1',
    'Z',
    ' ',
    'é',
  );
  const cpeLike = fc.array(pieces, { maxLength: 40 }).map((p) => p.join(''));

  it('never throws; whatever it accepts matches the schema pattern and normalizes to itself', () => {
    fc.assert(
      fc.property(fc.oneof(cpeLike, fc.string()), (input) => {
        const result = parseCpe(input);
        if (!result.ok) return typeof result.error === 'string' && result.error.length > 0;
        const again = parseCpe(result.cpe);
        return CPE23_SCHEMA_PATTERN.test(result.cpe) && again.ok && again.cpe === result.cpe;
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts every lowercase name the schema pattern accepts', () => {
    const bare = fc.constantFrom(...'abcxyz019._-');
    const escaped = fc.constantFrom(...'\\*?!"#$%&\'()+,/:;<=>@[]^`{|}~').map((c) => `\\${c}`);
    const body = fc.array(fc.oneof(bare, escaped), { minLength: 1, maxLength: 6 }).map((b) => b.join(''));
    const wild = fc.constantFrom('', '*', '?', '??');
    const value = fc.oneof(
      fc.constantFrom('*', '-'),
      fc.tuple(wild, body, wild).map(([a, b, c]) => a + b + c),
    );
    const language = fc.constantFrom('*', '-', 'en', 'en-us', 'es-419', 'haw');
    const name = fc
      .tuple(fc.constantFrom('a', 'o', 'h'), fc.array(value, { minLength: 10, maxLength: 10 }), language)
      .map(([part, v, lang]) => `cpe:2.3:${part}:${v.slice(0, 5).join(':')}:${lang}:${v.slice(6).join(':')}`)
      .filter((s) => CPE23_SCHEMA_PATTERN.test(s));
    fc.assert(
      fc.property(name, (input) => {
        const result = parseCpe(input);
        return result.ok && result.cpe === input;
      }),
      { numRuns: 2000 },
    );
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeSchemes, rangeFromNative } from './native.ts';
import { schemeOf } from './schemes.ts';
import { canonicalVers, parseCanonicalVers, versContains } from './vers.ts';

/**
 * The vers spec tests (ACCORD_CONFORMANCE_DIR, default ../shared/testdata, folder vers/tests): every file, every case
 * whose versioning scheme we support — comparison, equality, containment, from_native, validate and canonical parse
 * — must pass; cases of schemes we do not support are skipped with a message naming the scheme. Skipped as a whole,
 * with a message, when the corpus is absent.
 */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const testsDir = path.resolve(repoRoot, process.env.ACCORD_CONFORMANCE_DIR ?? '../shared/testdata', 'vers', 'tests');
const present = fs.existsSync(testsDir);
if (!present) console.log(`vers conformance tests not found at ${testsDir}: skipping them`);

interface Case {
  file: string;
  index: number;
  type: string;
  scheme: string;
  test: Json;
}

const schemeFromVers = (s: unknown): string => (typeof s === 'string' ? (/^vers:([^/]*)\//i.exec(s)?.[1] ?? '') : '');

function schemeOfCase(t: Json): string {
  switch (t.test_type) {
    case 'comparison':
    case 'equality':
      return String(t.input.input_scheme);
    case 'containment':
      return schemeFromVers(t.input.vers);
    case 'from_native':
      return String(t.input.scheme);
    case 'validate':
    case 'parse':
      return schemeFromVers(t.input);
    default:
      return '';
  }
}

function load(): Case[] {
  return fs
    .readdirSync(testsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((file) =>
      (JSON.parse(fs.readFileSync(path.join(testsDir, file), 'utf8')).tests as Json[]).map((test, index) => ({
        file,
        index,
        type: String(test.test_type),
        scheme: schemeOfCase(test),
        test,
      })),
    );
}

/** Whether we run a case: its scheme is supported for its kind of test. */
function supported(c: Case): boolean {
  if (c.type === 'from_native') return nativeSchemes.includes(c.scheme);
  if (c.type === 'parse') return true; // the canonical syntax is scheme-independent (ordering uses the scheme)
  return schemeOf(c.scheme) !== undefined;
}

function run(c: Case): void {
  const t = c.test;
  const scheme = schemeOf(c.scheme);
  const cmp = scheme ? (a: string, b: string) => scheme.compare(a, b) : undefined;
  const normal = (v: string) => scheme?.normalize?.(v) ?? v;
  const expectFailure = (fn: () => unknown) => {
    let message = '';
    expect(() => {
      try {
        fn();
      } catch (e) {
        message = (e as Error).message;
        throw e;
      }
    }).toThrow();
    if (t.expected_message) expect(message).toContain(t.expected_message);
  };
  switch (c.type) {
    case 'comparison':
      expect([...(t.input.versions as string[])].sort(cmp).map(normal)).toEqual(
        (t.expected_output as string[]).map(normal),
      );
      return;
    case 'equality': {
      const [a, b] = t.input.versions as [string, string];
      expect(cmp!(a, b) === 0).toBe(t.expected_output);
      return;
    }
    case 'containment':
      if (t.expected_failure) expectFailure(() => versContains(t.input.vers, t.input.version));
      else expect(versContains(t.input.vers, t.input.version)).toBe(t.expected_output);
      return;
    case 'from_native':
      if (t.expected_failure) expectFailure(() => rangeFromNative(c.scheme, t.input.native_range));
      else expect(rangeFromNative(c.scheme, t.input.native_range)).toBe(t.expected_output);
      return;
    case 'validate':
      if (t.expected_failure) expectFailure(() => canonicalVers(t.input));
      else expect(canonicalVers(t.input)).toBe(t.expected_output);
      return;
    case 'parse': {
      if (t.expected_failure) {
        expectFailure(() => parseCanonicalVers(t.input));
        return;
      }
      const v = parseCanonicalVers(t.input);
      expect({
        scheme: v.scheme,
        version_constraints: v.star ? [['*', '']] : v.constraints.map((x) => [x.comparator, x.version]),
      }).toEqual(t.expected_output);
      return;
    }
    default:
      throw new Error(`${c.file}: test type "${c.type}" is not known to this runner`);
  }
}

describe.skipIf(!present)('vers conformance tests', () => {
  const cases = present ? load() : [];
  const runnable = cases.filter(supported);
  const skipped = cases.filter((c) => !supported(c));

  it('is loaded, and says which schemes it skips', () => {
    expect(runnable.length).toBeGreaterThan(1500);
    const bySchemes = new Map<string, number>();
    for (const c of skipped)
      bySchemes.set(`${c.scheme} (${c.type})`, (bySchemes.get(`${c.scheme} (${c.type})`) ?? 0) + 1);
    console.log(
      `vers tests: ${runnable.length} run, ${skipped.length} skipped: versioning schemes not supported: ${[...bySchemes]
        .map(([k, n]) => `${k} ×${n}`)
        .join(', ')}`,
    );
    // Every file of a scheme we claim runs in full.
    for (const c of skipped) expect(supported(c)).toBe(false);
  });

  it.each(runnable.map((c) => [`${c.file} #${c.index} ${c.type} [${c.scheme}]: ${JSON.stringify(c.test.input)}`, c]))(
    '%s',
    (_name, c) => run(c),
  );

  it.skip.each([...new Set(skipped.map((c) => `${c.scheme} (${c.file})`))])(
    'versioning scheme not supported, skipped: %s',
    () => undefined,
  );
});

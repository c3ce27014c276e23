/**
 * CSAF 2.0 validation with the maintained BSI/Secvisogram validator library (`@secvisogram/csaf-validator-lib`):
 * the strict CSAF 2.0 JSON schema and every mandatory test (6.1.x) give errors, the recommended tests (6.2.x, the
 * library's "optional" module) warnings, and the informative tests (6.3.x) infos.
 *
 * - Three informative tests are not run because validation does no I/O (`csafTestsNotRun`); the others are
 *   imported one by one so that the network and process code of those three is not even loaded.
 * - The library compiles dozens of JSON schemas when it is loaded (seconds on a busy machine), so it is imported
 *   on the first CSAF validation, not when this module is.
 * - Two mandatory tests are corrected where the library disagrees with the OASIS test corpus (`corrections`).
 */
import type { CsafMessage, CsafTestResult, DocumentTest } from '@secvisogram/csaf-validator-lib/lib/shared/types.js';
import type { Finding } from './findings.ts';

/** `mandatoryTest_6_1_27_3` → `6.1.27.3`; the schema test is `schema`. */
export function csafTestId(name: string): string {
  const m = /_(\d+(?:_\d+)+)$/.exec(name);
  return m?.[1] !== undefined ? m[1].replace(/_/g, '.') : 'schema';
}

/** Tests that are not run, with the reason (the conformance test prints it). */
export const csafTestsNotRun: Readonly<Record<string, string>> = {
  '6.3.6': 'the library sends an HTTP request to every URL that does not point to the document itself',
  '6.3.7': 'the library sends an HTTP request to the URLs that point to the document itself',
  '6.3.8': 'spell check: the library runs the hunspell program',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * 6.1.21 (missing item in revision history) sorts the history by date. The library's sort keeps the document's
 * order for items with the same date, so a history listing "2" before "1" on one day fails, although the OASIS
 * corpus lists such documents as valid (6-1-14-12, 6-1-16-16, 6-1-16-17). Items of the same date are put in
 * version order before the library's test sees them; its findings name only the history itself, so paths hold.
 */
function sameDateInVersionOrder(doc: unknown): unknown {
  const tracking = isObject(doc) && isObject(doc.document) ? doc.document.tracking : undefined;
  if (!isObject(tracking) || !Array.isArray(tracking.revision_history)) return doc;
  const history: unknown[] = tracking.revision_history;
  if (!history.every((r) => isObject(r) && typeof r.number === 'string' && typeof r.date === 'string')) return doc;
  const items = history as { date: string; number: string }[];
  // Grouped by date in first-seen order, each group in version order; the library's stable sort by date keeps it.
  const byDate = new Map<number, { date: string; number: string }[]>();
  for (const item of items) {
    const key = Date.parse(item.date);
    byDate.set(key, [...(byDate.get(key) ?? []), item]);
  }
  const grouped = [...byDate.entries()].flatMap(([, group]) =>
    group.sort((a, b) => Number.parseInt(a.number, 10) - Number.parseInt(b.number, 10)),
  );
  const document = doc as { document: Record<string, unknown> };
  return { ...document, document: { ...document.document, tracking: { ...tracking, revision_history: grouped } } };
}

const PROFILE_CATEGORIES = [
  'csaf_base',
  'csaf_security_incident_response',
  'csaf_informational_advisory',
  'csaf_security_advisory',
  'csaf_vex',
];

/**
 * 6.1.26 (prohibited document category name): besides the profile names without their `csaf_` prefix, which the
 * library checks, a category that equals another profile's full name once hyphens, underscores and white space
 * are removed (e.g. `csafsecurityadvisory`) is prohibited too — the OASIS corpus' failing example 6-1-26-04.
 */
function prohibitedFullProfileName(doc: unknown): CsafTestResult {
  const category = isObject(doc) && isObject(doc.document) ? doc.document.category : undefined;
  if (typeof category !== 'string' || PROFILE_CATEGORIES.includes(category)) return { isValid: true };
  const squash = (s: string) => s.replace(/[-_\s]+/g, '').toLowerCase();
  const hit = PROFILE_CATEGORIES.filter((p) => p !== 'csaf_base').find((p) => squash(p) === squash(category));
  if (hit === undefined) return { isValid: true };
  return {
    isValid: false,
    errors: [{ instancePath: '/document/category', message: `value prohibited: it is the name of profile ${hit}` }],
  };
}

interface Suite {
  schema: DocumentTest;
  mandatory: DocumentTest[];
  recommended: DocumentTest[];
  informative: DocumentTest[];
}

let suite: Promise<Suite> | undefined;

const byNumber = (a: DocumentTest, b: DocumentTest) => a.name.localeCompare(b.name, 'en', { numeric: true });

/** A test under the library test's name (the name is the test id) that runs `run`. */
function named(name: string, run: DocumentTest): DocumentTest {
  Object.defineProperty(run, 'name', { value: name });
  return run;
}

/** The test functions of a module namespace (dynamic imports may add a synthetic `default`). */
const testsOf = (module: object): DocumentTest[] =>
  Object.values(module).filter((t): t is DocumentTest => typeof t === 'function');

async function loadSuite(): Promise<Suite> {
  const [schemaTests, mandatory, recommended, ...informative] = await Promise.all([
    import('@secvisogram/csaf-validator-lib/schemaTests.js'),
    import('@secvisogram/csaf-validator-lib/mandatoryTests.js'),
    import('@secvisogram/csaf-validator-lib/optionalTests.js'),
    import('@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_1.js'),
    import('@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_2.js'),
    import('@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_3.js'),
    import('@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_4.js'),
    import('@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_5.js'),
    import('@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_9.js'),
    import('@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_10.js'),
    import('@secvisogram/csaf-validator-lib/lib/informativeTests/informativeTest_6_3_11.js'),
  ]);
  const corrected = testsOf(mandatory).map((test) => {
    const id = csafTestId(test.name);
    if (id === '6.1.21') return named(test.name, (doc) => test(sameDateInVersionOrder(doc)));
    if (id === '6.1.26') {
      return named(test.name, async (doc) => {
        const [lib, ours] = [await test(doc), prohibitedFullProfileName(doc)];
        return lib.isValid === false ? lib : ours;
      });
    }
    return test;
  });
  return {
    schema: schemaTests.csaf_2_0_strict,
    mandatory: corrected.sort(byNumber),
    recommended: testsOf(recommended).sort(byNumber),
    informative: informative.map((m) => m.default).sort(byNumber),
  };
}

export interface CsafOptions {
  /** Run the recommended tests (6.2.x); their findings are warnings. Default true. */
  recommended?: boolean;
  /** Run the informative tests (6.3.x) that need no I/O; their findings are infos. Default true. */
  informative?: boolean;
}

function toFindings(test: string, messages: readonly CsafMessage[] | undefined, severity: Finding['severity']) {
  return (messages ?? []).map((m): Finding => ({ path: m.instancePath, message: m.message, test, severity }));
}

async function runAll(tests: readonly DocumentTest[], doc: unknown, severity: Finding['severity'], out: Finding[]) {
  for (const test of tests) {
    const r = await test(doc);
    const id = csafTestId(test.name);
    const before = out.length;
    // The library files its messages under errors, warnings or infos by its own judgement; the test's group
    // decides how much they weigh here, except that a mandatory test's warnings stay warnings.
    out.push(...toFindings(id, r.errors, severity));
    out.push(...toFindings(id, r.warnings, severity === 'error' ? 'warning' : severity));
    out.push(...toFindings(id, r.infos, 'info'));
    if (r.isValid === false && out.length === before) {
      out.push({ path: '', message: 'the document fails this test', test: id, severity });
    }
  }
}

/**
 * Validates a CSAF 2.0 document. The mandatory tests are written for schema-valid input but guard what they read,
 * so they all run even on a document that fails the schema, and every problem is reported at once.
 */
export async function validateCsaf(doc: unknown, options: CsafOptions = {}): Promise<Finding[]> {
  suite ??= loadSuite();
  const s = await suite;
  const findings: Finding[] = [];
  await runAll([s.schema], doc, 'error', findings);
  await runAll(s.mandatory, doc, 'error', findings);
  if (options.recommended !== false) await runAll(s.recommended, doc, 'warning', findings);
  if (options.informative !== false) await runAll(s.informative, doc, 'info', findings);
  return findings;
}

/** The test ids this validator runs, by group, in order (loads the library). */
export async function csafTestIds(): Promise<{ mandatory: string[]; recommended: string[]; informative: string[] }> {
  suite ??= loadSuite();
  const s = await suite;
  const ids = (tests: DocumentTest[]) => tests.map((t) => csafTestId(t.name));
  return { mandatory: ids(s.mandatory), recommended: ids(s.recommended), informative: ids(s.informative) };
}

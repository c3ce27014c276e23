import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { csafTestIds } from '../../formats/csaf.ts';
import { validateDocument } from '../../formats/validate.ts';
import { mapImportDocument } from './commands.ts';
import { resolvePlan, type CaseParticipantInfo, type ImportDocument } from './rules.ts';

/**
 * Imports over the conformance corpora in ACCORD_CONFORMANCE_DIR (default ../shared/testdata), each skipped with a
 * message when absent: every OASIS CSAF 2.0 example maps without a crash and accounts for every product status
 * (mapped into the matrix, or in the unmapped report with its path); the CSAF documents the OASIS test cases list
 * as failing a mandatory test are refused with the validator's findings; the CVE 5 examples and the OSV linter
 * records import (or, when invalid, are refused).
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const corpusDir = path.resolve(repoRoot, process.env.ACCORD_CONFORMANCE_DIR ?? '../shared/testdata');

function corpus(sub: string): string | undefined {
  const dir = path.join(corpusDir, sub);
  if (fs.existsSync(dir)) return dir;
  console.log(`conformance corpus ${dir} not found: skipping its import tests`);
  return undefined;
}

const readJson = (file: string): Json => JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
const jsonFiles = (dir: string | undefined, sub = ''): string[] =>
  dir === undefined || !fs.existsSync(path.join(dir, sub))
    ? []
    : fs
        .readdirSync(path.join(dir, sub))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(sub, f));

/** Every vendor the document names, as a vendor participant: so that mapping, not matching, is what is tested. */
function everyVendor(doc: ImportDocument): CaseParticipantInfo[] {
  const names = [...new Set(doc.products.map((p) => p.vendor).filter((v): v is string => v !== null))];
  return names.map((orgName, i) => ({ id: `p-${i}`, orgName, role: 'vendor', products: [] }));
}

/** Paths of the document's statements that neither became a status nor were reported. */
function unaccounted(doc: ImportDocument, expected: string[], participants: CaseParticipantInfo[]): string[] {
  const plan = resolvePlan(doc, participants);
  const seen = new Set([...plan.statuses.flatMap((s) => s.sources), ...plan.unmapped.map((u) => u.path)]);
  return expected.filter((p) => !seen.has(p));
}

const csafExamples = corpus('csaf-2.0/examples/csaf');

describe.skipIf(csafExamples === undefined)('CSAF 2.0: OASIS examples import (dry run)', { timeout: 240_000 }, () => {
  beforeAll(() => csafTestIds(), 240_000);
  const files = [...jsonFiles(csafExamples), ...jsonFiles(csafExamples, 'csaf_vex')];

  it.each(files)('%s: every product status is mapped or reported', async (f) => {
    const document = readJson(path.join(csafExamples ?? '', f));
    const { doc } = await mapImportDocument(document);
    const expected = ((document.vulnerabilities as Json[] | undefined) ?? []).flatMap((v, i) =>
      Object.entries((v.product_status ?? {}) as Record<string, string[]>).flatMap(([group, ids]) =>
        ids.map((_, j) => `/vulnerabilities/${i}/product_status/${group}/${j}`),
      ),
    );
    expect(unaccounted(doc, expected, everyVendor(doc))).toEqual([]);
    expect(unaccounted(doc, expected, [])).toEqual([]);
    // With its vendors taking part, what the example states becomes statuses (the examples all name their vendors).
    const plan = resolvePlan(doc, everyVendor(doc));
    if (expected.some((p) => !p.includes('/recommended/'))) expect(plan.statuses.length).toBeGreaterThan(0);
    for (const s of plan.statuses)
      expect(['affected', 'not_affected', 'fixed', 'under_investigation']).toContain(s.status);
  });
});

const csafData = corpus('csaf-2.0/test/validator/data');

describe.skipIf(csafData === undefined)(
  'CSAF 2.0: documents failing a mandatory test are refused',
  { timeout: 240_000 },
  () => {
    beforeAll(() => csafTestIds(), 240_000);
    const cases = csafData
      ? (readJson(path.join(csafData, 'testcases.json')).tests as Json[])
          .filter((c) => c.group === 'mandatory')
          .flatMap((c) => ((c.failures ?? []) as Json[]).map((x) => [c.id as string, x.name as string] as const))
      : [];

    it('refuses each with the findings of that test', async () => {
      expect(cases.length).toBeGreaterThan(50);
      const problems: string[] = [];
      for (const [id, name] of cases) {
        try {
          await mapImportDocument(readJson(path.join(csafData ?? '', name)));
          problems.push(`${name}: imported`);
        } catch (err) {
          const e = err as { code?: string; details?: { findings?: { test?: string }[] } };
          if (e.code !== 'ERR_VALIDATION') problems.push(`${name}: ${String(err)}`);
          else if (!e.details?.findings?.some((x) => x.test === id)) problems.push(`${name}: no finding of test ${id}`);
        }
      }
      expect(problems).toEqual([]);
    });
  },
);

const cveDir = corpus('cve-5');

describe.skipIf(cveDir === undefined)('CVE JSON 5.1.1 examples import', () => {
  it.each(jsonFiles(cveDir).filter((f) => f.includes('example')))('%s', async (f) => {
    const document = readJson(path.join(cveDir ?? '', f));
    const { doc } = await mapImportDocument(document);
    expect(doc.vulnerabilities).toHaveLength(1);
    const cna = (document.containers?.cna ?? document) as Json;
    const base = document.containers ? '/containers/cna' : '';
    const expected = ((cna.affected ?? []) as Json[]).map((_, i) => `${base}/affected/${i}`);
    expect(doc.statements.length + doc.unmapped.filter((u) => u.path.includes('/affected/')).length).toBe(
      expected.length,
    );
    expect(unaccounted(doc, expected, everyVendor(doc))).toEqual([]);
  });
});

const osvDir = corpus('osv/linter-testdata');

describe.skipIf(osvDir === undefined)('OSV linter records import, or are refused when invalid', () => {
  it.each(jsonFiles(osvDir))('%s', async (f) => {
    const document = readJson(path.join(osvDir ?? '', f));
    const validation = await validateDocument(document, 'osv');
    if (!validation.valid) {
      await expect(mapImportDocument(document)).rejects.toMatchObject({
        code: 'ERR_VALIDATION',
        details: { format: 'osv', findings: expect.arrayContaining([expect.objectContaining({ severity: 'error' })]) },
      });
      return;
    }
    const { doc } = await mapImportDocument(document);
    const expected = ((document.affected ?? []) as Json[]).map((_, i) => `/affected/${i}`);
    // Without a directory, no package finds a vendor: every one is reported.
    expect(unaccounted(doc, expected, [])).toEqual([]);
  });
});

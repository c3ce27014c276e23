import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { csafTestIds, csafTestsNotRun } from './csaf.ts';
import { cveShape } from './schemas.ts';
import { type DocumentKind, detectKind, validateDocument } from './validate.ts';

/**
 * Conformance over the corpora in ACCORD_CONFORMANCE_DIR (default ../shared/testdata), each skipped with a message
 * when absent: the OASIS CSAF 2.0 validator test cases (`csaf-2.0/test/validator/data/testcases.json`) and
 * examples, the CVE JSON 5.1.1 examples, the OSV linter test records and the OpenVEX examples.
 */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const corpusDir = path.resolve(repoRoot, process.env.ACCORD_CONFORMANCE_DIR ?? '../shared/testdata');

function corpus(sub: string): string | undefined {
  const dir = path.join(corpusDir, sub);
  if (fs.existsSync(dir)) return dir;
  console.log(`conformance corpus ${dir} not found: skipping its tests`);
  return undefined;
}

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));
const jsonFiles = (dir: string | undefined) =>
  dir === undefined
    ? []
    : fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort();

const csafData = corpus('csaf-2.0/test/validator/data');

interface CsafCase {
  id: string;
  group: 'mandatory' | 'optional' | 'informative';
  failures?: { name: string }[];
  valid?: { name: string }[];
}
const csafCases: CsafCase[] =
  csafData === undefined ? [] : (readJson(path.join(csafData, 'testcases.json')) as { tests: CsafCase[] }).tests;
const runCases = csafCases.filter((c) => !(c.id in csafTestsNotRun));
const skippedCases = csafCases
  .filter((c) => c.id in csafTestsNotRun)
  .map((c) => ({ ...c, why: csafTestsNotRun[c.id] }));

describe.skipIf(csafData === undefined)('CSAF 2.0: OASIS validator test cases', () => {
  // The validator library compiles its schemas when first loaded, which takes seconds on a busy machine.
  beforeAll(() => csafTestIds(), 180_000);

  it.skip.each(skippedCases)('$id: not run ($why)', () => {});

  it.each(runCases)('$id ($group): failing documents fail it, valid ones pass', async (c) => {
    const problems: string[] = [];
    for (const { name } of c.failures ?? []) {
      const result = await validateDocument(readJson(path.join(csafData ?? '', name)), 'csaf');
      const mine = result.findings.filter((f) => f.test === c.id);
      if (mine.length === 0) problems.push(`${name}: expected a finding of test ${c.id}, got none`);
      // A failed mandatory test makes the document invalid; recommended and informative ones do not.
      if (c.group === 'mandatory' && result.valid) problems.push(`${name}: should be invalid`);
      if (c.group === 'optional' && mine.some((f) => f.severity !== 'warning')) problems.push(`${name}: not a warning`);
    }
    for (const { name } of c.valid ?? []) {
      const result = await validateDocument(readJson(path.join(csafData ?? '', name)), 'csaf');
      const wrong = result.findings.filter((f) => f.test === c.id || f.severity === 'error');
      if (!result.valid || wrong.length > 0) problems.push(`${name}: expected valid, got ${JSON.stringify(wrong)}`);
    }
    expect(problems).toEqual([]);
  });

  it('runs every mandatory test the corpus has', async () => {
    const ids = await csafTestIds();
    const corpusMandatory = csafCases.filter((c) => c.group === 'mandatory').map((c) => c.id);
    expect(corpusMandatory.filter((id) => !ids.mandatory.includes(id))).toEqual([]);
    const corpusRecommended = csafCases.filter((c) => c.group === 'optional').map((c) => c.id);
    expect(corpusRecommended.filter((id) => !ids.recommended.includes(id))).toEqual([]);
  });
});

const csafExamples = corpus('csaf-2.0/examples/csaf');

describe.skipIf(csafExamples === undefined)('CSAF 2.0: OASIS examples', () => {
  it.each(jsonFiles(csafExamples))('%s is detected as CSAF and passes the schema and mandatory tests', async (f) => {
    const doc = readJson(path.join(csafExamples ?? '', f));
    expect(detectKind(doc)).toBe('csaf');
    const result = await validateDocument(doc);
    expect(result.findings.filter((x) => x.severity === 'error')).toEqual([]);
    expect(result).toMatchObject({ kind: 'csaf', valid: true });
  });
});

const cveDir = corpus('cve-5');

describe.skipIf(cveDir === undefined)('CVE JSON 5.1.1: examples', () => {
  const examples = jsonFiles(cveDir).filter((f) => f.includes('example'));

  it('has full-record and CNA-container examples', () => {
    expect(examples.map((f) => cveShape(readJson(path.join(cveDir ?? '', f)))).sort()).toEqual([
      'cna-published',
      'cna-published',
      'record-published',
      'record-published',
    ]);
  });

  it.each(examples)('%s is detected as CVE and validates', async (f) => {
    const doc = readJson(path.join(cveDir ?? '', f));
    expect(detectKind(doc)).toBe('cve');
    expect(await validateDocument(doc)).toEqual({ kind: 'cve', valid: true, findings: [] });
  });

  it('names the path of what is wrong in a broken record', async () => {
    const doc = structuredClone(readJson(path.join(cveDir ?? '', 'CVEv5_basic-example.json'))) as {
      cveMetadata: Record<string, unknown>;
      containers: { cna: { affected: { versions: { status: string }[] }[]; descriptions?: unknown } };
    };
    doc.cveMetadata.cveId = 'CVE-22-1';
    const version = doc.containers.cna.affected[0]?.versions[0];
    if (version === undefined) throw new Error('example has no affected version');
    version.status = 'broken';
    delete doc.containers.cna.descriptions;
    const result = await validateDocument(doc);
    expect(result.valid).toBe(false);
    const paths = result.findings.map((f) => f.path);
    expect(paths).toContain('/cveMetadata/cveId');
    expect(paths).toContain('/containers/cna/affected/0/versions/0/status');
    expect(paths).toContain('/containers/cna/descriptions');
    expect(result.findings.find((f) => f.path === '/containers/cna/affected/0/versions/0/status')?.message).toBe(
      'must be one of "affected", "unaffected", "unknown"',
    );
  });

  it('checks a rejected record against the rejected branch only', async () => {
    const record = {
      dataType: 'CVE_RECORD',
      dataVersion: '5.1',
      cveMetadata: {
        cveId: 'CVE-2024-12345',
        assignerOrgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6',
        state: 'REJECTED',
      },
      containers: {
        cna: {
          providerMetadata: { orgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6' },
          rejectedReasons: [{ lang: 'en', value: 'Duplicate of CVE-2024-12344.' }],
        },
      },
    };
    expect(cveShape(record)).toBe('record-rejected');
    expect(await validateDocument(record)).toEqual({ kind: 'cve', valid: true, findings: [] });
    const broken = { ...record, containers: { cna: { ...record.containers.cna, rejectedReasons: [] } } };
    const result = await validateDocument(broken);
    expect(result.valid).toBe(false);
    expect([...new Set(result.findings.map((f) => f.path))]).toEqual(['/containers/cna/rejectedReasons']);
  });
});

const osvDir = corpus('osv/linter-testdata');

/** What the OSV linter's own tests say about its test records (offline checks; `nopackage-` needs the network). */
const osvExpected: Record<string, string[]> = {
  'nointroduced-CVE-2023-41045.json': ['RNG:001'],
  'nondistinct-CVE-2018-5407.json': ['RNG:002'],
};

describe.skipIf(osvDir === undefined)('OSV: linter test records', () => {
  it.each(jsonFiles(osvDir))('%s', async (f) => {
    const doc = readJson(path.join(osvDir ?? '', f));
    expect(detectKind(doc)).toBe('osv');
    const result = await validateDocument(doc);
    const linted = [...new Set(result.findings.map((x) => x.test).filter((t) => t !== 'schema'))];
    expect(linted).toEqual(osvExpected[f] ?? []);
    expect(result.valid).toBe(osvExpected[f] === undefined);
  });

  it('refuses an invalid package URL with the path to it', async () => {
    const doc = readJson(path.join(osvDir ?? '', 'GHSA-9v2f-6vcg-3hgv.json')) as {
      affected: { package: Record<string, string> }[];
    };
    const first = doc.affected[0];
    if (first === undefined) throw new Error('record has no affected entry');
    first.package.purl = 'pkg:pypi';
    const result = await validateDocument(doc);
    expect(result.valid).toBe(false);
    expect(result.findings).toContainEqual(
      expect.objectContaining({ path: '/affected/0/package/purl', test: 'P0003' }),
    );
  });
});

const openvexDir = corpus('openvex/examples');

describe.skipIf(openvexDir === undefined)('OpenVEX 0.2: examples', () => {
  it.each(jsonFiles(openvexDir))('%s is detected as OpenVEX and validates', async (f) => {
    const doc = readJson(path.join(openvexDir ?? '', f));
    expect(detectKind(doc)).toBe('openvex');
    expect(await validateDocument(doc)).toEqual({ kind: 'openvex', valid: true, findings: [] });
  });

  it('names the path of a bad status and a bad @id', async () => {
    const doc = structuredClone(readJson(path.join(openvexDir ?? '', 'v0.2.0.json'))) as {
      '@id': string;
      statements: { status: string }[];
    };
    doc['@id'] = 'not an iri';
    const statement = doc.statements[0];
    if (statement === undefined) throw new Error('example has no statement');
    statement.status = 'maybe';
    const result = await validateDocument(doc);
    expect(result.valid).toBe(false);
    expect(result.findings.map((f) => f.path)).toEqual(expect.arrayContaining(['/@id', '/statements/0/status']));
  });
});

describe('detectKind and validateDocument without a corpus', () => {
  const cases: [string, unknown, DocumentKind | undefined][] = [
    ['CSAF', { document: { csaf_version: '2.0' } }, 'csaf'],
    ['CVE record', { dataType: 'CVE_RECORD', cveMetadata: {} }, 'cve'],
    ['CVE CNA container', { providerMetadata: { orgId: 'x' }, affected: [] }, 'cve'],
    ['OpenVEX', { '@context': 'https://openvex.dev/ns/v0.2.0' }, 'openvex'],
    ['OSV', { id: 'GHSA-1', modified: '2024-01-01T00:00:00Z' }, 'osv'],
    ['something else', { name: 'x' }, undefined],
    ['an array', [], undefined],
    ['null', null, undefined],
  ];
  it.each(cases)('%s', (_name, doc, kind) => {
    expect(detectKind(doc)).toBe(kind);
  });

  it('refuses a document of no known kind with a message naming the kinds', async () => {
    await expect(validateDocument({ hello: 'world' })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringContaining('CSAF 2.0, CVE JSON 5, OSV or OpenVEX'),
    });
  });

  it('validates as the given kind even when the content says otherwise', async () => {
    const result = await validateDocument({ id: 'GHSA-1', modified: '2024-01-01T00:00:00Z' }, 'openvex');
    expect(result.kind).toBe('openvex');
    expect(result.valid).toBe(false);
    expect(result.findings.map((f) => f.path)).toContain('/@context');
  });

  it('reports every CSAF problem at once, schema and mandatory tests, with test ids', async () => {
    const result = await validateDocument({
      document: {
        category: 'csaf_base',
        csaf_version: '2.0',
        publisher: { category: 'vendor', name: 'Example', namespace: 'https://example.com' },
        title: 'Broken',
        tracking: {
          current_release_date: '2024-01-01T00:00:00Z',
          id: 'EX-1',
          initial_release_date: '2024-01-01T00:00:00Z',
          revision_history: [{ date: '2024-01-01T00:00:00Z', number: '3', summary: 'x' }],
          status: 'final',
          version: '3',
        },
      },
      product_tree: { full_product_names: [{ name: 'P', product_id: 'P1' }] },
      vulnerabilities: [{ product_status: { fixed: ['P2'] } }],
    });
    expect(result.valid).toBe(false);
    expect(result.findings).toContainEqual(
      expect.objectContaining({ test: '6.1.1', path: '/vulnerabilities/0/product_status/fixed/0', severity: 'error' }),
    );
    expect(result.findings).toContainEqual(expect.objectContaining({ test: '6.1.21', severity: 'error' }));
    expect(result.findings).toContainEqual(expect.objectContaining({ test: '6.2.1', severity: 'warning' }));
  });
});

// The `formats` suite of `npm run bench`: CVSS 4.0 scoring of every base vector (104,976, through parseCvss:
// parse, validate, normalize, score) and validation of a generated CSAF 2.0 document of 1,000 products and 50
// vulnerabilities (schema, every mandatory test, recommended and informative tests). In-process, no server.
// Run alone with `BENCH_SUITES=formats npm run bench`, or directly: `node bin/tsx.mjs bench/formats.ts`.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { validateDocument } from '../src/formats/validate.ts';
import { parseCvss } from '../src/scores/cvss.ts';
import { progress } from './proc.ts';

export interface FormatsResult {
  cvss4: {
    vectors: number;
    totalMs: number;
    /** CPU time of this process (user + system) over the same run: less sensitive to other load on the machine. */
    cpuMs: number;
    perVectorUs: number;
    targetMs: 2000;
    bySeverity: Record<string, number>;
  };
  csaf: {
    products: number;
    vulnerabilities: number;
    documentBytes: number;
    /** Loading the validator library (it compiles its JSON schemas), once per process. */
    libraryLoadMs: number;
    /** Median of `runs` validations of the same document, the library loaded. */
    validateMs: number;
    /** CPU time (user + system) of that median run. */
    validateCpuMs: number;
    runs: number;
    targetMs: 1000;
    valid: boolean;
    errors: number;
    warnings: number;
  };
}

/** Every CVSS 4.0 base vector: AV × AC × AT × PR × UI × VC × VI × VA × SC × SI × SA. */
export function* cvss4BaseVectors(): Generator<string> {
  const metrics: [string, string[]][] = [
    ['AV', ['N', 'A', 'L', 'P']],
    ['AC', ['L', 'H']],
    ['AT', ['N', 'P']],
    ['PR', ['N', 'L', 'H']],
    ['UI', ['N', 'P', 'A']],
    ['VC', ['H', 'L', 'N']],
    ['VI', ['H', 'L', 'N']],
    ['VA', ['H', 'L', 'N']],
    ['SC', ['H', 'L', 'N']],
    ['SI', ['H', 'L', 'N']],
    ['SA', ['H', 'L', 'N']],
  ];
  const idx = metrics.map(() => 0);
  for (;;) {
    yield `CVSS:4.0/${metrics.map(([k, vs], i) => `${k}:${vs[idx[i] ?? 0]}`).join('/')}`;
    let i = metrics.length - 1;
    while (i >= 0 && (idx[i] ?? 0) === (metrics[i]?.[1].length ?? 1) - 1) idx[i--] = 0;
    if (i < 0) return;
    idx[i] = (idx[i] ?? 0) + 1;
  }
}

function benchCvss4(): FormatsResult['cvss4'] {
  const bySeverity: Record<string, number> = {};
  let vectors = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const vector of cvss4BaseVectors()) {
    const r = parseCvss(vector);
    if (!r.ok) throw new Error(`${vector}: ${r.error}`);
    bySeverity[r.severity] = (bySeverity[r.severity] ?? 0) + 1;
    vectors++;
  }
  const totalMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    vectors,
    totalMs: round(totalMs),
    cpuMs: round((used.user + used.system) / 1000),
    perVectorUs: round((totalMs * 1000) / vectors),
    targetMs: 2000,
    bySeverity,
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * A CSAF 2.0 security advisory as a PSIRT with a large portfolio writes it: 10 vendors × 10 products × 10
 * versions (each with a package URL), 50 vulnerabilities with CVE, CWE, notes, CVSS 3.1 scores, product statuses
 * (known affected, fixed, known not affected), vendor-fix remediations and threats, and a revision history.
 */
export function generateCsaf(products = 1000, vulnerabilities = 50): Record<string, unknown> {
  const vendors = 10;
  const perVendor = Math.ceil(products / vendors);
  const names = 10;
  const versionsPer = Math.ceil(perVendor / names);
  const ids: string[] = [];
  const branches = Array.from({ length: vendors }, (_, v) => ({
    category: 'vendor',
    name: `Vendor ${v}`,
    branches: Array.from({ length: names }, (_, p) => ({
      category: 'product_name',
      name: `Product ${v}-${p}`,
      branches: Array.from({ length: versionsPer }, (_, n) => {
        const id = `CSAFPID-${v}-${p}-${n}`;
        ids.push(id);
        return {
          category: 'product_version',
          name: `${n + 1}.0.0`,
          product: {
            name: `Vendor ${v} Product ${v}-${p} ${n + 1}.0.0`,
            product_id: id,
            product_identification_helper: { purl: `pkg:generic/vendor-${v}/product-${v}-${p}@${n + 1}.0.0` },
          },
        };
      }),
    })),
  }));
  const vectors = [
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N',
    'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:N/A:N',
  ];
  const date = '2026-01-02T03:04:05.000Z';
  const vulns = Array.from({ length: vulnerabilities }, (_, i) => {
    // Each vulnerability touches one vendor's 100 versions: 60 affected, 30 fixed, 10 not affected.
    const own = ids.slice((i % vendors) * perVendor, (i % vendors) * perVendor + perVendor);
    const affected = own.slice(0, 60);
    const fixed = own.slice(60, 90);
    const notAffected = own.slice(90);
    const vector = vectors[i % vectors.length] ?? '';
    const cvss = parseCvss(vector);
    if (!cvss.ok || cvss.version === '4.0') throw new Error(vector);
    return {
      cve: `CVE-2026-${String(10000 + i)}`,
      cwe: {
        id: 'CWE-79',
        name: "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
      },
      title: `Vulnerability ${i}`,
      notes: [{ category: 'description', text: `Description of vulnerability ${i}.`, title: 'Description' }],
      product_status: { known_affected: affected, fixed, known_not_affected: notAffected },
      remediations: [
        {
          category: 'vendor_fix',
          details: 'Update to the fixed version.',
          product_ids: affected,
          url: `https://example.com/security/advisories/EX-2026-0001#vuln-${i}`,
        },
      ],
      scores: [
        {
          products: affected,
          cvss_v3: {
            version: '3.1',
            vectorString: cvss.vector,
            baseScore: cvss.scores.base,
            baseSeverity: cvss.severities.base,
          },
        },
      ],
      threats: [{ category: 'impact', details: 'An attacker can run code.', product_ids: affected }],
      references: [
        { category: 'external', summary: 'NVD', url: `https://nvd.nist.gov/vuln/detail/CVE-2026-${10000 + i}` },
      ],
    };
  });
  return {
    document: {
      category: 'csaf_security_advisory',
      csaf_version: '2.0',
      distribution: { tlp: { label: 'WHITE', url: 'https://www.first.org/tlp/' } },
      lang: 'en',
      notes: [{ category: 'summary', text: 'Many products are affected.', title: 'Summary' }],
      publisher: { category: 'vendor', name: 'Example PSIRT', namespace: 'https://example.com' },
      references: [
        {
          category: 'self',
          summary: 'Canonical URL',
          url: 'https://example.com/.well-known/csaf/white/2026/ex-2026-0001.json',
        },
      ],
      title: 'Example advisory with a large product tree',
      tracking: {
        current_release_date: date,
        generator: { date, engine: { name: 'Accord bench' } },
        id: 'EX-2026-0001',
        initial_release_date: date,
        revision_history: [{ date, number: '1', summary: 'Initial version.' }],
        status: 'final',
        version: '1',
      },
    },
    product_tree: { branches },
    vulnerabilities: vulns,
  };
}

async function benchCsaf(runs: number): Promise<FormatsResult['csaf']> {
  const doc = generateCsaf();
  const loadStart = performance.now();
  // The first validation loads the validator library; time it apart, on a tiny document.
  await validateDocument({ document: { csaf_version: '2.0' } }, 'csaf');
  const libraryLoadMs = performance.now() - loadStart;
  const times: [number, number][] = [];
  let last = await validateDocument(doc, 'csaf');
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    last = await validateDocument(doc, 'csaf');
    const used = process.cpuUsage(cpu);
    times.push([performance.now() - start, (used.user + used.system) / 1000]);
  }
  times.sort((a, b) => a[0] - b[0]);
  const median = times[Math.floor(times.length / 2)] ?? [0, 0];
  return {
    products: 1000,
    vulnerabilities: 50,
    documentBytes: JSON.stringify(doc).length,
    libraryLoadMs: round(libraryLoadMs),
    validateMs: round(median[0]),
    validateCpuMs: round(median[1]),
    runs,
    targetMs: 1000,
    valid: last.valid,
    errors: last.findings.filter((f) => f.severity === 'error').length,
    warnings: last.findings.filter((f) => f.severity === 'warning').length,
  };
}

export async function benchFormats(): Promise<FormatsResult> {
  progress('formats: scoring every CVSS 4.0 base vector');
  // One warm-up pass over a slice, so the first timed vectors do not pay for compiling the scorer.
  let warm = 0;
  for (const v of cvss4BaseVectors()) {
    parseCvss(v);
    if (++warm === 2000) break;
  }
  const cvss4 = benchCvss4();
  progress(
    `formats: ${cvss4.vectors} vectors in ${cvss4.totalMs} ms (CPU ${cvss4.cpuMs} ms); validating a 1,000-product CSAF document`,
  );
  const csaf = await benchCsaf(5);
  progress(`formats: CSAF validation ${csaf.validateMs} ms (library load ${csaf.libraryLoadMs} ms)`);
  return { cvss4, csaf };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await benchFormats(), null, 2)}\n`);
}

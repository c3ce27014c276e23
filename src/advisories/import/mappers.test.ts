import { describe, expect, it } from 'vitest';
import { toCsaf } from '../csaf.ts';
import { toCveRecord } from '../cve.ts';
import { toOsv } from '../osv.ts';
import { sampleAdvisory } from '../sample.ts';
import { fromCsaf } from './csaf.ts';
import { fromCve } from './cve.ts';
import { fromOsv, purlForPackage } from './osv.ts';
import { resolvePlan, type CaseParticipantInfo, type ImportDocument, type PlannedStatus } from './rules.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const assigner = { orgId: '6b8e2c1a-2f86-4a53-9d4c-3d1c7c5b1e11', shortName: 'example' };

/** ACME and Globex as vendor participants, with their directory products (package URL / CPE). */
const participants: CaseParticipantInfo[] = [
  {
    id: 'p-acme',
    orgName: 'ACME',
    role: 'vendor',
    products: [{ name: 'Helpdesk', identifier: 'pkg:npm/%40acme/helpdesk' }],
  },
  {
    id: 'p-globex',
    orgName: 'Globex',
    role: 'vendor',
    products: [
      { name: 'Ticket Bridge', identifier: 'pkg:pypi/ticket-bridge' },
      { name: 'Helpdesk Mobile', identifier: 'cpe:2.3:a:globex:helpdesk_mobile:*:*:*:*:*:*:*:*' },
    ],
  },
];

const row = (s: PlannedStatus) =>
  [s.vulnerability, s.vendor, s.product, s.status, s.justification ?? '', s.fixedVersions].join(' | ');

describe('CSAF 2.0 → plan', () => {
  const doc = fromCsaf(toCsaf(sampleAdvisory()));
  const plan = resolvePlan(doc, participants);

  it('takes vulnerabilities with CVE, CWE, CVSS 3.1, the CVSS 4.0 note, description and references', () => {
    expect(doc.sourceLabel).toBe('CSAF document ADV-2026-0001 (Example PSIRT)');
    expect(doc.vulnerabilities[0]).toEqual({
      key: 'CVE-2026-10001',
      path: '/vulnerabilities/0',
      cveId: 'CVE-2026-10001',
      title: 'Stored XSS in ticket comments',
      description: 'An SVG with an onload handler in a comment runs script in the agent’s browser.',
      cwe: 'CWE-79',
      cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N',
      cvssV4: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:H/VI:H/VA:N/SC:L/SI:L/SA:N',
      references: ['https://acme.example/kb/1234'],
    });
  });

  it('takes products from the vendor / product_name / product_version branches with purl and CPE', () => {
    expect(doc.products.map((p) => [p.id, p.vendor, p.name, p.version, p.purl, p.cpe])).toEqual([
      [
        'CSAFPID-0001',
        'ACME',
        'Helpdesk',
        '4.2.0',
        'pkg:npm/%40acme/helpdesk@4.2.0',
        'cpe:2.3:a:acme:helpdesk:4.2.0:*:*:*:*:*:*:*',
      ],
      ['CSAFPID-0002', 'ACME', 'Helpdesk', '4.2.1', 'pkg:npm/%40acme/helpdesk@4.2.1', null],
      ['CSAFPID-0003', 'Globex', 'Helpdesk Mobile', '', null, 'cpe:2.3:a:globex:helpdesk_mobile:*:*:*:*:*:*:*:*'],
      ['CSAFPID-0004', 'Globex', 'Ticket Bridge', '2.0', 'pkg:pypi/ticket-bridge@2.0', null],
    ]);
  });

  it('folds version statuses into one matrix status per vendor, product and vulnerability', () => {
    expect(plan.statuses.map(row)).toEqual([
      'CVE-2026-10001 | ACME | Helpdesk | affected |  | 4.2.1',
      'CVE-2026-10001 | Globex | Helpdesk Mobile | affected |  | ',
      'CVE-2026-10001 | Globex | Ticket Bridge | not_affected | component_not_present | ',
      'CVE-2026-10002 | ACME | Helpdesk | affected |  | 4.2.1',
      'CVE-2026-10002 | Globex | Helpdesk Mobile | under_investigation |  | ',
      'CVE-2026-10002 | Globex | Ticket Bridge | not_affected | vulnerable_code_not_present | ',
    ]);
    const [helpdesk, mobile, bridge] = plan.statuses;
    expect(helpdesk).toMatchObject({
      statement: 'Update to 4.2.1. https://acme.example/download',
      refs: ['https://acme.example/download'],
      sources: ['/vulnerabilities/0/product_status/known_affected/0', '/vulnerabilities/0/product_status/fixed/0'],
    });
    expect(mobile?.statement).toBe('No fix yet; disable comments.');
    expect(bridge?.statement).toBe('Bridge renders no HTML.');
    expect(plan.vendors).toEqual([
      { name: 'ACME', participantId: 'p-acme', orgName: 'ACME', matchedBy: 'name' },
      { name: 'Globex', participantId: 'p-globex', orgName: 'Globex', matchedBy: 'name' },
    ]);
    expect(plan.unmapped).toEqual([]);
  });

  it('reports a vendor that is not a participant for each of its statuses, and never matches a non-vendor role', () => {
    const onlyAcme = resolvePlan(doc, [
      participants[0]!,
      { id: 'p-g', orgName: 'globex', role: 'coordinator', products: [] },
    ]);
    expect(onlyAcme.statuses.every((s) => s.vendor === 'ACME')).toBe(true);
    expect(onlyAcme.unmapped).toContainEqual({
      path: '/vulnerabilities/0/product_status/known_affected/1',
      reason: 'Globex takes part in the case as coordinator, not as vendor: statuses are stated by vendors',
    });
    expect(resolvePlan(doc, [], ['acme']).unmapped[0]?.reason).toBe(
      'vendor "ACME" is in the directory but not a vendor participant of the case, and no participant has this ' +
        'product in the directory: add it to the case as a vendor, then import again',
    );
    const none = resolvePlan(doc, []);
    expect(none.statuses).toEqual([]);
    expect(none.unmapped).toHaveLength(8);
    expect(none.unmapped[0]?.reason).toBe(
      'vendor "ACME" is neither a participant of the case nor in the directory, and no participant has this product ' +
        'in the directory: add it to the directory and the case, then import again',
    );
  });
});

/** A small CSAF document around one vulnerability, for the rules the sample does not show. */
function csafWith(productTree: Json, vulnerability: Json): Json {
  return {
    document: {
      category: 'csaf_vex',
      csaf_version: '2.0',
      publisher: { category: 'vendor', name: 'Upstream', namespace: 'https://upstream.example' },
      title: 'Upstream advisory',
      tracking: { id: 'UP-1' },
    },
    product_tree: productTree,
    vulnerabilities: [{ cve: 'CVE-2026-20001', ...vulnerability }],
  };
}

describe('CSAF 2.0 mapping rules', () => {
  const tree = {
    branches: [
      {
        category: 'vendor',
        name: 'ACME',
        branches: [
          {
            category: 'product_name',
            name: 'Router',
            branches: [
              { category: 'product_version', name: '1.0', product: { product_id: 'R1', name: 'ACME Router 1.0' } },
              { category: 'product_version', name: '1.1', product: { product_id: 'R2', name: 'ACME Router 1.1' } },
              {
                category: 'product_version_range',
                name: 'vers:all/*',
                product: { product_id: 'RALL', name: 'ACME Router' },
              },
            ],
          },
          { category: 'product_version', name: '3', product: { product_id: 'S3', name: 'ACME Switch 3' } },
        ],
      },
    ],
    full_product_names: [
      { product_id: 'LOOSE', name: 'Loose thing', product_identification_helper: { purl: 'pkg:npm/acme-lib@1.0.0' } },
      { product_id: 'NOBODY', name: 'Unknown thing' },
    ],
    product_groups: [{ group_id: 'G1', product_ids: ['R1', 'R2'] }],
    relationships: [
      {
        category: 'default_component_of',
        full_product_name: { product_id: 'R1-LIB', name: 'lib 2.0 as a component of ACME Router 1.0' },
        product_reference: 'LOOSE',
        relates_to_product_reference: 'R1',
      },
    ],
  };
  const acme: CaseParticipantInfo = {
    id: 'p-acme',
    orgName: 'Acme',
    role: 'vendor',
    products: [{ name: 'ACME library', identifier: 'pkg:npm/acme-lib@2.0.0' }],
  };
  const plan = (v: Json) => {
    const doc = fromCsaf(csafWith(tree, v));
    return { doc, plan: resolvePlan(doc, [acme]) };
  };

  it.each<[string, Json, string[]]>([
    ['known_affected → affected', { product_status: { known_affected: ['RALL'] } }, ['Router | affected | ']],
    [
      'first_affected and last_affected → affected',
      { product_status: { first_affected: ['R1'] } },
      ['Router | affected | '],
    ],
    [
      'fixed and first_fixed → fixed with the versions',
      { product_status: { fixed: ['R2'], first_fixed: ['R1'] } },
      ['Router | fixed | 1.1, 1.0'],
    ],
    ['under_investigation', { product_status: { under_investigation: ['R1'] } }, ['Router | under_investigation | ']],
    [
      'affected beside fixed versions → affected, fixed versions kept',
      { product_status: { known_affected: ['R1'], fixed: ['R2'] } },
      ['Router | affected | 1.1'],
    ],
    [
      'known_not_affected with a VEX flag given to a product group',
      {
        product_status: { known_not_affected: ['R1', 'R2'] },
        flags: [{ label: 'vulnerable_code_not_in_execute_path', group_ids: ['G1'] }],
      },
      ['Router | not_affected | vulnerable_code_not_in_execute_path'],
    ],
    [
      'a product without product_name branch: its name without vendor and version',
      { product_status: { known_affected: ['S3'] } },
      ['Switch | affected | '],
    ],
    [
      'a relationship: the platform product, the component as its version',
      { product_status: { fixed: ['R1-LIB'] } },
      ['Router | fixed | Loose thing'],
    ],
    [
      'a product outside any vendor branch, matched by its package URL in the directory',
      { product_status: { known_affected: ['LOOSE'] } },
      ['ACME library | affected | '],
    ],
  ])('%s', (_label, v, expected) => {
    const { plan: p } = plan(v);
    expect(p.unmapped).toEqual([]);
    expect(
      p.statuses.map((s) =>
        [s.product, s.status, s.status === 'not_affected' ? s.justification : s.fixedVersions].join(' | '),
      ),
    ).toEqual(expected);
  });

  it.each<[string, Json, { path: string; reason: RegExp }[]]>([
    [
      'a status on an unknown product id',
      { product_status: { known_affected: ['NOPE'] } },
      [
        {
          path: '/vulnerabilities/0/product_status/known_affected/0',
          reason: /no product in the product tree has the id "NOPE"/,
        },
      ],
    ],
    [
      'a product without vendor branch nor identifier',
      { product_status: { known_affected: ['NOBODY'] } },
      [
        {
          path: '/vulnerabilities/0/product_status/known_affected/0',
          reason: /names no vendor and has no package URL or CPE/,
        },
      ],
    ],
    [
      'recommended',
      { product_status: { recommended: ['R2'] } },
      [{ path: '/vulnerabilities/0/product_status/recommended/0', reason: /recommended version is not a status/ }],
    ],
    [
      'an invalid CVSS vector and CVSS v2',
      {
        scores: [
          {
            products: ['R1'],
            cvss_v3: { version: '3.1', vectorString: 'CVSS:3.1/AV:X', baseScore: 0, baseSeverity: 'NONE' },
          },
          { products: ['R1'], cvss_v2: { version: '2.0', vectorString: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', baseScore: 7.5 } },
        ],
      },
      [
        { path: '/vulnerabilities/0/scores/0/cvss_v3/vectorString', reason: /^CVSS vector invalid/ },
        { path: '/vulnerabilities/0/scores/1/cvss_v2', reason: /CVSS v2 is not kept/ },
      ],
    ],
    [
      'a CWE the catalogue does not know',
      { cwe: { id: 'CWE-99999999', name: 'Nothing' } },
      [{ path: '/vulnerabilities/0/cwe/id', reason: /./ }],
    ],
  ])('reports %s as unmapped with its path', (_label, v, expected) => {
    const { plan: p } = plan(v);
    expect(p.unmapped).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      expect(p.unmapped[i]?.path).toBe(e.path);
      expect(p.unmapped[i]?.reason).toMatch(e.reason);
    });
  });

  it('gives statuses the matrix needs a statement saying where they come from', () => {
    const { plan: p } = plan({ product_status: { known_affected: ['R1'], known_not_affected: ['S3'] } });
    expect(p.statuses.map((s) => s.statement)).toEqual([
      'Affected (1.0) according to CSAF document UP-1 (Upstream), which gives no remediation.',
      'Not affected according to CSAF document UP-1 (Upstream), which gives no justification.',
    ]);
  });
});

describe('CVE JSON 5 → plan', () => {
  const sample = sampleAdvisory();
  const record = toCveRecord(sample, sample.content.vulnerabilities[0]!, assigner);

  it('maps the record exported from the sample', () => {
    const doc = fromCve(record);
    expect(doc.vulnerabilities).toEqual([
      expect.objectContaining({
        key: 'CVE-2026-10001',
        cveId: 'CVE-2026-10001',
        title: 'Stored XSS in ticket comments',
        cwe: 'CWE-79',
        cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N',
        cvssV4: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:H/VI:H/VA:N/SC:L/SI:L/SA:N',
      }),
    ]);
    // CVE has "unaffected" only: a single unaffected version reads as fixed there (Ticket Bridge 2.0 was not affected).
    expect(resolvePlan(doc, participants).statuses.map(row)).toEqual([
      'CVE-2026-10001 | ACME | Helpdesk | affected |  | 4.2.1',
      'CVE-2026-10001 | Globex | Helpdesk Mobile | affected |  | ',
      'CVE-2026-10001 | Globex | Ticket Bridge | fixed |  | 2.0',
    ]);
    // The SSVC decision travels as an "other" metric, which the case does not keep.
    expect(doc.unmapped).toEqual([
      { path: '/containers/cna/metrics/2/other', reason: '"other" metrics are not kept in the case' },
    ]);
  });

  const cna = (affected: Json[]): Json => ({
    providerMetadata: { orgId: assigner.orgId },
    descriptions: [{ lang: 'en', value: 'A bug.' }],
    affected,
    references: [{ url: 'https://acme.example/patch', tags: ['patch'] }],
    solutions: [{ lang: 'en', value: 'Update.' }],
  });
  it.each<[string, Json, string]>([
    ['default affected', { defaultStatus: 'affected' }, 'affected | '],
    [
      'an affected range ends at the fixed version',
      {
        versions: [{ version: '1.0', lessThan: '1.4', status: 'affected', versionType: 'semver' }],
        defaultStatus: 'unaffected',
      },
      'affected | 1.4',
    ],
    [
      'changes to unaffected are fixed versions',
      {
        versions: [
          {
            version: '2.0',
            lessThan: '2.*',
            status: 'affected',
            versionType: 'semver',
            changes: [{ at: '2.3', status: 'unaffected' }],
          },
        ],
      },
      'affected | 2.3',
    ],
    [
      'single unaffected versions → fixed',
      { versions: [{ version: '3.1', status: 'unaffected' }], defaultStatus: 'unknown' },
      'fixed | 3.1',
    ],
    ['unaffected by default → not affected', { defaultStatus: 'unaffected' }, 'not_affected | '],
    ['unknown → under investigation', { defaultStatus: 'unknown' }, 'under_investigation | '],
  ])('%s', (_label, entry, expected) => {
    const doc = fromCve(cna([{ vendor: 'ACME', product: 'Router', ...entry }]));
    expect(doc.vulnerabilities[0]).toMatchObject({ key: '#1', cveId: null, title: 'A bug.' });
    const [s] = resolvePlan(doc, participants).statuses;
    expect(`${s?.status} | ${s?.fixedVersions}`).toBe(expected);
    if (s?.status === 'affected')
      expect(s).toMatchObject({ statement: 'Update.', refs: ['https://acme.example/patch'] });
  });

  it('reports ADP containers, entries without status, CVSS v2 and a rejected record', () => {
    const withAdp = {
      ...record,
      containers: { ...(record.containers as Json), adp: [{ providerMetadata: { orgId: assigner.orgId } }] },
    };
    expect(fromCve(withAdp).unmapped[0]).toMatchObject({ path: '/containers/adp/0' });
    const doc = fromCve({
      ...cna([{ vendor: 'ACME', product: 'Router' }]),
      metrics: [{ cvssV2_0: { vectorString: 'AV:N' } }],
    });
    expect(doc.unmapped.map((u) => u.path)).toEqual(['/metrics/0/cvssV2_0', '/affected/0']);
    const rejected = fromCve({
      dataType: 'CVE_RECORD',
      cveMetadata: { cveId: 'CVE-2026-1', state: 'REJECTED' },
      containers: { cna: { rejectedReasons: [] } },
    });
    expect(rejected.vulnerabilities).toEqual([]);
    expect(rejected.unmapped).toEqual([
      { path: '/cveMetadata/state', reason: 'a rejected CVE record has nothing to import' },
    ]);
  });
});

describe('OSV → plan', () => {
  const sample = sampleAdvisory();

  it('finds the vendor of a package by its package URL in the directory', () => {
    const doc = fromOsv(toOsv(sample, sample.content.vulnerabilities[0]!));
    expect(doc.vulnerabilities[0]).toMatchObject({ key: 'CVE-2026-10001', cwe: 'CWE-79' });
    const plan = resolvePlan(doc, participants);
    expect(plan.statuses.map(row)).toEqual(['CVE-2026-10001 | ACME | Helpdesk | fixed |  | 4.2.1']);
    expect(plan.vendors).toEqual([{ name: null, participantId: 'p-acme', orgName: 'ACME', matchedBy: 'identifier' }]);
  });

  it.each<[string, string, string | null]>([
    ['npm', '@acme/helpdesk', 'pkg:npm/%40acme/helpdesk'],
    ['PyPI', 'ticket-bridge', 'pkg:pypi/ticket-bridge'],
    ['Maven', 'org.acme:core', 'pkg:maven/org.acme/core'],
    ['Go', 'github.com/acme/tool', 'pkg:golang/github.com/acme/tool'],
    ['Debian:12', 'openssl', null],
  ])('%s %s has the package URL %s', (ecosystem, name, purl) => {
    expect(purlForPackage(ecosystem, name)).toBe(purl);
  });

  it('a package with a fix is fixed, one without is affected; unknown packages and severities are reported', () => {
    const doc: ImportDocument = fromOsv({
      id: 'GHSA-xxxx-yyyy-zzzz',
      modified: '2026-11-28T00:00:00Z',
      aliases: ['CVE-2026-30001'],
      summary: 'Bug',
      severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' }],
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'ticket-bridge' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.1' }] }],
        },
        { package: { ecosystem: 'PyPI', name: 'ticket-bridge-extra' }, versions: ['1.0'] },
        { package: { ecosystem: 'npm', name: 'helpdesk', purl: 'pkg:npm/%40acme/helpdesk' }, versions: ['4.2.0'] },
      ],
      references: [{ type: 'FIX', url: 'https://globex.example/fix' }],
    });
    const plan = resolvePlan(doc, participants);
    expect(plan.statuses.map(row)).toEqual([
      'CVE-2026-30001 | Globex | Ticket Bridge | fixed |  | 2.1',
      'CVE-2026-30001 | ACME | Helpdesk | affected |  | ',
    ]);
    expect(plan.statuses[0]?.refs).toEqual(['https://globex.example/fix']);
    expect(plan.unmapped.map((u) => u.path)).toEqual(['/severity/0', '/affected/1']);
  });
});

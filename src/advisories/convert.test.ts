import { describe, expect, it } from 'vitest';
import { validateDocument, type DocumentKind } from '../formats/validate.ts';
import { can } from '../policy/policy.ts';
import type { Actor } from '../policy/actor.ts';
import { renderExport, type ExportFormat } from './export.ts';
import { toCsaf } from './csaf.ts';
import { deriveContent } from './derive.ts';
import { toMarkdown } from './markdown.ts';
import { toOpenVex } from './openvex.ts';
import { toOsv } from './osv.ts';
import { changesCsv, indexTxt, providerMetadata, rolieFeed } from './provider.ts';
import { checkContent, csafFilename, diffContent, nextState, readinessProblems } from './rules.ts';
import { sampleAdvisory } from './sample.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const cve = { orgId: '6b8e2c1a-2f86-4a53-9d4c-3d1c7c5b1e11', shortName: 'example' };

// The first CSAF validation loads the validator library and compiles its schemas (slow on a busy machine).
describe('exports of a realistic multi-vendor advisory validate in every format', { timeout: 180_000 }, () => {
  const kinds: [ExportFormat, DocumentKind][] = [
    ['csaf', 'csaf'],
    ['csaf-vex', 'csaf'],
    ['cve', 'cve'],
    ['cve-cna', 'cve'],
    ['osv', 'osv'],
    ['openvex', 'openvex'],
  ];
  for (const state of ['published', 'draft'] as const) {
    it.each(kinds)(`%s (${state})`, async (format, kind) => {
      const doc = sampleAdvisory(state === 'draft' ? { state, pendingSummary: 'Add Ticket Bridge 2.1' } : {});
      const out = await renderExport(doc, format, { cve });
      expect(out.documents.length).toBeGreaterThan(0);
      for (const d of out.documents) {
        const result = await validateDocument(d, kind);
        expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
        expect(result.valid).toBe(true);
      }
    });
  }

  it('a never-published draft is a CSAF draft 0.1.0 that still validates', async () => {
    const doc = sampleAdvisory({ state: 'draft', revisions: [], initialReleaseAt: null, currentReleaseAt: null });
    const csaf = toCsaf(doc);
    expect(csaf.document).toMatchObject({ tracking: { status: 'draft', version: '0.1.0' } });
    expect((await validateDocument(csaf, 'csaf')).valid).toBe(true);
  });

  it('an invalid export is refused with the validator findings, not offered', async () => {
    const doc = sampleAdvisory();
    doc.content.vulnerabilities[0]!.cve = 'CVE-2026-10002'; // the same CVE twice: CSAF test 6.1.23
    await expect(renderExport(doc, 'csaf')).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      message: expect.stringContaining('CSAF 2.0 export is not valid'),
      details: {
        findings: expect.arrayContaining([expect.objectContaining({ test: expect.stringContaining('6.1.23') })]),
      },
    });
  });
});

describe('CSAF content', () => {
  const csaf: Json = toCsaf(sampleAdvisory());

  it('carries tracking, revision history, references, product ids, statuses, remediations, scores and acknowledgments', () => {
    expect(csaf.document.tracking).toMatchObject({
      id: 'ADV-2026-0001',
      status: 'final',
      version: '2.0.0',
      revision_history: [
        { number: '1.0.0', summary: 'Initial public release' },
        { number: '2.0.0', summary: 'Added Ticket Bridge' },
      ],
      initial_release_date: '2026-11-20T09:00:00.000Z',
    });
    expect(csaf.document.distribution.tlp.label).toBe('WHITE');
    expect(csaf.document.references[0]).toMatchObject({ category: 'self' });
    expect(csaf.document.acknowledgments).toEqual([
      { names: ['Alice Example'], summary: 'for reporting CVE-2026-10001' },
    ]);
    const acme = csaf.product_tree.branches[0];
    expect(acme).toMatchObject({ category: 'vendor', name: 'ACME' });
    expect(acme.branches[0].branches[0].product).toMatchObject({
      product_id: 'CSAFPID-0001',
      product_identification_helper: { purl: 'pkg:npm/%40acme/helpdesk@4.2.0' },
    });
    const v = csaf.vulnerabilities[0];
    expect(v.product_status).toEqual({
      known_affected: ['CSAFPID-0001', 'CSAFPID-0003'],
      fixed: ['CSAFPID-0002'],
      known_not_affected: ['CSAFPID-0004'],
    });
    expect(v.flags).toEqual([{ label: 'component_not_present', product_ids: ['CSAFPID-0004'] }]);
    expect(v.remediations[0]).toMatchObject({ category: 'vendor_fix', url: 'https://acme.example/download' });
    expect(v.scores[0].cvss_v3).toMatchObject({ baseScore: 8.7, baseSeverity: 'HIGH', version: '3.1' });
    expect(v.cwe).toEqual({ id: 'CWE-79', name: expect.stringContaining('Cross-site Scripting') });
    expect(v.notes.map((n: Json) => n.title)).toContain('CVSS v4.0');
  });

  it('names the file as CSAF asks and maps TLP:AMBER+STRICT to AMBER with the restriction spelled out', () => {
    expect(csafFilename('ACC-SA-2026-0001')).toBe('acc-sa-2026-0001.json');
    const amber: Json = toCsaf(sampleAdvisory({ tlp: 'AMBER+STRICT' }));
    expect(amber.document.distribution).toMatchObject({
      tlp: { label: 'AMBER' },
      text: expect.stringContaining('AMBER+STRICT'),
    });
  });
});

describe('OSV, OpenVEX and Markdown content', () => {
  it('OSV lists packages by purl ecosystem and keeps the products it cannot map', () => {
    const doc = sampleAdvisory();
    const osv: Json = toOsv(doc, doc.content.vulnerabilities[0]!);
    expect(osv.aliases).toEqual(['CVE-2026-10001']);
    expect(osv.affected[0]).toMatchObject({
      package: { ecosystem: 'npm', name: '@acme/helpdesk' },
      versions: ['4.2.0'],
    });
    expect(osv.database_specific.unmapped_products).toEqual(['Globex Helpdesk Mobile']);
  });

  it('OpenVEX gives justifications, impact and action statements per product', () => {
    const vex: Json = toOpenVex(sampleAdvisory());
    const notAffected = vex.statements.find((s: Json) => s.status === 'not_affected');
    expect(notAffected).toMatchObject({
      justification: 'component_not_present',
      impact_statement: 'Bridge renders no HTML.',
    });
    const affected = vex.statements.find((s: Json) => s.status === 'affected');
    expect(affected.action_statement).toContain('Update to 4.2.1.');
    expect(vex.version).toBe(2);
  });

  it('Markdown shows the statuses, remediations, credits and revision history', () => {
    const md = toMarkdown(sampleAdvisory());
    expect(md).toContain('## CVE-2026-10001: Stored XSS in ticket comments');
    expect(md).toContain('| ACME Helpdesk 4.2.1 | Fixed |');
    expect(md).toContain('Alice Example');
    expect(md).toContain('| 2.0.0 | 2026-11-25 | Added Ticket Bridge |');
  });
});

describe('advisory rules', () => {
  it('reports every problem with the field that causes it', () => {
    let problems: { field: string }[] = [];
    try {
      checkContent({
        title: 'ok title',
        publisher: { name: 'P', namespace: 'not a url' },
        products: [{ id: 'P1', vendor: 'A', name: 'B', purl: 'pkg:bad', cpe: 'cpe:2.3:a:x' }],
        vulnerabilities: [
          {
            title: 'T',
            description: 'D',
            cve: 'CVE-1',
            cwe: 'CWE-99999999',
            cvssV3: 'CVSS:3.1/AV:Q',
            statuses: [
              { productId: 'P1', status: 'known_not_affected' },
              { productId: 'P9', status: 'fixed' },
            ],
          },
        ],
      });
    } catch (err) {
      problems = (err as { details: { problems: { field: string }[] } }).details.problems;
    }
    expect(problems.map((p) => p.field).sort()).toEqual(
      [
        'publisher.namespace',
        'products[0].purl',
        'products[0].cpe',
        'vulnerabilities[0].cve',
        'vulnerabilities[0].cwe',
        'vulnerabilities[0].cvssV3',
        'vulnerabilities[0].statuses[0].justification',
        'vulnerabilities[0].statuses[1].productId',
      ].sort(),
    );
  });

  it('an affected product needs a remediation; review needs vulnerabilities, products and statuses', () => {
    expect(() =>
      checkContent({
        title: 'A title',
        publisher: { name: 'P', namespace: 'https://p.example' },
        products: [{ vendor: 'A', name: 'B' }],
        vulnerabilities: [
          { title: 'T', description: 'D', statuses: [{ productId: 'CSAFPID-0001', status: 'known_affected' }] },
        ],
      }),
    ).toThrow(/remediation/);
    const empty = checkContent({ title: 'A title', publisher: { name: 'P', namespace: 'https://p.example' } });
    expect(readinessProblems(empty).map((p) => p.field)).toEqual(['vulnerabilities', 'products', 'summary']);
  });

  it('the workflow goes draft → review → approved → published, and back to draft on return', () => {
    expect(nextState('draft', 'submit')).toBe('review');
    expect(nextState('review', 'approve')).toBe('approved');
    expect(nextState('approved', 'publish')).toBe('published');
    expect(nextState('review', 'return')).toBe('draft');
    expect(nextState('draft', 'publish')).toBeNull();
    expect(nextState('draft', 'approve')).toBeNull();
    expect(nextState('published', 'approve')).toBeNull();
  });

  it('approval is by a coordinator or admin other than the author and the submitter', () => {
    const user = (userId: string, staffRole: 'admin' | 'coordinator' | 'analyst' | 'viewer' | null): Actor =>
      ({
        kind: 'user',
        userId,
        staffRole,
        memberships: [],
        mfa: true,
      }) as unknown as Actor;
    const adv = { type: 'advisory', id: 'a', authorId: 'u1', submittedBy: 'u2' } as const;
    expect(can(user('u1', 'admin'), 'advisory:approve', adv)).toBe(false);
    expect(can(user('u2', 'coordinator'), 'advisory:approve', adv)).toBe(false);
    expect(can(user('u3', 'coordinator'), 'advisory:approve', adv)).toBe(true);
    expect(can(user('u3', 'analyst'), 'advisory:approve', adv)).toBe(false);
    expect(can(user('u3', 'analyst'), 'advisory:edit', adv)).toBe(true);
    expect(can(user('u3', 'viewer'), 'advisory:edit', adv)).toBe(false);
    expect(can(user('u3', 'viewer'), 'advisory:read', adv)).toBe(true);
    expect(can(user('u4', null), 'advisory:read', adv)).toBe(false);
  });

  it('diffs two versions field by field', () => {
    expect(
      diffContent({ title: 'a', products: [{ name: 'x' }] }, { title: 'b', products: [{ name: 'x' }, { name: 'y' }] }),
    ).toEqual([
      { path: 'title', before: 'a', after: 'b' },
      { path: 'products[1].name', before: undefined, after: 'y' },
    ]);
  });

  it('derives statuses, remediations and credit from a case, naming no anonymous finder', () => {
    const content = checkContent(
      deriveContent(
        {
          title: 'XSS in Helpdesk',
          summary: 'Summary',
          vulnerabilities: [
            {
              id: 'v1',
              title: 'XSS',
              description: '',
              cwe: 'CWE-79',
              cvssV3: null,
              cvssV4: null,
              cveId: 'CVE-2026-0001',
            },
          ],
          statuses: [
            {
              vulnerabilityId: 'v1',
              vendor: 'ACME',
              product: 'Helpdesk',
              status: 'affected',
              justification: null,
              statement: 'Disable comments.',
              fixedVersions: '4.2.1',
              refs: ['https://acme.example/fix'],
            },
            {
              vulnerabilityId: 'v1',
              vendor: 'Globex',
              product: 'Desk',
              status: 'not_affected',
              justification: 'component_not_present',
              statement: '',
              fixedVersions: '',
              refs: [],
            },
            {
              vulnerabilityId: 'v1',
              vendor: 'Initech',
              product: 'Tix',
              status: 'unknown',
              justification: null,
              statement: '',
              fixedVersions: '',
              refs: [],
            },
          ],
          credits: [
            { mode: 'name', value: 'Alice Example' },
            { mode: 'anonymous', value: 'Secret Person' },
          ],
        },
        { name: 'PSIRT', namespace: 'https://psirt.example', category: 'coordinator', contactDetails: '' },
      ),
    );
    expect(content.products.map((p) => `${p.vendor}/${p.name}`)).toEqual(['ACME/Helpdesk', 'Globex/Desk']);
    expect(content.vulnerabilities[0]!.statuses).toEqual([
      { productId: 'CSAFPID-0001', status: 'known_affected', justification: null, statement: 'Disable comments.' },
      {
        productId: 'CSAFPID-0002',
        status: 'known_not_affected',
        justification: 'component_not_present',
        statement: '',
      },
    ]);
    expect(content.vulnerabilities[0]!.remediations[0]).toMatchObject({
      category: 'vendor_fix',
      url: 'https://acme.example/fix',
    });
    expect(content.acknowledgements).toEqual([
      { names: ['Alice Example'], organization: null, summary: 'for reporting the vulnerability' },
    ]);
  });
});

describe('CSAF trusted provider documents', () => {
  const files = [
    {
      trackingId: 'A-1',
      title: 'One',
      tlp: 'CLEAR' as const,
      year: 2026,
      filename: 'a-1.json',
      initialReleaseAt: new Date('2026-01-01T00:00:00Z'),
      releasedAt: new Date('2026-01-02T00:00:00Z'),
      vendors: ['ACME'],
    },
    {
      trackingId: 'A-2',
      title: 'Two',
      tlp: 'CLEAR' as const,
      year: 2026,
      filename: 'a-2.json',
      initialReleaseAt: new Date('2026-02-01T00:00:00Z'),
      releasedAt: new Date('2026-02-01T00:00:00Z'),
      vendors: ['Globex'],
    },
  ];

  it('index.txt and changes.csv (newest first)', () => {
    expect(indexTxt(files)).toBe('2026/a-1.json\n2026/a-2.json\n');
    expect(changesCsv(files)).toBe(
      '"2026/a-2.json","2026-02-01T00:00:00.000Z"\n"2026/a-1.json","2026-01-02T00:00:00.000Z"\n',
    );
  });

  it('a ROLIE feed entry links the document, its hashes and its signature', () => {
    const feed: Json = rolieFeed('https://p.example', 'Example', 'CLEAR', files, new Date());
    expect(feed.feed.entry[0].link.map((l: Json) => l.href)).toEqual([
      'https://p.example/.well-known/csaf/white/2026/a-1.json',
      'https://p.example/.well-known/csaf/white/2026/a-1.json.sha256',
      'https://p.example/.well-known/csaf/white/2026/a-1.json.sha512',
      'https://p.example/.well-known/csaf/white/2026/a-1.json.asc',
    ]);
  });

  it('provider metadata names the role, the feeds per TLP and the signing key', () => {
    const meta: Json = providerMetadata({
      baseUrl: 'https://p.example',
      publisher: { name: 'Example', namespace: 'https://p.example', category: 'vendor', contactDetails: '' },
      keys: [{ fingerprint: 'A'.repeat(40) }],
      lastUpdated: new Date('2026-02-01T00:00:00Z'),
    });
    expect(meta).toMatchObject({ role: 'csaf_trusted_provider', metadata_version: '2.0' });
    expect(meta.distributions.map((d: Json) => d.rolie.feeds[0].tlp_label)).toEqual([
      'WHITE',
      'GREEN',
      'AMBER',
      'AMBER',
      'RED',
    ]);
    expect(meta.public_openpgp_keys[0].url).toBe(`https://p.example/.well-known/csaf/openpgp/${'A'.repeat(40)}.asc`);
  });
});

import { checkContent, type AdvisoryDocument } from './rules.ts';

/**
 * A realistic multi-vendor advisory (two vendors, three products with package URL and CPE, two
 * vulnerabilities with every status), used by the converter tests and the benchmark.
 */
export function sampleAdvisory(overrides: Partial<AdvisoryDocument> = {}): AdvisoryDocument {
  const content = checkContent({
    title: 'Stored XSS and path traversal in the Helpdesk family',
    lang: 'en',
    summary: 'Two vulnerabilities in **Helpdesk** and its mobile client allow account takeover. Update now.',
    publisher: {
      name: 'Example PSIRT',
      namespace: 'https://psirt.example.org',
      category: 'coordinator',
      contactDetails: 'psirt@example.org',
    },
    notes: [{ category: 'legal_disclaimer', title: 'Terms of use', text: 'Provided as is.' }],
    references: [{ url: 'https://acme.example/security/2026-01', summary: 'ACME bulletin', category: 'external' }],
    products: [
      {
        id: 'CSAFPID-0001',
        vendor: 'ACME',
        name: 'Helpdesk',
        version: '4.2.0',
        purl: 'pkg:npm/%40acme/helpdesk@4.2.0',
        cpe: 'cpe:2.3:a:acme:helpdesk:4.2.0:*:*:*:*:*:*:*',
      },
      {
        id: 'CSAFPID-0002',
        vendor: 'ACME',
        name: 'Helpdesk',
        version: '4.2.1',
        purl: 'pkg:npm/%40acme/helpdesk@4.2.1',
        cpe: null,
      },
      {
        id: 'CSAFPID-0003',
        vendor: 'Globex',
        name: 'Helpdesk Mobile',
        version: '',
        purl: null,
        cpe: 'cpe:2.3:a:globex:helpdesk_mobile:*:*:*:*:*:*:*:*',
      },
      {
        id: 'CSAFPID-0004',
        vendor: 'Globex',
        name: 'Ticket Bridge',
        version: '2.0',
        purl: 'pkg:pypi/ticket-bridge@2.0',
        cpe: null,
      },
    ],
    vulnerabilities: [
      {
        id: 'VULN-1',
        cve: 'CVE-2026-10001',
        title: 'Stored XSS in ticket comments',
        description: 'An SVG with an onload handler in a comment runs script in the agent’s browser.',
        cwe: 'CWE-79',
        cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N',
        cvssV4: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:H/VI:H/VA:N/SC:L/SI:L/SA:N',
        ssvc: {
          selections: [
            { namespace: 'ssvc', key: 'E', version: '1.1.0', values: [{ key: 'P' }] },
            { namespace: 'ssvc', key: 'A', version: '2.0.0', values: [{ key: 'N' }] },
          ],
          timestamp: '2026-11-01T00:00:00Z',
        },
        references: [{ url: 'https://acme.example/kb/1234', summary: 'Knowledge base', category: 'external' }],
        remediations: [
          {
            category: 'vendor_fix',
            details: 'Update to 4.2.1.',
            url: 'https://acme.example/download',
            productIds: ['CSAFPID-0001'],
          },
          { category: 'none_available', details: 'No fix yet; disable comments.', productIds: ['CSAFPID-0003'] },
        ],
        threats: [{ category: 'exploit_status', details: 'No exploitation known.', productIds: [] }],
        statuses: [
          { productId: 'CSAFPID-0001', status: 'known_affected', statement: 'Update to 4.2.1.' },
          { productId: 'CSAFPID-0002', status: 'fixed' },
          { productId: 'CSAFPID-0003', status: 'known_affected', statement: 'Disable comments.' },
          {
            productId: 'CSAFPID-0004',
            status: 'known_not_affected',
            justification: 'component_not_present',
            statement: 'Bridge renders no HTML.',
          },
        ],
      },
      {
        id: 'VULN-2',
        cve: 'CVE-2026-10002',
        title: 'Path traversal in attachment download',
        description: 'A crafted attachment name reads files outside the storage folder.',
        cwe: 'CWE-22',
        cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
        remediations: [{ category: 'vendor_fix', details: 'Update to 4.2.1.', productIds: ['CSAFPID-0001'] }],
        statuses: [
          { productId: 'CSAFPID-0001', status: 'known_affected' },
          { productId: 'CSAFPID-0002', status: 'fixed' },
          { productId: 'CSAFPID-0003', status: 'under_investigation' },
          { productId: 'CSAFPID-0004', status: 'known_not_affected', justification: 'vulnerable_code_not_present' },
        ],
      },
    ],
    acknowledgements: [{ names: ['Alice Example'], summary: 'for reporting CVE-2026-10001' }],
  });
  return {
    trackingId: 'ADV-2026-0001',
    tlp: 'CLEAR',
    state: 'published',
    content,
    revisions: [
      { number: 1, date: new Date('2026-11-20T09:00:00Z'), summary: 'Initial public release' },
      { number: 2, date: new Date('2026-11-25T09:00:00Z'), summary: 'Added Ticket Bridge' },
    ],
    pendingSummary: null,
    initialReleaseAt: new Date('2026-11-20T09:00:00Z'),
    currentReleaseAt: new Date('2026-11-25T09:00:00Z'),
    generatedAt: new Date('2026-11-28T00:00:00Z'),
    selfUrl: 'https://psirt.example.org/security-advisories/ADV-2026-0001',
    csafUrl: 'https://psirt.example.org/.well-known/csaf/white/2026/adv-2026-0001.json',
    tool: { name: 'Accord', version: '0.1.0' },
    ...overrides,
  };
}

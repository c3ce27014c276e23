import type { ReportInput } from '../../src/reports/rules.ts';

/** A complete, valid report; override any field. */
export function sampleReport(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    title: 'Stored XSS in the ticket comment field',
    affected: [{ vendor: 'ACME', product: 'Helpdesk', versions: '< 4.2.1', identifier: 'pkg:npm/acme-helpdesk@4.2.0' }],
    description:
      'A comment containing an SVG payload is rendered unescaped in the agent view, so any customer can run script in an agent session.',
    reproduction: '1. Open a ticket\n2. Comment `<svg onload=alert(1)>`\n3. Open it as an agent',
    impact: 'Account takeover of helpdesk agents.',
    cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N',
    cwe: 'CWE-79',
    alreadyPublic: false,
    exploited: false,
    credit: { mode: 'handle', value: 'finder42', type: 'FINDER' },
    contactEmail: 'finder@example.net',
    language: 'en',
    ...overrides,
  };
}

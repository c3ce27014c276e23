import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { addOrg, addUser, type Instance, newInstance } from './server.ts';
import { apiAs, haveChromium, launchChromium, newPage, PageProblems, shot, signIn } from './support.ts';

/**
 * Imports of an upstream advisory, in Chromium against `accord serve`. The case lead pastes a
 * supplier's CSAF 2.0 document into the case's import card: the dry run lists the vulnerability,
 * the vendor it matched, the statuses it would state and what it cannot map (a vendor that is not a
 * participant, with the JSON path); the import fills the vulnerabilities and the vendor status
 * matrix, and the timeline says so. An invalid document is refused with the validator's findings.
 * On the advisories page the same document becomes a standalone draft advisory.
 */
const ADMIN = 'admin@example.org';
const ADMIN_PASSWORD = 'correct horse battery staple';
const LEAD = { email: 'lead@example.org', name: 'Lena Lead', role: 'coordinator', password: 'lead coordinator pass' };
const VENDOR = 'ACME Routers';
const CASE_TITLE = 'UPnP daemon overflow reported upstream';
const SOURCE = 'CSAF document ACME-SA-2026-0042 (ACME Routers PSIRT)';

type Json = Record<string, unknown>;

/** The supplier's advisory: ACME's R7000 (4.2 affected, 4.3 fixed) and Initech's Gateway, which is no participant. */
function upstreamCsaf(): Json {
  const date = '2026-11-20T10:00:00.000Z';
  const version = (id: string, name: string, extra: Json = {}) => ({
    category: 'product_version',
    name,
    product: { product_id: id, name: `ACME Routers R7000 ${name}`, ...extra },
  });
  return {
    document: {
      category: 'csaf_security_advisory',
      csaf_version: '2.0',
      distribution: { tlp: { label: 'WHITE' } },
      lang: 'en',
      notes: [
        {
          category: 'summary',
          title: 'Summary',
          text: 'A crafted SUBSCRIBE request overflows a stack buffer in the UPnP daemon of R7000 routers.',
        },
      ],
      publisher: { category: 'vendor', name: 'ACME Routers PSIRT', namespace: 'https://acme.example' },
      references: [{ category: 'external', summary: 'Firmware downloads', url: 'https://acme.example/firmware' }],
      title: 'ACME R7000: stack overflow in the UPnP daemon',
      tracking: {
        current_release_date: date,
        id: 'ACME-SA-2026-0042',
        initial_release_date: date,
        revision_history: [{ date, number: '1', summary: 'Initial release' }],
        status: 'final',
        version: '1',
      },
    },
    product_tree: {
      branches: [
        {
          category: 'vendor',
          name: VENDOR,
          branches: [
            {
              category: 'product_name',
              name: 'R7000',
              branches: [
                version('CSAFPID-0001', '4.2', {
                  product_identification_helper: { cpe: 'cpe:2.3:o:acme:r7000_firmware:4.2:*:*:*:*:*:*:*' },
                }),
                version('CSAFPID-0002', '4.3'),
              ],
            },
          ],
        },
        {
          category: 'vendor',
          name: 'Initech',
          branches: [
            {
              category: 'product_name',
              name: 'Gateway',
              branches: [
                {
                  category: 'product_version',
                  name: '1.0',
                  product: { product_id: 'CSAFPID-0003', name: 'Initech Gateway 1.0' },
                },
              ],
            },
          ],
        },
      ],
    },
    vulnerabilities: [
      {
        cve: 'CVE-2026-40111',
        cwe: { id: 'CWE-121', name: 'Stack-based Buffer Overflow' },
        title: 'Stack overflow in SUBSCRIBE handling',
        notes: [
          {
            category: 'description',
            title: 'Description',
            text: 'The UPnP daemon copies the CALLBACK header of a SUBSCRIBE request into a fixed-size stack buffer.',
          },
        ],
        product_status: { known_affected: ['CSAFPID-0001', 'CSAFPID-0003'], fixed: ['CSAFPID-0002'] },
        remediations: [
          {
            category: 'vendor_fix',
            details: 'Update to firmware 4.3.',
            product_ids: ['CSAFPID-0001'],
            url: 'https://acme.example/firmware',
          },
          { category: 'workaround', details: 'Disable UPnP.', product_ids: ['CSAFPID-0003'] },
        ],
        scores: [
          {
            cvss_v3: {
              version: '3.1',
              vectorString: 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
              baseScore: 8.8,
              baseSeverity: 'HIGH',
            },
            products: ['CSAFPID-0001', 'CSAFPID-0003'],
          },
        ],
        references: [{ category: 'external', summary: 'Vendor note', url: 'https://acme.example/kb/42' }],
      },
    ],
  };
}

describe.skipIf(!haveChromium('import journey'))('import journey', () => {
  let instance: Instance | null = null;
  let browser: Browser | null = null;
  let base = '';
  let caseId = '';
  const pages: Page[] = [];
  const problems = new PageProblems();

  beforeAll(async () => {
    instance = await newInstance({ email: ADMIN, password: ADMIN_PASSWORD });
    await addUser(instance.env, LEAD);
    const orgId = await addOrg(instance.env, VENDOR);
    base = await instance.start();
    const lead = await apiAs(base, LEAD.email, LEAD.password);
    caseId = ((await lead('POST', '/api/v1/cases', { title: CASE_TITLE })) as { caseId: string }).caseId;
    await lead('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/participants`, { orgId, role: 'vendor' });
    browser = await launchChromium();
    // Building the UI and starting the server take a while on a busy machine.
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  /** Pastes a document into the open import card and runs the dry run (the first loads the CSAF validator: slow). */
  async function check(p: Page, document: unknown): Promise<void> {
    await p.getByLabel('Or paste the document').fill(JSON.stringify(document, null, 2));
    await Promise.all([
      p.waitForResponse((r) => r.url().endsWith('/imports') && r.request().method() === 'POST', { timeout: 240_000 }),
      p.getByRole('button', { name: 'Check (dry run)' }).click(),
    ]);
  }

  it('imports a supplier CSAF document into a case after a dry run that lists what it cannot map', async () => {
    // On failure, the screen as it was.
    onTestFailed(async () => {
      if (pages[0]) await shot(pages[0], 'imp00-failure');
    });
    const lead = await signIn(await newPage(browser, problems), base, LEAD.email, LEAD.password);
    pages.push(lead);
    await lead.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    await lead.getByRole('link', { name: caseId }).click();
    await lead.getByRole('heading', { level: 1, name: new RegExp(CASE_TITLE) }).waitFor();
    await lead.getByRole('tab', { name: 'Vulnerabilities' }).click();
    await lead.getByText('Import an upstream advisory', { exact: true }).click();

    // An invalid document: the validator's findings, each with its path and test.
    const invalid = upstreamCsaf();
    const vuln = (invalid.vulnerabilities as Json[])[0]!;
    vuln.product_status = { known_affected: ['CSAFPID-0001', 'CSAFPID-0009'], fixed: ['CSAFPID-0002'] };
    await check(lead, invalid);
    await lead.getByRole('alert').filter({ hasText: 'nothing was imported' }).waitFor();
    const findings = lead.getByRole('list', { name: 'Problems the validator found' });
    await findings.getByText('/vulnerabilities/0/product_status/known_affected/1').waitFor();
    expect(await findings.textContent()).toContain('6.1.1');
    expect(await lead.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
    await shot(lead, 'imp01-invalid-document');

    // The dry run: what would be applied, and what cannot be mapped (with the JSON path and why).
    await check(lead, upstreamCsaf());
    const report = lead.getByTestId('import-report');
    await report.getByText('dry run: nothing was changed').waitFor();
    expect(await report.textContent()).toContain(SOURCE);
    await report
      .getByRole('listitem')
      .filter({ hasText: 'CVE-2026-40111 Stack overflow in SUBSCRIBE handling: new' })
      .waitFor();
    await report
      .getByRole('listitem')
      .filter({ hasText: `${VENDOR} → ${VENDOR}` })
      .waitFor();
    const statuses = report.getByRole('table', { name: '1 status' });
    await statuses.getByRole('row', { name: /R7000 CVE-2026-40111 Affected \(fixed in 4\.3\) new/ }).waitFor();
    const unmapped = report.getByTestId('import-unmapped');
    await unmapped.getByText('/vulnerabilities/0/product_status/known_affected/1').waitFor();
    expect(await unmapped.textContent()).toContain('vendor "Initech" is neither a participant of the case');
    await report.getByRole('heading', { name: '1 element not mapped' }).waitFor();
    // Nothing changed yet.
    const vulnerabilities = lead.getByRole('table', { name: 'Vulnerabilities', exact: true });
    expect(await vulnerabilities.getByRole('cell', { name: 'CVE-2026-40111' }).count()).toBe(0);
    await shot(lead, 'imp02-dry-run');

    await lead.getByRole('button', { name: 'Import', exact: true }).click();
    await lead.getByText(`${SOURCE} was imported.`).waitFor({ timeout: 120_000 });
    await expect.poll(() => report.locator('p').first().textContent()).toBe(`${SOURCE} — imported`);
    await vulnerabilities.getByRole('cell', { name: 'CVE-2026-40111' }).waitFor();
    const row = vulnerabilities.getByRole('row').filter({ hasText: 'CVE-2026-40111' });
    expect(await row.textContent()).toContain('CWE-121');
    expect(await row.textContent()).toContain('8.8');
    expect(await row.textContent()).toContain('https://acme.example/kb/42');
    await shot(lead, 'imp03-imported');

    // The vendor status matrix carries ACME's statement, and the timeline the import.
    await lead.getByRole('tab', { name: 'Status matrix' }).click();
    const acme = lead.getByTestId('matrix-row').filter({ hasText: VENDOR });
    await acme.getByText('R7000').waitFor();
    await acme.getByText('Affected').waitFor();
    await expect
      .poll(() => lead.getByTestId('matrix-counts').textContent())
      .toBe('Vendors that answered: 1 of 1; silent: 0.');
    await shot(lead, 'imp04-matrix');
    await lead.getByRole('tab', { name: 'Timeline' }).click();
    const timeline = lead.getByTestId('case-timeline');
    const imported = timeline.getByRole('listitem').filter({ hasText: 'Advisory imported' });
    await imported.waitFor();
    expect(await imported.textContent()).toContain(
      'ACME-SA-2026-0042 (CSAF): vulnerabilities added 1, matched 0; statuses stated 1; elements not mapped 1',
    );
    await shot(lead, 'imp05-timeline');
  }, 600_000);

  it('imports the same document as a standalone draft advisory from the advisories page', async () => {
    const lead = pages[0]!;
    await lead.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Advisories' }).click();
    await lead.getByRole('heading', { level: 1, name: 'Advisories' }).waitFor();
    await lead.getByRole('button', { name: 'Import an upstream advisory…' }).click();
    await check(lead, upstreamCsaf());
    const report = lead.getByTestId('import-report');
    await report.getByText('dry run: nothing was changed').waitFor();
    await report.getByRole('heading', { name: '3 products' }).waitFor();
    await report.getByRole('listitem').filter({ hasText: 'Initech Gateway 1.0' }).waitFor();
    const statuses = report.getByRole('table', { name: '3 statuses' });
    await statuses.getByRole('row', { name: /Initech Gateway 1\.0 CVE-2026-40111 Affected new/ }).waitFor();
    await statuses.getByRole('row', { name: /ACME Routers R7000 4\.3 CVE-2026-40111 Fixed new/ }).waitFor();
    await report.getByRole('heading', { name: '0 elements not mapped' }).waitFor();
    await shot(lead, 'imp06-standalone-dry-run');

    await lead.getByRole('button', { name: 'Import', exact: true }).click();
    await lead.getByText(/ was imported as draft /).waitFor({ timeout: 120_000 });
    const open = lead.getByRole('link', { name: /^Open the draft / });
    const trackingId = ((await open.textContent()) ?? '').replace('Open the draft ', '');
    expect(trackingId).toMatch(/-SA-\d{4}-\d{4}$/);
    // The list shows the new draft as standalone.
    const row = lead.getByRole('row').filter({ hasText: trackingId });
    await row.getByText('standalone').waitFor();
    await open.click();
    await lead.getByRole('heading', { level: 1, name: new RegExp(trackingId) }).waitFor();
    await lead.getByText('Draft', { exact: true }).first().waitFor();
    const vuln = lead.getByRole('group', { name: /^Vulnerability 1/ });
    expect(await vuln.getByLabel('CVE ID').inputValue()).toBe('CVE-2026-40111');
    expect(await vuln.getByLabel('CVSS 3.1 vector').inputValue()).toBe('CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    await shot(lead, 'imp07-standalone-draft');

    expect(problems.cspViolations).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  }, 600_000);
});

import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrg, addUser, type Instance, newInstance } from './server.ts';
import {
  apiAs,
  haveChromium,
  joinByInvitation,
  launchChromium,
  newPage,
  PageProblems,
  shot,
  signIn,
} from './support.ts';

/**
 * A multi-party case end to end, in Chromium against `accord serve`: the lead (a coordinator)
 * opens a case, records a vulnerability with its CVSS score and invites two vendors. Vendor A
 * sees only the terms until it accepts them, then states "not affected" with an OpenVEX
 * justification; vendor B accepts and writes in a private thread with the coordinators. The lead
 * sees the matrix (A answered, B silent), B's private post with its TLP label, and the timeline.
 */
const ADMIN = 'admin@example.org';
const ADMIN_PASSWORD = 'correct horse battery staple';
const LEAD = 'lead@example.org';
const LEAD_PASSWORD = 'lead coordinator passphrase';
const VENDOR_PASSWORD = 'vendor psirt passphrase';
const VENDOR_A = { org: 'ACME Routers', email: 'psirt@acme.example', name: 'Alice ACME' };
const VENDOR_B = { org: 'Globex Networks', email: 'psirt@globex.example', name: 'Bob Globex' };
const CASE_TITLE = 'Stack overflow in the UPnP daemon of several home routers';
const VULN_TITLE = 'Stack overflow in SUBSCRIBE handling';
const PRIVATE_POST = 'Our 4.2 firmware ships the daemon; we are checking whether the parser is reachable.';

describe.skipIf(!haveChromium('case journey'))('case journey', () => {
  let instance: Instance | null = null;
  let browser: Browser | null = null;
  let base = '';
  let caseId = '';
  const orgIds: Record<string, string> = {};
  const pages: Page[] = [];
  const problems = new PageProblems();

  async function signedIn(email: string, password: string): Promise<Page> {
    const p = await newPage(browser, problems);
    pages.push(p);
    return signIn(p, base, email, password);
  }

  async function openCase(p: Page, tab?: string): Promise<void> {
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    await p.getByRole('link', { name: caseId }).click();
    if (tab) await p.getByRole('tab', { name: tab }).click();
  }

  beforeAll(async () => {
    instance = await newInstance({ email: ADMIN, password: ADMIN_PASSWORD });
    const { env } = instance;
    await addUser(env, { email: LEAD, name: 'Lena Lead', role: 'coordinator', password: LEAD_PASSWORD });
    for (const vendor of [VENDOR_A, VENDOR_B]) orgIds[vendor.org] = await addOrg(env, vendor.org);
    base = await instance.start();
    const admin = await apiAs(base, ADMIN, ADMIN_PASSWORD);
    for (const vendor of [VENDOR_A, VENDOR_B]) {
      await joinByInvitation(base, admin, orgIds[vendor.org]!, { ...vendor, password: VENDOR_PASSWORD });
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it('lets the lead open a case and record a vulnerability with its live CVSS score', async () => {
    const lead = await signedIn(LEAD, LEAD_PASSWORD);
    await lead.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    await lead.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
    await lead.getByText('Open a case', { exact: true }).click();
    await lead.getByLabel('Title').fill(CASE_TITLE);
    await lead.getByLabel('Summary').fill('A crafted **SUBSCRIBE** request overflows a stack buffer.');
    await lead.getByRole('button', { name: 'Open case' }).click();
    await lead.getByRole('heading', { level: 1, name: new RegExp(CASE_TITLE) }).waitFor();
    caseId = decodeURIComponent(new URL(lead.url()).pathname.split('/').pop() ?? '');
    expect(caseId).toMatch(/^[A-Z][A-Z0-9]*-\d{4}-\d{4,}$/);
    await lead.getByText('SUBSCRIBE').first().waitFor();

    await lead.getByRole('tab', { name: 'Vulnerabilities' }).click();
    await lead.getByLabel('Title').fill(VULN_TITLE);
    await lead.getByLabel('CWE').fill('CWE-121');
    await lead.getByLabel('CVSS 3.1').fill('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    await expect.poll(() => lead.getByTestId('cvssV3-preview').textContent()).toContain('9.8');
    await lead.getByLabel('CVE ID').fill('CVE-2026-40001');
    await lead.getByRole('button', { name: 'Add vulnerability' }).click();
    await lead.getByText(`Vulnerability added: ${VULN_TITLE}.`).waitFor();
    await lead.getByRole('cell', { name: 'CVE-2026-40001' }).waitFor();
    await shot(lead, 'c01-case-vulnerability');
  });

  it('invites two vendors and shows their Vultron states in words', async () => {
    const lead = pages[0]!;
    await lead.getByRole('tab', { name: 'Participants' }).click();
    for (const vendor of [VENDOR_A, VENDOR_B]) {
      await lead.getByLabel('Organization').selectOption({ label: vendor.org });
      await lead.getByRole('button', { name: 'Add participant' }).click();
      await lead.getByText(`${vendor.org} was added and notified.`).waitFor();
    }
    const row = lead.getByTestId(`participant-${VENDOR_B.org}`);
    await row.getByText('Vendor unaware').waitFor();
    await row.getByText('Start').waitFor();
    await row.getByText('terms not accepted yet').waitFor();
    // The lead records that Globex received the report: the RM move the lead may make for it.
    await lead.getByRole('button', { name: `Receive: ${VENDOR_B.org}` }).click();
    await row.getByText('Received').waitFor();
    await shot(lead, 'c02-case-participants');
  });

  it('shows vendor A only the terms, then lets it state "not affected" with a justification', async () => {
    const a = await signedIn(VENDOR_A.email, VENDOR_PASSWORD);
    await a.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    await a
      .getByRole('row', { name: new RegExp(caseId) })
      .getByText('Accept the terms', { exact: true })
      .waitFor();
    await shot(a, 'c03-vendor-cases');
    await a.getByRole('link', { name: caseId }).click();
    await a.getByRole('heading', { name: 'Case terms (version 1)' }).waitFor();
    expect(await a.getByText(CASE_TITLE).count()).toBe(0);
    expect(await a.getByRole('tab').count()).toBe(0);
    await shot(a, 'c04-vendor-terms');
    await a.getByRole('button', { name: 'Accept the terms (version 1)' }).click();
    await a.getByRole('heading', { level: 1, name: new RegExp(CASE_TITLE) }).waitFor();

    await a.getByRole('tab', { name: 'Status matrix' }).click();
    await a.getByLabel('Product').fill('ACME R7000 firmware 4.x');
    await a.getByLabel('Status', { exact: true }).selectOption('not_affected');
    await a.getByLabel('Justification (OpenVEX)').selectOption('vulnerable_code_not_present');
    await a.getByLabel('Impact statement').fill('Our firmware uses a different UPnP stack.');
    await a.getByRole('button', { name: 'Save statement' }).click();
    await a.getByText('Saved the statement for ACME R7000 firmware 4.x.').waitFor();
    const mine = a.getByTestId('matrix-row').filter({ hasText: VENDOR_A.org });
    await mine.getByText('Not affected').waitFor();
    await mine.getByText('Vulnerable code not present').waitFor();
    await shot(a, 'c05-vendor-statement');
  });

  it('lets vendor B accept the terms and write in a private thread with the coordinators', async () => {
    const b = await signedIn(VENDOR_B.email, VENDOR_PASSWORD);
    await openCase(b);
    await b.getByRole('button', { name: 'Accept the terms (version 1)' }).click();
    await b.getByRole('tab', { name: 'Threads' }).click();
    await b.getByText('New private thread').click();
    await b.getByLabel('Thread title').fill('Globex and the coordinators');
    await b.getByRole('button', { name: 'Open thread' }).click();
    await b.getByRole('heading', { name: /Globex and the coordinators/ }).waitFor();
    await b.getByLabel('Message').fill(PRIVATE_POST);
    await b.getByLabel('TLP label').selectOption('AMBER');
    await b.getByRole('button', { name: 'Post as TLP:AMBER' }).click();
    const post = b.getByTestId('post').filter({ hasText: PRIVATE_POST });
    await post.getByTestId('tlp').waitFor();
    expect(await post.getByTestId('tlp').textContent()).toBe('TLP:AMBER');
    await shot(b, 'c06-vendor-private-thread');
  });

  it('shows the lead the matrix (A answered, B silent), B private post and the timeline', async () => {
    const lead = pages[0]!;
    await openCase(lead, 'Status matrix');
    await expect
      .poll(() => lead.getByTestId('matrix-counts').textContent())
      .toBe('Vendors that answered: 1 of 2; silent: 1.');
    const rowA = lead.getByTestId('matrix-row').filter({ hasText: VENDOR_A.org });
    const rowB = lead.getByTestId('matrix-row').filter({ hasText: VENDOR_B.org });
    await rowA.getByText('Not affected').waitFor();
    expect(await rowA.getByText('Silent', { exact: true }).count()).toBe(0);
    await rowB.getByText('Silent', { exact: true }).waitFor();
    expect(await rowB.getAttribute('class')).toContain('matrix-silent');
    await shot(lead, 'c07-lead-matrix');

    await lead.getByRole('tab', { name: 'Threads' }).click();
    await lead.getByRole('button', { name: /Globex and the coordinators/ }).click();
    const post = lead.getByTestId('post').filter({ hasText: PRIVATE_POST });
    await post.waitFor();
    expect(await post.getByTestId('tlp').textContent()).toBe('TLP:AMBER');
    await shot(lead, 'c08-lead-private-thread');

    // The tabs follow the WAI-ARIA pattern: arrow keys, Home and End move between them.
    await lead.getByRole('tab', { name: 'Threads' }).press('End'); // the last tab: the execution template
    await lead.keyboard.press('ArrowLeft');
    expect(await lead.getByRole('tab', { name: 'Timeline' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => lead.evaluate(() => document.activeElement?.textContent)).toBe('Timeline');
    const timeline = lead.getByTestId('case-timeline');
    await timeline.getByText('Terms accepted').first().waitFor();
    await timeline.getByText('Status stated').waitFor();
    expect(await timeline.textContent()).not.toContain(PRIVATE_POST);
    await shot(lead, 'c09-lead-timeline');
  });

  it('shows the case page in Japanese', async () => {
    const b = pages[2]!;
    await b.getByLabel('Display language').selectOption('ja');
    await b.getByRole('tab', { name: 'ステータス一覧' }).click();
    // A vendor is not told whether the other vendors answered: no counts for it.
    await b.getByText('ステータスを回答', { exact: true }).waitFor();
    expect(await b.getByTestId('matrix-counts').count()).toBe(0);
    await b.getByText('ステータスを回答', { exact: true }).waitFor();
    await shot(b, 'c10-vendor-matrix-ja');
  });

  it('saw no Content-Security-Policy violation and no script error', () => {
    expect(problems.cspViolations).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  });
});

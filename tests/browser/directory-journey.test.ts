import fs from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
 * The vendor directory end to end, in Chromium against `accord serve`: staff import a CSV of
 * vendors in which one row is bad and see it rejected with its line and reasons, mark a vendor
 * verified, a vendor's admin proposes a new security contact (with an OpenPGP key) that waits
 * for approval, staff approve it from the pending list, and staff invite a trusted community to
 * a case from the case page.
 */
const ADMIN = 'admin@example.org';
const ADMIN_PASSWORD = 'correct horse battery staple';
const LEAD = 'lead@example.org';
const LEAD_PASSWORD = 'lead coordinator passphrase';
const VENDOR = { org: 'ACME Routers', email: 'admin@acme.example', name: 'Alice ACME', password: 'vendor passphrase' };
const NEW_CONTACT = 'psirt@acme.example';
const COMMUNITY = 'Router vendors';
const CASE_TITLE = 'Heap overflow in a shared DHCP client library';
const CSV = [
  'organization,kind,website,country,time_zone,languages,contact_email,contact_role,contact_name,contact_phone,product,product_identifier,product_versions',
  'Initech,vendor,https://initech.example,US,America/Chicago,en,security@initech.example,security,,,TPS,cpe:2.3:a:initech:tps:*:*:*:*:*:*:*:*,all',
  'Hooli,vendor,https://hooli.example,US,America/Los_Angeles,en;ja,psirt@hooli.example,psirt,,,Nucleus,pkg:npm/hooli-nucleus,>= 2',
  'Umbrella Corp,vendor,,XX1,,,not-an-email,security,,,,,',
].join('\n');

describe.skipIf(!haveChromium('directory journey'))('directory journey', () => {
  let instance: Instance | null = null;
  let browser: Browser | null = null;
  let base = '';
  let acmeId = '';
  let lead: Page | null = null;
  const problems = new PageProblems();

  const staff = (): Page => {
    if (!lead) throw new Error('the lead is not signed in');
    return lead;
  };

  async function signedIn(email: string, password: string): Promise<Page> {
    return signIn(await newPage(browser, problems), base, email, password);
  }

  /** Opens the directory afresh from the main navigation (from elsewhere: the same path is not reloaded). */
  async function openDirectory(p: Page): Promise<void> {
    const nav = p.getByRole('navigation', { name: 'Main' });
    if (new URL(p.url()).pathname === '/directory') await nav.getByRole('link', { name: 'Overview' }).click();
    await nav.getByRole('link', { name: 'Directory' }).click();
    await p.getByRole('heading', { level: 1, name: 'Vendor directory' }).waitFor();
  }

  beforeAll(async () => {
    instance = await newInstance({ email: ADMIN, password: ADMIN_PASSWORD });
    const { env } = instance;
    await addUser(env, { email: LEAD, name: 'Lena Lead', role: 'coordinator', password: LEAD_PASSWORD });
    acmeId = await addOrg(env, VENDOR.org);
    base = await instance.start();
    // ACME's admin joins through the invitation link the admin's mail carries.
    await joinByInvitation(base, await apiAs(base, ADMIN, ADMIN_PASSWORD), acmeId, VENDOR);
    browser = await launchChromium();
  });

  afterEach(async (ctx) => {
    // What the staff page showed when a step failed.
    if (ctx.task.result?.state === 'fail' && lead) await shot(lead, 'd99-failed-step');
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it('lets staff import a CSV of vendors and shows the bad row rejected with its reasons', async () => {
    lead = await signedIn(LEAD, LEAD_PASSWORD);
    const p = staff();
    await openDirectory(p);
    await p.getByRole('link', { name: 'Import and export' }).click();
    await p.getByRole('heading', { level: 1, name: 'Import and export' }).waitFor();
    await p.getByLabel('File to import').setInputFiles({
      name: 'vendors.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV, 'utf8'),
    });
    await p.getByText('Chosen: vendors.csv').waitFor();
    expect(await p.getByLabel('Format').inputValue()).toBe('csv');
    await p.getByRole('button', { name: 'Import', exact: true }).click();

    const report = p.getByTestId('import-report');
    await report.getByRole('heading', { name: 'Import report' }).waitFor();
    // The report heading takes the focus, so a screen reader reads the outcome first.
    await expect.poll(() => p.evaluate(() => document.activeElement?.textContent)).toBe('Import report');
    const figure = async (label: string) =>
      report.locator('.figures > div').filter({ hasText: label }).locator('dd').textContent();
    expect(await figure('Organizations created')).toBe('2');
    expect(await figure('Contacts added')).toBe('2');
    expect(await figure('Products added')).toBe('2');
    expect(await figure('Rejected')).toBe('1');
    await report.getByText('1 organization was rejected and not imported.', { exact: false }).waitFor();
    const rejected = report.getByTestId('rejected-row');
    expect(await rejected.count()).toBe(1);
    expect(await rejected.getByRole('cell').first().textContent()).toBe('line 4');
    await rejected.getByRole('rowheader', { name: 'Umbrella Corp' }).waitFor();
    const problems = await rejected.locator('li').allTextContents();
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^country: .*two-letter ISO 3166/);
    expect(problems[1]).toMatch(/^contacts\[0\]\.email: .*not-an-email.*not an e-mail address/);
    await shot(p, 'd01-directory-import-report');

    // The export has what landed, in the columns the import reads.
    const [download] = await Promise.all([
      p.waitForEvent('download'),
      p.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('accord-directory.csv');
    const exported = fs.readFileSync(await download.path(), 'utf8');
    expect(exported.split('\n')[0]).toBe(CSV.split('\n')[0]);
    expect(exported).toContain('Hooli,vendor,https://hooli.example/,US,America/Los_Angeles,en;ja,psirt@hooli.example');
    expect(exported).not.toContain('Umbrella');

    // The rejected organization did not land; the others did, with their contacts and products.
    await openDirectory(p);
    await p.getByTestId('directory-Initech').waitFor();
    await p.getByTestId('directory-Hooli').waitFor();
    expect(await p.getByTestId('directory-Umbrella Corp').count()).toBe(0);
  });

  it('lets staff mark a vendor verified and filter the directory by it', async () => {
    const p = staff();
    await p.getByRole('link', { name: 'Initech' }).click();
    await p.getByRole('heading', { level: 1, name: /Initech/ }).waitFor();
    await p.getByRole('cell', { name: 'cpe:2.3:a:initech:tps:*:*:*:*:*:*:*:*' }).waitFor();
    expect(await p.getByRole('heading', { level: 1 }).getByTestId('verified').textContent()).toBe('Not verified');
    await p.getByRole('button', { name: 'Mark as verified' }).click();
    await p.getByText('Initech is now marked verified.').waitFor();
    expect(await p.getByRole('heading', { level: 1 }).getByTestId('verified').textContent()).toBe('Verified');
    await p.getByRole('button', { name: 'Withdraw the verified mark' }).waitFor();
    await shot(p, 'd02-directory-verified');

    await openDirectory(p);
    await p.getByLabel('Verified', { exact: true }).selectOption('true');
    await p
      .getByRole('search', { name: 'Organizations in the directory' })
      .getByRole('button', { name: 'Search' })
      .click();
    await p.getByText('1 organization shown').waitFor({ state: 'attached' });
    expect(await p.getByTestId(/^directory-/).count()).toBe(1);
    expect(await p.getByTestId('directory-Initech').getByTestId('verified').textContent()).toBe('Verified');
    // By product: a part of Hooli's package URL finds Hooli only.
    await p.getByRole('button', { name: 'Clear filters' }).click();
    await p.getByLabel('Product', { exact: true }).fill('hooli-nucleus');
    await p.getByLabel('Product', { exact: true }).press('Enter');
    await p.getByText('1 organization shown').waitFor({ state: 'attached' });
    await p.getByTestId('directory-Hooli').waitFor();
  });

  it("lets a vendor's admin propose a security contact, which waits for approval", async () => {
    const openpgp = await import('openpgp');
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: NEW_CONTACT }],
      format: 'armored',
    });
    const v = await signedIn(VENDOR.email, VENDOR.password);
    await openDirectory(v);
    // A vendor sees its own entry only (counted once the list has loaded).
    await v.getByTestId(`directory-${VENDOR.org}`).waitFor();
    expect(await v.getByTestId(/^directory-/).count()).toBe(1);
    await v.getByRole('link', { name: VENDOR.org }).click();
    await v.getByRole('heading', { level: 1, name: new RegExp(VENDOR.org) }).waitFor();
    expect(await v.getByRole('button', { name: 'Mark as verified' }).count()).toBe(0);
    await v.getByText('Propose a security contact', { exact: true }).click();
    const form = v.locator('#contact');
    await form.getByLabel('E-mail address').fill(NEW_CONTACT);
    await form.getByLabel('Contact role').selectOption('psirt');
    await form.getByLabel('Phone').fill('call us');
    await form.getByLabel('OpenPGP public key (optional)').fill(publicKey);
    await form.getByRole('button', { name: 'Propose contact' }).click();
    // The server's complaint lands on the phone field, which says so to assistive technology.
    const phone = form.getByLabel('Phone');
    await expect.poll(() => phone.getAttribute('aria-invalid')).toBe('true');
    await form.locator('.field-error').filter({ hasText: 'use digits, spaces and + ( ) . / - only' }).waitFor();
    await shot(v, 'd03-vendor-contact-error');
    await phone.fill('+81 3 1234 5678');
    await form.getByRole('button', { name: 'Propose contact' }).click();
    await v.getByText(`${NEW_CONTACT} has been proposed and waits for approval.`).waitFor();
    const row = v.getByTestId(`contact-${NEW_CONTACT}`);
    await row.getByText('Waiting for approval').waitFor();
    await row.getByText('PSIRT', { exact: true }).waitFor();
    expect(await row.locator('code.fingerprint').textContent()).toMatch(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);
    // Vendors cannot approve their own proposal.
    expect(await v.getByRole('button', { name: `Approve the contact ${NEW_CONTACT}` }).count()).toBe(0);
    await shot(v, 'd04-vendor-contact-proposed');
    await v.context().close();
  });

  it('lets staff approve the proposed contact from the list of pending approvals', async () => {
    const p = staff();
    await openDirectory(p);
    await p.getByRole('link', { name: 'Contacts waiting for approval (1)' }).click();
    await p.getByRole('heading', { level: 1, name: 'Contacts waiting for approval' }).waitFor();
    const row = p.getByTestId(`pending-${NEW_CONTACT}`);
    await row.getByText(VENDOR.org).waitFor();
    await row.getByText(`${VENDOR.name} <${VENDOR.email}>`).waitFor();
    await shot(p, 'd05-staff-pending-approvals');
    await p.getByRole('button', { name: `Approve the contact ${NEW_CONTACT}` }).click();
    await p.getByText(`${NEW_CONTACT} has been approved for ${VENDOR.org}.`).waitFor();
    await p.getByText('No contact waits for approval.').waitFor();

    await p.getByRole('link', { name: 'Vendor directory' }).click();
    await p.getByRole('link', { name: VENDOR.org }).click();
    const contact = p.getByTestId(`contact-${NEW_CONTACT}`);
    await contact.getByText('Approved').waitFor();
    await contact.getByText('+81 3 1234 5678').waitFor();
  });

  it('lets staff invite a trusted community to a case', async () => {
    const p = staff();
    await openDirectory(p);
    await p.getByRole('link', { name: 'Trusted communities' }).click();
    await p.getByRole('heading', { level: 1, name: 'Trusted communities' }).waitFor();
    await p.getByText('Create a community', { exact: true }).click();
    const form = p.locator('#community-new');
    await form.getByLabel('Community name').fill(COMMUNITY);
    await form.getByLabel('Terms of the community').fill('Nothing leaves the community before the embargo ends.');
    await form.getByLabel('Narrow the list by name').fill('i');
    await form.getByLabel('Hooli').check();
    await form.getByLabel('Initech').check();
    await form.getByText('2 organizations chosen').waitFor();
    await form.getByRole('button', { name: 'Create community' }).click();
    await p.getByText(`The community ${COMMUNITY} has been created.`).waitFor();
    const community = p.getByTestId('community').filter({ hasText: COMMUNITY });
    await community.getByText('2 members').waitFor();
    await community.getByRole('link', { name: 'Initech' }).waitFor();
    await shot(p, 'd06-staff-community');

    const leadApi = await apiAs(base, LEAD, LEAD_PASSWORD);
    const opened = (await leadApi('POST', '/api/v1/cases', { title: CASE_TITLE })) as { caseId: string };
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    // The row grows when its "needs my action" badges arrive: click once it has them.
    const caseRow = p.getByRole('row', { name: new RegExp(opened.caseId) });
    await caseRow.getByText('Invite vendors').waitFor();
    await caseRow.getByRole('link', { name: opened.caseId }).click();
    await p.getByRole('heading', { level: 1, name: new RegExp(CASE_TITLE) }).waitFor();
    await p.getByRole('tab', { name: 'Participants' }).click();
    await p.getByText('Invite a community', { exact: true }).click();
    const invite = p.locator('#community-invite');
    await invite.getByLabel('Community').selectOption({ label: `${COMMUNITY} (2 organizations)` });
    await invite.getByLabel('Role').selectOption('vendor');
    await invite.getByRole('button', { name: 'Invite community' }).click();
    await p.getByText('Added and notified 2 organizations: Hooli, Initech.').waitFor();
    for (const name of ['Hooli', 'Initech']) {
      const row = p.getByTestId(`participant-${name}`);
      await row.getByText('Vendor').first().waitFor();
      // The buttons are the moves the server offers for this participant now.
      await p.getByRole('button', { name: `Receive: ${name}` }).waitFor();
    }
    // Inviting again adds nobody: both take part already.
    await invite.getByLabel('Community').selectOption({ label: `${COMMUNITY} (2 organizations)` });
    await invite.getByRole('button', { name: 'Invite community' }).click();
    await p.getByText('No organization was added. Already taking part: Hooli, Initech.').waitFor();
    await shot(p, 'd07-case-community-invited');
  });

  it('shows the directory in Japanese', async () => {
    const p = staff();
    await p.getByLabel('Display language').selectOption('ja');
    await p.getByRole('navigation', { name: 'メイン' }).getByRole('link', { name: 'ベンダー名簿' }).click();
    await p.getByRole('heading', { level: 1, name: 'ベンダー名簿' }).waitFor();
    await p.getByTestId('directory-Initech').getByText('確認済み').waitFor();
    await shot(p, 'd08-directory-ja');
  });

  it('saw no Content-Security-Policy violation and no script error', () => {
    expect(problems.cspViolations).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  });
});

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
 * Participants, search and the finder's view, in Chromium against `accord serve`: the lead adds a
 * vendor that is not on the platform (its security contact is invited; the invitation shows on
 * the participant and is sent again), limits ACME to a named user, removes the newcomer, writes
 * the summary for the finder and finds a post with the search box; the finder's follow-up page
 * shows the case as shared with reporters, without the embargoed title.
 */
const ADMIN = 'admin@example.org';
const ADMIN_PASSWORD = 'correct horse battery staple';
const LEAD = 'lead@example.org';
const LEAD_PASSWORD = 'lead coordinator passphrase';
const VENDOR = { org: 'ACME Routers', email: 'psirt@acme.example', name: 'Alice ACME' };
const NEWCO = { org: 'Newco Devices', contact: 'security@newco.example' };
const CASE_TITLE = 'Embargoed overflow in the Quokka daemon';
const OFFICIAL_POST = 'Coordination started; the marmoset patch is being prepared.';
const PUBLIC_SUMMARY = 'A memory safety issue in a network daemon; a fix is in preparation.';

describe.skipIf(!haveChromium('participants journey'))('participants, search and the finder view', () => {
  let instance: Instance | null = null;
  let browser: Browser | null = null;
  let base = '';
  let caseId = '';
  let followUp = '';
  const orgIds: Record<string, string> = {};
  let leadTab: Page | null = null;
  const problems = new PageProblems();

  beforeAll(async () => {
    instance = await newInstance({ email: ADMIN, password: ADMIN_PASSWORD });
    const { env } = instance;
    await addUser(env, { email: LEAD, name: 'Lena Lead', role: 'coordinator', password: LEAD_PASSWORD });
    for (const org of [VENDOR.org, NEWCO.org]) orgIds[org] = await addOrg(env, org);
    base = await instance.start();
    const admin = await apiAs(base, ADMIN, ADMIN_PASSWORD);
    // ACME's admin joins through an org invitation; Newco has only a security contact.
    await joinByInvitation(base, admin, orgIds[VENDOR.org]!, { ...VENDOR, password: 'vendor psirt passphrase' });
    await admin('POST', `/api/v1/directory/${orgIds[NEWCO.org]}/contacts`, { email: NEWCO.contact, role: 'security' });

    // A finder's report, accepted and made a case by the lead, with ACME in it and an official post.
    const submitted = await fetch(`${base}/api/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Overflow in the Quokka daemon',
        affected: [{ vendor: 'ACME', product: 'Quokka', versions: '< 2.0' }],
        description: 'A long header overflows a stack buffer in the Quokka daemon of several routers.',
        contactEmail: 'finder@example.net',
        language: 'en',
      }),
    });
    if (!submitted.ok) throw new Error(`the report failed: ${submitted.status} ${await submitted.text()}`);
    const { report, followUpSecret } = (await submitted.json()) as {
      report: { trackingId: string };
      followUpSecret: string;
    };
    followUp = `${base}/report/follow-up#${report.trackingId}/${followUpSecret}`;
    const lead = await apiAs(base, LEAD, LEAD_PASSWORD);
    for (const event of ['validate', 'accept'])
      await lead('POST', `/api/v1/reports/${report.trackingId}/transitions`, { event });
    const opened = (await lead('POST', '/api/v1/cases', {
      title: CASE_TITLE,
      summary: 'Embargoed detail: the Quokka header parser.',
      reportIds: [report.trackingId],
    })) as { caseId: string };
    caseId = opened.caseId;
    await lead('POST', `/api/v1/cases/${caseId}/participants`, { orgId: orgIds[VENDOR.org], role: 'vendor' });
    const threads = (await lead('GET', `/api/v1/cases/${caseId}/threads`)) as { items: { id: string; kind: string }[] };
    const official = threads.items.find((t) => t.kind === 'official')!;
    await lead('POST', `/api/v1/cases/${caseId}/threads/${official.id}/posts`, { body: OFFICIAL_POST, tlp: 'GREEN' });

    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  async function leadPage(): Promise<Page> {
    leadTab ??= await signIn(await newPage(browser, problems), base, LEAD, LEAD_PASSWORD);
    return leadTab;
  }

  it('invites a vendor that is not on the platform at its security contact, shows and re-sends the invitation', async () => {
    // Added through the API (the add form is another journey's): the invitation goes out then.
    await (
      await apiAs(base, LEAD, LEAD_PASSWORD)
    )('POST', `/api/v1/cases/${caseId}/participants`, {
      orgId: orgIds[NEWCO.org],
      role: 'vendor',
    });
    const lead = await leadPage();
    await lead.goto(`${base}/cases/${caseId}`);
    await lead.getByRole('tab', { name: 'Participants' }).click();
    const row = lead.getByTestId(`participant-${NEWCO.org}`);
    await row.getByText(NEWCO.contact).waitFor();
    await row.getByText('Invited', { exact: true }).waitFor();
    await lead.getByRole('button', { name: `Send the invitation of ${NEWCO.org} again` }).click();
    await lead.getByText(`The invitation of ${NEWCO.org} was sent again (1 address).`).waitFor();
    await row.getByText('Withdrawn', { exact: true }).waitFor();
    await shot(lead, 'p01-invited-vendor');
  });

  it('limits ACME to a named user, then removes the newcomer (history kept)', async () => {
    const lead = await leadPage();
    await lead.getByRole('button', { name: `Choose the named users of ${VENDOR.org}` }).click();
    await lead.getByRole('heading', { name: `Named users of ${VENDOR.org}` }).waitFor();
    await expect
      .poll(() => lead.evaluate(() => document.activeElement?.textContent))
      .toBe(`Named users of ${VENDOR.org}`);
    await lead.getByLabel(new RegExp(VENDOR.name)).check();
    await lead.getByRole('button', { name: 'Save' }).click();
    await lead.getByText(`Access of ${VENDOR.org} is limited to 1 named user.`).waitFor();
    await lead.getByTestId(`participant-${VENDOR.org}`).getByText('Limited to 1 named user').waitFor();

    await lead.getByRole('button', { name: `Remove ${NEWCO.org} from the case` }).click();
    const dialog = lead.getByRole('dialog', { name: `Remove ${NEWCO.org}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await lead.getByText(`${NEWCO.org} was removed from the case.`).waitFor();
    await lead
      .getByTestId(`participant-${NEWCO.org}`)
      .getByText(/^Removed /)
      .waitFor();
    expect(await lead.getByRole('button', { name: `Remove ${NEWCO.org} from the case` }).count()).toBe(0);
    await shot(lead, 'p02-named-users-removed');
  });

  it('writes the summary for the finder and finds the official post with the search box', async () => {
    const lead = await leadPage();
    await lead.getByRole('tab', { name: 'Summary' }).click();
    await lead.getByLabel('Summary shown to the finder').fill(PUBLIC_SUMMARY);
    await lead.getByRole('button', { name: 'Save' }).click();
    await lead.getByText('The summary for the finder was saved.').waitFor();

    const box = lead.getByRole('search', { name: 'Search' }).getByLabel('Search for');
    await box.fill('marmoset');
    await box.press('Enter');
    await lead.getByRole('heading', { level: 1, name: 'Search' }).waitFor();
    const results = lead.getByRole('region', { name: 'Results for “marmoset”' });
    await results.getByRole('link', { name: caseId }).waitFor();
    expect(await results.locator('mark').first().textContent()).toBe('marmoset');
    await shot(lead, 'p03-search');
  });

  it('shows the finder the case as shared with reporters, on the follow-up page', async () => {
    const finder = await newPage(browser, problems);
    await finder.goto(followUp);
    const section = finder.getByRole('region', { name: 'Your case' });
    await section.getByText(caseId).waitFor();
    await section.getByText(PUBLIC_SUMMARY).waitFor();
    await section.getByText(OFFICIAL_POST).waitFor();
    expect(await finder.getByText(CASE_TITLE).count()).toBe(0);
    expect(await finder.getByText('Embargoed detail').count()).toBe(0);
    await shot(finder, 'p04-finder-case');
  });

  it('saw no Content-Security-Policy violation and no script error', () => {
    expect(problems.cspViolations).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  });
});

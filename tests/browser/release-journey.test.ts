import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrg, addUser, type Instance, newInstance } from './server.ts';
import {
  apiAs,
  type Call,
  haveChromium,
  joinByInvitation,
  launchChromium,
  newPage,
  PageProblems,
  shot,
  signIn,
} from './support.ts';

/**
 * The coordinated release end to end, in Chromium against `accord serve` (its job worker running):
 * the lead proposes an embargo ending in about two minutes and confirms the weekend/hours warnings;
 * both vendors accept it in their own browsers, and only then is it Active; the release tab shows
 * the publication scheduled at the embargo's end; nothing is public before it; at the end the
 * server's scheduled job publishes the landing page with both vendors' approved statements, and the
 * index lists it. Set-up the journey does not show (case, vulnerability, statements) goes through the API.
 */
const ADMIN = 'admin@example.org';
const ADMIN_PASSWORD = 'correct horse battery staple';
const LEAD = 'lead@example.org';
const LEAD_PASSWORD = 'lead coordinator passphrase';
const VENDOR_PASSWORD = 'vendor psirt passphrase';
const VENDORS = [
  { org: 'ACME Routers', email: 'psirt@acme.example', name: 'Alice ACME', product: 'AR-500', fixed: '4.2.1' },
  { org: 'Globex Networks', email: 'psirt@globex.example', name: 'Bob Globex', product: 'GX Home', fixed: '7.0.3' },
];
const CASE_TITLE = 'Stack overflow in the UPnP daemon of several home routers';

/** "YYYY-MM-DDTHH:mm" in UTC, at least 90 s from now: the proposed end, as a datetime-local input takes it. */
function endInTwoMinutes(): { local: string; at: Date } {
  const at = new Date(Math.floor((Date.now() + 150_000) / 60_000) * 60_000);
  return { local: at.toISOString().slice(0, 16), at };
}

describe.skipIf(!haveChromium('release journey'))('release journey', () => {
  let instance: Instance | null = null;
  let browser: Browser | null = null;
  let base = '';
  let caseId = '';
  let endsAt: Date = new Date(0);
  const problems = new PageProblems();
  const pages: Record<string, Page> = {};

  async function signedIn(who: string, email: string, password: string): Promise<Page> {
    const p = await newPage(browser, problems);
    pages[who] = p;
    return signIn(p, base, email, password);
  }

  async function openCase(p: Page, tab: string): Promise<void> {
    await p.goto(`${base}/cases/${encodeURIComponent(caseId)}`);
    await p.getByRole('tab', { name: tab }).click();
  }

  const anonymous = (path: string) => fetch(`${base}${path}`);

  beforeAll(async () => {
    instance = await newInstance({ email: ADMIN, password: ADMIN_PASSWORD });
    const { env } = instance;
    await addUser(env, { email: LEAD, name: 'Lena Lead', role: 'coordinator', password: LEAD_PASSWORD });
    const orgIds: string[] = [];
    for (const v of VENDORS) orgIds.push(await addOrg(env, v.org));
    base = await instance.start();
    const admin = await apiAs(base, ADMIN, ADMIN_PASSWORD);
    for (const [i, v] of VENDORS.entries()) {
      await joinByInvitation(base, admin, orgIds[i]!, { ...v, password: VENDOR_PASSWORD });
    }
    // The case as the earlier issues' journeys leave it: a vulnerability, two vendors with approved statements.
    const lead = await apiAs(base, LEAD, LEAD_PASSWORD);
    caseId = ((await lead('POST', '/api/v1/cases', { title: CASE_TITLE })) as { caseId: string }).caseId;
    await lead('PUT', `/api/v1/cases/${caseId}/public-summary`, {
      publicSummary: 'A crafted SUBSCRIBE request overflows a stack buffer in the UPnP daemon.',
    });
    const vuln = (await lead('POST', `/api/v1/cases/${caseId}/vulnerabilities`, {
      title: 'Stack overflow in SUBSCRIBE handling',
      cveId: 'CVE-2026-40001',
      cwe: 'CWE-121',
      cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    })) as { id: string };
    for (const [i, v] of VENDORS.entries()) {
      const p = (await lead('POST', `/api/v1/cases/${caseId}/participants`, { orgId: orgIds[i], role: 'vendor' })) as {
        id: string;
      };
      const vendor: Call = await apiAs(base, v.email, VENDOR_PASSWORD);
      await vendor('POST', `/api/v1/cases/${caseId}/terms/accept`, { version: 1 });
      const s = (await vendor('PUT', `/api/v1/cases/${caseId}/statuses`, {
        participantId: p.id,
        vulnerabilityId: vuln.id,
        product: v.product,
        status: 'fixed',
        fixedVersions: v.fixed,
        statement: `Update ${v.product} to ${v.fixed}.`,
        mayShare: true,
      })) as { id: string };
      await lead('PUT', `/api/v1/cases/${caseId}/release/statements/${s.id}/approval`, { approved: true });
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it('the lead proposes an end two minutes away and confirms the warnings it raises', async () => {
    const lead = await signedIn('lead', LEAD, LEAD_PASSWORD);
    await openCase(lead, 'Embargo');
    const end = endInTwoMinutes();
    endsAt = end.at;
    await lead.getByLabel('End (local date and time)').fill(end.local);
    await lead.getByLabel('Time zone', { exact: true }).fill('UTC');
    await lead.getByLabel('Rationale').fill('Both vendors ship their fixes today.');
    await lead.getByRole('button', { name: 'Propose', exact: true }).click();
    // A weekend or off-hours end is allowed, but only once the proposer confirmed each warning.
    const warnings = lead.getByRole('group', { name: 'Please confirm before proposing' });
    await warnings.waitFor();
    for (const box of await warnings.getByRole('checkbox').all()) await box.check();
    await lead.getByRole('button', { name: 'Propose', exact: true }).click();
    await lead.getByRole('heading', { name: 'Proposed embargo' }).waitFor();
    await lead.getByText('Proposed', { exact: true }).first().waitFor();
    await shot(lead, 'r01-embargo-proposed');
  });

  it('is Active only after both vendors accepted, each in their own browser', async () => {
    for (const [i, v] of VENDORS.entries()) {
      const p = await signedIn(`vendor${i}`, v.email, VENDOR_PASSWORD);
      await openCase(p, 'Embargo');
      await p.getByRole('heading', { name: 'Proposed embargo' }).waitFor();
      await p.getByRole('button', { name: 'Accept', exact: true }).click();
      if (i === 0) {
        // One of two: still proposed.
        await p.getByRole('button', { name: 'Accept', exact: true }).waitFor({ state: 'detached' });
        await p.getByText('Proposed', { exact: true }).first().waitFor();
        await shot(p, 'r02-first-vendor-accepted');
      } else {
        await p.getByText('Active', { exact: true }).first().waitFor();
      }
    }
    const lead = pages.lead!;
    await openCase(lead, 'Embargo');
    await lead.getByText('Active', { exact: true }).first().waitFor();
    await shot(lead, 'r03-embargo-active');
  });

  it('schedules the publication at the embargo end, and nothing is public before it', async () => {
    const lead = pages.lead!;
    await openCase(lead, 'Release');
    await lead.getByText(/^Publication is scheduled for /).waitFor();
    await lead.getByText(/^Embargo active until /).waitFor();
    await shot(lead, 'r04-release-scheduled');
    expect(Date.now()).toBeLessThan(endsAt.getTime());
    expect((await anonymous(`/advisories/${caseId}`)).status).toBe(404);
    expect(await (await anonymous('/advisories')).text()).not.toContain(caseId);
    expect(await (await anonymous('/advisories/feed.atom')).text()).not.toContain(caseId);
  });

  it('publishes the landing page at the end, by the scheduled job, with both approved statements', async () => {
    await expect
      .poll(async () => (await anonymous(`/advisories/${caseId}`)).status, {
        timeout: Math.max(0, endsAt.getTime() - Date.now()) + 90_000,
        interval: 2_000,
      })
      .toBe(200);
    const visitor = await newPage(browser, problems);
    await visitor.goto(`${base}/advisories/${caseId}`);
    await visitor.getByRole('heading', { level: 1, name: new RegExp(CASE_TITLE) }).waitFor();
    for (const v of VENDORS) {
      await visitor.getByText(`Update ${v.product} to ${v.fixed}.`).waitFor();
      await visitor.getByText(v.org).first().waitFor();
    }
    await visitor.getByText('CVE-2026-40001').first().waitFor();
    await shot(visitor, 'r05-landing-page');
    await visitor.goto(`${base}/advisories`);
    await visitor
      .getByRole('link', { name: new RegExp(caseId) })
      .first()
      .waitFor();

    // The lead sees it published, the embargo ended as agreed, and the case public (Vultron P).
    const lead = pages.lead!;
    await openCase(lead, 'Release');
    await lead.getByText(/^Published /).waitFor();
    const api = await apiAs(base, LEAD, LEAD_PASSWORD);
    const c = (await api('GET', `/api/v1/cases/${caseId}`)) as { pxaState: string };
    expect(c.pxaState).toMatch(/^P/);
    const e = (await api('GET', `/api/v1/cases/${caseId}/embargo`)) as { state: string; exitReason: string };
    expect(e).toMatchObject({ state: 'X', exitReason: 'ended' });
    expect(problems.cspViolations).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  }, 300_000);
});

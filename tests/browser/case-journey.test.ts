import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAdmin,
  ensureWebBuilt,
  freePort,
  rootDir,
  run,
  type RunningServer,
  serverEnv,
  startServer,
  tempDir,
} from './server.ts';

/**
 * A multi-party case end to end, in Chromium against `accord serve`: the lead (a coordinator)
 * opens a case, records a vulnerability with its CVSS score and invites two vendors. Vendor A
 * sees only the terms until it accepts them, then states "not affected" with an OpenVEX
 * justification; vendor B accepts and writes in a private thread with the coordinators. The lead
 * sees the matrix (A answered, B silent), B's private post with its TLP label, and the timeline.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(chromiumPath);
if (!haveChromium) {
  console.warn(`case journey skipped: no Chromium at ${chromiumPath} (apt-get install chromium or set CHROMIUM_PATH).`);
}

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
const shots = path.join(rootDir, 'test-results', 'screenshots');
const viewport = { width: 1280, height: 900 };

type Call = (method: string, url: string, body?: unknown) => Promise<unknown>;

describe.skipIf(!haveChromium)('case journey', () => {
  let server: RunningServer | null = null;
  let dataDir = '';
  let browser: Browser | null = null;
  let base = '';
  let caseId = '';
  const orgIds: Record<string, string> = {};
  const pages: Page[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  const shot = (p: Page, name: string) => p.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

  /** A signed-in API session (cookie and CSRF token), for setting up what the journey does not show. */
  async function apiAs(email: string, password: string): Promise<Call> {
    const res = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (!res.ok) throw new Error(`sign-in as ${email} failed: ${res.status} ${await res.text()}`);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return async (method, url, body) => {
      const r = await fetch(`${base}${url}`, {
        method,
        headers: { cookie, 'x-csrf-token': csrfToken, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : null,
      });
      if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
      return r.status === 204 ? null : r.json();
    };
  }

  /** The vendor's admin joins through the invitation link the admin's mail carries. */
  async function vendorAdmin(admin: Call, vendor: typeof VENDOR_A): Promise<void> {
    await admin('POST', `/api/v1/orgs/${orgIds[vendor.org]}/invitations`, { email: vendor.email, role: 'org_admin' });
    const outbox = (await admin('GET', `/api/v1/admin/outbox?to=${encodeURIComponent(vendor.email)}`)) as {
      items: { text: string }[];
    };
    const token = /accept-invitation#token=(\S+)/.exec(outbox.items[0]?.text ?? '')?.[1];
    if (!token) throw new Error(`no invitation for ${vendor.email}`);
    const res = await fetch(`${base}/api/v1/invitations/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, name: vendor.name, password: VENDOR_PASSWORD }),
    });
    if (!res.ok) throw new Error(`accepting the invitation failed: ${res.status} ${await res.text()}`);
  }

  async function signedIn(email: string, password: string): Promise<Page> {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ locale: 'en-US', viewport });
    const p = await context.newPage();
    p.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    p.on('pageerror', (err) => pageErrors.push(err.message));
    pages.push(p);
    await p.goto(`${base}/login`);
    await p.getByLabel('E-mail address').fill(email);
    await p.getByLabel('Password').fill(password);
    await p.getByLabel('Password').press('Enter');
    await p.getByRole('heading', { name: /^Welcome, / }).waitFor();
    return p;
  }

  async function openCase(p: Page, tab?: string): Promise<void> {
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
    await p.getByRole('link', { name: caseId }).click();
    if (tab) await p.getByRole('tab', { name: tab }).click();
  }

  beforeAll(async () => {
    fs.mkdirSync(shots, { recursive: true });
    await ensureWebBuilt();
    dataDir = tempDir();
    const port = await freePort();
    const env = serverEnv(port, dataDir);
    // The embedded database admits one process: accounts and organizations come before the server.
    await addAdmin(env, ADMIN, ADMIN_PASSWORD);
    const cli = async (args: string[], input = '') => {
      const res = await run(process.execPath, ['bin/accord.mjs', ...args], { env, input });
      if (res.code !== 0) throw new Error(`accord ${args.join(' ')} failed:\n${res.stdout}\n${res.stderr}`);
      return res.stdout;
    };
    await cli(
      ['user', 'add', '--email', LEAD, '--name', 'Lena Lead', '--role', 'coordinator', '--password-stdin'],
      `${LEAD_PASSWORD}\n`,
    );
    for (const vendor of [VENDOR_A, VENDOR_B]) {
      const out = await cli(['org', 'add', '--name', vendor.org, '--kind', 'vendor']);
      orgIds[vendor.org] = (JSON.parse(out) as { id: string }).id;
    }
    server = await startServer(env, port);
    base = server.baseUrl;
    const admin = await apiAs(ADMIN, ADMIN_PASSWORD);
    await vendorAdmin(admin, VENDOR_A);
    await vendorAdmin(admin, VENDOR_B);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
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
    await lead.getByRole('tab', { name: 'Threads' }).press('ArrowRight');
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
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAdmin,
  ensureWebBuilt,
  freePort,
  run,
  type RunningServer,
  serverEnv,
  startServer,
  tempDir,
} from './server.ts';

/**
 * Notifications in Chromium against `accord serve`: a vendor's admin chooses notices and the
 * digest on the profile, registers a webhook for the organization (the secret is shown once and
 * signs the deliveries a local receiver checks), and sees what changed in a case since their last
 * visit, with unread badges that clear once the thread is read.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(chromiumPath);

const ADMIN = 'admin@example.org';
const ADMIN_PASSWORD = 'correct horse battery staple';
const LEAD = 'lead@example.org';
const LEAD_PASSWORD = 'lead coordinator passphrase';
const VENDOR = {
  org: 'ACME Routers',
  email: 'psirt@acme.example',
  name: 'Alice ACME',
  password: 'vendor passphrase x',
};
const OFFICIAL_POST = 'The embargo ends on 2027-02-01; please confirm your fix date.';

type Call = (method: string, url: string, body?: unknown) => Promise<unknown>;
interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe.skipIf(!haveChromium)('notifications journey', () => {
  let server: RunningServer | null = null;
  let receiver: http.Server | null = null;
  let hookUrl = '';
  const hits: Hit[] = [];
  let dataDir = '';
  let browser: Browser | null = null;
  let base = '';
  let orgId = '';
  let caseId = '';
  let secret = '';
  let vendor: Page;
  const pageErrors: string[] = [];

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

  const signatureOk = (h: Hit) =>
    h.headers['x-accord-signature'] ===
    `sha256=${createHmac('sha256', secret)
      .update(`${String(h.headers['x-accord-timestamp'])}.${h.body}`)
      .digest('hex')}`;

  beforeAll(async () => {
    await ensureWebBuilt();
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/accord`;
    dataDir = tempDir();
    const port = await freePort();
    // The receiver is on loopback: this instance allows it (production refuses such addresses).
    const env = { ...serverEnv(port, dataDir), ACCORD_WEBHOOK_ALLOW_PRIVATE: 'true' };
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
    orgId = (JSON.parse(await cli(['org', 'add', '--name', VENDOR.org, '--kind', 'vendor'])) as { id: string }).id;
    server = await startServer(env, port);
    base = server.baseUrl;
    const admin = await apiAs(ADMIN, ADMIN_PASSWORD);
    await admin('POST', `/api/v1/orgs/${orgId}/invitations`, { email: VENDOR.email, role: 'org_admin' });
    const outbox = (await admin('GET', `/api/v1/admin/outbox?to=${encodeURIComponent(VENDOR.email)}`)) as {
      items: { text: string }[];
    };
    const token = /accept-invitation#token=(\S+)/.exec(outbox.items[0]?.text ?? '')?.[1];
    const accepted = await fetch(`${base}/api/v1/invitations/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, name: VENDOR.name, password: VENDOR.password }),
    });
    if (!accepted.ok) throw new Error(`accepting the invitation failed: ${accepted.status}`);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--no-first-run'],
    });
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    vendor = await context.newPage();
    vendor.on('pageerror', (err) => pageErrors.push(err.message));
    await vendor.goto(`${base}/login`);
    await vendor.getByLabel('E-mail address').fill(VENDOR.email);
    await vendor.getByLabel('Password').fill(VENDOR.password);
    await vendor.getByLabel('Password').press('Enter');
    await vendor.getByRole('heading', { name: /^Welcome, / }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets a user choose the digest and notices on the profile; encrypted content needs a key', async () => {
    await vendor.goto(`${base}/profile`);
    const section = vendor.locator('#notifications');
    await section.getByRole('heading', { name: 'Notifications' }).waitFor();
    // Without an OpenPGP key the encrypted option cannot be chosen.
    expect(await section.getByLabel('The full content, OpenPGP-encrypted to my key').isDisabled()).toBe(true);
    await section.getByLabel('A notice with a link only').check();
    await section.getByLabel('Official notices').selectOption('digest');
    // Official notices cannot be switched off: the choice is not offered.
    expect(await section.getByLabel('Official notices').locator('option[value="off"]').count()).toBe(0);
    await section.getByLabel('When someone mentions you').selectOption('off');
    await section.getByRole('button', { name: 'Save' }).click();
    await section.getByText('Your notification preferences have been saved.').waitFor();
    await vendor.reload();
    expect(await vendor.locator('#notifications').getByLabel('Official notices').inputValue()).toBe('digest');
  });

  it("lets the organization's admin register a webhook, shows the secret once, and signs a test event", async () => {
    await vendor.goto(`${base}/orgs/${orgId}`);
    const section = vendor.locator('#webhooks');
    await section.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await section.getByLabel('Endpoint URL').fill(hookUrl);
    await section.getByLabel('Vendor status changes').check();
    await section.getByRole('button', { name: 'Register webhook' }).click();
    secret = (await section.getByTestId('webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await section.getByRole('button', { name: 'Done' }).click();
    expect(await section.getByTestId('webhook-secret').count()).toBe(0);
    await section.getByRole('button', { name: `Send a test event to ${hookUrl}` }).click();
    await section.getByText(`A test event for ${hookUrl} is on its way.`).waitFor();
    await expect.poll(() => hits.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(JSON.parse(hits[0]!.body)).toMatchObject({ kind: 'ping' });
    expect(signatureOk(hits[0]!)).toBe(true);
    // The delivery log shows it delivered.
    await vendor.reload();
    await vendor.locator('#webhooks').getByText('Delivery log').click();
    await vendor
      .locator('#webhooks')
      .getByRole('cell', { name: /Test event/ })
      .waitFor();
    await vendor.locator('#webhooks').getByText('delivered', { exact: true }).first().waitFor();
  });

  it('shows what changed since the last visit, with unread badges that clear once the thread is read', async () => {
    const lead = await apiAs(LEAD, LEAD_PASSWORD);
    caseId = ((await lead('POST', '/api/v1/cases', { title: 'Overflow in the UPnP daemon' })) as { caseId: string })
      .caseId;
    await lead('POST', `/api/v1/cases/${caseId}/participants`, { orgId, role: 'vendor' });
    const vendorApi = await apiAs(VENDOR.email, VENDOR.password);
    await vendorApi('POST', `/api/v1/cases/${caseId}/terms/accept`, { version: 1 });
    const threads = (await lead('GET', `/api/v1/cases/${caseId}/threads`)) as { items: { id: string; kind: string }[] };
    const official = threads.items.find((t) => t.kind === 'official')!.id;
    await lead('POST', `/api/v1/cases/${caseId}/threads/${official}/posts`, { body: OFFICIAL_POST });
    // The webhook hears of the post, without its text.
    await expect.poll(() => hits.length, { timeout: 20_000 }).toBeGreaterThan(1);
    const event = hits.find((h) => h.headers['x-accord-event'] === 'post.created')!;
    expect(signatureOk(event)).toBe(true);
    expect(event.body).not.toContain('embargo');

    await vendor.goto(`${base}/cases`);
    const row = vendor.getByRole('row', { name: new RegExp(caseId) });
    await row.getByText('1 unread').waitFor();
    await row.getByRole('link', { name: caseId }).click();
    const changes = vendor.getByTestId('case-changes');
    await changes.getByText('Everything so far (your first visit)').waitFor();
    await changes.getByText(OFFICIAL_POST).waitFor();
    await changes.getByRole('button', { name: 'Open the threads' }).click();
    await vendor.getByRole('tab', { name: 'Threads', selected: true }).waitFor();
    await vendor.getByText('1 new post').waitFor();
    // Reading the thread marks it read: the thread list's badge is gone.
    await expect.poll(() => vendor.locator('.thread-list').getByText('1 unread').count(), { timeout: 10_000 }).toBe(0);
    await vendor.reload();
    await vendor
      .getByTestId('case-changes')
      .getByText(/Since your last visit/)
      .waitFor();
    // Nothing new since: the panel stays folded, saying so in its summary.
    await vendor.getByTestId('case-changes').getByText('0 changes').waitFor();
    expect(pageErrors).toEqual([]);
  });
});

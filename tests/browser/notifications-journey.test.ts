import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrg, addUser, type Instance, newInstance } from './server.ts';
import { apiAs, haveChromium, joinByInvitation, launchChromium, newPage, PageProblems, signIn } from './support.ts';

/**
 * Notifications in Chromium against `accord serve`: a vendor's admin chooses notices and the
 * digest on the profile, registers a webhook for the organization (the secret is shown once and
 * signs the deliveries a local receiver checks), and sees what changed in a case since their last
 * visit, with unread badges that clear once the thread is read.
 */
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

interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe.skipIf(!haveChromium('notifications journey'))('notifications journey', () => {
  let instance: Instance | null = null;
  let receiver: http.Server | null = null;
  let hookUrl = '';
  const hits: Hit[] = [];
  let browser: Browser | null = null;
  let base = '';
  let orgId = '';
  let caseId = '';
  let secret = '';
  let vendor: Page;
  const problems = new PageProblems();

  const signatureOk = (h: Hit) =>
    h.headers['x-accord-signature'] ===
    `sha256=${createHmac('sha256', secret)
      .update(`${String(h.headers['x-accord-timestamp'])}.${h.body}`)
      .digest('hex')}`;

  beforeAll(async () => {
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
    // The receiver is on loopback: this instance allows it (production refuses such addresses).
    instance = await newInstance({ email: ADMIN, password: ADMIN_PASSWORD }, { ACCORD_WEBHOOK_ALLOW_PRIVATE: 'true' });
    const { env } = instance;
    await addUser(env, { email: LEAD, name: 'Lena Lead', role: 'coordinator', password: LEAD_PASSWORD });
    orgId = await addOrg(env, VENDOR.org);
    base = await instance.start();
    await joinByInvitation(base, await apiAs(base, ADMIN, ADMIN_PASSWORD), orgId, VENDOR);
    browser = await launchChromium();
    vendor = await signIn(await newPage(browser, problems), base, VENDOR.email, VENDOR.password);
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
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
    const lead = await apiAs(base, LEAD, LEAD_PASSWORD);
    caseId = ((await lead('POST', '/api/v1/cases', { title: 'Overflow in the UPnP daemon' })) as { caseId: string })
      .caseId;
    await lead('POST', `/api/v1/cases/${caseId}/participants`, { orgId, role: 'vendor' });
    const vendorApi = await apiAs(base, VENDOR.email, VENDOR.password);
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
    expect(problems.pageErrors).toEqual([]);
  });

  it('rotates the webhook secret: both secrets sign during the grace period, only the new one once revoked', async () => {
    // A receiver as the README describes it: any comma-separated entry that matches the secret it holds.
    const accepts = (h: Hit, key: string) => {
      const mac = createHmac('sha256', key).update(`${String(h.headers['x-accord-timestamp'])}.${h.body}`);
      return String(h.headers['x-accord-signature'])
        .split(',')
        .includes(`sha256=${mac.digest('hex')}`);
    };
    await vendor.goto(`${base}/orgs/${orgId}`);
    const section = vendor.locator('#webhooks');
    await section.getByRole('button', { name: `Rotate the signing secret of the webhook for ${hookUrl}` }).click();
    await section.getByLabel('Grace period (hours)').fill('48');
    await section.getByRole('button', { name: 'Rotate now' }).click();
    await section.getByText(`New signing secret for ${hookUrl}`).waitFor();
    const rotated = (await section.getByTestId('webhook-secret').textContent()) ?? '';
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await section.getByRole('button', { name: 'Done' }).click();
    await section.getByTestId('webhook-previous-secret').waitFor();
    const ping = async () => {
      const before = hits.length;
      await section.getByRole('button', { name: `Send a test event to ${hookUrl}` }).click();
      await expect.poll(() => hits.length, { timeout: 20_000 }).toBeGreaterThan(before);
      return hits[hits.length - 1]!;
    };
    const during = await ping();
    expect(accepts(during, secret)).toBe(true);
    expect(accepts(during, rotated)).toBe(true);
    vendor.once('dialog', (d) => void d.accept());
    await section.getByRole('button', { name: `Revoke the old signing secret of the webhook for ${hookUrl}` }).click();
    await section.getByText(`The old secret of ${hookUrl} no longer signs.`).waitFor();
    expect(await section.getByTestId('webhook-previous-secret').count()).toBe(0);
    const after = await ping();
    expect(accepts(after, rotated)).toBe(true);
    expect(accepts(after, secret)).toBe(false);
    expect(problems.pageErrors).toEqual([]);
  });
});

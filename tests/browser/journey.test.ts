import { Secret, TOTP } from 'otpauth';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Instance, newInstance } from './server.ts';
import { haveChromium, launchChromium, newPage, PageProblems, shot } from './support.ts';

/**
 * The real thing end to end: the built web UI served by `accord serve`, driven in Chromium.
 * Sign in, enrol TOTP, sign in again with the second factor, create and use an API token,
 * switch to Japanese, sign out; and no Content-Security-Policy violation on the way.
 */
const EMAIL = 'admin@example.org';
const PASSWORD = 'correct horse battery staple';
/** This journey's screenshots are a little shorter than the others'. */
const viewport = { width: 1280, height: 860 };

describe.skipIf(!haveChromium('browser journey'))('browser journey', () => {
  let instance: Instance | null = null;
  let browser: Browser | null = null;
  let context: BrowserContext;
  let page: Page;
  let base = '';
  let totp: TOTP;
  let lastStep = 0;
  let invitationLink = '';
  const problems = new PageProblems();

  const stepNow = () => Math.floor(Date.now() / 30_000);

  /** A fresh TOTP code from a time step the server has not seen yet (it refuses replays). */
  async function freshCode(): Promise<string> {
    while (stepNow() <= lastStep) await new Promise((r) => setTimeout(r, 500));
    lastStep = stepNow();
    return totp.generate();
  }

  async function openUserMenu() {
    await page.locator('.usermenu-button').click();
  }

  beforeAll(async () => {
    instance = await newInstance({ email: EMAIL, password: PASSWORD });
    base = await instance.start();
    browser = await launchChromium();
    page = await newPage(browser, problems, { viewport });
    context = page.context();
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it('serves the UI with a strict CSP and signs in with the password (Enter submits)', async () => {
    const res = await page.goto(`${base}/`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForURL('**/login');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByLabel('E-mail address').fill(EMAIL);
    await page.getByLabel('Password').fill('wrong password, surely');
    await page.getByLabel('Password').press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('wrong');
    await shot(page, '01-login-error');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'Welcome, Admin' }).waitFor();
    await shot(page, '02-home');
  });

  it('enrols TOTP on the profile page and shows the recovery codes once', async () => {
    await openUserMenu();
    await page.getByRole('link', { name: 'Profile and security', exact: true }).click();
    await page.waitForURL('**/profile');
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await expect
      .poll(() => page.locator('img.qr').evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
    await shot(page, '03-totp-enrol');
    totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    await page.getByLabel('Code from the app').fill(await freshCode());
    await page.getByLabel('Code from the app').press('Enter');
    const codes = page.getByTestId('recovery-codes').locator('code');
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    expect(await codes.first().textContent()).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    await shot(page, '04-recovery-codes');
    await page.getByRole('button', { name: 'I have stored the codes' }).click();
    await expect.poll(() => page.getByTestId('recovery-codes').count()).toBe(0);
  });

  it('signs out, then signs in again with password and a TOTP code', async () => {
    await openUserMenu();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('E-mail address').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel('Authentication code');
    await code.waitFor();
    await code.fill('000000');
    await code.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('authentication code is wrong');
    await shot(page, '05-login-totp');
    await code.fill(await freshCode());
    await code.press('Enter');
    await page.getByRole('heading', { name: 'Welcome, Admin' }).waitFor();
  });

  it('creates an API token in the UI that works with the API', async () => {
    await openUserMenu();
    await page.getByRole('link', { name: 'Profile and security', exact: true }).click();
    await page.getByLabel('Token name').fill('journey script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = ((await page.getByTestId('new-token').textContent()) ?? '').trim();
    expect(token.length).toBeGreaterThan(20);
    await page.getByRole('cell', { name: 'journey script', exact: true }).waitFor();
    await shot(page, '06-api-token');
    const res = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const me = (await res.json()) as { user: { email: string }; authenticatedBy: string };
    expect(me.user.email).toBe(EMAIL);
    expect(me.authenticatedBy).toBe('token');
  });

  it('shows the admin screens', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Example Vendor');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('link', { name: 'Example Vendor' }).click();
    await page.getByLabel('E-mail address').fill('psirt@vendor.example');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText('An invitation has been sent to psirt@vendor.example.').waitFor();
    await page.getByRole('button', { name: 'Withdraw the invitation for psirt@vendor.example' }).waitFor();
    await shot(page, '07-org');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Mail outbox' }).click();
    await page.getByText('You are invited to join Example Vendor').first().click();
    const mail = (await page.locator('.mail-body').first().textContent()) ?? '';
    invitationLink = /https?:\/\/\S+\/accept-invitation#token=\S+/.exec(mail)?.[0] ?? '';
    expect(invitationLink).not.toBe('');
    await shot(page, '08-outbox');
    await nav.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('cell', { name: 'user.totp.enable' }).waitFor();
    await shot(page, '09-audit');
    await nav.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('cell', { name: EMAIL, exact: true }).waitFor();
    await shot(page, '10-users');
  });

  it('accepts the invitation from the e-mail in a signed-out browser', async () => {
    const guest = await newPage(browser, problems, { viewport });
    try {
      await guest.goto(invitationLink);
      await guest.getByText('Example Vendor').waitFor();
      await guest.getByLabel('Name').fill('Vendor PSIRT');
      await guest.getByLabel('Password').fill('another long passphrase');
      await guest.getByLabel('Password').press('Enter');
      await guest.getByText('You have joined Example Vendor.').waitFor();
      expect(guest.url()).not.toContain('token=');
      await shot(guest, '11-invitation-accepted');
    } finally {
      await guest.context().close();
    }
  });

  it('sends a staff member without 2FA to the enrolment when 2FA is mandatory', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Require two-factor authentication for staff').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The settings have been saved.').waitFor();
    await nav.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('E-mail address').fill('analyst@example.org');
    await page.getByLabel('Name', { exact: true }).fill('Analyst');
    await page.getByLabel('Staff role').selectOption('analyst');
    await page.getByLabel('Initial password (optional)').fill('analyst passphrase 2026');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('cell', { name: 'analyst@example.org', exact: true }).waitFor();
    const analyst = await newPage(browser, problems, { viewport });
    try {
      await analyst.goto(`${base}/login`);
      await analyst.getByLabel('E-mail address').fill('analyst@example.org');
      await analyst.getByLabel('Password').fill('analyst passphrase 2026');
      await analyst.getByLabel('Password').press('Enter');
      await analyst.getByText('Two-factor authentication required').waitFor();
      expect(new URL(analyst.url()).pathname).toBe('/profile');
      expect(await analyst.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
      await analyst.getByRole('button', { name: 'Set up two-factor authentication' }).waitFor();
      await shot(analyst, '12-enrolment-required');
    } finally {
      await analyst.context().close();
    }
  });

  it('switches the UI to Japanese', async () => {
    await page.getByLabel('Display language').selectOption('ja');
    await page.getByRole('heading', { name: 'ユーザー', exact: true }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    await shot(page, '13-users-ja');
    await page.locator('.usermenu-button').click();
    await page.getByRole('link', { name: 'プロフィールとセキュリティ' }).click();
    await page.getByRole('heading', { level: 1, name: 'プロフィールとセキュリティ' }).waitFor();
    await page.getByRole('heading', { name: '二要素認証 有効' }).waitFor();
    await shot(page, '14-profile-ja');
  });

  it('signs out; the login page shows and the old session cookie is refused', async () => {
    const cookie = (await context.cookies(base)).find((c) => c.name === 'accord_session');
    expect(cookie).toBeDefined();
    await openUserMenu();
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL('**/login');
    await page.locator('#login-form').waitFor();
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
    await shot(page, '15-login-ja');
    const res = await fetch(`${base}/api/v1/me`, { headers: { cookie: `accord_session=${cookie?.value}` } });
    expect(res.status).toBe(401);
  });

  it('saw no Content-Security-Policy violation and no script error', () => {
    expect(problems.cspViolations).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  });
});

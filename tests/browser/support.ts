import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { rootDir } from './server.ts';

/**
 * What every browser journey shares: Debian's Chromium (never a test tool's own download),
 * screenshots, pages watched for CSP violations and script errors, signing in, and API calls as
 * a signed-in user for the set-up a journey does not show. Each journey keeps its data and steps.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether Chromium is installed; when it is not, says that `journey` is skipped. For `describe.skipIf`. */
export function haveChromium(journey: string): boolean {
  if (fs.existsSync(chromiumPath)) return true;
  console.warn(`${journey} skipped: no Chromium at ${chromiumPath} (apt-get install chromium or set CHROMIUM_PATH).`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export const viewport = { width: 1280, height: 900 };
export const screenshotsDir = path.join(rootDir, 'test-results', 'screenshots');

/** A full-page screenshot in test-results/screenshots/<name>.png. */
export async function shot(p: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotsDir, { recursive: true });
  await p.screenshot({ path: path.join(screenshotsDir, `${name}.png`), fullPage: true });
}

/** Collects the Content-Security-Policy violations and uncaught script errors of the pages it watches. */
export class PageProblems {
  readonly cspViolations: string[] = [];
  readonly pageErrors: string[] = [];

  watch(p: Page): Page {
    p.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) this.cspViolations.push(msg.text());
    });
    p.on('pageerror', (err) => this.pageErrors.push(err.message));
    return p;
  }
}

/** A page in a context of its own (English, the journeys' viewport unless `options` says otherwise), watched. */
export async function newPage(
  browser: Browser | null,
  problems: PageProblems,
  options: BrowserContextOptions = {},
): Promise<Page> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({ locale: 'en-US', viewport, ...options });
  return problems.watch(await context.newPage());
}

/** Signs in on the login page and waits for the welcome. */
export async function signIn(p: Page, base: string, email: string, password: string): Promise<Page> {
  await p.goto(`${base}/login`);
  await p.getByLabel('E-mail address').fill(email);
  await p.getByLabel('Password').fill(password);
  await p.getByLabel('Password').press('Enter');
  await p.getByRole('heading', { name: /^Welcome, / }).waitFor();
  return p;
}

/** An API call as a signed-in user: answers the JSON body (null for 204), throws on any other failure. */
export type Call = (method: string, url: string, body?: unknown) => Promise<unknown>;

/** A signed-in API session (cookie and CSRF token), for setting up what the journey does not show. */
export async function apiAs(base: string, email: string, password: string): Promise<Call> {
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

/** The admin invites `member` as the organization's admin; they join through the link the mail carries. */
export async function joinByInvitation(
  base: string,
  admin: Call,
  orgId: string,
  member: { email: string; name: string; password: string },
): Promise<void> {
  await admin('POST', `/api/v1/orgs/${orgId}/invitations`, { email: member.email, role: 'org_admin' });
  const outbox = (await admin('GET', `/api/v1/admin/outbox?to=${encodeURIComponent(member.email)}`)) as {
    items: { text: string }[];
  };
  const token = /accept-invitation#token=(\S+)/.exec(outbox.items[0]?.text ?? '')?.[1];
  if (!token) throw new Error(`no invitation for ${member.email}`);
  const res = await fetch(`${base}/api/v1/invitations/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, name: member.name, password: member.password }),
  });
  if (!res.ok) throw new Error(`accepting the invitation failed: ${res.status} ${await res.text()}`);
}

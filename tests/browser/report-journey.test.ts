import fs from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type Instance, newInstance } from './server.ts';
import { haveChromium, launchChromium, newPage, PageProblems, shot } from './support.ts';

/**
 * Report intake and triage end to end, in Chromium against `accord serve`: a finder without an
 * account sends a report encrypted in the browser, with a file, and keeps the follow-up link; an
 * analyst finds it in the queue, validates it and asks a question; the finder answers through the
 * link; the analyst sees the answer. Internal notes never reach the finder. The finder's second
 * report is closed as a duplicate, and their profile counts both; an admin rotates the instance key.
 */
const ADMIN = 'admin@example.org';
const ADMIN_PASSWORD = 'correct horse battery staple';
const ANALYST = 'analyst@example.org';
const PASSWORD = 'analyst passphrase 2026';
const FINDER_EMAIL = 'widgethunter@example.net';
const TITLE_2 = 'Stored XSS in Widget Server comment editor through pasted HTML';
const TITLE = 'Stored XSS in the Widget Server comment editor';
const POC = '<script>alert(document.domain)</script>\nPaste this into a comment and open the thread.\n';
const QUESTION = 'Which browser and version did you use?';
const NOTE = 'Looks real; reproduced on 2.4.1 in the lab.';
const ANSWER = 'Chromium 140 on Debian, with the default settings.';

describe.skipIf(!haveChromium('report journey'))('report journey', () => {
  let instance: Instance | null = null;
  let browser: Browser | null = null;
  let finder: Page;
  let staff: Page;
  let base = '';
  let trackingId = '';
  let trackingId2 = '';
  let followUpUrl = '';
  const submittedBodies: string[] = [];
  const problems = new PageProblems();

  beforeAll(async () => {
    instance = await newInstance({ email: ADMIN, password: ADMIN_PASSWORD });
    await addUser(instance.env, { email: ANALYST, name: 'Ana Analyst', role: 'analyst', password: PASSWORD });
    base = await instance.start();
    browser = await launchChromium();
    finder = await newPage(browser, problems, { acceptDownloads: true });
    staff = await newPage(browser, problems, { acceptDownloads: true });
    finder.on('request', (req) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/v1/reports') {
        submittedBodies.push(req.postData() ?? '');
      }
    });
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it('shows each invalid field where it is, with a summary at the top', async () => {
    await finder.goto(`${base}/report`);
    await finder.getByRole('heading', { level: 1, name: 'Report a vulnerability' }).waitFor();
    expect(new URL(finder.url()).pathname).toBe('/report');
    await finder.getByText('Team key fingerprint:').waitFor();
    await finder.getByLabel('Vendor').fill('Example Corp');
    await finder.getByLabel('Package URL or CPE (optional)').fill('pkg:not a purl');
    await finder.getByLabel('Title').fill('XSS');
    await finder.getByLabel('Description').fill('too short');
    await finder.getByRole('button', { name: 'Send report' }).click();
    const summary = finder.locator('#report-problems');
    await summary.waitFor();
    expect(await summary.getAttribute('role')).toBe('alert');
    await expect.poll(() => summary.textContent()).toContain('Affected product 1: Package URL or CPE');
    // Each entry of the summary leads to its field.
    await summary.getByRole('link', { name: 'Affected product 1: Package URL or CPE (optional)' }).click();
    await expect.poll(() => finder.evaluate(() => document.activeElement?.id)).toBe('f-affected-0-identifier');
    const identifier = finder.getByLabel('Package URL or CPE (optional)');
    expect(await identifier.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await identifier.getAttribute('aria-describedby')) ?? '';
    expect(describedBy).toContain('f-affected-0-identifier-error');
    expect(await finder.getByLabel('Title').getAttribute('aria-invalid')).toBe('true');
    expect(await finder.getByLabel('Description').getAttribute('aria-invalid')).toBe('true');
    await shot(finder, 'r01-report-errors');
  });

  it('sends an encrypted report with a file and shows the follow-up link once', async () => {
    await finder.getByLabel('Product', { exact: true }).fill('Widget Server');
    await finder.getByLabel('Versions').fill('2.0 to 2.4.1');
    await finder.getByLabel('Package URL or CPE (optional)').fill('pkg:npm/widget-server@2.4.1');
    await finder.getByLabel('Title').fill(TITLE);
    await finder
      .getByLabel('Description')
      .fill('The comment editor stores HTML without sanitizing it, so a script in a comment runs for every reader.');
    await finder
      .getByLabel('Steps to reproduce / proof of concept')
      .fill('1. Post the attached comment.\n2. Open the thread.');
    await finder.getByLabel('Suggested CVSS vector (optional)').fill('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N');
    await expect.poll(() => finder.getByTestId('cvss-preview').textContent()).toContain('6.1');
    await finder.getByLabel('Suggested CWE (optional)').fill('CWE-79');
    await finder.getByLabel('How to credit you').selectOption('handle');
    await finder.getByLabel('Handle to credit').fill('widgethunter');
    await finder.getByLabel('E-mail address').fill(FINDER_EMAIL);
    // The limits and the promised response time come from the server's report settings.
    await finder.getByText('Up to 10 files of at most 10 MB each.').waitFor();
    expect(await finder.getByTestId('response-time').textContent()).toBe(
      'We acknowledge every report within 3 business days.',
    );
    await finder
      .getByLabel('Attach files')
      .setInputFiles({ name: 'poc.html', mimeType: 'text/html', buffer: Buffer.from(POC) });
    await finder.getByText('poc.html').waitFor();
    expect(await finder.getByLabel('Encrypt in my browser before sending (OpenPGP)').isChecked()).toBe(true);
    expect(await finder.getByTestId('instance-fingerprint').textContent()).toMatch(/^[0-9A-F]{4}( [0-9A-F]{4}){9,15}$/);
    await shot(finder, 'r02-report-form');
    await finder.getByRole('button', { name: 'Send report' }).click();

    trackingId = ((await finder.getByTestId('tracking-id').textContent({ timeout: 30_000 })) ?? '').trim();
    expect(trackingId).toMatch(/^ACC-\d{4}-\d{4,}$/);
    followUpUrl = ((await finder.getByTestId('follow-up-url').textContent()) ?? '').trim();
    // The server's link as it is: the tracking id and the secret, both in the fragment.
    expect(followUpUrl.startsWith(`${base}/report/follow-up#${trackingId}/accf_`)).toBe(true);
    await finder.getByText('It is shown only now').waitFor();
    await finder.getByText('We acknowledge every report within 3 business days.').waitFor();
    await shot(finder, 'r03-report-sent');

    // What left the browser was an OpenPGP message, not the report in clear text.
    const sent = submittedBodies.at(-1) ?? '';
    expect(sent).toContain('-----BEGIN PGP MESSAGE-----');
    expect(sent).not.toContain('Widget Server');
    expect(sent).not.toContain('alert(document.domain)');
  });

  it('lets an analyst find the report in the queue, validate it and ask a question', async () => {
    await staff.goto(`${base}/login`);
    await staff.getByLabel('E-mail address').fill(ANALYST);
    await staff.getByLabel('Password').fill(PASSWORD);
    await staff.getByLabel('Password').press('Enter');
    await staff.getByRole('heading', { name: 'Welcome, Ana Analyst' }).waitFor();
    await staff.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await staff.waitForURL('**/reports');
    await staff.getByRole('checkbox', { name: 'Received' }).check();
    await staff.getByRole('button', { name: 'Apply filters' }).click();
    await staff.waitForURL('**/reports?state=R');
    const row = staff.getByRole('row').filter({ hasText: trackingId });
    await row.waitFor();
    expect(await row.textContent()).toContain(TITLE);
    await shot(staff, 'r04-queue');
    await row.getByRole('link', { name: trackingId }).click();
    await staff.getByRole('heading', { level: 1, name: `${trackingId} ${TITLE}` }).waitFor();
    await staff.getByText('pkg:npm/widget-server@2.4.1').waitFor();

    const download = staff.waitForEvent('download');
    await staff.getByRole('button', { name: 'Download poc.html' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('poc.html');
    expect(fs.readFileSync(await file.path(), 'utf8')).toBe(POC);

    await staff.getByRole('button', { name: 'Validate', exact: true }).click();
    await staff.getByText('Done: Validate.').waitFor();
    await expect.poll(() => staff.locator('.report-status [data-state]').getAttribute('data-state')).toBe('V');

    await staff.getByLabel('Question to the finder').check();
    await staff.getByLabel('Text', { exact: true }).fill(QUESTION);
    await staff.getByRole('button', { name: 'Ask the finder' }).click();
    await staff.getByText('The question has been sent').waitFor();
    await staff.getByTestId('message').filter({ hasText: QUESTION }).waitFor();

    await staff.getByLabel('Internal note').check();
    await staff.getByLabel('Text', { exact: true }).fill(NOTE);
    await staff.getByRole('button', { name: 'Add internal note' }).click();
    const note = staff.getByTestId('message').filter({ hasText: NOTE });
    await note.waitFor();
    expect(await note.textContent()).toContain('Internal: the finder does not see this');
    await shot(staff, 'r05-report-detail');
  });

  it('lets the finder read the question through the link and answer it, encrypted', async () => {
    // A link with only the secret still works: the page asks for the tracking id, then keeps both.
    const secret = followUpUrl.split('/').at(-1) ?? '';
    await finder.goto(`${base}/report/follow-up#${secret}`);
    await finder.getByLabel('Tracking ID').fill(trackingId.toLowerCase());
    await finder.getByRole('button', { name: 'Open report' }).click();
    await finder.getByRole('heading', { level: 1, name: `${trackingId} ${TITLE}` }).waitFor();
    expect(finder.url()).toBe(followUpUrl);
    await finder.reload();
    await finder.getByRole('heading', { level: 1, name: `${trackingId} ${TITLE}` }).waitFor();
    await finder.getByText('The team has asked you a question.').waitFor();
    await finder.getByText(QUESTION).waitFor();
    expect(await finder.getByText(NOTE).count()).toBe(0);
    expect(await finder.locator('[data-state]').first().getAttribute('data-state')).toBe('V');
    await finder.getByLabel('Your message').fill(ANSWER);
    expect(await finder.getByLabel('Encrypt in my browser before sending (OpenPGP)').isChecked()).toBe(true);
    await finder.getByTestId('instance-fingerprint').waitFor();
    await finder.getByRole('button', { name: 'Send', exact: true }).click();
    await finder.getByText('Your message has been sent.').waitFor();
    await finder.getByTestId('message').filter({ hasText: ANSWER }).waitFor();
    await shot(finder, 'r06-follow-up');
  });

  it('shows the answer to the analyst', async () => {
    await staff.reload();
    const answer = staff.getByTestId('message').filter({ hasText: ANSWER });
    await answer.waitFor();
    expect(await answer.textContent()).toContain('Answer');
    await shot(staff, 'r07-answer-seen');
  });

  it('accepts the report, then closes it with a reason', async () => {
    const about = staff.getByRole('region', { name: 'About the report' });
    expect(await about.textContent()).toContain('Web form');
    const state = () => staff.locator('.report-status [data-state]').getAttribute('data-state');
    await staff.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect.poll(state).toBe('A');
    await staff.getByRole('button', { name: 'Close…' }).click();
    await staff.getByLabel('Reason').selectOption('resolved');
    await staff.getByRole('button', { name: 'Close report' }).click();
    await expect.poll(state).toBe('C');
    await staff.getByText('Resolved', { exact: true }).first().waitFor();
    await shot(staff, 'r08-closed');
  });

  it('lets the finder opt in to the public acknowledgements afterwards, through the link', async () => {
    await finder.goto(followUpUrl);
    const credit = finder.getByRole('region', { name: 'Credit and acknowledgement' });
    await credit.waitFor();
    await credit.getByLabel('How to credit you').selectOption('name');
    await credit.getByLabel('Name to credit').fill('Wanda Widgethunter');
    await credit.getByLabel('List me on the public acknowledgements page').check();
    await credit.getByRole('button', { name: 'Save credit preference' }).click();
    await finder.getByText('Your credit preference has been saved.').waitFor();
    await finder.goto(`${base}/acknowledgements`);
    await finder.getByText('Wanda Widgethunter').waitFor();
    await shot(finder, 'r08b-acknowledged');
  });

  it('closes a second report from the same finder as a duplicate of the first', async () => {
    await finder.goto(`${base}/report`);
    await finder.getByRole('heading', { level: 1, name: 'Report a vulnerability' }).waitFor();
    await finder.getByLabel('Vendor').fill('Example Corp');
    await finder.getByLabel('Product', { exact: true }).fill('Widget Server');
    await finder.getByLabel('Title').fill(TITLE_2);
    await finder
      .getByLabel('Description')
      .fill('Comments in the Widget Server editor keep pasted HTML, so a script runs for everyone reading the thread.');
    await finder.getByLabel('E-mail address').fill(FINDER_EMAIL);
    await finder.getByLabel('Encrypt in my browser before sending (OpenPGP)').uncheck();
    await finder.getByRole('button', { name: 'Send report' }).click();
    trackingId2 = ((await finder.getByTestId('tracking-id').textContent({ timeout: 30_000 })) ?? '').trim();
    expect(trackingId2).toMatch(/^ACC-\d{4}-\d{4,}$/);
    expect(trackingId2).not.toBe(trackingId);
    expect(submittedBodies.at(-1)).toContain(FINDER_EMAIL);

    await staff.goto(`${base}/reports/${trackingId2}`);
    await staff.getByRole('heading', { level: 1, name: `${trackingId2} ${TITLE_2}` }).waitFor();
    const similar = staff.getByRole('region', { name: 'Similar reports' });
    await similar.getByRole('link', { name: trackingId }).waitFor();
    await staff.getByLabel('Original report').fill(trackingId.toLowerCase());
    await staff.getByRole('button', { name: 'Mark as duplicate' }).click();
    await expect.poll(() => staff.locator('.report-status [data-state]').getAttribute('data-state')).toBe('C');
    await staff.locator('.report-status').getByRole('link', { name: trackingId }).waitFor();
    await staff
      .getByTestId('message')
      .filter({ hasText: `This report duplicates ${trackingId}` })
      .waitFor();
    await shot(staff, 'r09-duplicate');
  });

  it("shows the finder's profile with both reports, and lists and finds them among the finders", async () => {
    // From the report to the finder's profile.
    await staff.getByTestId('finder-link').click();
    await staff.getByRole('heading', { level: 1, name: 'widgethunter' }).waitFor();
    const figure = (key: string) => staff.getByTestId(`figure-${key}`).locator('dd').textContent();
    expect(await figure('reports')).toBe('2');
    expect(await figure('valid')).toBe('1');
    expect(await figure('duplicates')).toBe('1');
    expect(await figure('validShare')).toBe('100%');
    const history = staff.getByRole('table', { name: 'Reports by this finder' });
    await history.getByRole('link', { name: trackingId2 }).waitFor();
    expect(await history.getByRole('row').count()).toBe(3);
    await shot(staff, 'r10-finder');

    // The finders list: a staff entry next to Reports, a search, and a link back to the profile.
    const nav = staff.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(expect.arrayContaining(['Reports', 'Finders']));
    await nav.getByRole('link', { name: 'Finders' }).click();
    await staff.waitForURL('**/finders');
    // The page's own search button, not the top bar's (also named Search).
    const search = staff.getByRole('main').getByRole('button', { name: 'Search', exact: true });
    await staff.getByLabel('Search (e-mail, name, handle, key fingerprint)').fill('WIDGETHUNTER@');
    await search.click();
    await staff.waitForURL('**/finders?q=WIDGETHUNTER%40');
    const row = staff.getByRole('row').filter({ hasText: FINDER_EMAIL });
    await row.waitFor();
    expect(await staff.getByRole('row').count()).toBe(2);
    expect(await row.locator('td.num').textContent()).toBe('2');
    await staff.getByLabel('Search (e-mail, name, handle, key fingerprint)').fill('nobody-like-this');
    await search.click();
    await staff.getByText('Nothing found.').waitFor();
    await staff.goBack();
    await row.getByRole('link', { name: 'widgethunter' }).click();
    await staff.getByRole('table', { name: 'Reports by this finder' }).getByRole('link', { name: trackingId }).click();
    await staff.getByRole('heading', { level: 1, name: `${trackingId} ${TITLE}` }).waitFor();
  });

  it('lets an admin rotate the instance key after confirming, keeping the old one', async () => {
    const admin = await newPage(browser, problems);
    await admin.goto(`${base}/login?next=%2Fadmin%2Fsettings`);
    await admin.getByLabel('E-mail address').fill(ADMIN);
    await admin.getByLabel('Password').fill(ADMIN_PASSWORD);
    await admin.getByLabel('Password').press('Enter');
    await admin.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const fingerprint = admin.getByTestId('instance-key-fingerprint');
    const before = ((await fingerprint.textContent()) ?? '').trim();
    expect(before).toMatch(/^[0-9A-F]{4}( [0-9A-F]{4}){9,15}$/);
    await admin.getByText('No earlier keys.').waitFor();

    // The dialog opens with the focus on Cancel; Escape or Cancel changes nothing.
    await admin.getByRole('button', { name: 'Rotate key' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Rotate the instance key?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('The old keys are not deleted');
    await expect.poll(() => admin.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await shot(admin, 'r11-rotate-confirm');
    await admin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await admin.getByRole('button', { name: 'Rotate key' }).click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(((await fingerprint.textContent()) ?? '').trim()).toBe(before);

    await admin.getByRole('button', { name: 'Rotate key' }).click();
    await dialog.getByRole('button', { name: 'Create a new key' }).click();
    await admin.getByText('A new key has been created and published.').waitFor();
    await expect.poll(async () => ((await fingerprint.textContent()) ?? '').trim()).not.toBe(before);
    const retired = admin.getByRole('table', { name: 'Earlier keys (kept for decryption)' });
    expect(await retired.textContent()).toContain(before);
    await shot(admin, 'r12-rotated');
    await admin.context().close();
  });

  it('shows the report form in Japanese', async () => {
    await finder.goto(`${base}/report`);
    await finder.getByLabel('Display language').selectOption('ja');
    await finder.getByRole('heading', { level: 1, name: '脆弱性を報告する' }).waitFor();
    await finder.getByRole('group', { name: '影響を受けるもの' }).waitFor();
    await shot(finder, 'r13-report-ja');
  });

  it('saw no Content-Security-Policy violation and no script error', () => {
    expect(problems.cspViolations).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  });
});

import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type Instance, newInstance } from './server.ts';
import { haveChromium, launchChromium, newPage, PageProblems, shot, signIn } from './support.ts';

/**
 * An advisory end to end, in Chromium against `accord serve`: an analyst writes a standalone
 * advisory, types an invalid CVSS vector and sees the complaint on that field (and in the summary
 * at the top, linking to it), fixes it with the calculator's radio buttons, adds the product
 * status and its fix, saves and submits it. A coordinator (not the author) approves and publishes
 * it; the preview shows it as the public page will. The analyst then edits it into a new revision
 * and the history shows the diff from revision 1.
 */
const ADMIN = 'admin@example.org';
const ADMIN_PASSWORD = 'correct horse battery staple';
const ANALYST = { email: 'ana@example.org', name: 'Ana Analyst', role: 'analyst', password: 'analyst passphrase 1' };
const COORD = {
  email: 'cora@example.org',
  name: 'Cora Coordinator',
  role: 'coordinator',
  password: 'coordinator pass 2',
};
const TITLE = 'Buffer overflow in the Widget HTTP server';
const BAD_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q';

describe.skipIf(!haveChromium('advisories journey'))('advisories journey', () => {
  let instance: Instance | null = null;
  let browser: Browser | null = null;
  let base = '';
  let trackingId = '';
  const pages: Page[] = [];
  const problems = new PageProblems();

  async function signedIn(user: { email: string; password: string }): Promise<Page> {
    const p = await newPage(browser, problems);
    pages.push(p);
    return signIn(p, base, user.email, user.password);
  }

  async function openAdvisory(p: Page): Promise<void> {
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Advisories' }).click();
    await p.getByRole('link', { name: trackingId }).click();
    await p.getByRole('heading', { level: 1, name: new RegExp(trackingId) }).waitFor();
  }

  beforeAll(async () => {
    instance = await newInstance({ email: ADMIN, password: ADMIN_PASSWORD });
    for (const user of [ANALYST, COORD]) await addUser(instance.env, user);
    base = await instance.start();
    browser = await launchChromium();
    // Building the UI and starting the server take a while on a busy machine.
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it('marks an invalid CVSS vector on its field, and the calculator fixes it', async () => {
    const ana = await signedIn(ANALYST);
    await ana.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Advisories' }).click();
    await ana.getByRole('heading', { level: 1, name: 'Advisories' }).waitFor();
    await ana.getByText('New advisory', { exact: true }).click();
    await ana.getByLabel('Title', { exact: true }).fill(TITLE);
    await ana.getByLabel('Distribution (TLP)').selectOption('CLEAR');
    await ana.getByRole('button', { name: 'Create advisory' }).click();
    await ana.getByRole('heading', { level: 1, name: new RegExp(TITLE) }).waitFor();
    trackingId = decodeURIComponent(new URL(ana.url()).pathname.split('/').pop() ?? '');
    expect(trackingId).not.toBe('');
    await ana.getByText('Draft', { exact: true }).first().waitFor();

    await ana.getByLabel('Summary', { exact: true }).fill('A long **Host** header overflows a stack buffer.');
    await ana.getByRole('button', { name: 'Add a product' }).click();
    const product = ana.getByRole('group', { name: /^Product 1/ });
    await product.getByLabel('Vendor').fill('Widget Co');
    await product.getByLabel('Product', { exact: true }).fill('Widget Server');
    await product.getByLabel('Version').fill('2.4.1');
    await product.getByLabel('Package URL (purl)').fill('pkg:generic/widget-server@2.4.1');

    await ana.getByRole('button', { name: 'Add a vulnerability' }).click();
    const vuln = ana.getByRole('group', { name: /^Vulnerability 1/ });
    await vuln.getByLabel('Vulnerability title').fill('Stack overflow in Host header parsing');
    await vuln.getByLabel('Description').fill('The parser copies the Host header into a fixed buffer.');
    await vuln.getByLabel('CVE ID').fill('CVE-2026-41001');
    await vuln.getByLabel('CWE', { exact: true }).fill('CWE-121');

    const cvss = vuln.getByLabel('CVSS 3.1 vector');
    await cvss.fill(BAD_VECTOR);
    // The server's complaint names the bad metric, on the field itself…
    await expect.poll(() => cvss.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await cvss.getAttribute('aria-describedby')) ?? '';
    const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'));
    expect(errorId).toBeTruthy();
    await expect.poll(() => ana.locator(`[id="${errorId}"]`).textContent()).toContain('A (Availability)');
    // …and in the summary at the top, whose link leads to the field.
    const summary = ana.getByRole('alert').filter({ hasText: 'Please correct these problems' });
    await summary.getByRole('link', { name: 'Vulnerability 1 › CVSS 3.1 vector' }).click();
    await expect.poll(() => cvss.evaluate((el) => el === document.activeElement)).toBe(true);
    await shot(ana, 'adv01-invalid-cvss');

    await vuln.getByRole('button', { name: 'Open the CVSS 3.1 calculator' }).click();
    const calc = vuln.getByRole('group', { name: 'CVSS 3.1 calculator' });
    expect(
      await calc
        .getByRole('group', { name: 'Attack Vector (AV)' })
        .getByRole('radio', { name: /^Network/ })
        .isChecked(),
    ).toBe(true);
    await calc.getByRole('group', { name: 'Availability (A)' }).getByRole('radio', { name: /^High/ }).check();
    await expect.poll(() => cvss.inputValue()).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    await expect.poll(() => vuln.getByTestId('vulnerabilities[0].cvssV3-preview').textContent()).toContain('9.8');
    await expect.poll(() => cvss.getAttribute('aria-invalid')).toBeNull();
    // Keyboard: the radio group answers the arrow keys, and the vector follows.
    await calc
      .getByRole('group', { name: 'Attack Vector (AV)' })
      .getByRole('radio', { name: /^Network/ })
      .focus();
    await ana.keyboard.press('ArrowDown');
    await expect.poll(() => cvss.inputValue()).toContain('AV:A');
    await calc
      .getByRole('group', { name: 'Attack Vector (AV)' })
      .getByRole('radio', { name: /^Network/ })
      .check();
    await expect.poll(() => cvss.inputValue()).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    await shot(ana, 'adv02-cvss-calculator');

    // SSVC decision support: the supplier table's outcome appears once every decision point is chosen.
    const ssvc = vuln.getByRole('group', { name: 'SSVC decision' });
    await ssvc.getByLabel('Decision table').selectOption('supplier');
    await ssvc.getByLabel('Exploitation', { exact: true }).selectOption('A');
    await ssvc.getByLabel('Utility', { exact: true }).selectOption('S');
    await ssvc.getByLabel('Technical Impact', { exact: true }).selectOption('T');
    await expect.poll(() => ssvc.getByTestId('ssvc-outcome').textContent()).toMatch(/^Choose a value/);
    await ssvc.getByLabel('Public Safety Impact', { exact: true }).selectOption('S');
    await expect.poll(() => ssvc.getByTestId('ssvc-outcome').textContent()).toBe('Outcome: Immediate');

    await vuln.getByRole('button', { name: 'Add a product status' }).click();
    await vuln.getByRole('button', { name: 'Add a remediation' }).click();
    const fix = vuln.getByRole('group', { name: 'Remediation 1' });
    await fix.getByLabel('URL').fill('https://widget.example/security/2.4.2');
    await fix.getByLabel('Details').fill('Update to Widget Server 2.4.2.');
    await fix
      .getByLabel('Products it applies to')
      .selectOption({ label: 'Widget Co Widget Server 2.4.1 (CSAFPID-0001)' });
    await ana.getByRole('button', { name: 'Save advisory' }).click();
    await ana.getByText('Advisory saved.').waitFor();
    await expect.poll(() => ana.getByRole('alert').filter({ hasText: 'Please correct' }).count()).toBe(0);
    // Stored as an SSVC SelectionList and read back into the form.
    await expect.poll(() => ssvc.getByTestId('ssvc-outcome').textContent()).toBe('Outcome: Immediate');
    await ana.getByRole('button', { name: 'Submit for review' }).click();
    await ana.getByText('Submitted for review.').waitFor();
    // The author may not approve their own advisory: no such button for them.
    expect(await ana.getByRole('button', { name: 'Approve', exact: true }).count()).toBe(0);
  });

  it('is approved and published by another staff member, and previewed as the public page', async () => {
    const cora = await signedIn(COORD);
    await openAdvisory(cora);
    await cora.getByText('In review', { exact: true }).first().waitFor();
    await cora.getByRole('button', { name: 'Approve', exact: true }).click();
    await cora.getByText('Approved.', { exact: true }).waitFor();
    await cora.getByRole('button', { name: 'Publish', exact: true }).click();
    // Publishing validates the CSAF document and signs it: a refusal would show its findings here.
    const failed = cora.locator('.alert-error');
    await cora.getByText('Published.', { exact: true }).or(failed).first().waitFor({ timeout: 240_000 });
    expect(await failed.allTextContents()).toEqual([]);
    await cora.getByText('published revision 1').waitFor();

    await cora.getByRole('tab', { name: 'Preview' }).click();
    const preview = cora.getByTestId('advisory-preview');
    await preview.getByRole('heading', { name: new RegExp(TITLE) }).waitFor();
    await preview.getByText('CVE-2026-41001').first().waitFor();
    expect(await preview.textContent()).toContain('Update to Widget Server 2.4.2.');
    await shot(cora, 'adv03-preview');

    // The public page (TLP:CLEAR) says the same.
    const res = await fetch(`${base}/security-advisories/${encodeURIComponent(trackingId)}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(TITLE);
    expect(page).toContain('Update to Widget Server 2.4.2.');

    // Exports are downloads, validated by the server first.
    await cora.getByRole('tab', { name: 'Export' }).click();
    const [download] = await Promise.all([
      cora.waitForEvent('download', { timeout: 240_000 }),
      cora.getByRole('button', { name: 'CSAF 2.0' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${trackingId.toLowerCase()}.json`);
    await cora.getByText(`Downloaded ${trackingId.toLowerCase()}.json.`).waitFor();
  }, 400_000);

  it('makes a new revision and shows the diff from revision 1', async () => {
    const ana = pages[0]!;
    await ana.reload();
    await ana.getByRole('heading', { level: 1, name: new RegExp(trackingId) }).waitFor();
    const fix = ana.getByRole('group', { name: 'Remediation 1' });
    await fix.getByLabel('Details').fill('Update to Widget Server 2.4.3, which also hardens the parser.');
    await ana.getByLabel('Revision summary').fill('Fixed version is now 2.4.3');
    await ana.getByRole('button', { name: 'Save advisory' }).click();
    await ana.getByText('Advisory saved.').waitFor();
    await ana.getByText('Draft', { exact: true }).first().waitFor();

    await ana.getByRole('tab', { name: 'History and diff' }).click();
    await ana.getByRole('table', { name: 'Revision history' }).getByRole('cell', { name: '1', exact: true }).waitFor();
    await ana.getByText('Revision 2 in preparation: Fixed version is now 2.4.3').waitFor();
    const row = ana.getByTestId('diff-row').filter({ hasText: 'vulnerabilities[0].remediations[0].details' });
    await row.getByText('Changed', { exact: true }).waitFor();
    expect(await row.locator('del').textContent()).toBe('Update to Widget Server 2.4.2.');
    expect(await row.locator('ins').textContent()).toBe(
      'Update to Widget Server 2.4.3, which also hardens the parser.',
    );
    await row.getByText('Vulnerability 1 › Remediation 1 › Details').waitFor();
    await shot(ana, 'adv04-diff');

    expect(problems.cspViolations).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  });
});

import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Instance, newInstance } from './server.ts';
import { apiAs, type Call, haveChromium, launchChromium, newPage, PageProblems, shot, signIn } from './support.ts';

/**
 * PSIRT operations end to end, in Chromium against `accord serve`: the PSIRT lead (an admin)
 * gives critical issues a same-day remediation target and the team's business calendar (every
 * day a workday, business hours that end in a few minutes, a holiday), and sees the critical case
 * at risk in the SLA view; filters the metrics dashboard by date range and product, exports CSV
 * and opens the printable executive summary; fills the case execution template and finds every
 * entry on the case timeline; and rates a few PSIRT Services Framework functions, adds a gap action
 * and exports the self-assessment. A report and a case are set up through the API.
 */
const LEAD = 'lead@example.org';
const LEAD_PASSWORD = 'psirt lead passphrase';
const CASE_TITLE = 'Authentication bypass in the helpdesk API';
const PRODUCT = 'Helpdesk';

const day = (d: Date) => d.toISOString().slice(0, 10);
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

describe.skipIf(!haveChromium('operations journey'))('operations journey', () => {
  let instance: Instance | null = null;
  let browser: Browser | null = null;
  let base = '';
  let caseId = '';
  let lead: Page;
  let api: Call;
  const problems = new PageProblems();

  async function nav(p: Page, name: string): Promise<void> {
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  }

  /** Reads what a click on `trigger` downloads. */
  async function download(p: Page, trigger: () => Promise<void>): Promise<{ name: string; text: string }> {
    const [file] = await Promise.all([p.waitForEvent('download'), trigger()]);
    const at = await file.path();
    return { name: file.suggestedFilename(), text: fs.readFileSync(at, 'utf8') };
  }

  beforeAll(async () => {
    instance = await newInstance({ email: LEAD, password: LEAD_PASSWORD });
    base = await instance.start();
    api = await apiAs(base, LEAD, LEAD_PASSWORD);
    // A finder's report about the helpdesk, through the public form's API.
    const res = await fetch(`${base}/api/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Stored XSS in the ticket comment field',
        affected: [{ vendor: 'ACME', product: PRODUCT, versions: '< 4.2.1' }],
        description: 'A comment containing an SVG payload is rendered unescaped in the agent view of the helpdesk.',
        reproduction: '1. Open a ticket\n2. Comment `<svg onload=alert(1)>`\n3. Open it as an agent',
        impact: 'Account takeover of helpdesk agents.',
        cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N',
        cwe: 'CWE-79',
        alreadyPublic: false,
        exploited: false,
        credit: { mode: 'anonymous' },
        contactEmail: 'finder@example.net',
        language: 'en',
      }),
    });
    if (!res.ok) throw new Error(`report: ${res.status} ${await res.text()}`);
    // A case with a critical vulnerability: its remediation clock starts now.
    caseId = ((await api('POST', '/api/v1/cases', { title: CASE_TITLE })) as { caseId: string }).caseId;
    await api('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/vulnerabilities`, {
      title: 'Missing authentication on the export endpoint',
      cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    });
    browser = await launchChromium();
    lead = await signIn(await newPage(browser, problems), base, LEAD, LEAD_PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it('lets the lead set a per-severity SLA policy and the business calendar, and see the case at risk', async () => {
    await nav(lead, 'Metrics');
    await lead.getByRole('link', { name: 'SLA clocks' }).click();
    await lead.getByRole('heading', { level: 1, name: 'SLA clocks' }).waitFor();
    await lead.getByText('The built-in defaults apply until an admin saves policies.').waitFor();

    // Acknowledging critical reports gets its own row (it starts from the stage's "any severity" target) …
    const policies = lead.getByRole('region', { name: 'Policies' });
    await policies.getByLabel('Stage', { exact: true }).selectOption('acknowledge');
    await policies.getByLabel('Severity', { exact: true }).selectOption('critical');
    await policies.getByRole('button', { name: 'Add', exact: true }).click();
    const ack = policies.getByLabel('Target in business days: Acknowledgement, Critical');
    expect(await ack.inputValue()).toBe('3');
    await ack.fill('1');
    // … and remediation of critical issues: the same business day, at risk from 5 % of it.
    const target = policies.getByLabel('Target in business days: Remediation, Critical');
    expect(await target.inputValue()).toBe('20');
    // A cleared target is refused, and the complaint sits on that field.
    await target.fill('');
    await policies.getByRole('button', { name: 'Save policies' }).click();
    await expect.poll(() => target.getAttribute('aria-invalid')).toBe('true');
    await target.fill('0');
    await policies.getByLabel('At risk from (% of the target): Remediation, Critical').fill('5');
    await policies.getByRole('button', { name: 'Save policies' }).click();
    await lead.getByText('The SLA policies were saved.', { exact: false }).waitFor();
    await policies.locator('[data-policy="acknowledge/critical"]').waitFor();
    expect(await target.getAttribute('aria-invalid')).toBeNull();

    // The calendar: an unknown zone is refused on its field; then UTC, every day, hours ending soon, a holiday.
    const calendar = lead.getByRole('region', { name: 'Business calendar' });
    await calendar.getByLabel('Time zone').fill('Mars/Olympus');
    await calendar.getByRole('button', { name: 'Save calendar' }).click();
    await calendar
      .getByText("timeZone 'Mars/Olympus' is not a known IANA time zone (e.g. 'Europe/Berlin')", { exact: true })
      .waitFor();
    expect(await calendar.getByLabel('Time zone').getAttribute('aria-invalid')).toBe('true');
    await calendar.getByLabel('Time zone').fill('UTC');
    for (const d of ['Saturday', 'Sunday']) await calendar.getByLabel(d).check();
    await calendar.getByLabel('Count business hours only').check();
    const now = new Date();
    const closing = new Date(Math.min(now.getTime() + 3 * 60_000, Date.parse(`${day(now)}T23:59:00Z`)));
    await calendar.getByLabel('From').fill('00:00');
    await calendar.getByLabel('Until').fill(hhmm(closing));
    const holiday = day(new Date(now.getTime() + 40 * 86_400_000));
    await calendar.getByLabel('Holiday', { exact: true }).fill(holiday);
    await calendar.getByRole('button', { name: 'Add holiday' }).click();
    await calendar.getByText(holiday).waitFor();
    await calendar.getByRole('button', { name: 'Save calendar' }).click();
    await lead.getByText('The business calendar was saved.', { exact: false }).waitFor();
    expect(await calendar.getByLabel('Time zone').getAttribute('aria-invalid')).toBeNull();
    const stored = (await api('GET', '/api/v1/sla/policies')) as {
      calendar: { timeZone: string; workdays: number[]; holidays: string[]; hours?: { end: string } };
    };
    expect(stored.calendar).toMatchObject({
      timeZone: 'UTC',
      workdays: [1, 2, 3, 4, 5, 6, 7],
      holidays: [holiday],
      hours: { end: hhmm(closing) },
    });
    await shot(lead, 'o01-sla-policies');

    // The clocks follow from the recorded events on the next recomputation: the case is at risk.
    const row = lead.getByRole('row').filter({ has: lead.getByRole('link', { name: caseId }) });
    await expect
      .poll(
        async () => {
          await lead.getByRole('button', { name: 'Recompute now' }).click();
          await lead.getByText('The clocks were recomputed.').waitFor();
          return row.count();
        },
        { timeout: 60_000, interval: 2_000 },
      )
      .toBeGreaterThan(0);
    await row.getByText('Remediation').waitFor();
    expect(await row.textContent()).toMatch(/At risk|Breached/);
    await shot(lead, 'o02-sla-at-risk');
  });

  it('filters the dashboard by date range and product, exports CSV and prints the executive summary', async () => {
    await nav(lead, 'Metrics');
    await lead.getByRole('heading', { level: 1, name: 'Metrics' }).waitFor();
    await lead.getByRole('button', { name: 'Recompute now' }).click();
    await lead
      .getByRole('status')
      .filter({ hasText: /^Computed / })
      .waitFor();
    const today = day(new Date());
    await lead.getByLabel('From (date)').fill(day(new Date(Date.now() - 30 * 86_400_000)));
    await lead.getByLabel('To (date, inclusive)').fill(today);
    await lead.getByLabel('Product contains').fill(PRODUCT);
    await lead.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => new URL(lead.url()).searchParams.get('product')).toBe(PRODUCT);
    expect(new URL(lead.url()).searchParams.get('to')).toBe(today);
    const kpis = lead.getByRole('region', { name: 'Summary' });
    await expect
      .poll(() => kpis.getByText('Reports', { exact: true }).locator('xpath=..').textContent())
      .toContain('1');
    await shot(lead, 'o03-metrics-filtered');

    const csv = await download(lead, () => lead.getByRole('link', { name: 'CSV: reports' }).click());
    expect(csv.name).toMatch(/\.csv$/);
    const [header, ...lines] = csv.text.trim().split('\n');
    expect(header).toContain('product');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(PRODUCT);

    // The printable summary: the filters, exports and navigation are not printed.
    await lead.emulateMedia({ media: 'print' });
    await kpis.waitFor();
    expect(await lead.locator('#metrics-filters').isVisible()).toBe(false);
    expect(await lead.getByRole('button', { name: 'Print summary' }).isVisible()).toBe(false);
    await shot(lead, 'o04-metrics-print');
    await lead.emulateMedia({ media: 'screen' });
  });

  it('fills the case execution template and shows every entry on the case timeline', async () => {
    await nav(lead, 'Cases');
    await lead.getByRole('link', { name: caseId }).click();
    await lead.getByRole('tab', { name: 'Execution template' }).click();

    const people = lead.getByRole('region', { name: 'Stakeholders' });
    await people.getByLabel('Role').selectOption('legal');
    await people.getByLabel('Name').fill('Laura Legal');
    await people.getByLabel('Contact').fill('legal@example.org');
    await people.getByRole('button', { name: 'Add a stakeholder' }).click();
    await people.getByRole('cell', { name: 'Laura Legal' }).waitFor();

    const checklist = lead.getByRole('region', { name: /Workflow checklist/ });
    const step = checklist.getByRole('listitem').first();
    const stepTitle = (await step.locator('.cw-step').textContent()) ?? '';
    await step.getByRole('button', { name: `Sign off: ${stepTitle}` }).click();
    await step.getByLabel('Note').fill('Acknowledged within the day');
    await step.getByRole('button', { name: 'Sign off', exact: true }).click();
    await step.getByText(/Signed off by Admin on/).waitFor();
    await lead.getByRole('heading', { name: /Workflow checklist \(1 of \d+ signed off\)/ }).waitFor();

    const meetings = lead.getByRole('region', { name: 'Meeting notes' });
    await meetings.getByLabel('When').fill('2026-11-27T10:00');
    await meetings.getByLabel('Duration (minutes)').fill('45');
    await meetings.getByLabel('Who attended').fill('Laura Legal, Erin Engineering');
    await meetings.getByLabel('Decisions').fill('Ship a hotfix before the advisory');
    await meetings.getByLabel('Actions').fill('Prepare the hotfix | Erin Engineering | 2026-12-04');
    await meetings.getByRole('button', { name: 'Add meeting notes' }).click();
    await meetings.getByText('Prepare the hotfix').waitFor();

    const repro = lead.getByRole('region', { name: 'Reproduction' });
    await repro.getByLabel('Who').fill('Quinn QA');
    await repro.getByLabel('Environment').fill('Helpdesk 4.2.0 on Debian 12');
    await repro.getByLabel('How (steps)').fill('Call GET /api/export without a session.');
    await repro.getByRole('button', { name: 'Record a reproduction' }).click();
    await repro.getByText(/Quinn QA on .* · Reproduced/).waitFor();

    const fixes = lead.getByRole('region', { name: 'Remediation tracking' });
    await fixes.getByLabel('Description').fill('Require a session on the export endpoint');
    await fixes.getByLabel('Fixed versions').fill('4.2.1');
    await fixes.getByLabel('Links (patches, commits)').fill('https://git.example.org/helpdesk/commit/abc123');
    await fixes.getByRole('button', { name: 'Add a remediation' }).click();
    await fixes.getByRole('cell', { name: 'Require a session on the export endpoint' }).waitFor();

    const overview = lead.getByRole('region', { name: 'Issue overview' });
    await overview.getByLabel('Summary').fill('The export endpoint answered without a session.');
    await overview.getByLabel('Root cause').fill('The route was registered outside the authenticated scope.');
    await overview.getByLabel('Impact').fill('Anyone could download every ticket.');
    await overview.getByLabel('Resolution').fill('Fixed in 4.2.1.');
    await overview.getByRole('button', { name: 'Save' }).click();
    await overview.getByText('Saved.').waitFor();
    await shot(lead, 'o05-casework');

    await lead.getByRole('tab', { name: 'Timeline' }).click();
    const timeline = lead.getByTestId('case-timeline');
    await timeline.getByText('Checklist step signed off').waitFor();
    expect(await timeline.textContent()).toContain(stepTitle);
    await expect.poll(() => timeline.getByText('Execution template entry added').count()).toBe(4);
    await timeline.getByText('Issue overview changed').waitFor();
    await shot(lead, 'o06-casework-timeline');
  });

  it('runs a self-assessment: maturity per function, a gap action, the per-area chart and the export', async () => {
    await nav(lead, 'Self-assessment');
    await lead.getByRole('heading', { level: 1, name: 'PSIRT self-assessment' }).waitFor();
    await lead.getByLabel('Title').fill('Year-end review');
    await lead.getByRole('button', { name: 'Start' }).click();
    await lead.getByRole('heading', { level: 1, name: /Year-end review/ }).waitFor();

    const item = (id: string) =>
      lead.getByRole('row').filter({ has: lead.getByRole('cell', { name: id, exact: true }) });
    // The sub-functions a function is judged by are listed under it.
    await item('2.1.1').getByText('Sub-functions to judge it by (6)').click();
    await item('2.1.1').getByText('Prepare for Encrypted Submissions').waitFor();
    for (const [id, level, evidence] of [
      ['1.1.3', '1', 'Post-mortems happen for severe issues only.'],
      ['2.1.1', '3', 'security.txt, a web form and an OpenPGP key; reachability is checked monthly.'],
      ['2.1.2', '2', 'Reports are acknowledged within one business day (SLA).'],
    ] as const) {
      await item(id).getByLabel('Maturity').selectOption(level);
      await item(id).getByLabel('Evidence').fill(evidence);
    }
    await lead.getByRole('button', { name: 'Save 3 changes' }).click();
    await expect.poll(() => lead.getByRole('button', { name: /Save 0 changes/ }).count()).toBe(1);
    // Service 2.1 rolls its two functions up: (3 + 2) / 2; area 2 likewise over its functions.
    await lead
      .getByRole('row', { name: /2\.1 Intake of Vulnerability Reporting/ })
      .getByText(/average 2\.50/)
      .waitFor();
    const chart = lead.getByRole('img', { name: 'Maturity per service area: Year-end review' });
    await chart.waitFor();
    expect(await chart.textContent()).toContain('2.50');

    const gaps = lead.getByRole('region', { name: 'Gap actions' });
    await gaps.getByLabel('Framework item').selectOption('1.1.3.1');
    await gaps.getByLabel('Action').fill('Make a post-mortem mandatory within a week of every release');
    await gaps.getByLabel('Owner').fill('PSIRT lead');
    await gaps.getByLabel('Due').fill('2027-03-31');
    await gaps.getByRole('button', { name: 'Add a gap action' }).click();
    await gaps.getByRole('cell', { name: 'PSIRT lead' }).waitFor();
    await gaps.getByRole('cell', { name: /1\.1\.3\.1\s+Establish Product Security Defect Review Process/ }).waitFor();
    await shot(lead, 'o07-assessment');

    const csv = await download(lead, () => lead.getByRole('button', { name: 'Export CSV' }).click());
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.item === '1.1.3')).toMatchObject({
      level: '1',
      service_average: '1.00',
      gap_actions: '1.1.3.1: Make a post-mortem mandatory within a week of every release (PSIRT lead, due 2027-03-31)',
    });
    expect(rows.find((r) => r.item === '2.1.1')).toMatchObject({ level: '3', service_average: '2.50' });
  });

  it('saw no Content-Security-Policy violation and no script error', () => {
    expect(problems.cspViolations).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  });
});

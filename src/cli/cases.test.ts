import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../../tests/support/cli.ts';
import { testEngine } from '../../tests/support/engine.ts';
import { silentLog } from '../../tests/support/factories.ts';
import { sampleReport } from '../../tests/support/reports.ts';
import type { Ctx } from '../app/context.ts';
import { addVulnerability } from '../cases/commands.ts';
import { loadConfig } from '../config/config.ts';
import { createOrg } from '../orgs/commands.ts';
import { systemActor } from '../policy/actor.ts';
import { submitReport, transitionReport } from '../reports/commands.ts';
import { openInstance } from '../server/serve.ts';
import { createUser } from '../users/commands.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `accord case …`, run in-process against a throwaway embedded instance. */
describe.skipIf(testEngine() !== 'embedded')('accord case', { timeout: 300_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-case-cli-'));
  const saved = { ...process.env };
  let reportRef: string;

  async function withCtx<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    const { handle, ctx } = await openInstance(loadConfig(process.env), silentLog);
    try {
      return await fn({ ...ctx, actor: systemActor('test') });
    } finally {
      await handle.close();
    }
  }

  beforeAll(async () => {
    process.env.ACCORD_DATA_DIR = dir;
    process.env.ACCORD_BASE_URL = 'https://psirt.example.org';
    process.env.ACCORD_LOG_LEVEL = 'silent';
    reportRef = await withCtx(async (ctx) => {
      await createUser(ctx, {
        email: 'lead@psirt.example',
        name: 'Lena Lead',
        password: null,
        staffRole: 'coordinator',
        locale: 'en',
        timeZone: 'UTC',
      });
      await createUser(ctx, {
        email: 'outsider@example.org',
        name: 'Otto Outsider',
        password: null,
        staffRole: null,
        locale: 'en',
        timeZone: 'UTC',
      });
      await createOrg(ctx, { name: 'ACME', kind: 'vendor' });
      await createOrg(ctx, { name: 'Globex', kind: 'vendor' });
      const { report } = await submitReport(ctx, sampleReport(), { channel: 'api', submittedEncrypted: false });
      await transitionReport(ctx, report.tracking_id, { event: 'validate' });
      await transitionReport(ctx, report.tracking_id, { event: 'accept' });
      return report.tracking_id;
    });
  }, 180_000);
  afterAll(() => {
    process.env = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens a case from a report, adds vendors, states statuses, shows, lists and exports the timeline', async () => {
    const opened = await run([
      'case',
      'open',
      '--title',
      'Stored XSS in Helpdesk',
      '--summary',
      'Embargoed details.',
      '--from-report',
      reportRef,
      '--as',
      'lead@psirt.example',
    ]);
    expect(opened.err).toBe('');
    expect(opened.code).toBe(0);
    const caseId = opened.out.trim();
    expect(caseId).toMatch(/^[A-Z]+-\d{4}-\d{4}$/);
    await withCtx((ctx) => addVulnerability(ctx, caseId, { title: 'XSS in comments', cveId: 'CVE-2026-30001' }));

    const added = await run(['case', 'add-vendor', caseId, 'acme']);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.out)).toMatchObject({ org: 'ACME', role: 'vendor', rmState: 'S' });
    expect((await run(['case', 'add-vendor', caseId, 'Globex'])).code).toBe(0);
    const again = await run(['case', 'add-vendor', caseId, 'ACME']);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^accord: .*ACME/);

    const stated = await run([
      'case',
      'status',
      caseId,
      '--vendor',
      'ACME',
      '--vulnerability',
      'VULN-1',
      '--product',
      'Helpdesk',
      '--status',
      'not_affected',
      '--justification',
      'vulnerable_code_not_present',
    ]);
    expect(stated.err).toBe('');
    expect(JSON.parse(stated.out)).toMatchObject({ vendor: 'ACME', product: 'Helpdesk', status: 'not_affected' });
    const fixed = await run([
      'case',
      'status',
      caseId,
      '--vendor',
      'Globex',
      '--vulnerability',
      'cve-2026-30001',
      '--product',
      'Portal',
      '--status',
      'fixed',
      '--statement',
      'Update to 2.0.1.',
    ]);
    // "fixed" needs the fixed versions: the message says so, exit 1.
    expect(fixed.code).toBe(1);
    expect(fixed.err).toContain('fixedVersions: "fixed" needs the fixed versions');
    const affected = await run([
      'case',
      'status',
      caseId,
      '--vendor',
      'Globex',
      '--vulnerability',
      'CVE-2026-30001',
      '--product',
      'Portal',
      '--status',
      'affected',
      '--statement',
      'Disable comments until 2.0.1.',
    ]);
    expect(affected.code).toBe(0);

    const shown = await run(['case', 'show', caseId, '--json']);
    expect(shown.code).toBe(0);
    const detail = JSON.parse(shown.out) as Json;
    expect(detail).toMatchObject({ caseId, title: 'Stored XSS in Helpdesk', status: 'open' });
    expect(detail.vulnerabilities).toEqual([expect.objectContaining({ key: 'VULN-1', cveId: 'CVE-2026-30001' })]);
    expect(detail.participants.map((p: Json) => `${p.name}:${p.role}`).sort()).toEqual([
      'ACME:vendor',
      'Finder:finder',
      'Globex:vendor',
    ]);
    expect(detail.statuses.map((s: Json) => `${s.vendor}/${s.vulnerability}/${s.product}=${s.status}`).sort()).toEqual([
      'ACME/VULN-1/Helpdesk=not_affected',
      'Globex/VULN-1/Portal=affected',
    ]);
    const text = await run(['case', 'show', caseId]);
    expect(text.out).toContain(`${caseId}  Stored XSS in Helpdesk`);
    expect(text.out).toMatch(/ACME {2}vendor {2}RM S {2}CS vfd\w*/);

    const listed = await run(['case', 'list', '--json']);
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ caseId, status: 'open' })]);
    expect((await run(['case', 'list'])).out).toContain(`${caseId}\topen\t`);

    const timeline = await run(['case', 'timeline', caseId]);
    const kinds = (JSON.parse(timeline.out) as Json).items.map((e: Json) => e.kind);
    expect(kinds[0]).toBe('case_opened');
    expect(kinds.filter((k: string) => k === 'status_changed')).toHaveLength(2);
    const csv = await run(['case', 'timeline', caseId, '--format', 'csv']);
    expect(csv.out.split('\n')[0]).toBe('time,event,actor,participant_id,data');
    expect(csv.out).toContain('status_changed');
    expect(csv.out).toContain('system:cli:');
  });

  it('refuses with a clear message and exit 1: unknown case, org, vulnerability, user; missing rights', async () => {
    const missing = await run(['case', 'show', 'CASE-2026-9999']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('case CASE-2026-9999 was not found');
    const caseId = (await run(['case', 'open', '--title', 'Second case here'])).out.trim();
    const noOrg = await run(['case', 'add-vendor', caseId, 'Initech']);
    expect(noOrg.code).toBe(1);
    expect(noOrg.err).toContain('no organization named Initech');
    const notVendor = await run([
      'case',
      'status',
      caseId,
      '--vendor',
      'ACME',
      '--vulnerability',
      'VULN-1',
      '--product',
      'X',
      '--status',
      'fixed',
    ]);
    expect(notVendor.code).toBe(1);
    expect(notVendor.err).toContain(`ACME is not a vendor in ${caseId}: add it first`);
    await run(['case', 'add-vendor', caseId, 'ACME']);
    const noVuln = await run([
      'case',
      'status',
      caseId,
      '--vendor',
      'ACME',
      '--vulnerability',
      'VULN-3',
      '--product',
      'X',
      '--status',
      'under_investigation',
    ]);
    expect(noVuln.code).toBe(1);
    expect(noVuln.err).toContain(`case ${caseId} has no vulnerability VULN-3: add one first`);
    const badStatus = await run([
      'case',
      'status',
      caseId,
      '--vendor',
      'ACME',
      '--vulnerability',
      'VULN-1',
      '--product',
      'X',
      '--status',
      'maybe',
    ]);
    expect(badStatus.code).not.toBe(0);
    expect(badStatus.err).toMatch(/maybe/);
    const shortTitle = await run(['case', 'open', '--title', 'XSS']);
    expect(shortTitle.code).toBe(1);
    expect(shortTitle.err).toContain('title: the title must be 5 to 200 characters');
    const nobody = await run(['case', 'list', '--as', 'nobody@example.org']);
    expect(nobody.code).toBe(1);
    expect(nobody.err).toContain('no active user with e-mail nobody@example.org');
    // A user without rights gets what the API would give: not found, and no case opened.
    const outsider = await run(['case', 'show', caseId, '--as', 'outsider@example.org']);
    expect(outsider.code).toBe(1);
    expect(outsider.err).toContain(`case ${caseId} was not found`);
    expect(JSON.parse((await run(['case', 'list', '--json', '--as', 'outsider@example.org'])).out)).toEqual([]);
    const refused = await run(['case', 'open', '--title', 'Not allowed to open', '--as', 'outsider@example.org']);
    expect(refused.code).toBe(1);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../../../tests/support/cli.ts';
import { testEngine } from '../../../tests/support/engine.ts';
import { silentLog } from '../../../tests/support/factories.ts';
import { addParticipant, openCase } from '../../cases/commands.ts';
import { loadConfig } from '../../config/config.ts';
import { createOrg } from '../../orgs/commands.ts';
import { systemActor } from '../../policy/actor.ts';
import { openInstance } from '../../server/serve.ts';
import { toCsaf } from '../csaf.ts';
import { sampleAdvisory } from '../sample.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `accord advisory import`, run in-process against a throwaway embedded instance. */
describe.skipIf(testEngine() !== 'embedded')('accord advisory import', { timeout: 300_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-import-cli-'));
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports a file into a case (dry run first), and refuses an invalid one with every finding', async () => {
    process.env.ACCORD_DATA_DIR = path.join(dir, 'data');
    process.env.ACCORD_BASE_URL = 'https://psirt.example.org';
    process.env.ACCORD_LOG_LEVEL = 'silent';
    const { handle, ctx } = await openInstance(loadConfig(process.env), silentLog);
    let caseRef: string;
    try {
      const system = { ...ctx, actor: systemActor('test') };
      const c = await openCase(system, { title: 'Upstream Helpdesk advisory' });
      caseRef = c.case_id;
      const acme = await createOrg(system, { name: 'ACME', kind: 'vendor' });
      await addParticipant(system, caseRef, { orgId: acme.id, role: 'vendor' });
    } finally {
      await handle.close();
    }
    const file = path.join(dir, 'upstream.json');
    fs.writeFileSync(file, JSON.stringify(toCsaf(sampleAdvisory())));

    const dry = await run(['advisory', 'import', caseRef, file, '--dry-run']);
    expect(dry.err).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('CSAF document ADV-2026-0001 (Example PSIRT) (CSAF 2.0): dry run, nothing was changed');
    expect(dry.out).toContain('  ACME / Helpdesk / CVE-2026-10001: affected (fixed: 4.2.1) [created]');
    expect(dry.out).toContain('vendor "Globex" is neither a participant of the case nor in the directory');

    const applied = await run(['advisory', 'import', caseRef, file, '--json']);
    expect(applied.code).toBe(0);
    const report = JSON.parse(applied.out) as Json;
    expect(report).toMatchObject({ dryRun: false, format: 'csaf' });
    expect(report.vulnerabilities.map((v: Json) => v.action)).toEqual(['created', 'created']);
    // ACME's Helpdesk for both vulnerabilities; Globex takes no part, so its four statuses are reported.
    expect(report.statuses.map((s: Json) => `${s.vendor} ${s.product} ${s.status}`)).toEqual([
      'ACME Helpdesk affected',
      'ACME Helpdesk affected',
    ]);
    expect(report.unmapped).toHaveLength(4);
    const again = JSON.parse((await run(['advisory', 'import', caseRef, file, '--json'])).out) as Json;
    expect(again.statuses.every((s: Json) => s.action === 'unchanged')).toBe(true);

    const broken = toCsaf(sampleAdvisory());
    (broken.vulnerabilities as Json[])[0]!.cve = 'CVE-2026-10002';
    fs.writeFileSync(file, JSON.stringify(broken));
    const refused = await run(['advisory', 'import', caseRef, file]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('the CSAF 2.0 document is not valid, so nothing was imported');
    expect(refused.err).toMatch(/ {2}error \[6\.1\.23\] \/vulnerabilities\/1\/cve: /);
    const refusedJson = await run(['advisory', 'import', caseRef, file, '--json']);
    expect(refusedJson.code).toBe(1);
    expect(JSON.parse(refusedJson.out)).toMatchObject({
      error: { code: 'ERR_VALIDATION', findings: expect.any(Array) },
    });
    const missing = await run(['advisory', 'import', caseRef, path.join(dir, 'nothing.json')]);
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('no such file') });
  });

  it('imports a file without a case as a standalone draft advisory', async () => {
    const file = path.join(dir, 'standalone.json');
    fs.writeFileSync(file, JSON.stringify(toCsaf(sampleAdvisory())));
    const dry = await run(['advisory', 'import', file, '--dry-run']);
    expect(dry).toMatchObject({ code: 0, err: '' });
    expect(dry.out).toContain('CSAF document ADV-2026-0001 (Example PSIRT) (CSAF 2.0): dry run, nothing was created');
    expect(dry.out).toContain('  VULN-1 CVE-2026-10001 Stored XSS in ticket comments');
    expect(dry.out).toContain('  CSAFPID-0003 Globex Helpdesk Mobile');
    const applied = await run(['advisory', 'import', file, '--tlp', 'GREEN', '--json']);
    expect(applied.code).toBe(0);
    const report = JSON.parse(applied.out) as Json;
    expect(report).toMatchObject({ dryRun: false, advisory: { tlp: 'GREEN' }, unmapped: [] });
    expect(report.advisory.trackingId).toMatch(/-SA-\d{4}-\d{4}$/);
    expect(report.products).toHaveLength(4);
    const wrong = await run(['advisory', 'import', 'CASE-2026-0001', file, '--tlp', 'GREEN']);
    expect(wrong).toMatchObject({ code: 1, err: expect.stringContaining('--tlp is for a standalone draft') });
  });
});

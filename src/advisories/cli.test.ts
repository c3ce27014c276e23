import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../../tests/support/cli.ts';
import { testEngine } from '../../tests/support/engine.ts';
import { silentLog } from '../../tests/support/factories.ts';
import { loadConfig } from '../config/config.ts';
import { systemActor } from '../policy/actor.ts';
import { openInstance } from '../server/serve.ts';
import { createAdvisory } from './commands.ts';
import { sampleAdvisory } from './sample.ts';

/** `accord advisory export`, run in-process against a throwaway embedded instance. */
describe.skipIf(testEngine() !== 'embedded')('accord advisory export', { timeout: 180_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-adv-cli-'));
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints a validated export, and an error naming what is wrong', async () => {
    process.env.ACCORD_DATA_DIR = dir;
    process.env.ACCORD_BASE_URL = 'https://psirt.example.org';
    process.env.ACCORD_LOG_LEVEL = 'silent';
    const cfg = loadConfig(process.env);
    const { handle, ctx } = await openInstance(cfg, silentLog);
    let trackingId: string;
    try {
      const a = await createAdvisory(
        { ...ctx, actor: systemActor('test') },
        { tlp: 'CLEAR', content: sampleAdvisory().content },
      );
      trackingId = a.tracking_id;
    } finally {
      await handle.close();
    }
    const csaf = await run(['advisory', 'export', trackingId, '--format', 'csaf']);
    expect(csaf.err).toBe('');
    expect(csaf.code).toBe(0);
    expect(JSON.parse(csaf.out)).toMatchObject({ document: { tracking: { id: trackingId, status: 'draft' } } });
    const md = await run(['advisory', 'export', trackingId, '--format', 'md']);
    expect(md.out).toContain('## CVE-2026-10001: Stored XSS in ticket comments');
    const cve = await run(['advisory', 'export', trackingId, '--format', 'cve']);
    expect(cve.code).toBe(1);
    expect(cve.err).toContain('ACCORD_CVE_ORG_ID');
    const missing = await run(['advisory', 'export', 'CASE-2026-9999', '--format', 'osv']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('was not found');
  });
});

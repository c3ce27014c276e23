import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../../tests/support/cli.ts';
import { testEngine } from '../../tests/support/engine.ts';
import { silentLog } from '../../tests/support/factories.ts';
import type { Ctx } from '../app/context.ts';
import { advisoryAction, createAdvisory } from '../advisories/commands.ts';
import { sampleAdvisory } from '../advisories/sample.ts';
import { addVulnerability, openCase } from '../cases/commands.ts';
import { loadConfig } from '../config/config.ts';
import { systemActor } from '../policy/actor.ts';
import { openInstance } from '../server/serve.ts';
import { startCveServicesStandIn, type CveServicesStandIn } from './standin.ts';

const ORG_ID = '6b8e2c1a-2f86-4a53-9d4c-3d1c7c5b1e11';

/** `accord cve …`, run in-process against a throwaway embedded instance and the CVE Services stand-in. */
describe.skipIf(testEngine() !== 'embedded')('accord cve', { timeout: 180_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-cve-cli-'));
  const saved = { ...process.env };
  let standIn: CveServicesStandIn;

  beforeAll(async () => {
    standIn = await startCveServicesStandIn({
      orgs: [{ shortName: 'example', orgId: ORG_ID, users: [{ username: 'cli@example.org', key: 'cli-key' }] }],
    });
    Object.assign(process.env, {
      ACCORD_DATA_DIR: dir,
      ACCORD_BASE_URL: 'https://psirt.example.org',
      ACCORD_LOG_LEVEL: 'silent',
      ACCORD_CVE_ORG_ID: ORG_ID,
      ACCORD_CVE_SHORT_NAME: 'example',
      ACCORD_CVE_SERVICES_URL: standIn.url,
      ACCORD_CVE_SERVICES_USER: 'cli@example.org',
      ACCORD_CVE_SERVICES_KEY: 'cli-key',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await standIn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function withCtx<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    const { handle, ctx } = await openInstance(loadConfig(process.env), silentLog);
    try {
      return await fn({ ...ctx, actor: systemActor('test') });
    } finally {
      await handle.close();
    }
  }

  it('reserves ids, stores one on a vulnerability, publishes a record, and reports refusals', async () => {
    const pool = await run(['cve', 'reserve', '--amount', '2']);
    expect(pool.code, pool.err).toBe(0);
    const lines = pool.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { cveId: string; state: string });
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.state === 'RESERVED' && standIn.ids.has(l.cveId))).toBe(true);

    const { caseRef, vulnerabilityId } = await withCtx(async (ctx) => {
      const c = await openCase(ctx, { title: 'CLI case' });
      const v = await addVulnerability(ctx, c.case_id, { title: 'Heap overflow' });
      return { caseRef: c.case_id, vulnerabilityId: v.id };
    });
    const one = await run(['cve', 'reserve', '--case', caseRef, '--vulnerability', vulnerabilityId]);
    expect(one.code, one.err).toBe(0);
    // The vulnerability takes the first id of the pool rather than a new one.
    expect(JSON.parse(one.out)).toMatchObject({ cveId: lines[0]!.cveId, vulnerabilityId, fromPool: true });

    const cveId = lines[1]!.cveId;
    const trackingId = await withCtx(async (ctx) => {
      const sample = sampleAdvisory();
      const a = await createAdvisory(ctx, {
        tlp: 'CLEAR',
        content: { ...sample.content, vulnerabilities: [{ ...sample.content.vulnerabilities[0]!, cve: cveId }] },
      });
      await advisoryAction(ctx, a.id, 'submit');
      await advisoryAction(ctx, a.id, 'approve');
      return a.tracking_id;
    });
    const published = await run(['cve', 'publish', cveId, '--advisory', trackingId]);
    expect(published.code, published.err).toBe(0);
    expect(JSON.parse(published.out)).toEqual({ cveId, action: 'created', advisory: trackingId });
    expect(standIn.records.get(cveId)).toMatchObject({ cveMetadata: { state: 'PUBLISHED' } });

    const wrong = await run(['cve', 'publish', lines[0]!.cveId, '--advisory', trackingId]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`the advisory has no vulnerability ${lines[0]!.cveId}`);

    const synced = await run(['cve', 'sync']);
    expect(synced.code, synced.err).toBe(0);
    expect(JSON.parse(synced.out)).toEqual({ added: [], updated: [] });

    process.env.ACCORD_CVE_SERVICES_KEY = 'wrong-key';
    const refused = await run(['cve', 'reserve']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('CVE Services refused POST /cve-id (401 UNAUTHORIZED)');
    expect(refused.err).not.toContain('wrong-key');
  });
});

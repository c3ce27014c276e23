import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { makeCtx, makeOrg, makeUser, testConfig } from '../../tests/support/factories.ts';
import { inTransaction, type Ctx } from '../app/context.ts';
import { addParticipant, addVulnerability, openCase, setVendorStatus } from '../cases/commands.ts';
import { openPostgres, type DatabaseHandle } from '../db/connect.ts';
import { claimJob, releaseStaleJobs } from '../jobs/queue.ts';
import { startWorker } from '../jobs/worker.ts';
import { actorOf } from '../../tests/support/factories.ts';
import { newSecret, sha256 } from '../auth/secrets.ts';
import { newId } from '../core/ids.ts';
import { approveStatement, onEmbargoChanged, publishDueCase } from './commands.ts';
import { publicationJobHandlers } from './jobs.ts';
import { PUBLISH_JOB } from './rules.ts';

const config = testConfig();

/**
 * Exactly once: two app instances (on PostgreSQL, two connection pools = two processes' worth of
 * connections; on the embedded engine, two workers on the one database) race for the publication,
 * an instance is stopped between scheduling and the run, and a worker dies holding the job. There
 * is one publication event and one advisory mail per subscriber.
 */
describe('publication happens exactly once', { timeout: 180_000 }, () => {
  let db: TestDatabase;
  const extra: DatabaseHandle[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const h of extra) await h.close();
    await db.close();
  });
  beforeEach(async () => {
    await db.reset();
  });

  /** Another app instance on the same database: its own pool on PostgreSQL. */
  function instance(): { ctx: Ctx; close(): Promise<void> } {
    if (db.url === null) return { ctx: makeCtx(db, { config }), close: async () => {} };
    const handle = openPostgres(db.url, 4);
    extra.push(handle);
    return {
      ctx: makeCtx(handle, { config }),
      close: async () => {
        extra.splice(extra.indexOf(handle), 1);
        await handle.close();
      },
    };
  }

  async function setUp() {
    const ctx = makeCtx(db, { config });
    const staff = await makeUser(ctx, { role: 'coordinator' });
    const staffCtx = { ...ctx, actor: await actorOf(ctx, staff.id) };
    const c = await openCase(staffCtx, { title: 'Race condition', summary: 'internal' });
    const v = await addVulnerability(staffCtx, c.case_id, { title: 'Race bug', cveId: 'CVE-2026-50001' });
    const acme = await makeOrg(ctx, { name: 'ACME' });
    const p = await addParticipant(staffCtx, c.case_id, { orgId: acme.id, role: 'vendor' });
    const s = await setVendorStatus(staffCtx, c.case_id, {
      participantId: p.id,
      vulnerabilityId: v.id,
      product: 'Widget',
      status: 'fixed',
      fixedVersions: '2.0',
    });
    await approveStatement(staffCtx, c.case_id, s.id, true);
    // Three confirmed subscribers.
    for (const email of ['a@example.org', 'b@example.org', 'c@example.org']) {
      await db.db
        .insertInto('advisory_subscriptions')
        .values({
          id: newId(),
          email,
          scope: 'all',
          vendor_org_id: null,
          product: null,
          confirm_hash: sha256(newSecret('acs_')),
          confirm_expires_at: new Date(Date.now() + 86400_000),
          confirmed_at: new Date(),
          unsubscribe_hash: sha256(newSecret('acu_')),
          unsubscribed_at: null,
          created_at: new Date(),
        })
        .execute();
    }
    return c;
  }

  async function counts(caseId: string) {
    const [events, audits, mails, outbox, plan] = await Promise.all([
      db.db
        .selectFrom('case_events')
        .select('id')
        .where('case_id', '=', caseId)
        .where('kind', '=', 'published')
        .execute(),
      db.db
        .selectFrom('audit_events')
        .select('seq')
        .where('action', '=', 'release.publish')
        .where('subject_id', '=', caseId)
        .execute(),
      db.db.selectFrom('advisory_mails').select('subscription_id').where('case_id', '=', caseId).execute(),
      db.db.selectFrom('outbox').select('to_address').where('subject', 'like', '[%] Race condition').execute(),
      db.db.selectFrom('release_plans').selectAll().where('case_id', '=', caseId).executeTakeFirstOrThrow(),
    ]);
    return {
      events: events.length,
      audits: audits.length,
      mails: mails.length,
      outbox: outbox.map((o) => o.to_address).sort(),
      published: plan.published_at !== null,
    };
  }

  it('two instances race after a restart between scheduling and the run time', async () => {
    const c = await setUp();
    const first = instance();
    const endsAt = new Date(Date.now() + 1500);
    await inTransaction(first.ctx, (tx) => onEmbargoChanged(tx, first.ctx, c.id, { kind: 'active', endsAt }));
    // Scheduled twice (e.g. the embargo re-confirmed): still one job for that time.
    await inTransaction(first.ctx, (tx) => onEmbargoChanged(tx, first.ctx, c.id, { kind: 'active', endsAt }));
    const jobs = await db.db.selectFrom('jobs').select('id').where('kind', '=', PUBLISH_JOB).execute();
    expect(jobs.length).toBe(1);
    const w1 = startWorker(first.ctx, publicationJobHandlers, 0);
    expect(await w1.drain()).toBe(0); // not due yet
    // The first instance stops (a deploy, a crash) before the publication time.
    await w1.stop();
    await first.close();
    expect((await counts(c.id)).published).toBe(false);

    await new Promise((r) => setTimeout(r, Math.max(0, endsAt.getTime() - Date.now() + 50)));
    const b = instance();
    const d = instance();
    const wb = startWorker(b.ctx, publicationJobHandlers, 0);
    const wd = startWorker(d.ctx, publicationJobHandlers, 0);
    // Both workers and two direct calls race for the same publication.
    const direct = await Promise.all([
      wb.drain(),
      wd.drain(),
      publishDueCase(b.ctx, c.id),
      publishDueCase(d.ctx, c.id),
      wb.drain(),
      wd.drain(),
    ]);
    await wb.drain();
    await wd.drain();
    await wb.stop();
    await wd.stop();
    expect(direct.filter((x) => x === true).length).toBeLessThanOrEqual(1);
    expect(await counts(c.id)).toEqual({
      events: 1,
      audits: 1,
      mails: 3,
      outbox: ['a@example.org', 'b@example.org', 'c@example.org'],
      published: true,
    });
    const left = await db.db
      .selectFrom('jobs')
      .select(['kind', 'status'])
      .where('kind', 'like', 'publication.%')
      .where('status', '!=', 'done')
      .execute();
    expect(left).toEqual([]);
  });

  it('two separate app processes on one PostgreSQL publish once', async (t) => {
    if (db.url === null) {
      t.skip('needs PostgreSQL: run with ACCORD_TEST_ENGINE=postgres (two processes cannot share the embedded engine)');
      return;
    }
    const c = await setUp();
    const ctx = makeCtx(db, { config });
    const endsAt = new Date(Date.now() + 8000);
    await inTransaction(ctx, (tx) => onEmbargoChanged(tx, ctx, c.id, { kind: 'active', endsAt }));
    const run = promisify(execFile);
    const env = {
      ...process.env,
      RACE_DATABASE_URL: db.url,
      RACE_START: String(endsAt.getTime()),
      RACE_UNTIL: String(endsAt.getTime() + 45_000),
    };
    const script = ['bin/tsx.mjs', 'src/publication/race-worker.fixture.ts'];
    const outputs = await Promise.all([
      run(process.execPath, script, { env, timeout: 60_000 }),
      run(process.execPath, script, { env, timeout: 60_000 }),
    ]);
    const ran = outputs.map((o) => (JSON.parse(o.stdout.trim()) as { ran: number }).ran);
    // The publish, notify and advisories jobs ran once each, in whichever process took them.
    expect(ran.reduce((a, b) => a + b, 0)).toBe(3);
    expect(await counts(c.id)).toEqual({
      events: 1,
      audits: 1,
      mails: 3,
      outbox: ['a@example.org', 'b@example.org', 'c@example.org'],
      published: true,
    });
  });

  it('a worker that dies holding the job: another takes it over, and a late duplicate run changes nothing', async () => {
    const c = await setUp();
    const ctx = makeCtx(db, { config });
    await inTransaction(ctx, (tx) =>
      onEmbargoChanged(tx, ctx, c.id, { kind: 'exited', at: new Date(Date.now() - 1000), reason: 'cord' }),
    );
    // The dying worker claims the job and never finishes it.
    const claimed = await claimJob(db.db, 'dead-worker', [PUBLISH_JOB]);
    expect(claimed?.kind).toBe(PUBLISH_JOB);
    const survivor = instance();
    const w = startWorker(survivor.ctx, publicationJobHandlers, 0);
    expect((await counts(c.id)).published).toBe(false);
    expect(await w.drain()).toBe(0); // still locked by the dead worker
    await sql`update jobs set locked_at = now() - interval '1 hour' where id = ${claimed!.id}`.execute(db.db);
    expect(await releaseStaleJobs(db.db)).toBe(1);
    await w.drain();
    // The dead worker "wakes up" and runs its copy of the job after all.
    expect(await publishDueCase(ctx, c.id)).toBe(false);
    await publicationJobHandlers['publication.notify']!(ctx, { caseId: c.id }, claimed!);
    await w.drain();
    await w.stop();
    expect(await counts(c.id)).toEqual({
      events: 1,
      audits: 1,
      mails: 3,
      outbox: ['a@example.org', 'b@example.org', 'c@example.org'],
      published: true,
    });
  });
});

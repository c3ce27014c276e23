import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { actorOf, addMember, makeCtx, makeOrg, makeUser } from '../../tests/support/factories.ts';
import { startWorker } from '../jobs/worker.ts';
import { systemActor } from '../policy/actor.ts';
import { addParticipant, openCase, setVendorStatus, addVulnerability, acceptTerms } from './commands.ts';
import { caseReminderJob, REMINDER_JOB, scheduleReminders } from './reminders.ts';

describe('reminders to silent vendors', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());

  it('are sent exactly once per day, also with two workers and after a crash mid-job; answered vendors get none', async () => {
    const ctx = { ...makeCtx(db), actor: systemActor('test') };
    const silent = await makeOrg(ctx, { name: 'Silent Corp' });
    const talkative = await makeOrg(ctx, { name: 'Talkative Inc' });
    const s = await makeUser(ctx);
    await addMember(ctx, silent.id, s.id, 'org_admin');
    const t = await makeUser(ctx);
    await addMember(ctx, talkative.id, t.id, 'org_admin');
    const c = await openCase(ctx, { title: 'Reminder case' });
    const v = await addVulnerability(ctx, c.id, { title: 'A bug' });
    const ps = await addParticipant(ctx, c.id, { orgId: silent.id, role: 'vendor' });
    const pt = await addParticipant(ctx, c.id, { orgId: talkative.id, role: 'vendor' });
    const jobs = await db.db
      .selectFrom('jobs')
      .select(['unique_key', 'run_at'])
      .where('kind', '=', REMINDER_JOB)
      .execute();
    expect(jobs).toHaveLength(6); // days 3, 7, 14 for each vendor
    const tctx = { ...ctx, actor: await actorOf(ctx, t.id) };
    await acceptTerms(tctx, c.id, 1);
    await setVendorStatus(tctx, c.id, {
      participantId: pt.id,
      vulnerabilityId: v.id,
      product: 'App',
      status: 'under_investigation',
    });

    // Day 3 arrives: make those jobs due, and run two workers at once.
    await sql`update jobs set run_at = now() - interval '1 second' where unique_key like '%:3'`.execute(db.db);
    const handlers = { [REMINDER_JOB]: caseReminderJob };
    const w1 = startWorker(ctx, handlers, 0);
    const w2 = startWorker(ctx, handlers, 0);
    await Promise.all([w1.drain(), w2.drain()]);
    const mails = async () =>
      (
        await db.db
          .selectFrom('outbox')
          .select(['to_address', 'subject'])
          .where('subject', 'like', '%Reminder%')
          .execute()
      ).map((m) => m.to_address);
    expect(await mails()).toEqual([s.email.toLowerCase()]);

    // A crash after the reminder committed but before the job was marked done: the job runs again.
    await sql`update jobs set status = 'pending', run_at = now() - interval '1 second' where unique_key = ${`reminder:${ps.id}:3`}`.execute(
      db.db,
    );
    await w1.drain();
    expect(await mails()).toHaveLength(1);
    // Enqueuing the same reminder again is a no-op.
    const before = await db.db.selectFrom('jobs').select('id').where('kind', '=', REMINDER_JOB).execute();
    await scheduleReminders(db.db, ctx, ps.id, new Date());
    expect(await db.db.selectFrom('jobs').select('id').where('kind', '=', REMINDER_JOB).execute()).toHaveLength(
      before.length,
    );
    const events = await db.db.selectFrom('case_events').select('kind').where('kind', '=', 'reminder_sent').execute();
    expect(events).toHaveLength(1);
    await w1.stop();
    await w2.stop();
  });
});

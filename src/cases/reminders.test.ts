import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { actorOf, addMember, makeCtx, makeOrg, makeUser } from '../../tests/support/factories.ts';
import { startWorker } from '../jobs/worker.ts';
import { systemActor } from '../policy/actor.ts';
import {
  acceptTerms,
  addParticipant,
  addVulnerability,
  openCase,
  removeParticipant,
  setVendorStatus,
} from './commands.ts';
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
    await sql`update jobs set status = 'pending', run_at = now() - interval '1 second' where unique_key like ${`reminder:${ps.id}:%:3`}`.execute(
      db.db,
    );
    await w1.drain();
    expect(await mails()).toHaveLength(1);
    // Enqueuing the same reminder again is a no-op.
    const before = await db.db.selectFrom('jobs').select('id').where('kind', '=', REMINDER_JOB).execute();
    await scheduleReminders(db.db, ctx, ps.id, ps.notified_at!);
    expect(await db.db.selectFrom('jobs').select('id').where('kind', '=', REMINDER_JOB).execute()).toHaveLength(
      before.length,
    );
    const events = await db.db
      .selectFrom('case_events')
      .select(['actor_user_id', 'actor_label'])
      .where('kind', '=', 'reminder_sent')
      .execute();
    // Recorded in the reminders' name, not the job worker's.
    expect(events).toEqual([{ actor_user_id: null, actor_label: 'system:reminders' }]);
    await w1.stop();
    await w2.stop();
  });

  it('a vendor removed and added again gets its reminders anew, once; the earlier jobs send nothing', async () => {
    let now = new Date('2026-12-01T09:00:00Z');
    const ctx = { ...makeCtx(db), now: () => now, actor: systemActor('test') };
    const org = await makeOrg(ctx, { name: 'Returning Ltd' });
    const u = await makeUser(ctx);
    await addMember(ctx, org.id, u.id, 'org_admin');
    const c = await openCase(ctx, { title: 'Re-added vendor case' });
    const first = await addParticipant(ctx, c.id, { orgId: org.id, role: 'vendor' });
    const handlers = { [REMINDER_JOB]: caseReminderJob };
    const w = startWorker(ctx, handlers, 0);
    const due = async () => {
      await sql`update jobs set run_at = now() - interval '1 second' where kind = ${REMINDER_JOB} and status = 'pending' and payload->>'participantId' = ${first.id} and (payload->>'day')::int = 3`.execute(
        db.db,
      );
      await w.drain();
    };
    const sent = async () =>
      (
        await db.db
          .selectFrom('case_events')
          .select('data')
          .where('participant_id', '=', first.id)
          .where('kind', '=', 'reminder_sent')
          .execute()
      ).length;
    now = new Date('2026-12-04T09:00:00Z');
    await due();
    expect(await sent()).toBe(1);

    await removeParticipant(ctx, c.id, first.id);
    now = new Date('2026-12-10T09:00:00Z');
    const again = await addParticipant(ctx, c.id, { orgId: org.id, role: 'vendor' });
    expect(again.id).toBe(first.id); // the same participation, notified anew
    const jobs = await db.db
      .selectFrom('jobs')
      .select(['unique_key', 'run_at'])
      .where('kind', '=', REMINDER_JOB)
      .where(sql<boolean>`payload->>'participantId' = ${first.id}`)
      .orderBy('run_at')
      .execute();
    expect(jobs).toHaveLength(6); // days 3, 7, 14 of each notification
    expect(jobs.filter((j) => j.unique_key?.includes(`:${again.notified_at!.getTime()}:`))).toHaveLength(3);

    // Day 7 of the first notification is stale: it sends nothing.
    await sql`update jobs set run_at = now() - interval '1 second' where kind = ${REMINDER_JOB} and status = 'pending' and payload->>'participantId' = ${first.id} and (payload->>'day')::int = 7 and payload->>'notifiedAt' < '2026-12-10'`.execute(
      db.db,
    );
    await w.drain();
    expect(await sent()).toBe(1);
    // Day 3 of the new one reminds, once (run twice, as after a crash).
    now = new Date('2026-12-13T09:00:00Z');
    await due();
    await sql`update jobs set status = 'pending', run_at = now() - interval '1 second' where kind = ${REMINDER_JOB} and payload->>'participantId' = ${first.id} and (payload->>'day')::int = 3 and payload->>'notifiedAt' >= '2026-12-10'`.execute(
      db.db,
    );
    await w.drain();
    expect(await sent()).toBe(2);
    await w.stop();
  });
});

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import {
  addMember,
  makeApp,
  makeCtx,
  makeOrg,
  makeUser,
  signIn,
  testClock,
  testConfig,
  type Clock,
  type Session,
} from '../../tests/support/factories.ts';
import type { Ctx } from '../app/context.ts';
import type { Config } from '../config/config.ts';
import { startWorker } from '../jobs/worker.ts';
import { removeMembership } from '../orgs/commands.ts';
import { systemActor } from '../policy/actor.ts';
import { DIGEST_JOB, DIGEST_SWEEP_JOB, digestJob, digestSweepJob } from './commands.ts';
import { NOTIFY_JOB } from './dispatch.ts';
import { notificationJob } from './send.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HOUR = 3600_000;

/**
 * Read state and "changes since your last visit", preferences and the case policy, @mentions and
 * the daily digest, over HTTP against both engines. A movable clock three days in the past keeps
 * "since" comparisons exact and lets jobs be due at once.
 */
describe('notifications', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let clock: Clock;
  let config: Config;
  let ctx: Ctx;
  let lead: Session;
  let leadId: string;
  type Person = { id: string; email: string; session: Session };
  let acme: { id: string; admin: Person; other: Person };
  let globex: { id: string; admin: Person };
  let stranger: Person;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    const start = new Date(Date.now() - 3 * 24 * HOUR);
    start.setUTCHours(10, 0, 0, 0);
    clock = testClock(start);
    config = testConfig();
    app = await makeApp(db, { config, clock });
    ctx = makeCtx(db, { config, clock });
    const person = async (orgId: string | null, role: string | null = null): Promise<Person> => {
      const u = await makeUser(ctx, { role: orgId ? null : role });
      if (orgId) await addMember(ctx, orgId, u.id, role ?? 'member');
      return { id: u.id, email: u.email, session: await signIn(app, u.email) };
    };
    const leadUser = await person(null, 'coordinator');
    lead = leadUser.session;
    leadId = leadUser.id;
    const acmeOrg = await makeOrg(ctx, { name: 'ACME' });
    const globexOrg = await makeOrg(ctx, { name: 'Globex' });
    const initech = await makeOrg(ctx, { name: 'Initech' });
    acme = { id: acmeOrg.id, admin: await person(acmeOrg.id, 'org_admin'), other: await person(acmeOrg.id) };
    globex = { id: globexOrg.id, admin: await person(globexOrg.id, 'org_admin') };
    stranger = await person(initech.id, 'org_admin');
    return () => app.close();
  });

  /** Runs the notification jobs a change queued (the server's worker does this after the commit). */
  const deliver = async () => {
    const worker = startWorker({ ...ctx, actor: systemActor('jobs') }, { [NOTIFY_JOB]: notificationJob }, 0);
    await worker.drain();
    await worker.stop();
  };
  const call = async (method: string, url: string, who: Session | null, payload?: object) => {
    clock.advance(1000); // every step a second later, so "since" is exact
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: who?.headers ?? {},
      ...(payload ? { payload } : {}),
    });
    if (method !== 'GET') await deliver();
    return res;
  };
  const outbox = () => db.db.selectFrom('outbox').selectAll().orderBy('created_at').execute();

  /** A case with a vulnerability; ACME (limited to its admin) and Globex invited and in. */
  async function setUp(opts: { accept?: boolean } = {}) {
    const created = await call('POST', '/api/v1/cases', lead, {
      title: 'Heap overflow in the parser',
      summary: 'Embargoed: **the length field** overflows.',
    });
    const caseId = created.json<Json>().caseId as string;
    const vulnId = (
      await call('POST', `/api/v1/cases/${caseId}/vulnerabilities`, lead, { title: 'Overflow' })
    ).json<Json>().id as string;
    const acmeP = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, {
        orgId: acme.id,
        role: 'vendor',
        allowedUserIds: [acme.admin.id],
      })
    ).json<Json>().id as string;
    const globexP = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: globex.id, role: 'vendor' })
    ).json<Json>().id as string;
    if (opts.accept !== false) {
      for (const who of [acme.admin.session, globex.admin.session])
        expect((await call('POST', `/api/v1/cases/${caseId}/terms/accept`, who, { version: 1 })).statusCode).toBe(200);
    }
    const threads = (await call('GET', `/api/v1/cases/${caseId}/threads`, lead)).json<Json>().items as Json[];
    return {
      caseId,
      vulnId,
      acmeP,
      globexP,
      official: threads.find((t) => t.kind === 'official')!.id as string,
      discussion: threads.find((t) => t.kind === 'discussion')!.id as string,
    };
  }
  const post = async (caseId: string, who: Session, threadId: string, body: object) => {
    const res = await call('POST', `/api/v1/cases/${caseId}/threads/${threadId}/posts`, who, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Json>();
  };

  it('changes since the last visit list only what the caller may see; unread counts per case and thread', async () => {
    const { caseId, vulnId, acmeP, globexP, official, discussion } = await setUp();
    // Globex visits, then the others act.
    expect((await call('POST', `/api/v1/cases/${caseId}/seen`, globex.admin.session, {})).statusCode).toBe(200);
    const priv = (
      await call('POST', `/api/v1/cases/${caseId}/threads`, acme.admin.session, {
        title: 'ACME patch plan',
        participantIds: [acmeP],
      })
    ).json<Json>().id as string;
    await post(caseId, acme.admin.session, priv, { body: 'ACME private: patch in QA' });
    await post(caseId, lead, official, { body: 'Embargo ends 2027-02-01', tlp: 'AMBER' });
    await post(caseId, lead, discussion, { body: 'For ACME only', tlp: 'AMBER+STRICT', recipientOrgId: acme.id });
    await post(caseId, lead, discussion, {
      body: 'For the Globex admin',
      tlp: 'RED',
      recipientUserIds: [globex.admin.id],
    });
    await post(caseId, lead, discussion, { body: 'For the ACME admin', tlp: 'RED', recipientUserIds: [acme.admin.id] });
    const status = (participantId: string, who: Session, mayShare: boolean) =>
      call('PUT', `/api/v1/cases/${caseId}/statuses`, who, {
        participantId,
        vulnerabilityId: vulnId,
        product: 'Parser',
        status: 'affected',
        statement: 'Update to 2.0',
        mayShare,
      });
    expect((await status(acmeP, acme.admin.session, false)).statusCode).toBe(200);
    expect((await status(globexP, lead, false)).statusCode).toBe(200);

    const changes = await call('GET', `/api/v1/cases/${caseId}/changes`, globex.admin.session);
    expect(changes.statusCode).toBe(200);
    const ch = changes.json<Json>();
    expect(ch.since).not.toBeNull();
    expect((ch.posts as Json[]).map((p) => p.excerpt)).toEqual(['Embargo ends 2027-02-01', 'For the Globex admin']);
    expect(ch.unread).toBe(2);
    // Its own status (stated by the lead for it), not ACME's unshared one; nor whether ACME answered.
    expect((ch.statuses as Json[]).map((s) => [s.vendor, s.status])).toEqual([['Globex', 'affected']]);
    const kinds = (ch.events as Json[]).map((e) => e.kind);
    expect(kinds).not.toContain('thread_created'); // ACME's private thread
    // Status events of its own participation only (the lead stated Globex's), never ACME's.
    expect((ch.events as Json[]).filter((e) => e.kind === 'status_changed').map((e) => e.participantId)).toEqual([
      globexP,
    ]);
    expect(kinds).not.toContain('post_added'); // posts are listed as posts, under their scope
    expect(changes.body).not.toContain('ACME private');
    expect(changes.body).not.toContain('For ACME only');
    expect(changes.body).not.toContain('For the ACME admin');

    // ACME sees its private thread's creation, its AMBER+STRICT and RED posts, not Globex's RED post.
    const asAcme = (await call('GET', `/api/v1/cases/${caseId}/changes`, acme.admin.session)).json<Json>();
    expect((asAcme.posts as Json[]).map((p) => p.excerpt)).toEqual([
      'Embargo ends 2027-02-01',
      'For ACME only',
      'For the ACME admin',
    ]);
    // Its own doings are left out; staff see the private thread being opened.
    expect((asAcme.events as Json[]).some((e) => e.kind === 'thread_created')).toBe(false);
    const asLead = (await call('GET', `/api/v1/cases/${caseId}/changes`, lead)).json<Json>();
    expect((asLead.events as Json[]).some((e) => e.kind === 'thread_created')).toBe(true);
    // Terms acceptance shows who and which version, but not from which address.
    const accepted = (asAcme.events as Json[]).find((e) => e.kind === 'terms_accepted');
    expect(accepted?.data).toEqual({ version: 1, orgId: globex.id });

    // Unread per thread and per case in the list.
    const threads = (await call('GET', `/api/v1/cases/${caseId}/threads`, globex.admin.session)).json<Json>().items;
    expect((threads as Json[]).map((t) => [t.kind, t.unread])).toEqual([
      ['official', 1],
      ['discussion', 1],
    ]);
    const list = (await call('GET', '/api/v1/cases', globex.admin.session)).json<Json>().items;
    expect(list[0]).toMatchObject({ caseId, unread: 2 });

    // Reading a thread marks its visible posts read; posts list the marker.
    const seen = await call('POST', `/api/v1/cases/${caseId}/seen`, globex.admin.session, { threadId: official });
    expect(seen.json<Json>()).toMatchObject({ marked: 1 });
    const posts = (
      await call('GET', `/api/v1/cases/${caseId}/threads/${official}/posts`, globex.admin.session)
    ).json<Json>().items as Json[];
    expect(posts.map((p) => p.read)).toEqual([true]);
    expect((await call('GET', '/api/v1/cases', globex.admin.session)).json<Json>().items[0].unread).toBe(1);
    // Another org's private thread cannot be marked (404, as if missing), and marks nothing.
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/seen`, globex.admin.session, { threadId: priv })).statusCode,
    ).toBe(404);
    // Marking posts by id marks only visible ones.
    const acmeOnly = (await call('GET', `/api/v1/cases/${caseId}/threads/${priv}/posts`, lead)).json<Json>().items[0]
      .id as string;
    const byId = await call('POST', `/api/v1/cases/${caseId}/seen`, globex.admin.session, { postIds: [acmeOnly] });
    expect(byId.json<Json>().marked).toBe(0);
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/seen`, globex.admin.session, { all: true })).json<Json>().marked,
    ).toBe(1);
    expect((await call('GET', '/api/v1/cases', globex.admin.session)).json<Json>().items[0].unread).toBe(0);

    // After the visit, only what came later.
    await post(caseId, lead, official, { body: 'Embargo moved to 2027-03-01' });
    const later = (await call('GET', `/api/v1/cases/${caseId}/changes`, globex.admin.session)).json<Json>();
    expect((later.posts as Json[]).map((p) => [p.excerpt, p.read])).toEqual([['Embargo moved to 2027-03-01', false]]);
    expect(later.statuses).toEqual([]);
  });

  it('refuses changes to outsiders (404) and before the terms (403); a first visit is "first seen" on the timeline', async () => {
    const { caseId } = await setUp({ accept: false });
    expect((await call('GET', `/api/v1/cases/${caseId}/changes`, stranger.session)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/cases/${caseId}/changes`, acme.other.session)).statusCode).toBe(404); // not named
    expect((await call('POST', `/api/v1/cases/${caseId}/seen`, stranger.session, {})).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/cases/${caseId}/changes`, globex.admin.session)).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/cases/${caseId}/seen`, globex.admin.session, { all: true })).statusCode).toBe(
      403,
    );
    // Before the terms the list says nothing about unread posts.
    expect((await call('GET', '/api/v1/cases', globex.admin.session)).json<Json>().items[0].unread).toBeNull();
    // Opening the case (terms only) is the participant's first sight of it.
    expect((await call('POST', `/api/v1/cases/${caseId}/seen`, globex.admin.session, {})).statusCode).toBe(200);
    expect((await call('POST', `/api/v1/cases/${caseId}/seen`, globex.admin.session, {})).statusCode).toBe(200);
    const timeline = (await call('GET', `/api/v1/cases/${caseId}/timeline`, lead)).json<Json>().items as Json[];
    expect(timeline.filter((e) => e.kind === 'first_seen').map((e) => e.data.orgId)).toEqual([globex.id]);
    const audit = await db.db.selectFrom('audit_events').select('action').where('action', '=', 'case.seen').execute();
    expect(audit).toHaveLength(2);
    // Having seen only the terms is no visit of the case: after accepting, everything is new.
    await call('POST', `/api/v1/cases/${caseId}/terms/accept`, globex.admin.session, { version: 1 });
    const first = (await call('GET', `/api/v1/cases/${caseId}/changes`, globex.admin.session)).json<Json>();
    expect(first.since).toBeNull();
    expect((first.events as Json[]).map((e) => e.kind)).toContain('vulnerability_added');
  });

  it('preferences: notices instead of content, digest or off per kind; official notices cannot be switched off', async () => {
    const openpgp = await import('openpgp');
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: globex.admin.email }],
      format: 'armored',
    });
    const me = globex.admin.session;
    const defaults = (await call('GET', '/api/v1/me/notifications', me)).json<Json>();
    expect(defaults).toMatchObject({
      contentMode: 'encrypted',
      hasKey: false,
      mandatory: ['official_post'],
      kinds: { official_post: 'immediate', thread_post: 'immediate', mention: 'immediate', status_change: 'immediate' },
    });
    const refused = await call('PUT', '/api/v1/me/notifications', me, { contentMode: 'encrypted' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<Json>().error.details.field).toBe('contentMode');
    expect(
      (await call('PUT', '/api/v1/me/notifications', me, { kinds: { official_post: 'off' } })).json<Json>().error
        .details.field,
    ).toBe('kinds.official_post');
    expect((await call('PATCH', '/api/v1/me', me, { pgpPublicKey: publicKey })).statusCode).toBe(200);
    const set = await call('PUT', '/api/v1/me/notifications', me, {
      contentMode: 'notice',
      kinds: { official_post: 'digest', mention: 'off' },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json<Json>()).toMatchObject({ contentMode: 'notice', hasKey: true, kinds: { official_post: 'digest' } });

    const { caseId, official, discussion } = await setUp();
    await db.db.deleteFrom('outbox').execute();
    await post(caseId, lead, official, { body: 'Official: the fix lands in 3.1' });
    // Official post: to the digest, not mailed now.
    const items = await db.db.selectFrom('digest_items').selectAll().where('user_id', '=', globex.admin.id).execute();
    expect(items.map((i) => [i.kind, i.subject_type])).toEqual([['official_post', 'post']]);
    expect((await outbox()).map((m) => m.to_address)).not.toContain(globex.admin.email);
    // A mention is off for this user: nothing at all.
    await post(caseId, lead, discussion, { body: `@${globex.admin.email} please confirm` });
    expect((await outbox()).map((m) => m.to_address)).not.toContain(globex.admin.email);
    // A mention in the official thread falls back to the (mandatory) official notice: digest again.
    await post(caseId, lead, official, { body: `@${globex.admin.email} see above` });
    expect(
      await db.db.selectFrom('digest_items').select('kind').where('user_id', '=', globex.admin.id).execute(),
    ).toHaveLength(2);
    // Content mode notice: even with a key, immediate mail is a notice.
    await call('PUT', '/api/v1/me/notifications', me, { kinds: { official_post: 'immediate' } });
    await post(caseId, lead, official, { body: 'Official: version 3.1.2 is the fixed one' });
    const mail = (await outbox()).find((m) => m.to_address === globex.admin.email)!;
    expect(mail.body_text).not.toContain('3.1.2');
    expect(mail.body_text).not.toContain('PGP MESSAGE');
    expect(mail.body_text).toContain(`/cases/${caseId}`);
    const audit = await db.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'notifications.preferences')
      .execute();
    expect(audit).toHaveLength(2);
  });

  it("a case's notice-only policy keeps content out of mail even for recipients with a key", async () => {
    const openpgp = await import('openpgp');
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: acme.admin.email }],
      format: 'armored',
    });
    await call('PATCH', '/api/v1/me', acme.admin.session, { pgpPublicKey: publicKey });
    const { caseId, official } = await setUp();
    const policy = `/api/v1/cases/${caseId}/notification-policy`;
    expect((await call('GET', policy, acme.admin.session)).json<Json>()).toMatchObject({
      noticeOnly: false,
      abilities: { 'case:manage': false },
    });
    expect((await call('PUT', policy, acme.admin.session, { noticeOnly: true })).statusCode).toBe(403);
    expect((await call('PUT', policy, stranger.session, { noticeOnly: true })).statusCode).toBe(404);
    await db.db.deleteFrom('outbox').execute();
    await post(caseId, lead, official, { body: 'Before the policy: 4.0.1 fixes it' });
    expect((await outbox()).find((m) => m.to_address === acme.admin.email)!.body_text).toContain('PGP MESSAGE');
    expect((await call('PUT', policy, lead, { noticeOnly: true })).json<Json>().noticeOnly).toBe(true);
    await db.db.deleteFrom('outbox').execute();
    await post(caseId, lead, official, { body: 'After the policy: 4.0.2 fixes it' });
    const mail = (await outbox()).find((m) => m.to_address === acme.admin.email)!;
    expect(mail.body_text).not.toContain('PGP MESSAGE');
    expect(mail.body_text).not.toContain('4.0.2');
    expect(mail.subject).toBe(`[${caseId}] New post in the official thread`);
  });

  it('@mentions reach only people who may see the post; others are neither told nor stored', async () => {
    const { caseId, acmeP, discussion } = await setUp();
    await db.db.deleteFrom('outbox').execute();
    const mentions = `@${acme.admin.email} @${stranger.email} @${acme.other.email} @nobody@example.org`;
    const p = await post(caseId, lead, discussion, { body: `Please check ${mentions}` });
    const stored = await db.db
      .selectFrom('case_posts')
      .select('mentions')
      .where('id', '=', p.id)
      .executeTakeFirstOrThrow();
    expect(stored.mentions).toEqual([acme.admin.id]); // the stranger and ACME's unnamed member may not see it
    let mail = await outbox();
    expect(mail.map((m) => [m.to_address, m.subject])).toEqual([[acme.admin.email, `[${caseId}] You were mentioned`]]);
    // In ACME's private thread, a mention of Globex's admin tells them nothing.
    const priv = (
      await call('POST', `/api/v1/cases/${caseId}/threads`, acme.admin.session, {
        title: 'Private',
        participantIds: [acmeP],
      })
    ).json<Json>().id as string;
    await db.db.deleteFrom('outbox').execute();
    const secret = await post(caseId, acme.admin.session, priv, { body: `@${globex.admin.email} look at our patch` });
    mail = await outbox();
    expect(mail.map((m) => m.to_address)).not.toContain(globex.admin.email);
    expect(
      (await db.db.selectFrom('case_posts').select('mentions').where('id', '=', secret.id).executeTakeFirstOrThrow())
        .mentions,
    ).toEqual([]);
    // Nor does a RED post name someone it is not for.
    await db.db.deleteFrom('outbox').execute();
    await post(caseId, lead, discussion, {
      body: `@${globex.admin.email} @${acme.admin.email} FYI`,
      tlp: 'RED',
      recipientUserIds: [acme.admin.id],
    });
    expect((await outbox()).map((m) => m.to_address)).toEqual([acme.admin.email]);
    // An edit that adds a mention tells the newly mentioned person once.
    await db.db.deleteFrom('outbox').execute();
    const edited = await call('PATCH', `/api/v1/cases/${caseId}/posts/${p.id}`, lead, {
      body: `Please check @${acme.admin.email} and @${globex.admin.email}`,
    });
    expect(edited.statusCode).toBe(200);
    expect((await outbox()).map((m) => [m.to_address, m.subject])).toEqual([
      [globex.admin.email, `[${caseId}] You were mentioned`],
    ]);
    // The discussion is followed by those who wrote in it, were mentioned in it, and the lead: Globex's
    // post tells the lead and ACME's admin (mentioned above), not ACME's other member.
    await db.db.deleteFrom('outbox').execute();
    await post(caseId, globex.admin.session, discussion, { body: 'Globex: not affected here' });
    const leadEmail = (
      await db.db.selectFrom('users').select('email').where('id', '=', leadId).executeTakeFirstOrThrow()
    ).email;
    expect((await outbox()).map((m) => m.to_address).sort()).toEqual([leadEmail, acme.admin.email].sort());
  });

  it('the daily digest goes out once per user and day, re-checks access, and decrypts with the user key', async () => {
    const openpgp = await import('openpgp');
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: acme.admin.email }],
      format: 'armored',
    });
    await call('PATCH', '/api/v1/me', acme.admin.session, { pgpPublicKey: publicKey });
    await call('PUT', '/api/v1/me/notifications', acme.admin.session, {
      kinds: { official_post: 'digest', status_change: 'digest' },
    });
    await call('PUT', '/api/v1/me/notifications', globex.admin.session, {
      kinds: { official_post: 'digest', status_change: 'digest' },
    });
    const { caseId, vulnId, acmeP, official } = await setUp();
    await db.db.deleteFrom('outbox').execute();
    await post(caseId, lead, official, { body: 'Digest item: 5.0.1 has the fix' });
    await call('PUT', `/api/v1/cases/${caseId}/statuses`, lead, {
      participantId: acmeP,
      vulnerabilityId: vulnId,
      product: 'Engine',
      status: 'fixed',
      fixedVersions: '5.0.1',
    });
    expect(await outbox()).toEqual([]);
    // Globex's admin leaves Globex before the digest: what was queued for them is dropped, not sent.
    expect(
      await db.db.selectFrom('digest_items').select('kind').where('user_id', '=', globex.admin.id).execute(),
    ).toHaveLength(1);
    await removeMembership(ctx, globex.id, globex.admin.id);

    const jobCtx = { ...ctx, actor: systemActor('jobs') };
    // Before the digest hour nothing is due (the items are from after today's 08:00).
    expect(await digestSweepJob(jobCtx)).toBe(0);
    // The next morning after 08:00 UTC: the sweep, run by two nodes, enqueues one job per user.
    clock.set(new Date(clock.now().getTime() + 24 * HOUR));
    clock.set(new Date(new Date(clock.now()).setUTCHours(8, 5, 0, 0)));
    const handlers = {
      [DIGEST_SWEEP_JOB]: async (c: Ctx) => {
        await digestSweepJob(c);
      },
      [DIGEST_JOB]: digestJob,
    };
    await digestSweepJob(jobCtx);
    await digestSweepJob(jobCtx);
    const date = clock.now().toISOString().slice(0, 10);
    const jobs = await db.db.selectFrom('jobs').select('unique_key').where('kind', '=', DIGEST_JOB).execute();
    expect(jobs.map((j) => j.unique_key).sort()).toEqual(
      [`digest:${acme.admin.id}:${date}`, `digest:${globex.admin.id}:${date}`].sort(),
    );
    // The instance key exists from the first start on; here the first request creates it.
    const instanceKey = (await call('GET', '/api/v1/instance-key', null)).json<Json>().publicKey as string;
    const w1 = startWorker(jobCtx, handlers, 0);
    const w2 = startWorker(jobCtx, handlers, 0);
    await Promise.all([w1.drain(), w2.drain()]);
    const mails = await outbox();
    expect(mails.map((m) => m.to_address)).toEqual([acme.admin.email]);
    const digest = mails[0]!;
    expect(digest.subject).toMatch(/daily digest: 2 updates in 1 case/);
    expect(digest.body_text).not.toContain('5.0.1');
    const opened = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: digest.body_text }),
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: privateKey }),
      verificationKeys: await openpgp.readKey({ armoredKey: instanceKey }),
      expectSigned: true,
    });
    expect(opened.data).toContain('Digest item: 5.0.1 has the fix');
    expect(opened.data).toContain(`${caseId}:`);
    expect(opened.data).toContain('ACME: Engine: fixed');
    const dropped = await db.db
      .selectFrom('digest_items')
      .select('sent_at')
      .where('user_id', '=', globex.admin.id)
      .execute();
    expect(dropped.map((i) => i.sent_at !== null)).toEqual([true]);
    // A job that runs again (a crash after commit) and another sweep send nothing more.
    await db.db.updateTable('jobs').set({ status: 'pending' }).where('kind', '=', DIGEST_JOB).execute();
    await w1.drain();
    expect(await digestSweepJob(jobCtx)).toBe(0);
    expect(await outbox()).toHaveLength(1);
    const audit = await db.db
      .selectFrom('audit_events')
      .select('summary')
      .where('action', '=', 'notifications.digest')
      .execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
    await w1.stop();
    await w2.stop();
  });

  it('status and case-state changes reach the lead and the vendor, by their preferences', async () => {
    const { caseId, vulnId, acmeP } = await setUp();
    await db.db.deleteFrom('outbox').execute();
    await call('PUT', `/api/v1/cases/${caseId}/statuses`, acme.admin.session, {
      participantId: acmeP,
      vulnerabilityId: vulnId,
      product: 'Parser',
      status: 'not_affected',
      justification: 'vulnerable_code_not_present',
    });
    const leadEmail = (
      await db.db.selectFrom('users').select('email').where('id', '=', leadId).executeTakeFirstOrThrow()
    ).email;
    let mails = await outbox();
    expect(mails.map((m) => [m.to_address, m.subject])).toEqual([[leadEmail, `[${caseId}] A vendor status changed`]]);
    expect(mails[0]!.body_text).not.toContain('Parser');
    await db.db.deleteFrom('outbox').execute();
    await call('PUT', '/api/v1/me/notifications', globex.admin.session, { kinds: { status_change: 'off' } });
    expect((await call('POST', `/api/v1/cases/${caseId}/state`, lead, { event: 'P' })).statusCode).toBe(200);
    mails = await outbox();
    expect(mails.map((m) => m.to_address)).toContain(acme.admin.email);
    expect(mails.map((m) => m.to_address)).not.toContain(globex.admin.email); // switched off
    expect(mails.map((m) => m.to_address)).not.toContain(stranger.email);
    expect(mails.every((m) => m.subject === `[${caseId}] The case state changed`)).toBe(true);
  });
});

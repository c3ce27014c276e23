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
  testConfig,
  type Session,
} from '../../tests/support/factories.ts';
import { sampleReport } from '../../tests/support/reports.ts';
import { inTransaction, type Ctx } from '../app/context.ts';
import { finderVisiblePosts, notifyFindersOfSharedPost } from '../cases/threads.ts';
import { startWorker } from '../jobs/worker.ts';
import { systemActor } from '../policy/actor.ts';
import { NOTIFY_JOB } from './dispatch.ts';
import { notificationJob } from './send.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The notification job: a change's transaction only queues it; it composes, encrypts and signs
 * each mail afterwards, deciding the recipients again when it runs, exactly once per recipient.
 * Finders hear of what is shared with reporters and nothing else. Every mail path is checked with
 * a canary: no embargoed text in clear-text mail, and nothing at all for people not allowed.
 */
describe('notification jobs', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let ctx: Ctx;
  let lead: Session;
  type Person = { id: string; email: string; session: Session; privateKey: string | null };
  let acme: { id: string; admin: Person };
  let globex: { id: string; admin: Person };
  let stranger: Person;
  let instanceKey: string;
  const openpgpP = import('openpgp');

  const keyPair = async (email: string) => {
    const openpgp = await openpgpP;
    return openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ email }], format: 'armored' });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    const config = testConfig();
    app = await makeApp(db, { config });
    ctx = makeCtx(db, { config });
    const person = async (orgId: string | null, role: string, withKey: boolean): Promise<Person> => {
      const u = await makeUser(ctx, { role: orgId ? null : role });
      if (orgId) await addMember(ctx, orgId, u.id, role);
      const session = await signIn(app, u.email);
      let privateKey: string | null = null;
      if (withKey) {
        const k = await keyPair(u.email);
        privateKey = k.privateKey;
        expect((await call('PATCH', '/api/v1/me', session, { pgpPublicKey: k.publicKey })).statusCode).toBe(200);
      }
      return { id: u.id, email: u.email, session, privateKey };
    };
    lead = (await person(null, 'coordinator', false)).session;
    const acmeOrg = await makeOrg(ctx, { name: 'ACME' });
    const globexOrg = await makeOrg(ctx, { name: 'Globex' });
    const initech = await makeOrg(ctx, { name: 'Initech' });
    acme = { id: acmeOrg.id, admin: await person(acmeOrg.id, 'org_admin', true) };
    globex = { id: globexOrg.id, admin: await person(globexOrg.id, 'org_admin', false) };
    stranger = await person(initech.id, 'org_admin', true);
    instanceKey = (await call('GET', '/api/v1/instance-key', null)).json<Json>().publicKey as string;
    return () => app.close();
  });

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });
  const ok = async (method: string, url: string, who: Session | null, payload?: object) => {
    const res = await call(method, url, who, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.body ? res.json<Json>() : {};
  };
  const deliver = async () => {
    const worker = startWorker({ ...ctx, actor: systemActor('jobs') }, { [NOTIFY_JOB]: notificationJob }, 0);
    const n = await worker.drain();
    await worker.stop();
    return n;
  };
  const outbox = () => db.db.selectFrom('outbox').selectAll().orderBy('created_at').execute();
  const mailsTo = async (email: string) => (await outbox()).filter((m) => m.to_address === email);
  const decrypt = async (armored: string, privateKey: string) => {
    const openpgp = await openpgpP;
    const opened = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: armored }),
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: privateKey }),
      verificationKeys: await openpgp.readKey({ armoredKey: instanceKey }),
      expectSigned: true,
    });
    return opened.data as string;
  };
  /** No clear-text mail (or subject) carries any of the canaries. */
  const assertNoClearText = async (...canaries: string[]) => {
    for (const m of await outbox()) {
      for (const c of canaries) {
        expect(m.subject, `subject to ${m.to_address}`).not.toContain(c);
        if (!m.body_text.startsWith('-----BEGIN PGP MESSAGE-----'))
          expect(m.body_text, `clear mail to ${m.to_address}`).not.toContain(c);
      }
    }
  };

  /** A case opened from a report, ACME and Globex in it (terms accepted). */
  async function setUp(report: { finder?: Session | null; pgpPublicKey?: string; contactEmail?: string } = {}) {
    const submitted = await ok(
      'POST',
      '/api/v1/reports',
      report.finder ?? null,
      sampleReport({
        ...(report.pgpPublicKey ? { pgpPublicKey: report.pgpPublicKey } : {}),
        ...(report.contactEmail ? { contactEmail: report.contactEmail } : {}),
      }),
    );
    const trackingId = submitted.report.trackingId as string;
    for (const event of ['validate', 'accept'])
      await ok('POST', `/api/v1/reports/${trackingId}/transitions`, lead, { event });
    const caseId = (
      await ok('POST', '/api/v1/cases', lead, {
        title: 'Heap overflow in the parser',
        summary: 'Embargoed: the length field overflows.',
        reportIds: [trackingId],
      })
    ).caseId as string;
    const vulnId = (await ok('POST', `/api/v1/cases/${caseId}/vulnerabilities`, lead, { title: 'Overflow' }))
      .id as string;
    const acmeP = (await ok('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: acme.id, role: 'vendor' }))
      .id as string;
    const globexP = (
      await ok('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: globex.id, role: 'vendor' })
    ).id as string;
    for (const who of [acme.admin.session, globex.admin.session])
      await ok('POST', `/api/v1/cases/${caseId}/terms/accept`, who, { version: 1 });
    const threads = (await ok('GET', `/api/v1/cases/${caseId}/threads`, lead)).items as Json[];
    const participants = (await ok('GET', `/api/v1/cases/${caseId}`, lead)).participants as Json[];
    await deliver();
    await db.db.deleteFrom('outbox').execute();
    return {
      caseId,
      trackingId,
      secret: submitted.followUpSecret as string,
      vulnId,
      acmeP,
      globexP,
      finderP: participants.find((p) => p.role === 'finder' || p.role === 'reporter')?.id as string,
      official: threads.find((t) => t.kind === 'official')!.id as string,
      discussion: threads.find((t) => t.kind === 'discussion')!.id as string,
    };
  }
  const post = async (caseId: string, who: Session, threadId: string, body: object) =>
    (await ok('POST', `/api/v1/cases/${caseId}/threads/${threadId}/posts`, who, body)).id as string;

  it("an official post's transaction only queues one job; the job mails each reader once, encrypted and signed, checking access again when it runs", async () => {
    const s = await setUp();
    const CANARY = 'CANARY-7731 the fix ships in 9.9.9';
    const postId = await post(s.caseId, lead, s.official, { body: CANARY, tlp: 'AMBER' });
    // Nothing composed in the request: one job, keyed by the post.
    expect(await outbox()).toEqual([]);
    const jobs = await db.db
      .selectFrom('jobs')
      .select(['unique_key', 'status'])
      .where('kind', '=', NOTIFY_JOB)
      .execute();
    expect(jobs).toEqual([{ unique_key: `notify:post:${postId}`, status: 'pending' }]);

    // Globex is removed from the case before the job runs: it must hear nothing (embargo).
    await ok('DELETE', `/api/v1/cases/${s.caseId}/participants/${s.globexP}`, lead);
    await deliver();
    const toAcme = await mailsTo(acme.admin.email);
    expect(toAcme).toHaveLength(1);
    expect(toAcme[0]!.body_text).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    expect(toAcme[0]!.subject).toBe(`[${s.caseId}] New post in the official thread`);
    const text = await decrypt(toAcme[0]!.body_text, acme.admin.privateKey!);
    expect(text).toContain(CANARY);
    expect(text).toContain('TLP:AMBER');
    expect(await mailsTo(globex.admin.email)).toEqual([]);
    expect(await mailsTo(stranger.email)).toEqual([]);
    await assertNoClearText('CANARY-7731', '9.9.9');

    // Run again (a crash after the commit, before the job was marked done): nothing twice.
    const before = (await outbox()).length;
    await db.db.updateTable('jobs').set({ status: 'pending' }).where('kind', '=', NOTIFY_JOB).execute();
    expect(await deliver()).toBe(1);
    expect(await outbox()).toHaveLength(before);
    const audit = await db.db
      .selectFrom('audit_events')
      .select('summary')
      .where('action', '=', 'notifications.sent')
      .execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
  });

  it('a user limited away and a RED post: the job tells only who may read it then; status and case-state changes go through the job too', async () => {
    const s = await setUp();
    const CANARY = 'CANARY-5150 red detail';
    await post(s.caseId, lead, s.discussion, { body: CANARY, tlp: 'RED', recipientUserIds: [acme.admin.id] });
    // ACME limits its participation to a user that is not the admin before the job runs.
    const other = await makeUser(ctx);
    await addMember(ctx, acme.id, other.id, 'member');
    await ok('PUT', `/api/v1/cases/${s.caseId}/participants/${s.acmeP}/users`, lead, { userIds: [other.id] });
    await deliver();
    expect(await mailsTo(acme.admin.email)).toEqual([]);
    expect(await mailsTo(globex.admin.email)).toEqual([]);
    expect(await mailsTo(other.email)).toEqual([]); // not named on the RED post
    await assertNoClearText('CANARY-5150');
    for (const m of await outbox()) expect(m.subject).not.toContain('mentioned');

    await db.db.deleteFrom('outbox').execute();
    const STATUS = 'CANARY-9090 statement';
    await ok('PUT', `/api/v1/cases/${s.caseId}/statuses`, globex.admin.session, {
      participantId: s.globexP,
      vulnerabilityId: s.vulnId,
      product: 'Parser',
      status: 'affected',
      statement: STATUS,
    });
    await ok('POST', `/api/v1/cases/${s.caseId}/state`, lead, { event: 'P' });
    expect(await outbox()).toEqual([]);
    expect(
      (await db.db.selectFrom('jobs').select('unique_key').where('kind', '=', NOTIFY_JOB).execute()).map((j) =>
        (j.unique_key ?? '').split(':').slice(0, 2).join(':'),
      ),
    ).toEqual(expect.arrayContaining(['notify:status', 'notify:case-state']));
    await deliver();
    expect((await mailsTo(other.email)).map((m) => m.subject)).toEqual([`[${s.caseId}] The case state changed`]);
    expect(await mailsTo(acme.admin.email)).toEqual([]); // limited away
    expect(await mailsTo(stranger.email)).toEqual([]);
    await assertNoClearText('CANARY-9090');
  });

  it('a finder hears, at the address and key of the report, of what is shared with reporters and of nothing else', async () => {
    const finderKey = await keyPair('finder@example.net');
    const s = await setUp({ pgpPublicKey: finderKey.publicKey, contactEmail: 'finder@example.net' });
    const finderMails = () => mailsTo('finder@example.net');
    const strictly = async (what: () => Promise<unknown>) => {
      await what();
      await deliver();
      expect(await finderMails()).toEqual([]);
    };
    // Not shared with reporters: nothing, whatever the thread or label.
    await strictly(() =>
      post(s.caseId, lead, s.official, { body: 'HIDDEN-1 strict', tlp: 'AMBER+STRICT', recipientOrgId: acme.id }),
    );
    await strictly(() =>
      post(s.caseId, lead, s.official, { body: 'HIDDEN-2 red', tlp: 'RED', recipientUserIds: [acme.admin.id] }),
    );
    const discussionPost = await post(s.caseId, acme.admin.session, s.discussion, { body: 'HIDDEN-3 chatter' });
    await deliver();
    expect(await finderMails()).toEqual([]);
    await strictly(async () => {
      const priv = (
        await ok('POST', `/api/v1/cases/${s.caseId}/threads`, acme.admin.session, {
          title: 'ACME private',
          participantIds: [s.acmeP],
        })
      ).id as string;
      await post(s.caseId, acme.admin.session, priv, { body: 'HIDDEN-4 private' });
    });
    await strictly(() =>
      ok('PUT', `/api/v1/cases/${s.caseId}/statuses`, acme.admin.session, {
        participantId: s.acmeP,
        vulnerabilityId: s.vulnId,
        product: 'Parser',
        status: 'affected',
        statement: 'HIDDEN-5 unshared statement',
      }),
    );
    await strictly(() => ok('POST', `/api/v1/cases/${s.caseId}/state`, lead, { event: 'P' }));

    // Shared: an official post, encrypted to the report's key and signed; no author named.
    await post(s.caseId, lead, s.official, { body: 'SHARED-1 coordination started', tlp: 'GREEN' });
    await deliver();
    let mails = await finderMails();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`[${s.caseId}] The coordinators shared a message with you`);
    let text = await decrypt(mails[0]!.body_text, finderKey.privateKey);
    expect(text).toContain('SHARED-1 coordination started');
    expect(text).toContain(s.trackingId);
    expect(text).toContain('from the coordinators');
    expect(text).toContain('/report/follow-up');
    expect(text).not.toContain(s.secret);
    // A discussion post labelled for reporters later (src/cases/finder.ts calls notifyFindersOfSharedPost).
    await ok('PUT', `/api/v1/cases/${s.caseId}/posts/${discussionPost}/reporters`, lead, { shared: true });
    await inTransaction(ctx, (tx) => notifyFindersOfSharedPost(tx, ctx, discussionPost));
    await inTransaction(ctx, (tx) => notifyFindersOfSharedPost(tx, ctx, discussionPost)); // once only
    await deliver();
    mails = await finderMails();
    expect(mails).toHaveLength(2);
    text = await decrypt(mails[1]!.body_text, finderKey.privateKey);
    expect(text).toContain('HIDDEN-3 chatter');
    expect(text).toContain('from a participant');
    expect(text).not.toContain('ACME');
    // A shareable statement.
    await ok('PUT', `/api/v1/cases/${s.caseId}/statuses`, acme.admin.session, {
      participantId: s.acmeP,
      vulnerabilityId: s.vulnId,
      product: 'Parser',
      status: 'fixed',
      fixedVersions: '2.0.1',
      statement: 'SHARED-2 update to 2.0.1',
      mayShare: true,
    });
    await deliver();
    mails = await finderMails();
    expect(mails).toHaveLength(3);
    expect(mails[2]!.subject).toBe(`[${s.caseId}] The coordinators shared a vendor statement with you`);
    text = await decrypt(mails[2]!.body_text, finderKey.privateKey);
    expect(text).toContain('SHARED-2 update to 2.0.1');
    expect(text).not.toContain('Overflow'); // the vulnerability's title is not in the finder's view
    for (const m of mails) {
      expect(m.body_text).toMatch(/^-----BEGIN PGP MESSAGE-----/);
      for (const hidden of ['HIDDEN-1', 'HIDDEN-2', 'HIDDEN-4', 'HIDDEN-5']) {
        expect(await decrypt(m.body_text, finderKey.privateKey)).not.toContain(hidden);
      }
    }
    await assertNoClearText('HIDDEN-', 'SHARED-', s.secret);
    // Removed from the case, the finder hears nothing more.
    await ok('DELETE', `/api/v1/cases/${s.caseId}/participants/${s.finderP}`, lead);
    await strictly(async () => {
      await db.db.deleteFrom('outbox').execute();
      await post(s.caseId, lead, s.official, { body: 'AFTER-removal', tlp: 'GREEN' });
    });
  });

  it('a finder without a key gets a content-free notice with the follow-up page, never the secret', async () => {
    const s = await setUp({ contactEmail: 'plain-finder@example.net' });
    await post(s.caseId, lead, s.official, { body: 'CANARY-3300 embargoed detail', tlp: 'AMBER' });
    await deliver();
    const [mail, ...more] = await mailsTo('plain-finder@example.net');
    expect(more).toEqual([]);
    expect(mail!.body_text).toContain('http://127.0.0.1:8080/report/follow-up');
    expect(mail!.body_text).toContain(s.trackingId);
    expect(mail!.body_text).not.toContain(s.secret);
    expect(mail!.body_text).not.toContain('#');
    await assertNoClearText('CANARY-3300', s.secret);
  });

  it('a TLP:RED post may name the finder (official thread or a private thread with them); they read and hear of it, nobody else', async () => {
    const finderUser = await makeUser(ctx, { email: 'finder-account@example.net' });
    const finder = await signIn(app, finderUser.email);
    const k = await keyPair(finderUser.email);
    await ok('PATCH', '/api/v1/me', finder, { pgpPublicKey: k.publicKey });
    const s = await setUp({ finder });
    expect(s.finderP).toBeDefined();
    const red = await post(s.caseId, lead, s.official, {
      body: 'RED-FOR-FINDER bounty details',
      tlp: 'RED',
      recipientUserIds: [finderUser.id],
    });
    // Their view (by account) shows it; a vendor does not see it.
    const view = await ok('GET', `/api/v1/reports/${s.trackingId}/cases`, finder);
    expect((view.items[0].posts as Json[]).map((p) => p.body)).toContain('RED-FOR-FINDER bounty details');
    const asAcme = await ok('GET', `/api/v1/cases/${s.caseId}/threads/${s.official}/posts`, acme.admin.session);
    expect((asAcme.items as Json[]).map((p) => p.id)).not.toContain(red);
    // Naming a stranger is still refused.
    expect(
      (
        await call('POST', `/api/v1/cases/${s.caseId}/threads/${s.official}/posts`, lead, {
          body: 'x',
          tlp: 'RED',
          recipientUserIds: [stranger.id],
        })
      ).statusCode,
    ).toBe(400);
    await deliver();
    let mails = await mailsTo(finderUser.email);
    expect(mails).toHaveLength(1);
    expect(await decrypt(mails[0]!.body_text, k.privateKey)).toContain('RED-FOR-FINDER bounty details');
    expect(await mailsTo(acme.admin.email)).toEqual([]);

    // A private thread of the coordinators with the finder (and not with ACME).
    const priv = (
      await ok('POST', `/api/v1/cases/${s.caseId}/threads`, lead, {
        title: 'With the finder',
        participantIds: [s.finderP],
      })
    ).id as string;
    await post(s.caseId, lead, priv, { body: 'PRIV-AMBER for the finder', tlp: 'AMBER' });
    await post(s.caseId, lead, priv, { body: 'PRIV-RED named', tlp: 'RED', recipientUserIds: [finderUser.id] });
    await post(s.caseId, lead, priv, { body: 'PRIV-STRICT org only', tlp: 'AMBER+STRICT', recipientOrgId: acme.id });
    await deliver();
    mails = await mailsTo(finderUser.email);
    const texts = await Promise.all(mails.map((m) => decrypt(m.body_text, k.privateKey)));
    expect(texts.filter((t) => t.includes('PRIV-')).map((t) => /PRIV-\w+/.exec(t)?.[0])).toEqual([
      'PRIV-AMBER',
      'PRIV-RED',
    ]);
    const visible = await finderVisiblePosts(db.db, (await caseUuid(s.caseId))!, s.finderP, finderUser.id);
    expect(visible.map((p) => p.body).filter((b) => b.startsWith('PRIV-'))).toEqual([
      'PRIV-AMBER for the finder',
      'PRIV-RED named',
    ]);
    // By the follow-up link (no account), RED stays hidden.
    const byLink = await finderVisiblePosts(db.db, (await caseUuid(s.caseId))!, s.finderP, null);
    expect(byLink.map((p) => p.body)).not.toContain('PRIV-RED named');
    expect(byLink.map((p) => p.body)).not.toContain('RED-FOR-FINDER bounty details');
    // ACME neither sees the thread nor hears of it.
    expect((await call('GET', `/api/v1/cases/${s.caseId}/threads/${priv}/posts`, acme.admin.session)).statusCode).toBe(
      404,
    );
    expect(await mailsTo(acme.admin.email)).toEqual([]);
    await assertNoClearText('PRIV-', 'RED-FOR-FINDER');
  });

  it('thread follows: authors and mentioned people follow; unfollowing stops thread mail (not mentions); only readers may follow, and only readers are told', async () => {
    const s = await setUp();
    const follow = (who: Session, threadId: string, method = 'PUT') =>
      call(method, `/api/v1/cases/${s.caseId}/threads/${threadId}/follow`, who);
    const state = async (who: Session, threadId: string) => (await follow(who, threadId, 'GET')).json<Json>();
    expect(await state(acme.admin.session, s.discussion)).toEqual({ following: false, mandatory: false });
    await post(s.caseId, acme.admin.session, s.discussion, { body: 'ACME writes first' });
    expect(await state(acme.admin.session, s.discussion)).toEqual({ following: true, mandatory: false });
    await deliver();
    await db.db.deleteFrom('outbox').execute();
    await post(s.caseId, globex.admin.session, s.discussion, { body: 'FOLLOW-1 Globex answers' });
    await deliver();
    expect((await mailsTo(acme.admin.email)).map((m) => m.subject)).toEqual([
      `[${s.caseId}] New post in the discussion`,
    ]);

    // Unfollowed: no more thread mail, even after writing again; a mention still reaches them.
    expect((await follow(acme.admin.session, s.discussion, 'DELETE')).json<Json>()).toEqual({
      following: false,
      mandatory: false,
    });
    await post(s.caseId, acme.admin.session, s.discussion, { body: 'ACME writes again' });
    await db.db.deleteFrom('outbox').execute();
    await post(s.caseId, globex.admin.session, s.discussion, { body: 'FOLLOW-2 Globex again' });
    await post(s.caseId, lead, s.discussion, { body: `@${acme.admin.email} FOLLOW-3 please look` });
    await deliver();
    expect((await mailsTo(acme.admin.email)).map((m) => m.subject)).toEqual([`[${s.caseId}] You were mentioned`]);
    expect(await state(acme.admin.session, s.discussion)).toEqual({ following: false, mandatory: false });
    // Following again (Globex's admin never wrote: following by choice).
    expect((await follow(globex.admin.session, s.discussion)).json<Json>().following).toBe(true);
    await db.db.deleteFrom('outbox').execute();
    await post(s.caseId, lead, s.discussion, { body: 'FOLLOW-4 from the lead' });
    await deliver();
    expect((await mailsTo(globex.admin.email)).map((m) => m.subject)).toEqual([
      `[${s.caseId}] New post in the discussion`,
    ]);
    expect(await mailsTo(acme.admin.email)).toEqual([]);

    // The official thread reaches everyone: not followed or unfollowed.
    expect((await follow(acme.admin.session, s.official, 'DELETE')).statusCode).toBe(409);
    expect(await state(acme.admin.session, s.official)).toEqual({ following: true, mandatory: true });

    // A private thread: its members follow by default; others cannot follow it (404), and a follow
    // row for someone who may not read it (written straight to the table) tells them nothing.
    const priv = (
      await ok('POST', `/api/v1/cases/${s.caseId}/threads`, acme.admin.session, {
        title: 'ACME private',
        participantIds: [s.acmeP],
      })
    ).id as string;
    for (const method of ['GET', 'PUT', 'DELETE'])
      expect((await follow(globex.admin.session, priv, method)).statusCode, method).toBe(404);
    expect((await follow(stranger.session, s.discussion)).statusCode).toBe(404);
    await db.db
      .insertInto('thread_follows')
      .values([
        { thread_id: priv, user_id: globex.admin.id, following: true, updated_at: new Date() },
        { thread_id: priv, user_id: stranger.id, following: true, updated_at: new Date() },
      ])
      .execute();
    expect(await state(acme.admin.session, priv)).toEqual({ following: true, mandatory: false });
    await db.db.deleteFrom('outbox').execute();
    await post(s.caseId, lead, priv, { body: 'FOLLOW-5 private detail' });
    await deliver();
    expect((await mailsTo(acme.admin.email)).map((m) => m.subject)).toEqual([
      `[${s.caseId}] New post in a private thread`,
    ]);
    expect(await mailsTo(globex.admin.email)).toEqual([]);
    expect(await mailsTo(stranger.email)).toEqual([]);
    await follow(acme.admin.session, priv, 'DELETE');
    await db.db.deleteFrom('outbox').execute();
    await post(s.caseId, lead, priv, { body: 'FOLLOW-6 private detail' });
    await deliver();
    expect(await mailsTo(acme.admin.email)).toEqual([]);
    await assertNoClearText('FOLLOW-');
    const audit = await db.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'in', ['case.thread_follow', 'case.thread_unfollow'])
      .execute();
    expect(audit).toHaveLength(3); // refused calls change nothing and record nothing
  });

  const caseUuid = async (ref: string) =>
    (await db.db.selectFrom('cases').select('id').where('case_id', '=', ref).executeTakeFirst())?.id;
});

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
import type { Config } from '../config/config.ts';
import { JOB_PRIORITY } from '../jobs/priority.ts';
import { startWorker } from '../jobs/worker.ts';
import { NOTIFY_JOB } from '../notifications/dispatch.ts';
import { notificationJob } from '../notifications/send.ts';
import { systemActor } from '../policy/actor.ts';
import { describeSpec, pairs } from '../vultron/spec.fixture.ts';
import { EMBARGO_END_JOB, embargoEndJob } from './commands.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Embargoes over HTTP on both engines: proposals with refusals and warnings, consent per
 * participant (Active only when all required accepted), revisions, the EM machine driven through
 * the commands from vultron.json, per-organization maximum lengths, parachute cords end to end, and
 * who sees what. The clock is fixed at Tuesday 2026-11-03 10:00 UTC; the coordinators are in Berlin.
 */
// In the past (the instance key is created at the test clock's time, and OpenPGP signs at the real time).
const START = new Date('2026-11-03T10:00:00Z');

interface World {
  app: FastifyInstance;
  clock: Clock;
  config: Config;
  lead: Session;
  acme: { id: string; admin: Session; adminId: string; adminEmail: string };
  globex: { id: string; admin: Session; adminEmail: string };
  hooli: { id: string; admin: Session; adminEmail: string };
  stranger: Session;
}

async function world(db: TestDatabase, env: Record<string, string> = {}): Promise<World> {
  const clock = testClock(START);
  const config = testConfig({
    ACCORD_TIME_ZONE: 'Europe/Berlin',
    ACCORD_EMBARGO_HOLIDAYS: 'JP:2027-01-13',
    ACCORD_WEBHOOK_ALLOW_PRIVATE: 'true',
    ...env,
  });
  const app = await makeApp(db, { config, clock });
  const ctx = makeCtx(db, { config, clock });
  const leadUser = await makeUser(ctx, { role: 'coordinator' });
  const member = async (orgId: string) => {
    const u = await makeUser(ctx);
    await addMember(ctx, orgId, u.id, 'org_admin');
    return { user: u, session: await signIn(app, u.email) };
  };
  const org = async (name: string) => {
    const o = await makeOrg(ctx, { name });
    const m = await member(o.id);
    return { id: o.id, admin: m.session, adminId: m.user.id, adminEmail: m.user.email };
  };
  const acme = await org('ACME');
  const globex = await org('Globex');
  const hooli = await org('Hooli');
  const stranger = (await org('Initech')).admin;
  // Globex works in Tokyo (a Japanese holiday is configured above).
  await db.db
    .insertInto('org_profiles')
    .values({
      org_id: globex.id,
      verified: true,
      verified_by: null,
      languages: JSON.stringify(['ja']),
      time_zone: 'Asia/Tokyo',
      country: 'JP',
      updated_at: START,
    })
    .execute();
  return { app, clock, config, lead: await signIn(app, leadUser.email), acme, globex, hooli, stranger };
}

describe('embargoes', () => {
  let db: TestDatabase;
  let w: World;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    w = await world(db);
    return () => w.app.close();
  });

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    w.app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });
  /** Runs the notification jobs the changes queued: embargo mail is composed after the commit. */
  const deliver = async () => {
    const ctx = { ...makeCtx(db, { config: w.config, clock: w.clock }), actor: systemActor('jobs') };
    const worker = startWorker(ctx, { [NOTIFY_JOB]: notificationJob }, 0);
    await worker.drain();
    await worker.stop();
  };

  /** A case with ACME and Globex as vendors; both accepted the terms unless told otherwise. */
  async function setUp(opts: { accept?: boolean } = {}) {
    const created = await call('POST', '/api/v1/cases', w.lead, { title: 'Heap overflow in the parser' });
    expect(created.statusCode, created.body).toBe(201);
    const caseId = created.json<Json>().caseId as string;
    const ids: Record<string, string> = {};
    for (const [name, o] of [
      ['acme', w.acme],
      ['globex', w.globex],
    ] as const) {
      const p = await call('POST', `/api/v1/cases/${caseId}/participants`, w.lead, { orgId: o.id, role: 'vendor' });
      expect(p.statusCode, p.body).toBe(201);
      ids[name] = p.json<Json>().id as string;
      if (opts.accept !== false) {
        expect((await call('POST', `/api/v1/cases/${caseId}/terms/accept`, o.admin, { version: 1 })).statusCode).toBe(
          200,
        );
      }
    }
    return { caseId, acmeP: ids.acme!, globexP: ids.globex! };
  }
  const embargo = async (caseId: string, who: Session = w.lead) =>
    (await call('GET', `/api/v1/cases/${caseId}/embargo`, who)).json<Json>();
  const timeline = async (caseId: string) =>
    ((await call('GET', `/api/v1/cases/${caseId}/timeline`, w.lead)).json<Json>().items as Json[]).filter((e) =>
      String(e.kind).startsWith('embargo_'),
    );
  const propose = (caseId: string, body: Json, who: Session = w.lead) =>
    call('POST', `/api/v1/cases/${caseId}/embargo/proposals`, who, body);
  const consent = (caseId: string, who: Session, body: Json) =>
    call('POST', `/api/v1/cases/${caseId}/embargo/consent`, who, body);

  it('a Friday end needs the warning acknowledged; the embargo is Active only when every required participant accepted', async () => {
    const { caseId, acmeP, globexP } = await setUp();
    expect((await embargo(caseId)).state).toBe('N');
    // Friday 2027-01-15 10:00 in Berlin is 18:00 in Tokyo: two warnings, nothing stored until acknowledged.
    const friday = await propose(caseId, {
      end: '2027-01-15T10:00',
      timeZone: 'Europe/Berlin',
      rationale: 'Patch day',
    });
    expect(friday.statusCode).toBe(409);
    const err = friday.json<Json>().error;
    expect(err.code).toBe('ERR_CONFLICT');
    expect(err.details.unacknowledged).toEqual(['weekend', 'outside_business_hours']);
    expect(err.message).toContain('Friday 2027-01-15 10:00 Europe/Berlin');
    expect(err.message).toContain('2027-01-15 18:00 Asia/Tokyo (Globex)');
    expect((await embargo(caseId)).state).toBe('N');
    const partly = await propose(caseId, {
      end: '2027-01-15T10:00',
      timeZone: 'Europe/Berlin',
      acknowledgeWarnings: ['weekend'],
    });
    expect(partly.statusCode).toBe(409);
    expect(partly.json<Json>().error.details.unacknowledged).toEqual(['outside_business_hours']);
    const ok = await propose(caseId, {
      end: '2027-01-15T10:00',
      timeZone: 'Europe/Berlin',
      rationale: 'Patch day',
      acknowledgeWarnings: ['weekend', 'outside_business_hours'],
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const proposed = ok.json<Json>();
    expect(proposed.state).toBe('P');
    expect(proposed.pending.end).toMatchObject({
      at: '2027-01-15T09:00:00.000Z',
      timeZone: 'Europe/Berlin',
      local: '2027-01-15 10:00',
    });
    expect(proposed.pending.consents.map((c: Json) => [c.participantId, c.state])).toEqual([
      [acmeP, 'invited'],
      [globexP, 'invited'],
    ]);

    // ACME accepts: still Proposed. The case page shows no end yet.
    const a = await consent(caseId, w.acme.admin, { decision: 'accept' });
    expect(a.statusCode, a.body).toBe(200);
    expect(a.json<Json>().state).toBe('P');
    expect((await call('GET', `/api/v1/cases/${caseId}`, w.acme.admin)).json<Json>().embargoEnd).toBeNull();
    // Answering twice is refused; ACME cannot answer for Globex.
    expect((await consent(caseId, w.acme.admin, { decision: 'accept' })).statusCode).toBe(409);
    expect((await consent(caseId, w.acme.admin, { decision: 'accept', participantId: globexP })).statusCode).toBe(403);
    // Globex accepts: Active.
    const g = await consent(caseId, w.globex.admin, { decision: 'accept', note: 'OK for us' });
    expect(g.statusCode, g.body).toBe(200);
    const active = g.json<Json>();
    expect(active.state).toBe('A');
    expect(active.end).toMatchObject({ at: '2027-01-15T09:00:00.000Z', local: '2027-01-15 10:00' });
    // A vendor sees its own answer and the counts; the lead sees every participant's.
    expect(active.current.consents.map((c: Json) => [c.participantId, c.state])).toEqual([[globexP, 'signatory']]);
    expect(active.current.consentCounts).toEqual({ invited: 0, signatory: 2, declined: 0, lapsed: 0 });
    expect((await embargo(caseId)).current.consents.map((c: Json) => c.state)).toEqual(['signatory', 'signatory']);
    expect(active.pending).toBeNull();
    // Each viewer also sees it in their own zone.
    await call('PATCH', '/api/v1/me', w.globex.admin, { timeZone: 'Asia/Tokyo' });
    expect((await embargo(caseId, w.globex.admin)).end).toMatchObject({
      viewerTimeZone: 'Asia/Tokyo',
      viewerLocal: '2027-01-15 18:00',
    });
    const kinds = await timeline(caseId);
    expect(kinds.map((e) => [e.kind, e.data.message ?? e.data.state])).toEqual([
      ['embargo_proposed', 'EP'],
      ['embargo_consent', 'signatory'],
      ['embargo_consent', 'signatory'],
      ['embargo_agreed', 'EA'],
    ]);
    // The release plan heard of it (src/publication) in the same transaction.
    const plan = async () =>
      db.db
        .selectFrom('release_plans as rp')
        .innerJoin('cases as c', 'c.id', 'rp.case_id')
        .select(['rp.embargo_state', 'rp.embargo_ends_at', 'rp.embargo_exit_reason'])
        .where('c.case_id', '=', caseId)
        .executeTakeFirst();
    expect(await plan()).toMatchObject({ embargo_state: 'active', embargo_ends_at: new Date('2027-01-15T09:00:00Z') });
    // The end is scheduled.
    const jobs = await db.db.selectFrom('jobs').selectAll().where('kind', '=', EMBARGO_END_JOB).execute();
    expect(jobs.map((j) => j.run_at.toISOString())).toEqual(['2027-01-15T09:00:00.000Z']);
    // Participants were told through the official channel, without the date in clear text: the changes
    // queued urgent notification jobs (proposed, agreed) and no mail, which the jobs compose after the commit.
    const queued = await db.db
      .selectFrom('jobs')
      .select(['priority', 'status'])
      .where('kind', '=', NOTIFY_JOB)
      .execute();
    expect(queued).toEqual([
      { priority: JOB_PRIORITY.urgent, status: 'pending' },
      { priority: JOB_PRIORITY.urgent, status: 'pending' },
    ]);
    expect(await db.db.selectFrom('outbox').select('id').where('subject', 'like', '%embargo%').execute()).toEqual([]);
    await deliver();
    const mails = await db.db
      .selectFrom('outbox')
      .selectAll()
      .where('subject', 'like', '%embargo is agreed%')
      .execute();
    // Everyone but the one whose answer completed it (Globex's admin).
    expect(mails.map((m) => m.to_address)).toContain(w.acme.adminEmail);
    expect(mails.map((m) => m.to_address)).not.toContain(w.globex.adminEmail);
    for (const m of mails) expect(m.body_text).not.toContain('2027-01-15');
    const audit = await db.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'like', 'embargo.%')
      .orderBy('seq')
      .execute();
    expect(audit.map((x) => x.action)).toEqual(['embargo.propose', 'embargo.consent', 'embargo.consent']);
  });

  it('a revision needs every required participant again; a decline keeps the terms in force', async () => {
    const { caseId } = await setUp();
    const ack = ['weekend', 'outside_business_hours', 'holiday'];
    await propose(caseId, { end: '2027-01-14T10:00', timeZone: 'Europe/Berlin', acknowledgeWarnings: ack });
    await consent(caseId, w.acme.admin, { decision: 'accept' });
    await consent(caseId, w.globex.admin, { decision: 'accept' });
    // Illegal: nothing to accept while Active with no revision pending (EM rule, 409).
    const illegal = await consent(caseId, w.acme.admin, { decision: 'accept' });
    expect(illegal.statusCode).toBe(409);
    expect(illegal.json<Json>().error).toMatchObject({ code: 'ERR_ILLEGAL_TRANSITION' });
    expect(illegal.json<Json>().error.message).toMatch(/^EM: the embargo is active with no revision pending/);

    const rev = await propose(caseId, { end: '2027-01-12T09:00', timeZone: 'Europe/Berlin', acknowledgeWarnings: ack });
    expect(rev.statusCode, rev.body).toBe(201);
    expect(rev.json<Json>()).toMatchObject({
      state: 'R',
      pending: { revision: true },
      end: { local: '2027-01-14 10:00' },
    });
    await consent(caseId, w.acme.admin, { decision: 'accept' });
    const declined = await consent(caseId, w.globex.admin, { decision: 'decline', note: 'Too early' });
    expect(declined.json<Json>()).toMatchObject({ state: 'A', pending: null, end: { local: '2027-01-14 10:00' } });

    await propose(caseId, { end: '2027-01-19T09:00', timeZone: 'Europe/Berlin', acknowledgeWarnings: ack });
    // A newer revision supersedes the open one: its invitations lapse.
    const again = await propose(caseId, {
      end: '2027-01-20T09:00',
      timeZone: 'Europe/Berlin',
      acknowledgeWarnings: ack,
    });
    const history = again.json<Json>().history as Json[];
    expect(history.map((p) => [p.seq, p.status])).toEqual([
      [4, 'pending'],
      [3, 'superseded'],
      [2, 'rejected'],
      [1, 'accepted'],
    ]);
    expect(history[1]!.consents.map((c: Json) => c.state)).toEqual(['lapsed', 'lapsed']);
    expect(history[2]!.consents.map((c: Json) => c.state)).toEqual(['signatory', 'declined']);
    await consent(caseId, w.globex.admin, { decision: 'accept' });
    expect((await embargo(caseId)).state).toBe('R');
    const agreed = await consent(caseId, w.acme.admin, { decision: 'accept' });
    expect(agreed.json<Json>()).toMatchObject({ state: 'A', end: { at: '2027-01-20T08:00:00.000Z' } });
    expect((await timeline(caseId)).map((e) => e.data.message).filter(Boolean)).toEqual([
      'EP',
      'EA',
      'EV',
      'EJ',
      'EV',
      'EV',
      'EC',
    ]);
    // Vendors neither propose nor terminate; the lead terminates (ET), after which nothing is negotiated.
    expect((await propose(caseId, { end: '2027-02-01T10:00' }, w.acme.admin)).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/cases/${caseId}/embargo/terminate`, w.acme.admin, {})).statusCode).toBe(403);
    const ended = await call('POST', `/api/v1/cases/${caseId}/embargo/terminate`, w.lead, { note: 'Published' });
    expect(ended.json<Json>()).toMatchObject({ state: 'X', exitReason: 'terminated', end: null });
    const after = await propose(caseId, { end: '2027-02-02T10:00', acknowledgeWarnings: ack });
    expect(after.statusCode).toBe(409);
    expect(after.json<Json>().error.message).toMatch(/^EM: the embargo has exited/);
  });

  it('refuses an end in the past and a local time skipped by DST, with a clear message', async () => {
    const { caseId } = await setUp();
    const past = await propose(caseId, { end: '2026-11-02T10:00', timeZone: 'Europe/Berlin' });
    expect(past.statusCode).toBe(400);
    expect(past.json<Json>().error.message).toMatch(
      /end: the end 2026-11-02T10:00 Europe\/Berlin is not in the future/,
    );
    const gap = await propose(caseId, { end: '2027-03-28T02:30', timeZone: 'Europe/Berlin' });
    expect(gap.statusCode).toBe(400);
    expect(gap.json<Json>().error.message).toMatch(/2027-03-28T02:30 does not exist in Europe\/Berlin/);
    const zone = await propose(caseId, { end: '2027-01-12T10:00', timeZone: 'Europe/Atlantis' });
    expect(zone.json<Json>().error.details.field).toBe('timeZone');
    // New York's clocks are not Berlin's: 2027-03-14 02:30 is skipped there only.
    expect(
      (await propose(caseId, { end: '2027-03-14T02:30', timeZone: 'America/New_York' })).json<Json>().error.message,
    ).toMatch(/does not exist in America\/New_York/);
    // Without an end, the instance default: 90 days from the report (here the case), moved to a Monday–Thursday.
    const d = await embargo(caseId);
    expect(d.defaults).toMatchObject({ timeZone: 'Europe/Berlin', end: '2027-02-01T09:00', defaultDays: 90 });
    const byDefault = await propose(caseId, { acknowledgeWarnings: ['outside_business_hours'] });
    expect(byDefault.statusCode, byDefault.body).toBe(201);
    expect(byDefault.json<Json>().pending.end).toMatchObject({ local: '2027-02-01 09:00', timeZone: 'Europe/Berlin' });
  });

  it("an organization's maximum length needs its explicit acceptance of a longer embargo", async () => {
    const { caseId, acmeP } = await setUp();
    // Only the organization's own admins (and coordinators) set it; others do not even see it.
    expect(
      (await call('PUT', `/api/v1/orgs/${w.acme.id}/embargo-policy`, w.globex.admin, { maxDays: 14 })).statusCode,
    ).toBe(404);
    const set = await call('PUT', `/api/v1/orgs/${w.acme.id}/embargo-policy`, w.acme.admin, { maxDays: 14 });
    expect(set.json<Json>()).toEqual({ orgId: w.acme.id, maxDays: 14 });
    const long = await propose(caseId, { end: '2027-01-12T10:00', timeZone: 'Europe/Berlin' });
    expect(long.statusCode).toBe(409);
    expect(long.json<Json>().error.details.unacknowledged).toEqual(['outside_business_hours', 'exceeds_org_maximum']);
    expect(long.json<Json>().error.message).toMatch(/longer than the maximum of ACME \(14 days\)/);
    const ok = await propose(caseId, {
      end: '2027-01-12T10:00',
      timeZone: 'Europe/Berlin',
      acknowledgeWarnings: ['outside_business_hours', 'exceeds_org_maximum'],
    });
    const acmeConsent = (ok.json<Json>().pending.consents as Json[]).find((c) => c.participantId === acmeP)!;
    expect(acmeConsent).toMatchObject({ exceedsMaximum: true, maxDays: 14 });
    await consent(caseId, w.globex.admin, { decision: 'accept' });
    const plain = await consent(caseId, w.acme.admin, { decision: 'accept' });
    expect(plain.statusCode).toBe(409);
    expect(plain.json<Json>().error.message).toMatch(/longer than your organization's maximum of 14 days/);
    expect((await embargo(caseId)).state).toBe('P');
    const explicit = await consent(caseId, w.acme.admin, { decision: 'accept', acceptLongerThanMaximum: true });
    expect(explicit.json<Json>().state).toBe('A');
    expect((explicit.json<Json>().current.consents as Json[]).find((c) => c.participantId === acmeP)).toMatchObject({
      state: 'signatory',
      acceptedLonger: true,
    });
    // Within the maximum no flag is needed.
    const other = await setUp();
    await propose(other.caseId, {
      end: '2026-11-12T10:00',
      timeZone: 'Europe/Berlin',
      acknowledgeWarnings: ['outside_business_hours'],
    });
    expect((await consent(other.caseId, w.acme.admin, { decision: 'accept' })).statusCode).toBe(200);
  });

  it('who sees what: an uninvited vendor gets 404, a vendor before the terms sees only the end date', async () => {
    const { caseId } = await setUp();
    const ack = ['weekend', 'outside_business_hours', 'holiday'];
    await propose(caseId, {
      end: '2027-01-14T10:00',
      timeZone: 'Europe/Berlin',
      rationale: 'SECRET-RATIONALE',
      acknowledgeWarnings: ack,
    });
    await consent(caseId, w.acme.admin, { decision: 'accept' });
    await consent(caseId, w.globex.admin, { decision: 'accept' });
    // Hooli joins after the embargo is agreed and has not accepted the terms yet.
    await call('POST', `/api/v1/cases/${caseId}/participants`, w.lead, { orgId: w.hooli.id, role: 'vendor' });
    const minimal = await call('GET', `/api/v1/cases/${caseId}`, w.hooli.admin);
    expect(minimal.json<Json>()).toMatchObject({
      access: 'terms_only',
      embargoEnd: '2027-01-14T09:00:00.000Z',
      embargoTimeZone: 'Europe/Berlin',
    });
    expect(minimal.body).not.toContain('SECRET-RATIONALE');
    expect(minimal.body).not.toContain('Heap overflow');
    for (const who of [w.hooli.admin, w.stranger]) {
      expect((await call('GET', `/api/v1/cases/${caseId}/embargo`, who)).statusCode).toBe(404);
      expect((await call('GET', `/api/v1/cases/${caseId}/embargo/cords`, who)).statusCode).toBe(404);
      expect((await consent(caseId, who, { decision: 'decline' })).statusCode).toBe(404);
    }
    expect((await call('GET', `/api/v1/cases/${caseId}`, w.stranger)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/cases/${caseId}/embargo`, null)).statusCode).toBe(401);
  });

  it('a parachute cord ends the embargo, records the case state and alerts every participant on every channel', async () => {
    const { caseId, globexP } = await setUp();
    await call('POST', `/api/v1/cases/${caseId}/participants`, w.lead, { orgId: w.hooli.id, role: 'vendor' });
    const openpgp = await import('openpgp');
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: w.acme.adminEmail }],
      format: 'armored',
    });
    expect((await call('PATCH', '/api/v1/me', w.acme.admin, { pgpPublicKey: publicKey })).statusCode).toBe(200);
    const hook = await call('POST', `/api/v1/orgs/${w.acme.id}/webhooks`, w.acme.admin, {
      url: 'http://127.0.0.1:9/acme',
      eventKinds: ['embargo.cord_pulled', 'embargo.changed'],
    });
    expect(hook.statusCode, hook.body).toBe(201);
    const instanceKey = (await call('GET', '/api/v1/instance-key', null)).json<Json>().publicKey as string;

    const ack = ['weekend', 'outside_business_hours', 'holiday'];
    await propose(caseId, { end: '2027-01-14T10:00', timeZone: 'Europe/Berlin', acknowledgeWarnings: ack });
    // Hooli was a participant when proposed: it must accept too, once it accepted the terms.
    await call('POST', `/api/v1/cases/${caseId}/terms/accept`, w.hooli.admin, { version: 1 });
    for (const o of [w.acme, w.globex, w.hooli]) await consent(caseId, o.admin, { decision: 'accept' });
    expect((await embargo(caseId)).state).toBe('A');
    // Cords are agreed by the coordinators, one per trigger.
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/embargo/cords`, w.acme.admin, { trigger: 'exploit_public' }))
        .statusCode,
    ).toBe(403);
    const cord = await call('POST', `/api/v1/cases/${caseId}/embargo/cords`, w.lead, {
      trigger: 'exploit_public',
      description: 'A working exploit is published anywhere',
    });
    expect(cord.statusCode, cord.body).toBe(201);
    await call('POST', `/api/v1/cases/${caseId}/embargo/cords`, w.lead, { trigger: 'attacks_observed' });
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/embargo/cords`, w.lead, { trigger: 'exploit_public' })).statusCode,
    ).toBe(409);
    await db.db.deleteFrom('outbox').execute();
    await db.db.deleteFrom('webhook_deliveries').execute();

    const cordId = cord.json<Json>().id as string;
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/embargo/cords/${cordId}/pull`, w.stranger, { note: 'It leaked' }))
        .statusCode,
    ).toBe(404);
    const pulled = await call('POST', `/api/v1/cases/${caseId}/embargo/cords/${cordId}/pull`, w.globex.admin, {
      url: 'https://forum.example.net/t/poc-4711',
      note: 'EVIDENCE-NOTE: proof of concept posted on a public forum',
    });
    expect(pulled.statusCode, pulled.body).toBe(200);
    const view = pulled.json<Json>();
    expect(view).toMatchObject({ state: 'X', exitReason: 'cord', end: null });
    expect(view.alert).toMatchObject({
      id: cordId,
      trigger: 'exploit_public',
      evidenceUrl: 'https://forum.example.net/t/poc-4711',
    });
    // The case state follows Vultron: a public exploit makes the case public (X forces P).
    const c = (await call('GET', `/api/v1/cases/${caseId}`, w.lead)).json<Json>();
    expect(c.pxaState).toBe('PXa');
    // The release plan knows the embargo exited because of a cord.
    expect(
      await db.db
        .selectFrom('release_plans as rp')
        .innerJoin('cases as c', 'c.id', 'rp.case_id')
        .select(['rp.embargo_state', 'rp.embargo_exit_reason'])
        .where('c.case_id', '=', caseId)
        .executeTakeFirst(),
    ).toEqual({ embargo_state: 'exited', embargo_exit_reason: 'cord' });
    // Pulling twice is refused.
    expect(
      (await call('POST', `/api/v1/cases/${caseId}/embargo/cords/${cordId}/pull`, w.acme.admin, { note: 'again' }))
        .statusCode,
    ).toBe(409);

    // Every participant's people and the coordinators got the alert mail at once.
    await deliver();
    const alerts = await db.db
      .selectFrom('outbox')
      .selectAll()
      .where('subject', '=', `[${caseId}] Embargo alert: a parachute cord was pulled`)
      .execute();
    const to = alerts.map((m) => m.to_address);
    for (const o of [w.acme, w.globex, w.hooli]) expect(to).toContain(o.adminEmail);
    const leadEmail = (await call('GET', '/api/v1/me', w.lead)).json<Json>().user.email as string;
    expect(to).toContain(leadEmail);
    expect(new Set(to).size).toBe(to.length);
    const toAcme = alerts.find((m) => m.to_address === w.acme.adminEmail)!;
    expect(toAcme.body_text).toContain('-----BEGIN PGP MESSAGE-----');
    expect(toAcme.body_text).not.toContain('EVIDENCE-NOTE');
    const opened = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: toAcme.body_text }),
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: privateKey }),
      verificationKeys: await openpgp.readKey({ armoredKey: instanceKey }),
      expectSigned: true,
    });
    expect(opened.data).toContain('EVIDENCE-NOTE: proof of concept posted on a public forum');
    expect(opened.data).toContain('https://forum.example.net/t/poc-4711');
    expect(opened.data).toContain('The embargo has ended.');
    for (const m of alerts.filter((x) => x !== toAcme)) {
      expect(m.body_text).not.toContain('EVIDENCE-NOTE');
      expect(m.body_text).toContain(`/cases/${caseId}`);
    }
    // The webhook event.
    const deliveries = await db.db.selectFrom('webhook_deliveries').selectAll().execute();
    expect(deliveries.map((d) => d.event_kind)).toEqual(['embargo.cord_pulled']);
    expect(JSON.stringify(deliveries.map((d) => d.payload))).not.toContain('EVIDENCE-NOTE');
    // The timeline and the audit log.
    const events = ((await call('GET', `/api/v1/cases/${caseId}/timeline`, w.lead)).json<Json>().items as Json[])
      .filter((e) => ['cs_event', 'embargo_cord_pulled', 'embargo_exited'].includes(e.kind))
      .map((e) => [e.kind, e.participantId, e.data.event ?? e.data.trigger ?? e.data.reason ?? null]);
    expect(events).toEqual([
      ['cs_event', null, 'X'],
      ['embargo_cord_pulled', globexP, 'exploit_public'],
      ['embargo_exited', null, 'cord'],
    ]);
    const audit = await db.db
      .selectFrom('audit_events')
      .select(['action', 'summary'])
      .where('action', 'in', ['embargo.cord_pull', 'case.cs_event'])
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['case.cs_event', 'embargo.cord_pull']);
    // The banner data stays for every reader of the case.
    expect((await embargo(caseId, w.hooli.admin)).alert.pulledBy).toBeTruthy();
  });

  it('recording the case public ends the embargo (MUST); attacks only advise the lead (SHOULD)', async () => {
    const { caseId, globexP } = await setUp();
    const ack = ['weekend', 'outside_business_hours', 'holiday'];
    await propose(caseId, { end: '2027-01-14T10:00', timeZone: 'Europe/Berlin', acknowledgeWarnings: ack });
    await consent(caseId, w.acme.admin, { decision: 'accept' });
    await consent(caseId, w.globex.admin, { decision: 'accept' });
    expect((await embargo(caseId)).state).toBe('A');
    const state = (event: string) => call('POST', `/api/v1/cases/${caseId}/state`, w.lead, { event });

    // Attacks observed (CA): the embargo SHOULD end, so it stays and the timeline tells the lead why to end it.
    expect((await state('A')).json<Json>().pxaState).toBe('pxA');
    expect((await embargo(caseId)).state).toBe('A');
    expect((await timeline(caseId)).at(-1)).toMatchObject({
      kind: 'embargo_teardown_advised',
      data: { event: 'terminate', pxa: 'pxA', cause: 'cs_A' },
    });

    // Public (CP): the embargo MUST end, at once, and every participant is told.
    await db.db.deleteFrom('outbox').execute();
    expect((await state('P')).json<Json>().pxaState).toBe('PxA');
    expect(await embargo(caseId)).toMatchObject({ state: 'X', exitReason: 'terminated', end: null });
    expect((await timeline(caseId)).at(-1)).toMatchObject({
      kind: 'embargo_exited',
      data: { from: 'A', to: 'X', message: 'ET', reason: 'terminated' },
    });
    // The job decides who hears when it runs: a participant removed in between is told nothing.
    await db.db.updateTable('case_participants').set({ removed_at: new Date() }).where('id', '=', globexP).execute();
    await deliver();
    const told = await db.db
      .selectFrom('outbox')
      .select('to_address')
      .where('subject', 'like', `%The embargo has ended%`)
      .execute();
    expect(told.map((m) => m.to_address)).toContain(w.acme.adminEmail);
    expect(told.map((m) => m.to_address)).not.toContain(w.globex.adminEmail);
    // The release plan heard it: the checklist is open and publication is due now.
    expect(
      await db.db
        .selectFrom('release_plans as rp')
        .innerJoin('cases as c', 'c.id', 'rp.case_id')
        .select(['rp.embargo_state', 'rp.embargo_exit_reason'])
        .where('c.case_id', '=', caseId)
        .executeTakeFirst(),
    ).toEqual({ embargo_state: 'exited', embargo_exit_reason: 'terminated' });
  });

  it('publishing early (two staff members) makes the case public and ends the embargo in force', async () => {
    const { caseId } = await setUp();
    const ack = ['weekend', 'outside_business_hours', 'holiday'];
    await propose(caseId, { end: '2027-01-14T10:00', timeZone: 'Europe/Berlin', acknowledgeWarnings: ack });
    await consent(caseId, w.acme.admin, { decision: 'accept' });
    await consent(caseId, w.globex.admin, { decision: 'accept' });
    const second = await makeUser(makeCtx(db, { config: w.config, clock: w.clock }), { role: 'coordinator' });
    const asked = await call('POST', `/api/v1/cases/${caseId}/release/publish-request`, w.lead, {
      reason: 'Attacks in the wild',
    });
    expect(asked.statusCode, asked.body).toBe(200);
    const confirmed = await call(
      'POST',
      `/api/v1/cases/${caseId}/release/publish-confirm`,
      await signIn(w.app, second.email),
    );
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect((await call('GET', `/api/v1/cases/${caseId}`, w.lead)).json<Json>().pxaState).toBe('Pxa');
    expect(await embargo(caseId)).toMatchObject({ state: 'X', exitReason: 'terminated' });
    const kinds = ((await call('GET', `/api/v1/cases/${caseId}/timeline`, w.lead)).json<Json>().items as Json[]).map(
      (e) => e.kind,
    );
    expect(kinds.slice(kinds.indexOf('published'))).toEqual(['published', 'cs_event', 'embargo_exited']);
  });

  it('an exploit made public while a proposal is pending rejects the proposal (ER)', async () => {
    const { caseId } = await setUp();
    const ack = ['weekend', 'outside_business_hours', 'holiday'];
    await propose(caseId, { end: '2027-01-14T10:00', timeZone: 'Europe/Berlin', acknowledgeWarnings: ack });
    await consent(caseId, w.acme.admin, { decision: 'accept' });
    const x = await call('POST', `/api/v1/cases/${caseId}/state`, w.lead, { event: 'X' });
    expect(x.json<Json>().pxaState).toBe('PXa');
    const view = await embargo(caseId);
    expect(view.state).toBe('N');
    expect((view.history as Json[])[0]).toMatchObject({ status: 'rejected' });
    expect((view.history as Json[])[0]!.consents.map((c: Json) => c.state).sort()).toEqual(['lapsed', 'signatory']);
    expect((await timeline(caseId)).at(-1)).toMatchObject({
      kind: 'embargo_rejected',
      data: { from: 'P', to: 'N', message: 'ER', cause: 'cs_X' },
    });
    // A vendor may not record the case's P/X/A; nothing changed for that attempt.
    expect((await call('POST', `/api/v1/cases/${caseId}/state`, w.acme.admin, { event: 'A' })).statusCode).toBe(403);
  });

  it('with a grace period the embargo ends at its close, by the scheduled job', async () => {
    await w.app.close();
    await db.reset();
    w = await world(db, { ACCORD_EMBARGO_GRACE_HOURS: '2' });
    const { caseId } = await setUp();
    const ack = ['weekend', 'outside_business_hours', 'holiday'];
    await propose(caseId, { end: '2027-01-14T10:00', timeZone: 'Europe/Berlin', acknowledgeWarnings: ack });
    await consent(caseId, w.acme.admin, { decision: 'accept' });
    await consent(caseId, w.globex.admin, { decision: 'accept' });
    const cord = (
      await call('POST', `/api/v1/cases/${caseId}/embargo/cords`, w.lead, { trigger: 'details_public' })
    ).json<Json>();
    const pulled = await call('POST', `/api/v1/cases/${caseId}/embargo/cords/${cord.id}/pull`, w.acme.admin, {
      note: 'Details leaked on a mailing list',
    });
    expect(pulled.json<Json>()).toMatchObject({
      state: 'A',
      end: { at: '2026-11-03T12:00:00.000Z' },
      graceUntil: '2026-11-03T12:00:00.000Z',
    });
    const ctx = { ...makeCtx(db, { config: w.config, clock: w.clock }), actor: systemActor('jobs') };
    const payload = { endsAt: '2026-11-03T12:00:00.000Z' };
    const c = await db.db.selectFrom('cases').select('id').where('case_id', '=', caseId).executeTakeFirstOrThrow();
    // Too early: nothing happens. The superseded end (January) finds nothing to do either.
    await embargoEndJob(ctx, { caseId: c.id, endsAt: payload.endsAt });
    expect((await embargo(caseId)).state).toBe('A');
    w.clock.advance(2 * 3600_000);
    await embargoEndJob(ctx, { caseId: c.id, endsAt: '2027-01-14T09:00:00.000Z' });
    expect((await embargo(caseId)).state).toBe('A');
    await embargoEndJob(ctx, { caseId: c.id, endsAt: payload.endsAt });
    expect(await embargo(caseId)).toMatchObject({ state: 'X', exitReason: 'cord' });
    const jobs = await db.db.selectFrom('jobs').select('run_at').where('kind', '=', EMBARGO_END_JOB).execute();
    expect(jobs.map((j) => j.run_at.toISOString()).sort()).toEqual([
      '2026-11-03T12:00:00.000Z',
      '2027-01-14T09:00:00.000Z',
    ]);
  });
});

/**
 * The EM machine as the embargo commands drive it, for every state × event pair of vultron.json:
 * a case is brought into the state through the API, the event is applied through the API, and the
 * outcome (next state and the message in the timeline, or a 409 naming the EM rule) matches the spec.
 */
describeSpec('embargo commands follow EM from vultron.json', (spec) => {
  let db: TestDatabase;
  let w: World;
  beforeAll(async () => {
    db = await createTestDatabase();
    w = await world(db);
  });
  afterAll(async () => {
    await w.app.close();
    await db.close();
  });

  const eventOf = (meaning: string) =>
    /Rejection/.test(meaning)
      ? 'reject'
      : /Acceptance/.test(meaning)
        ? 'accept'
        : /Termination/.test(meaning)
          ? 'terminate'
          : 'propose';
  const expected = new Map(
    spec.em_transitions.map(([from, to, message]) => [
      `${from}:${eventOf(spec.message_types[message]?.meaning ?? '')}`,
      { to, message },
    ]),
  );
  const call = (method: string, url: string, who: Session, payload?: object) =>
    w.app.inject({ method: method as 'GET', url, headers: who.headers, ...(payload ? { payload } : {}) });
  const ack = ['weekend', 'outside_business_hours', 'holiday'];
  let day = 10;

  async function caseIn(state: string): Promise<string> {
    const caseId = (await call('POST', '/api/v1/cases', w.lead, { title: `EM table case ${state}` })).json<Json>()
      .caseId as string;
    await call('POST', `/api/v1/cases/${caseId}/participants`, w.lead, { orgId: w.acme.id, role: 'vendor' });
    await call('POST', `/api/v1/cases/${caseId}/terms/accept`, w.acme.admin, { version: 1 });
    const step = async (event: string) => {
      const res = await apply(caseId, event);
      expect(res.statusCode, `${event}: ${res.body}`).toBeLessThan(300);
    };
    if (state === 'N') return caseId;
    await step('propose');
    if (state === 'P') return caseId;
    await step('accept');
    if (state === 'A') return caseId;
    if (state === 'R') await step('propose');
    if (state === 'X') await step('terminate');
    return caseId;
  }

  function apply(caseId: string, event: string) {
    switch (event) {
      case 'propose':
        day += 1;
        return call('POST', `/api/v1/cases/${caseId}/embargo/proposals`, w.lead, {
          end: `2027-02-${String((day % 27) + 1).padStart(2, '0')}T10:00`,
          timeZone: 'Europe/Berlin',
          acknowledgeWarnings: ack,
        });
      case 'accept':
        return call('POST', `/api/v1/cases/${caseId}/embargo/consent`, w.acme.admin, { decision: 'accept' });
      case 'reject':
        return call('POST', `/api/v1/cases/${caseId}/embargo/consent`, w.acme.admin, { decision: 'decline' });
      default:
        return call('POST', `/api/v1/cases/${caseId}/embargo/terminate`, w.lead, {});
    }
  }

  it.each(pairs(Object.keys(spec.em_states), ['propose', 'accept', 'reject', 'terminate']))(
    'from %s, %s',
    async (from, event) => {
      const caseId = await caseIn(from);
      const res = await apply(caseId, event);
      const want = expected.get(`${from}:${event}`);
      if (!want) {
        expect(res.statusCode, res.body).toBe(409);
        expect(res.json<Json>().error.message).toMatch(/^EM: /);
        expect((await call('GET', `/api/v1/cases/${caseId}/embargo`, w.lead)).json<Json>().state).toBe(from);
        return;
      }
      expect(res.statusCode, res.body).toBeLessThan(300);
      expect(res.json<Json>().state).toBe(want.to);
      const events = (await call('GET', `/api/v1/cases/${caseId}/timeline`, w.lead)).json<Json>().items as Json[];
      const last = events.filter((e) => typeof e.data.message === 'string').at(-1);
      expect(last?.data.message).toBe(want.message);
    },
  );
});

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
  userSession,
  type Session,
} from '../../tests/support/factories.ts';
import { sampleReport } from '../../tests/support/reports.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The finder is a required participant of the embargo by default and answers the proposal from
 * their follow-up page (the report link, or their account): they see the dates and their own
 * consent, never the rationale or the others' answers; nobody else answers through that door.
 */
describe("the finder's consent to an embargo", () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let lead: Session;
  let acme: Session;
  let globex: Session;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    app = await makeApp(db);
    const ctx = makeCtx(db);
    lead = (await userSession(app, ctx, 'coordinator')).session;
    const admin = async (name: string) => {
      const org = await makeOrg(ctx, { name });
      const u = await makeUser(ctx);
      await addMember(ctx, org.id, u.id, 'org_admin');
      return { orgId: org.id, session: await signIn(app, u.email) };
    };
    const a = await admin('ACME');
    const g = await admin('Globex');
    acme = a.session;
    globex = g.session;
    ids = { acme: a.orgId, globex: g.orgId };
    return () => app.close();
  });
  let ids: { acme: string; globex: string };

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });
  const asLink = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } });

  async function reportAndCase() {
    const submitted = (await call('POST', '/api/v1/reports', null, sampleReport())).json<Json>();
    const trackingId = submitted.report.trackingId as string;
    for (const event of ['validate', 'accept'])
      await call('POST', `/api/v1/reports/${trackingId}/transitions`, lead, { event });
    const caseId = (
      await call('POST', '/api/v1/cases', lead, { title: 'Stored XSS in Helpdesk', reportIds: [trackingId] })
    ).json<Json>().caseId as string;
    for (const [orgId, who] of [
      [ids.acme, acme],
      [ids.globex, globex],
    ] as const) {
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId, role: 'vendor' });
      await call('POST', `/api/v1/cases/${caseId}/terms/accept`, who, { version: 1 });
    }
    return { trackingId, secret: submitted.followUpSecret as string, caseId };
  }

  it('answers from the follow-up link; the embargo is Active only once the finder accepted too', async () => {
    const { trackingId, secret, caseId } = await reportAndCase();
    const proposed = await call('POST', `/api/v1/cases/${caseId}/embargo/proposals`, lead, {
      end: '2030-01-15T10:00',
      timeZone: 'Europe/Berlin',
      rationale: 'RATIONALE-CANARY: the fix ships on patch day',
      acknowledgeWarnings: ['weekend', 'outside_business_hours', 'holiday'],
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    // Required by default: both vendors and the finder.
    expect((proposed.json<Json>().pending.consents as Json[]).map((c) => c.role).sort()).toEqual([
      'finder',
      'vendor',
      'vendor',
    ]);

    const view = async () =>
      (await app.inject({ method: 'GET', url: `/api/v1/reports/${trackingId}/cases`, ...asLink(secret) })).json<Json>();
    const before = await view();
    expect(before.items[0].embargo).toEqual({
      state: 'P',
      endsAt: null,
      timeZone: null,
      localEnd: null,
      pending: {
        endsAt: '2030-01-15T09:00:00.000Z',
        timeZone: 'Europe/Berlin',
        localEnd: '2030-01-15T10:00',
        revision: false,
        yourConsent: 'invited',
      },
    });
    expect(JSON.stringify(before)).not.toContain('RATIONALE-CANARY');

    for (const who of [acme, globex])
      await call('POST', `/api/v1/cases/${caseId}/embargo/consent`, who, { decision: 'accept' });
    expect((await call('GET', `/api/v1/cases/${caseId}/embargo`, lead)).json<Json>().state).toBe('P');

    const url = `/api/v1/reports/${trackingId}/cases/${caseId}/embargo/consent`;
    // Nobody but the finder answers here: staff get 403 (they answer on the case), vendors 404, no link 401.
    expect((await call('POST', url, lead, { decision: 'accept' })).statusCode).toBe(403);
    expect((await call('POST', url, acme, { decision: 'accept' })).statusCode).toBe(404);
    expect((await call('POST', url, null, { decision: 'accept' })).statusCode).toBe(401);
    const other = (
      await call('POST', '/api/v1/reports', null, sampleReport({ title: 'Another finding' }))
    ).json<Json>();
    const wrongLink = await app.inject({
      method: 'POST',
      url,
      payload: { decision: 'accept' },
      ...asLink(other.followUpSecret as string),
    });
    expect(wrongLink.statusCode).toBe(404);
    const bad = await app.inject({ method: 'POST', url, payload: { decision: 'maybe' }, ...asLink(secret) });
    expect(bad.statusCode).toBe(400);

    const answered = await app.inject({
      method: 'POST',
      url,
      payload: { decision: 'accept', note: 'Fine by me' },
      ...asLink(secret),
    });
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json<Json>()).toEqual({ emState: 'A' });
    const after = await view();
    expect(after.items[0].embargo).toMatchObject({
      state: 'A',
      endsAt: '2030-01-15T09:00:00.000Z',
      timeZone: 'Europe/Berlin',
      localEnd: '2030-01-15T10:00',
      pending: null,
    });
    const again = await app.inject({ method: 'POST', url, payload: { decision: 'decline' }, ...asLink(secret) });
    expect(again.statusCode).toBe(409);
    expect(again.json<Json>().error.message).toMatch(/no pending embargo proposal|no revision pending/);

    // The timeline has the finder's own answer (not on their behalf).
    const events = (await call('GET', `/api/v1/cases/${caseId}/timeline`, lead)).json<Json>().items as Json[];
    const finderAnswer = events.filter((e) => e.kind === 'embargo_consent').at(-1)!;
    expect(finderAnswer.data).toMatchObject({ state: 'signatory', onBehalf: false });
    expect(events.map((e) => e.kind)).toContain('embargo_agreed');
  });

  it('a finder who declines rejects the proposal, like any required participant', async () => {
    const { trackingId, secret, caseId } = await reportAndCase();
    await call('POST', `/api/v1/cases/${caseId}/embargo/proposals`, lead, {
      end: '2030-01-15T10:00',
      timeZone: 'Europe/Berlin',
      acknowledgeWarnings: ['weekend', 'outside_business_hours', 'holiday'],
    });
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/reports/${trackingId}/cases/${caseId}/embargo/consent`,
      payload: { decision: 'decline', note: 'Too long: I present at a conference in December' },
      ...asLink(secret),
    });
    expect(res.json<Json>()).toEqual({ emState: 'N' });
    const embargo = (await call('GET', `/api/v1/cases/${caseId}/embargo`, lead)).json<Json>();
    expect(embargo.history[0].status).toBe('rejected');
  });
});

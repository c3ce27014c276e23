import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import {
  actorOf,
  addMember,
  makeApp,
  makeCtx,
  makeOrg,
  makeUser,
  signIn,
  testClock,
  userSession,
  type Session,
} from '../../tests/support/factories.ts';
import { sampleReport } from '../../tests/support/reports.ts';
import { acceptTerms, addParticipant, openCase } from '../cases/commands.ts';
import { recordCaseState } from '../embargo/commands.ts';
import { startWorker } from '../jobs/worker.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { systemActor } from '../policy/actor.ts';
import { findCase } from '../cases/queries.ts';
import { POSTMORTEM_SWEEP_JOB, postmortemSweepJob, savePostmortem } from './commands.ts';
import { caseworkView } from './queries.ts';
import { DEFAULT_TEMPLATE, checkEntry, checkTemplate, releasedAt } from './rules.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('case execution template: rules', () => {
  it('release is the first case-level event that makes the case public', () => {
    const at = (d: string) => new Date(`2026-03-0${d}T10:00:00Z`);
    const ev = (to: string, d: string, participantId: string | null = null) => ({
      kind: 'cs_event',
      participantId,
      data: { to },
      createdAt: at(d),
    });
    expect(releasedAt([ev('pxa', '1'), ev('Vfdpxa', '2', 'p1')])).toBeNull();
    // A vendor's own V/F/D events are not the release, even if their state shows P already.
    expect(releasedAt([ev('VFdPxa', '1', 'p1'), ev('Pxa', '3'), ev('PXa', '4')])).toEqual(at('3'));
    expect(releasedAt([{ kind: 'casework_signoff', participantId: null, data: { to: 'P' }, createdAt: at('1') }])).toBe(
      null,
    );
  });

  it('templates need unique keys, texts and a due day from 0 to 365', () => {
    expect(checkTemplate(DEFAULT_TEMPLATE).steps).toHaveLength(DEFAULT_TEMPLATE.steps.length);
    expect(() =>
      checkTemplate({
        steps: [
          { key: 'a', title: 'A' },
          { key: 'a', title: 'B' },
        ],
        questions: [{ key: 'Bad Key', text: 'Q' }],
        postmortemDays: 400,
      }),
    ).toThrow(expect.objectContaining({ details: expect.objectContaining({ problems: expect.any(Array) }) }));
  });

  it('an external stakeholder must be a participant of the case; meetings need attendees', () => {
    expect(() =>
      checkEntry('stakeholder', { side: 'external', role: 'vendor PSIRT', participantId: 'x' }, { participantIds: [] }),
    ).toThrow(/participantId/);
    expect(() =>
      checkEntry('meeting', { heldAt: '2026-01-01T10:00:00Z', durationMinutes: 30 }, { participantIds: [] }),
    ).toThrow(/attendees/);
  });
});

describe('case execution template over HTTP', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  const clock = testClock(new Date('2026-03-02T09:00:00Z'));
  let coordinator: Session;
  let coordinatorId: string;
  const emails: Record<string, string> = {};
  let analyst: Session;
  let viewer: Session;
  let vendor: Session;
  let finder: Session;
  let followUpSecret: string;
  let caseId: string;
  let acmeParticipant: string;

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await makeApp(db, { clock });
    const ctx = makeCtx(db, { clock });
    const coord = await userSession(app, ctx, 'coordinator');
    coordinator = coord.session;
    coordinatorId = coord.user.id;
    const a = await userSession(app, ctx, 'analyst');
    analyst = a.session;
    const v = await userSession(app, ctx, 'viewer');
    viewer = v.session;
    Object.assign(emails, { coordinator: coord.user.email, analyst: a.user.email, viewer: v.user.email });
    const f = await userSession(app, ctx, null);
    finder = f.session;
    const acme = await makeOrg(ctx, { name: 'ACME' });
    const vendorUser = await makeUser(ctx);
    await addMember(ctx, acme.id, vendorUser.id, 'org_admin');
    vendor = await signIn(app, vendorUser.email);

    const submitted = await call('POST', '/api/v1/reports', finder, sampleReport());
    expect(submitted.statusCode).toBe(201);
    const report = submitted.json<Json>();
    followUpSecret = report.followUpSecret;
    for (const event of ['validate', 'accept'])
      await call('POST', `/api/v1/reports/${report.report.trackingId}/transitions`, coordinator, { event });
    const opened = await call('POST', '/api/v1/cases', coordinator, {
      title: 'Stored XSS in Helpdesk',
      reportIds: [report.report.trackingId],
    });
    expect(opened.statusCode).toBe(201);
    caseId = opened.json<Json>().caseId;
    const lead = { ...ctx, actor: await actorOf(ctx, coord.user.id) };
    acmeParticipant = (await addParticipant(lead, caseId, { orgId: acme.id, role: 'vendor' })).id;
    await acceptTerms({ ...ctx, actor: await actorOf(ctx, vendorUser.id) }, caseId, 1);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const base = () => `/api/v1/cases/${caseId}/casework`;
  const timeline = async () =>
    (await call('GET', `/api/v1/cases/${caseId}/timeline`, coordinator)).json<Json>().items as Json[];

  it('shows the default template, and the home organization edits it (admins and coordinators only)', async () => {
    const t = await call('GET', '/api/v1/casework/templates', analyst);
    expect(t.statusCode).toBe(200);
    expect(t.json()).toMatchObject({ custom: false, postmortemDays: 7 });
    expect(t.json().steps.map((s: Json) => s.key)).toContain('postmortem_held');

    const custom = {
      steps: [
        { key: 'triage', title: 'Triage' },
        { key: 'fix', title: 'Fix' },
      ],
      questions: [
        { key: 'well', text: 'What went well?' },
        { key: 'change', text: 'What changes?' },
      ],
      postmortemDays: 5,
    };
    expect((await call('PUT', '/api/v1/casework/templates', analyst, custom)).statusCode).toBe(403);
    expect((await call('PUT', '/api/v1/casework/templates', vendor, custom)).statusCode).toBe(404);
    const bad = await call('PUT', '/api/v1/casework/templates', coordinator, { ...custom, postmortemDays: -1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.field).toBe('postmortemDays');
    const saved = await call('PUT', '/api/v1/casework/templates', coordinator, custom);
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ custom: true, postmortemDays: 5, steps: custom.steps });
    const reset = await call('DELETE', '/api/v1/casework/templates', coordinator);
    expect(reset.json()).toMatchObject({ custom: false, postmortemDays: 7 });
    // Now the custom template again, for the case about to start.
    await call('PUT', '/api/v1/casework/templates', coordinator, custom);
  });

  it('signs steps off by name and date; every change is on the timeline and in the audit log', async () => {
    const empty = (await call('GET', base(), viewer)).json<Json>();
    expect(empty).toMatchObject({ started: false, progress: { signed: 0, total: 2 } });

    const signed = await call('PUT', `${base()}/checklist`, analyst, { step: 'triage' });
    expect(signed.statusCode).toBe(200);
    expect(signed.json()).toMatchObject({ name: 'Test User', date: '2026-03-02' });
    const named = await call('PUT', `${base()}/checklist`, coordinator, {
      step: 'fix',
      name: 'Jane Engineer',
      date: '2026-03-01',
      note: 'patch 4.2.1',
    });
    expect(named.json()).toMatchObject({ name: 'Jane Engineer', date: '2026-03-01', note: 'patch 4.2.1' });
    expect(
      (await call('PUT', `${base()}/checklist`, coordinator, { step: 'fix', date: '2026-03-09' })).statusCode,
    ).toBe(400);
    expect((await call('PUT', `${base()}/checklist`, coordinator, { step: 'nope' })).statusCode).toBe(404);
    expect((await call('PUT', `${base()}/checklist`, viewer, { step: 'fix' })).statusCode).toBe(403);

    // The template changes after the case started: the case keeps its own copy.
    await call('PUT', '/api/v1/casework/templates', coordinator, {
      steps: [{ key: 'other', title: 'Other' }],
      questions: [{ key: 'q', text: 'Q?' }],
      postmortemDays: 30,
    });
    const view = (await call('GET', base(), viewer)).json<Json>();
    expect(view.checklist.map((s: Json) => [s.key, s.signoff?.name ?? null])).toEqual([
      ['triage', 'Test User'],
      ['fix', 'Jane Engineer'],
    ]);
    expect(view.progress).toEqual({ signed: 2, total: 2 });
    expect(view.postmortem.days).toBe(5);

    expect((await call('DELETE', `${base()}/checklist?step=fix`, coordinator)).statusCode).toBe(204);
    expect((await call('DELETE', `${base()}/checklist?step=fix`, coordinator)).statusCode).toBe(404);
    const kinds = (await timeline()).map((e) => e.kind).filter((k: string) => k.startsWith('casework_'));
    expect(kinds).toEqual(['casework_signoff', 'casework_signoff', 'casework_signoff_cleared']);
    const audit = await db.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'like', 'casework.%')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'casework.template_update',
      'casework.template_reset',
      'casework.template_update',
      'casework.signoff',
      'casework.signoff',
      'casework.template_update',
      'casework.signoff_cleared',
    ]);
  });

  it('records stakeholders, meetings, reproductions, remediations, the overview and the post-mortem', async () => {
    const add = (kind: string, data: Json, who = analyst) => call('POST', `${base()}/entries`, who, { kind, data });
    const legal = await add('stakeholder', { side: 'internal', role: 'legal', name: 'Lee Gal' });
    expect(legal.statusCode).toBe(201);
    const ext = await add('stakeholder', { side: 'external', role: 'vendor PSIRT', participantId: acmeParticipant });
    expect(ext.statusCode).toBe(201);
    const badRole = await add('stakeholder', { side: 'internal', role: 'astrologer', name: 'X' });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().error.details.field).toBe('role');
    const meeting = await add('meeting', {
      heldAt: '2026-03-02T08:00:00Z',
      durationMinutes: 45,
      attendees: ['Lee Gal', 'Jane Engineer'],
      decisions: ['Ship 4.2.1 on Tuesday'],
      actions: [{ text: 'Draft advisory', owner: 'PR', due: '2026-03-05' }],
    });
    expect(meeting.statusCode).toBe(201);
    expect(
      (
        await add('meeting', {
          heldAt: '2026-03-02T08:00:00Z',
          durationMinutes: 45,
          attendees: ['A'],
          actions: [{ text: 'x', owner: 'y', due: '2026-02-30' }],
        })
      ).json().error.details.field,
    ).toBe('actions[0].due');
    const repro = await add('reproduction', { by: 'QA Team', on: '2026-03-01', steps: 'Comment an SVG payload' });
    expect(repro.statusCode).toBe(201);
    const badLink = await add('remediation', { description: 'Escape output', links: ['javascript:alert(1)'] });
    expect(badLink.json().error.details.field).toBe('links[0]');
    const fix = await add('remediation', {
      description: 'Escape comment output',
      fixedVersions: '4.2.1',
      links: ['https://git.example/acme/commit/abc'],
      status: 'in_progress',
    });
    expect(fix.statusCode).toBe(201);
    const updated = await call('PATCH', `${base()}/entries/${fix.json().id}`, analyst, {
      data: { ...fix.json(), status: 'released', id: undefined, kind: undefined },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().status).toBe('released');
    expect((await call('DELETE', `${base()}/entries/${legal.json().id}`, viewer)).statusCode).toBe(403);
    expect((await call('DELETE', `${base()}/entries/${legal.json().id}`, analyst)).statusCode).toBe(204);

    const overview = await call('PUT', `${base()}/overview`, analyst, {
      summary: 'Stored XSS',
      rootCause: 'Unescaped SVG in the comment renderer',
    });
    expect(overview.json()).toEqual({
      summary: 'Stored XSS',
      rootCause: 'Unescaped SVG in the comment renderer',
      impact: '',
      resolution: '',
    });

    const incomplete = await call('PUT', `${base()}/postmortem`, analyst, {
      answers: { well: 'Fast triage' },
      complete: true,
    });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json().error.details.field).toBe('answers.change');
    expect(
      (await call('PUT', `${base()}/postmortem`, analyst, { answers: { other: 'x' } })).json().error.details.field,
    ).toBe('answers.other');

    const view = (await call('GET', base(), viewer)).json<Json>();
    expect(view.stakeholders).toEqual([
      expect.objectContaining({ side: 'external', participantId: acmeParticipant, role: 'vendor PSIRT' }),
    ]);
    expect(view.meetings[0]).toMatchObject({
      durationMinutes: 45,
      actions: [{ text: 'Draft advisory', owner: 'PR', due: '2026-03-05', done: false }],
    });
    expect(view.reproductions[0]).toMatchObject({ by: 'QA Team', on: '2026-03-01', result: 'reproduced' });
    expect(view.remediations[0]).toMatchObject({ status: 'released', fixedVersions: '4.2.1' });
    expect(view.participants.map((p: Json) => p.name)).toContain('ACME');

    const kinds = (await timeline()).map((e) => e.kind);
    expect(kinds.filter((k: string) => k === 'casework_entry_added')).toHaveLength(5);
    expect(kinds).toContain('casework_entry_updated');
    expect(kinds).toContain('casework_entry_removed');
    expect(kinds).toContain('casework_overview_updated');
  });

  it('is for staff only: the vendor, the finder (account or follow-up link) and outsiders get 404', async () => {
    const outsider = (await userSession(app, makeCtx(db), null)).session;
    for (const who of [vendor, finder, outsider]) {
      for (const [method, url, payload] of [
        ['GET', base(), undefined],
        ['PUT', `${base()}/checklist`, { step: 'triage' }],
        ['POST', `${base()}/entries`, { kind: 'reproduction', data: { by: 'x', on: '2026-03-01', steps: 'x' } }],
        ['PUT', `${base()}/postmortem`, { answers: {} }],
        ['GET', '/api/v1/casework/templates', undefined],
      ] as const) {
        const res = await call(method, url, who, payload);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.body).not.toContain('Helpdesk');
      }
    }
    const link = await app.inject({ url: base(), headers: { authorization: `Bearer ${followUpSecret}` } });
    expect(link.statusCode).toBe(404);
    expect(link.body).not.toContain('Helpdesk');
    // A case that does not exist answers the same to staff.
    expect((await call('GET', '/api/v1/cases/CASE-2026-9999/casework', viewer)).statusCode).toBe(404);
    expect((await call('GET', base(), null)).statusCode).toBe(401);
  });

  it("tells the lead once, exactly once, when the post-mortem falls due after the case's release", async () => {
    // Weeks pass on the test clock (sessions would expire): this part drives the commands directly.
    const ctx = makeCtx(db, { clock });
    const lead = { ...ctx, actor: await actorOf(ctx, coordinatorId) };
    const jobs = { ...ctx, actor: systemActor('jobs') };
    const c = (await findCase(db.db, caseId))!;
    const mails = async () =>
      db.db
        .selectFrom('outbox')
        .select(['to_address', 'body_text'])
        .where('subject', 'like', '%post-mortem%')
        .execute();
    const events = async () =>
      db.db.selectFrom('case_events').select(['kind', 'data']).where('case_id', '=', c.id).orderBy('seq').execute();
    // Not released yet: nothing due, however late.
    clock.set(new Date('2026-04-01T09:00:00Z'));
    expect(await postmortemSweepJob(jobs)).toBe(0);

    await recordCaseState(lead, caseId, { event: 'P' }); // released 2026-04-01 09:00; due 5 days later
    expect((await caseworkView(db.db, c)).postmortem).toMatchObject({
      releasedAt: '2026-04-01T09:00:00.000Z',
      dueAt: '2026-04-06T09:00:00.000Z',
      notifiedAt: null,
    });

    clock.set(new Date('2026-04-06T08:59:59Z'));
    expect(await postmortemSweepJob(jobs)).toBe(0);
    expect(await mails()).toHaveLength(0);

    clock.set(new Date('2026-04-06T09:00:00Z'));
    // Two workers running the sweep at once (two nodes): one notification.
    await enqueueJob(db.db, { kind: POSTMORTEM_SWEEP_JOB, payload: {}, uniqueKey: 'a' }, new Date());
    await enqueueJob(db.db, { kind: POSTMORTEM_SWEEP_JOB, payload: {}, uniqueKey: 'b' }, new Date());
    const handlers = {
      [POSTMORTEM_SWEEP_JOB]: async (x: typeof ctx) => {
        await postmortemSweepJob(x);
      },
    };
    const w1 = startWorker(jobs, handlers, 0);
    const w2 = startWorker(jobs, handlers, 0);
    await Promise.all([w1.drain(), w2.drain()]);
    await w1.stop();
    await w2.stop();
    clock.advance(3600_000);
    expect(await postmortemSweepJob(jobs)).toBe(0);

    const sent = await mails();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to_address).toBe(emails.coordinator!.toLowerCase());
    expect(sent[0]!.body_text).toContain(`/cases/${caseId}#casework`);
    expect(sent[0]!.body_text).not.toContain('Helpdesk');
    const due = (await events()).filter((e) => e.kind === 'casework_postmortem_due');
    expect(due).toHaveLength(1);
    expect(due[0]!.data).toMatchObject({ dueAt: '2026-04-06T09:00:00.000Z', leadNotified: true });
    expect((await caseworkView(db.db, c)).postmortem.notifiedAt).toBe('2026-04-06T09:00:00.000Z');

    const done = await savePostmortem(lead, caseId, {
      answers: { well: 'Fast triage', change: 'Add an SVG sanitizer test' },
      participants: 'PSIRT, engineering, QA',
      heldOn: '2026-04-06',
      complete: true,
    });
    expect(done.completedAt).toBe(clock.now().toISOString());
    expect((await events()).map((e) => e.kind)).toContain('casework_postmortem_completed');
  });

  it('a case opened by the system has no lead: the post-mortem still falls due, once, without mail', async () => {
    const ctx = makeCtx(db, { clock });
    const sys = { ...ctx, actor: systemActor('test') };
    const c = await openCase(sys, { title: 'Case without a lead' });
    await recordCaseState(sys, c.id, { event: 'P' });
    clock.advance(40 * 86_400_000);
    const before = await db.db.selectFrom('outbox').select('id').execute();
    expect(await postmortemSweepJob(sys)).toBe(1);
    expect(await postmortemSweepJob(sys)).toBe(0);
    expect(await db.db.selectFrom('outbox').select('id').execute()).toHaveLength(before.length);
  });
});

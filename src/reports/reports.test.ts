import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import {
  addMember,
  makeApp,
  makeCtx,
  makeOrg,
  testClock,
  testConfig,
  userSession,
  type Clock,
  type Session,
} from '../../tests/support/factories.ts';
import { sampleReport } from '../../tests/support/reports.ts';
import { rmEvents, rmStates, rmTransition, type RmEvent, type RmState } from '../vultron/rm.ts';
import { similarReports } from './queries.ts';
import { pathToClosed } from './rules.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('report intake and triage over HTTP', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let clock: Clock;
  let analyst: Session;
  let viewer: Session;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    // Tuesday 2026-11-24 09:00 UTC: business days ahead are plain (UTC calendar, no holidays).
    clock = testClock(new Date('2026-11-24T09:00:00Z'));
    app = await makeApp(db, { clock });
    const ctx = makeCtx(db, { clock });
    analyst = (await userSession(app, ctx, 'analyst')).session;
    viewer = (await userSession(app, ctx, 'viewer')).session;
    return () => app.close();
  });

  const submit = (payload: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/v1/reports', payload, headers });
  const asLink = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const get = (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });
  const post = (url: string, payload: object, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url, payload, headers });

  it('takes an anonymous report: tracking id, follow-up link once, hashed secret, acknowledgement mail', async () => {
    const res = await submit(sampleReport());
    expect(res.statusCode).toBe(201);
    const body = res.json<Json>();
    expect(body.report.trackingId).toBe('ACC-2026-0001');
    expect(body.report.state).toBe('R');
    expect(body.followUpSecret).toMatch(/^accf_/);
    expect(body.followUpUrl).toContain(`/report/follow-up#ACC-2026-0001/${body.followUpSecret}`);
    const stored = await db.db.selectFrom('reports').selectAll().executeTakeFirstOrThrow();
    expect(stored.followup_hash).not.toContain(body.followUpSecret);
    expect(stored.cvss_score).toBe(8.7);
    expect(stored.severity).toBe('HIGH');
    expect(stored.cwe).toBe('CWE-79');
    expect((stored.details as Json).affected[0].identifier).toBe('pkg:npm/acme-helpdesk@4.2.0');
    // Acknowledge within 3 business days of Tuesday: end of Friday.
    expect(stored.ack_due_at?.toISOString()).toBe('2026-11-28T00:00:00.000Z');
    const mail = await db.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(mail.to_address).toBe('finder@example.net');
    expect(mail.subject).toContain('ACC-2026-0001');
    expect(mail.body_text).toContain(body.followUpUrl);
    expect(mail.body_text).toContain('3 business days');
    expect((await submit(sampleReport())).json<Json>().report.trackingId).toBe('ACC-2026-0002');
  });

  it.each<[string, object, string]>([
    ['no title', { title: '' }, 'title'],
    ['no affected product', { affected: [] }, 'affected'],
    ['an affected row with nothing in it', { affected: [{ versions: '1.0' }] }, 'affected[0]'],
    ['a bad package URL', { affected: [{ vendor: 'A', identifier: 'pkg:/nope' }] }, 'affected[0].identifier'],
    ['a bad CPE', { affected: [{ vendor: 'A', identifier: 'cpe:2.3:x:a' }] }, 'affected[0].identifier'],
    ['a short description', { description: 'too short' }, 'description'],
    ['a bad CVSS vector', { cvss: 'CVSS:3.1/AV:Q' }, 'cvss'],
    ['an unknown CWE', { cwe: 'CWE-99999' }, 'cwe'],
    ['a non-http reference', { publicReferences: ['javascript:alert(1)'] }, 'publicReferences[0]'],
    ['a past disclosure date', { disclosureDate: '2020-01-01' }, 'disclosureDate'],
    ['a bad e-mail', { contactEmail: 'not-an-address' }, 'contactEmail'],
    ['a bad OpenPGP key', { pgpPublicKey: 'hello' }, 'pgpPublicKey'],
    ['credit by name without a name', { credit: { mode: 'name' } }, 'credit.value'],
    ['an unknown language', { language: 'xx' }, 'language'],
    ['the honeypot filled', { website: 'http://spam.example' }, 'website'],
    [
      'a forbidden attachment type',
      { attachments: [{ filename: 'a.exe', contentType: 'application/x-msdownload', contentBase64: 'TVo=' }] },
      'attachments[0].contentType',
    ],
    [
      'broken base64',
      { attachments: [{ filename: 'a.txt', contentType: 'text/plain', contentBase64: '%%%' }] },
      'attachments[0].contentBase64',
    ],
  ])('refuses %s with 400 naming the field, and stores nothing', async (_label, override, field) => {
    const res = await submit(sampleReport(override));
    expect(res.statusCode).toBe(400);
    const error = res.json<Json>().error;
    expect(error.code).toBe('ERR_VALIDATION');
    expect(error.details.problems.map((p: Json) => p.field)).toContain(field);
    expect(await db.db.selectFrom('reports').select('id').execute()).toEqual([]);
    expect(await db.db.selectFrom('outbox').select('id').execute()).toEqual([]);
  });

  it('acknowledges a finder who gave an OpenPGP key with an encrypted mail', async () => {
    await get('/api/v1/instance-key', {}); // created at first start in production
    const openpgp = await import('openpgp');
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: 'finder@example.net' }],
      format: 'armored',
    });
    const res = await submit(sampleReport({ pgpPublicKey: publicKey }));
    expect(res.statusCode).toBe(201);
    const mail = await db.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(mail.body_text).toContain('-----BEGIN PGP MESSAGE-----');
    const opened = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: mail.body_text }),
      decryptionKeys: await openpgp.readPrivateKey({ armoredKey: privateKey }),
    });
    expect(opened.data).toContain(res.json<Json>().followUpUrl);
  });

  it('takes two reports from a new address at the same moment, linking both to one finder', async () => {
    const [a, b] = await Promise.all([
      submit(sampleReport({ contactEmail: 'twice@example.net' })),
      submit(sampleReport({ contactEmail: 'Twice@example.net', title: 'The same finder again' })),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    const finders = await db.db.selectFrom('finders').select('id').execute();
    expect(finders).toHaveLength(1);
  });

  it('lists every problem at once', async () => {
    const res = await submit(sampleReport({ title: '', cvss: 'nope', cwe: 'CWE-0' }));
    expect(res.json<Json>().error.details.problems.map((p: Json) => p.field)).toEqual(['title', 'cvss', 'cwe']);
  });

  it('refuses unknown fields and wrong types through the schema', async () => {
    expect((await submit({ ...sampleReport(), extra: 1 })).statusCode).toBe(400);
    expect((await submit({ ...sampleReport(), title: 42 })).statusCode).toBe(400);
  });

  it('decrypts a report encrypted in the browser to the instance key', async () => {
    const key = (await get('/api/v1/instance-key', {})).json<Json>();
    expect(key.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    const asc = await get('/.well-known/openpgp-key.asc', {});
    expect(asc.body).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    const openpgp = await import('openpgp');
    const plain = sampleReport({
      attachments: [
        { filename: 'poc.txt', contentType: 'text/plain', contentBase64: Buffer.from('PoC').toString('base64') },
      ],
    });
    const encrypted = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: JSON.stringify(plain) }),
      encryptionKeys: await openpgp.readKey({ armoredKey: key.publicKey }),
    });
    const res = await submit({ encrypted });
    expect(res.statusCode).toBe(201);
    const stored = await db.db.selectFrom('reports').selectAll().executeTakeFirstOrThrow();
    expect(stored.submitted_encrypted).toBe(true);
    expect(stored.title).toBe(plain.title);
    const file = await db.db.selectFrom('attachments').selectAll().executeTakeFirstOrThrow();
    expect(file.sha256).toBe(createHash('sha256').update('PoC').digest('hex'));
    expect(Buffer.from(file.content).toString()).toBe('PoC');
    // Garbage and a message to another key are refused with a clear error.
    const bad = await submit({ encrypted: '-----BEGIN PGP MESSAGE-----\n\nnope\n-----END PGP MESSAGE-----' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<Json>().error.details.problems[0].field).toBe('encrypted');
  });

  it('the finder follows up through the link; staff validate, ask, and see the answer; SLA pauses meanwhile', async () => {
    const created = (await submit(sampleReport())).json<Json>();
    const link = asLink(created.followUpSecret);
    const id = created.report.trackingId as string;

    const finderView = (await get(`/api/v1/reports/${id}`, link)).json<Json>();
    expect(finderView).toMatchObject({ trackingId: id, state: 'R', stateLabel: 'Received' });
    expect(finderView.description).toBeUndefined(); // the finder view is the status and the conversation

    const queue = (await get('/api/v1/reports', analyst.headers)).json<Json>();
    expect(queue.items.map((r: Json) => r.trackingId)).toEqual([id]);
    expect(queue.items[0].sla.acknowledge.state).toBe('running');

    const validated = await post(`/api/v1/reports/${id}/transitions`, { event: 'validate' }, analyst.headers);
    expect(validated.statusCode).toBe(200);
    expect(validated.json<Json>()).toMatchObject({
      state: 'V',
      sla: { acknowledge: { state: 'met' }, triage: { state: 'met' } },
    });

    await post(
      `/api/v1/reports/${id}/messages`,
      { body: 'Internal: looks real', visibility: 'internal' },
      analyst.headers,
    );
    const asked = await post(
      `/api/v1/reports/${id}/messages`,
      { body: 'Which **version** did you test?', visibility: 'shared', kind: 'question' },
      analyst.headers,
    );
    expect(asked.statusCode).toBe(201);
    let stored = await db.db.selectFrom('reports').selectAll().executeTakeFirstOrThrow();
    expect(stored.awaiting_finder_since).not.toBeNull();

    const seen = (await get(`/api/v1/reports/${id}`, link)).json<Json>();
    expect(seen.messages).toHaveLength(1); // the internal note is not there
    expect(seen.messages[0]).toMatchObject({ kind: 'question', fromFinder: false, authorLabel: 'Security team' });
    expect(seen.messages[0].bodyHtml).toContain('<strong>version</strong>');
    expect(JSON.stringify(seen)).not.toContain('Internal: looks real');

    clock.advance(3600_000);
    const answered = await post(
      `/api/v1/reports/${id}/messages`,
      {
        body: 'Version 4.2.0 <script>alert(1)</script>',
        attachments: [
          { filename: 'shot.png', contentType: 'image/png', contentBase64: Buffer.from('png').toString('base64') },
        ],
      },
      link,
    );
    expect(answered.statusCode).toBe(201);
    stored = await db.db.selectFrom('reports').selectAll().executeTakeFirstOrThrow();
    expect(stored.awaiting_finder_since).toBeNull();

    const staffView = (await get(`/api/v1/reports/${id}`, analyst.headers)).json<Json>();
    const answer = staffView.messages.find((m: Json) => m.kind === 'answer');
    expect(answer).toMatchObject({ fromFinder: true });
    expect(answer.bodyHtml).not.toContain('<script');
    expect(staffView.events.map((e: Json) => e.kind)).toEqual([
      'transition',
      'transition',
      'note',
      'staff_message',
      'info_requested',
      'finder_answered',
    ]);
    const file = answer.attachments[0];
    const download = await get(`/api/v1/reports/${id}/attachments/${file.id}`, link);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.headers['content-disposition']).toContain('attachment');
    expect(download.body).toBe('png');
  });

  it('a follow-up link opens its own report only, and not the queue', async () => {
    const one = (await submit(sampleReport())).json<Json>();
    const two = (await submit(sampleReport({ title: 'Another report entirely' }))).json<Json>();
    const link = asLink(one.followUpSecret);
    expect((await get(`/api/v1/reports/${two.report.trackingId}`, link)).statusCode).toBe(404);
    expect((await get(`/api/v1/reports/${two.report.id}`, link)).statusCode).toBe(404);
    expect((await get('/api/v1/reports', link)).statusCode).toBe(403);
    expect(
      (await post(`/api/v1/reports/${one.report.trackingId}/transitions`, { event: 'validate' }, link)).statusCode,
    ).toBe(403);
    expect((await get(`/api/v1/reports/${one.report.trackingId}`, asLink('accf_forged'))).statusCode).toBe(401);
    expect((await get(`/api/v1/users`, link)).statusCode).toBe(401);
  });

  it('a vendor cannot see the queue or any report; a viewer reads but cannot triage', async () => {
    const created = (await submit(sampleReport())).json<Json>();
    const ctx = makeCtx(db, { clock });
    const acme = await makeOrg(ctx, { name: 'ACME' });
    const { user, session } = await userSession(app, ctx, null);
    await addMember(ctx, acme.id, user.id, 'org_admin');
    const vendorQueue = (await get('/api/v1/reports', session.headers)).json<Json>();
    expect(vendorQueue.items).toEqual([]);
    expect((await get(`/api/v1/reports/${created.report.trackingId}`, session.headers)).statusCode).toBe(404);
    expect((await get(`/api/v1/reports/${created.report.trackingId}`, viewer.headers)).statusCode).toBe(200);
    const refused = await post(
      `/api/v1/reports/${created.report.trackingId}/transitions`,
      { event: 'validate' },
      viewer.headers,
    );
    expect(refused.statusCode).toBe(403);
  });

  it('illegal RM moves answer 409 naming the rule; closing needs a reason', async () => {
    const id = (await submit(sampleReport())).json<Json>().report.trackingId as string;
    const move = (event: string, extra: object = {}) =>
      post(`/api/v1/reports/${id}/transitions`, { event, ...extra }, analyst.headers);
    const accept = await move('accept');
    expect(accept.statusCode).toBe(409);
    expect(accept.json<Json>().error).toMatchObject({ code: 'ERR_ILLEGAL_TRANSITION' });
    expect(accept.json<Json>().error.message).toContain('RM: a report in Received cannot be accepted');
    expect((await move('validate')).statusCode).toBe(200);
    const close = await move('close', { reason: 'informational' });
    expect(close.statusCode).toBe(409);
    expect(close.json<Json>().error.message).toContain('V→C is forbidden');
    expect((await move('defer')).statusCode).toBe(200);
    const noReason = await move('close');
    expect(noReason.statusCode).toBe(400);
    expect((await move('close', { reason: 'out_of_scope' })).json<Json>()).toMatchObject({
      state: 'C',
      closeReason: 'out_of_scope',
    });
  });

  it('suggests similar reports on distinctive terms, not on words most reports share', async () => {
    const common = 'The application has a vulnerability in the login form of the web portal.';
    for (const title of ['Open redirect', 'Weak session ids', 'Clickjacking', 'Verbose errors']) {
      expect((await submit(sampleReport({ title, description: common }))).statusCode).toBe(201);
    }
    const twin = (
      await submit(sampleReport({ title: 'Zanzibar parser overflow', description: `${common} Quokkafile crash.` }))
    ).json<Json>();
    const report = await db.db
      .selectFrom('reports')
      .select(['id', 'title', 'products', 'description'])
      .where('tracking_id', '=', twin.report.trackingId)
      .executeTakeFirstOrThrow();
    const probe = { ...report, id: '00000000-0000-4000-8000-000000000000', title: 'Quokkafile zanzibar' };
    // How common a term is comes from the planner's statistics on reports.search.
    await sql`analyze reports`.execute(db.db);
    // With "common" meaning in half the reports or more, only the twin's own words are distinctive.
    const found = await similarReports(db.db, probe, 10, 0.5);
    expect(found.map((r) => r.tracking_id)).toEqual([twin.report.trackingId]);
    // Without the cut, every report sharing the common sentence is a candidate.
    expect((await similarReports(db.db, probe, 10, 1.1)).length).toBe(5);
  });

  it('suggests similar reports and closes a duplicate through legal moves, telling the finder', async () => {
    const original = (await submit(sampleReport())).json<Json>();
    const dup = (await submit(sampleReport({ title: 'XSS in helpdesk ticket comments (SVG onload)' }))).json<Json>();
    const other = await submit(
      sampleReport({
        title: 'Buffer overflow in router firmware',
        affected: [{ vendor: 'Initech', product: 'WR-500' }],
        description: 'A long hostname overflows a stack buffer in the DHCP client of the firmware image.',
      }),
    );
    expect(other.statusCode).toBe(201);
    const view = (await get(`/api/v1/reports/${dup.report.trackingId}`, analyst.headers)).json<Json>();
    expect(view.similar[0].trackingId).toBe(original.report.trackingId);
    const ranked = view.similar.map((s: Json) => s.title as string);
    const unrelated = ranked.indexOf('Buffer overflow in router firmware');
    if (unrelated !== -1) expect(view.similar[unrelated].score).toBeLessThan(view.similar[0].score);

    const res = await post(
      `/api/v1/reports/${dup.report.trackingId}/duplicate`,
      { of: original.report.trackingId },
      analyst.headers,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json<Json>()).toMatchObject({
      state: 'C',
      closeReason: 'duplicate',
      duplicateOf: original.report.trackingId,
    });
    expect(
      res
        .json<Json>()
        .events.filter((e: Json) => e.kind === 'transition')
        .map((e: Json) => e.toState),
    ).toEqual(['R', 'I', 'C']);
    const finder = (await get(`/api/v1/reports/${dup.report.trackingId}`, asLink(dup.followUpSecret))).json<Json>();
    expect(finder.duplicateOf).toBe(original.report.trackingId);
    expect(finder.messages[0].bodyHtml).toContain(original.report.trackingId);
    // A closed report takes no more answers.
    const late = await post(
      `/api/v1/reports/${dup.report.trackingId}/messages`,
      { body: 'more' },
      asLink(dup.followUpSecret),
    );
    expect(late.statusCode).toBe(409);
  });

  it('filters the queue by state, assignee, SLA risk, product and text', async () => {
    const a = (await submit(sampleReport())).json<Json>().report.trackingId as string;
    clock.advance(1000);
    const b = (
      await submit(
        sampleReport({ title: 'Router firmware overflow', affected: [{ vendor: 'Initech', product: 'WR-500' }] }),
      )
    ).json<Json>().report.trackingId as string;
    const me = (await get('/api/v1/me', analyst.headers)).json<Json>().user.id as string;
    const viewerId = (await get('/api/v1/me', viewer.headers)).json<Json>().user.id as string;
    expect(
      (
        await app.inject({
          method: 'PUT',
          url: `/api/v1/reports/${a}/assignee`,
          payload: { userId: me },
          headers: analyst.headers,
        })
      ).statusCode,
    ).toBe(200);
    // A token outlives the idle web session while the clock jumps days ahead.
    const token = (await post('/api/v1/tokens', { name: 'queue' }, analyst.headers)).json<Json>().token as string;
    const ids = async (query: string) =>
      (await get(`/api/v1/reports?${query}`, { authorization: `Bearer ${token}` }))
        .json<Json>()
        .items.map((r: Json) => r.trackingId);
    expect(await ids('assignee=me')).toEqual([a]);
    expect(await ids('assignee=none')).toEqual([b]);
    expect(await ids('product=initech')).toEqual([b]);
    expect(await ids('q=firmware')).toEqual([b]);
    expect(await ids('sort=oldest')).toEqual([a, b]);
    await post(`/api/v1/reports/${a}/transitions`, { event: 'validate' }, analyst.headers);
    expect(await ids('state=R')).toEqual([b]);
    expect(await ids('sla=at_risk')).toEqual([]);
    clock.advance(3 * 86400_000); // Friday 09:00: past 80 % of the acknowledgement budget
    expect(await ids('sla=at_risk')).toEqual([b]);
    clock.advance(4 * 86400_000); // the next Tuesday: breached
    expect(await ids('sla=breached')).toEqual([b]);
    expect((await get('/api/v1/reports?state=Q', { authorization: `Bearer ${token}` })).statusCode).toBe(400);
    const assignBad = await app.inject({
      method: 'PUT',
      url: `/api/v1/reports/${a}/assignee`,
      payload: { userId: viewerId },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(assignBad.statusCode).toBe(400);
  });

  it('publishes security.txt (RFC 9116, clear-signed), the policy and acknowledgements', async () => {
    const txt = await get('/.well-known/security.txt', {});
    expect(txt.statusCode).toBe(200);
    expect(txt.body).toContain('-----BEGIN PGP SIGNED MESSAGE-----');
    for (const field of [
      'Contact: ',
      'Expires: ',
      'Encryption: ',
      'Policy: ',
      'Preferred-Languages: en, ja',
      'Canonical: ',
      'Acknowledgments: ',
      'CSAF: http',
    ]) {
      expect(txt.body).toContain(field);
    }
    const csafLine = txt.body
      .split(/\r?\n/)
      .find((l) => l.startsWith('CSAF: '))!
      .trim();
    expect(csafLine).toMatch(/\/\.well-known\/csaf\/provider-metadata\.json$/);
    const metadata = await get(new URL(csafLine.slice('CSAF: '.length)).pathname, {});
    expect(metadata.statusCode).toBe(200);
    expect(metadata.json<Record<string, unknown>>()).toMatchObject({ role: 'csaf_trusted_provider' });
    const policy = await get('/policy', {});
    expect(policy.headers['content-type']).toContain('text/html');
    expect(policy.body).toContain('<h1>Vulnerability disclosure policy</h1>');
    const created = (await submit(sampleReport({ publicAcknowledgement: true } as never))).json<Json>();
    await post(`/api/v1/reports/${created.report.trackingId}/transitions`, { event: 'validate' }, analyst.headers);
    await submit(sampleReport({ credit: { mode: 'name', value: 'Hidden Person' }, contactEmail: 'h@example.net' }));
    const acks = await get('/acknowledgements', {});
    expect(acks.body).toContain('@finder42');
    expect(acks.body).not.toContain('Hidden Person');
  });

  it('lets the finder change their credit and opt in to the acknowledgements later, through the follow-up link', async () => {
    const put = (url: string, payload: object, headers: Record<string, string>) =>
      app.inject({ method: 'PUT', url, payload, headers });
    // Anonymous report without any contact: no finder record yet.
    const created = (
      await submit(sampleReport({ credit: { mode: 'anonymous' }, contactEmail: undefined, title: 'Anonymous finding' }))
    ).json<Json>();
    const ref = created.report.trackingId as string;
    const link = asLink(created.followUpSecret);
    await post(`/api/v1/reports/${ref}/transitions`, { event: 'validate' }, analyst.headers);
    expect((await get('/acknowledgements', {})).body).not.toContain('Late Opt-In');
    expect((await get(`/api/v1/reports/${ref}`, link)).json<Json>()).toMatchObject({
      credit: { mode: 'anonymous' },
      publicAcknowledgement: false,
    });

    // Listing an anonymous credit makes no sense: refused, with the field named.
    const refused = await put(
      `/api/v1/reports/${ref}/credit`,
      { credit: { mode: 'anonymous' }, publicAcknowledgement: true },
      link,
    );
    expect(refused.statusCode).toBe(400);
    expect(JSON.stringify(refused.json<Json>().error.details)).toContain('publicAcknowledgement');
    const badType = await put(
      `/api/v1/reports/${ref}/credit`,
      { credit: { mode: 'name', value: 'X', type: 'HACKER' }, publicAcknowledgement: false },
      link,
    );
    expect(badType.statusCode).toBe(400);
    expect(JSON.stringify(badType.json<Json>().error.details)).toContain('credit.type');

    const ok = await put(
      `/api/v1/reports/${ref}/credit`,
      { credit: { mode: 'name', value: 'Late Opt-In', type: 'ANALYST' }, publicAcknowledgement: true },
      link,
    );
    expect(ok.statusCode).toBe(200);
    expect((await get('/acknowledgements', {})).body).toContain('Late Opt-In');
    const finderView = (await get(`/api/v1/reports/${ref}`, link)).json<Json>();
    expect(finderView).toMatchObject({
      credit: { mode: 'name', value: 'Late Opt-In', type: 'ANALYST' },
      publicAcknowledgement: true,
    });
    // Staff see the change in the report's timeline.
    const staffView = (await get(`/api/v1/reports/${ref}`, analyst.headers)).json<Json>();
    expect(JSON.stringify(staffView)).toContain('credit_changed');

    // Opting out again removes the name from the public page.
    await put(
      `/api/v1/reports/${ref}/credit`,
      { credit: { mode: 'name', value: 'Late Opt-In' }, publicAcknowledgement: false },
      link,
    );
    expect((await get('/acknowledgements', {})).body).not.toContain('Late Opt-In');

    // Another report's link, a staff viewer and anonymous callers cannot change this credit.
    const other = (await submit(sampleReport({ title: 'Another one' }))).json<Json>();
    const body = { credit: { mode: 'handle', value: 'hijack' }, publicAcknowledgement: true };
    expect((await put(`/api/v1/reports/${ref}/credit`, body, asLink(other.followUpSecret))).statusCode).toBe(404);
    expect((await put(`/api/v1/reports/${ref}/credit`, body, {})).statusCode).toBe(401);
    expect([403, 404]).toContain((await put(`/api/v1/reports/${ref}/credit`, body, viewer.headers)).statusCode);
  });

  it('links reports to one finder by e-mail and shows their quality figures to staff', async () => {
    const a = (await submit(sampleReport())).json<Json>().report.trackingId as string;
    const b = (
      await submit(sampleReport({ title: 'Second finding by the same person', contactEmail: 'FINDER@example.net' }))
    ).json<Json>().report.trackingId as string;
    clock.advance(1000);
    await submit(sampleReport({ title: 'Someone else entirely', contactEmail: 'other@example.net', cvss: undefined }));
    await post(`/api/v1/reports/${a}/transitions`, { event: 'validate' }, analyst.headers);
    await post(`/api/v1/reports/${b}/duplicate`, { of: a }, analyst.headers);
    const list = (await get('/api/v1/finders?q=finder@', analyst.headers)).json<Json>();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ email: 'finder@example.net', handle: 'finder42', reports: 2 });
    const profile = (await get(`/api/v1/finders/${list.items[0].id}`, viewer.headers)).json<Json>();
    expect(profile.figures).toMatchObject({ reports: 2, valid: 1, duplicates: 1, validShare: 1, averageCvss: 8.7 });
    expect(profile.reports.map((r: Json) => r.trackingId).sort()).toEqual([a, b]);
    const ctx = makeCtx(db, { clock });
    const { session } = await userSession(app, ctx, null);
    expect((await get('/api/v1/finders', session.headers)).statusCode).toBe(403);
  });

  it('limits reports per finder as well as per address', async () => {
    await app.close();
    app = await makeApp(db, { clock, config: testConfig({ ACCORD_RATE_LIMIT_REPORTS: '2' }) });
    expect((await submit(sampleReport(), { 'x-forwarded-for': '192.0.2.1' })).statusCode).toBe(201);
    expect((await submit(sampleReport())).statusCode).toBe(201);
    const third = await submit(sampleReport());
    expect(third.statusCode).toBe(429);
    expect(third.json<Json>().error.code).toBe('ERR_RATE_LIMITED');
  });

  it('rotates the instance key (admin only); mail to the old key still opens', async () => {
    const ctx = makeCtx(db, { clock });
    const admin = (await userSession(app, ctx, 'admin')).session;
    const before = (await get('/api/v1/instance-key', {})).json<Json>();
    const openpgp = await import('openpgp');
    const toOld = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: JSON.stringify(sampleReport()) }),
      encryptionKeys: await openpgp.readKey({ armoredKey: before.publicKey }),
    });
    expect((await post('/api/v1/instance-key/rotate', {}, analyst.headers)).statusCode).toBe(403);
    const rotated = await post('/api/v1/instance-key/rotate', {}, admin.headers);
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json<Json>().fingerprint).not.toBe(before.fingerprint);
    const after = (await get('/api/v1/instance-key', admin.headers)).json<Json>();
    expect(after.retired.map((k: Json) => k.fingerprint)).toEqual([before.fingerprint]);
    expect((await get('/api/v1/instance-key', {})).json<Json>().retired).toBeUndefined();
    expect((await submit({ encrypted: toOld })).statusCode).toBe(201);
  });

  it('returns CVSS scores and CWE suggestions for the form', async () => {
    const cvss = (
      await get('/api/v1/cvss?vector=CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', {})
    ).json<Json>();
    expect(cvss).toMatchObject({ ok: true, version: '4.0', score: 9.3, severity: 'CRITICAL' });
    expect((await get('/api/v1/cvss?vector=CVSS:3.1/AV:X', {})).statusCode).toBe(400);
    const settings = (await get('/api/v1/report-settings', {})).json<Json>();
    expect(settings).toMatchObject({
      attachmentMaxBytes: 10 * 1024 * 1024,
      attachmentMaxCount: 10,
      acknowledgeBusinessDays: 3,
    });
    expect(settings.attachmentTypes).toContain('text/*');
    const cwe = (await get('/api/v1/cwe?q=CWE-79', {})).json<Json>();
    expect(cwe.items[0]).toMatchObject({ id: 'CWE-79' });
    expect((await get('/api/v1/cwe?q=sql injection', {})).json<Json>().items.map((e: Json) => e.id)).toContain(
      'CWE-89',
    );
  });
});

describe('RM transition table derived from vultron.json', () => {
  it('every (state, event) pair is allowed exactly when the spec lists it', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.resolve(process.env.ACCORD_SPEC_DIR ?? '../shared/spec', 'vultron.json');
    if (!fs.existsSync(file)) {
      console.log(`skipped: ${file} is absent`);
      return;
    }
    const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as { rm_transitions: [string, string, string][] };
    const allowed = new Set(spec.rm_transitions.map(([from, to]) => `${from}>${to}`));
    const target: Record<RmEvent, RmState> = {
      receive: 'R',
      invalidate: 'I',
      validate: 'V',
      accept: 'A',
      defer: 'D',
      close: 'C',
    };
    for (const from of rmStates) {
      for (const event of rmEvents) {
        expect(rmTransition(from, event).ok, `${from} --${event}-->`).toBe(allowed.has(`${from}>${target[event]}`));
      }
    }
    // The duplicate path uses legal moves only, from every open state.
    for (const from of ['R', 'I', 'V', 'D', 'A'] as const) {
      let state: RmState = from;
      for (const event of pathToClosed(from) ?? []) {
        const r = rmTransition(state, event);
        expect(r.ok).toBe(true);
        if (r.ok) state = r.to;
      }
      expect(state).toBe('C');
    }
  });
});

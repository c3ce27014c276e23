import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { startWorker } from '../jobs/worker.ts';
import { systemActor } from '../policy/actor.ts';
import { postSigned, webhookDeliveryJob } from './delivery.ts';
import { WEBHOOK_JOB } from './dispatch.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Signed webhooks end to end: a real HTTP server on loopback receives the deliveries and checks
 * each signature with the secret it was shown once; events reach only organizations that may see
 * them; a failed delivery is retried with the same event id and logged.
 */
describe('signed webhooks for organizations', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let server: http.Server;
  let base: string;
  const received: Received[] = [];
  /** Status codes to answer per path, in turn; 204 when none is left. */
  const answers = new Map<string, number[]>();
  const config = testConfig({ ACCORD_WEBHOOK_ALLOW_PRIVATE: 'true' });
  let lead: Session;
  const orgs = {} as Record<'acme' | 'globex' | 'initech', { id: string; admin: Session; adminId: string }>;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const status = answers.get(path)?.shift() ?? 204;
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = await makeApp(db, { config });
    const ctx = makeCtx(db, { config });
    const leadUser = await makeUser(ctx, { role: 'coordinator' });
    lead = await signIn(app, leadUser.email);
    for (const name of ['acme', 'globex', 'initech'] as const) {
      const org = await makeOrg(ctx, { name: name.toUpperCase() });
      const admin = await makeUser(ctx);
      await addMember(ctx, org.id, admin.id, 'org_admin');
      orgs[name] = { id: org.id, admin: await signIn(app, admin.email), adminId: admin.id };
    }
  });
  afterAll(async () => {
    await app.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
  });

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });
  const deliver = async () => {
    const worker = startWorker(
      { ...makeCtx(db, { config }), actor: systemActor('jobs') },
      { [WEBHOOK_JOB]: webhookDeliveryJob },
      0,
    );
    await worker.drain();
    await worker.stop();
  };
  const verify = (r: Received, secret: string) => {
    const ts = String(r.headers['x-accord-timestamp']);
    const expected = createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex');
    return r.headers['x-accord-signature'] === `sha256=${expected}`;
  };

  it('registers endpoints, signs deliveries, reaches only organizations that may see the event, retries', async () => {
    // Registration: https only, http for loopback only where the instance allows it (here, for tests).
    const strict = await makeApp(db, { config: testConfig() });
    const refused = await strict.inject({
      method: 'POST',
      url: `/api/v1/orgs/${orgs.acme.id}/webhooks`,
      headers: orgs.acme.admin.headers,
      payload: { url: `${base}/acme`, eventKinds: ['post.created'] },
    });
    await strict.close();
    expect(refused.statusCode).toBe(400);
    expect(refused.json<Json>().error.details.field).toBe('url');

    const secrets: Record<string, string> = {};
    const hookIds: Record<string, string> = {};
    for (const name of ['acme', 'globex', 'initech'] as const) {
      const res = await call('POST', `/api/v1/orgs/${orgs[name].id}/webhooks`, orgs[name].admin, {
        url: `${base}/${name}`,
        eventKinds: ['post.created', 'status.changed', 'case.state_changed'],
      });
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json<Json>();
      expect(body.secret).toMatch(/^whsec_/);
      secrets[name] = body.secret as string;
      hookIds[name] = body.webhook.id as string;
    }
    // The secret is never shown again.
    const listed = await call('GET', `/api/v1/orgs/${orgs.acme.id}/webhooks`, orgs.acme.admin);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(secrets.acme);
    expect(listed.json<Json>().items[0]).toMatchObject({ url: `${base}/acme`, active: true });
    expect(listed.json<Json>().items[0].secretHint).toBe(`${secrets.acme!.slice(0, 10)}…`);
    // Another organization's admin cannot see them.
    expect((await call('GET', `/api/v1/orgs/${orgs.acme.id}/webhooks`, orgs.globex.admin)).statusCode).toBe(404);

    // A case with ACME and Globex as vendors; Initech is not in it.
    const caseId = (await call('POST', '/api/v1/cases', lead, { title: 'Webhook case for the parser' })).json<Json>()
      .caseId as string;
    const acmeP = (
      await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: orgs.acme.id, role: 'vendor' })
    ).json<Json>().id as string;
    await call('POST', `/api/v1/cases/${caseId}/participants`, lead, { orgId: orgs.globex.id, role: 'vendor' });
    const threads = (await call('GET', `/api/v1/cases/${caseId}/threads`, lead)).json<Json>().items as Json[];
    const official = threads.find((t) => t.kind === 'official')!.id as string;
    const discussion = threads.find((t) => t.kind === 'discussion')!.id as string;
    const post = async (who: Session, threadId: string, body: object) => {
      const res = await call('POST', `/api/v1/cases/${caseId}/threads/${threadId}/posts`, who, body);
      expect(res.statusCode, res.body).toBe(201);
      return res.json<Json>().id as string;
    };

    // Before the terms are accepted, nobody hears of anything.
    await post(lead, official, { body: 'Before the terms' });
    await deliver();
    expect(received).toEqual([]);
    for (const name of ['acme', 'globex'] as const)
      await call('POST', `/api/v1/cases/${caseId}/terms/accept`, orgs[name].admin, { version: 1 });

    // Globex's endpoint fails once, then accepts.
    answers.set('/globex', [500]);
    const officialPost = await post(lead, official, { body: 'EMBARGOED: the fix is 7.1.3' });
    const priv = (
      await call('POST', `/api/v1/cases/${caseId}/threads`, orgs.acme.admin, { title: 'ACME', participantIds: [acmeP] })
    ).json<Json>().id as string;
    const privPost = await post(orgs.acme.admin, priv, { body: 'EMBARGOED: ACME internal' });
    const strictPost = await post(lead, discussion, {
      body: 'EMBARGOED: for ACME',
      tlp: 'AMBER+STRICT',
      recipientOrgId: orgs.acme.id,
    });
    await post(lead, discussion, { body: 'EMBARGOED: RED', tlp: 'RED', recipientUserIds: [orgs.acme.adminId] });
    await deliver();

    const to = (name: string) => received.filter((r) => r.path === `/${name}`);
    const items = (name: string) => to(name).map((r) => (JSON.parse(r.body) as Json).itemId as string);
    expect(items('acme')).toEqual([officialPost, privPost, strictPost]);
    expect(items('globex')).toEqual([officialPost]); // the first attempt (answered 500)
    expect(to('initech')).toEqual([]);
    for (const name of ['acme', 'globex'] as const) {
      for (const r of to(name)) {
        expect(verify(r, secrets[name]!)).toBe(true);
        expect(verify(r, secrets.initech!)).toBe(false);
        const body = JSON.parse(r.body) as Json;
        expect(r.headers['x-accord-event-id']).toBe(body.id);
        expect(r.headers['x-accord-event']).toBe('post.created');
        expect(Math.abs(Number(r.headers['x-accord-timestamp']) - Date.now() / 1000)).toBeLessThan(120);
        expect(r.body).not.toContain('EMBARGOED');
        expect(body).toMatchObject({ kind: 'post.created', caseId });
      }
    }
    // The receiver fetches the details with its own API token.
    const first = JSON.parse(to('acme')[0]!.body) as Json;
    expect(first.url).toBe(`${config.baseUrl}/api/v1/cases/${caseId}/threads/${official}/posts`);
    const token = (await call('POST', '/api/v1/tokens', orgs.acme.admin, { name: 'hooks' })).json<Json>()
      .token as string;
    const details = await app.inject({
      url: new URL(first.url as string).pathname,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(details.statusCode).toBe(200);
    expect(details.body).toContain('EMBARGOED: the fix is 7.1.3');

    // The failed delivery is pending with its error; when due again it is sent with the same event id.
    const log = async () =>
      (
        await call('GET', `/api/v1/orgs/${orgs.globex.id}/webhooks/${hookIds.globex}/deliveries`, orgs.globex.admin)
      ).json<Json>().items as Json[];
    expect((await log())[0]).toMatchObject({ status: 'pending', attempts: 1, responseStatus: 500 });
    await sql`update jobs set run_at = now() - interval '1 second' where status = 'pending'`.execute(db.db);
    await deliver();
    expect(to('globex')).toHaveLength(2);
    expect(to('globex')[1]!.headers['x-accord-event-id']).toBe(to('globex')[0]!.headers['x-accord-event-id']);
    expect(verify(to('globex')[1]!, secrets.globex!)).toBe(true);
    expect((await log())[0]).toMatchObject({ status: 'delivered', attempts: 2, responseStatus: 204 });

    // A status ACME does not share reaches ACME only; a case-state event every participant org.
    received.length = 0;
    const vulnId = (
      await call('POST', `/api/v1/cases/${caseId}/vulnerabilities`, lead, { title: 'Overflow' })
    ).json<Json>().id as string;
    await call('PUT', `/api/v1/cases/${caseId}/statuses`, orgs.acme.admin, {
      participantId: acmeP,
      vulnerabilityId: vulnId,
      product: 'Parser',
      status: 'under_investigation',
    });
    await call('POST', `/api/v1/cases/${caseId}/state`, lead, { event: 'P' });
    await deliver();
    expect(to('acme').map((r) => r.headers['x-accord-event'])).toEqual(['status.changed', 'case.state_changed']);
    expect(to('globex').map((r) => r.headers['x-accord-event'])).toEqual(['case.state_changed']);
    expect(to('initech')).toEqual([]);

    // Ping, then switch ACME's endpoint off: no more deliveries; remove it.
    received.length = 0;
    expect(
      (await call('POST', `/api/v1/orgs/${orgs.acme.id}/webhooks/${hookIds.acme}/ping`, orgs.acme.admin)).statusCode,
    ).toBe(202);
    await deliver();
    expect(to('acme').map((r) => (JSON.parse(r.body) as Json).kind)).toEqual(['ping']);
    expect(verify(to('acme')[0]!, secrets.acme!)).toBe(true);
    const off = await call('PATCH', `/api/v1/orgs/${orgs.acme.id}/webhooks/${hookIds.acme}`, orgs.acme.admin, {
      active: false,
    });
    expect(off.json<Json>().active).toBe(false);
    received.length = 0;
    await post(lead, official, { body: 'After switching off' });
    await deliver();
    expect(to('acme')).toEqual([]);
    expect(to('globex')).toHaveLength(1);
    expect(
      (await call('DELETE', `/api/v1/orgs/${orgs.acme.id}/webhooks/${hookIds.acme}`, orgs.acme.admin)).statusCode,
    ).toBe(204);
    expect((await call('GET', `/api/v1/orgs/${orgs.acme.id}/webhooks`, orgs.acme.admin)).json<Json>().items).toEqual(
      [],
    );
    const audit = await db.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'like', 'webhook.%')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'webhook.create',
      'webhook.create',
      'webhook.create',
      'webhook.ping',
      'webhook.update',
      'webhook.delete',
    ]);
  });

  it('refuses to deliver to loopback or private addresses unless the instance allows it, also after DNS', async () => {
    const port = new URL(base).port;
    await expect(postSigned(`http://127.0.0.1:${port}/x`, {}, '{}', false)).rejects.toThrow(/private address/);
    await expect(postSigned(`http://localhost:${port}/x`, {}, '{}', false)).rejects.toThrow(/private address/);
    const before = received.length;
    expect(await postSigned(`http://localhost:${port}/x`, {}, '{}', true)).toBe(204);
    expect(received.length).toBe(before + 1);
  });
});

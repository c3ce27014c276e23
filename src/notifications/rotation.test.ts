import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
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
import { dropExpiredWebhookSecrets } from './commands.ts';
import { webhookDeliveryJob } from './delivery.ts';
import { WEBHOOK_JOB } from './dispatch.ts';
import { checkGraceHours, signingSecrets, webhookSignatures } from './rules.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * What a receiver does, written from the README and independent of Accord's code: split
 * X-Accord-Signature on commas and accept the request when any `sha256=` entry is the HMAC-SHA256
 * of "<timestamp>.<body>" with the secret it holds (compared in constant time).
 */
function receiverAccepts(r: Received, secret: string): boolean {
  const ts = String(r.headers['x-accord-timestamp']);
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`);
  return String(r.headers['x-accord-signature'])
    .split(',')
    .map((s) => Buffer.from(s.trim()))
    .some((s) => s.length === expected.length && timingSafeEqual(s, expected));
}

describe('webhook secret rotation, pure', () => {
  const hook = (expires: Date | null) => ({
    secret: 'whsec_new',
    previous_secret: expires ? 'whsec_old' : null,
    previous_secret_expires_at: expires,
  });
  const now = new Date('2026-11-28T12:00:00Z');

  it('signs with the previous secret only while its grace period lasts, decided by time', () => {
    expect(signingSecrets(hook(new Date(now.getTime() + 1)), now)).toEqual(['whsec_new', 'whsec_old']);
    expect(signingSecrets(hook(now), now)).toEqual(['whsec_new']);
    expect(signingSecrets(hook(new Date(now.getTime() - 1)), now)).toEqual(['whsec_new']);
    expect(signingSecrets(hook(null), now)).toEqual(['whsec_new']);
    const header = webhookSignatures(['a', 'b'], '1700000000', '{}');
    expect(header).toMatch(/^sha256=[0-9a-f]{64},sha256=[0-9a-f]{64}$/);
    expect(webhookSignatures(['a'], '1700000000', '{}')).toBe(header.split(',')[0]);
  });

  it('takes a grace period of 0 to 168 whole hours, 24 by default', () => {
    expect(checkGraceHours(undefined)).toBe(24);
    expect(checkGraceHours(0)).toBe(0);
    expect(checkGraceHours(168)).toBe(168);
    for (const bad of [-1, 169, 1.5, Number.NaN]) expect(() => checkGraceHours(bad)).toThrow(/graceHours|hours/);
  });
});

/**
 * Rotation end to end: a real HTTP receiver checks each delivery with the secrets it holds —
 * during the grace period both the old and the new secret verify, afterwards (by time, before any
 * clean-up) only the new one; revoking ends the grace period at once. Secrets appear only in the
 * answer that creates them: never in a GET or the audit trail.
 */
describe('webhook secret rotation', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let server: http.Server;
  let base: string;
  const received: Received[] = [];
  const config = testConfig({ ACCORD_WEBHOOK_ALLOW_PRIVATE: 'true' });
  let admin: Session;
  let member: Session;
  let otherAdmin: Session;
  let orgId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = await makeApp(db, { config });
    const ctx = makeCtx(db, { config });
    const org = await makeOrg(ctx, { name: 'Rotating Corp' });
    orgId = org.id;
    const a = await makeUser(ctx);
    await addMember(ctx, org.id, a.id, 'org_admin');
    admin = await signIn(app, a.email);
    const m = await makeUser(ctx);
    await addMember(ctx, org.id, m.id, 'member');
    member = await signIn(app, m.email);
    const other = await makeOrg(ctx, { name: 'Other Corp' });
    const o = await makeUser(ctx);
    await addMember(ctx, other.id, o.id, 'org_admin');
    otherAdmin = await signIn(app, o.email);
  });
  afterAll(async () => {
    await app.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
  });

  const call = (method: string, url: string, who: Session, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who.headers, ...(payload ? { payload } : {}) });
  /** Runs the delivery queue with a clock `aheadMs` in the future. */
  const deliver = async (aheadMs = 0) => {
    const ctx = { ...makeCtx(db, { config }), now: () => new Date(Date.now() + aheadMs) };
    const worker = startWorker({ ...ctx, actor: systemActor('jobs') }, { [WEBHOOK_JOB]: webhookDeliveryJob }, 0);
    await worker.drain();
    await worker.stop();
  };
  /** Sends a test event and returns what the receiver got. */
  const pingAndReceive = async (hookUrl: string, aheadMs = 0) => {
    received.length = 0;
    expect((await call('POST', `${hookUrl}/ping`, admin)).statusCode).toBe(202);
    await deliver(aheadMs);
    expect(received).toHaveLength(1);
    return received[0]!;
  };

  it('signs with both secrets during the grace period, only the new one after it or after revoking', async () => {
    const created = await call('POST', `/api/v1/orgs/${orgId}/webhooks`, admin, {
      url: `${base}/hook`,
      eventKinds: ['post.created'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const oldSecret = created.json<Json>().secret as string;
    const hookId = created.json<Json>().webhook.id as string;
    const hookUrl = `/api/v1/orgs/${orgId}/webhooks/${hookId}`;
    expect(created.json<Json>().webhook).toMatchObject({ secretRotatedAt: null, previousSecretExpiresAt: null });

    const before = await pingAndReceive(hookUrl);
    expect(String(before.headers['x-accord-signature']).split(',')).toHaveLength(1);
    expect(receiverAccepts(before, oldSecret)).toBe(true);

    // Members who are not admins, and other organizations, cannot rotate.
    expect((await call('POST', `${hookUrl}/rotate-secret`, member, {})).statusCode).toBe(403);
    expect((await call('POST', `${hookUrl}/rotate-secret`, otherAdmin, {})).statusCode).toBe(404);
    const tooLong = await call('POST', `${hookUrl}/rotate-secret`, admin, { graceHours: 169 });
    expect(tooLong.statusCode).toBe(400);

    // Rotation with a 48-hour grace period: the new secret is in this answer only.
    const t0 = Date.now();
    const rotated = await call('POST', `${hookUrl}/rotate-secret`, admin, { graceHours: 48 });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const newSecret = rotated.json<Json>().secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.body).not.toContain(oldSecret);
    const view = rotated.json<Json>().webhook as Json;
    expect(view.secretHint).toBe(`${newSecret.slice(0, 10)}…`);
    expect(view.previousSecretHint).toBe(`${oldSecret.slice(0, 10)}…`);
    const expiresAt = Date.parse(view.previousSecretExpiresAt as string);
    expect(Math.abs(expiresAt - (t0 + 48 * 3_600_000))).toBeLessThan(60_000);
    expect(view.secretRotatedAt).not.toBeNull();

    // A second rotation while the old secret still signs is refused.
    const again = await call('POST', `${hookUrl}/rotate-secret`, admin, {});
    expect(again.statusCode).toBe(409);
    expect(again.json<Json>().error.message).toMatch(/revoke it first/);

    // GET answers carry neither secret.
    const listed = await call('GET', `/api/v1/orgs/${orgId}/webhooks`, admin);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(oldSecret);
    expect(listed.body).not.toContain(newSecret);
    expect(listed.json<Json>().items[0]).toMatchObject({ previousSecretExpiresAt: view.previousSecretExpiresAt });
    const log = await call('GET', `${hookUrl}/deliveries`, admin);
    expect(log.body).not.toContain(oldSecret);
    expect(log.body).not.toContain(newSecret);

    // During the grace period a receiver holding either secret accepts; one holding neither does not.
    const during = await pingAndReceive(hookUrl);
    expect(String(during.headers['x-accord-signature']).split(',')).toHaveLength(2);
    expect(receiverAccepts(during, newSecret)).toBe(true);
    expect(receiverAccepts(during, oldSecret)).toBe(true);
    expect(receiverAccepts(during, 'whsec_somethingelse')).toBe(false);
    // Still within the grace period an hour before it ends.
    expect(receiverAccepts(await pingAndReceive(hookUrl, 47 * 3_600_000), oldSecret)).toBe(true);

    // After the grace period only the new secret verifies; the delivery clears the old one.
    const after = await pingAndReceive(hookUrl, 49 * 3_600_000);
    expect(String(after.headers['x-accord-signature']).split(',')).toHaveLength(1);
    expect(receiverAccepts(after, newSecret)).toBe(true);
    expect(receiverAccepts(after, oldSecret)).toBe(false);
    const row = await db.db.selectFrom('webhooks').selectAll().where('id', '=', hookId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ previous_secret: null, previous_secret_hint: null, previous_secret_expires_at: null });

    // Rotating again (default 24 hours), then revoking the old secret at once.
    const third = await call('POST', `${hookUrl}/rotate-secret`, admin, {});
    expect(third.statusCode, third.body).toBe(200);
    const thirdSecret = third.json<Json>().secret as string;
    const thirdExpiry = Date.parse(third.json<Json>().webhook.previousSecretExpiresAt as string);
    expect(Math.abs(thirdExpiry - (Date.now() + 24 * 3_600_000))).toBeLessThan(60_000);
    expect(receiverAccepts(await pingAndReceive(hookUrl), newSecret)).toBe(true);
    const revoked = await call('DELETE', `${hookUrl}/previous-secret`, admin);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json<Json>()).toMatchObject({ previousSecretHint: null, previousSecretExpiresAt: null });
    const afterRevoke = await pingAndReceive(hookUrl);
    expect(receiverAccepts(afterRevoke, thirdSecret)).toBe(true);
    expect(receiverAccepts(afterRevoke, newSecret)).toBe(false);
    expect((await call('DELETE', `${hookUrl}/previous-secret`, admin)).statusCode).toBe(409);
    expect((await call('DELETE', `${hookUrl}/previous-secret`, member)).statusCode).toBe(403);

    // An expired previous secret is dropped by time even while still stored; the clean-up removes it.
    const fourth = await call('POST', `${hookUrl}/rotate-secret`, admin, { graceHours: 1 });
    const fourthSecret = fourth.json<Json>().secret as string;
    await db.db
      .updateTable('webhooks')
      .set({ previous_secret_expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', hookId)
      .execute();
    const shown = (await call('GET', `/api/v1/orgs/${orgId}/webhooks`, admin)).json<Json>().items[0] as Json;
    expect(shown).toMatchObject({ previousSecretHint: null, previousSecretExpiresAt: null });
    expect(await dropExpiredWebhookSecrets(db.db, new Date())).toBe(1);
    expect(await dropExpiredWebhookSecrets(db.db, new Date())).toBe(0);
    const expired = await pingAndReceive(hookUrl);
    expect(receiverAccepts(expired, fourthSecret)).toBe(true);
    expect(receiverAccepts(expired, thirdSecret)).toBe(false);
    // No grace period at all: the old secret stops at once.
    const fifth = await call('POST', `${hookUrl}/rotate-secret`, admin, { graceHours: 0 });
    expect(fifth.json<Json>().webhook.previousSecretExpiresAt).toBeNull();
    const fifthSecret = fifth.json<Json>().secret as string;
    const noGrace = await pingAndReceive(hookUrl);
    expect(receiverAccepts(noGrace, fifthSecret)).toBe(true);
    expect(receiverAccepts(noGrace, fourthSecret)).toBe(false);

    // The audit trail records each rotation and the revocation, never a secret.
    const audit = await db.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', 'like', 'webhook.%')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action).filter((a) => a !== 'webhook.ping')).toEqual([
      'webhook.create',
      'webhook.rotate_secret',
      'webhook.rotate_secret',
      'webhook.revoke_previous_secret',
      'webhook.rotate_secret',
      'webhook.rotate_secret',
    ]);
    const rotation = audit.find((a) => a.action === 'webhook.rotate_secret')!;
    expect(JSON.stringify(rotation)).toContain('"graceHours":48');
    const everything = JSON.stringify(await db.db.selectFrom('audit_events').selectAll().execute());
    for (const s of [oldSecret, newSecret, thirdSecret, fourthSecret, fifthSecret]) {
      expect(everything).not.toContain(s);
      expect(everything).not.toContain(s.slice(10)); // not even the part after the hint
    }
  });
});

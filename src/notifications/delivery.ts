import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { sql } from 'kysely';
import type { Ctx } from '../app/context.ts';
import type { JobRow } from '../jobs/queue.ts';
import { dropExpiredWebhookSecrets } from './commands.ts';
import { ipVersion, isPrivateAddress, previousSecretValid, signingSecrets, webhookSignatures } from './rules.ts';

/**
 * Delivers one webhook event (a job of the durable queue, so it survives restarts and runs once
 * at a time across nodes). The request carries the event id (the same on every retry, for the
 * receiver's idempotency), a timestamp and `X-Accord-Signature: sha256=HMAC(secret,
 * "<timestamp>.<body>")` — during a secret rotation's grace period a comma-separated list, the
 * new secret's signature first, then the old one's (the old secret's expiry is compared with the
 * clock at each attempt, and an expired one is cleared). Any answer but 2xx is retried with the
 * queue's back-off until the job's attempts are used up; every attempt is written to the
 * delivery log. Redirects are not followed, and addresses that resolve to loopback or private
 * networks are refused unless the instance allows them.
 */

const TIMEOUT_MS = 10_000;

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const list = Array.isArray(address) ? address : [{ address, family }];
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad) {
        return callback(
          new Error(`${hostname} resolves to ${bad.address}, a private address; refused`),
          address,
          family,
        );
      }
      callback(null, address, family);
    });
  };
}

/** POSTs the body; resolves with the status code (the answer's body is read and dropped). */
export function postSigned(
  url: string,
  headers: Record<string, string>,
  body: string,
  allowPrivate: boolean,
): Promise<number> {
  const u = new URL(url);
  if (!allowPrivate && ipVersion(u.hostname) !== 0 && isPrivateAddress(u.hostname)) {
    return Promise.reject(new Error(`${u.hostname} is a private address; refused`));
  }
  const client = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        lookup: guardedLookup(allowPrivate),
        timeout: TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function webhookDeliveryJob(ctx: Ctx, payload: Record<string, unknown>, job: JobRow): Promise<void> {
  const id = typeof payload.deliveryId === 'string' ? payload.deliveryId : null;
  if (!id) return;
  const d = await ctx.db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select([
      'd.id',
      'd.event_id',
      'd.event_kind',
      'd.payload',
      'd.status',
      'd.webhook_id',
      'w.url',
      'w.secret',
      'w.previous_secret',
      'w.previous_secret_expires_at',
      'w.active',
    ])
    .where('d.id', '=', id)
    .executeTakeFirst();
  if (!d || d.status !== 'pending') return;
  if (!d.active) {
    await ctx.db
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: 'the webhook was switched off' })
      .where('id', '=', d.id)
      .execute();
    return;
  }
  const body = JSON.stringify(d.payload);
  const now = ctx.now();
  const timestamp = String(Math.floor(now.getTime() / 1000));
  if (d.previous_secret !== null && !previousSecretValid(d, now))
    await dropExpiredWebhookSecrets(ctx.db, now, d.webhook_id);
  let status: number | null = null;
  let error: string | null = null;
  try {
    status = await postSigned(
      d.url,
      {
        'user-agent': 'Accord-Webhooks/1',
        'x-accord-event': d.event_kind,
        'x-accord-event-id': d.event_id,
        'x-accord-delivery': d.id,
        'x-accord-timestamp': timestamp,
        'x-accord-signature': webhookSignatures(signingSecrets(d, now), timestamp, body),
      },
      body,
      ctx.config.notifications.webhookAllowPrivate,
    );
    if (status < 200 || status >= 300) error = `the endpoint answered HTTP ${status}`;
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const ok = error === null;
  const final = !ok && job.attempts >= job.max_attempts;
  await ctx.db
    .updateTable('webhook_deliveries')
    .set({
      attempts: sql<number>`attempts + 1`,
      response_status: status,
      last_error: error,
      last_attempt_at: ctx.now(),
      status: ok ? 'delivered' : final ? 'failed' : 'pending',
      delivered_at: ok ? ctx.now() : null,
    })
    .where('id', '=', d.id)
    .execute();
  if (!ok) throw new Error(error ?? 'delivery failed');
}

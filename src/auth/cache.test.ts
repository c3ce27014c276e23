import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres, type DatabaseHandle } from '../db/connect.ts';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { actorOf, makeApp, makeCtx, makeUser, silentLog, userSession } from '../../tests/support/factories.ts';
import { AuthCache, startAuthCache } from './cache.ts';
import { createApiToken } from './tokens.ts';

describe('AuthCache', () => {
  const live = () => {
    const c = new AuthCache<{ v: number }>({ maxEntries: 2, ttlMs: 1000 });
    c.setLive(true);
    return c;
  };

  it('caches nothing while notifications do not arrive', () => {
    const c = new AuthCache<{ v: number }>();
    c.set('k', c.generation(), { v: 1 }, 0);
    expect(c.get('k', 0)).toBeUndefined();
    c.setLive(true);
    c.set('k', c.generation(), { v: 1 }, 0);
    expect(c.get('k', 0)).toEqual({ v: 1 });
    c.setLive(false);
    expect(c.get('k', 0)).toBeUndefined();
  });

  it('drops a lookup that started before a flush (the change wins)', () => {
    const c = live();
    const generation = c.generation();
    c.flush(); // a change commits while the lookup is in flight
    c.set('k', generation, { v: 1 }, 0);
    expect(c.get('k', 0)).toBeUndefined();
  });

  it('expires entries after the TTL and evicts the oldest beyond the limit', () => {
    const c = live();
    c.set('a', c.generation(), { v: 1 }, 0);
    expect(c.get('a', 999)).toEqual({ v: 1 });
    expect(c.get('a', 1000)).toBeUndefined();
    c.set('a', c.generation(), { v: 1 }, 0);
    c.set('b', c.generation(), { v: 2 }, 0);
    c.set('c', c.generation(), { v: 3 }, 0);
    expect(c.size).toBe(2);
    expect(c.get('a', 0)).toBeUndefined();
    expect(c.get('c', 0)).toEqual({ v: 3 });
  });
});

/** Polls until `check` passes: another node learns of a change when PostgreSQL delivers NOTIFY. */
async function eventually(check: () => Promise<void>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('authentication cache against the database', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    app = await makeApp(db);
    return () => app.close();
  });

  const me = (token: string) =>
    app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });

  it('serves a known token without a database round trip', async () => {
    const ctx = makeCtx(db);
    const user = await makeUser(ctx, { role: 'analyst' });
    const { token } = await createApiToken({ ...ctx, actor: await actorOf(ctx, user.id) }, { name: 't' });
    expect((await me(token)).statusCode).toBe(200);
    // Rename the user behind the cache's back, without a trigger: the cached row answers.
    await sql`alter table users disable trigger users_auth_changed`.execute(db.db);
    await db.db.updateTable('users').set({ name: 'Renamed' }).where('id', '=', user.id).execute();
    await sql`alter table users enable trigger users_auth_changed`.execute(db.db);
    expect((await me(token)).json<{ user: { name: string } }>().user.name).not.toBe('Renamed');
  });

  it('refuses a revoked token on the very next request', async () => {
    const ctx = makeCtx(db);
    const { session } = await userSession(app, ctx, 'analyst');
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: session.headers,
      payload: { name: 'ci' },
    });
    const { token, apiToken } = created.json<{ token: string; apiToken: { id: string } }>();
    expect((await me(token)).statusCode).toBe(200);
    const revoked = await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${apiToken.id}`,
      headers: session.headers,
    });
    expect(revoked.statusCode).toBe(204);
    expect((await me(token)).statusCode).toBe(401);
  });

  it('sees changes made by another process: disabled user, changed role, deleted session', async () => {
    const ctx = makeCtx(db);
    const { user, session } = await userSession(app, ctx, 'analyst');
    const { token } = await createApiToken({ ...ctx, actor: await actorOf(ctx, user.id) }, { name: 't' });
    expect((await me(token)).statusCode).toBe(200);
    const meCookie = () => app.inject({ method: 'GET', url: '/api/v1/me', headers: session.headers });
    expect((await meCookie()).statusCode).toBe(200);

    // "Another process": a separate connection on PostgreSQL; the same database otherwise.
    const other: DatabaseHandle = db.url ? openPostgres(db.url, 1) : db;
    try {
      await other.db.updateTable('memberships').set({ role: 'viewer' }).where('user_id', '=', user.id).execute();
      await eventually(async () => {
        expect((await me(token)).json<{ staffRole: string }>().staffRole).toBe('viewer');
      });
      await other.db.deleteFrom('sessions').where('user_id', '=', user.id).execute();
      await eventually(async () => expect((await meCookie()).statusCode).toBe(401));
      await other.db.updateTable('users').set({ disabled_at: new Date() }).where('id', '=', user.id).execute();
      await eventually(async () => expect((await me(token)).statusCode).toBe(401));
    } finally {
      if (other !== db) await other.close();
    }
  });

  it.runIf(process.env.ACCORD_TEST_ENGINE === 'postgres')(
    'stops caching while the notification connection is lost, and resumes when it is back',
    async () => {
      const { cache, stop } = await startAuthCache(db, silentLog);
      try {
        expect(cache.live).toBe(true);
        await sql`select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`.execute(db.db);
        await eventually(async () => expect(cache.live).toBe(false));
        await eventually(async () => expect(cache.live).toBe(true), 5000);
      } finally {
        await stop();
      }
    },
  );
});

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import {
  makeApp,
  makeCtx,
  makeUser,
  PASSWORD,
  signIn,
  silentLog,
  testConfig,
  userSession,
} from '../../tests/support/factories.ts';
import { openPostgres } from '../db/connect.ts';
import { buildApp } from './app.ts';

describe('HTTP server', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await makeApp(db);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });
  beforeEach(async () => {
    await db.reset();
    await makeApp(db).then((a) => a.close()); // re-creates the home org
  });

  it('compiles every route schema (validators and serializers), which the server otherwise does on first use', async () => {
    const build = () =>
      buildApp(
        { db: db.db, config: testConfig(), log: silentLog, now: () => new Date() },
        { engine: db.engine, version: 'test', webDir: null, eagerSchemas: true },
      );
    const eager = await build();
    await expect(eager.ready()).resolves.toBeDefined();
    await eager.close();
    // Eager mode does find a broken schema: the same build with one bad route fails.
    const broken = await build();
    broken.post('/broken', { schema: { body: { type: 'no-such-type' } } }, async () => ({}));
    await expect(broken.ready()).rejects.toThrow();
    await broken.close().catch(() => {});
  });

  it('GET /healthz reports the engine and version', async () => {
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: db.engine, version: 'test' });
  });

  it('sends security headers, a strict CSP, a request id, and no-store on the API', async () => {
    const res = await app.inject('/api/v1/me');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: { code: 'ERR_UNAUTHENTICATED', message: expect.stringContaining('sign in'), details: {} },
    });
  });

  it('publishes OpenAPI 3.1 built from the route schemas, and browsable docs', async () => {
    const spec = (await app.inject('/api/v1/openapi.json')).json();
    expect(spec.openapi).toBe('3.1.0');
    for (const p of [
      '/api/v1/session',
      '/api/v1/me',
      '/api/v1/tokens',
      '/api/v1/users',
      '/api/v1/orgs',
      '/api/v1/audit',
    ]) {
      expect(Object.keys(spec.paths)).toContain(p);
    }
    expect(spec.paths['/api/v1/session'].post.requestBody).toBeTruthy();
    const docs = await app.inject('/api/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });

  it('unknown API routes answer the error shape; UI paths explain an unbuilt UI', async () => {
    const res = await app.inject('/api/v1/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('ERR_NOT_FOUND');
    expect((await app.inject('/profile')).statusCode).toBe(503);
  });

  it('signs in with a strict, HTTP-only cookie; Secure when the base URL is https', async () => {
    const user = await makeUser(makeCtx(db), { role: 'viewer' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: user.email, password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/accord_session=accs_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    const secure = await buildApp(
      {
        db: db.db,
        config: testConfig({ ACCORD_BASE_URL: 'https://cvd.example.org' }),
        log: { info() {}, warn() {}, error() {} },
        now: () => new Date(),
      },
      { engine: db.engine, version: 't', webDir: null },
    );
    const r2 = await secure.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: user.email, password: PASSWORD },
    });
    expect(String(r2.headers['set-cookie'])).toMatch(/Secure/);
    expect(r2.headers['strict-transport-security']).toContain('max-age=');
    await secure.close();
  });

  it('cookie-authenticated writes need the CSRF token; foreign origins are refused', async () => {
    const { session } = await userSession(app, makeCtx(db), 'viewer');
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { cookie: session.cookie },
      payload: { name: 'x' },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('ERR_CSRF');
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: session.headers,
      payload: { name: 'x' },
    });
    expect(ok.statusCode).toBe(201);
    const foreign = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...session.headers, origin: 'https://evil.example' },
      payload: { name: 'x' },
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error.code).toBe('ERR_CSRF');
    // Reads need no token.
    expect((await app.inject({ url: '/api/v1/me', headers: { cookie: session.cookie } })).statusCode).toBe(200);
  });

  it('API tokens work as Bearer, are shown once, and stop working when revoked', async () => {
    const { user, session } = await userSession(app, makeCtx(db), null);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: session.headers,
      payload: { name: 'script', expiresInDays: 30 },
    });
    const { token, apiToken } = created.json();
    const me = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.json()).toMatchObject({ user: { email: user.email }, authenticatedBy: 'token', csrfToken: null });
    // Bearer writes need no CSRF token (no cookie is involved).
    expect(
      (
        await app.inject({
          method: 'PATCH',
          url: '/api/v1/me',
          headers: { authorization: `Bearer ${token}` },
          payload: { timeZone: 'Asia/Tokyo' },
        })
      ).statusCode,
    ).toBe(200);
    const list = (await app.inject({ url: '/api/v1/tokens', headers: session.headers })).json();
    expect(JSON.stringify(list)).not.toContain(token);
    await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${apiToken.id}`, headers: session.headers });
    const after = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('ERR_TOKEN_INVALID');
    expect((await app.inject({ url: '/api/v1/me', headers: { authorization: 'Basic abc' } })).json().error.code).toBe(
      'ERR_TOKEN_INVALID',
    );
  });

  it('logout ends the session server-side', async () => {
    const { session } = await userSession(app, makeCtx(db), null);
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: session.headers });
    expect(out.statusCode).toBe(204);
    expect((await app.inject({ url: '/api/v1/me', headers: { cookie: session.cookie } })).statusCode).toBe(401);
  });

  describe('bad input gets a 4xx with a clear code and message, and nothing is stored', () => {
    it.each([
      ['malformed JSON', '{"email": "a@', 'application/json', /not valid JSON/],
      [
        'wrong type',
        JSON.stringify({ email: 'a@example.org', name: 42 }),
        'application/json',
        /body\/name must be string/,
      ],
      [
        'unknown field',
        JSON.stringify({ email: 'a@example.org', name: 'A', isAdmin: true }),
        'application/json',
        /unknown field "isAdmin"/,
      ],
      [
        'over-long field',
        JSON.stringify({ email: 'a@example.org', name: 'A'.repeat(201) }),
        'application/json',
        /must NOT have more than 200 characters/,
      ],
      ['missing field', JSON.stringify({ name: 'A' }), 'application/json', /missing the required field "email"/],
      ['not JSON at all', 'email=a', 'application/x-www-form-urlencoded', /application\/json/],
    ])('%s', async (_label, payload, contentType, message) => {
      const { session } = await userSession(app, makeCtx(db), 'admin');
      const before = await db.db.selectFrom('users').select('id').execute();
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: { ...session.headers, 'content-type': contentType },
        payload,
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().error.code).toBe('ERR_VALIDATION');
      expect(res.json().error.message).toMatch(message);
      expect(await db.db.selectFrom('users').select('id').execute()).toHaveLength(before.length);
    });

    it('SQL and HTML in fields are stored and returned as plain text', async () => {
      const { session } = await userSession(app, makeCtx(db), 'admin');
      const name = `Robert'); DROP TABLE users;-- <script>alert(1)</script>`;
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: session.headers,
        payload: { name, kind: 'vendor' },
      });
      expect(res.statusCode).toBe(201);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.json().name).toBe(name);
      expect((await app.inject({ url: '/api/v1/users', headers: session.headers })).statusCode).toBe(200);
    });

    it('a wrong TOTP, an expired token, a bad cursor and a malformed id are explained', async () => {
      const { session } = await userSession(app, makeCtx(db), 'admin');
      expect(
        (await app.inject({ url: '/api/v1/users?cursor=zzz', headers: session.headers })).json().error.message,
      ).toMatch(/cursor is not valid/);
      expect((await app.inject({ url: '/api/v1/users/not-a-uuid', headers: session.headers })).statusCode).toBe(404);
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/api/v1/me/totp/confirm',
            headers: session.headers,
            payload: { code: '123456' },
          })
        ).json().error.code,
      ).toBe('ERR_CONFLICT');
    });
  });

  it('rate-limits sign-in per client address (counted in the database)', async () => {
    const limited = await makeApp(db, { config: testConfig({ ACCORD_RATE_LIMIT_AUTH: '3' }) });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await limited.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: 'x@example.org', password: 'whatever it is' },
      });
      codes.push(r.statusCode);
      if (r.statusCode === 429) {
        expect(r.json().error.code).toBe('ERR_RATE_LIMITED');
        expect(r.headers['retry-after']).toBeTruthy();
      }
    }
    expect(codes).toEqual([401, 401, 401, 429]);
    await limited.close();
  });

  it('mandatory 2FA: staff without TOTP may only reach their profile until they enrol', async () => {
    const ctx = makeCtx(db);
    const { session: admin } = await userSession(app, ctx, 'admin');
    const { session: analyst } = await userSession(app, ctx, 'analyst');
    const { session: vendor } = await userSession(app, ctx, null);
    const set = await app.inject({
      method: 'PATCH',
      url: '/api/v1/admin/settings',
      headers: admin.headers,
      payload: { require2faForStaff: true },
    });
    expect(set.json()).toEqual({ require2faForStaff: true });
    const blocked = await app.inject({ url: '/api/v1/users', headers: analyst.headers });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('ERR_TOTP_ENROLMENT_REQUIRED');
    const me = await app.inject({ url: '/api/v1/me', headers: analyst.headers });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ totpEnrolmentRequired: true, instanceName: 'Accord' });
    expect((await app.inject({ method: 'POST', url: '/api/v1/me/totp', headers: analyst.headers })).statusCode).toBe(
      200,
    );
    expect((await app.inject({ url: '/api/v1/orgs', headers: vendor.headers })).statusCode).toBe(200); // not staff
  });

  it('pages lists with an opaque cursor', async () => {
    const ctx = makeCtx(db);
    const { session } = await userSession(app, ctx, 'admin');
    for (let i = 0; i < 4; i++) await makeUser(ctx);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await app.inject({ url, headers: session.headers })).json<{
        items: { id: string }[];
        nextCursor: string | null;
      }>();
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('several app nodes share sessions and rate limits through the database', async () => {
    const second = db.url ? openPostgres(db.url, 2) : null; // a separate pool, like another process
    const other = await buildApp(
      {
        db: second?.db ?? db.db,
        config: testConfig({ ACCORD_RATE_LIMIT_AUTH: '2' }),
        log: { info() {}, warn() {}, error() {} },
        now: () => new Date(),
      },
      { engine: db.engine, version: 't', webDir: null },
    );
    const first = await buildApp(
      {
        db: db.db,
        config: testConfig({ ACCORD_RATE_LIMIT_AUTH: '2' }),
        log: { info() {}, warn() {}, error() {} },
        now: () => new Date(),
      },
      { engine: db.engine, version: 't', webDir: null },
    );
    const user = await makeUser(makeCtx(db));
    const session = await signIn(first, user.email);
    expect((await other.inject({ url: '/api/v1/me', headers: { cookie: session.cookie } })).statusCode).toBe(200);
    const r = await other.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: user.email, password: 'wrong password' },
    });
    expect(r.statusCode).toBe(401);
    const limited = await first.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: user.email, password: 'wrong password' },
    });
    expect(limited.statusCode).toBe(429); // the third attempt across both nodes
    await other.close();
    await first.close();
    await second?.close();
  });
});

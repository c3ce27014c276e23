import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Ctx, Logger } from '../../src/app/context.ts';
import { inTransaction } from '../../src/app/context.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import type { DatabaseHandle } from '../../src/db/connect.ts';
import type { OrganizationRow, UserRow } from '../../src/db/schema.ts';
import { startAuthCache } from '../../src/auth/cache.ts';
import { buildApp } from '../../src/http/app.ts';
import { createOrg, ensureHomeOrg, setMembership } from '../../src/orgs/commands.ts';
import { systemActor, type Actor, type UserActor } from '../../src/policy/actor.ts';
import { createUserInTx } from '../../src/users/commands.ts';
import { findUserById, membershipsOf, toActor } from '../../src/users/queries.ts';

export const silentLog: Logger = { info() {}, warn() {}, error() {} };

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ ACCORD_BASE_URL: 'http://127.0.0.1:8080', ACCORD_DATA_DIR: '/nonexistent', ...env });
}

export interface Clock {
  now: () => Date;
  advance(ms: number): void;
  set(d: Date): void;
}

/** A clock tests can move, so expiry and back-off are tested without sleeping. */
export function testClock(start = new Date()): Clock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(ms) {
      t += ms;
    },
    set(d) {
      t = d.getTime();
    },
  };
}

export function makeCtx(db: DatabaseHandle, opts: { actor?: Actor; config?: Config; clock?: Clock } = {}): Ctx {
  return {
    db: db.db,
    config: opts.config ?? testConfig(),
    log: silentLog,
    actor: opts.actor ?? systemActor('test'),
    meta: { requestId: 'test-request', ip: '127.0.0.1' },
    now: opts.clock?.now ?? (() => new Date()),
  };
}

export const PASSWORD = 'correct horse battery staple';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.org`;
}

/** A user with an optional staff role and password `PASSWORD`. */
export async function makeUser(
  ctx: Ctx,
  opts: { role?: string | null; email?: string; password?: string | null; name?: string } = {},
): Promise<UserRow> {
  await ensureHomeOrg(ctx);
  return inTransaction(ctx, (tx) =>
    createUserInTx(
      tx,
      { ...ctx, actor: systemActor('test') },
      {
        email: opts.email ?? uniqueEmail(),
        name: opts.name ?? 'Test User',
        password: opts.password === undefined ? PASSWORD : opts.password,
        staffRole: opts.role ?? null,
      },
    ),
  );
}

export async function makeOrg(ctx: Ctx, opts: { name?: string; kind?: string } = {}): Promise<OrganizationRow> {
  return createOrg(
    { ...ctx, actor: systemActor('test') },
    { name: opts.name ?? `Org ${randomBytes(3).toString('hex')}`, kind: opts.kind ?? 'vendor' },
  );
}

export async function addMember(ctx: Ctx, orgId: string, userId: string, role: string): Promise<void> {
  await setMembership({ ...ctx, actor: systemActor('test') }, orgId, userId, role);
}

export async function actorOf(ctx: Ctx, userId: string): Promise<UserActor> {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new Error(`no user ${userId}`);
  return toActor(user, await membershipsOf(ctx.db, userId), 'session');
}

export async function makeApp(
  db: DatabaseHandle,
  opts: { config?: Config; clock?: Clock } = {},
): Promise<FastifyInstance> {
  const config = opts.config ?? testConfig();
  await ensureHomeOrg(makeCtx(db, { config }));
  // With the authentication cache, as in production: every HTTP test also checks that a change
  // (revocation, role, disabling) empties it.
  const { cache, stop } = await startAuthCache(db, silentLog);
  const app = await buildApp(
    { db: db.db, config, log: silentLog, now: opts.clock?.now ?? (() => new Date()), authCache: cache },
    { engine: db.engine, version: 'test', webDir: null },
  );
  app.addHook('onClose', stop);
  return app;
}

export interface Session {
  cookie: string;
  csrf: string;
  headers: Record<string, string>;
}

/** Signs in through the API and returns the cookie and CSRF header for later writes. */
export async function signIn(
  app: FastifyInstance,
  email: string,
  password = PASSWORD,
  totp?: string,
): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email, password, ...(totp ? { totp } : {}) },
  });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const setCookie = res.headers['set-cookie'];
  const raw = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  const cookie = (raw ?? '').split(';')[0] ?? '';
  const csrf = res.json<{ csrfToken: string }>().csrfToken;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}

/** Creates a user with the role, signs them in, and returns their session headers. */
export async function userSession(
  app: FastifyInstance,
  ctx: Ctx,
  role: string | null,
): Promise<{ user: UserRow; session: Session }> {
  const user = await makeUser(ctx, { role });
  return { user, session: await signIn(app, user.email) };
}

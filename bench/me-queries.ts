// Where the time of GET /api/v1/me goes: times each database step of the request in-process,
// one at a time (no concurrency), on one engine. A diagnostic next to `npm run bench`.
// Usage: node bin/tsx.mjs bench/me-queries.ts [embedded|postgres]   (BENCH_ITERATIONS, default 500)
// postgres uses DATABASE_URL, else a throwaway PostgreSQL 15 like bench/run.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pino from 'pino';
import { sha256 } from '../src/auth/secrets.ts';
import { createApiToken, resolveApiToken } from '../src/auth/tokens.ts';
import { loadConfig } from '../src/config/config.ts';
import { systemActor } from '../src/policy/actor.ts';
import { openInstance } from '../src/server/serve.ts';
import { createUser } from '../src/users/commands.ts';
import { presentUser } from '../src/users/present.ts';
import { findUserByEmail, membershipsOf, toActor } from '../src/users/queries.ts';
import { median } from './cold-start.ts';
import { BENCH_EMAIL } from './engine.ts';
import { providePostgres, stopAllPostgresSync, type Postgres } from './postgres.ts';
import { progress } from './proc.ts';

interface StepTiming {
  meanUs: number;
  p50Us: number;
  p99Us: number;
}

async function time(iterations: number, fn: () => Promise<unknown>): Promise<StepTiming> {
  for (let i = 0; i < Math.min(100, iterations); i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) * 1000);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const p99 = samples[Math.min(samples.length - 1, Math.ceil(0.99 * samples.length) - 1)] ?? Number.NaN;
  return { meanUs: Math.round(mean), p50Us: Math.round(median(samples)), p99Us: Math.round(p99) };
}

async function main(): Promise<void> {
  const engine = process.argv[2] ?? 'embedded';
  if (engine !== 'embedded' && engine !== 'postgres') throw new Error('usage: me-queries.ts [embedded|postgres]');
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 500);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-bench-queries-'));
  let pg: Postgres | null = null;
  const env: Record<string, string | undefined> = { ...process.env, ACCORD_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  if (engine === 'postgres') {
    const provided = await providePostgres();
    if (!provided.ok) throw new Error(provided.skipped);
    pg = provided.pg;
    env.DATABASE_URL = pg.url;
  }
  const config = loadConfig(env);
  const { handle, ctx } = await openInstance(config, pino({ level: 'warn' }));
  try {
    const system = { ...ctx, actor: systemActor('bench') };
    const user =
      (await findUserByEmail(ctx.db, BENCH_EMAIL)) ??
      (await createUser(system, { email: BENCH_EMAIL, name: 'Bench', staffRole: 'admin', password: null }));
    const owner = toActor(user, await membershipsOf(ctx.db, user.id), 'cli');
    const { token } = await createApiToken({ ...ctx, actor: owner }, { name: 'bench-queries' });
    const hash = sha256(token);
    const db = ctx.db;

    progress(`${engine}: timing each step ${iterations} times`);
    const steps: Record<string, StepTiming> = {};
    steps['select 1 (round trip through Kysely)'] = await time(iterations, () => sql`select 1`.execute(db));
    steps['healthz query (organizations limit 1)'] = await time(iterations, () =>
      db.selectFrom('organizations').select('id').limit(1).execute(),
    );
    steps['token lookup (api_tokens join users by token_hash)'] = await time(iterations, () =>
      db
        .selectFrom('api_tokens as t')
        .innerJoin('users as u', 'u.id', 't.user_id')
        .selectAll('u')
        .select(['t.id as token_id', 't.expires_at as token_expires_at', 't.revoked_at', 't.last_used_at'])
        .where('t.token_hash', '=', hash)
        .executeTakeFirst(),
    );
    steps['memberships (memberships join organizations)'] = await time(iterations, () => membershipsOf(db, user.id));
    steps['last_used_at update (at most once a minute per token)'] = await time(iterations, () =>
      db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('token_hash', '=', hash).execute(),
    );
    steps['resolveApiToken (lookup + memberships; touch throttled)'] = await time(iterations, () =>
      resolveApiToken(ctx, token),
    );
    const memberships = await membershipsOf(db, user.id);
    steps['presentUser + abilities (no I/O)'] = await time(iterations, async () =>
      presentUser(user, memberships, owner),
    );
    steps['all database work of one /me (resolveApiToken + memberships again)'] = await time(iterations, async () => {
      await resolveApiToken(ctx, token);
      await membershipsOf(db, user.id);
    });
    const report = {
      engine,
      database: engine === 'embedded' ? 'PGlite (in-process)' : `${pg?.version ?? ''} ${pg?.source ?? ''}`.trim(),
      iterations,
      node: process.version,
      cpu: `${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}`,
      steps,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await handle.close();
    await pg?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  progress(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  stopAllPostgresSync();
  process.exitCode = 1;
});

// One engine's load test: Accord's GET /api/v1/me next to a bare Fastify route, same load, same run.
import { type ChildProcess } from 'node:child_process';
import { measure, type LoadResult } from './load.ts';
import { freePort, progress, runCommand, startNode, stopProcess, waitFor200, type Env } from './proc.ts';

export const BENCH_EMAIL = 'bench@example.org';
const BENCH_PASSWORD = 'bench-password-0123456789';
export const AUTH_TARGET_MS = 1;

export interface EngineOptions {
  durationS: number;
  warmupS: number;
  connections: readonly number[];
}

export interface EngineResult {
  /** GET /api/v1/me with Authorization: Bearer <API token>, keyed by connection count. */
  me: Record<string, LoadResult>;
  /** The bare Fastify process: GET /ok → {ok:true}, keyed by connection count. */
  bare: Record<string, LoadResult>;
  /** Points in between, to show where the time goes. */
  context: {
    /** GET /api/v1/me without a token at 10 connections: Accord's plugins and hooks, a 401, no database. */
    meWithoutToken401At10: LoadResult;
    /** GET /healthz at 10 connections: Accord's plugins and hooks plus one trivial query, no authentication. */
    healthzAt10: LoadResult;
    /** 1 connection: the server is never saturated, so p50 is one request's latency, not queueing. */
    bareAt1: LoadResult;
    meAt1: LoadResult;
  };
  /** Accord /me p50 − bare p50 at 10 connections (ms): the target. */
  authOverheadP50At10ConnectionsMs: number | null;
  /** The same at 1 connection (ms). */
  authOverheadP50At1ConnectionMs: number;
  authTarget: { limitMs: number; met: boolean | null };
}

const accordCli = (args: string[], env: Env, input?: string) =>
  runCommand(process.execPath, ['bin/accord.mjs', ...args], { env, ...(input === undefined ? {} : { input }) });

/**
 * Creates a staff user and an API token with the CLI (before the server: the embedded DB has one
 * owner). Defaults: the admin used for /me.
 */
export async function createToken(
  env: Env,
  who: { email: string; role: string; tokenName: string } = { email: BENCH_EMAIL, role: 'admin', tokenName: 'bench' },
): Promise<string> {
  try {
    await accordCli(
      ['user', 'add', '--email', who.email, '--name', 'Bench', '--role', who.role, '--password-stdin'],
      env,
      `${BENCH_PASSWORD}\n`,
    );
  } catch (err) {
    // A DATABASE_URL from an earlier run may already have the user; the token is what matters.
    if (!(err instanceof Error && /exists already/.test(err.message))) throw err;
    progress(`${who.email} exists already; reusing it`);
  }
  const out = await accordCli(['token', 'create', '--email', who.email, '--name', who.tokenName], env);
  const token = out
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('acc_'));
  if (!token) throw new Error(`"accord token create" printed no token: ${out}`);
  return token;
}

export async function startServer(label: string, args: string[], env: Env, readyPath: string) {
  const port = await freePort();
  const child = startNode(label, args, { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  await waitFor200(`${base}${readyPath}`, child, { timeoutMs: 120_000 });
  return { child, base };
}

export async function benchEngine(engine: string, env: Env, opts: EngineOptions): Promise<EngineResult> {
  progress(`${engine}: creating the bench user and API token`);
  const token = await createToken(env);
  const started: ChildProcess[] = [];
  try {
    const accord = await startServer('accord', ['bin/accord.mjs', 'serve'], env, '/healthz');
    started.push(accord.child);
    const bare = await startServer('bare', ['bin/tsx.mjs', 'bench/bare-server.ts'], env, '/ok');
    started.push(bare.child);
    const auth = { authorization: `Bearer ${token}` };
    const serverPid = accord.child.pid;
    const load = { durationS: opts.durationS, warmupS: opts.warmupS };

    const me: Record<string, LoadResult> = {};
    const bareResults: Record<string, LoadResult> = {};
    for (const connections of opts.connections) {
      progress(`${engine}: bare Fastify GET /ok, ${connections} connections, ${opts.durationS} s`);
      bareResults[connections] = await measure(`${bare.base}/ok`, { ...load, connections, serverPid: bare.child.pid });
      progress(`${engine}: Accord GET /api/v1/me, ${connections} connections, ${opts.durationS} s`);
      me[connections] = await measure(`${accord.base}/api/v1/me`, { ...load, connections, headers: auth, serverPid });
    }
    progress(`${engine}: context runs (/me without token and /healthz at 10 connections; bare and /me at 1)`);
    const meWithoutToken401At10 = await measure(`${accord.base}/api/v1/me`, {
      ...load,
      connections: 10,
      expectStatus: 401,
      serverPid,
    });
    const healthzAt10 = await measure(`${accord.base}/healthz`, { ...load, connections: 10, serverPid });
    const bareAt1 = await measure(`${bare.base}/ok`, { ...load, connections: 1, serverPid: bare.child.pid });
    const meAt1 = await measure(`${accord.base}/api/v1/me`, { ...load, connections: 1, headers: auth, serverPid });

    const diff = (a: LoadResult, b: LoadResult) => Number((a.latencyMs.p50 - b.latencyMs.p50).toFixed(3));
    const overhead = me['10'] && bareResults['10'] ? diff(me['10'], bareResults['10']) : null;
    return {
      me,
      bare: bareResults,
      context: { meWithoutToken401At10, healthzAt10, bareAt1, meAt1 },
      authOverheadP50At10ConnectionsMs: overhead,
      authOverheadP50At1ConnectionMs: diff(meAt1, bareAt1),
      authTarget: { limitMs: AUTH_TARGET_MS, met: overhead === null ? null : overhead < AUTH_TARGET_MS },
    };
  } finally {
    for (const child of started.reverse()) await stopProcess(child);
  }
}

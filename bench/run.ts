// `npm run bench`: throughput and latency of GET /api/v1/me on both engines next to a bare Fastify
// route, cold start of the embedded engine, report intake and the triage queue (100,000
// reports), and a case with 300 vendors (case page, status matrix, encrypted notification of
// every vendor). Prints one JSON document on stdout; progress on stderr.
// Env: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_ENGINES (default
// "embedded,postgres"), BENCH_SUITES (default "me,cold,reports,cases"), BENCH_COLD_RUNS (default 3),
// BENCH_INTAKE_REPORTS (1000), BENCH_INTAKE_CONCURRENCY (10), BENCH_INTAKE_MAX_S (600), BENCH_INTAKE_AT_SCALE (30), BENCH_SEED_REPORTS (100000),
// BENCH_SEED_WORDS (150), BENCH_QUEUE_REQUESTS (200), BENCH_CASE_VENDORS (300), BENCH_CASE_MESSAGES (2000),
// BENCH_CASE_REQUESTS (200), BENCH_CASE_NOTIFY_MAX_S (120), BENCH_CASE_NOTIFY_BACKLOG (1000; 0 skips the second post),
// DATABASE_URL (else a throwaway PostgreSQL 15).
// Suite "metrics" (bench/metrics.ts): 10,000 cases with events, full recomputation and dashboard p95; BENCH_METRICS_CASES
// (10000), BENCH_METRICS_RECOMPUTE_RUNS (5), BENCH_METRICS_REQUESTS (200).
// Suite "formats" (bench/formats.ts): CVSS 4.0 scoring of all 104,976 base vectors, CSAF validation of 1,000 products.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServerBundle, measureColdStart, type ColdStartResult } from './cold-start.ts';
import { benchCases, type CasesOptions, type CasesResult } from './cases.ts';
import { benchEngine, type EngineResult } from './engine.ts';
import { benchFormats, type FormatsResult } from './formats.ts';
import { providePostgres, stopAllPostgresSync } from './postgres.ts';
import { benchReports, type ReportsOptions, type ReportsResult } from './reports.ts';
import { benchMetrics, type MetricsOptions, type MetricsResult } from './metrics.ts';
import { killAllChildren, progress, rootDir, type Env } from './proc.ts';

type EngineName = 'embedded' | 'postgres';
type Suite = 'me' | 'cold' | 'reports' | 'cases' | 'formats' | 'metrics';
type EngineReport =
  | ({ database: string } & Partial<EngineResult> & {
        reports?: ReportsResult;
        cases?: CasesResult;
        metrics?: MetricsResult;
      })
  | { skipped: string };
const allSuites: readonly Suite[] = ['me', 'cold', 'reports', 'cases', 'formats', 'metrics'];

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}="${raw}" must be a whole number >= ${min}`);
  return n;
}

function versionOf(pkg: string): string {
  const file = path.join(rootDir, 'node_modules', pkg, 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

function parseEngines(): EngineName[] {
  const list = (process.env.BENCH_ENGINES ?? 'embedded,postgres')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const e of list) {
    if (e !== 'embedded' && e !== 'postgres') throw new Error(`BENCH_ENGINES: unknown engine "${e}"`);
  }
  return list as EngineName[];
}

function parseSuites(): Set<Suite> {
  const list = (process.env.BENCH_SUITES ?? allSuites.join(','))
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const s of list) {
    if (!(allSuites as readonly string[]).includes(s)) throw new Error(`BENCH_SUITES: unknown suite "${s}"`);
  }
  return new Set(list as Suite[]);
}

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

function cleanupSync(): void {
  killAllChildren();
  stopAllPostgresSync();
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const durationS = intEnv('BENCH_DURATION', 10, 1);
  const warmupS = intEnv('BENCH_WARMUP', 3, 0);
  const coldRuns = intEnv('BENCH_COLD_RUNS', 3, 1);
  const engines = parseEngines();
  const suites = parseSuites();
  const reportsOpts: ReportsOptions = {
    intakeCount: intEnv('BENCH_INTAKE_REPORTS', 1000, 1),
    intakeConcurrency: intEnv('BENCH_INTAKE_CONCURRENCY', 10, 1),
    intakeMaxS: intEnv('BENCH_INTAKE_MAX_S', 600, 1),
    intakeAtScaleCount: intEnv('BENCH_INTAKE_AT_SCALE', 30, 1),
    intakeBytes: 10 * 1024,
    seedCount: intEnv('BENCH_SEED_REPORTS', 100_000, 1),
    seedWords: intEnv('BENCH_SEED_WORDS', 150, 1),
    queueRequests: intEnv('BENCH_QUEUE_REQUESTS', 200, 1),
    queueWarmup: 20,
    durationS,
    warmupS,
  };
  const casesOpts: CasesOptions = {
    vendors: intEnv('BENCH_CASE_VENDORS', 300, 1),
    vulnerabilities: 5,
    messages: intEnv('BENCH_CASE_MESSAGES', 2000, 1),
    privateThreads: 60,
    requests: intEnv('BENCH_CASE_REQUESTS', 200, 1),
    warmup: 20,
    notifyTimeoutS: intEnv('BENCH_CASE_NOTIFY_MAX_S', 120, 1),
    notifyBacklog: intEnv('BENCH_CASE_NOTIFY_BACKLOG', 1000, 0),
  };
  const metricsOpts: MetricsOptions = {
    cases: intEnv('BENCH_METRICS_CASES', 10_000, 1),
    recomputeRuns: intEnv('BENCH_METRICS_RECOMPUTE_RUNS', 5, 1),
    requests: intEnv('BENCH_METRICS_REQUESTS', 200, 1),
    warmup: 20,
  };
  const connections = [50, 10] as const;
  const cpus = os.cpus();
  // Measure what `npm start` runs: the pre-built server bundle (bin/accord.mjs uses it when fresh).
  progress('building the server bundle (npm run build:server)');
  buildServerBundle();
  const loadAtStart = os.loadavg().map((l) => Number(l.toFixed(2)));
  if ((loadAtStart[0] ?? 0) > 0.5) progress(`warning: load average is ${loadAtStart.join(' ')}; results will be noisy`);

  const baseEnv: Env = { ...process.env, HOST: '127.0.0.1', ACCORD_LOG_LEVEL: 'warn' };
  delete baseEnv.DATABASE_URL;
  delete baseEnv.PORT;

  const results: Partial<Record<EngineName, EngineReport>> = {};
  let coldStart: ColdStartResult | { skipped: string } = {
    skipped: suites.has('cold') ? 'the embedded engine was not selected' : 'not in BENCH_SUITES',
  };
  const opts = { durationS, warmupS, connections };

  for (const engine of engines) {
    if (engine === 'embedded') {
      const entry: EngineReport = { database: `PGlite ${versionOf('@electric-sql/pglite')} (in-process)` };
      results.embedded = entry;
      if (suites.has('me') || suites.has('cold')) {
        const dataDir = tempDir('accord-bench-embedded-');
        const env: Env = { ...baseEnv, ACCORD_DATA_DIR: dataDir };
        if (suites.has('me')) Object.assign(entry, await benchEngine('embedded', env, opts));
        if (suites.has('cold')) {
          progress(`cold start (${coldRuns} runs on the migrated data dir, ${coldRuns} on fresh ones)`);
          coldStart = await measureColdStart(baseEnv, dataDir, coldRuns);
        }
      }
      if (suites.has('reports')) {
        // A data directory of its own, so that the 100,000 reports change neither /me nor cold start.
        const env: Env = { ...baseEnv, ACCORD_DATA_DIR: tempDir('accord-bench-reports-') };
        entry.reports = await benchReports('embedded', env, reportsOpts);
      }
      if (suites.has('cases')) {
        // A data directory of its own, like the reports.
        const env: Env = { ...baseEnv, ACCORD_DATA_DIR: tempDir('accord-bench-cases-') };
        entry.cases = await benchCases('embedded', env, casesOpts);
      }
      if (suites.has('metrics')) {
        // A data directory of its own, like the reports.
        const env: Env = { ...baseEnv, ACCORD_DATA_DIR: tempDir('accord-bench-metrics-') };
        entry.metrics = await benchMetrics('embedded', env, metricsOpts);
      }
    } else {
      if (!suites.has('me') && !suites.has('reports') && !suites.has('cases') && !suites.has('metrics')) continue;
      const provided = await providePostgres();
      if (!provided.ok) {
        progress(`postgres skipped: ${provided.skipped}`);
        results.postgres = { skipped: provided.skipped };
        continue;
      }
      const { pg } = provided;
      try {
        const env: Env = { ...baseEnv, DATABASE_URL: pg.url, ACCORD_DATA_DIR: tempDir('accord-bench-pgdata-') };
        const entry: EngineReport = { database: `${pg.version}, ${pg.source}, pool of 10 connections` };
        results.postgres = entry;
        if (suites.has('me')) Object.assign(entry, await benchEngine('postgres', env, opts));
        if (suites.has('reports')) entry.reports = await benchReports('postgres', env, reportsOpts);
        if (suites.has('cases')) entry.cases = await benchCases('postgres', env, casesOpts);
        if (suites.has('metrics')) entry.metrics = await benchMetrics('postgres', env, metricsOpts);
      } finally {
        await pg.stop();
      }
    }
  }

  // In-process (no server, no database): CVSS 4.0 scoring of every base vector and CSAF validation (bench/formats.ts).
  const formats: FormatsResult | { skipped: string } = suites.has('formats')
    ? await benchFormats()
    : { skipped: 'not in BENCH_SUITES' };

  const report = {
    benchmark:
      'Accord GET /api/v1/me (Bearer API token) vs. a bare Fastify route; embedded cold start; report intake and triage queue; a case with 300 vendors',
    date: new Date().toISOString(),
    machine: {
      cpuModel: cpus[0]?.model ?? 'unknown',
      cpuCount: cpus.length,
      totalMemoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
      /** 1/5/15-minute load averages before the run; anything else running skews the numbers. */
      loadAverageAtStart: loadAtStart,
    },
    settings: {
      durationS,
      warmupS,
      connections,
      engines,
      suites: [...suites],
      reports: reportsOpts,
      cases: casesOpts,
      metrics: metricsOpts,
      loadGenerator: `autocannon ${versionOf('autocannon')} (programmatic API in the bench process; every server is a child process)`,
      fastify: versionOf('fastify'),
      latency: 'ms; percentiles over every response time autocannon measured (sub-millisecond)',
      server: 'node bin/accord.mjs serve, HOST=127.0.0.1, ACCORD_LOG_LEVEL=warn',
      loadGeneratorSharesMachine: true,
    },
    engines: results,
    coldStart,
    formats,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

process.on('exit', cleanupSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    progress(`${signal}: stopping child processes`);
    cleanupSync();
    process.exit(130);
  });
}

main().then(
  () => {
    cleanupSync();
  },
  (err: unknown) => {
    progress(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    cleanupSync();
    process.exitCode = 1;
  },
);

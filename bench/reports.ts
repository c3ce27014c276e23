// Report intake and the triage queue (issue 3's targets), over HTTP against `accord serve`:
//   intake: N anonymous POST /api/v1/reports with ~10 KB descriptions, a few connections at a time;
//   queue:  100,000 reports seeded in SQL, then GET /api/v1/reports (first page) with and without
//           filters, one request at a time, as an analyst with an API token.
// Afterwards the queue and duplicate-search queries are run under EXPLAIN ANALYZE in the bench
// process (the server stopped: the embedded database has one owner), to show where time goes.
import { type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { openDatabase } from '../src/db/connect.ts';
import type { Database } from '../src/db/schema.ts';
import { systemActor } from '../src/policy/actor.ts';
import { listReports, similarReports, type QueueFilter } from '../src/reports/queries.ts';
import { createToken, startServer } from './engine.ts';
import { capturing, explain, type ExplainResult } from './explain.ts';
import { round, send, summarize, type Latency, type Reply } from './http.ts';
import { cpuMs, measure, type LoadResult } from './load.ts';
import { progress, stopProcess, type Env } from './proc.ts';
import { description, pick, prng, PRODUCTS, skewedIndex, TITLES, VENDORS, VOCABULARY } from './text.ts';

export const REPORTS_TARGET_P95_MS = 100;
const ANALYST_EMAIL = 'bench-analyst@example.org';

export interface ReportsOptions {
  /** Reports posted in the intake run (issue 3: 1,000). */
  intakeCount: number;
  /** Requests in flight during intake. */
  intakeConcurrency: number;
  /** Intake stops taking new reports after this many seconds (the result says so). */
  intakeMaxS: number;
  /** Reports posted one at a time once the queue's reports are in the database. */
  intakeAtScaleCount: number;
  /** Characters of each intake report's description (issue 3: 10 KB). */
  intakeBytes: number;
  /** Reports in the database for the queue (issue 3: 100,000); seeded in SQL. */
  seedCount: number;
  /** Words per seeded description (about 7 characters each). */
  seedWords: number;
  /** Measured requests per queue variant (after `queueWarmup` discarded ones). */
  queueRequests: number;
  queueWarmup: number;
  /** For the default queue at 10 connections (autocannon). */
  durationS: number;
  warmupS: number;
}

export interface IntakeResult {
  /** Reports accepted (201); fewer than asked when the time limit stopped the run. */
  reports: number;
  requested: number;
  stoppedByTimeLimitS: number | null;
  concurrency: number;
  descriptionChars: number;
  meanBodyBytes: number;
  reportsInDatabaseBefore: number;
  totalS: number;
  reportsPerSec: number;
  latencyMs: Latency;
  /** Mean latency (ms) of each successive hundred reports accepted: how intake slows as reports accumulate. */
  meanMsPerHundred: number[];
  /** CPU time of the server process (Node side; PostgreSQL backends not included). */
  serverCpu: { utilizationPct: number; msPerReport: number } | null;
  p95TargetMet: boolean;
}

export interface QueueVariant {
  path: string;
  /** Rows on the first page (50 by default) and how many reports match the filter in all. */
  itemsOnFirstPage: number;
  matchingReports: number | null;
  responseBytes: number;
  latencyMs: Latency;
  p95TargetMet: boolean;
}

export interface ReportsResult {
  intake: IntakeResult;
  seed: { reports: number; descriptionWordsPerReport: string; insertS: number; vacuumAnalyzeS: number };
  queue: {
    reportsInDatabase: number;
    /** One request at a time: each request's own latency (a triager opening the queue). */
    variants: Record<string, QueueVariant>;
    /** The default first page under 10 concurrent connections, for throughput. */
    defaultAt10Connections: LoadResult;
    allP95TargetsMet: boolean;
  };
  /** Intake again with the 100,000 reports present: every intake searches for similar reports. */
  intakeWithSeededDatabase: IntakeResult;
  explain: Record<string, ExplainResult>;
}

// ---------------------------------------------------------------------------------------------
// Intake

const CVSS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N',
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
  'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N',
] as const;
const CWES = ['CWE-79', 'CWE-89', 'CWE-22', 'CWE-918', 'CWE-287', 'CWE-502', 'CWE-787', 'CWE-352', 'CWE-269'];

/** The JSON bodies of `count` varied reports (deterministic for a seed). */
export function intakeBodies(count: number, bytes: number, seed: number): string[] {
  const rand = prng(seed);
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const vendor = pick(rand, VENDORS);
    const product = PRODUCTS[skewedIndex(rand, PRODUCTS.length)]!;
    const version = `${1 + Math.floor(rand() * 9)}.${Math.floor(rand() * 20)}.${Math.floor(rand() * 10)}`;
    const word = VOCABULARY[skewedIndex(rand, VOCABULARY.length)]!;
    const withContact = rand() < 0.6;
    const report = {
      title: `${pick(rand, TITLES)} ${vendor} ${product} (${word})`,
      affected: [
        {
          vendor,
          product,
          versions: `< ${version}`,
          identifier: `pkg:generic/${vendor.toLowerCase()}/${product.toLowerCase()}@${version}`,
        },
      ],
      description: description(rand, bytes),
      reproduction: description(rand, 300),
      impact: description(rand, 120),
      cvss: pick(rand, CVSS),
      cwe: pick(rand, CWES),
      alreadyPublic: rand() < 0.1,
      exploited: rand() < 0.05,
      credit: withContact ? { mode: 'handle', value: `finder${i % 200}`, type: 'FINDER' } : { mode: 'anonymous' },
      // 200 finders, each reporting again only every 200 reports: two reports from one new finder
      // at the same moment make `accord serve` answer 500 (the finder upsert races; see docs).
      ...(withContact ? { contactEmail: `finder${i % 200}@example.net` } : {}),
      language: rand() < 0.9 ? 'en' : 'ja',
    };
    bodies.push(JSON.stringify(report));
  }
  return bodies;
}

async function intake(
  base: string,
  serverPid: number | undefined,
  opts: { count: number; concurrency: number; bytes: number; seed: number; reportsBefore: number; maxS: number },
): Promise<IntakeResult> {
  const bodies = intakeBodies(opts.count, opts.bytes, opts.seed);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const url = `${base}/api/v1/reports`;
  const samples: number[] = [];
  let next = 0;
  const cpuBefore = cpuMs(serverPid);
  const t0 = performance.now();
  let stopped = false;
  let lastLog = t0;
  const worker = async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      const now = performance.now();
      if (now - t0 > opts.maxS * 1000) {
        stopped = true;
        return;
      }
      if (now - lastLog > 30_000) {
        lastLog = now;
        const recent = samples.slice(-opts.concurrency * 5);
        const mean = recent.reduce((a, b) => a + b, 0) / Math.max(1, recent.length);
        progress(
          `  intake: ${samples.length} reports in ${Math.round((now - t0) / 1000)} s, recent mean ${Math.round(mean)} ms`,
        );
      }
      const body = bodies[i]!;
      const r = await send(
        agent,
        url,
        'POST',
        { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        body,
      );
      if (r.status !== 201) throw new Error(`POST ${url} answered ${r.status}: ${r.body.slice(0, 500)}`);
      samples.push(r.ms);
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const wallMs = performance.now() - t0;
  const cpuAfter = cpuMs(serverPid);
  const latencyMs = summarize(samples);
  const meanMsPerHundred: number[] = [];
  for (let i = 0; i < samples.length; i += 100) {
    const chunk = samples.slice(i, i + 100);
    meanMsPerHundred.push(Math.round(chunk.reduce((a, b) => a + b, 0) / chunk.length));
  }
  return {
    reports: samples.length,
    requested: opts.count,
    stoppedByTimeLimitS: stopped ? opts.maxS : null,
    concurrency: opts.concurrency,
    descriptionChars: opts.bytes,
    meanBodyBytes: Math.round(bodies.reduce((a, b) => a + Buffer.byteLength(b), 0) / bodies.length),
    reportsInDatabaseBefore: opts.reportsBefore,
    totalS: round(wallMs / 1000, 2),
    reportsPerSec: round((samples.length * 1000) / wallMs, 1),
    latencyMs,
    meanMsPerHundred,
    serverCpu:
      cpuBefore === null || cpuAfter === null
        ? null
        : {
            utilizationPct: round(((cpuAfter - cpuBefore) / wallMs) * 100, 1),
            msPerReport: round((cpuAfter - cpuBefore) / samples.length, 2),
          },
    p95TargetMet: !stopped && latencyMs.p95 < REPORTS_TARGET_P95_MS,
  };
}

// ---------------------------------------------------------------------------------------------
// Seeding

/**
 * Inserts `count` reports in one statement: created over the last two years (newest first),
 * states by age (recent ones mostly Received, old ones mostly Closed, a few forgotten ones still
 * Received and so breached), SLA columns as intake and triage would set them, varied titles,
 * products and descriptions (skewed words from the same vocabulary as intake). No events,
 * messages or finders: the queue reads the reports table only.
 */
export async function seedReports(db: Kysely<Database>, count: number, words: number, prefix: string): Promise<void> {
  const list = (xs: readonly string[]) => xs.join('|');
  await sql`
    with v as (
      select string_to_array(${list(VOCABULARY)}, '|') as w,
             string_to_array(${list(VENDORS)}, '|') as vendors,
             string_to_array(${list(PRODUCTS)}, '|') as products,
             string_to_array(${list(TITLES)}, '|') as titles,
             string_to_array(${list(CVSS)}, '|') as cvss,
             string_to_array(${list(CWES)}, '|') as cwes,
             (select id from users where lower(email) = ${ANALYST_EMAIL}) as analyst
    ), g as (
      select i, h, at, extract(epoch from now() - at) / 86400 as age_days,
             v.vendors[1 + (h / 13) % array_length(v.vendors, 1)] as vendor,
             v.products[1 + floor(array_length(v.products, 1) * power(((h / 17) % 1000) / 1000.0, 2))::int] as product,
             (1 + (h / 7) % 9) || '.' || (h / 11) % 20 || '.' || (h / 19) % 10 as version
      from v, generate_series(1, ${count}::int) as s(i)
      cross join lateral (
        select abs(hashtext('bench-seed-' || i)) as h,
               (now() - (i - 1) * (interval '730 days' / ${count}::int) - (abs(hashtext('t' || i)) % 600) * interval '1 s')::timestamptz(3) as at
      ) x
    ), r as (
      select g.*,
        case
          when age_days < 14 then (array['R','R','R','R','R','R','V','V','I','A'])[1 + h % 10]
          when age_days < 90 then case when h % 100 < 2 then 'R' when h % 100 < 12 then 'V' when h % 100 < 27 then 'I'
                                       when h % 100 < 57 then 'A' when h % 100 < 62 then 'D' else 'C' end
          else case when h % 1000 < 3 then 'R' when h % 1000 < 13 then 'V' when h % 1000 < 113 then 'I'
                    when h % 1000 < 213 then 'A' when h % 1000 < 263 then 'D' else 'C' end
        end as state,
        (h / 23) % 10 = 0 as asked
      from g
    )
    insert into reports (id, tracking_id, title, description, products, details, language, channel, rm_state,
      close_reason, duplicate_of, finder_id, submitted_by, assignee_id, cvss_vector, cvss_score, severity, cwe,
      followup_hash, submitted_encrypted, ack_due_at, ack_risk_at, acknowledged_at, triage_due_at, triage_risk_at,
      triaged_at, awaiting_finder_since, created_at, updated_at)
    select gen_random_uuid(),
      ${prefix} || '-' || to_char(r.at, 'YYYY') || '-' || (100000 + r.i),
      v.titles[1 + r.h % array_length(v.titles, 1)] || ' ' || r.vendor || ' ' || r.product || ' ' || r.version,
      -- (k in the argument keeps the aggregate in this sub-select: random() per word, per report)
      (select string_agg(case when k < 0 then '' when random() < 0.03 then 'fn_' || floor(random() * 50000)::int
                              else v.w[1 + floor(array_length(v.w, 1) * power(random(), 2.5))::int] end, ' ')
         from generate_series(1, ${words}::int + r.i % 40) as gs(k)),
      r.vendor || ' ' || r.product || ' < ' || r.version || ' pkg:generic/' || lower(r.vendor) || '/' || lower(r.product),
      '{}'::jsonb,
      case r.h % 20 when 0 then 'ja' when 1 then 'de' else 'en' end,
      (array['api','web','web','email'])[1 + (r.h / 7) % 4],
      r.state,
      case when r.state = 'C' then (array['duplicate','out_of_scope','not_a_vulnerability','spam','informational'])[1 + r.h % 5] end,
      null, null, null,
      case when r.state <> 'R' and r.h % 3 > 0 then v.analyst end,
      case when r.h % 4 > 0 then v.cvss[1 + r.h % 5] end,
      case when r.h % 4 > 0 then (array[9.8, 9.0, 6.1, 7.8, 5.9])[1 + r.h % 5] end,
      case when r.h % 4 > 0 then (array['critical','critical','medium','high','medium'])[1 + r.h % 5] end,
      v.cwes[1 + r.h % array_length(v.cwes, 1)],
      encode(sha256(convert_to('bench-seed-' || r.i, 'UTF8')), 'hex'),
      false,
      r.at + interval '5 days', r.at + interval '4 days',
      case when r.state <> 'R' or r.asked then r.at + interval '1 day' end,
      r.at + interval '14 days', r.at + interval '11 days',
      case when r.state <> 'R' then r.at + interval '3 days' end,
      case when r.state = 'R' and r.asked then r.at + interval '2 days' end,
      r.at, r.at + interval '3 days'
    from r, v`.execute(db);
  // Keep the per-year tracking-id counters ahead of the seeded ids, as intake would have.
  await sql`
    insert into counters (name, value)
    select 'report:' || split_part(tracking_id, '-', 2), max(split_part(tracking_id, '-', 3)::bigint)
    from reports where tracking_id like ${`${prefix}-%`} group by 1
    on conflict (name) do update set value = greatest(counters.value, excluded.value)`.execute(db);
}

// ---------------------------------------------------------------------------------------------
// Queue

/** The first-page requests measured: the default queue and one filter each. */
export const QUEUE_VARIANTS: Record<string, QueueFilter> = {
  default: {},
  'state=R': { state: 'R' },
  'sla=breached': { sla: 'breached' },
  'q=deserialization': { q: 'deserialization' },
  'q=fn_4242 (rare word)': { q: 'fn_4242' },
  'product=printer': { product: 'printer' },
};

function queryString(f: QueueFilter): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function queueVariant(agent: http.Agent, base: string, token: string, filter: QueueFilter, opts: ReportsOptions) {
  const path = `/api/v1/reports${queryString(filter)}`;
  const headers = { authorization: `Bearer ${token}` };
  const samples: number[] = [];
  let last: Reply | null = null;
  for (let i = 0; i < opts.queueWarmup + opts.queueRequests; i++) {
    const r = await send(agent, `${base}${path}`, 'GET', headers);
    if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${r.body.slice(0, 500)}`);
    if (i >= opts.queueWarmup) samples.push(r.ms);
    last = r;
  }
  const items = (JSON.parse(last!.body) as { items: unknown[] }).items.length;
  const latencyMs = summarize(samples);
  return {
    path,
    itemsOnFirstPage: items,
    matchingReports: null,
    responseBytes: Buffer.byteLength(last!.body),
    latencyMs,
    p95TargetMet: latencyMs.p95 < REPORTS_TARGET_P95_MS,
  } satisfies QueueVariant;
}

// ---------------------------------------------------------------------------------------------
// EXPLAIN

/** Runs the queue's queries and intake's duplicate search under EXPLAIN ANALYZE; counts matches. */
async function explainAll(env: Env) {
  const handle = await openDatabase({
    databaseUrl: env.DATABASE_URL ?? null,
    dataDir: env.ACCORD_DATA_DIR!,
    poolSize: 2,
  });
  try {
    const { db, captured } = capturing(handle.db);
    const out: Record<string, ExplainResult> = {};
    const counts: Record<string, number> = {};
    const actor = systemActor('bench');
    for (const [name, filter] of Object.entries(QUEUE_VARIANTS)) {
      captured.length = 0;
      await listReports(db, actor, filter, new Date());
      const select = captured.at(-1)!;
      // Warm the cache first, as the HTTP runs did, then the measured EXPLAIN.
      await explain(handle.db, select);
      out[`queue ${name}`] = await explain(handle.db, select);
      const count = await handle.db.executeQuery<{ n: number }>(
        CompiledQuery.raw(
          `select count(*)::int as n from (${select.sql.replace(/ order by [\s\S]*$/i, '')}) c`,
          [...select.parameters].slice(0, -1),
        ),
      );
      counts[name] = count.rows[0]?.n ?? 0;
    }
    const sample = await handle.db
      .selectFrom('reports')
      .select(['id', 'title', 'products', 'description'])
      .where('channel', '=', 'api')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    captured.length = 0;
    await similarReports(db, sample);
    out['intake similarReports (duplicate search run by every POST)'] = await explain(handle.db, captured.at(-1)!);
    return { explain: out, counts };
  } finally {
    await handle.close();
  }
}

async function countReports(env: Env): Promise<number> {
  const handle = await openDatabase({
    databaseUrl: env.DATABASE_URL ?? null,
    dataDir: env.ACCORD_DATA_DIR!,
    poolSize: 1,
  });
  try {
    const row = await handle.db
      .selectFrom('reports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------

export async function benchReports(engine: string, baseEnv: Env, opts: ReportsOptions): Promise<ReportsResult> {
  // Anonymous intake from one address: lift the per-address limit (default 20 an hour).
  const env: Env = { ...baseEnv, ACCORD_RATE_LIMIT_REPORTS: '1000000' };
  const prefix = env.ACCORD_REPORT_ID_PREFIX?.trim() || 'ACC';
  progress(`${engine}: creating the analyst and an API token for the queue`);
  const token = await createToken(env, { email: ANALYST_EMAIL, role: 'analyst', tokenName: 'bench-queue' });
  let child: ChildProcess | null = null;
  const start = async () => {
    const s = await startServer('accord', ['bin/accord.mjs', 'serve'], env, '/healthz');
    child = s.child;
    return s;
  };
  const stop = async () => {
    if (child) await stopProcess(child);
    child = null;
  };
  try {
    const before = await countReports(env);
    let server = await start();
    progress(
      `${engine}: intake, ${opts.intakeCount} reports of ${opts.intakeBytes} characters, ${opts.intakeConcurrency} at a time`,
    );
    const intakeResult = await intake(server.base, server.child.pid, {
      count: opts.intakeCount,
      concurrency: opts.intakeConcurrency,
      bytes: opts.intakeBytes,
      seed: 1,
      reportsBefore: before,
      maxS: opts.intakeMaxS,
    });
    progress(
      `${engine}: intake ${intakeResult.totalS} s, ${intakeResult.reportsPerSec} reports/s, p95 ${intakeResult.latencyMs.p95} ms`,
    );
    await stop();

    progress(`${engine}: seeding ${opts.seedCount} reports in SQL`);
    const handle = await openDatabase({
      databaseUrl: env.DATABASE_URL ?? null,
      dataDir: env.ACCORD_DATA_DIR!,
      poolSize: 1,
    });
    let insertS: number;
    let vacuumAnalyzeS: number;
    let total: number;
    try {
      let t = performance.now();
      await seedReports(handle.db, opts.seedCount, opts.seedWords, prefix);
      insertS = round((performance.now() - t) / 1000, 1);
      // VACUUM also flushes the full-text index's pending list (PGlite has no autovacuum).
      t = performance.now();
      await sql`vacuum analyze reports`.execute(handle.db);
      vacuumAnalyzeS = round((performance.now() - t) / 1000, 1);
      const row = await handle.db
        .selectFrom('reports')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      total = Number(row.n);
    } finally {
      await handle.close();
    }
    progress(`${engine}: seeded in ${insertS} s, vacuum analyze ${vacuumAnalyzeS} s; ${total} reports`);

    server = await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const variants: Record<string, QueueVariant> = {};
    try {
      for (const [name, filter] of Object.entries(QUEUE_VARIANTS)) {
        const v = await queueVariant(agent, server.base, token, filter, opts);
        variants[name] = v;
        progress(
          `${engine}: queue ${name}: p50 ${v.latencyMs.p50} ms, p95 ${v.latencyMs.p95} ms, ${v.itemsOnFirstPage} items`,
        );
      }
    } finally {
      agent.destroy();
    }
    progress(`${engine}: queue default at 10 connections, ${opts.durationS} s`);
    const defaultAt10Connections = await measure(`${server.base}/api/v1/reports`, {
      connections: 10,
      durationS: opts.durationS,
      warmupS: opts.warmupS,
      headers: { authorization: `Bearer ${token}` },
      serverPid: server.child.pid,
    });
    progress(
      `${engine}: intake of ${opts.intakeAtScaleCount} more reports, one at a time, with ${total} in the database`,
    );
    const intakeWithSeededDatabase = await intake(server.base, server.child.pid, {
      count: opts.intakeAtScaleCount,
      concurrency: 1,
      bytes: opts.intakeBytes,
      seed: 2,
      reportsBefore: total,
      maxS: opts.intakeMaxS,
    });
    progress(
      `${engine}: intake at ${total}: p50 ${intakeWithSeededDatabase.latencyMs.p50} ms, max ${intakeWithSeededDatabase.latencyMs.max} ms`,
    );
    await stop();

    progress(`${engine}: EXPLAIN ANALYZE of the queue queries and the duplicate search`);
    const { explain: plans, counts } = await explainAll(env);
    for (const [name, v] of Object.entries(variants)) v.matchingReports = counts[name] ?? null;

    return {
      intake: intakeResult,
      seed: {
        reports: opts.seedCount,
        descriptionWordsPerReport: `${opts.seedWords}-${opts.seedWords + 39}`,
        insertS,
        vacuumAnalyzeS,
      },
      queue: {
        reportsInDatabase: total,
        variants,
        defaultAt10Connections,
        allP95TargetsMet: Object.values(variants).every((v) => v.p95TargetMet),
      },
      intakeWithSeededDatabase,
      explain: plans,
    };
  } finally {
    await stop();
  }
}

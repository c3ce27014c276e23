// What would make the triage queue's full-text filter and intake's duplicate search fast: the same
// queries on a throwaway database with the bench's 100,000 seeded reports plus 600 reports of 10 KB
// on top (as after the intake run), under EXPLAIN ANALYZE (median of 5), first as the app runs them
// today, then with a stored tsvector column and a GIN index on it. Also times the default queue page
// through Kysely with `r.*` against only the columns the queue presents. A diagnostic next to
// `npm run bench`; it changes the schema of its own throwaway database only.
// Usage: node bin/tsx.mjs bench/report-queries.ts [postgres|embedded]   (results on stdout)
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../src/db/connect.ts';
import type { Database } from '../src/db/schema.ts';
import { providePostgres, stopAllPostgresSync } from './postgres.ts';
import { progress, runCommand, type Env } from './proc.ts';
import { seedReports } from './reports.ts';
import { description, prng } from './text.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function explainMs(db: Kysely<Database>, query: string): Promise<{ ms: number; plan: string[] }> {
  const times: number[] = [];
  let plan: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await sql.raw<Record<string, string>>(`explain (analyze) ${query}`).execute(db);
    plan = r.rows.map((row) => Object.values(row)[0] ?? '');
    times.push(Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1] ?? Number.NaN));
  }
  return { ms: median(times), plan: plan.filter((l) => /Scan|Filter|Index Cond|Rows Removed/.test(l)) };
}

const queuePage = (where: string) =>
  `select r.*, a.name as assignee_name from reports r left join users a on a.id = r.assignee_id
   where ${where} order by r.created_at desc, r.id desc limit 51`;
// What similarReports sends for a typical intake report: up to 30 words of its title, products and
// description, common ones included, OR'ed.
const TERMS =
  "'privilege' | 'escalation' | 'through' | 'the' | 'api' | 'tyrell' | 'wiki' | 'library' | 'pkg' | 'generic' | " +
  "'string' | 'ssrf' | 'page' | 'email' | 'when' | 'function' | '7755' | 'form' | 'token' | 'for' | 'and' | " +
  "'column' | 'cookie' | 'with' | 'buffer' | 'heap' | 'of' | 'in' | 'is' | 'to'";
const similar = (vector: string) =>
  `select id, tracking_id, title, rm_state, ts_rank(${vector}, to_tsquery('simple', $q$${TERMS}$q$)) as score
   from reports r where ${vector} @@ to_tsquery('simple', $q$${TERMS}$q$) and id <> '${randomUUID()}'
   order by score desc, created_at desc limit 5`;
const EXPRESSION = `to_tsvector('simple', r.title || ' ' || r.description || ' ' || r.products)`;
const PRESENTED =
  'r.id, r.tracking_id, r.title, r.rm_state, r.severity, r.cvss_score, r.language, r.products, r.channel, ' +
  'r.assignee_id, r.created_at, r.acknowledged_at, r.ack_due_at, r.ack_risk_at, r.triaged_at, r.triage_due_at, ' +
  'r.triage_risk_at, r.awaiting_finder_since';

async function pageMs(db: Kysely<Database>, columns: string): Promise<{ p50: number; p95: number }> {
  const q = sql.raw(
    `select ${columns}, a.name as assignee_name from reports r left join users a on a.id = r.assignee_id
     order by r.created_at desc, r.id desc limit 51`,
  );
  for (let i = 0; i < 20; i++) await q.execute(db);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await q.execute(db);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const round = (n: number | undefined) => Number((n ?? Number.NaN).toFixed(2));
  return { p50: round(times[100]), p95: round(times[190]) };
}

async function main(): Promise<void> {
  const engine = process.argv[2] ?? 'postgres';
  if (engine !== 'embedded' && engine !== 'postgres') throw new Error('usage: report-queries.ts [postgres|embedded]');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-bench-report-queries-'));
  const env: Env = { ...process.env, ACCORD_DATA_DIR: dataDir, ACCORD_LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const provided = engine === 'postgres' ? await providePostgres() : null;
  if (provided && !provided.ok) throw new Error(provided.skipped);
  if (provided?.ok) env.DATABASE_URL = provided.pg.url;
  try {
    await runCommand(process.execPath, ['bin/accord.mjs', 'migrate'], { env });
    const handle = await openDatabase({ databaseUrl: env.DATABASE_URL ?? null, dataDir, poolSize: 1 });
    const db = handle.db;
    try {
      progress(`${engine}: seeding 100,000 reports and 600 of 10 KB`);
      await seedReports(db, 100_000, 150, 'ACC');
      const rand = prng(7);
      for (let i = 0; i < 600; i++) {
        const at = new Date(Date.now() + 3600_000 + i * 1000);
        await db
          .insertInto('reports')
          .values({
            id: randomUUID(),
            tracking_id: `BIG-2026-${1000 + i}`,
            title: `Report ${i}`,
            description: description(rand, 10 * 1024),
            products: 'ACME Helpdesk < 4.2.1',
            details: '{}',
            language: 'en',
            channel: 'api',
            rm_state: 'R',
            followup_hash: createHash('sha256').update(`big-${i}`).digest('hex'),
            submitted_encrypted: false,
            created_at: at,
            updated_at: at,
          })
          .execute();
      }
      await sql`vacuum analyze reports`.execute(db);

      const results: Record<string, unknown> = {};
      const run = async (label: string, query: string) => {
        progress(`${engine}: ${label}`);
        results[label] = await explainMs(db, query);
      };
      await run(
        'queue q=deserialization, today (expression)',
        queuePage(`(${EXPRESSION} @@ to_tsquery('simple', 'deserialization:*') or r.tracking_id = 'DESERIALIZATION')`),
      );
      await run('duplicate search, today (expression)', similar(EXPRESSION));
      const t0 = performance.now();
      await sql`alter table reports add column search tsvector generated always as
        (to_tsvector('simple', title || ' ' || description || ' ' || products)) stored`.execute(db);
      await sql`create index reports_search_stored on reports using gin (search)`.execute(db);
      await sql`vacuum analyze reports`.execute(db);
      results['adding the stored column and its GIN index to 100,600 reports (ms)'] = Math.round(
        performance.now() - t0,
      );
      await run(
        'queue q=deserialization, stored column',
        queuePage(`(r.search @@ to_tsquery('simple', 'deserialization:*') or r.tracking_id = 'DESERIALIZATION')`),
      );
      await run(
        'queue q=4242 (rare), stored column',
        queuePage(`(r.search @@ to_tsquery('simple', '4242:*') or r.tracking_id = '4242')`),
      );
      await run('duplicate search, stored column', similar('r.search'));
      results['default page through Kysely, r.* (ms)'] = await pageMs(db, 'r.*');
      results['default page through Kysely, presented columns only (ms)'] = await pageMs(db, PRESENTED);
      process.stdout.write(`${JSON.stringify({ engine, node: process.version, results }, null, 2)}\n`);
    } finally {
      await handle.close();
    }
  } finally {
    if (provided?.ok) await provided.pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  progress(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  stopAllPostgresSync();
  process.exitCode = 1;
});

/**
 * One app process's job worker for the exactly-once test: opens its own PostgreSQL pool, runs the
 * publication jobs until none is left after RACE_START (at the latest RACE_UNTIL, epoch ms), prints
 * how many jobs it ran, and exits.
 * Run as `node bin/tsx.mjs src/publication/race-worker.fixture.ts` with RACE_DATABASE_URL set.
 */
import { loadConfig } from '../config/config.ts';
import { openPostgres } from '../db/connect.ts';
import { startWorker } from '../jobs/worker.ts';
import { systemActor } from '../policy/actor.ts';
import { publicationJobHandlers } from './jobs.ts';

const url = process.env.RACE_DATABASE_URL ?? '';
const until = Number(process.env.RACE_UNTIL ?? '0');
const config = loadConfig({
  ACCORD_BASE_URL: 'http://127.0.0.1:8080',
  ACCORD_DATA_DIR: '/nonexistent',
  DATABASE_URL: url,
});
const handle = openPostgres(url, 2);
const quiet = { info() {}, warn() {}, error() {} };
const worker = startWorker(
  {
    db: handle.db,
    config,
    log: quiet,
    actor: systemActor('jobs'),
    meta: { requestId: null, ip: null },
    now: () => new Date(),
  },
  publicationJobHandlers,
  0,
);
const start = Number(process.env.RACE_START ?? '0');
let ran = 0;
while (Date.now() < until) {
  ran += await worker.drain();
  if (Date.now() > start) {
    // After the publication time: stop once no publication job is left to take.
    const left = await handle.db
      .selectFrom('jobs')
      .select('id')
      .where('kind', 'like', 'publication.%')
      .where('status', 'in', ['pending', 'running'])
      .execute();
    if (left.length === 0) break;
  }
  await new Promise((r) => setTimeout(r, 10));
}
await worker.stop();
await handle.close();
process.stdout.write(`${JSON.stringify({ pid: process.pid, ran })}\n`);

// Cold start of the embedded engine: spawn `accord serve` until the first 200 from GET /healthz.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, progress, startNode, stopProcess, waitFor200, type Env } from './proc.ts';

export interface ColdStartSeries {
  runsMs: number[];
  medianMs: number;
  /** startupMs from the server's own "ready" log line: open the database, migrate, build the app, listen. */
  serveStartupMs: (number | null)[];
}

export interface ColdStartResult {
  /** Data directory that already holds a migrated database (the usual restart). */
  existingDataDir: ColdStartSeries;
  /** A new, empty data directory: PGlite creates the cluster and all migrations run. */
  freshDataDir: ColdStartSeries;
  targetMs: number;
  existingMeetsTarget: boolean;
  freshMeetsTarget: boolean;
  note: string;
}

export const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** One start: milliseconds from spawn to the first 200 from /healthz; the server is stopped after. */
async function startOnce(baseEnv: Env, dataDir: string): Promise<{ totalMs: number; serveStartupMs: number | null }> {
  const port = await freePort();
  // info level, only to read startupMs from the "ready" line (pino writes JSON lines to stdout).
  const env: Env = { ...baseEnv, ACCORD_DATA_DIR: dataDir, PORT: String(port), ACCORD_LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  let serveStartupMs: number | null = null;
  const onLine = (line: string) => {
    const m = /"startupMs":(\d+)/.exec(line);
    if (m?.[1]) serveStartupMs = Number(m[1]);
    else if (/"level":(4|5|6)\d/.test(line) || !line.startsWith('{')) process.stderr.write(`  [accord] ${line}\n`);
  };
  const t0 = performance.now();
  const child = startNode('accord', ['bin/accord.mjs', 'serve'], env, onLine);
  try {
    await waitFor200(`http://127.0.0.1:${port}/healthz`, child, { intervalMs: 5, timeoutMs: 120_000 });
    const totalMs = Math.round(performance.now() - t0);
    // The ready line is written right after listen(); give the pipe a moment to deliver it.
    for (let i = 0; i < 50 && serveStartupMs === null; i++) await new Promise((r) => setTimeout(r, 10));
    return { totalMs, serveStartupMs };
  } finally {
    await stopProcess(child);
  }
}

export async function measureColdStart(baseEnv: Env, migratedDataDir: string, runs: number): Promise<ColdStartResult> {
  const targetMs = 3000;
  const series = async (label: string, dirFor: () => { dir: string; done: () => void }) => {
    const runsMs: number[] = [];
    const serveStartupMs: (number | null)[] = [];
    for (let i = 0; i < runs; i++) {
      const { dir, done } = dirFor();
      try {
        const r = await startOnce(baseEnv, dir);
        runsMs.push(r.totalMs);
        serveStartupMs.push(r.serveStartupMs);
        progress(`cold start, ${label}, run ${i + 1}/${runs}: ${r.totalMs} ms (serve() ${r.serveStartupMs} ms)`);
      } finally {
        done();
      }
    }
    return { runsMs, medianMs: median(runsMs), serveStartupMs };
  };
  const existingDataDir = await series('existing data dir', () => ({ dir: migratedDataDir, done: () => {} }));
  const freshDataDir = await series('fresh data dir', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-bench-fresh-'));
    return { dir, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
  });
  return {
    existingDataDir,
    freshDataDir,
    targetMs,
    existingMeetsTarget: existingDataDir.medianMs < targetMs,
    freshMeetsTarget: freshDataDir.medianMs < targetMs,
    note: `median of ${runs} runs each; time from spawning "node bin/accord.mjs serve" to the first 200 from GET /healthz (polled every 5 ms); serveStartupMs is the part inside serve() (database, migrations, app, listen), the rest is process start and module loading through tsx`,
  };
}

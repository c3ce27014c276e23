// Cold start of the embedded engine: spawn `accord serve` until the first 200 from GET /healthz.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleIsFresh } from '../bin/bundle.mjs';
import { cpuMs } from './load.ts';
import { freePort, progress, rootDir, startNode, stopProcess, waitFor200, type Env } from './proc.ts';

export interface ColdStartSeries {
  runsMs: number[];
  medianMs: number;
  /** startupMs from the server's own "ready" log line: open the database, migrate, build the app, listen. */
  serveStartupMs: (number | null)[];
  /**
   * CPU time (user + system) the server process had used at its first 200: much less sensitive to
   * other load on the machine than the wall-clock time.
   */
  cpuMsAtReady: (number | null)[];
  /**
   * Whether bin/accord.mjs ran the pre-built bundle (true) or fell back to tsx because a file under
   * src/ was newer than the bundle (false; e.g. someone edited the sources during the run).
   */
  ranBundle: boolean[];
}

/** `npm run build:server`, so that the starts measure what `npm start` runs. */
export function buildServerBundle(): void {
  execFileSync(process.execPath, [path.join(rootDir, 'scripts/build-server.mjs')], {
    cwd: rootDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
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
async function startOnce(
  baseEnv: Env,
  dataDir: string,
): Promise<{ totalMs: number; serveStartupMs: number | null; cpuMsAtReady: number | null; ranBundle: boolean }> {
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
  const ranBundle = bundleIsFresh();
  const t0 = performance.now();
  const child = startNode('accord', ['bin/accord.mjs', 'serve'], env, onLine);
  try {
    await waitFor200(`http://127.0.0.1:${port}/healthz`, child, { intervalMs: 5, timeoutMs: 120_000 });
    const totalMs = Math.round(performance.now() - t0);
    const cpu = cpuMs(child.pid);
    const cpuMsAtReady = cpu === null ? null : Math.round(cpu);
    // The ready line is written right after listen(); give the pipe a moment to deliver it.
    for (let i = 0; i < 50 && serveStartupMs === null; i++) await new Promise((r) => setTimeout(r, 10));
    return { totalMs, serveStartupMs, cpuMsAtReady, ranBundle };
  } finally {
    await stopProcess(child);
  }
}

export async function measureColdStart(baseEnv: Env, migratedDataDir: string, runs: number): Promise<ColdStartResult> {
  const targetMs = 3000;
  const series = async (label: string, dirFor: () => { dir: string; done: () => void }) => {
    const runsMs: number[] = [];
    const serveStartupMs: (number | null)[] = [];
    const cpuMsAtReady: (number | null)[] = [];
    const ranBundle: boolean[] = [];
    if (!bundleIsFresh()) {
      progress('cold start: src/ changed since the bundle was built; building it again');
      buildServerBundle();
    }
    for (let i = 0; i < runs; i++) {
      const { dir, done } = dirFor();
      try {
        const r = await startOnce(baseEnv, dir);
        runsMs.push(r.totalMs);
        serveStartupMs.push(r.serveStartupMs);
        cpuMsAtReady.push(r.cpuMsAtReady);
        ranBundle.push(r.ranBundle);
        progress(
          `cold start, ${label}, run ${i + 1}/${runs}: ${r.totalMs} ms (serve() ${r.serveStartupMs} ms, ` +
            `CPU ${r.cpuMsAtReady} ms, ${r.ranBundle ? 'bundle' : 'tsx: sources newer than the bundle'})`,
        );
      } finally {
        done();
      }
    }
    return { runsMs, medianMs: median(runsMs), serveStartupMs, cpuMsAtReady, ranBundle };
  };
  if (!fs.existsSync(path.join(migratedDataDir, 'pgdata'))) {
    // No load test ran on it (BENCH_SUITES without "me"): one untimed start creates and migrates it.
    progress('cold start: creating the data directory with one untimed start');
    await startOnce(baseEnv, migratedDataDir);
  }
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
    note: `median of ${runs} runs each; time from spawning "node bin/accord.mjs serve" to the first 200 from GET /healthz (polled every 5 ms); serveStartupMs is the part inside serve() (database, migrations, app, listen), the rest is process start and module loading (the bundle, or tsx where ranBundle is false); cpuMsAtReady is the server's CPU time at that first 200`,
  };
}

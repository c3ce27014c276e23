// Load generation with autocannon's programmatic API. The servers under test are child processes,
// so the load generator never shares an event loop with them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import autocannon from 'autocannon';

export interface LoadResult {
  connections: number;
  durationS: number;
  /** Completed responses with the expected status (2xx by default) in the measured window. */
  requests: number;
  /** Mean of autocannon's per-second samples. */
  requestsPerSec: number;
  /**
   * Percentiles over every response time autocannon measured (process.hrtime, sub-millisecond).
   * autocannon's own summary rounds latencies down to whole milliseconds, too coarse for a 1 ms target.
   */
  latencyMs: { p50: number; p90: number; p95: number; p99: number; mean: number; max: number };
  /** autocannon's own (whole-millisecond) summary, for comparison with its CLI output. */
  autocannonLatencyMs: { p50: number; p99: number };
  /**
   * CPU time of the server process in the measured window (Linux /proc; null elsewhere): less
   * sensitive to other load on the machine than latency. 100 % = one core. With PostgreSQL, the
   * database's own work happens in its backends and is not included.
   */
  serverCpu: { utilizationPct: number; usPerRequest: number } | null;
}

export interface LoadOptions {
  connections: number;
  durationS: number;
  warmupS: number;
  headers?: Record<string, string>;
  /** The server's process id, to report its CPU time per request. */
  serverPid?: number;
  /** Counts only this status as good (default: any 2xx); anything else fails the measurement. */
  expectStatus?: number;
}

function run(
  url: string,
  opts: { connections: number; durationS: number; headers?: Record<string, string> },
  onResponse: (status: number, ms: number) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections: opts.connections, duration: opts.durationS, timeout: 10, headers: opts.headers ?? {} },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on('response', (_client, status, _bytes, ms) => onResponse(status, ms));
  });
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

let clockTicks: number | null = null;
/** utime + stime of a process in ms, from /proc/PID/stat (fields 14 and 15, in clock ticks). */
export function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined || process.platform !== 'linux') return null;
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return null;
  }
}

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

/** Warms the server up (results discarded), then measures `durationS` seconds. */
export async function measure(url: string, opts: LoadOptions): Promise<LoadResult> {
  const { connections, headers } = opts;
  if (opts.warmupS > 0) {
    await run(url, { connections, durationS: opts.warmupS, ...(headers ? { headers } : {}) }, () => {});
  }
  const cpuBefore = cpuMs(opts.serverPid);
  const wallBefore = performance.now();
  let times = new Float64Array(1 << 16);
  let count = 0;
  let bad = 0;
  let firstBad = 0;
  const result = await run(
    url,
    { connections, durationS: opts.durationS, ...(headers ? { headers } : {}) },
    (s, ms) => {
      if (opts.expectStatus === undefined ? s < 200 || s >= 300 : s !== opts.expectStatus) {
        bad++;
        firstBad ||= s;
        return;
      }
      if (count === times.length) {
        const bigger = new Float64Array(times.length * 2);
        bigger.set(times);
        times = bigger;
      }
      times[count++] = ms;
    },
  );
  if (bad > 0 || result.errors > 0 || count === 0) {
    // (autocannon's own latency summary only includes 2xx; ours includes the expected status.)
    throw new Error(
      `${url}: ${bad} non-2xx responses (first: ${firstBad}), ${result.errors} errors, ` +
        `${result.timeouts} timeouts, ${count} good responses; the measurement would be meaningless`,
    );
  }
  const cpuAfter = cpuMs(opts.serverPid);
  const wallMs = performance.now() - wallBefore;
  const serverCpu =
    cpuBefore === null || cpuAfter === null
      ? null
      : {
          utilizationPct: round(((cpuAfter - cpuBefore) / wallMs) * 100, 1),
          usPerRequest: round(((cpuAfter - cpuBefore) * 1000) / (count + bad), 1),
        };
  const sorted = times.subarray(0, count).sort();
  let sum = 0;
  for (const t of sorted) sum += t;
  return {
    connections,
    durationS: result.duration,
    requests: count,
    requestsPerSec: round(result.requests.average, 1),
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      mean: round(sum / count),
      max: round(sorted[count - 1] ?? Number.NaN),
    },
    autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    serverCpu,
  };
}

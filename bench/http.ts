// HTTP helpers shared by the benchmark suites: one request with its latency, and latency summaries.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from './load.ts';

export interface Latency {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export interface Reply {
  status: number;
  body: string;
  ms: number;
}

/** One request on the given agent; resolves with status, body and milliseconds to the last byte. */
export function send(agent: http.Agent, url: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<Reply>((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(url, { method, agent, headers, timeout: 900_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - t0,
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within 900 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

export const round = (n: number, digits = 3) => Number(n.toFixed(digits));

export function summarize(samples: number[]): Latency {
  const sorted = Float64Array.from(samples).sort();
  const sum = samples.reduce((a, b) => a + b, 0);
  return {
    count: samples.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    mean: round(sum / samples.length),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

// PostgreSQL for the benchmark: DATABASE_URL when set, else a throwaway PostgreSQL 15 cluster.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, progress, runCommand } from './proc.ts';

const PG_BIN = process.env.BENCH_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface Postgres {
  url: string;
  /** 'DATABASE_URL' or 'throwaway PostgreSQL 15 (…)' */
  source: string;
  version: string;
  stop(): Promise<void>;
}

export type PostgresOrSkip = { ok: true; pg: Postgres } | { ok: false; skipped: string };

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary; as root through `su postgres`, since PostgreSQL refuses to run as root. */
function pgRun(binary: string, args: string[]): Promise<string> {
  const exe = path.join(PG_BIN, binary);
  if (!isRoot()) return runCommand(exe, args, { cwd: os.tmpdir() });
  const quoted = [exe, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return runCommand('su', ['postgres', '-s', '/bin/bash', '-c', quoted], { cwd: os.tmpdir() });
}

async function serverVersion(): Promise<string> {
  try {
    return (await runCommand(path.join(PG_BIN, 'postgres'), ['--version'], { cwd: os.tmpdir() })).trim();
  } catch {
    return 'unknown';
  }
}

/** The global list of clusters to stop, so a failure or Ctrl-C never leaves one running. */
const running = new Set<string>();

/** Synchronous best-effort stop for failure paths and signal handlers. */
export function stopAllPostgresSync(): void {
  for (const dir of running) {
    const exe = path.join(PG_BIN, 'pg_ctl');
    const args = ['-D', dir, '-m', 'immediate', 'stop'];
    if (isRoot()) spawnSync('su', ['postgres', '-s', '/bin/bash', '-c', [exe, ...args].join(' ')], { stdio: 'ignore' });
    else spawnSync(exe, args, { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  }
  running.clear();
}

export async function providePostgres(): Promise<PostgresOrSkip> {
  const given = process.env.DATABASE_URL?.trim();
  if (given) {
    return { ok: true, pg: { url: given, source: 'DATABASE_URL', version: 'see the server', stop: async () => {} } };
  }
  if (!fs.existsSync(path.join(PG_BIN, 'initdb')) || !fs.existsSync(path.join(PG_BIN, 'pg_ctl'))) {
    return { ok: false, skipped: `DATABASE_URL is not set and no PostgreSQL binaries in ${PG_BIN}` };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-bench-pg-'));
  try {
    if (isRoot()) {
      const uid = Number((await runCommand('id', ['-u', 'postgres'])).trim());
      const gid = Number((await runCommand('id', ['-g', 'postgres'])).trim());
      fs.chownSync(dir, uid, gid);
    }
    progress(`initdb ${dir}`);
    await pgRun('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    const port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
    running.add(dir);
    await pgRun('pg_ctl', ['-D', dir, '-l', path.join(dir, 'log'), '-o', opts, '-w', 'start']);
    progress(`PostgreSQL listening on 127.0.0.1:${port}`);
    const version = await serverVersion();
    const stop = async () => {
      if (!running.has(dir)) return;
      running.delete(dir);
      await pgRun('pg_ctl', ['-D', dir, '-m', 'fast', '-w', 'stop']).catch((e: unknown) => progress(String(e)));
      fs.rmSync(dir, { recursive: true, force: true });
    };
    return {
      ok: true,
      pg: {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        source: `throwaway cluster in ${dir}`,
        version,
        stop,
      },
    };
  } catch (err) {
    if (running.has(dir)) {
      running.delete(dir);
      await pgRun('pg_ctl', ['-D', dir, '-m', 'immediate', 'stop']).catch(() => undefined);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

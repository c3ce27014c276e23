import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { AppError } from '../core/errors.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type Engine = 'embedded' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  engine: Engine;
  close(): Promise<void>;
  /**
   * Subscribes to `NOTIFY channel`. `onState(false)` says notifications may be missed from now
   * on (the listening connection was lost); `onState(true)` says they arrive again. Resolves
   * to an unsubscribe function.
   */
  listen(channel: string, onNotify: () => void, onState: (live: boolean) => void): Promise<() => Promise<void>>;
}

const LISTEN_RETRY_MS = 1000;

const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (v: string) => Number(v);

/** Opens PostgreSQL when a URL is given, else the embedded PGlite database in `dataDir`. */
export async function openDatabase(opts: {
  databaseUrl: string | null;
  dataDir: string;
  poolSize?: number;
}): Promise<DatabaseHandle> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10);
  return openEmbedded(opts.dataDir);
}

export function openPostgres(url: string, poolSize = 10): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 || oid === NUMERIC
          ? toNumber
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', () => {
    /* an idle client lost its connection; the pool replaces it */
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const listeners = new Set<() => Promise<void>>();
  return {
    db,
    engine: 'postgres',
    async close() {
      await Promise.all([...listeners].map((stop) => stop()));
      await db.destroy();
    },
    async listen(channel, onNotify, onState) {
      const stop = await listenPostgres(url, channel, onNotify, onState);
      const unsubscribe = async () => {
        listeners.delete(unsubscribe);
        await stop();
      };
      listeners.add(unsubscribe);
      return unsubscribe;
    },
  };
}

/**
 * LISTEN on a dedicated connection; reconnects after a loss, reporting the gap through `onState`
 * so that callers stop trusting anything they cached meanwhile.
 */
async function listenPostgres(
  url: string,
  channel: string,
  onNotify: () => void,
  onState: (live: boolean) => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    const lost = () => {
      if (client !== c) return;
      client = null;
      onState(false);
      c.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect(), LISTEN_RETRY_MS);
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (msg) => {
      if (msg.channel === channel) onNotify();
    });
    client = c;
    try {
      await c.connect();
      await c.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch {
      lost(); // not live; retried in a second
      return;
    }
    if (stopped || client !== c) return;
    onState(true);
  };
  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = null;
    onState(false);
    await c?.end().catch(() => {});
  };
}

/**
 * PGlite clears its shared buffers at every start, single-threaded: PostgreSQL's default of 128 MB
 * took about 1 s of the 3 s cold start, 32 MB about 0.65 s. The operating system's page cache
 * still holds the rest of the data files, and the triage-queue benchmark with 100,000 reports
 * stays within its target (docs/benchmarks.md).
 */
const EMBEDDED_SHARED_BUFFERS = '32MB';

/** Embedded PostgreSQL. A lock file refuses a second process, which would silently lose writes. */
export async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  fs.mkdirSync(dataDir, { recursive: true });
  const unlock = takeLock(path.join(dataDir, 'accord.lock'));
  try {
    const pglite = await PGlite.create({
      dataDir: path.join(dataDir, 'pgdata'),
      parsers: { [INT8]: toNumber, [NUMERIC]: toNumber },
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`],
    });
    return wrapPGlite(pglite, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

/** Wraps an already-open PGlite (tests load one from a migrated snapshot). */
export function wrapPGlite(pglite: PGlite, onClose: () => void = () => {}): DatabaseHandle {
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    engine: 'embedded',
    async close() {
      await db.destroy();
      await pglite.close();
      onClose();
    },
    // One process owns the database, and PGlite delivers notifications as statements run.
    async listen(channel, onNotify, onState) {
      const unlisten = await pglite.listen(channel, () => onNotify());
      onState(true);
      return async () => {
        onState(false);
        await unlisten();
      };
    },
  };
}

export const pgliteParsers = { [INT8]: toNumber, [NUMERIC]: toNumber };

function takeLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new AppError(
          'ERR_CONFIG',
          `the embedded database in ${path.dirname(file)} is in use by process ${pid}; ` +
            'stop that process first, or set DATABASE_URL to share a PostgreSQL server between processes',
        );
      }
      fs.rmSync(file, { force: true }); // stale lock from a process that no longer runs
    }
  }
  throw new AppError('ERR_CONFIG', `could not lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

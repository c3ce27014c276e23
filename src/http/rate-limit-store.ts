import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

type Callback = (err: Error | null, res?: { current: number; ttl: number }) => void;

/**
 * A @fastify/rate-limit store kept in the database, so every app process behind a load
 * balancer counts against the same budget. One upsert per request on limited routes.
 */
export function databaseRateLimitStore(db: Kysely<Database>) {
  return class DatabaseStore {
    private readonly prefix: string;
    constructor(options: object = {}) {
      const info = (options as { routeInfo?: { method?: string; url?: string } }).routeInfo;
      this.prefix = info ? `${info.method} ${info.url}|` : 'global|';
    }

    incr(key: string, cb: Callback, timeWindow: number): void {
      const k = this.prefix + key;
      sql<{ hits: number; reset_at: Date }>`
        insert into rate_limits (key, hits, reset_at)
        values (${k}, 1, now() + make_interval(secs => ${timeWindow / 1000}))
        on conflict (key) do update set
          hits = case when rate_limits.reset_at <= now() then 1 else rate_limits.hits + 1 end,
          reset_at = case when rate_limits.reset_at <= now() then excluded.reset_at else rate_limits.reset_at end
        returning hits, reset_at`
        .execute(db)
        .then((r) => {
          const row = r.rows[0];
          if (!row) throw new Error('rate limit upsert returned nothing');
          cb(null, { current: row.hits, ttl: Math.max(0, row.reset_at.getTime() - Date.now()) });
        })
        .catch((err: unknown) => cb(err instanceof Error ? err : new Error(String(err))));
    }

    read(key: string, cb: Callback): void {
      db.selectFrom('rate_limits')
        .select(['hits', 'reset_at'])
        .where('key', '=', this.prefix + key)
        .executeTakeFirst()
        .then((row) => {
          if (!row || row.reset_at.getTime() <= Date.now()) cb(null, { current: 0, ttl: 0 });
          else cb(null, { current: row.hits, ttl: row.reset_at.getTime() - Date.now() });
        })
        .catch((err: unknown) => cb(err instanceof Error ? err : new Error(String(err))));
    }

    child(routeOptions: object) {
      return new DatabaseStore(routeOptions);
    }
  };
}

/** Expired counters are removed by a periodic job. */
export async function pruneRateLimits(db: Kysely<Database>): Promise<void> {
  await db
    .deleteFrom('rate_limits')
    .where('reset_at', '<', sql<Date>`now()`)
    .execute();
}

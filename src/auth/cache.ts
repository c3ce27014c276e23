import type { Logger } from '../app/context.ts';
import type { DatabaseHandle } from '../db/connect.ts';

/** The channel the database notifies on every change that can alter an authentication result. */
export const AUTH_CHANNEL = 'accord_auth';

export interface AuthCacheOptions {
  /** Entries beyond this evict the oldest. */
  maxEntries: number;
  /** An entry is re-read from the database after this long, notification or not. */
  ttlMs: number;
}

/**
 * A per-process cache of token and session lookups (the rows the authentication query returns),
 * so that an authenticated request costs no database round trip.
 *
 * It is only a cache: the database stays the source of truth and every process stays correct
 * with others. It is emptied
 * - by `NOTIFY accord_auth`, which triggers send on any change to users, memberships,
 *   organizations, tokens, sessions or the 2FA setting (migration 20261127T230000), so every
 *   node drops what it cached as soon as PostgreSQL delivers the notification;
 * - after every command this process commits (`Ctx.afterCommit`), so a change takes effect on
 *   this node's very next request without waiting for the notification;
 * - whenever the listening connection is lost: until it is back, nothing is cached at all.
 *
 * A generation number closes the race where a lookup that started before a change stores its
 * now-stale row after the flush. Unknown tokens are never cached. Expiry is checked by the
 * callers on every request against the cached expiry time.
 */
export class AuthCache<T extends object = object> {
  #entries = new Map<string, { row: T; at: number }>();
  #generation = 0;
  #live = false;

  constructor(private readonly options: AuthCacheOptions = { maxEntries: 10_000, ttlMs: 60_000 }) {}

  /** Whether notifications arrive (and so whether anything may be cached). */
  get live(): boolean {
    return this.#live;
  }

  get size(): number {
    return this.#entries.size;
  }

  setLive(live: boolean): void {
    this.#live = live;
    this.flush();
  }

  flush(): void {
    this.#generation++;
    this.#entries.clear();
  }

  /** Read before the database lookup; pass to `set` so a flush in between wins. */
  generation(): number {
    return this.#generation;
  }

  get(key: string, now: number): T | undefined {
    if (!this.#live) return undefined;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (now - entry.at >= this.options.ttlMs || now < entry.at) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.row;
  }

  set(key: string, generation: number, row: T, now: number): void {
    if (!this.#live || generation !== this.#generation) return;
    if (this.#entries.size >= this.options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { row, at: now });
  }
}

/** Creates the cache for one database handle and keeps it in step with `NOTIFY accord_auth`. */
export async function startAuthCache(
  handle: DatabaseHandle,
  log: Logger,
  options?: AuthCacheOptions,
): Promise<{ cache: AuthCache; stop: () => Promise<void> }> {
  const cache = new AuthCache(options);
  const stop = await handle.listen(
    AUTH_CHANNEL,
    () => cache.flush(),
    (live) => {
      if (!live && cache.live) log.warn({}, 'lost the database notification connection; authentication is not cached');
      if (live && !cache.live) log.info({}, 'authentication cache active');
      cache.setLive(live);
    },
  );
  return { cache, stop };
}

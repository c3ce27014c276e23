import type { Kysely, Transaction } from 'kysely';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/schema.ts';
import type { Actor } from '../policy/actor.ts';

export type Db = Kysely<Database> | Transaction<Database>;

/** Where a command was asked from; recorded with every audit event. */
export interface RequestMeta {
  requestId: string | null;
  ip: string | null;
}

/**
 * Everything a command needs, built by the HTTP layer, the CLI or a job. Commands take it
 * first; they never reach for globals.
 */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface Ctx {
  db: Kysely<Database>;
  log: Logger;
  config: Config;
  actor: Actor;
  meta: RequestMeta;
  now: () => Date;
  /**
   * Run after a command's transaction commits (the HTTP layer flushes its authentication cache
   * here, so a revoked token or a changed role takes effect on the very next request).
   */
  afterCommit?: (() => void) | undefined;
}

/** Runs `fn` in one transaction: the change and its audit event commit together or not at all. */
export async function inTransaction<T>(ctx: Ctx, fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  const result = await ctx.db.transaction().execute(fn);
  ctx.afterCommit?.();
  return result;
}

export function withActor(ctx: Ctx, actor: Actor): Ctx {
  return { ...ctx, actor };
}

import { sql } from 'kysely';
import { validation } from '../core/errors.ts';

/** Opaque keyset cursors: base64url of [created_at, id]. Stable under inserts, unlike offsets. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Cursor {
  at: Date;
  id: string;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (raw === undefined || raw === '') return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string'
    ) {
      const at = new Date(parsed[0]);
      if (!Number.isNaN(at.getTime())) return { at, id: parsed[1] };
    }
  } catch {
    /* fall through */
  }
  throw validation('the cursor is not valid: pass back the nextCursor value of a previous page unchanged', {
    field: 'cursor',
  });
}

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  return Math.max(1, Math.min(MAX_LIMIT, Math.floor(limit)));
}

/** Fetch `limit + 1` rows, then call this: the extra row tells whether a next page exists. */
export function toPage<R extends { created_at: Date; id: string }, T>(
  rows: R[],
  limit: number,
  map: (r: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last ? encodeCursor(last.created_at, last.id) : null };
}

/** Keyset condition for lists ordered by (created_at desc, id desc). */
export function keysetBefore(cursor: Cursor) {
  return sql<boolean>`(created_at, id) < (${cursor.at}, ${cursor.id})`;
}

/** ILIKE pattern for a user's search text, with the wildcard characters escaped. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Keyset cursors for lists ordered by a text key (such as a name), then id: base64url of ["text", key, id]. */
export interface TextCursor {
  key: string;
  id: string;
}

export function encodeTextCursor(key: string, id: string): string {
  return Buffer.from(JSON.stringify(['text', key, id])).toString('base64url');
}

export function decodeTextCursor(raw: string | undefined): TextCursor | null {
  if (raw === undefined || raw === '') return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 3 && parsed[0] === 'text') {
      const [, key, id] = parsed as unknown[];
      if (typeof key === 'string' && typeof id === 'string') return { key, id };
    }
  } catch {
    /* fall through */
  }
  throw validation('the cursor is not valid: pass back the nextCursor value of a previous page unchanged', {
    field: 'cursor',
  });
}

/** Like `toPage`, for lists ordered by (key, id) ascending. */
export function toTextPage<R extends { id: string }, T>(
  rows: R[],
  limit: number,
  key: (r: R) => string,
  map: (r: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last ? encodeTextCursor(key(last), last.id) : null };
}

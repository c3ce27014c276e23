import { createHash } from 'node:crypto';

/** Pure hash chain over audit events: each event's hash covers its content and its predecessor's. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEvent {
  seq: number;
  id: string;
  occurredAt: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  summary: Record<string, unknown>;
  requestId: string | null;
  ip: string | null;
}

/** JSON with sorted keys, so a jsonb round trip (which reorders keys) hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function hashEvent(event: ChainedEvent, prevHash: string): string {
  const body = canonicalJson({ ...event, occurredAt: event.occurredAt.toISOString(), prevHash });
  return createHash('sha256').update(body).digest('hex');
}

export type ChainProblem =
  | { kind: 'missing'; seq: number; message: string }
  | { kind: 'altered'; seq: number; message: string }
  | { kind: 'truncated'; seq: number; message: string };

/**
 * Checks one stored event against the previous one. Returns the first problem it sees, or null.
 * `expectedSeq` catches deleted events even when the chain around them was rewritten.
 */
export function checkLink(
  event: ChainedEvent & { prevHash: string; hash: string },
  expectedSeq: number,
  prevHash: string,
): ChainProblem | null {
  if (event.seq !== expectedSeq) {
    return {
      kind: 'missing',
      seq: expectedSeq,
      message: `audit event #${expectedSeq} is missing (next stored event is #${event.seq})`,
    };
  }
  if (event.prevHash !== prevHash) {
    return {
      kind: 'altered',
      seq: event.seq - 1,
      message: `audit event #${event.seq - 1} was altered or replaced (event #${event.seq} no longer links to it)`,
    };
  }
  const { prevHash: _p, hash, ...content } = event;
  if (hashEvent(content, prevHash) !== hash) {
    return { kind: 'altered', seq: event.seq, message: `audit event #${event.seq} (${event.action}) was altered` };
  }
  return null;
}

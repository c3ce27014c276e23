import { randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in URLs are checked before they reach SQL, so a malformed id is simply "not found". */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

export const newId = (): string => randomUUID();

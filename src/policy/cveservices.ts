import type { Actor, StaffRole } from './actor.ts';

/**
 * CVE Services (the CNA's account), pure: CVE records and the reservation list are staff business;
 * ids that are not for a case vulnerability use the CNA's quota for later, so only admins and
 * coordinators reserve those. A vulnerability's own id is reserved by whoever may edit the case
 * (decided by the cases policy).
 */
export type CveAction = 'cve:read' | 'cve:reserve_unlinked';

export const cveCapabilities = {
  admin: ['cve:read', 'cve:reserve_unlinked'],
  coordinator: ['cve:read', 'cve:reserve_unlinked'],
  analyst: ['cve:read'],
  viewer: ['cve:read'],
} as const satisfies Record<StaffRole, readonly CveAction[]>;

function mayCve(actor: Actor, action: CveAction): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'user' || actor.staffRole === null) return false;
  return (cveCapabilities[actor.staffRole] as readonly CveAction[]).includes(action);
}

/** Ids not tied to a vulnerability use the CNA's quota for later: admins and coordinators only. */
export function mayReserveUnlinked(actor: Actor): boolean {
  return mayCve(actor, 'cve:reserve_unlinked');
}

/** CVE records (and the reservation list) are staff business. */
export function mayReadReservations(actor: Actor): boolean {
  return mayCve(actor, 'cve:read');
}

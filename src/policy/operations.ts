import { AppError, notFound } from '../core/errors.ts';
import type { Actor, StaffRole } from './actor.ts';

/**
 * PSIRT operations (issue 7), pure: the case execution template and the PSIRT Services
 * Framework self-assessment are internal to the home organization's staff. Anyone else —
 * vendors, finders, outsiders — is answered 404, as if the thing did not exist; staff whose
 * role does not allow a change get 403.
 */
export type OperationsAction =
  'casework:read' | 'casework:write' | 'casework:template' | 'assessment:read' | 'assessment:write';

export const operationsCapabilities = {
  admin: ['casework:read', 'casework:write', 'casework:template', 'assessment:read', 'assessment:write'],
  coordinator: ['casework:read', 'casework:write', 'casework:template', 'assessment:read', 'assessment:write'],
  analyst: ['casework:read', 'casework:write', 'assessment:read'],
  viewer: ['casework:read', 'assessment:read'],
} as const satisfies Record<StaffRole, readonly OperationsAction[]>;

export function canOperate(actor: Actor, action: OperationsAction): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'user' || actor.staffRole === null) return false;
  return (operationsCapabilities[actor.staffRole] as readonly string[]).includes(action);
}

/**
 * Throws what the caller should see: 401 without an account, 404 (`hidden` names what was asked
 * for) for anyone who is not staff, 403 for staff whose role does not allow the action.
 */
export function authorizeOperations(actor: Actor, action: OperationsAction, hidden: { what: string; id: string }) {
  if (canOperate(actor, action)) return;
  if (actor.kind === 'anonymous') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first: this needs an account');
  if (actor.kind !== 'user' || actor.staffRole === null) throw notFound(hidden.what, hidden.id);
  throw new AppError('ERR_FORBIDDEN', `your role does not allow ${action}`, { action });
}

import { describe, expect, it } from 'vitest';
import { anonymous, systemActor, type Actor, type StaffRole } from './actor.ts';
import { authorizeOperations, canOperate, type OperationsAction } from './operations.ts';

const staff = (role: StaffRole): Actor => ({
  kind: 'user',
  userId: role,
  label: role,
  staffRole: role,
  memberships: [],
  via: 'session',
});
const vendor: Actor = {
  kind: 'user',
  userId: 'v',
  label: 'v',
  staffRole: null,
  memberships: [{ orgId: 'acme', role: 'org_admin' }],
  via: 'session',
};
const finderLink: Actor = { kind: 'report_link', reportId: 'r', trackingId: 'ACC-2026-0001' };

const actions: OperationsAction[] = [
  'casework:read',
  'casework:write',
  'casework:template',
  'assessment:read',
  'assessment:write',
];
const allowed: Record<string, OperationsAction[]> = {
  admin: actions,
  coordinator: actions,
  analyst: ['casework:read', 'casework:write', 'assessment:read'],
  viewer: ['casework:read', 'assessment:read'],
};

describe('PSIRT operations permissions', () => {
  it.each(Object.keys(allowed).flatMap((role) => actions.map((action) => ({ role, action }))))(
    '$role $action',
    ({ role, action }) => {
      expect(canOperate(staff(role as StaffRole), action)).toBe(allowed[role]!.includes(action));
    },
  );

  it('refuses non-staff as "not found", staff without the role as forbidden, nobody signed in as 401', () => {
    const code = (actor: Actor, action: OperationsAction) => {
      try {
        authorizeOperations(actor, action, { what: 'case', id: 'CASE-2026-0001' });
        return 'ok';
      } catch (err) {
        return (err as { code: string }).code;
      }
    };
    for (const a of actions) {
      expect(code(vendor, a)).toBe('ERR_NOT_FOUND');
      expect(code(finderLink, a)).toBe('ERR_NOT_FOUND');
      expect(code(anonymous, a)).toBe('ERR_UNAUTHENTICATED');
      expect(code(systemActor('jobs'), a)).toBe('ok');
    }
    expect(code(staff('viewer'), 'casework:write')).toBe('ERR_FORBIDDEN');
  });
});

import { describe, expect, it } from 'vitest';
import { anonymous, staffRoles, systemActor, type Actor, type StaffRole } from './actor.ts';
import { mayReadReservations, mayReserveUnlinked } from './cveservices.ts';

const staff = (role: StaffRole): Actor => ({
  kind: 'user',
  userId: role,
  label: role,
  staffRole: role,
  memberships: [],
  via: 'session',
});
const vendorAdmin: Actor = {
  kind: 'user',
  userId: 'v',
  label: 'v',
  staffRole: null,
  memberships: [{ orgId: 'acme', role: 'org_admin' }],
  via: 'session',
};
const finderLink: Actor = { kind: 'report_link', reportId: 'r', trackingId: 'ACC-2026-0001' };

describe('CVE Services permissions', () => {
  const expected: Record<StaffRole, { read: boolean; reserveUnlinked: boolean }> = {
    admin: { read: true, reserveUnlinked: true },
    coordinator: { read: true, reserveUnlinked: true },
    analyst: { read: true, reserveUnlinked: false },
    viewer: { read: true, reserveUnlinked: false },
  };

  it.each(staffRoles.map((role) => ({ role })))('staff $role', ({ role }) => {
    expect(mayReadReservations(staff(role))).toBe(expected[role].read);
    expect(mayReserveUnlinked(staff(role))).toBe(expected[role].reserveUnlinked);
  });

  it('lets the system do both, and nobody outside the staff either', () => {
    expect(mayReadReservations(systemActor('jobs'))).toBe(true);
    expect(mayReserveUnlinked(systemActor('jobs'))).toBe(true);
    for (const actor of [vendorAdmin, finderLink, anonymous]) {
      expect(mayReadReservations(actor)).toBe(false);
      expect(mayReserveUnlinked(actor)).toBe(false);
    }
  });
});

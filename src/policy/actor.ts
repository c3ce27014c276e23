/** Who is acting. Loaded once per request (or CLI run) and passed to every command. */
export const staffRoles = ['admin', 'coordinator', 'analyst', 'viewer'] as const;
export type StaffRole = (typeof staffRoles)[number];

export const orgRoles = ['org_admin', 'member'] as const;
export type OrgRole = (typeof orgRoles)[number];

export interface Membership {
  orgId: string;
  role: StaffRole | OrgRole;
}

export type Actor =
  | {
      kind: 'user';
      userId: string;
      label: string;
      /** Role in the home organization, if the user is staff. */
      staffRole: StaffRole | null;
      /** Memberships in external organizations. */
      memberships: readonly Membership[];
      via: 'session' | 'token' | 'cli';
    }
  | { kind: 'anonymous' }
  | { kind: 'system'; label: string }
  /** A finder holding a report's follow-up link (no account): sees and answers that report only. */
  | { kind: 'report_link'; reportId: string; trackingId: string };

export type UserActor = Extract<Actor, { kind: 'user' }>;

export const anonymous: Actor = { kind: 'anonymous' };

/** The CLI runs with the operator's shell rights: it acts as the system, recorded as such. */
export function systemActor(label: string): Actor {
  return { kind: 'system', label };
}

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return actor.label;
    case 'anonymous':
      return 'anonymous';
    case 'system':
      return `system:${actor.label}`;
    case 'report_link':
      return `finder:${actor.trackingId}`;
  }
}

export function actorId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.userId : null;
}

export function isStaffRole(role: string): role is StaffRole {
  return (staffRoles as readonly string[]).includes(role);
}

export function isOrgRole(role: string): role is OrgRole {
  return (orgRoles as readonly string[]).includes(role);
}

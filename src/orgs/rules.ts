import { validation } from '../core/errors.ts';
import { isOrgRole, isStaffRole, orgRoles, staffRoles } from '../policy/actor.ts';

/** Kinds an admin may create; `home` exists once and is made at first start. */
export const externalOrgKinds = ['vendor', 'coordinator', 'finder', 'deployer', 'other'] as const;
export type ExternalOrgKind = (typeof externalOrgKinds)[number];
export type OrgKind = 'home' | ExternalOrgKind;

export function checkOrgKind(raw: string): ExternalOrgKind {
  if ((externalOrgKinds as readonly string[]).includes(raw)) return raw as ExternalOrgKind;
  throw validation(`organization kind "${raw}" is unknown; use one of ${externalOrgKinds.join(', ')}`, {
    field: 'kind',
  });
}

export function checkOrgName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > 200) {
    throw validation('the organization name must be 1 to 200 characters', { field: 'name' });
  }
  return name;
}

export function checkWebsite(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  try {
    const u = new URL(raw.trim());
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.toString();
  } catch {
    /* fall through */
  }
  throw validation(`"${raw.slice(0, 80)}" is not a web address; use https://example.org`, { field: 'website' });
}

/** Staff roles belong to the home org, org roles to external orgs; anything else is refused. */
export function checkRoleForOrg(kind: OrgKind, role: string): string {
  if (kind === 'home') {
    if (isStaffRole(role)) return role;
    throw validation(`"${role}" is not a staff role; use one of ${staffRoles.join(', ')}`, { field: 'role' });
  }
  if (isOrgRole(role)) return role;
  throw validation(`"${role}" is not an organization role; use one of ${orgRoles.join(', ')}`, { field: 'role' });
}

import type { OrganizationRow } from '../db/schema.ts';
import type { Actor } from '../policy/actor.ts';
import { abilities } from '../policy/policy.ts';

export function presentOrg(org: OrganizationRow, actor: Actor) {
  return {
    id: org.id,
    name: org.name,
    kind: org.kind,
    website: org.website,
    createdAt: org.created_at.toISOString(),
    abilities: abilities(actor, ['org:read', 'org:update', 'org:delete', 'org:invite', 'org:manage_members'], {
      type: 'org',
      id: org.id,
      kind: org.kind,
    }),
  };
}

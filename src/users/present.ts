import type { UserRow } from '../db/schema.ts';
import type { Actor } from '../policy/actor.ts';
import { abilities, orgVisibility } from '../policy/policy.ts';
import type { UserMembership } from './queries.ts';

/** The public shape of a user. Hashes and TOTP secrets never leave the server. */
export function presentUser(user: UserRow, memberships: UserMembership[] | null, actor: Actor) {
  // A user's memberships in organizations the caller cannot see are not shown to the caller.
  const vis = orgVisibility(actor);
  const shown = vis.all ? memberships : (memberships?.filter((m) => vis.orgIds.includes(m.orgId)) ?? null);
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    locale: user.locale,
    timeZone: user.time_zone,
    pgpFingerprint: user.pgp_fingerprint,
    pgpPublicKey: user.pgp_public_key,
    totpEnabled: user.totp_secret !== null,
    disabled: user.disabled_at !== null,
    createdAt: user.created_at.toISOString(),
    memberships: shown?.map((m) => ({ orgId: m.orgId, orgName: m.orgName, orgKind: m.orgKind, role: m.role })) ?? null,
    abilities: abilities(actor, ['user:read', 'user:update', 'user:manage'], {
      type: 'user',
      id: user.id,
      orgIds: memberships?.map((m) => m.orgId) ?? [],
    }),
  };
}

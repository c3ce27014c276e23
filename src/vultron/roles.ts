/**
 * Participant roles as the Vultron code names them — spec §(f) "Roles and the participant model"
 * (vultron.json: roles_code). The docs' "Other" is `observer` here; `case_owner`, `case_manager` and
 * `cve_numbering_authority` exist only in the code.
 */
export const vultronRoles = [
  'finder',
  'reporter',
  'vendor',
  'deployer',
  'coordinator',
  'observer',
  'case_owner',
  'case_manager',
  'cve_numbering_authority',
] as const;
export type VultronRole = (typeof vultronRoles)[number];

import { describe, expect, it } from 'vitest';
import type { Actor, StaffRole } from './actor.ts';
import { authorize, can, orgVisibility, staffCapabilities, userVisibility, type InstanceAction } from './policy.ts';

const staff = (role: StaffRole): Actor => ({
  kind: 'user',
  userId: `u-${role}`,
  label: role,
  staffRole: role,
  memberships: [],
  via: 'session',
});
const vendorAdmin: Actor = {
  kind: 'user',
  userId: 'u-va',
  label: 'va',
  staffRole: null,
  memberships: [{ orgId: 'acme', role: 'org_admin' }],
  via: 'session',
};
const vendorMember: Actor = {
  kind: 'user',
  userId: 'u-vm',
  label: 'vm',
  staffRole: null,
  memberships: [{ orgId: 'acme', role: 'member' }],
  via: 'session',
};
const outsider: Actor = { kind: 'user', userId: 'u-o', label: 'o', staffRole: null, memberships: [], via: 'token' };
const anon: Actor = { kind: 'anonymous' };

const actors = {
  admin: staff('admin'),
  coordinator: staff('coordinator'),
  analyst: staff('analyst'),
  viewer: staff('viewer'),
  vendorAdmin,
  vendorMember,
  outsider,
  anon,
} as const;
type Who = keyof typeof actors;

const instanceActions: InstanceAction[] = [
  'user:list',
  'user:create',
  'org:list',
  'org:create',
  'audit:read',
  'outbox:read',
  'settings:read',
  'settings:update',
  'report:list',
  'finder:read',
  'instance_key:rotate',
  'case:create',
  'case:request',
  'metrics:read',
  'metrics:refresh',
];

// Expected instance capabilities: everything not listed is refused.
const instanceAllowed: Record<Who, InstanceAction[]> = {
  admin: instanceActions,
  coordinator: [
    'user:list',
    'org:list',
    'org:create',
    'settings:read',
    'report:list',
    'finder:read',
    'case:create',
    'case:request',
    'metrics:read',
    'metrics:refresh',
  ],
  analyst: [
    'user:list',
    'org:list',
    'settings:read',
    'report:list',
    'finder:read',
    'case:create',
    'case:request',
    'metrics:read',
  ],
  viewer: ['user:list', 'org:list', 'report:list', 'finder:read', 'case:request', 'metrics:read'],
  vendorAdmin: ['case:request'],
  vendorMember: ['case:request'],
  outsider: [],
  anon: [],
};

describe('instance actions (role × action)', () => {
  const rows = (Object.keys(actors) as Who[]).flatMap((who) =>
    instanceActions.map((action) => ({ who, action, expected: instanceAllowed[who].includes(action) })),
  );
  it.each(rows)('$who $action → $expected', ({ who, action, expected }) => {
    expect(can(actors[who], action, { type: 'instance' })).toBe(expected);
  });

  it('the capability table is the same data the policy uses', () => {
    for (const role of ['admin', 'coordinator', 'analyst', 'viewer'] as const) {
      // case:request is open to every org member, not a staff capability.
      expect([...staffCapabilities[role]].sort()).toEqual(
        instanceAllowed[role].filter((a) => a !== 'case:request').sort(),
      );
    }
  });
});

describe('case actions: staff, invited vendors before and after the terms, restricted users, outsiders', () => {
  const part = (accepted: boolean, allowed = true) => [{ orgId: 'acme', accepted, allowed }];
  const c = (participation: { orgId: string; accepted: boolean; allowed: boolean }[], leadId: string | null = null) =>
    ({ type: 'case', id: 'c1', leadId, participation }) as const;
  type CaseAct = 'case:read' | 'case:read_full' | 'case:manage' | 'case:accept_terms' | 'case:statement';
  const table: [string, Actor, CaseAct, ReturnType<typeof c>, boolean][] = [
    ['coordinator manages', actors.coordinator, 'case:manage', c([]), true],
    ['analyst reads', actors.analyst, 'case:read_full', c([]), true],
    ['analyst does not manage', actors.analyst, 'case:manage', c([]), false],
    ['analyst who leads manages', actors.analyst, 'case:manage', c([], 'u-analyst'), true],
    ['invited vendor sees the minimal view', actors.vendorMember, 'case:read', c(part(false)), true],
    ['invited vendor not the details', actors.vendorMember, 'case:read_full', c(part(false)), false],
    ['invited vendor may accept', actors.vendorMember, 'case:accept_terms', c(part(false)), true],
    ['vendor after terms reads', actors.vendorMember, 'case:read_full', c(part(true)), true],
    ['vendor after terms states', actors.vendorMember, 'case:statement', c(part(true)), true],
    ['vendor never manages', actors.vendorAdmin, 'case:manage', c(part(true)), false],
    ['user not named sees nothing', actors.vendorMember, 'case:read', c(part(true, false)), false],
    ['uninvited sees nothing', actors.outsider, 'case:read', c([]), false],
    ['anonymous sees nothing', actors.anon, 'case:read', c([]), false],
  ];
  it.each(table)('%s', (_label, actor, action, resource, expected) => {
    expect(can(actor, action, resource)).toBe(expected);
  });
});

describe('report actions (role × action), and the follow-up link', () => {
  const report = { type: 'report', id: 'r1', submittedBy: 'u-vm' } as const;
  const otherReport = { type: 'report', id: 'r2', submittedBy: null } as const;
  const link: Actor = { kind: 'report_link', reportId: 'r1', trackingId: 'ACC-2026-0001' };
  type ReportAct = 'report:read' | 'report:read_internal' | 'report:triage' | 'report:answer';
  const table: [string, Actor, ReportAct, typeof report | typeof otherReport, boolean][] = [
    ['admin', actors.admin, 'report:triage', report, true],
    ['coordinator', actors.coordinator, 'report:triage', report, true],
    ['analyst', actors.analyst, 'report:triage', report, true],
    ['analyst', actors.analyst, 'report:answer', report, false],
    ['viewer', actors.viewer, 'report:read_internal', report, true],
    ['viewer', actors.viewer, 'report:triage', report, false],
    ['submitter', actors.vendorMember, 'report:read', report, true],
    ['submitter', actors.vendorMember, 'report:answer', report, true],
    ['submitter', actors.vendorMember, 'report:read_internal', report, false],
    ['submitter', actors.vendorMember, 'report:read', otherReport, false],
    ['vendor admin', actors.vendorAdmin, 'report:read', report, false],
    ['outsider', actors.outsider, 'report:read', report, false],
    ['anonymous', actors.anon, 'report:read', report, false],
    ['link', link, 'report:read', report, true],
    ['link', link, 'report:answer', report, true],
    ['link', link, 'report:read_internal', report, false],
    ['link', link, 'report:triage', report, false],
    ['link', link, 'report:read', otherReport, false],
  ];
  it.each(table)('%s %s', (_who, actor, action, resource, expected) => {
    expect(can(actor, action, resource)).toBe(expected);
  });
  it('a follow-up link has no instance rights at all', () => {
    for (const action of instanceActions) expect(can(link, action, { type: 'instance' })).toBe(false);
  });
});

const acme = { type: 'org', id: 'acme', kind: 'vendor' } as const;
const other = { type: 'org', id: 'other', kind: 'vendor' } as const;
const home = { type: 'org', id: 'home', kind: 'home' } as const;

describe('organization actions', () => {
  const table: [
    Who,
    'org:read' | 'org:update' | 'org:delete' | 'org:invite' | 'org:manage_members',
    typeof acme | typeof other | typeof home,
    boolean,
  ][] = [
    ['admin', 'org:read', acme, true],
    ['admin', 'org:update', home, true],
    ['admin', 'org:delete', acme, true],
    ['admin', 'org:delete', home, false],
    ['coordinator', 'org:update', acme, true],
    ['coordinator', 'org:invite', acme, true],
    ['coordinator', 'org:update', home, false],
    ['coordinator', 'org:invite', home, false],
    ['coordinator', 'org:delete', acme, false],
    ['analyst', 'org:read', acme, true],
    ['analyst', 'org:update', acme, false],
    ['viewer', 'org:invite', acme, false],
    ['vendorAdmin', 'org:read', acme, true],
    ['vendorAdmin', 'org:update', acme, true],
    ['vendorAdmin', 'org:invite', acme, true],
    ['vendorAdmin', 'org:manage_members', acme, true],
    ['vendorAdmin', 'org:delete', acme, false],
    ['vendorAdmin', 'org:read', other, false],
    ['vendorAdmin', 'org:read', home, false],
    ['vendorMember', 'org:read', acme, true],
    ['vendorMember', 'org:invite', acme, false],
    ['vendorMember', 'org:update', acme, false],
    ['outsider', 'org:read', acme, false],
    ['anon', 'org:read', acme, false],
  ];
  it.each(table)('%s %s %o → %s', (who, action, org, expected) => {
    expect(can(actors[who], action, org)).toBe(expected);
  });
});

describe('user actions', () => {
  const self = (a: Actor) => ({ type: 'user' as const, id: a.kind === 'user' ? a.userId : 'x', orgIds: [] });
  const colleague = { type: 'user' as const, id: 'u-colleague', orgIds: ['acme'] };
  const stranger = { type: 'user' as const, id: 'u-stranger', orgIds: ['other'] };
  it.each([
    ['vendorMember', 'user:read', self(vendorMember), true],
    ['vendorMember', 'user:update', self(vendorMember), true],
    ['vendorMember', 'user:manage', self(vendorMember), false],
    ['vendorMember', 'user:read', colleague, true],
    ['vendorMember', 'user:update', colleague, false],
    ['vendorMember', 'user:read', stranger, false],
    ['analyst', 'user:read', stranger, true],
    ['analyst', 'user:update', stranger, false],
    ['admin', 'user:manage', stranger, true],
    ['admin', 'user:update', stranger, true],
    ['anon', 'user:read', stranger, false],
  ] as const)('%s %s → %s', (who, action, target, expected) => {
    expect(can(actors[who], action, target)).toBe(expected);
  });
});

describe('authorize', () => {
  it('answers not found when the caller may not even read the object', () => {
    expect(() => authorize(vendorAdmin, 'org:update', other)).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_FOUND' }),
    );
  });
  it('answers forbidden when the caller may read but not act', () => {
    expect(() => authorize(vendorMember, 'org:invite', acme)).toThrow(
      expect.objectContaining({ code: 'ERR_FORBIDDEN' }),
    );
  });
  it('asks anonymous callers to sign in', () => {
    expect(() => authorize(anon, 'org:read', acme)).toThrow(expect.objectContaining({ code: 'ERR_UNAUTHENTICATED' }));
  });
  it('lets the system do anything', () => {
    expect(() => authorize({ kind: 'system', label: 'cli' }, 'org:delete', acme)).not.toThrow();
  });
});

describe('visibility rules used by list queries', () => {
  it('staff see all organizations, members see their own, others none', () => {
    expect(orgVisibility(staff('viewer'))).toEqual({ all: true });
    expect(orgVisibility(vendorMember)).toEqual({ all: false, orgIds: ['acme'] });
    expect(orgVisibility(anon)).toEqual({ all: false, orgIds: [] });
  });
  it('non-staff see themselves and members of their orgs', () => {
    expect(userVisibility(vendorMember)).toEqual({ all: false, userId: 'u-vm', orgIds: ['acme'] });
    expect(userVisibility(staff('analyst'))).toEqual({ all: true });
  });
});

import { AppError, notFound } from '../core/errors.ts';
import type { Actor, StaffRole } from './actor.ts';

/**
 * The permission model, pure and synchronous over loaded data. Routes call `authorize`;
 * list queries apply the matching `*Visibility` rule in SQL. A denied read is reported as
 * not found, so nobody learns that a hidden object exists.
 */
export type UserAction = 'user:read' | 'user:update' | 'user:manage';
export type OrgAction = 'org:read' | 'org:update' | 'org:delete' | 'org:invite' | 'org:manage_members';
export type InstanceAction =
  | 'user:list'
  | 'user:create'
  | 'org:list'
  | 'org:create'
  | 'audit:read'
  | 'outbox:read'
  | 'settings:read'
  | 'settings:update'
  | 'report:list'
  | 'finder:read'
  | 'instance_key:rotate'
  | 'case:create'
  | 'case:request'
  /** PSIRT metrics, SLA clocks and policies (read: every staff role; refresh: admins and coordinators). */
  | 'metrics:read'
  | 'metrics:refresh';
/** On one report: staff read and triage; its finder (account or follow-up link) reads the shared part and answers. */
export type ReportAction = 'report:read' | 'report:read_internal' | 'report:triage' | 'report:answer';
/**
 * On one case. `read` is the minimal view (id, lead, terms); `read_full` needs accepted terms;
 * `statement` is a participant writing its own statuses; `manage` is the lead or a coordinator.
 */
export type CaseAction = 'case:read' | 'case:read_full' | 'case:manage' | 'case:accept_terms' | 'case:statement';
/**
 * On one advisory (staff only): `edit` drafts, `approve` needs someone other than its author and
 * whoever submitted it for review, `publish` releases an approved one.
 */
export type AdvisoryAction = 'advisory:read' | 'advisory:edit' | 'advisory:approve' | 'advisory:publish';
export type Action = UserAction | OrgAction | InstanceAction | ReportAction | CaseAction | AdvisoryAction;

/** What a staff role may do across the instance. */
export const staffCapabilities = {
  admin: [
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
    'metrics:read',
    'metrics:refresh',
  ],
  coordinator: [
    'user:list',
    'org:list',
    'org:create',
    'settings:read',
    'report:list',
    'finder:read',
    'case:create',
    'metrics:read',
    'metrics:refresh',
  ],
  analyst: ['user:list', 'org:list', 'settings:read', 'report:list', 'finder:read', 'case:create', 'metrics:read'],
  viewer: ['user:list', 'org:list', 'report:list', 'finder:read', 'metrics:read'],
} as const satisfies Record<StaffRole, readonly InstanceAction[]>;

export interface UserResource {
  type: 'user';
  id: string;
  /** Organizations the target user belongs to. */
  orgIds: readonly string[];
}

export interface OrgResource {
  type: 'org';
  id: string;
  kind: string;
}

export interface InstanceResource {
  type: 'instance';
}

export interface ReportResource {
  type: 'report';
  id: string;
  /** The finder's account, when they reported signed in. */
  submittedBy: string | null;
}

export interface CaseResource {
  type: 'case';
  id: string;
  leadId: string | null;
  /** The caller's organizations' participations in this case (loaded with it). */
  participation: readonly { orgId: string; accepted: boolean; allowed: boolean }[];
}

export interface AdvisoryResource {
  type: 'advisory';
  id: string;
  authorId: string | null;
  submittedBy: string | null;
}

export type Resource = UserResource | OrgResource | InstanceResource | ReportResource | CaseResource | AdvisoryResource;

type ResourceFor<A extends Action> = A extends UserAction
  ? UserResource
  : A extends OrgAction
    ? OrgResource
    : A extends ReportAction
      ? ReportResource
      : A extends CaseAction
        ? CaseResource
        : A extends AdvisoryAction
          ? AdvisoryResource
          : InstanceResource;

export const instance: InstanceResource = { type: 'instance' };

function staffHas(actor: Actor, action: InstanceAction): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'user' || actor.staffRole === null) return false;
  return (staffCapabilities[actor.staffRole] as readonly string[]).includes(action);
}

function orgRoleOf(actor: Actor, orgId: string): string | null {
  if (actor.kind !== 'user') return null;
  return actor.memberships.find((m) => m.orgId === orgId)?.role ?? null;
}

export function can<A extends Action>(actor: Actor, action: A, resource: ResourceFor<A>): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind === 'anonymous') return false;
  if (actor.kind === 'report_link') {
    // A follow-up link opens its own report's shared part, and nothing else.
    if (resource.type !== 'report' || resource.id !== actor.reportId) return false;
    return action === 'report:read' || action === 'report:answer';
  }
  const isAdmin = actor.staffRole === 'admin';
  switch (resource.type) {
    case 'instance':
      // Any member of an external organization may ask the home organization to coordinate.
      if (action === 'case:request') return actor.memberships.length > 0 || actor.staffRole !== null;
      return staffHas(actor, action as InstanceAction);
    case 'user': {
      const self = resource.id === actor.userId;
      const sharesOrg = resource.orgIds.some((o) => orgRoleOf(actor, o) !== null);
      switch (action as UserAction) {
        case 'user:read':
          return self || actor.staffRole !== null || sharesOrg;
        case 'user:update':
          return self || isAdmin;
        case 'user:manage':
          return isAdmin;
      }
      return false;
    }
    case 'org': {
      const role = orgRoleOf(actor, resource.id);
      const isHome = resource.kind === 'home';
      const coordinator = actor.staffRole === 'admin' || actor.staffRole === 'coordinator';
      switch (action as OrgAction) {
        case 'org:read':
          return actor.staffRole !== null || role !== null;
        case 'org:update':
        case 'org:invite':
        case 'org:manage_members':
          if (isHome) return isAdmin;
          return coordinator || role === 'org_admin';
        case 'org:delete':
          return isAdmin && !isHome;
      }
      return false;
    }
    case 'case': {
      const staff = actor.staffRole;
      const mine = resource.participation.filter((p) => p.allowed);
      switch (action as CaseAction) {
        case 'case:read':
          return staff !== null || mine.length > 0;
        case 'case:read_full':
          return staff !== null || mine.some((p) => p.accepted);
        case 'case:manage':
          return staff === 'admin' || staff === 'coordinator' || (staff !== null && resource.leadId === actor.userId);
        case 'case:accept_terms':
          return mine.some((p) => !p.accepted);
        case 'case:statement':
          return mine.some((p) => p.accepted);
      }
      return false;
    }
    case 'advisory': {
      const staff = actor.staffRole;
      const manager = staff === 'admin' || staff === 'coordinator';
      switch (action as AdvisoryAction) {
        case 'advisory:read':
          return staff !== null;
        case 'advisory:edit':
          return manager || staff === 'analyst';
        case 'advisory:approve':
          return manager && actor.userId !== resource.authorId && actor.userId !== resource.submittedBy;
        case 'advisory:publish':
          return manager;
      }
      return false;
    }
    case 'report': {
      const staff = actor.staffRole;
      const own = resource.submittedBy !== null && resource.submittedBy === actor.userId;
      switch (action as ReportAction) {
        case 'report:read':
          return staff !== null || own;
        case 'report:read_internal':
          return staff !== null;
        case 'report:triage':
          return staff === 'admin' || staff === 'coordinator' || staff === 'analyst';
        case 'report:answer':
          return own;
      }
      return false;
    }
  }
}

/** Throws the error a client should see: 404 when it may not even read the object, else 403. */
export function authorize<A extends Action>(
  actor: Actor,
  action: A,
  resource: ResourceFor<A>,
  readAction?: Action,
): void {
  if (can(actor, action, resource)) return;
  if (actor.kind === 'anonymous') {
    throw new AppError('ERR_UNAUTHENTICATED', 'sign in first: this needs an account');
  }
  if (resource.type !== 'instance') {
    const read = (readAction ?? `${resource.type}:read`) as A;
    if (!can(actor, read, resource))
      throw notFound(resource.type === 'org' ? 'organization' : resource.type, resource.id);
  }
  throw new AppError('ERR_FORBIDDEN', `your role does not allow ${action}`, { action });
}

/** The abilities a response carries, so the UI shows only the buttons the server will accept. */
export function abilities<A extends Action>(
  actor: Actor,
  actions: readonly A[],
  resource: ResourceFor<A>,
): Partial<Record<A, boolean>> {
  const out: Partial<Record<A, boolean>> = {};
  for (const a of actions) out[a] = can(actor, a, resource);
  return out;
}

/** Which organizations a list query may return; applied in SQL by orgs/queries.ts. */
export function orgVisibility(actor: Actor): { all: true } | { all: false; orgIds: string[] } {
  if (actor.kind === 'system') return { all: true };
  if (actor.kind === 'user' && actor.staffRole !== null) return { all: true };
  if (actor.kind === 'user') return { all: false, orgIds: actor.memberships.map((m) => m.orgId) };
  return { all: false, orgIds: [] };
}

/** Which users a list query may return: staff see all; others themselves and their orgs' members. */
export function userVisibility(actor: Actor): { all: true } | { all: false; userId: string | null; orgIds: string[] } {
  if (actor.kind === 'system') return { all: true };
  if (actor.kind === 'user' && actor.staffRole !== null) return { all: true };
  if (actor.kind === 'user') {
    return { all: false, userId: actor.userId, orgIds: actor.memberships.map((m) => m.orgId) };
  }
  return { all: false, userId: null, orgIds: [] };
}

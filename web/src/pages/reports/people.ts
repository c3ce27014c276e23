import { useEffect, useState } from 'react';
import { api, type User } from '../../api.ts';
import { useSession } from '../../session.tsx';

/** The home-organization roles that triage reports; viewers and outside members are not offered. */
const assignableRoles = new Set(['admin', 'coordinator', 'analyst']);

/** Whether a report can be assigned to this user: active, with a triage role in the home organization. */
export function isAssignable(u: User): boolean {
  return !u.disabled && (u.memberships ?? []).some((m) => m.orgKind === 'home' && assignableRoles.has(m.role));
}

/** At most this many pages of users are read for a picker (200 each). */
const MAX_PAGES = 10;

/** People a report can be assigned to, for the assignee pickers (the server checks again). */
export function useAssignable(): User[] {
  const { can } = useSession();
  const allowed = can('user:list');
  const [users, setUsers] = useState<User[]>([]);
  useEffect(() => {
    if (!allowed) return;
    let live = true;
    (async () => {
      const found: User[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < MAX_PAGES; i++) {
        const page = await api.users({ limit: 200, cursor });
        found.push(...page.items.filter(isAssignable));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      return found.sort((a, b) => a.name.localeCompare(b.name));
    })().then(
      (list) => live && setUsers(list),
      () => live && setUsers([]),
    );
    return () => {
      live = false;
    };
  }, [allowed]);
  return users;
}

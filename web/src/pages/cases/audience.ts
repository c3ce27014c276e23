import { useState } from 'react';
import { api } from '../../api.ts';
import type { CaseFull } from '../../casesApi.ts';
import { useSession } from '../../session.tsx';
import type { Person } from './PeoplePicker.tsx';

export interface Audience {
  /** Organizations a TLP:AMBER+STRICT post can be addressed to. */
  orgs: { id: string; name: string }[];
  orgName: (id: string | null) => string | null;
  /** People a TLP:RED post can name (loaded on first use); null until then. */
  people: Person[] | null;
  loadPeople: () => void;
}

/**
 * Who a post can be addressed to. The organizations in the case (and, for staff, the home
 * organization); the people staff can name are the staff and the participants' members, a
 * vendor names people of its own organization: the API has no list of who can read a thread.
 */
export function useAudience(c: CaseFull): Audience {
  const { me } = useSession();
  const [people, setPeople] = useState<Person[] | null>(null);
  const home = (me?.user.memberships ?? []).find((m) => m.orgKind === 'home');
  const staff = c.access === 'staff';
  const orgs = new Map<string, string>();
  if (staff && home) orgs.set(home.orgId, home.orgName);
  for (const p of c.participants) if (p.orgId) orgs.set(p.orgId, p.name);
  const orgIds = [...orgs.keys()].filter((id) => id !== home?.orgId);
  const own = c.participants.filter((p) => p.mine && p.orgId).map((p) => p.orgId as string);
  const myId = me?.user.id;

  const loadPeople = () => {
    if (people !== null) return;
    setPeople([]);
    void (async () => {
      const found = new Map<string, Person>();
      if (staff) {
        const users = await api.users({ limit: 200 }).catch(() => ({ items: [] }));
        for (const u of users.items) {
          if (!u.disabled && (u.memberships ?? []).some((m) => m.orgKind === 'home')) {
            found.set(u.id, { id: u.id, name: u.name, email: u.email });
          }
        }
      }
      for (const orgId of staff ? orgIds : own) {
        const members = await api.members(orgId).catch(() => ({ items: [] }));
        for (const m of members.items) found.set(m.userId, { id: m.userId, name: m.name, email: m.email });
      }
      if (myId) found.delete(myId);
      setPeople([...found.values()].sort((a, b) => a.name.localeCompare(b.name)));
    })();
  };

  return {
    orgs: [...orgs].map(([id, name]) => ({ id, name })),
    orgName: (id) => (id ? (orgs.get(id) ?? null) : null),
    people,
    loadPeople,
  };
}

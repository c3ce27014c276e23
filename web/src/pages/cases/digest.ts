import { useEffect, useState } from 'react';
import { type CaseListItem, casesApi, type CaseView, isFull } from '../../casesApi.ts';

/** What the case list shows about each case beyond the list answer, and what waits on the viewer. */
export interface CaseDigest {
  title: string | null;
  lead: string | null;
  actions: CaseAction[];
}

export type CaseAction = 'accept_terms' | 'state_status' | 'invite_vendors' | 'add_vulnerability';

/**
 * What the viewer should do in a case: a vendor accepts the terms, then states a status for its
 * products; the case's manager invites vendors and records the vulnerabilities.
 */
export async function digestOf(view: CaseView): Promise<CaseDigest> {
  const actions: CaseAction[] = [];
  if (view.abilities['case:accept_terms']) actions.push('accept_terms');
  if (!isFull(view)) return { title: null, lead: view.lead, actions };
  if (view.abilities['case:manage']) {
    if (!view.participants.some((p) => p.role === 'vendor')) actions.push('invite_vendors');
    if (view.vulnerabilities.length === 0) actions.push('add_vulnerability');
  }
  const myVendors = view.participants.filter((p) => p.mine && p.role === 'vendor' && p.termsAccepted);
  if (myVendors.length > 0 && view.abilities['case:statement']) {
    const matrix = await casesApi.statuses(view.caseId);
    const silent = matrix.vendors.some((v) => v.silent && myVendors.some((p) => p.id === v.participantId));
    if (silent) actions.push('state_status');
  }
  return { title: view.title, lead: view.lead, actions };
}

/**
 * The digests of the listed cases, fetched case by case: the list answer carries only ids and
 * status, so the title and the viewer's pending actions come from each case (see the report's
 * API gaps). A case whose digest fails is shown without one.
 */
export function useCaseDigests(items: CaseListItem[]): Map<string, CaseDigest | 'failed'> {
  const [digests, setDigests] = useState(() => new Map<string, CaseDigest | 'failed'>());
  const missing = items.filter((c) => !digests.has(c.id));
  const key = missing.map((c) => c.id).join(',');

  useEffect(() => {
    if (!key) return;
    let live = true;
    const ids = key.split(',');
    void Promise.all(
      ids.map(async (id) => {
        try {
          return [id, await digestOf(await casesApi.get(id))] as const;
        } catch {
          return [id, 'failed'] as const;
        }
      }),
    ).then((found) => {
      if (!live) return;
      setDigests((prev) => {
        const next = new Map(prev);
        for (const [id, d] of found) next.set(id, d);
        return next;
      });
    });
    return () => {
      live = false;
    };
  }, [key]);

  return digests;
}

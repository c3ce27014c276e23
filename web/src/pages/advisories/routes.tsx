import type { ReactNode } from 'react';
import { match } from '../../router.tsx';
import { AdvisoriesPage } from './AdvisoriesPage.tsx';
import { AdvisoryPage } from './AdvisoryPage.tsx';

/** The advisories pages (staff). `undefined`: not one of them; `null`: refused. */
export function advisoriesPage(path: string, staff: boolean): ReactNode | null | undefined {
  if (match('/staff/advisories', path)) return staff ? <AdvisoriesPage /> : null;
  const one = match('/staff/advisories/:trackingId', path);
  if (one?.trackingId) return staff ? <AdvisoryPage key={one.trackingId} trackingId={one.trackingId} /> : null;
  return undefined;
}

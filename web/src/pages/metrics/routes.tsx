import type { ReactNode } from 'react';
import { match } from '../../router.tsx';
import { MetricsPage } from './MetricsPage.tsx';
import { SlaPage } from './SlaPage.tsx';

/** The metrics dashboard and the SLA page (staff). `undefined`: not one of them; `null`: refused. */
export function metricsPage(path: string, can: (c: string) => boolean): ReactNode | null | undefined {
  if (match('/metrics', path)) return can('metrics:read') ? <MetricsPage /> : null;
  if (match('/metrics/sla', path)) return can('metrics:read') ? <SlaPage /> : null;
  return undefined;
}

import { request, withQuery } from './api.ts';

/** PSIRT metrics (staff): figures computed by the server from recorded events. */
export interface Stats {
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
  min: number | null;
  max: number | null;
}

export interface Adherence {
  met: number;
  breached: number;
  open: number;
  rate: number | null;
}

export interface Volume {
  key: string;
  count: number;
}

export type SlaStage = 'acknowledge' | 'triage' | 'remediation' | 'release';
export const slaStages: readonly SlaStage[] = ['acknowledge', 'triage', 'remediation', 'release'];

export interface MetricsSummary {
  computedAt: string | null;
  recomputeMs: number | null;
  timeZone: string;
  filter: { from: string | null; to: string | null; product: string | null; owner: string | null };
  counts: { reports: number; cases: number; vendorParticipations: number };
  timeToAcknowledge: { hours: Stats; businessDays: Stats };
  timeToTriage: { hours: Stats; businessDays: Stats };
  reportToAdvisoryDays: Stats;
  reportToPublicDays: Stats;
  vendorAwareToFixReadyDays: Stats;
  fixReadyToPublicDays: Stats;
  vendorAwareToPublicDays: Stats;
  slaAdherence: Record<SlaStage, Adherence>;
  vendors: { notified: number; answered: number; silent: number; silentShare: number | null; firstAnswerDays: Stats };
  finders: {
    reports: number;
    distinctFinders: number;
    returningFinders: number;
    withoutFinder: number;
    validShare: number | null;
    reportsPerFinder: Stats;
  };
  volumes: {
    byProduct: Volume[];
    byCwe: Volume[];
    bySeverity: Volume[];
    byMonth: { month: string; reports: number; cases: number }[];
  };
  desiderata: {
    cases: number;
    fixBeforePublic: { met: number; violated: number; pending: number };
    byDesideratum: { label: string; baseline: number; met: number; violated: number; pending: number }[];
  };
}

export interface MetricsFilter {
  from?: string;
  to?: string;
  product?: string;
  owner?: string;
}

export interface SlaClock {
  subjectType: 'report' | 'case';
  subjectId: string;
  stage: SlaStage;
  phase: string;
  label: string;
  severity: string;
  ownerId: string | null;
  ownerName: string | null;
  startedAt: string;
  pausedSince: string | null;
  dueAt: string;
  riskAt: string | null;
  state: 'at_risk' | 'breached';
  computedAt: string;
}

export interface SlaPolicy {
  stage: SlaStage;
  severity: string;
  targetBusinessDays: number;
  atRiskFraction: number;
  pauseAwaitingFinder: boolean;
}

export interface SlaSettings {
  policies: SlaPolicy[];
  defaults: SlaPolicy[];
  usingDefaults: boolean;
  stages: { stage: SlaStage; phase: string }[];
  severities: string[];
  calendar: { timeZone: string; workdays?: number[]; holidays?: string[]; hours?: { start: string; end: string } };
}

const clean = (f: MetricsFilter) => Object.fromEntries(Object.entries(f).filter(([, v]) => v));

export const metricsApi = {
  summary: (f: MetricsFilter) => request<MetricsSummary>('GET', withQuery('/api/v1/metrics/summary', clean(f))),
  owners: () => request<{ items: { id: string; name: string }[] }>('GET', '/api/v1/metrics/owners'),
  refresh: () => request<{ durationMs: number; alerts: number }>('POST', '/api/v1/metrics/refresh'),
  /** A plain link: the browser downloads the file with the session cookie. */
  exportUrl: (f: MetricsFilter, format: 'csv' | 'json', dataset: 'summary' | 'reports' | 'cases' | 'vendors') =>
    withQuery('/api/v1/metrics/export', { format, dataset, ...clean(f) }),
  clocks: (state: 'attention' | 'at_risk' | 'breached', mine: boolean) =>
    request<{ now: string; items: SlaClock[] }>(
      'GET',
      withQuery('/api/v1/sla/clocks', { state, ...(mine ? { mine: 'true' } : {}) }),
    ),
  policies: () => request<SlaSettings>('GET', '/api/v1/sla/policies'),
  setPolicies: (policies: SlaPolicy[]) => request<SlaSettings>('PUT', '/api/v1/sla/policies', { policies }),
  setCalendar: (calendar: SlaSettings['calendar']) => request<SlaSettings>('PUT', '/api/v1/sla/calendar', calendar),
};

import { request, requestBlob } from './api.ts';

/** Types and calls of the PSIRT Services Framework self-assessment (home organization staff). */

export interface FrameworkItem {
  id: string;
  title: string;
  kind: 'function' | 'service';
  areaId: string;
  areaTitle: string;
  serviceId: string;
  serviceTitle: string;
  subFunctions: FrameworkSubFunction[];
}
/** A sub-function (e.g. 1.1.1.1): a facet to judge its function by; printedAs where the edition misprints it. */
export interface FrameworkSubFunction {
  id: string;
  title: string;
  printedAs?: string;
}
export interface FrameworkArea {
  id: string;
  title: string;
  services: {
    id: string;
    title: string;
    functions: { id: string; title: string; subFunctions: FrameworkSubFunction[] }[];
  }[];
}
export interface Framework {
  framework: { name: string; version: string; source: string };
  areas: FrameworkArea[];
  items: FrameworkItem[];
  levels: { level: number; key: string; label: string }[];
}

export interface AreaSummary {
  areaId: string;
  title: string;
  rated: number;
  total: number;
  average: number | null;
  distribution: [number, number, number, number];
}

/** A service's functions rolled up (the same figures as an area's). */
export interface ServiceSummary extends Omit<AreaSummary, 'title'> {
  serviceId: string;
  title: string;
}

export interface AssessmentHeader {
  id: string;
  title: string;
  assessedOn: string;
  notes: string;
  frameworkVersion: string;
  createdAt: string;
  updatedAt: string;
}

export interface Gap {
  id: string;
  itemId: string;
  action: string;
  owner: string;
  dueOn: string | null;
  done: boolean;
}

export interface Assessment extends AssessmentHeader {
  items: { itemId: string; level: number; evidence: string; updatedAt: string }[];
  gaps: Gap[];
  areas: AreaSummary[];
  services: ServiceSummary[];
  previous: {
    id: string;
    title: string;
    assessedOn: string;
    comparison: {
      areas: { areaId: string; previous: number | null; current: number | null; change: number | null }[];
      items: { itemId: string; previous: number | null; current: number | null }[];
    };
  } | null;
  abilities: { write: boolean };
}

const one = (id: string) => `/api/v1/assessments/${encodeURIComponent(id)}`;

export const assessmentApi = {
  framework: () => request<Framework>('GET', '/api/v1/assessments/framework'),
  list: () =>
    request<{
      items: (AssessmentHeader & { areas: AreaSummary[]; openGaps: number })[];
      abilities: { write: boolean };
    }>('GET', '/api/v1/assessments'),
  create: (body: { title?: string; assessedOn?: string; notes?: string; startEmpty?: boolean }) =>
    request<Assessment>('POST', '/api/v1/assessments', body),
  get: (id: string) => request<Assessment>('GET', one(id)),
  update: (id: string, body: { title?: string; assessedOn?: string; notes?: string }) =>
    request<Assessment>('PATCH', one(id), body),
  rate: (id: string, items: { itemId: string; level: number; evidence: string }[]) =>
    request<Assessment>('PUT', `${one(id)}/items`, { items }),
  addGap: (id: string, body: { itemId: string; action: string; owner: string; dueOn: string | null }) =>
    request<Gap>('POST', `${one(id)}/gaps`, body),
  updateGap: (id: string, gapId: string, body: Partial<Omit<Gap, 'id'>>) =>
    request<Gap>('PATCH', `${one(id)}/gaps/${encodeURIComponent(gapId)}`, body),
  removeGap: (id: string, gapId: string) => request<void>('DELETE', `${one(id)}/gaps/${encodeURIComponent(gapId)}`),
  export: (id: string, format: 'csv' | 'json') => requestBlob(`${one(id)}/export?format=${format}`),
};

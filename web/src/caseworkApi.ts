import { request, withQuery } from './api.ts';

/** Types and calls of the case execution template (staff only). */

export interface TemplateStep {
  key: string;
  title: string;
}
export interface TemplateQuestion {
  key: string;
  text: string;
}
export interface CaseworkTemplate {
  steps: TemplateStep[];
  questions: TemplateQuestion[];
  postmortemDays: number;
  custom: boolean;
  updatedAt: string | null;
}

export interface Signoff {
  name: string;
  date: string;
  note: string;
  userId: string | null;
  at: string;
}

export const internalRoles = [
  'psirt',
  'legal',
  'pr',
  'engineering',
  'qa',
  'support',
  'marketing',
  'operations',
  'executive',
  'other',
] as const;
export type EntryKind = 'stakeholder' | 'meeting' | 'reproduction' | 'remediation';

interface EntryBase {
  id: string;
  createdAt: string;
  updatedAt: string;
}
export interface Stakeholder extends EntryBase {
  side: 'internal' | 'external';
  role: string;
  name: string;
  contact: string;
  participantId: string | null;
  notes: string;
}
export interface ActionItem {
  text: string;
  owner: string;
  due: string | null;
  done: boolean;
}
export interface Meeting extends EntryBase {
  heldAt: string;
  durationMinutes: number;
  location: string;
  attendees: string[];
  notes: string;
  decisions: string[];
  actions: ActionItem[];
}
export interface Reproduction extends EntryBase {
  by: string;
  on: string;
  environment: string;
  steps: string;
  result: 'reproduced' | 'not_reproduced' | 'partially';
}
export interface Remediation extends EntryBase {
  kind: 'patch' | 'workaround' | 'configuration' | 'other';
  status: 'planned' | 'in_progress' | 'released';
  description: string;
  fixedVersions: string;
  links: string[];
}

export interface Overview {
  summary: string;
  rootCause: string;
  impact: string;
  resolution: string;
}

export interface Casework {
  caseId: string;
  started: boolean;
  checklist: (TemplateStep & { signoff: Signoff | null })[];
  progress: { signed: number; total: number };
  participants: { id: string; role: string; name: string | null; removed: boolean }[];
  stakeholders: Stakeholder[];
  meetings: Meeting[];
  reproductions: Reproduction[];
  remediations: Remediation[];
  overview: Overview;
  postmortem: {
    questions: TemplateQuestion[];
    answers: Record<string, string>;
    participants: string;
    heldOn: string | null;
    days: number;
    releasedAt: string | null;
    dueAt: string | null;
    notifiedAt: string | null;
    completedAt: string | null;
  };
  abilities: { write: boolean };
}

const base = (caseId: string) => `/api/v1/cases/${encodeURIComponent(caseId)}/casework`;

export const caseworkApi = {
  get: (caseId: string) => request<Casework>('GET', base(caseId)),
  sign: (caseId: string, body: { step: string; name?: string; date?: string; note?: string }) =>
    request<Signoff>('PUT', `${base(caseId)}/checklist`, body),
  unsign: (caseId: string, step: string) => request<void>('DELETE', withQuery(`${base(caseId)}/checklist`, { step })),
  addEntry: (caseId: string, kind: EntryKind, data: Record<string, unknown>) =>
    request<EntryBase>('POST', `${base(caseId)}/entries`, { kind, data }),
  updateEntry: (caseId: string, id: string, data: Record<string, unknown>) =>
    request<EntryBase>('PATCH', `${base(caseId)}/entries/${encodeURIComponent(id)}`, { data }),
  removeEntry: (caseId: string, id: string) =>
    request<void>('DELETE', `${base(caseId)}/entries/${encodeURIComponent(id)}`),
  overview: (caseId: string, body: Partial<Overview>) => request<Overview>('PUT', `${base(caseId)}/overview`, body),
  postmortem: (
    caseId: string,
    body: { answers?: Record<string, string>; participants?: string; heldOn?: string | null; complete?: boolean },
  ) => request<unknown>('PUT', `${base(caseId)}/postmortem`, body),
  template: () => request<CaseworkTemplate>('GET', '/api/v1/casework/templates'),
  saveTemplate: (body: { steps: TemplateStep[]; questions: TemplateQuestion[]; postmortemDays: number }) =>
    request<CaseworkTemplate>('PUT', '/api/v1/casework/templates', body),
  resetTemplate: () => request<CaseworkTemplate>('DELETE', '/api/v1/casework/templates'),
};

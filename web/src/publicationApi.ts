import { request } from './api.ts';

/** Types and calls of a case's release plan (the Release tab). */

export interface ChecklistItem {
  id: string;
  key: string | null;
  label: string;
  done: boolean;
  doneBy: string | null;
  doneAt: string | null;
}

export interface Readiness {
  participantId: string;
  name: string;
  role: string;
  mine: boolean;
  advisoryReady: boolean;
  fixAvailable: boolean;
  customersNotified: boolean;
  note: string;
  updatedAt: string | null;
}

export interface ReleaseStatement {
  id: string;
  vendor: string | null;
  product: string;
  status: string;
  vulnerability: string;
  approved: boolean;
}

export interface ReleasePlan {
  caseId: string;
  publishAt: string | null;
  embargo: { state: 'none' | 'active' | 'exited'; endsAt: string | null; exitReason: string | null };
  checklistOpen: boolean;
  checklist: ChecklistItem[];
  notes: string | null;
  readiness: Readiness[];
  statements: ReleaseStatement[];
  earlyRequest: { requestedBy: string | null; requestedByMe: boolean; at: string | null; reason: string | null } | null;
  published: { at: string; via: 'schedule' | 'two_person'; url: string } | null;
  abilities: { manage: boolean; requestEarly: boolean; confirmEarly: boolean };
}

export type ReadinessChange = Partial<Pick<Readiness, 'advisoryReady' | 'fixAvailable' | 'customersNotified' | 'note'>>;

const base = (caseId: string) => `/api/v1/cases/${encodeURIComponent(caseId)}/release`;

export const publicationApi = {
  get: (caseId: string) => request<ReleasePlan>('GET', base(caseId)),
  update: (caseId: string, body: { publishAt?: string | null; notes?: string }) =>
    request<ReleasePlan>('PATCH', base(caseId), body),
  readiness: (caseId: string, participantId: string, body: ReadinessChange) =>
    request<ReleasePlan>('PUT', `${base(caseId)}/readiness/${encodeURIComponent(participantId)}`, body),
  addItem: (caseId: string, label: string) => request<ReleasePlan>('POST', `${base(caseId)}/checklist`, { label }),
  tick: (caseId: string, itemId: string, done: boolean) =>
    request<ReleasePlan>('PATCH', `${base(caseId)}/checklist/${encodeURIComponent(itemId)}`, { done }),
  approve: (caseId: string, statusId: string, approved: boolean) =>
    request<ReleasePlan>('PUT', `${base(caseId)}/statements/${encodeURIComponent(statusId)}/approval`, { approved }),
  requestEarly: (caseId: string, reason: string) =>
    request<ReleasePlan>('POST', `${base(caseId)}/publish-request`, { reason }),
  withdrawEarly: (caseId: string) => request<ReleasePlan>('DELETE', `${base(caseId)}/publish-request`),
  confirmEarly: (caseId: string) => request<ReleasePlan>('POST', `${base(caseId)}/publish-confirm`),
};
